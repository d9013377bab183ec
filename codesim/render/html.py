"""The HTML form of a report: one self-contained page a reviewer opens offline or attaches to
an issue.

``render_html(report, sources=...)`` returns the page, ``write_html(report, path,
sources=...)`` writes it (UTF-8).  It works for the three reports: ``Report`` (compare),
``CheckReport`` (check: one section per hit) and ``CrossReport`` (cross: heat map, clusters,
shared code).

**Source text.**  The report models hold spans, not code, and a renderer never reads source
files (the module map), so the side-by-side view takes the texts from the caller through
``sources``, a callable ``(root, path) -> text | None``:

- ``root`` is a side's path as the report records it (``Side.path`` of compare's left and
  right and of check's checked code, ``Submission.path`` for cross);
- ``path`` is the pair's file path under it (for a root that is itself a file, its name, as
  ``compare`` reports it).

So the caller's reader is ``root / path``, or ``root`` when it is a file; it should decode the
file as codesim does (UTF-8, replacing what does not decode), since spans count lines and
code-point columns.  ``None`` (file gone, unreadable) shows that side's spans only, as do
indexed files (``project@version:path``: the index keeps token streams, not sources) and a
text whose lines no longer cover the spans (the file changed since the comparison).
Only the pairs shown in detail are asked for.

**Escaping.**  Templates autoescape; code is cut into pieces and each piece escaped before it
is wrapped in markup.  No report string ever reaches the page's script: the script is a fixed
file, fragments are linked through ids and data attributes built from indices.  As a second
wall, a Content-Security-Policy lets only that script (by its hash) run, and nothing loads
from the network.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape
from pygments.formatters.html import HtmlFormatter
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.lexers.special import TextLexer
from pygments.token import STANDARD_TYPES, _TokenType
from pygments.util import ClassNotFound

from codesim.results import (
    CheckReport,
    CrossPair,
    CrossReport,
    Fragment,
    PairResult,
    Report,
    Span,
    Submission,
)

SourceLookup = Callable[[str, str], str | None]
"""``(root, path) -> text`` of a compared file, or ``None`` when it cannot be had."""

DETAILED_PAIRS = 50
"""File pairs shown side by side in one page, best first (within each hit or cross pair, in
the order those are listed); the rest are listed only.  A folder comparison can match
thousands of file pairs, and each detailed pair carries both files' code."""

HEATMAP_SUBMISSIONS = 60
"""A heat map wider than this stops being readable; the pairs and clusters still list all."""

PALETTE_SIZE = 10
"""Fragment colours (CSS classes ``fc0``...``fc9``); fragments beyond reuse them in order."""

_INDEXED = "indexed"


@dataclass(frozen=True, slots=True)
class CodeLine:
    number: int
    html: Markup
    colour: int | None
    """The colour of the fragment the line is in, for the gutter mark."""


@dataclass(frozen=True, slots=True)
class SpanItem:
    """A fragment's span on a side whose code is not shown: the partner anchor of the other
    side's highlighted code."""

    anchor: str
    fragment: str
    colour: int
    span: Span


@dataclass(frozen=True, slots=True)
class CodeView:
    side: Literal["L", "R"]
    title: str
    lines: list[CodeLine]
    spans: list[SpanItem]
    note: str
    """Why the code is not shown (empty when it is)."""


@dataclass(frozen=True, slots=True)
class FragmentRow:
    id: str
    colour: int
    fragment: Fragment


@dataclass(frozen=True, slots=True)
class PairView:
    anchor: str
    rank: int
    pair: PairResult
    left: CodeView
    right: CodeView
    fragments: list[FragmentRow]


@dataclass(frozen=True, slots=True)
class PairList:
    """Pairs ranked best first, with the ones shown side by side."""

    ranked: list[PairResult]
    detailed: list[PairView]
    anchors: dict[int, str]
    """Rank (1-based) of each detailed pair -> its anchor, for the overview's links."""


@dataclass(frozen=True, slots=True)
class _Root:
    """Where one side's files are: ``root`` as the report records it, and the file path
    under it a pair's label stands for."""

    root: str
    file: Callable[[str], str] = str


@dataclass(frozen=True, slots=True)
class HeatMap:
    names: list[str]
    cells: list[list[tuple[float, str] | None]]
    """Row by column: (score, anchor of the pair) or ``None`` (no pair reported)."""
    left_out: int


def render_html(
    report: Report | CheckReport | CrossReport, *, sources: SourceLookup | None = None
) -> str:
    """The page for ``report``; ``sources`` gives the compared files' texts (see the module)."""
    builder = _Builder(sources)
    script = _environment().get_template("script.js").render()
    context: dict[str, object] = {
        "script": Markup(script),
        "script_hash": _csp_hash(script),
        "pygments_css": _pygments_css(),
        "report": report,
    }
    if isinstance(report, Report):
        context.update(
            kind="compare",
            pairs=builder.pairs(
                "pairs", report.pairs, _Root(report.left.path), _Root(report.right.path)
            ),
        )
    elif isinstance(report, CheckReport):
        checked = _Root(report.checked.path)
        context.update(
            kind="check",
            hits=[
                # The right side is indexed: no source on disk.
                (f"hit-{number}", hit, builder.pairs(f"hit-{number}", hit.pairs, checked, None))
                for number, hit in enumerate(report.hits, start=1)
            ],
        )
    else:
        ranked = sorted(report.pairs, key=lambda p: (-p.score, -p.similarity, p.left, p.right))
        submissions = {submission.name: submission for submission in report.submissions}
        cross_pairs = [
            (f"x{number}", pair, builder.cross_pairs(f"x{number}", pair, submissions))
            for number, pair in enumerate(ranked, start=1)
        ]
        context.update(
            kind="cross",
            cross_pairs=cross_pairs,
            heatmap=_heatmap(report, {(p.left, p.right): anchor for anchor, p, _ in cross_pairs}),
        )
    return _environment().get_template("report.html.j2").render(context)


def write_html(
    report: Report | CheckReport | CrossReport,
    path: Path,
    *,
    sources: SourceLookup | None = None,
) -> None:
    """Write ``render_html(report, sources=sources)`` to ``path`` as UTF-8."""
    path.write_text(render_html(report, sources=sources), encoding="utf-8")


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("codesim.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = lambda value: f"{value:.2f}"
    env.filters["lines"] = _span_lines
    env.filters["heat"] = lambda score: min(int(score * 10), 9)
    # Plain text, so autoescape escapes it like everything else (``tojson`` would show
    # ``\u003c`` for every ``<`` in a <pre>).
    env.filters["pretty"] = lambda value: json.dumps(value, indent=1, ensure_ascii=False)
    return env


@cache
def _pygments_css() -> Markup:
    """The token colours, scoped to code boxes (``.src``)."""
    formatter = HtmlFormatter(style="default")
    return Markup(formatter.get_style_defs(".src"))  # type: ignore[no-untyped-call]


def _csp_hash(script: str) -> str:
    digest = hashlib.sha256(script.encode()).digest()
    return "sha256-" + base64.b64encode(digest).decode()


def _span_lines(span: Span) -> str:
    if span.start_line == span.end_line:
        return f"line {span.start_line}"
    return f"lines {span.start_line}-{span.end_line}"


def _rank(pairs: Iterable[PairResult]) -> list[PairResult]:
    # The order the terminal report uses, so both forms list pairs alike.
    return sorted(
        pairs,
        key=lambda p: (-p.score, -p.literal_agreement, -p.similarity, -p.longest_fragment, p.left),
    )


class _Builder:
    """Turns pairs into views, asking ``sources`` for each detailed pair's files once."""

    def __init__(self, sources: SourceLookup | None) -> None:
        self._sources = sources
        self._texts: dict[tuple[str, str], str | None] = {}
        self._budget = DETAILED_PAIRS

    def pairs(
        self, anchor: str, pairs: Sequence[PairResult], left: _Root, right: _Root | None
    ) -> PairList:
        """``pairs`` ranked, the first ones (within the page's budget) as side-by-side views;
        ``right`` is ``None`` for indexed files."""
        ranked = _rank(pairs)
        shown = ranked[: self._budget]
        self._budget -= len(shown)
        detailed = [
            self._pair(
                f"{anchor}-{rank}",
                rank,
                pair,
                (left.root, left.file(pair.left)),
                None if right is None else (right.root, right.file(pair.right)),
            )
            for rank, pair in enumerate(shown, start=1)
        ]
        return PairList(ranked, detailed, {view.rank: view.anchor for view in detailed})

    def cross_pairs(
        self, anchor: str, pair: CrossPair, submissions: dict[str, Submission]
    ) -> PairList:
        return self.pairs(
            anchor,
            pair.pairs,
            _submission_root(pair.left, submissions),
            _submission_root(pair.right, submissions),
        )

    def _text(self, root: str, path: str) -> str | None:
        key = (root, path)
        if key not in self._texts:
            self._texts[key] = self._sources(root, path) if self._sources else None
        return self._texts[key]

    def _pair(
        self,
        anchor: str,
        rank: int,
        pair: PairResult,
        left: tuple[str, str],
        right: tuple[str, str] | None,
    ) -> PairView:
        rows = [
            FragmentRow(f"{anchor}-f{number}", number % PALETTE_SIZE, fragment)
            for number, fragment in enumerate(pair.fragments)
        ]
        left_view = self._code("L", pair.left, left, [(row, row.fragment.left) for row in rows])
        right_view = self._code("R", pair.right, right, [(row, row.fragment.right) for row in rows])
        return PairView(anchor, rank, pair, left_view, right_view, rows)

    def _code(
        self,
        side: Literal["L", "R"],
        title: str,
        where: tuple[str, str] | None,
        marks: list[tuple[FragmentRow, Span]],
    ) -> CodeView:
        spans = [SpanItem(f"{row.id}-{side}", row.id, row.colour, span) for row, span in marks]
        if where is None:
            return CodeView(side, title, [], spans, _NOTES[_INDEXED])
        if self._sources is None:
            return CodeView(side, title, [], spans, _NOTES["none"])
        text = self._text(*where)
        if text is None:
            return CodeView(side, title, [], spans, _NOTES["missing"])
        lines = _split_lines(text)
        if any(span.end_line > len(lines) for _, span in marks):
            return CodeView(side, title, [], spans, _NOTES["changed"])
        return CodeView(side, title, _highlight(lines, where[1], side, marks), [], "")


_NOTES = {
    _INDEXED: "Indexed file: the index keeps token streams, not sources, so only the matched "
    "spans are listed.",
    "none": "No source text was given to the renderer; only the matched spans are listed.",
    "missing": "The source file could not be read; only the matched spans are listed.",
    "changed": "The source file is shorter than the matched spans: it changed since the "
    "comparison, so only the spans are listed.",
}


def _submission_root(name: str, submissions: dict[str, Submission]) -> _Root:
    """Cross labels a file ``submission/path``, or by the submission's name alone when the
    submission is one file (then its path is the file, and the label its name, as compare
    names a file it was given)."""
    submission = submissions.get(name)
    if submission is None:
        return _Root(name)
    prefix = name + "/"

    def file(label: str) -> str:
        if label == name:
            return posixpath.basename(submission.path.replace("\\", "/"))
        return label.removeprefix(prefix)

    return _Root(submission.path, file)


def _split_lines(text: str) -> list[str]:
    """Lines as codesim counts them: split at ``\\n`` only; a final newline ends the last line
    rather than starting an empty one."""
    text = text.removeprefix("\ufeff")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _lexer(path: str) -> Lexer:
    try:
        return get_lexer_for_filename(path, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False, ensurenl=False)


def _token_class(kind: _TokenType | None) -> str:
    while kind is not None and kind not in STANDARD_TYPES:
        kind = kind.parent
    return STANDARD_TYPES[kind] if kind is not None else ""


def _token_runs(lines: list[str], path: str) -> list[list[tuple[int, int, str]]]:
    """Per line, ``(start column, end column, pygments CSS class)`` runs.

    Lexed as one text so multi-line strings are coloured as strings; when the lexer's tokens
    do not add up to the text (it rewrites ``\\r`` and some control characters), the lines
    stay uncoloured rather than misaligned with the spans.
    """
    # A lone \r would be a newline to pygments but not to codesim's line count.
    text = "\n".join(line.replace("\r", " ") for line in lines)
    runs: list[list[tuple[int, int, str]]] = [[] for _ in lines]
    row, column, seen = 0, 0, 0
    for kind, value in _lexer(path).get_tokens(text):
        css = _token_class(kind)
        for number, piece in enumerate(value.split("\n")):
            if number:
                row, column = row + 1, 0
            if piece and row < len(runs):
                runs[row].append((column, column + len(piece), css))
            column += len(piece)
        seen += len(value)
    if seen != len(text) or row >= len(lines):
        return [[] for _ in lines]
    return runs


_Mark = tuple[int, int, FragmentRow, Span]
"""A fragment's columns on one line: start, end, the fragment, its whole span."""


def _highlight(
    lines: list[str], path: str, side: str, marks: list[tuple[FragmentRow, Span]]
) -> list[CodeLine]:
    """Each line as escaped, syntax-coloured markup with the fragments' pieces marked.

    The first piece of each fragment carries the anchor its partner links to.
    """
    runs = _token_runs(lines, path)
    by_line: list[list[_Mark]] = [[] for _ in lines]
    for row, span in marks:
        for line in range(span.start_line, span.end_line + 1):
            size = len(lines[line - 1])
            start = span.start_col if line == span.start_line else 0
            end = span.end_col if line == span.end_line else size
            by_line[line - 1].append((min(start, size), min(end, size), row, span))
    anchored: set[str] = set()
    out = []
    for index, text in enumerate(lines):
        html = _line_markup(text, runs[index], by_line[index], side, anchored)
        colour = by_line[index][0][2].colour if by_line[index] else None
        out.append(CodeLine(index + 1, html, colour))
    # A fragment whose span covers no character (an empty span at a line end) still needs
    # its anchor: it goes on the line where the span starts.
    for row, span in marks:
        if row.id not in anchored:
            anchored.add(row.id)
            found = out[span.start_line - 1]
            marker = Markup('<span class="frag fc{}" data-f="{}" id="{}-{}"></span>').format(
                row.colour, row.id, row.id, side
            )
            out[span.start_line - 1] = CodeLine(found.number, marker + found.html, row.colour)
    return out


def _line_markup(
    text: str,
    runs: list[tuple[int, int, str]],
    marks: list[_Mark],
    side: str,
    anchored: set[str],
) -> Markup:
    """One line cut wherever a token or a fragment starts or ends, each piece escaped.

    A piece in several fragments' spans (reordered code can make spans overlap) is marked
    with the fragment starting last, the innermost.
    """
    cuts = {0, len(text)}
    for start, end, _ in runs:
        cuts.update((start, end))
    for start, end, _, _ in marks:
        cuts.update((start, end))
    edges = sorted(cuts)
    # Only escaped code and strings made here (pygments' class names, ids built from
    # indices) are joined, so plain strings are safe, and far cheaper than Markup.format.
    html: list[str] = []
    run = 0
    for start, end in itertools.pairwise(edges):
        while run < len(runs) and runs[run][1] <= start:
            run += 1
        css = runs[run][2] if run < len(runs) and runs[run][0] <= start else ""
        piece = escape(text[start:end])
        covering = [m for m in marks if m[0] <= start and end <= m[1]]
        if not covering:
            html.append(f'<span class="{css}">{piece}</span>' if css else piece)
            continue
        row = max(covering, key=lambda m: (m[3].start_line, m[3].start_col))[2]
        anchor = ""
        if row.id not in anchored:
            anchored.add(row.id)
            anchor = f' id="{row.id}-{side}"'
        html.append(
            f'<span class="{css} frag fc{row.colour}" data-f="{row.id}"{anchor}>{piece}</span>'
        )
    return Markup("".join(html))


def _heatmap(report: CrossReport, anchors: dict[tuple[str, str], str]) -> HeatMap:
    """Submissions in pairs, cluster by cluster (so clusters show as blocks on the diagonal),
    then by their best score; at most ``HEATMAP_SUBMISSIONS`` of them."""
    best: dict[str, float] = {}
    for pair in report.pairs:
        for name in (pair.left, pair.right):
            best[name] = max(best.get(name, 0.0), pair.score)
    order: list[str] = []
    for cluster in sorted(report.clusters, key=lambda c: (-c.max_score, c.id)):
        order.extend(name for name in cluster.members if name in best and name not in order)
    order.extend(sorted((n for n in best if n not in order), key=lambda n: (-best[n], n)))
    names = order[:HEATMAP_SUBMISSIONS]
    scores = {}
    for pair in report.pairs:
        anchor = anchors[(pair.left, pair.right)]
        scores[(pair.left, pair.right)] = scores[(pair.right, pair.left)] = (pair.score, anchor)
    cells = [[scores.get((row, column)) for column in names] for row in names]
    return HeatMap(names, cells, len(order) - len(names))
