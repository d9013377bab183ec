"""Repo comparison as graph alignment: moved, renamed, merged and split code still aligns.

The repos are written here for the purpose; each function is long enough (30+ tokens) to
leave fragments, so what is tested is the aligner, not the minimum match length.
"""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import codesim
from codesim.graph.align import Proposal, align_graphs
from codesim.options import Options
from codesim.pipeline.reading import read_side, repo_graph
from codesim.results import Report
from tests.unit.test_history import GitRepo

GEOMETRY = '''
    import math


    def distance(ax, ay, bx, by):
        """Euclidean distance between two points."""
        dx = bx - ax
        dy = by - ay
        return math.sqrt(dx * dx + dy * dy)


    def centroid(points):
        total_x = 0.0
        total_y = 0.0
        for x, y in points:
            total_x += x
            total_y += y
        count = len(points)
        return total_x / count, total_y / count


    class Polygon:
        def __init__(self, points):
            if len(points) < 3:
                raise ValueError("a polygon needs three points, got %d" % len(points))
            self.points = list(points)

        def perimeter(self):
            edges = zip(self.points, self.points[1:] + self.points[:1])
            return sum(distance(ax, ay, bx, by) for (ax, ay), (bx, by) in edges)

        def area(self):
            acc = 0.0
            for (ax, ay), (bx, by) in zip(self.points, self.points[1:] + self.points[:1]):
                acc += ax * by - bx * ay
            return abs(acc) / 2.0
'''

STATS = """
    def mean(values):
        if not values:
            raise ValueError("mean of nothing")
        return sum(values) / len(values)


    def variance(values):
        centre = mean(values)
        squares = [(value - centre) ** 2 for value in values]
        return sum(squares) / max(1, len(values) - 1)


    def histogram(values, bins):
        low, high = min(values), max(values)
        width = (high - low) / bins or 1.0
        counts = [0] * bins
        for value in values:
            counts[min(bins - 1, int((value - low) / width))] += 1
        return counts
"""

TEXT = """
    def words(text):
        cleaned = "".join(ch.lower() if ch.isalnum() else " " for ch in text)
        return [word for word in cleaned.split() if len(word) > 1]


    def frequencies(text):
        table = {}
        for word in words(text):
            table[word] = table.get(word, 0) + 1
        return sorted(table.items(), key=lambda item: (-item[1], item[0]))


    def wrap(text, width):
        lines, current = [], ""
        for word in text.split():
            if current and len(current) + len(word) + 1 > width:
                lines.append(current)
                current = word
            else:
                current = f"{current} {word}" if current else word
        if current:
            lines.append(current)
        return lines
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def _original(tmp_path: Path) -> Path:
    return _write(
        tmp_path / "original",
        {"geometry.py": GEOMETRY, "stats.py": STATS, "text.py": TEXT},
    )


def _units(report: Report) -> dict[str, str]:
    assert report.alignment is not None
    return {u.left: u.right for u in report.alignment.units if u.similarity >= 0.5}


def test_an_identical_repo_aligns_every_unit_and_every_edge(tmp_path: Path) -> None:
    original = _original(tmp_path)
    report = codesim.compare(original, original)
    assert report.alignment is not None
    assert report.score == 1.0
    assert all(u.left == u.right and u.similarity == 1.0 for u in report.alignment.units)
    assert report.alignment.edges_preserved == 1.0
    assert report.alignment.left_aligned == report.alignment.right_aligned == 1.0
    assert report.alignment.files == []
    assert report.alignment.unmatched_left == report.alignment.unmatched_right == []


def test_moved_renamed_merged_and_split_code_aligns(tmp_path: Path) -> None:
    original = _original(tmp_path)
    geometry = textwrap.dedent(GEOMETRY)
    head, _, polygon = geometry.partition("class Polygon:")
    derived = _write(
        tmp_path / "derived",
        {
            # Split: the functions stay, the class moves to a file of its own in a new folder.
            "shapes/points.py": head,
            "shapes/polygon.py": "from shapes.points import distance\n\n\nclass Shape:"
            + polygon.replace("Polygon", "Shape"),
            # Merged: statistics and text helpers in one module, renamed.
            "util.py": textwrap.dedent(STATS).replace("mean", "average")
            + "\n\n"
            + textwrap.dedent(TEXT).replace("def wrap", "def fold"),
        },
    )
    report = codesim.compare(original, derived)
    units = _units(report)
    assert units["geometry.py:distance"] == "shapes/points.py:distance"
    assert units["geometry.py:Polygon"] == "shapes/polygon.py:Shape"
    assert units["geometry.py:Polygon.area"] == "shapes/polygon.py:Shape.area"
    assert units["stats.py:mean"] == "util.py:average"
    assert units["text.py:wrap"] == "util.py:fold"
    assert report.alignment is not None
    changes = {(c.kind, tuple(c.left), tuple(c.right)) for c in report.alignment.files}
    assert ("merged", ("stats.py", "text.py"), ("util.py",)) in changes
    assert ("split", ("geometry.py",), ("shapes/points.py", "shapes/polygon.py")) in changes
    renamed = next(u for u in report.alignment.units if u.left == "text.py:wrap")
    assert [(r.left, r.right) for r in renamed.renamed] == [("wrap", "fold")]
    assert report.verdict in ("derived", "identical")


def test_a_renamed_file_in_a_new_folder_is_moved(tmp_path: Path) -> None:
    original = _original(tmp_path)
    derived = _write(
        tmp_path / "derived",
        {"geometry.py": GEOMETRY, "lib/statistics.py": STATS, "text.py": TEXT},
    )
    report = codesim.compare(original, derived)
    assert report.alignment is not None
    assert [(c.kind, c.left, c.right) for c in report.alignment.files] == [
        ("moved", ["stats.py"], ["lib/statistics.py"])
    ]


def test_two_identical_methods_keep_their_own_names(tmp_path: Path) -> None:
    body = """
        class Box:
            def __init__(self, items):
                self.items = [item for item in items if item is not None]

            @property
            def content(self):
                return [str(item).strip() for item in self.items if str(item).strip()]

            @property
            def cleaned(self):
                return [str(item).strip() for item in self.items if str(item).strip()]
    """
    repo = _write(tmp_path / "repo", {"box.py": body})
    report = codesim.compare(repo, repo)
    assert _units(report)["box.py:Box.content"] == "box.py:Box.content"
    assert _units(report)["box.py:Box.cleaned"] == "box.py:Box.cleaned"


def test_unrelated_repos_align_nothing(tmp_path: Path) -> None:
    left = _write(tmp_path / "left", {"geometry.py": GEOMETRY})
    right = _write(tmp_path / "right", {"text.py": TEXT})
    report = codesim.compare(left, right)
    assert report.alignment is not None
    assert report.alignment.units == []
    assert report.verdict == "independent"
    assert report.alignment.unmatched_left and report.alignment.unmatched_right


def test_only_proposed_pairs_are_ever_matched(tmp_path: Path) -> None:
    original = _original(tmp_path)
    side = read_side(original, "left", Options(), graph=True)
    graph = repo_graph(side)
    assert align_graphs(graph, graph, {}).matches == []
    one = {("stats.py:mean", "stats.py:mean"): Proposal(overlap=20, jaccard=1.0)}
    alignment = align_graphs(graph, graph, one)
    # The modules of two files that share code are proposed with them.
    assert [(m.left, m.right) for m in alignment.matches] == [
        ("stats.py", "stats.py"),
        ("stats.py:mean", "stats.py:mean"),
    ]


def test_files_compared_alone_have_no_alignment(tmp_path: Path) -> None:
    original = _original(tmp_path)
    report = codesim.compare(original / "stats.py", original / "stats.py")
    assert report.alignment is None


def _committed(path: Path, date: str, files: dict[str, str]) -> Path:
    repo = GitRepo(path)
    repo.commit(date, {name: textwrap.dedent(text) for name, text in files.items()})
    return path


def test_git_history_says_which_repo_had_the_code_first(tmp_path: Path) -> None:
    original = _committed(
        tmp_path / "original", "2021-03-01T10:00:00", {"stats.py": STATS, "text.py": TEXT}
    )
    copy = _committed(
        tmp_path / "copy",
        "2024-06-01T10:00:00",
        {"util/numbers.py": STATS.replace("mean", "average"), "text.py": TEXT},
    )
    report = codesim.compare(original, copy)
    assert report.alignment is not None and report.alignment.direction is not None
    assert report.alignment.direction.conclusion == "left"
    assert "left repo looks like the source" in report.alignment.direction.explanation
    assert {u.first for u in report.alignment.units} == {"left"}
    backwards = codesim.compare(copy, original)
    assert backwards.alignment is not None and backwards.alignment.direction is not None
    assert backwards.alignment.direction.conclusion == "right"


def test_history_is_missing_when_a_side_is_not_a_checkout(tmp_path: Path) -> None:
    original = _committed(tmp_path / "original", "2021-03-01T10:00:00", {"text.py": TEXT})
    loose = _write(tmp_path / "loose", {"text.py": TEXT})
    report = codesim.compare(original, loose)
    assert report.alignment is not None and report.alignment.direction is not None
    assert report.alignment.direction.conclusion == "missing"
    assert {u.first for u in report.alignment.units} == {"unknown"}
    quiet = codesim.compare(original, loose, options=Options(history=False))
    assert quiet.alignment is not None and quiet.alignment.direction is None


def test_check_aligns_the_checked_repo_with_each_reported_project(tmp_path: Path) -> None:
    original = _original(tmp_path)
    derived = _write(
        tmp_path / "derived",
        {"lib/statistics.py": STATS.replace("def variance", "def spread"), "text.py": TEXT},
    )
    with codesim.Index.open(tmp_path / "projects.idx") as index:
        index.add(original, name="original", version="1.0")
        report = index.query(derived)
        unaligned = index.query(derived, align=False)
    (hit,) = report.hits
    assert hit.alignment is not None
    units = {u.left: u.right for u in hit.alignment.units if u.similarity >= 0.5}
    assert units["lib/statistics.py:spread"] == "stats.py:variance"
    assert units["text.py:wrap"] == "text.py:wrap"
    assert [(c.kind, c.left, c.right) for c in hit.alignment.files] == [
        ("moved", ["lib/statistics.py"], ["stats.py"])
    ]
    assert unaligned.hits[0].alignment is None
    assert unaligned.hits[0].score == hit.score


def test_history_is_fetched_for_git_urls_to_tell_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CODESIM_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    original = GitRepo(tmp_path / "original")
    original.commit("2021-03-01T10:00:00", {"stats.py": textwrap.dedent(STATS)})
    original.commit("2021-04-01T10:00:00", {"text.py": textwrap.dedent(TEXT)})
    copy = _committed(
        tmp_path / "copy", "2024-06-01T10:00:00", {"numbers.py": STATS, "words.py": TEXT}
    )
    urls = (f"file://{original.path}", f"file://{copy}")
    report = codesim.compare(*urls)
    assert report.alignment is not None and report.alignment.direction is not None
    assert report.alignment.direction.conclusion == "left"
    assert report.left.url == urls[0]
    clones = list((tmp_path / "cache").glob("git/*/*/tree/.git"))
    assert len(clones) == 2
    # Fetched one commit deep, then deepened because history was asked for.
    assert not [clone for clone in clones if (clone / "shallow").exists()]
    monkeypatch.setenv("CODESIM_CACHE", str(tmp_path / "other"))
    codesim.compare(*urls, options=codesim.Options(history=False))
    shallow = list((tmp_path / "other").glob("git/*/*/tree/.git/shallow"))
    assert len(shallow) == 2
