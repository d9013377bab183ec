"""codesim sees through disguised copies, stays quiet on independent code, and points at the code.

Positives are standard-library modules disguised by the test-owned generator (rename,
reformat, docstring and comment changes, tuple merge and split); negatives are pairs of
independent standard-library modules, including modules written for the same job.  Everything
goes through the public API, file against file.

    case                                   expected
    ------------------------------------   -----------------------------------------------
    module vs its disguised copy           score >= 0.95, >= 90 % of renames in the map
    module vs another module               score < 0.3
    module vs itself (same path or copy)   score 1.0, verdict "identical"
    compare(a, b) vs compare(b, a)         same score
    module vs a whitespace-only copy       fragments cover the same code text on both sides
"""

from __future__ import annotations

import ast
import io
import itertools
import re
import shutil
import tokenize
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

import codesim
from codesim.results import Fragment, Report, Span
from tests.disguise import Disguised, disguise
from tests.stdlib_corpus import (
    NEGATIVE_MODULES,
    POSITIVE_MODULES,
    SAME_PURPOSE_PAIRS,
    file_stem,
    module_path,
    read_module,
)

MIN_DISGUISED_SCORE = 0.95
MIN_IDENTIFIER_RECOVERY = 0.90
MAX_INDEPENDENT_SCORE = 0.3


def seed_for(module: str) -> int:
    """A fixed seed per module, so each module gets its own (reproducible) disguise."""
    return zlib.crc32(module.encode())


@dataclass(frozen=True)
class DisguisedCopy:
    module: str
    original: Path
    copy: Path
    disguised: Disguised


@pytest.fixture(scope="module")
def disguised_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("disguised")


def make_disguised_copy(module: str, folder: Path) -> DisguisedCopy:
    result = disguise(read_module(module), seed=seed_for(module))
    copy = folder / f"{file_stem(module)}.py"
    copy.write_text(result.source, encoding="utf-8")
    return DisguisedCopy(module, module_path(module), copy, result)


def pair_ids(pairs: Sequence[tuple[str, str]]) -> list[str]:
    return [f"{left}-vs-{right}" for left, right in pairs]


def identifiers(source: str) -> set[str]:
    return {
        tok.string
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type == tokenize.NAME
    }


# --------------------------------------------------------------------------------------------
# positives


@pytest.mark.parametrize("module", POSITIVE_MODULES)
def test_disguised_copy_of_a_stdlib_module_scores_as_identical(
    module: str, disguised_dir: Path
) -> None:
    case = make_disguised_copy(module, disguised_dir)
    report = codesim.compare(case.original, case.copy)
    assert report.score >= MIN_DISGUISED_SCORE, f"{module}: score {report.score:.4f}"


@pytest.mark.parametrize("module", POSITIVE_MODULES)
def test_identifier_map_recovers_the_renames_of_a_disguised_copy(
    module: str, disguised_dir: Path
) -> None:
    case = make_disguised_copy(module, disguised_dir)
    report = codesim.compare(case.original, case.copy)
    still_there = identifiers(case.disguised.source)
    renames = {old: new for old, new in case.disguised.renames.items() if new in still_there}
    assert renames, "the disguise renamed something"
    mapped = {(m.left, m.right) for m in report.identifier_map}
    missed = sorted((old, new) for old, new in renames.items() if (old, new) not in mapped)
    recovered = 1 - len(missed) / len(renames)
    assert recovered >= MIN_IDENTIFIER_RECOVERY, (
        f"{module}: {recovered:.1%} of {len(renames)} renames recovered; missed {missed[:20]}"
    )


def test_numbers_spelled_in_another_base_are_the_same_literals(tmp_path: Path) -> None:
    # xml.dom.NodeFilter is a class of hex constants; the plain round trip through ast.unparse
    # only respells them in decimal (and drops comments), it renames nothing.
    original = module_path("xml.dom.NodeFilter")
    copy = tmp_path / "NodeFilter.py"
    copy.write_text(ast.unparse(ast.parse(read_module("xml.dom.NodeFilter"))), encoding="utf-8")
    itself = codesim.compare(original, original).score
    assert itself > 0
    assert codesim.compare(original, copy).score == pytest.approx(itself, abs=0.01)


# --------------------------------------------------------------------------------------------
# negatives


@pytest.mark.parametrize("left", NEGATIVE_MODULES[:-1])
def test_independent_stdlib_modules_score_below_the_partial_threshold(left: str) -> None:
    later = NEGATIVE_MODULES[NEGATIVE_MODULES.index(left) + 1 :]
    scores = {
        right: codesim.compare(module_path(left), module_path(right)).score for right in later
    }
    too_high = {right: score for right, score in scores.items() if score >= MAX_INDEPENDENT_SCORE}
    assert not too_high, f"{left} against: {too_high}"


def test_negative_corpus_has_enough_pairs() -> None:
    assert len(NEGATIVE_MODULES) >= 30
    assert len(set(NEGATIVE_MODULES)) == len(NEGATIVE_MODULES)
    assert len(list(itertools.combinations(NEGATIVE_MODULES, 2))) >= 435


@pytest.mark.parametrize(("left", "right"), SAME_PURPOSE_PAIRS, ids=pair_ids(SAME_PURPOSE_PAIRS))
def test_modules_written_for_the_same_job_score_as_independent(left: str, right: str) -> None:
    report = codesim.compare(module_path(left), module_path(right))
    assert report.score < MAX_INDEPENDENT_SCORE, f"{left} vs {right}: {report.score:.4f}"


DATA_TABLE_PAIRS = [
    ("encodings.aliases", "html.entities"),
    ("locale", "encodings.aliases"),
]
"""Independent modules that are mostly one big dict of string literals."""


@pytest.mark.parametrize(("left", "right"), DATA_TABLE_PAIRS, ids=pair_ids(DATA_TABLE_PAIRS))
def test_independent_data_tables_score_as_independent(left: str, right: str) -> None:
    report = codesim.compare(module_path(left), module_path(right))
    assert report.score < MAX_INDEPENDENT_SCORE, f"{left} vs {right}: {report.score:.4f}"


# --------------------------------------------------------------------------------------------
# identity and symmetry


@pytest.mark.parametrize("module", ["textwrap", "json.decoder", "ipaddress", "shlex"])
def test_a_module_against_itself_scores_one_and_is_identical(module: str, tmp_path: Path) -> None:
    path = module_path(module)
    copy = tmp_path / f"copy_of_{path.name}"
    shutil.copyfile(path, copy)
    for right in (path, copy):
        report = codesim.compare(path, right)
        assert report.score == 1.0
        assert report.verdict == "identical"


SYMMETRY_PAIRS = [
    ("json.decoder", "tomllib._parser"),
    ("argparse", "textwrap"),
    ("csv", "configparser"),
    ("heapq", "bisect"),
    ("fractions", "statistics"),
]


@pytest.mark.parametrize(("left", "right"), SYMMETRY_PAIRS, ids=pair_ids(SYMMETRY_PAIRS))
def test_score_is_symmetric_for_independent_modules(left: str, right: str) -> None:
    forward = codesim.compare(module_path(left), module_path(right))
    backward = codesim.compare(module_path(right), module_path(left))
    assert forward.score == backward.score


@pytest.mark.parametrize("module", ["textwrap", "difflib", "dataclasses"])
def test_score_is_symmetric_for_a_disguised_copy(module: str, disguised_dir: Path) -> None:
    case = make_disguised_copy(module, disguised_dir)
    forward = codesim.compare(case.original, case.copy)
    backward = codesim.compare(case.copy, case.original)
    assert forward.score == backward.score


# --------------------------------------------------------------------------------------------
# spans


def span_text(text: str, span: Span) -> str:
    """The text a span covers, by lines (1-based) and code-point columns (0-based, end exclusive).

    Lines are split at ``\\n`` only: form feeds and other characters ``str.splitlines`` breaks
    at are not line ends for a parser.
    """
    lines = [line + "\n" for line in text.split("\n")]
    first, last = span.start_line - 1, span.end_line - 1
    if first == last:
        return lines[first][span.start_col : span.end_col]
    middle = "".join(lines[first + 1 : last])
    return lines[first][span.start_col :] + middle + lines[last][: span.end_col]


def assert_bytes_agree_with_lines(data: bytes, span: Span, where: str) -> None:
    by_bytes = data[span.start_byte : span.end_byte].decode("utf-8")
    by_lines = span_text(data.decode("utf-8"), span)
    assert by_bytes == by_lines, f"{where}: byte offsets and line/col disagree for {span}"


def all_fragments(report: Report) -> Iterator[Fragment]:
    for pair in report.pairs:
        yield from pair.fragments


@pytest.mark.parametrize("module", ["shlex", "fractions", "textwrap", "json.encoder"])
def test_fragments_of_a_disguised_copy_cover_plausible_code_on_both_sides(
    module: str, disguised_dir: Path
) -> None:
    case = make_disguised_copy(module, disguised_dir)
    report = codesim.compare(case.original, case.copy)
    fragments = list(all_fragments(report))
    assert fragments
    left_data, right_data = case.original.read_bytes(), case.copy.read_bytes()
    for fragment in fragments:
        for side, data in (("left", left_data), ("right", right_data)):
            span: Span = getattr(fragment, side)
            text = span_text(data.decode("utf-8"), span)
            assert text.strip(), f"{side} span of a {fragment.tokens}-token fragment is empty"
            # Canonical tokens drop docstrings and comments and split tuple assignments, so
            # the counts differ, but not by orders of magnitude.
            count = python_tokens(text)
            assert 0.5 * fragment.tokens <= count <= 5 * fragment.tokens, (side, count, fragment)
            assert_bytes_agree_with_lines(data, span, f"{module} {side}")


def add_whitespace(source: str, every: int) -> str:
    """The same code with blank lines and trailing spaces added outside strings."""
    ends = {
        tok.start[0]
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
        if tok.type in (tokenize.NEWLINE, tokenize.NL)
    }
    out = []
    for number, line in enumerate(source.split("\n"), start=1):
        if number in ends:
            line += " " * (number % 3 + 1)
            if number % every == 0:
                line += "\n\n"
        out.append(line)
    return "\n".join(out)


def without_whitespace(text: str) -> str:
    return "".join(text.split())


def assert_fragments_point_at_identical_code(
    report: Report, left: Path, right: Path, min_fragments: int = 1
) -> None:
    left_data, right_data = left.read_bytes(), right.read_bytes()
    fragments = list(all_fragments(report))
    assert len(fragments) >= min_fragments
    for fragment in fragments:
        left_text = span_text(left_data.decode("utf-8"), fragment.left)
        right_text = span_text(right_data.decode("utf-8"), fragment.right)
        assert left_text.strip()
        assert without_whitespace(left_text) == without_whitespace(right_text), fragment
        assert_bytes_agree_with_lines(left_data, fragment.left, "left")
        assert_bytes_agree_with_lines(right_data, fragment.right, "right")


@pytest.mark.parametrize("module", ["shlex", "fractions", "functools", "json.decoder"])
def test_fragments_of_a_whitespace_only_copy_point_at_the_same_code(
    module: str, tmp_path: Path
) -> None:
    original = module_path(module)
    copy = tmp_path / f"{file_stem(module)}.py"
    copy.write_text(add_whitespace(read_module(module), every=7), encoding="utf-8")
    report = codesim.compare(original, copy)
    assert report.score == 1.0
    assert_fragments_point_at_identical_code(report, original, copy)


def top_level_blocks(source: str) -> list[tuple[int, int]]:
    """(first line, last line) of every top-level function and class, decorators included."""
    blocks = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            assert node.end_lineno is not None
            blocks.append((first, node.end_lineno))
    return blocks


def line_start_bytes(data: bytes) -> list[int]:
    """Byte offset of the start of every line (index 0 is line 1), then the end of the data."""
    starts = [0]
    starts.extend(index + 1 for index, byte in enumerate(data) if byte == ord("\n"))
    if starts[-1] != len(data):
        starts.append(len(data))
    return starts


_CODE_TOKEN = re.compile(
    r"""#[^\n]*"""  # a comment: not a token
    r"""|[rRbBuUfF]{0,2}(?:\"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')"""
    r"""|\w+|[^\w\s]"""
)


def python_tokens(text: str) -> int:
    """Tokens in a piece of code, cut anywhere: a string literal is one token, comments none."""
    return sum(not match.group().startswith("#") for match in _CODE_TOKEN.finditer(text))


def outside_tokens(data: bytes, span: Span, region: tuple[int, int]) -> int:
    """Python tokens of ``span`` that lie outside the byte ``region`` [start, end)."""
    before = data[span.start_byte : max(span.start_byte, min(region[0], span.end_byte))]
    after = data[max(span.start_byte, region[1]) : max(span.end_byte, region[1])]
    return python_tokens(before.decode("utf-8")) + python_tokens(after.decode("utf-8"))


def outside_lines(data: bytes, span: Span, region: tuple[int, int]) -> int:
    """Non-blank lines ``span`` touches outside the byte ``region`` [start, end)."""
    before = data[span.start_byte : max(span.start_byte, min(region[0], span.end_byte))]
    after = data[max(span.start_byte, region[1]) : max(span.end_byte, region[1])]
    text = before.decode("utf-8") + "\n" + after.decode("utf-8")
    return sum(bool(line.strip()) for line in text.split("\n"))


def clipped_text(data: bytes, span: Span, region: tuple[int, int]) -> str:
    start, end = max(span.start_byte, region[0]), min(span.end_byte, region[1])
    return data[start:end].decode("utf-8") if start < end else ""


# A fragment may reach a token or two past the copied code when the code next to it ends the
# same way by chance (a string literal, a closing bracket); a whole foreign statement, or the
# comments and docstring that follow the copy, is too much.
MAX_TOKENS_OUTSIDE_THE_COPY = 4
MAX_LINES_OUTSIDE_THE_COPY = 2


@pytest.mark.parametrize(
    ("donor", "blocks", "hosts"),
    [
        ("shlex", (0, 2), ("fractions", "heapq")),  # non-ASCII in the copy and before it
        ("base64", (3, 8), ("csv", "glob")),
        ("difflib", (1, 3), ("copy", "sched")),
        ("difflib", (4, 4), ("copy", "sched")),  # a class at the end of the copy
        ("tomllib._parser", (4, 12), ("netrc", "quopri")),
    ],
    ids=lambda value: "-".join(map(str, value)) if isinstance(value, tuple) else value,
)
def test_fragments_of_code_pasted_into_another_file_point_at_the_pasted_code(
    donor: str, blocks: tuple[int, int], hosts: tuple[str, str], tmp_path: Path
) -> None:
    # right = host one + a run of the donor's top-level code (extra whitespace) + host two
    donor_source = read_module(donor)
    definitions = top_level_blocks(donor_source)
    first_line, last_line = definitions[blocks[0]][0], definitions[blocks[1]][1]
    pasted = "\n".join(donor_source.split("\n")[first_line - 1 : last_line]) + "\n"
    head = read_module(hosts[0]) + "\n\n"
    middle = add_whitespace(pasted, every=5)
    right = tmp_path / "host.py"
    right.write_text(head + middle + "\n\n" + read_module(hosts[1]), encoding="utf-8")
    left = module_path(donor)
    report = codesim.compare(left, right)

    left_data, right_data = left.read_bytes(), right.read_bytes()
    left_lines = line_start_bytes(left_data)
    copied_region = (left_lines[first_line - 1], left_lines[last_line])
    pasted_region = (len(head.encode()), len((head + middle).encode()))
    fragments = list(all_fragments(report))
    for fragment in fragments:
        assert_bytes_agree_with_lines(left_data, fragment.left, "left")
        assert_bytes_agree_with_lines(right_data, fragment.right, "right")
    # Fragments wholly inside the host files are coincidences between independent modules;
    # the ones that touch the pasted code must be the pasted code.
    pasted_fragments = [
        f
        for f in fragments
        if f.right.start_byte < pasted_region[1] and f.right.end_byte > pasted_region[0]
    ]
    assert pasted_fragments
    for fragment in pasted_fragments:
        outside_right = outside_tokens(right_data, fragment.right, pasted_region)
        outside_left = outside_tokens(left_data, fragment.left, copied_region)
        assert outside_right <= MAX_TOKENS_OUTSIDE_THE_COPY, (outside_right, fragment.right)
        assert outside_left <= MAX_TOKENS_OUTSIDE_THE_COPY, (outside_left, fragment.left)
        lines_right = outside_lines(right_data, fragment.right, pasted_region)
        lines_left = outside_lines(left_data, fragment.left, copied_region)
        assert lines_right <= MAX_LINES_OUTSIDE_THE_COPY, (lines_right, fragment.right)
        assert lines_left <= MAX_LINES_OUTSIDE_THE_COPY, (lines_left, fragment.left)
        left_text = clipped_text(left_data, fragment.left, copied_region)
        right_text = clipped_text(right_data, fragment.right, pasted_region)
        assert without_whitespace(left_text) == without_whitespace(right_text), fragment
