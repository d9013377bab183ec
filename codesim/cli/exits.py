"""Exit codes and the one place where errors become them.

The contract codes (DESIGN.md, "Public contract"): 0 ok, 1 a score above ``--fail-above``,
2 usage or options error, 3 input error.  A bug in codesim is none of these; it gets
``EX_SOFTWARE`` (70, from BSD ``sysexits.h``) so a script never mistakes a crash for a verdict
or for bad input.
"""

from __future__ import annotations

import errno
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import TYPE_CHECKING, NoReturn

import typer

from codesim.cli.stderr import Stderr
from codesim.errors import CodesimError, OptionsError
from codesim.render.terminal import printable

if TYPE_CHECKING:
    from codesim.results import CheckReport, CrossReport, Report


class ExitCode(IntEnum):
    OK = 0
    ABOVE_THRESHOLD = 1
    USAGE = 2
    INPUT = 3
    INTERNAL = 70


def exit_code_for(error: CodesimError) -> ExitCode:
    """``OptionsError`` is a usage problem; every other deliberate error is about the input."""
    if isinstance(error, OptionsError):
        return ExitCode.USAGE
    return ExitCode.INPUT


def highest_score(report: Report | CheckReport | CrossReport) -> float:
    """What ``--fail-above`` compares: the overall score or any pair's, whichever is higher
    (for a check: any project's score or any of its pairs'; for a cross: any pair's).

    A repo can score low overall while one file in it is a verbatim copy; the gate must catch
    that file.
    """
    from codesim.results import CheckReport, CrossReport

    if isinstance(report, CheckReport):
        return max(
            [0.0, *(h.score for h in report.hits), *(p.score for h in report.hits for p in h.pairs)]
        )
    if isinstance(report, CrossReport):
        return max([0.0, *(pair.score for pair in report.pairs)])
    return max([report.score, *(pair.score for pair in report.pairs)])


def print_error(console: Stderr, message: str) -> None:
    """One line on stderr, prefixed so it stands out in CI logs; never parsed as markup."""
    from rich.text import Text

    line = Text.assemble(("codesim: error: ", "bold red"), printable(message.replace("\n", " ")))
    console.print(line, soft_wrap=True)


@contextmanager
def errors_to_exit_codes(console: Stderr, *, verbose: bool) -> Iterator[None]:
    """Turn what escapes the block into one stderr line and an exit code.

    ``typer.Exit`` passes through, as does a broken pipe (``codesim ... | head``), which the
    toolkit already handles quietly.
    """
    try:
        yield
    except (typer.Exit, typer.Abort):
        raise
    except CodesimError as error:
        if verbose:
            _print_traceback(console, error)
        print_error(console, str(error) or type(error).__name__)
        raise typer.Exit(exit_code_for(error)) from None
    except OSError as error:
        if error.errno == errno.EPIPE:
            raise
        _report_internal_error(console, error, verbose=verbose)
    except Exception as error:
        _report_internal_error(console, error, verbose=verbose)


def _print_traceback(console: Stderr, error: Exception) -> None:
    from rich.text import Text

    console.print(Text("".join(traceback.format_exception(error))), soft_wrap=True)


def _report_internal_error(console: Stderr, error: Exception, *, verbose: bool) -> NoReturn:
    if verbose:
        _print_traceback(console, error)
        hint = "this is a bug in codesim; please report it with the traceback above"
    else:
        hint = "re-run with --verbose for the traceback"
    print_error(console, f"internal error: {type(error).__name__}: {error} ({hint})")
    raise typer.Exit(ExitCode.INTERNAL) from None


def exit_if_above(
    report: Report | CheckReport | CrossReport,
    fail_above: float | None,
    stderr: Stderr,
    *,
    quiet: bool,
) -> None:
    """Exit with ``ABOVE_THRESHOLD`` when ``--fail-above`` was given and a score is above it."""
    if fail_above is None:
        return
    highest = highest_score(report)
    if highest > fail_above:
        if not quiet:
            from rich.text import Text

            stderr.print(
                Text(f"codesim: score {highest:.4f} is above --fail-above {fail_above:g}"),
                soft_wrap=True,
            )
        raise typer.Exit(ExitCode.ABOVE_THRESHOLD)
