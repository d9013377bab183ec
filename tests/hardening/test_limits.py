"""Resource limits: per-file bytes and tokens, and the global time budget, each reported when
hit (a skipped file with its reason and the limit's name, or a warning)."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

import codesim
from codesim.errors import SkipReason
from tests.hardening.programs import random_program

ROOT = Path(__file__).resolve().parents[2]


def make_side(folder: Path, files: int, seed: int) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True)
    for n in range(files):
        (folder / f"m{n:02d}.py").write_text(random_program(rng, depth=3, width=4))
    return folder


@pytest.fixture(scope="module")
def sides(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sides")
    left = make_side(root / "left", 40, seed=1)
    right = root / "right"
    right.mkdir()
    for path in left.iterdir():  # a verbatim copy: every file pair is a candidate
        (right / path.name).write_bytes(path.read_bytes())
    return left, right


def codesim_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codesim", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_a_cross_budget_holds_in_every_process_reading_submissions(tmp_path: Path) -> None:
    # Six submissions are read by this process and the one the command line forked before
    # parsing its flags, which is given the deadline rather than inheriting it.
    folders = [make_side(tmp_path / f"s{number}", files=3, seed=number) for number in range(6)]
    spent = codesim_cli("cross", *map(str, folders), "--time-budget", "0.000001", "--json")
    assert spent.returncode == 0, spent.stderr
    report = codesim.CrossReport.model_validate_json(spent.stdout)
    assert len(report.skipped) == 18
    assert {s.reason for s in report.skipped} == {SkipReason.TIME_BUDGET}


def test_a_file_over_the_token_cap_is_skipped_and_says_which_limit(tmp_path: Path) -> None:
    left, right = tmp_path / "left", tmp_path / "right"
    for side in (left, right):
        side.mkdir()
        (side / "small.py").write_text("def f(a):\n    return a + 1\n")
        (side / "dense.py").write_text("x = [" + "1, " * 400 + "]\n")
    result = codesim_cli("compare", str(left), str(right), "--json", "--max-file-tokens", "300")
    assert result.returncode == 0, result.stderr
    skipped = json.loads(result.stdout)["skipped"]
    assert [(s["side"], s["path"], s["reason"]) for s in skipped] == [
        ("left", "dense.py", "too_large"),
        ("right", "dense.py", "too_large"),
    ]
    assert skipped[0]["detail"] == "403 canonical tokens are over the 300 limit (max_file_tokens)"
    assert json.loads(result.stdout)["options"]["max_file_tokens"] == 300


def test_the_token_cap_holds_for_index_add_and_check(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "dense.py").write_text("x = [" + "1, " * 400 + "]\n")
    (project / "ok.py").write_text(random_program(random.Random(2), depth=3, width=4))
    options = codesim.make_options(max_file_tokens=300)
    with codesim.Index.open(tmp_path / "index.db", options=options) as index:
        added = index.add(project, name="p", version="1", options=options)
        assert added.files == 1
        assert [(s.path, s.reason) for s in added.skipped] == [("dense.py", SkipReason.TOO_LARGE)]
        report = index.query(project, options=options)
    assert [(s.path, s.reason) for s in report.skipped] == [("dense.py", SkipReason.TOO_LARGE)]
    assert "max_file_tokens" in report.skipped[0].detail


def test_a_time_budget_that_runs_out_while_reading_leaves_the_rest_reported(
    sides: tuple[Path, Path],
) -> None:
    left, right = sides
    budget = 4.0  # reading 56 small files takes well under a second
    options = codesim.make_options(time_budget=budget)
    started = time.monotonic()

    def wait_out_the_budget(stage: str, done: int, total: int) -> None:
        # Reading is reported every 16 files: the budget runs out after the right side's 16th.
        if stage == "reading right" and done == 16:
            time.sleep(max(0.0, started + budget - time.monotonic()) + 0.05)

    report = codesim.compare(left, right, options=options, progress=wait_out_the_budget)
    assert time.monotonic() - started < budget + 3
    late = [s for s in report.skipped if s.reason == SkipReason.TIME_BUDGET]
    assert {s.side for s in late} == {"right"}
    assert len(late) == 40 - 16 == 40 - report.right.files
    assert late[0].detail == "the 4 s time budget ran out before it was read (time_budget)"
    assert report.left.files == 40
    # The pairs could not be aligned either: the report says so and scores what was done.
    assert any("time_budget" in w and "not aligned" in w for w in report.warnings)
    assert report.pairs == []


def test_without_a_budget_the_same_comparison_is_whole(sides: tuple[Path, Path]) -> None:
    left, right = sides
    report = codesim.compare(left, right, align=False)
    assert not report.skipped and report.score == 1.0
    assert not any("time_budget" in w for w in report.warnings)


def test_a_budget_spent_before_anything_is_read_is_an_input_error_naming_the_skips(
    sides: tuple[Path, Path],
) -> None:
    left, right = sides
    result = codesim_cli("compare", str(left), str(right), "--time-budget", "0.000001")
    assert result.returncode == 3
    assert result.stderr.startswith("codesim: error: no source files to compare")
    assert "40 skipped" in result.stderr


def test_a_check_whose_budget_runs_out_while_aligning_says_how_much_was_left(
    tmp_path: Path, sides: tuple[Path, Path]
) -> None:
    left, right = sides
    with codesim.Index.open(tmp_path / "index.db") as index:
        index.add(left, name="left", version="1")
        budget = 4.0
        started = time.monotonic()

        def wait_out_the_budget(stage: str, done: int, total: int) -> None:
            if stage == "aligning with indexed files" and done == 1:
                time.sleep(max(0.0, started + budget - time.monotonic()) + 0.05)

        report = index.query(
            right, options=codesim.make_options(time_budget=budget), progress=wait_out_the_budget
        )
    assert not report.skipped  # every file was read in time
    warning = next(w for w in report.warnings if "time_budget" in w)
    assert warning.startswith("the 4 s time budget (time_budget) ran out: 39 of 40 candidate")
    assert report.hits[0].share < 0.2  # one file pair of forty was aligned


def test_the_budget_flag_is_on_the_commands_it_bounds(
    tmp_path: Path, sides: tuple[Path, Path]
) -> None:
    left, right = sides
    index = str(tmp_path / "index.db")
    added = codesim_cli(
        "index", "add", str(left), "--name", "l", "--version", "1", "--index", index
    )
    assert added.returncode == 0, added.stderr
    spent = codesim_cli("check", str(right), "--index", index, "--time-budget", "0.000001")
    assert spent.returncode == 3 and "(40 skipped)" in spent.stderr
    cross = codesim_cli("cross", str(left), str(right), "--time-budget", "0.000001")
    # A cross reports whatever was read, here nothing: every file skipped, with the reason.
    assert cross.returncode == 0, cross.stderr
    assert "Skipped 80 files: 80 time_budget." in cross.stdout
    # An add is all or nothing: it takes no budget.
    no_flag = codesim_cli("index", "add", str(left), "--name", "l", "--version", "2",
                          "--index", index, "--time-budget", "5")  # fmt: skip
    assert no_flag.returncode == 2 and "--time-budget" in no_flag.stderr


def test_a_budget_spent_after_reading_leaves_out_the_repo_alignment_and_says_so(
    sides: tuple[Path, Path],
) -> None:
    from codesim.options import Options
    from codesim.pipeline import limits
    from codesim.pipeline.comparing import compare_sides
    from codesim.pipeline.reading import read_side

    options = Options()
    left = read_side(str(sides[0]), "left", options, graph=True)
    right = read_side(str(sides[1]), "right", options, graph=True)
    whole = compare_sides(left, right, options)
    assert whole.alignment is not None and not whole.warnings
    with limits.time_budget(0.001):
        time.sleep(0.01)
        cut = compare_sides(left, right, options.model_copy(update={"time_budget": 0.001}))
    assert cut.alignment is None
    assert any("before the repo alignment" in w for w in cut.warnings), cut.warnings
