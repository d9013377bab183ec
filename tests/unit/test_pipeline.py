"""The pipeline end to end on small hand-written inputs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np

import codesim
from codesim.index.lines import LineIndex
from codesim.pipeline.comparing import spans

ORIGINAL = textwrap.dedent('''
    """Ünïcödé docstring: columns count code points, not bytes."""
    import math


    def distance(p, q):
        """Euclidean distance."""
        dx = q[0] - p[0]
        dy = q[1] - p[1]
        return math.sqrt(dx * dx + dy * dy)


    def perimeter(points):
        total = 0.0
        for a, b in zip(points, points[1:] + points[:1]):
            total += distance(a, b)
        return total


    def centroid(points):
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return sum(xs) / len(xs), sum(ys) / len(ys)


    def scale(points, factor, origin=(0.0, 0.0)):
        ox, oy = origin
        return [(ox + (x - ox) * factor, oy + (y - oy) * factor) for x, y in points]
''')

DISGUISED = textwrap.dedent("""
    import math
    def centroid(pts):  # reordered, renamed
        a_s = [pt[0] for pt in pts]; b_s = [pt[1] for pt in pts]
        return sum(a_s) / len(a_s), sum(b_s) / len(b_s)
    def gap(u, v):
        du, dv = v[0] - u[0], v[1] - u[1]
        return math.sqrt(du * du + dv * dv)
    def around(pts):
        acc = 0.0
        for s, t in zip(pts, pts[1:] + pts[:1]):
            acc += gap(s, t)
        return acc
    def grow(pts, k, o=(0.0, 0.0)):
        o_x, o_y = o
        return [(o_x + (x - o_x) * k, o_y + (y - o_y) * k) for x, y in pts]
""")


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_renamed_reordered_copy_is_identical_and_its_renames_are_recovered(tmp_path) -> None:
    left = write(tmp_path / "a" / "geometry.py", ORIGINAL)
    right = write(tmp_path / "b" / "shapes.py", DISGUISED)
    report = codesim.compare(left, right)
    assert report.verdict == "identical"
    renames = {(m.left, m.right) for m in report.identifier_map}
    assert {("distance", "gap"), ("points", "pts"), ("dx", "du"), ("total", "acc")} <= renames


def test_fragment_spans_point_at_the_matching_source(tmp_path) -> None:
    left = write(tmp_path / "a.py", ORIGINAL)
    right = write(tmp_path / "b.py", "# a header comment\n\n" + ORIGINAL)
    report = codesim.compare(left, right)
    left_lines = ORIGINAL.splitlines()
    right_lines = ("# a header comment\n\n" + ORIGINAL).splitlines()
    for fragment in report.pairs[0].fragments:
        lspan, rspan = fragment.left, fragment.right
        assert rspan.start_line - lspan.start_line == 2 and rspan.end_line - lspan.end_line == 2
        assert (
            left_lines[lspan.start_line - 1 : lspan.end_line]
            == right_lines[rspan.start_line - 1 : rspan.end_line]
        )


def test_columns_count_code_points_and_bytes_are_kept_too() -> None:
    data = "é = 1\nx = 'ü'\n".encode()
    offset = data.index(b"'")
    quote, span = spans(
        LineIndex.of(data),
        np.array([offset, 0], dtype=np.int64),
        np.array([offset + 1, len("é".encode())]),
    )
    assert (quote.start_line, quote.start_col, quote.end_col) == (2, 4, 5)
    assert (span.start_line, span.start_col, span.end_line, span.end_col) == (1, 0, 1, 1)
    assert (span.start_byte, span.end_byte) == (0, 2)


def test_skipped_files_are_listed_with_reasons_and_the_run_goes_on(tmp_path) -> None:
    left = write(tmp_path / "left" / "geometry.py", ORIGINAL)
    (tmp_path / "left" / "blob.py").write_bytes(b"\x00\x01binary")
    write(tmp_path / "right" / "shapes.py", DISGUISED)
    report = codesim.compare(left.parent, tmp_path / "right")
    assert [(s.side, s.path, s.reason.value) for s in report.skipped] == [
        ("left", "blob.py", "binary")
    ]
    assert report.verdict == "identical"


def test_unparseable_parts_are_measured_in_the_report(tmp_path) -> None:
    left = write(tmp_path / "a.py", ORIGINAL + "\ndef broken(:\n    pass\n")
    right = write(tmp_path / "b.py", ORIGINAL)
    report = codesim.compare(left, right)
    assert [(u.path, u.errors) for u in report.left.unparsed] == [("a.py", 1)]
    assert not report.right.unparsed


def test_a_tiny_file_never_scores_as_identical(tmp_path) -> None:
    left = write(tmp_path / "a.py", "from .core import main\n__all__ = ['main']\n")
    report = codesim.compare(left, left)
    assert report.score < 0.5


def test_progress_is_reported_through_the_callback(tmp_path) -> None:
    left = write(tmp_path / "a.py", ORIGINAL)
    events: list[tuple[str, int, int]] = []
    codesim.compare(
        left, left, progress=lambda stage, done, total: events.append((stage, done, total))
    )
    assert ("reading left", 1, 1) in events and ("reading right", 1, 1) in events


def table(names: list[str]) -> str:
    rows = "\n".join(f"    {name!r}: {name.upper()!r}," for name in names)
    return f"TABLE = {{\n{rows}\n}}\n"


def test_two_unrelated_tables_of_strings_are_independent(tmp_path) -> None:
    left = write(tmp_path / "a.py", table([f"alpha{i}" for i in range(80)]))
    right = write(tmp_path / "b.py", table([f"omega{i}" for i in range(80)]))
    assert codesim.compare(left, right).score < 0.1


def test_a_copied_table_is_found_even_with_the_other_quote_style(tmp_path) -> None:
    source = table([f"alpha{i}" for i in range(80)])
    left = write(tmp_path / "a.py", source)
    right = write(tmp_path / "b.py", source.replace("'", '"'))
    report = codesim.compare(left, right)
    assert report.score == 1.0 and report.pairs[0].literal_agreement == 1.0


def test_lone_surrogate_escapes_in_strings_do_not_break_a_run(tmp_path) -> None:
    source = 'A = "\\ud800"\nB = "\\udfff" + "x"\n' + ORIGINAL
    left = write(tmp_path / "a.py", source)
    report = codesim.compare(left, left)
    assert report.score == 1.0
    report.model_dump_json()


def test_a_generated_file_named_on_its_own_is_compared(tmp_path) -> None:
    generated = "# Code generated by a tool. DO NOT EDIT.\n" + ORIGINAL
    left = write(tmp_path / "a.py", generated)
    right = write(tmp_path / "b.py", generated)
    assert codesim.compare(left, right).score == 1.0
    (tmp_path / "folder").mkdir()
    write(tmp_path / "folder" / "gen.py", generated)
    write(tmp_path / "folder" / "real.py", ORIGINAL)
    report = codesim.compare(tmp_path / "folder", right)
    assert [(s.path, s.reason.value) for s in report.skipped] == [("gen.py", "generated")]
