"""The terminal rendering: what a reviewer reads, in which order, and that it stays readable
without colour and narrow terminals."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any

import pytest
from rich.console import Console

from codesim.render.text import MAX_FRAGMENTS, render_check, render_report
from codesim.results import CheckReport, Report

if TYPE_CHECKING:
    from tests.render.conftest import ReportBuilder

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def render(report: Report, *, width: int = 100, colour: bool = False, **kwargs: Any) -> str:
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        width=width,
        force_terminal=colour,
        color_system="truecolor" if colour else None,
        highlight=False,
    )
    render_report(report, console, **kwargs)
    return buffer.getvalue()


def section(text: str, heading: str) -> str:
    """The lines from ``heading`` up to the next blank line."""
    start = text.index(heading)
    end = text.find("\n\n", start)
    return text[start : end if end != -1 else len(text)]


def test_verdict_with_score_and_similarity_comes_first(report: Report) -> None:
    first_line = render(report).splitlines()[0]
    assert first_line.startswith("DERIVED  score 0.97  similarity 0.95")


def test_verdict_is_followed_by_a_sentence_saying_what_it_means(report: Report) -> None:
    after_headline = " ".join(render(report).split("\n\n")[0].splitlines()[1:])
    assert "one side is very likely derived from the other" in " ".join(after_headline.split())


@pytest.mark.parametrize(
    ("verdict", "phrase"),
    [
        ("identical", "reappears almost entirely"),
        ("derived", "very likely derived"),
        ("partial", "probably copied"),
        ("independent", "Little code is shared"),
    ],
)
def test_each_verdict_is_explained_in_words(
    verdict: str, phrase: str, build: ReportBuilder
) -> None:
    assert phrase in " ".join(render(build.report(verdict=verdict)).split())


def test_sides_summary_shows_files_lines_tokens_and_skips(report: Report) -> None:
    sides = section(render(report), "Compared")
    assert re.search(r"left\s+examples/original\s+2 files\s+230 lines\s+1,834 tokens", sides)
    assert re.search(r"right\s+examples/suspect\s+2 files\s+251 lines\s+1,990 tokens", sides)
    assert "right: 1 file skipped (binary 1)" in sides
    assert "left: 1 file skipped (too_large 1)" in sides


def test_pairs_table_is_ranked_by_score(report: Report) -> None:
    table = section(render(report), "Matched file pairs")
    rows = [line for line in table.splitlines() if re.match(r"\s*\d+\s", line)]
    assert [row.split()[1:3] for row in rows] == [
        ["resample.py", "projection.py"],
        ["tiles.py", "patches.py"],
        ["tiles.py", "projection.py"],
    ]
    assert rows[0].split()[3:] == ["0.97", "0.92", "0.97", "0.87", "214", "identical"]


def test_pairs_table_has_a_legend_for_its_columns(report: Report) -> None:
    table = section(render(report), "Matched file pairs")
    assert "score = matched share of the smaller file" in table
    assert "longest = tokens in the longest fragment" in table


def test_pairs_below_min_score_are_hidden_and_counted(report: Report) -> None:
    text = render(report, min_score=0.5)
    table = section(text, "Matched file pairs")
    assert "independent" not in table
    assert "1 pair below min score 0.50 not shown." in table


def test_min_score_defaults_to_the_one_the_report_was_made_with(build: ReportBuilder) -> None:
    report = build.report(options={"min_score": 0.8})
    table = section(render(report), "Matched file pairs")
    assert "patches.py" not in table
    assert "2 pairs below min score 0.80 not shown." in table


def test_no_pairs_says_so(build: ReportBuilder) -> None:
    text = render(build.report(pairs=[], identifier_map=[], verdict="independent", score=0.0))
    assert "No file pairs matched." in text
    assert "Pair 1" not in text


def test_top_pairs_get_fragment_line_ranges(report: Report) -> None:
    detail = render(report, top=1)
    assert "Pair 1  resample.py  <->  projection.py" in detail
    assert re.search(r"L 12-40\s+<->\s+R 10-37\s+\(214 tokens\)", detail)
    assert re.search(r"L 44-61\s+<->\s+R 40-55\s+\(96 tokens\)", detail)
    assert "Pair 2" not in detail


def test_top_zero_shows_no_pair_details(report: Report) -> None:
    assert "Pair 1" not in render(report, top=0)


def test_top_pairs_show_the_identifier_map_with_uses_role_and_consistency(report: Report) -> None:
    detail = section(render(report, top=1), "Identifier map: 3 renamed, 1 kept")
    assert re.search(
        r"Resampler\s+->\s+Projection\s+\(14 uses\)\s+class\s+consistency 1\.00", detail
    )
    assert re.search(r"max_h\s+->\s+h_max\s+\(9 uses\)\s+attribute", detail)
    assert "kept: math" in detail


def test_report_wide_identifier_map_covers_names_from_all_pairs(report: Report) -> None:
    overall = section(render(report, top=1), "Identifier map across all pairs")
    assert re.search(r"Tile\s+->\s+Patch\s+\(7 uses\)", overall)


def test_identifier_map_of_a_single_pair_run_is_printed_once(build: ReportBuilder) -> None:
    renames = [build.mapping("Resampler", "Projection", "class", 14)]
    single = build.pair(
        "a.py",
        "b.py",
        0.9,
        "derived",
        fragments=[{"left": build.span(1, 30), "right": build.span(1, 30), "tokens": 200}],
        identifier_map=renames,
    )
    text = render(build.report(pairs=[single], identifier_map=renames))
    assert text.count("Resampler") == 1
    assert "across all pairs" not in text


def test_many_fragments_keep_the_longest_in_file_order(build: ReportBuilder) -> None:
    fragments = [
        {
            "left": build.span(10 * i + 1, 10 * i + 5),
            "right": build.span(10 * i + 2, 10 * i + 6),
            "tokens": 20 + i,
        }
        for i in range(MAX_FRAGMENTS + 3)
    ]
    many = build.pair("a.py", "b.py", 0.9, "derived", fragments=fragments)
    text = render(build.report(pairs=[many], identifier_map=[]))
    ranges = re.findall(r"L (\d+)-\d+\s+<->", text)
    assert len(ranges) == MAX_FRAGMENTS
    assert ranges == sorted(ranges, key=int)
    assert "L 1-5 " not in text  # the three shortest are left out
    assert "... and 3 shorter fragments" in text


def test_a_span_ending_at_column_zero_ends_on_the_line_before(build: ReportBuilder) -> None:
    fragment = {
        "left": build.span(3, 9, end_col=0),
        "right": build.span(5, 5, end_col=7),
        "tokens": 30,
    }
    single = build.pair("a.py", "b.py", 0.9, "derived", fragments=[fragment])
    text = render(build.report(pairs=[single], identifier_map=[]))
    assert re.search(r"L 3-8\s+<->\s+R 5\s+\(30 tokens\)", text)


def test_skipped_files_are_grouped_by_reason_with_details(report: Report) -> None:
    skipped = section(render(report), "Skipped files (2)")
    assert re.search(r"binary \(1\)\n\s+right\s+assets/logo\.png", skipped)
    assert re.search(r"too_large \(1\)\n\s+left\s+data/table\.py\s+3 MB", skipped)


def test_warnings_are_shown(build: ReportBuilder) -> None:
    text = render(build.report(warnings=["language detected as python, 3 files ignored"]))
    assert "language detected as python, 3 files ignored" in section(text, "Warnings")


def test_rich_markup_in_report_strings_is_printed_literally(build: ReportBuilder) -> None:
    evil = build.pair(
        "[red]x[/red].py",
        "[bold]y.py",
        0.9,
        "derived",
        fragments=[{"left": build.span(1, 30), "right": build.span(1, 30), "tokens": 200}],
        identifier_map=[build.mapping("[link=http://e.vil]a[/link]", "[blink]b", "local", 3)],
    )
    report = build.report(
        pairs=[evil],
        identifier_map=[],
        left={"path": "[red]left[/red]", "files": 1, "lines": 1, "tokens": 1},
        skipped=[{"side": "left", "path": "[i]z[/i].bin", "reason": "binary", "detail": "[u]"}],
        warnings=["[red]careful[/red]"],
    )
    for colour in (False, True):
        plain = ANSI.sub("", render(report, colour=colour))
        for literal in (
            "[red]x[/red].py",
            "[bold]y.py",
            "[link=http://e.vil]a[/link]",
            "[blink]b",
            "[red]left[/red]",
            "[i]z[/i].bin",
            "[red]careful[/red]",
        ):
            assert literal in plain, literal


def test_without_a_terminal_there_are_no_escape_codes(report: Report) -> None:
    assert not ANSI.search(render(report, colour=False))


def test_no_color_environment_removes_colours(
    report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    buffer = io.StringIO()
    render_report(report, Console(file=buffer, width=100, force_terminal=True))
    assert not re.search(r"\x1b\[[0-9;]*3[0-7]m", buffer.getvalue())
    assert "DERIVED" in buffer.getvalue()


def test_colour_terminal_marks_the_verdict_in_colour(report: Report) -> None:
    first_line = render(report, colour=True).splitlines()[0]
    assert "\x1b[" in first_line
    assert ANSI.sub("", first_line).startswith("DERIVED")


@pytest.mark.parametrize("width", [80, 100])
def test_every_line_fits_the_terminal_width(report: Report, width: int) -> None:
    text = render(report, width=width)
    assert max(len(line) for line in text.splitlines()) <= width


def test_long_paths_wrap_instead_of_overflowing(build: ReportBuilder) -> None:
    deep = "very/deep/" * 12 + "module.py"
    long_pair = build.pair(deep, deep, 0.9, "derived")
    text = render(build.report(pairs=[long_pair], identifier_map=[]), width=80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "module.py" in text


def test_renamed_classes_and_functions_are_listed_before_locals(build: ReportBuilder) -> None:
    renames = [
        build.mapping("i", "k", "LOCAL", 40),
        build.mapping("resample", "project", "FUNC", 3),
        build.mapping("Resampler", "Projection", "CLASS", 2),
    ]
    single = build.pair("a.py", "b.py", 0.9, "derived", identifier_map=renames)
    text = render(build.report(pairs=[single], identifier_map=renames))
    order = [text.index(name) for name in ("Resampler", "resample ", "i  ")]
    assert order == sorted(order)


def test_conventional_names_are_not_listed_as_kept(build: ReportBuilder) -> None:
    names = [build.mapping(name, name, "PARAM", 5) for name in ("self", "_", "__init__", "overlap")]
    single = build.pair("a.py", "b.py", 0.9, "derived", identifier_map=names)
    text = render(build.report(pairs=[single], identifier_map=names))
    assert "Identifier map: 0 renamed, 1 kept" in text
    assert "kept: overlap" in text


def test_check_lists_projects_and_hides_pairs_below_its_min_score(
    build: ReportBuilder,
) -> None:
    pairs = [
        build.pair("vendored/tiles.py", "demo@1.0:tiles.py", 0.71, "derived"),
        build.pair("own/util.py", "demo@1.0:util.py", 0.12, "independent"),
    ]
    report = CheckReport.model_validate(
        {
            "checked": {"path": "mine", "files": 2, "lines": 120, "tokens": 900},
            "index": {"location": "oss.idx", "projects": 3, "files": 40},
            "share": 0.4,
            "hits": [
                {
                    "project": {"name": "demo", "version": "1.0", "license": "MIT"},
                    "share": 0.4,
                    "score": 0.42,
                    "verdict": "partial",
                    "pairs": pairs,
                    "identifier_map": [],
                }
            ],
            "skipped": [],
            "options": {"min_score": 0.5},
        }
    )
    buffer = io.StringIO()
    render_check(report, Console(file=buffer, width=100, color_system=None, highlight=False))
    text = buffer.getvalue()
    assert "against oss.idx (3 projects, 40 files)" in text
    projects = section(text, "Indexed projects this code draws from")
    assert re.search(r"1\s+demo 1\.0\s+MIT\s+40\.0%\s+0\.42\s+2\s+partial", projects)
    pairs_table = section(text, "Matched file pairs")
    assert "vendored/tiles.py" in pairs_table and "own/util.py" not in pairs_table
    assert "1 pair below min score 0.50 not shown." in pairs_table


def test_a_repo_alignment_shows_moves_renames_and_the_remainder(build: ReportBuilder) -> None:
    alignment = {
        "left_aligned": 0.9,
        "right_aligned": 0.8,
        "edges_preserved": 0.75,
        "left_edges": 40,
        "right_edges": 44,
        "preserved_edges": 30,
        "units": [
            {
                "left": "resampler.py:Resampler.forward",
                "right": "projection.py:Projection.forward",
                "kind": "function",
                "similarity": 0.93,
                "support": 0.8,
                "left_tokens": 120,
                "right_tokens": 118,
                "renamed": [build.mapping("Resampler", "Projection", "CLASS", 2)],
            },
            {
                "left": "util.py:helper",
                "right": "util.py:helper",
                "kind": "function",
                "similarity": 1.0,
                "support": 1.0,
                "left_tokens": 40,
                "right_tokens": 40,
            },
        ],
        "groups": [{"kind": "merged", "left": ["a.py:f", "a.py:g"], "right": ["b.py:fg"]}],
        "files": [
            {"kind": "renamed", "left": ["resampler.py"], "right": ["projection.py"], "share": 0.9}
        ],
        "unmatched_left": ["[red]x[/red].py:leftover"],
        "unmatched_right": [],
    }
    text = render(build.report(alignment=alignment), width=160)
    block = text[text.index("Repo alignment") :]
    assert "90% of the left repo's tokens and 80% of the right's" in block
    assert "75% of the smaller graph's edges are preserved (30 of 40)" in block
    assert re.search(r"renamed\s+resampler\.py\s+projection\.py\s+90%", block)
    lines = block.splitlines()
    moved = next(i for i, line in enumerate(lines) if "Resampler.forward" in line)
    same = next(i for i, line in enumerate(lines) if "util.py:helper" in line)
    assert moved < same, "units that changed come before units that stayed"
    assert "Projection.forward" in lines[moved] and "Resampler -> Projection" in lines[moved]
    assert "(same)" in lines[same]
    assert "merged units: a.py:f + a.py:g  ->  b.py:fg" in block
    assert "Unaligned on the left (1 unit): [red]x[/red].py:leftover" in block


def test_notebook_lines_are_told_as_cell_and_line(build: ReportBuilder) -> None:
    notebook = {
        "path": "analysis.ipynb",
        "cells": [
            {"index": 1, "id": "a", "start_line": 1, "lines": 9},
            {"index": 3, "id": "b", "start_line": 10, "lines": 40},
        ],
    }
    report = build.report(
        left={"path": "nb", "files": 1, "lines": 49, "tokens": 700, "notebooks": [notebook]},
        pairs=[
            build.pair(
                "analysis.ipynb",
                "script.py",
                0.9,
                "derived",
                fragments=[{"left": build.span(12, 20), "right": build.span(30, 38), "tokens": 80}],
            )
        ],
    )
    fragment = next(line for line in render(report).splitlines() if "L cell" in line)
    assert "L cell 3:3-11" in fragment and "R 30-38" in fragment
