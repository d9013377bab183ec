"""The command line as a user runs it: ``python -m codesim`` in a subprocess.

Exit codes (DESIGN.md, public contract): 0 ok, 1 a score above --fail-above, 2 usage or
options error, 3 input error.  stdout carries the report and nothing else; errors are one
line on stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import typer.main

from codesim import __version__
from codesim.cli import _CROSS_FLAGS, _command, _cross_paths, _exit_code
from codesim.cli.exits import highest_score
from codesim.results import Report

REPO = Path(__file__).resolve().parents[2]
ORIGINAL = REPO / "examples" / "original"
SUSPECT = REPO / "examples" / "suspect"

UNRELATED = '''\
"""Parse a tiny INI dialect into nested dictionaries."""

import re

SECTION = re.compile(r"^\\[(?P<name>[^\\]]+)\\]$")


class ConfigParser:
    def __init__(self, strict=True):
        self.strict = strict
        self.sections = {}

    def feed(self, text):
        current = self.sections.setdefault("default", {})
        for number, raw in enumerate(text.splitlines(), start=1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            header = SECTION.match(line)
            if header:
                current = self.sections.setdefault(header.group("name"), {})
                continue
            if "=" not in line:
                if self.strict:
                    raise SyntaxError(f"line {number}: expected key = value")
                continue
            key, value = (part.strip() for part in line.split("=", 1))
            current[key] = self.convert(value)
        return self.sections

    @staticmethod
    def convert(value):
        lowered = value.lower()
        if lowered in ("true", "yes", "on"):
            return True
        if lowered in ("false", "no", "off"):
            return False
        try:
            return int(value)
        except ValueError:
            pass
        try:
            return float(value)
        except ValueError:
            return value.strip('"')
'''


def run_cli(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    return run_python("-m", "codesim", *args)


def run_python(*args: str | os.PathLike[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONPATH": str(REPO)}
    env.pop("FORCE_COLOR", None)
    return subprocess.run(
        [sys.executable, *map(str, args)],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=300,
        check=False,
    )


@cache
def example_json() -> tuple[Report, subprocess.CompletedProcess[str]]:
    result = run_cli("compare", ORIGINAL, SUSPECT, "--json")
    assert result.returncode == 0, result.stderr
    return Report.model_validate_json(result.stdout), result


@cache
def example_text() -> subprocess.CompletedProcess[str]:
    return run_cli("compare", ORIGINAL, SUSPECT)


# --- help and version -------------------------------------------------------------------


def test_help_exits_0_and_lists_the_compare_command() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    assert "compare" in result.stdout
    assert "--version" in result.stdout


MADE_ON_DEMAND = """
import sys
import typer
from codesim.cli import main
sys.argv = ["codesim", *sys.argv[1:]]
try:
    main()
except SystemExit:
    pass
cli_app = sys.modules["codesim.cli.app"]
held = cli_app._COMMANDS._commands.items()
made = [name for name, command in held if not isinstance(command, typer.Typer)]
print("MADE", ",".join(made), file=sys.stderr)
"""


def made_commands(*args: str) -> list[str]:
    done = run_python("-c", MADE_ON_DEMAND, *args)
    made = [line for line in done.stderr.splitlines() if line.startswith("MADE")]
    assert made, done.stderr
    return [name for name in made[-1].removeprefix("MADE ").split(",") if name]


def test_a_run_makes_only_its_own_command_and_help_lists_every_one_in_order() -> None:
    # Typer makes each command's click object when the group looks it up: a run makes one.
    assert made_commands("cross", "--help") == ["cross"]
    assert made_commands("index", "list", "--help") == ["index"]
    assert made_commands("--version") == []
    assert made_commands("--help") == ["compare", "check", "cross", "index", "cache"]
    listed = run_cli("--help").stdout
    positions = [listed.index(f" {name} ") for name in ("compare", "check", "cross", "index")]
    assert positions == sorted(positions)
    typo = run_cli("crosss", "x")
    assert typo.returncode == 2 and "cross" in typo.stderr


def test_compare_help_explains_score_similarity_verdict_and_gives_an_example() -> None:
    result = run_cli("compare", "--help")
    assert result.returncode == 0
    for word in ("score", "similarity", "verdict", "identifier map", "--fail-above", "--json"):
        assert word in result.stdout, word
    assert "codesim compare examples/original examples/suspect" in result.stdout


def test_compare_help_shows_the_library_defaults() -> None:
    result = run_cli("compare", "--help")
    assert "[default: 12]" in result.stdout  # DEFAULT_KGRAM_SIZE
    assert "[default: 20]" in result.stdout  # DEFAULT_MIN_MATCH_TOKENS


def test_version_prints_the_package_version() -> None:
    result = run_cli("--version")
    assert result.returncode == 0
    version, parts = result.stdout.splitlines()
    assert version == f"codesim {__version__}"
    assert parts.startswith(("compiled: ", "pure Python ("))


# --- usage and input errors -------------------------------------------------------------


def test_a_missing_path_exits_3_with_one_clear_line_on_stderr(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-dir"
    result = run_cli("compare", missing, ORIGINAL)
    assert result.returncode == 3
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("codesim: error: ")
    assert "no-such-dir" in lines[0]


def test_a_bad_option_value_exits_2_with_one_line_naming_the_option() -> None:
    result = run_cli("compare", ORIGINAL, SUSPECT, "--kgram-size", "0")
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert "kgram_size" in lines[0]


def test_an_inconsistent_option_combination_exits_2() -> None:
    result = run_cli("compare", ORIGINAL, SUSPECT, "--kgram-size", "30")
    assert result.returncode == 2
    assert "min_match_tokens" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("compare", str(ORIGINAL)),
        ("compare", str(ORIGINAL), str(SUSPECT), "--no-such-flag"),
        ("compare", str(ORIGINAL), str(SUSPECT), "--fail-above", "1.5"),
        ("compare", str(ORIGINAL), str(SUSPECT), "--top", "-1"),
        ("compare", str(ORIGINAL), str(SUSPECT), "--min-score", "lots"),
        ("no-such-command",),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stdout == ""


# --- JSON output --------------------------------------------------------------------------


def test_json_output_is_exactly_one_report_and_nothing_else_on_stdout() -> None:
    report, result = example_json()
    assert json.loads(result.stdout) == json.loads(report.model_dump_json())
    assert result.stdout == report.model_dump_json(indent=2) + "\n"


def test_a_successful_run_without_a_terminal_writes_nothing_to_stderr() -> None:
    _, result = example_json()
    assert result.stderr == ""


def test_min_score_is_passed_to_the_library() -> None:
    result = run_cli("compare", ORIGINAL, SUSPECT, "--json", "--min-score", "0.99")
    assert result.returncode == 0, result.stderr
    report = Report.model_validate_json(result.stdout)
    assert all(pair.score >= 0.99 for pair in report.pairs)


# --- the bundled example ----------------------------------------------------------------


def test_the_example_is_judged_a_copy() -> None:
    report, _ = example_json()
    assert report.verdict in ("derived", "identical")


def test_the_example_identifier_map_shows_the_renamed_class() -> None:
    report, _ = example_json()
    mappings = [*report.identifier_map, *(m for pair in report.pairs for m in pair.identifier_map)]
    assert any(m.left == "Resampler" and m.right == "Projection" for m in mappings)


def test_the_example_pairs_each_original_file_with_its_disguised_copy() -> None:
    report, _ = example_json()
    best = {}
    for pair in sorted(report.pairs, key=lambda pair: pair.score):
        best[Path(pair.left).name] = Path(pair.right).name
    assert best == {"resample.py": "projection.py", "tiles.py": "patches.py"}


def test_text_output_shows_the_verdict_the_pairs_table_and_the_identifier_map() -> None:
    result = example_text()
    assert result.returncode == 0, result.stderr
    report, _ = example_json()
    assert result.stdout.startswith(f"{report.verdict.upper()}  score {report.score:.2f}")
    assert "Matched file pairs" in result.stdout
    assert "projection.py" in result.stdout
    assert "Resampler" in result.stdout
    assert "Projection" in result.stdout
    assert "\x1b[" not in result.stdout


def test_text_output_fits_a_100_column_terminal() -> None:
    result = example_text()
    assert max(len(line) for line in result.stdout.splitlines()) <= 100


def test_top_0_leaves_out_the_pair_details() -> None:
    result = run_cli("compare", ORIGINAL, SUSPECT, "--top", "0")
    assert result.returncode == 0, result.stderr
    assert "Matched file pairs" in result.stdout
    assert "Pair 1" not in result.stdout


# --- --fail-above -------------------------------------------------------------------------


def test_fail_above_half_exits_1_on_the_example_and_still_prints_the_report() -> None:
    result = run_cli("compare", ORIGINAL, SUSPECT, "--json", "--fail-above", "0.5")
    assert result.returncode == 1
    Report.model_validate_json(result.stdout)
    assert "above --fail-above 0.5" in result.stderr


def test_fail_above_the_highest_score_itself_exits_0() -> None:
    # "Above" is strict: a threshold equal to the best score passes.
    report, _ = example_json()
    threshold = f"{highest_score(report):.17g}"
    result = run_cli("compare", ORIGINAL, SUSPECT, "--json", "--fail-above", threshold)
    assert result.returncode == 0, result.stderr


def test_unrelated_code_passes_fail_above_half(tmp_path: Path) -> None:
    unrelated = tmp_path / "config_parser.py"
    unrelated.write_text(UNRELATED, encoding="utf-8")
    result = run_cli(
        "compare", ORIGINAL / "resample.py", unrelated, "--json", "--fail-above", "0.5"
    )
    assert result.returncode == 0, result.stderr
    report = Report.model_validate_json(result.stdout)
    assert report.verdict == "independent"


def test_quiet_silences_the_fail_above_note() -> None:
    result = run_cli("compare", ORIGINAL, SUSPECT, "--json", "--quiet", "--fail-above", "0.5")
    assert result.returncode == 1
    assert result.stderr == ""


# --- entry points -------------------------------------------------------------------------


def test_the_console_script_entry_point_is_the_same_command_line() -> None:
    code = "import sys; from codesim.cli import main; sys.argv = ['codesim', '--version']; main()"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0
    assert result.stdout.startswith(f"codesim {__version__}\n")


def test_the_process_ends_with_every_byte_written_and_the_commands_exit_code() -> None:
    # ``run`` ends the process without the interpreter's teardown: stdout must be flushed
    # first, and the exit code be the command's.
    report = run_cli("cross", ORIGINAL, SUSPECT, "--json", "--quiet")
    assert report.returncode == 0, report.stderr
    assert json.loads(report.stdout)["submissions"]
    above = run_cli("compare", ORIGINAL, SUSPECT, "--json", "--fail-above", "0.1")
    assert above.returncode == 1 and json.loads(above.stdout)["score"] > 0.1
    assert run_cli("compare", ORIGINAL, REPO / "no-such-folder").returncode == 3
    assert run_cli("compare", ORIGINAL).returncode == 2


@pytest.mark.parametrize(
    ("given", "code", "printed"),
    [(None, 0, ""), (0, 0, ""), (3, 3, ""), (256 + 2, 2, ""), (-1, 255, ""), ("stop", 1, "stop\n")],
)
def test_the_exit_code_is_what_sys_exit_would_give(
    given: object, code: int, printed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _exit_code(given) == code
    assert capsys.readouterr().err == printed


@pytest.mark.parametrize(
    "args",
    [
        ["compare", str(ORIGINAL), str(SUSPECT), "--json"],
        ["cross", str(ORIGINAL), str(SUSPECT), "--json", "--quiet"],
    ],
    ids=["compare", "cross"],
)
def test_a_json_run_never_imports_the_terminal_toolkit(args: list[str]) -> None:
    # rich takes about 27 ms to import; a run that prints nothing to a terminal skips it.
    code = (
        "import sys; from codesim.cli import main; sys.argv = ['codesim', *sys.argv[1:]]\n"
        "try:\n    main()\nfinally:\n"
        "    sys.stderr.write(str(sorted(m for m in sys.modules if m.split('.')[0] == 'rich')))"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, check=False
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)
    assert result.stderr == "[]"


def test_base_subtracts_template_code_shared_by_both_sides(tmp_path: Path) -> None:
    original = REPO / "examples" / "original"
    with_base = run_cli("compare", original, original, "--base", original, "--json")
    without = run_cli("compare", original, original, "--json")
    assert with_base.returncode == 0 and without.returncode == 0
    assert Report.model_validate_json(without.stdout).score == 1.0
    report = Report.model_validate_json(with_base.stdout)
    assert report.score == 0.0 and report.base is not None


def test_a_missing_base_is_an_input_error(tmp_path: Path) -> None:
    original = REPO / "examples" / "original"
    result = run_cli("compare", original, original, "--base", tmp_path / "nowhere")
    assert result.returncode == 3


def _after_importing_the_command_line(environment: dict[str, str]) -> list[str]:
    """The process's thread count and OPENBLAS_NUM_THREADS once the command line is imported
    (numpy's OpenBLAS starts its threads when numpy is imported)."""
    script = (
        "import os, codesim.cli, numpy\n"
        "print(len(os.listdir('/proc/self/task')), os.environ['OPENBLAS_NUM_THREADS'])"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, check=True
    )
    return done.stdout.split()


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="needs Linux's /proc")
def test_numpy_starts_no_blas_threads_unless_the_user_asks() -> None:
    environment = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    assert _after_importing_the_command_line(environment) == ["1", "1"]
    asked = _after_importing_the_command_line({**environment, "OPENBLAS_NUM_THREADS": "2"})
    assert asked[1] == "2"


def test_the_command_a_command_line_names_is_its_first_argument_not_an_option() -> None:
    # What decides whether the process forks its first reading child before parsing flags.
    assert _command(["cross", "a/", "b/", "--json"]) == "cross"
    assert _command(["--version"]) is None
    assert _command(["-h", "compare", "x", "y"]) == "compare"
    assert _command([]) is None


@pytest.mark.parametrize(
    ("arguments", "paths"),
    [
        (["cross", "a/", "b/", "--json"], ["a/", "b/"]),
        (["cross", "--min-score", "0.5", "subs", "-q"], ["subs"]),
        (["cross", "subs", "--base=template", "--html", "out.html", "--no-gitignore"], ["subs"]),
        (["-v", "cross", "a", "--", "-odd", "b"], ["a", "-odd", "b"]),
        (["cross"], []),
    ],
)
def test_the_paths_a_cross_command_line_seems_to_give(
    arguments: list[str], paths: list[str]
) -> None:
    # What cross's prestarted reading child reads before the flags are parsed.
    assert _cross_paths(arguments) == paths


def test_the_cross_options_without_a_value_are_the_commands_own() -> None:
    from codesim.cli.app import app

    cross = typer.main.get_command(app).commands["cross"]  # type: ignore[attr-defined]
    options = [param for param in cross.params if param.param_type_name == "option"]
    assert options, "the command's options should be listed"
    flags = {name for param in options if param.is_flag for name in param.opts}
    assert flags == _CROSS_FLAGS


def test_cross_reports_the_same_whether_its_guessed_reading_is_kept_or_dropped() -> None:
    # With the default options the prestarted process's early reading, if it read anything
    # before it was sent its jobs (the scheduler decides), is kept; a time budget (never
    # reached here) gives every job a deadline, so that the same reading is dropped.  That a
    # guess is kept and not made again is test_forking's; that it is the reading cross
    # starts, test_read_options'.
    kept = run_cli("cross", ORIGINAL, SUSPECT, "--json", "--quiet")
    dropped = run_cli("cross", ORIGINAL, SUSPECT, "--json", "--quiet", "--time-budget", "600")
    assert kept.returncode == 0 and dropped.returncode == 0, kept.stderr + dropped.stderr
    with_guess, without = json.loads(kept.stdout), json.loads(dropped.stdout)
    assert without["options"].pop("time_budget") == 600
    assert with_guess["options"].pop("time_budget") == 0
    assert with_guess == without


@pytest.mark.parametrize("enabled", [True, False])
def test_main_leaves_the_collector_as_it_found_it(enabled: bool) -> None:
    # The collector is paused for the whole command (its first pass after an API call walked
    # everything the call made): a caller of ``main`` gets it back as it was.
    code = (
        "import gc, sys\nfrom codesim.cli import main\n"
        f"gc.enable() if {enabled} else gc.disable()\n"
        "sys.argv = ['codesim', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('ENABLED', gc.isenabled(), file=sys.stderr)"
    )
    done = run_python("-c", code, "compare", ORIGINAL, SUSPECT, "--json")
    assert f"ENABLED {enabled}" in done.stderr, done.stderr
