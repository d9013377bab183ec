"""The terminal form of a report, rendered with rich to a console the caller owns.

Reading order follows the questions a reviewer asks: what is the verdict, what was compared,
which files match, where exactly (line ranges and the renamed identifiers), and what was left
out.  Every string that comes from the report (paths, identifiers, details) is wrapped in
``Text`` so it is shown literally: a file called ``[red]x[/red]`` must not restyle the output.
Colour is the console's business: rich drops it for ``NO_COLOR`` and non-terminals, and the
layout does not depend on it (verdicts are words, not colours).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence

from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from codesim.render import DEFAULT_TOP_PAIRS
from codesim.render.alignment_text import alignment_block
from codesim.render.artifacts_text import artifacts_block
from codesim.render.tables import count, new_table
from codesim.render.terminal import terminal_safe
from codesim.results import (
    AddResult,
    CheckReport,
    Fragment,
    IdentifierMapping,
    IndexStats,
    NotebookFile,
    PairResult,
    Project,
    Report,
    Side,
    Skipped,
    Span,
)

MAX_TABLE_PAIRS = 50
"""A folder-vs-folder run can match thousands of pairs; past this the table stops being read
and the JSON report is the right tool."""

MAX_FRAGMENTS = 10
MAX_IDENTIFIERS = 12
MAX_KEPT_NAMES = 8
MAX_SKIPPED_PER_REASON = 10
MAX_NAMED_ARTIFACTS = 10

_ROLE_ORDER_PREFIXES = ("class", "func", "method", "attr")

_VERDICT_STYLES = {
    "identical": "bold red",
    "derived": "bold red",
    "partial": "bold yellow",
    "independent": "bold green",
}

# The score is symmetric (containment of the smaller side), so the sentences do not claim a
# direction of copying: the report cannot tell which side came first.
_VERDICT_MEANINGS = {
    "identical": (
        "Once formatting, comments and names are normalized away, the smaller side's code "
        "reappears almost entirely in the other."
    ),
    "derived": (
        "Most of the smaller side's code reappears in the other after renames and reformatting "
        "are undone: one side is very likely derived from the other."
    ),
    "partial": (
        "A substantial part of the smaller side's code reappears in the other: some code was "
        "probably copied, but much of it differs."
    ),
    "independent": (
        "Little code is shared beyond what unrelated programs commonly have in common."
    ),
}

_LEGEND = (
    "score = matched share of the smaller file; sim. = matched share of both files;\n"
    "cov = matched share of each file; longest = tokens in the longest fragment"
)


def render_report(
    report: Report,
    console: Console,
    *,
    top: int = DEFAULT_TOP_PAIRS,
    min_score: float | None = None,
) -> None:
    """Print ``report`` to ``console``.

    ``top`` pairs get the detailed view (fragments and identifier map).  Pairs scoring below
    ``min_score`` are left out; by default the ``min_score`` the report was made with is used.
    """
    report = terminal_safe(report)
    threshold = _resolve_min_score(report, min_score)
    ranked = _rank_pairs(report.pairs)
    shown = [pair for pair in ranked if pair.score >= threshold]
    hidden = len(ranked) - len(shown)

    blocks: list[RenderableType] = [_verdict_block(report), _sides_block(report)]
    # Two artifacts compared directly have no file pairs: their evidence is all there is.
    if report.pairs or not report.artifacts:
        blocks.append(_pairs_block(shown, hidden, threshold))
    detailed = shown[: max(top, 0)]
    notebooks = {n.path: n for side in (report.left, report.right) for n in side.notebooks}
    blocks.extend(
        _pair_detail_block(rank, pair, notebooks) for rank, pair in enumerate(detailed, start=1)
    )
    if not _identifier_map_already_shown(report, detailed):
        blocks.append(_report_identifier_block(report.identifier_map))
    if report.alignment is not None:
        blocks.append(alignment_block(report.alignment))
    if report.artifacts:
        blocks.append(artifacts_block(report.artifacts))
    if report.skipped:
        blocks.append(_skipped_block(report.skipped))
    if report.warnings:
        blocks.append(_warnings_block(report.warnings))

    _print_blocks(console, blocks)


def _print_blocks(console: Console, blocks: Sequence[RenderableType]) -> None:
    """The blocks of a report, one blank line apart."""
    for index, block in enumerate(blocks):
        if index:
            console.print()
        console.print(block)


def _resolve_min_score(report: Report | CheckReport, min_score: float | None) -> float:
    if min_score is not None:
        return min_score
    recorded = report.options.get("min_score", 0.0)
    if isinstance(recorded, int | float) and not isinstance(recorded, bool):
        return float(recorded)
    return 0.0


def _rank_pairs(pairs: Iterable[PairResult]) -> list[PairResult]:
    return sorted(
        pairs,
        key=lambda pair: (-pair.score, -pair.similarity, -pair.longest_fragment, pair.left),
    )


def _verdict_text(verdict: str) -> Text:
    return Text(verdict.upper(), style=_VERDICT_STYLES.get(verdict, "bold"))


def _verdict_block(report: Report) -> RenderableType:
    headline = Text.assemble(
        _verdict_text(report.verdict),
        "  score ",
        (f"{report.score:.2f}", "bold"),
        "  similarity ",
        (f"{report.similarity:.2f}", "bold"),
    )
    meaning = Text(_VERDICT_MEANINGS.get(report.verdict, ""))
    return Group(headline, meaning)


def _sides_block(report: Report) -> RenderableType:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for _ in range(4):
        grid.add_column(justify="right", no_wrap=True)
    skipped_by_side: dict[str, list[Skipped]] = defaultdict(list)
    for skipped in report.skipped:
        skipped_by_side[skipped.side].append(skipped)
    rows = (
        ("left", report.left, report.left_coverage),
        ("right", report.right, report.right_coverage),
    )
    notes: list[Text] = []
    for name, side, coverage in rows:
        grid.add_row(
            Text(name, style="bold"),
            Text(side.path),
            Text(count(side.files, "file")),
            Text(count(side.lines, "line")),
            Text(count(side.tokens, "token")),
            Text(f"coverage {coverage:.2f}"),
        )
        note = _side_note(name, side, skipped_by_side[name])
        if note is not None:
            notes.append(note)
    heading = Text("Compared", style="bold underline")
    return Group(heading, Padding(grid, (0, 0, 0, 2), expand=False), *notes)


def _side_note(name: str, side: Side, skipped: Sequence[Skipped]) -> Text | None:
    parts: list[str] = []
    if skipped:
        reasons = Counter(str(item.reason.value) for item in skipped)
        detail = ", ".join(f"{reason} {count}" for reason, count in sorted(reasons.items()))
        parts.append(f"{count(len(skipped), 'file')} skipped ({detail})")
    if side.unparsed:
        parts.append(f"{count(len(side.unparsed), 'file')} partly unparsed")
    if not parts:
        return None
    return Text(f"  {name}: " + "; ".join(parts), style="dim")


def _pairs_block(shown: Sequence[PairResult], hidden: int, threshold: float) -> RenderableType:
    heading = Text("Matched file pairs", style="bold underline")
    hidden_note = (
        Text(f"{count(hidden, 'pair')} below min score {threshold:.2f} not shown.", style="dim")
        if hidden
        else None
    )
    if not shown:
        parts: list[RenderableType] = [heading, Text("No file pairs matched.")]
        if hidden_note is not None:
            parts.append(hidden_note)
        return Group(*parts)

    table = new_table()
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("left", overflow="fold", ratio=1)
    table.add_column("right", overflow="fold", ratio=1)
    for header in ("score", "sim.", "L cov", "R cov", "longest"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for rank, pair in enumerate(shown[:MAX_TABLE_PAIRS], start=1):
        table.add_row(
            Text(str(rank)),
            Text(pair.left),
            Text(pair.right),
            Text(f"{pair.score:.2f}", style="bold"),
            Text(f"{pair.similarity:.2f}"),
            Text(f"{pair.left_coverage:.2f}"),
            Text(f"{pair.right_coverage:.2f}"),
            Text(f"{pair.longest_fragment:,}"),
            Text(pair.verdict, style=_VERDICT_STYLES.get(pair.verdict, "")),
        )
    parts = [heading, table]
    if len(shown) > MAX_TABLE_PAIRS:
        more = len(shown) - MAX_TABLE_PAIRS
        note = f"... and {count(more, 'more pair')} (the JSON report lists all)."
        parts.append(Text(note, style="dim"))
    if hidden_note is not None:
        parts.append(hidden_note)
    parts.append(Text(_LEGEND, style="dim"))
    return Group(*parts)


def _pair_detail_block(
    rank: int, pair: PairResult, notebooks: Mapping[str, NotebookFile] | None = None
) -> RenderableType:
    heading = Text.assemble(
        (f"Pair {rank}", "bold underline"),
        "  ",
        Text(pair.left),
        "  <->  ",
        Text(pair.right),
    )
    summary = Text.assemble(
        _verdict_text(pair.verdict),
        f"  score {pair.score:.2f}  similarity {pair.similarity:.2f}",
        f"  longest fragment {count(pair.longest_fragment, 'token')}",
    )
    found = notebooks or {}
    fragments = _fragment_lines(pair.fragments, found.get(pair.left), found.get(pair.right))
    parts: list[RenderableType] = [heading, summary, *fragments]
    parts.extend(_identifier_lines(pair.identifier_map))
    return Group(*parts)


def _fragment_lines(
    fragments: Sequence[Fragment],
    left_notebook: NotebookFile | None = None,
    right_notebook: NotebookFile | None = None,
) -> list[RenderableType]:
    if not fragments:
        return [Text("  No fragments long enough to report.", style="dim")]
    total = sum(fragment.tokens for fragment in fragments)
    title = Text(
        f"  Fragments: {len(fragments)} ({count(total, 'token')}), left lines <-> right lines",
        style="bold",
    )
    # Keep the longest fragments (the strongest evidence), then list them in file order so
    # the ranges read top to bottom like the code.
    kept = sorted(fragments, key=lambda fragment: -fragment.tokens)[:MAX_FRAGMENTS]
    kept.sort(key=lambda fragment: (fragment.left.start_line, fragment.right.start_line))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True)
    grid.add_column(justify="right", no_wrap=True)
    for fragment in kept:
        grid.add_row(
            Text(f"L {_line_range(fragment.left, left_notebook)}"),
            Text("<->"),
            Text(f"R {_line_range(fragment.right, right_notebook)}"),
            Text(f"({count(fragment.tokens, 'token')})"),
        )
    lines: list[RenderableType] = [title, Padding(grid, (0, 0, 0, 4), expand=False)]
    if len(fragments) > len(kept):
        more = len(fragments) - len(kept)
        note = f"    ... and {count(more, 'shorter fragment')} (the JSON report lists all)."
        lines.append(Text(note, style="dim"))
    return lines


def _line_range(span: Span, notebook: NotebookFile | None = None) -> str:
    # Ends are exclusive: a span ending at column 0 stops on the line before.
    last = span.end_line if span.end_col > 0 else span.end_line - 1
    last = max(last, span.start_line)
    if notebook is not None:
        first_cell, last_cell = notebook.locate(span.start_line), notebook.locate(last)
        if first_cell is not None and last_cell is not None:
            # A notebook's lines are told as cell and line in it (cells counted from 0).
            start = f"cell {first_cell[0]}:{first_cell[1]}"
            if last_cell[0] != first_cell[0]:
                return f"{start}-cell {last_cell[0]}:{last_cell[1]}"
            return start if last_cell[1] == first_cell[1] else f"{start}-{last_cell[1]}"
    return str(span.start_line) if last == span.start_line else f"{span.start_line}-{last}"


def _identifier_lines(mappings: Sequence[IdentifierMapping]) -> list[RenderableType]:
    if not mappings:
        return []
    renamed = sorted(
        (mapping for mapping in mappings if mapping.left != mapping.right),
        key=lambda mapping: (_role_rank(mapping.role), -mapping.count, mapping.left),
    )
    kept = sorted(
        (
            mapping
            for mapping in mappings
            if mapping.left == mapping.right and not _is_conventional(mapping.left)
        ),
        key=lambda mapping: (-mapping.count, mapping.left),
    )
    # One name can be kept in several roles (a parameter and an attribute); list it once.
    kept_names = list(dict.fromkeys(mapping.left for mapping in kept))
    title = Text(
        f"  Identifier map: {len(renamed)} renamed, {len(kept_names)} kept",
        style="bold",
    )
    lines: list[RenderableType] = [title]
    if renamed:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(overflow="fold")
        grid.add_column(no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_column(justify="right", no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        for mapping in renamed[:MAX_IDENTIFIERS]:
            # A consistent bijection is the signature of a renamed copy; a name that became
            # several different names is worth a second look, so it stands out.
            consistency_style = "" if mapping.consistency >= 0.9 else "yellow"
            grid.add_row(
                Text(mapping.left, style="bold"),
                Text("->"),
                Text(mapping.right, style="bold"),
                Text(f"({count(mapping.count, 'use')})"),
                Text(mapping.role, style="dim"),
                Text(f"consistency {mapping.consistency:.2f}", style=consistency_style),
            )
        lines.append(Padding(grid, (0, 0, 0, 4), expand=False))
        if len(renamed) > MAX_IDENTIFIERS:
            more = len(renamed) - MAX_IDENTIFIERS
            lines.append(Text(f"    ... and {count(more, 'more renamed name')}.", style="dim"))
    if kept_names:
        names = ", ".join(kept_names[:MAX_KEPT_NAMES])
        if len(kept_names) > MAX_KEPT_NAMES:
            names += f", ... ({len(kept_names) - MAX_KEPT_NAMES} more)"
        lines.append(Text(f"    kept: {names}", style="dim"))
    return lines


def _role_rank(role: str) -> int:
    """Classes and functions first: a plagiarist renames those on purpose, so a renamed class
    (``Resampler -> Projection``) is stronger evidence than a renamed loop variable."""
    lowered = role.lower()
    for rank, prefix in enumerate(_ROLE_ORDER_PREFIXES):
        if lowered.startswith(prefix):
            return rank
    return len(_ROLE_ORDER_PREFIXES)


def _is_conventional(name: str) -> bool:
    """Names every Python program shares; keeping them proves nothing."""
    return name in {"self", "cls", "_"} or (name.startswith("__") and name.endswith("__"))


def _identifier_map_already_shown(report: Report, detailed: Sequence[PairResult]) -> bool:
    """The report-wide map repeats the only pair's map in a file-vs-file run; print it once."""
    if not report.identifier_map:
        return True
    return (
        len(detailed) == 1
        and len(report.pairs) == 1
        and (detailed[0].identifier_map == report.identifier_map)
    )


def _report_identifier_block(mappings: Sequence[IdentifierMapping]) -> RenderableType:
    lines = _identifier_lines(mappings)
    heading = Text("Identifier map across all pairs", style="bold underline")
    return Group(heading, *lines[1:]) if lines else heading


def _skipped_block(skipped: Sequence[Skipped]) -> RenderableType:
    by_reason: dict[str, list[Skipped]] = defaultdict(list)
    for item in skipped:
        by_reason[str(item.reason.value)].append(item)
    parts: list[RenderableType] = [Text(f"Skipped files ({len(skipped)})", style="bold underline")]
    for reason in sorted(by_reason):
        items = by_reason[reason]
        parts.append(Text(f"  {reason} ({len(items)})", style="bold"))
        ordered = sorted(items, key=lambda entry: (entry.side, entry.path))
        for item in ordered[:MAX_SKIPPED_PER_REASON]:
            line = Text.assemble(f"    {item.side:<5}  ", Text(item.path))
            if item.detail:
                line.append(f"  {item.detail}", style="dim")
            parts.append(line)
        if len(items) > MAX_SKIPPED_PER_REASON:
            more = len(items) - MAX_SKIPPED_PER_REASON
            parts.append(Text(f"    ... and {count(more, 'more file')}.", style="dim"))
    return Group(*parts)


def _warnings_block(warnings: Sequence[str]) -> RenderableType:
    lines = [Text("Warnings", style="bold underline yellow")]
    lines.extend(Text(f"  {warning}", style="yellow") for warning in warnings)
    return Group(*lines)


def render_check(report: CheckReport, console: Console, *, top: int = DEFAULT_TOP_PAIRS) -> None:
    """Print a check against an index: the projects the code draws from, best first, then for
    each its matched file pairs, with fragments and identifier maps for the ``top`` best."""
    report = terminal_safe(report)
    threshold = _resolve_min_score(report, None)
    checked = report.checked
    checked_notebooks = {n.path: n for n in checked.notebooks}
    summary = Text.assemble(
        ("Checked ", "bold"),
        (checked.path, "bold"),
        f": {count(checked.files, 'file')}, {count(checked.lines, 'line')}, "
        f"against {report.index.location} "
        f"({count(report.index.projects, 'project')}, {count(report.index.files, 'file')}).",
    )
    blocks: list[RenderableType] = [summary]
    if not report.hits:
        blocks.append(Text("No indexed project matches this code.", style="green"))
    else:
        table = new_table()
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("project", overflow="fold")
        table.add_column("licence", overflow="fold")
        for header in ("share", "score", "files"):
            table.add_column(header, justify="right", no_wrap=True)
        table.add_column("verdict", no_wrap=True)
        for rank, hit in enumerate(report.hits, start=1):
            table.add_row(
                Text(str(rank)),
                Text(f"{hit.project.name} {hit.project.version}"),
                Text(hit.project.license or "unknown"),
                Text(f"{hit.share:.1%}"),
                Text(f"{hit.score:.2f}", style="bold"),
                Text(str(len({p.left for p in hit.pairs}))),
                Text(hit.verdict, style=_VERDICT_STYLES.get(hit.verdict, "")),
            )
        blocks.append(
            Group(
                Text("Indexed projects this code draws from", style="bold underline"),
                table,
                Text(
                    f"{report.share:.1%} of the checked code matches indexed code. share: part "
                    "of the checked code's tokens the project matches; score: that share, "
                    "damped for small matches.",
                    style="dim",
                ),
            )
        )
        shown = 0
        for hit in report.hits:
            pairs = _rank_pairs(p for p in hit.pairs if p.score >= threshold)
            name = Text(f"{hit.project.name} {hit.project.version}", style="bold")
            if not hit.pairs and hit.artifacts:
                found_by = "No code matches: found by its configs, tokenizers or checkpoints."
                blocks.append(Group(name, Text(found_by)))
            else:
                blocks.append(
                    Group(name, _pairs_block(pairs, len(hit.pairs) - len(pairs), threshold))
                )
            for pair in pairs[: max(0, top - shown)]:
                shown += 1
                blocks.append(_pair_detail_block(shown, pair, checked_notebooks))
            if hit.alignment is not None:
                blocks.append(alignment_block(hit.alignment))
            if hit.artifacts:
                blocks.append(artifacts_block(hit.artifacts))
    if report.skipped:
        blocks.append(_skipped_block(report.skipped))
    if report.warnings:
        blocks.append(_warnings_block(report.warnings))
    _print_blocks(console, blocks)


def render_projects(projects: Sequence[Project], console: Console) -> None:
    """Print the projects of an index, one row each."""
    projects = [terminal_safe(p) for p in projects]
    if not projects:
        console.print(Text("The index holds no project yet."))
        return
    table = new_table()
    for header in ("name", "version", "licence", "commit", "url"):
        table.add_column(header, overflow="fold")
    for project in projects:
        table.add_row(
            Text(project.name),
            Text(project.version),
            Text(project.license or ""),
            Text((project.commit or "")[:12]),
            Text(project.url or ""),
        )
    console.print(table)


def render_index_stats(stats: IndexStats, console: Console) -> None:
    """Print what an index holds."""
    console.print(
        Text.assemble(
            (stats.location, "bold"),
            f": {count(stats.projects, 'project')}, {count(stats.files, 'file')}, "
            f"{count(stats.units, 'unit')}, {count(stats.fingerprints, 'distinct fingerprint')}, "
            f"{stats.bytes / 1e6:,.1f} MB",
        )
    )


def render_added(result: AddResult, console: Console) -> None:
    """Print what ``index add`` stored."""
    result = terminal_safe(result)
    action = "Replaced" if result.replaced else "Added"
    console.print(
        Text.assemble(
            f"{action} ",
            (f"{result.project.name} {result.project.version}", "bold"),
            f": {count(result.files, 'file')}, {count(result.lines, 'line')}, "
            f"{count(result.units, 'unit')}"
            + (f" (commit {result.project.commit[:12]})" if result.project.commit else "")
            + ".",
        )
    )
    if result.artifacts:
        kept = ", ".join(result.artifacts[:MAX_NAMED_ARTIFACTS])
        more = len(result.artifacts) - MAX_NAMED_ARTIFACTS
        console.print(
            Text(
                f"Kept {count(len(result.artifacts), 'artifact')} for checks: {kept}"
                + (f" and {more} more." if more > 0 else ".")
            )
        )
    if result.skipped:
        console.print(_skipped_block(result.skipped))
    if result.warnings:
        console.print(_warnings_block(result.warnings))
