"""Which side had the code first, on histories read from real git repositories."""

from __future__ import annotations

from pathlib import Path

import pytest

from codesim.graph.direction import (
    SAME_TOLERANCE_SECONDS,
    DirectionSummary,
    LineHistory,
    PairDirection,
    PairLines,
    pair_direction,
    summarize,
)
from codesim.sources.history import LineTimes, line_times
from tests.unit.test_history import GitRepo, git, unix

ORIGINAL = """\
def mean(values):
    total = 0
    for value in values:
        total = total + value
    return total / len(values)
"""
# The copy as a plagiarist leaves it: identifiers renamed, below code of its own.
COPY = """\
import sys


def average(numbers):
    acc = 0
    for number in numbers:
        acc = acc + number
    return acc / len(numbers)
"""
ORIGINAL_LINES = ((1, 5),)
COPY_LINES = ((4, 8),)


def history(root: Path, name: str = "m.py") -> LineTimes:
    return line_times(root, [name])[name]


def pair(left: LineHistory | None, right: LineHistory | None, tokens: int = 100) -> PairDirection:
    return pair_direction(PairLines(ORIGINAL_LINES, COPY_LINES, tokens, left, right))


def repo(tmp_path: Path, name: str, dated: dict[str, str]) -> GitRepo:
    """A repository committing ``m.py`` with each text of ``dated`` on its date."""
    made = GitRepo(tmp_path / name)
    for date, text in dated.items():
        made.commit(date, {"m.py": text})
    return made


def test_line_times_is_a_line_history() -> None:
    # mypy checks the assignment: the graph layer's protocol is what sources provide.
    satisfied: type[LineHistory] = LineTimes
    assert satisfied is LineTimes


def test_the_original_committed_first_is_the_source(tmp_path: Path) -> None:
    left = repo(tmp_path, "left", {"2020-03-01T10:00:00": ORIGINAL})
    right = repo(
        tmp_path, "right", {"2021-01-01T00:00:00": "import sys\n", "2022-05-01T00:00:00": COPY}
    )

    found = pair(history(left.path), history(right.path))
    summary = summarize([found])

    assert found.direction == "left"
    assert found.left is not None and found.right is not None
    assert found.left.time == unix("2020-03-01T10:00:00")
    assert found.left.commit == git(left.path, "rev-parse", "HEAD")
    assert found.right.time == unix("2022-05-01T00:00:00")  # Not the older `import sys` line.
    assert (found.left.dated_lines, found.left.lines, found.left.bounded) == (5, 5, False)
    assert summary.conclusion == "left"
    assert summary.left_first.share == 1.0 and summary.dated_share == 1.0
    assert "left repo looks like the source" in summary.explanation


def test_a_later_edit_of_the_original_does_not_hide_when_it_started(tmp_path: Path) -> None:
    edited = ORIGINAL.replace("total / len", "total / max(1, len")
    left = repo(tmp_path, "left", {"2022-01-01T00:00:00": COPY})
    right = repo(
        tmp_path, "right", {"2020-01-01T00:00:00": ORIGINAL, "2023-01-01T00:00:00": edited}
    )

    found = pair_direction(
        PairLines(COPY_LINES, ORIGINAL_LINES, 80, history(left.path), history(right.path))
    )

    assert found.direction == "right"
    assert summarize([found]).conclusion == "right"


def test_sides_committed_within_the_tolerance_are_the_same(tmp_path: Path) -> None:
    left = repo(tmp_path, "left", {"2020-01-01T10:00:00": ORIGINAL})
    right = repo(tmp_path, "right", {"2020-01-01T10:40:00": COPY})

    found = pair(history(left.path), history(right.path))

    assert SAME_TOLERANCE_SECONDS > 40 * 60
    assert found.direction == "same"
    summary = summarize([found])
    assert summary.conclusion == "inconclusive"
    assert summary.same.share == 1.0
    assert "within 60 minutes of each other" in summary.explanation


def test_interleaved_dates_are_inconclusive(tmp_path: Path) -> None:
    # Each repo wrote one of the two functions first and took the other.
    left = repo(tmp_path, "left", {"2020-01-01T00:00:00": ORIGINAL})
    right = repo(tmp_path, "right", {"2021-01-01T00:00:00": COPY})
    other_left = repo(tmp_path, "other_left", {"2023-01-01T00:00:00": ORIGINAL})
    other_right = repo(tmp_path, "other_right", {"2022-01-01T00:00:00": COPY})

    pairs = [
        pair(history(left.path), history(right.path), tokens=120),
        pair(history(other_left.path), history(other_right.path), tokens=100),
    ]
    summary = summarize(pairs)

    assert [found.direction for found in pairs] == ["left", "right"]
    assert summary.conclusion == "inconclusive"
    assert (summary.left_first.pairs, summary.right_first.pairs) == (1, 1)
    assert summary.left_first.tokens == 120 and summary.right_first.tokens == 100
    assert "do not point one way" in summary.explanation


def test_a_side_that_is_not_a_git_checkout_leaves_history_missing(tmp_path: Path) -> None:
    left = repo(tmp_path, "left", {"2020-01-01T00:00:00": ORIGINAL})

    found = pair(history(left.path), None)
    summary = summarize([found])

    assert found.direction == "unknown" and found.right is None
    assert summary.conclusion == "missing"
    assert summary.explanation.startswith("The right side has no commit history")
    assert summarize([pair(None, None)]).explanation.startswith("Neither side has")


def test_uncommitted_and_untracked_code_has_no_date(tmp_path: Path) -> None:
    left = repo(tmp_path, "left", {"2020-01-01T00:00:00": ORIGINAL})
    right = repo(tmp_path, "right", {"2021-01-01T00:00:00": "import sys\n"})
    right.write({"m.py": COPY, "untracked.py": COPY})

    edited = pair(history(left.path), history(right.path))
    untracked = pair(history(left.path), history(right.path, "untracked.py"))

    assert edited.direction == untracked.direction == "unknown"
    assert edited.right is None and "right side" in edited.reason
    assert summarize([edited, untracked]).conclusion == "missing"


def test_little_dated_code_is_inconclusive_even_when_it_points_one_way(tmp_path: Path) -> None:
    left = repo(tmp_path, "left", {"2020-01-01T00:00:00": ORIGINAL})
    right = repo(tmp_path, "right", {"2022-01-01T00:00:00": COPY})
    right.write({"untracked.py": COPY})

    dated = pair(history(left.path), history(right.path), tokens=40)
    undated = pair(history(left.path), history(right.path, "untracked.py"), tokens=60)
    summary = summarize([dated, undated])

    assert summary.conclusion == "inconclusive"
    assert summary.dated_share == pytest.approx(0.4)
    assert "only 40%" in summary.explanation


def test_a_shallow_clone_proves_only_that_its_code_is_old_enough(tmp_path: Path) -> None:
    origin = repo(tmp_path, "origin", {"2018-01-01T00:00:00": ORIGINAL})
    origin.commit("2021-06-01T00:00:00", {"other.py": "x = 1\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "1", f"file://{origin.path}", str(clone))
    shallow = history(clone)
    assert shallow.is_boundary(1) and shallow.time(1) == unix("2021-06-01T00:00:00")
    copied_before_the_cut = repo(tmp_path, "early", {"2019-01-01T00:00:00": COPY})
    copied_after_the_cut = repo(tmp_path, "late", {"2022-01-01T00:00:00": COPY})

    # The clone had the code by mid-2021: a copy from 2022 is later...
    later = pair(shallow, history(copied_after_the_cut.path))
    # ...but against a copy from 2019 the cut hides whether the clone's code is older still.
    hidden = pair(shallow, history(copied_before_the_cut.path))

    assert later.direction == "left"
    assert later.left is not None and later.left.bounded
    assert hidden.direction == "unknown"
    assert "shallow" in hidden.reason
    assert summarize([hidden]).conclusion == "inconclusive"


def test_lines_outside_the_file_and_empty_ranges_are_ignored(tmp_path: Path) -> None:
    left = repo(tmp_path, "left", {"2020-01-01T00:00:00": ORIGINAL})
    right = repo(tmp_path, "right", {"2022-01-01T00:00:00": COPY})

    found = pair_direction(
        PairLines(((4, 9), (0, 1)), ((7, 8),), 30, history(left.path), history(right.path))
    )

    assert found.direction == "left"
    assert found.left is not None and found.left.dated_lines == 3  # Lines 4, 5 and 1.


def test_no_aligned_code_is_inconclusive() -> None:
    summary: DirectionSummary = summarize([])

    assert summary.conclusion == "inconclusive"
    assert summary.dated_share == 0.0
