"""Errors become one stderr line and the contract's exit code."""

from __future__ import annotations

import io

import pytest
import typer
from rich.console import Console

from codesim.cli.exits import ExitCode, errors_to_exit_codes, highest_score
from codesim.cli.stderr import Stderr
from codesim.errors import IndexBackendError, InputError, LanguageError, OptionsError
from codesim.results import Report


def stderr_console() -> tuple[Stderr, io.StringIO]:
    buffer = io.StringIO()
    return Stderr(Console(file=buffer, width=60, color_system=None)), buffer


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (OptionsError("kgram_size: must be at least 3 (got 0)"), ExitCode.USAGE),
        (InputError("nope/: no such file or directory"), ExitCode.INPUT),
        (LanguageError("no grammar for 'cobol'"), ExitCode.INPUT),
        (IndexBackendError("redis is down"), ExitCode.INPUT),
    ],
)
def test_codesim_errors_exit_with_their_contract_code(error: Exception, code: ExitCode) -> None:
    console, buffer = stderr_console()
    with pytest.raises(typer.Exit) as exit_info, errors_to_exit_codes(console, verbose=False):
        raise error
    assert exit_info.value.exit_code == code
    assert buffer.getvalue() == f"codesim: error: {error}\n"


def test_contract_exit_codes_have_their_documented_values() -> None:
    assert [int(code) for code in ExitCode] == [0, 1, 2, 3, 70]


def test_a_long_error_message_stays_on_one_line_in_a_narrow_console() -> None:
    console, buffer = stderr_console()
    message = "a/very/long/path/" * 10 + ": no such file or directory"
    with pytest.raises(typer.Exit), errors_to_exit_codes(console, verbose=False):
        raise InputError(message)
    assert buffer.getvalue().count("\n") == 1


def test_markup_in_an_error_message_is_printed_literally() -> None:
    console, buffer = stderr_console()
    with pytest.raises(typer.Exit), errors_to_exit_codes(console, verbose=False):
        raise InputError("[red]x[/red]: no such file or directory")
    assert "[red]x[/red]" in buffer.getvalue()


def test_an_unexpected_exception_is_an_internal_error_with_a_hint() -> None:
    console, buffer = stderr_console()
    with pytest.raises(typer.Exit) as exit_info, errors_to_exit_codes(console, verbose=False):
        raise KeyError("boom")
    assert exit_info.value.exit_code == ExitCode.INTERNAL
    output = buffer.getvalue()
    assert output.count("\n") == 1
    assert "internal error: KeyError" in output
    assert "re-run with --verbose for the traceback" in output


def test_verbose_shows_the_traceback_before_the_error_line() -> None:
    console, buffer = stderr_console()
    with pytest.raises(typer.Exit), errors_to_exit_codes(console, verbose=True):
        raise KeyError("boom")
    output = buffer.getvalue()
    assert output.startswith("Traceback (most recent call last):")
    assert output.rstrip().splitlines()[-1].startswith("codesim: error: internal error: KeyError")


def test_a_requested_exit_passes_through_unchanged() -> None:
    console, buffer = stderr_console()
    with pytest.raises(typer.Exit) as exit_info, errors_to_exit_codes(console, verbose=False):
        raise typer.Exit(ExitCode.ABOVE_THRESHOLD)
    assert exit_info.value.exit_code == ExitCode.ABOVE_THRESHOLD
    assert buffer.getvalue() == ""


def test_a_broken_pipe_is_left_to_the_toolkit() -> None:
    console, _ = stderr_console()
    with pytest.raises(BrokenPipeError), errors_to_exit_codes(console, verbose=False):
        raise BrokenPipeError(32, "Broken pipe")


def report_with_scores(overall: float, pair_scores: list[float]) -> Report:
    side = {"path": "x", "files": 1, "lines": 10, "tokens": 100}
    pairs = [
        {
            "left": f"l{i}.py",
            "right": f"r{i}.py",
            "score": score,
            "similarity": score,
            "left_coverage": score,
            "right_coverage": score,
            "longest_fragment": 0,
            "left_tokens": 100,
            "right_tokens": 100,
            "verdict": "partial",
            "fragments": [],
            "identifier_map": [],
        }
        for i, score in enumerate(pair_scores)
    ]
    return Report.model_validate(
        {
            "score": overall,
            "similarity": overall,
            "verdict": "partial",
            "left": side,
            "right": side,
            "left_coverage": overall,
            "right_coverage": overall,
            "pairs": pairs,
            "identifier_map": [],
            "skipped": [],
            "options": {},
        }
    )


def test_fail_above_looks_at_the_best_pair_when_it_beats_the_overall_score() -> None:
    assert highest_score(report_with_scores(0.3, [0.2, 0.95, 0.1])) == 0.95


def test_fail_above_looks_at_the_overall_score_when_there_are_no_pairs() -> None:
    assert highest_score(report_with_scores(0.4, [])) == 0.4
