"""The terminal form of an all-vs-all comparison: what was compared, the pairs that share
code, the clusters they form, and the code left out as shared, template or generated."""

from __future__ import annotations

from collections import Counter

from rich.console import Console, Group, RenderableType
from rich.text import Text

from codesim.render.tables import count, new_table
from codesim.render.terminal import terminal_safe
from codesim.results import CrossReport

MAX_PAIRS = 50
"""Rows of the pair table; the JSON and CSV outputs list every pair."""

MAX_SHARED = 10
MAX_CLUSTER_MEMBERS = 12


def render_cross(report: CrossReport, console: Console) -> None:
    """Print ``report`` to ``console``."""
    report = terminal_safe(report)
    submissions = report.submissions
    threshold = report.options.get("min_score", 0.0)
    blocks: list[RenderableType] = [
        Text.assemble(
            ("Compared ", "bold"),
            f"{count(len(submissions), 'submission')} "
            f"({count(sum(s.files for s in submissions), 'file')}, "
            f"{count(sum(s.lines for s in submissions), 'line')}): "
            f"{count(report.candidate_pairs, 'candidate pair')} aligned of "
            f"{len(submissions) * (len(submissions) - 1) // 2:,} possible.",
        ),
        _pairs(report, threshold),
    ]
    if report.clusters:
        blocks.append(_clusters(report))
    if report.shared:
        blocks.append(_shared(report))
    if report.skipped:
        reasons = Counter(s.reason.value for s in report.skipped)
        summary = ", ".join(f"{n} {reason}" for reason, n in sorted(reasons.items()))
        blocks.append(Text(f"Skipped {count(len(report.skipped), 'file')}: {summary}."))
    for index, block in enumerate(blocks):
        if index:
            console.print()
        console.print(block)


def _pairs(report: CrossReport, threshold: object) -> RenderableType:
    heading = Text("Submission pairs that share code", style="bold underline")
    if not report.pairs:
        return Group(heading, Text(f"No pair scores {threshold} or more."))
    table = new_table()
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("left", overflow="fold", ratio=1)
    table.add_column("right", overflow="fold", ratio=1)
    for header in ("score", "sim.", "files", "longest"):
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for rank, pair in enumerate(report.pairs[:MAX_PAIRS], start=1):
        table.add_row(
            Text(str(rank)),
            Text(pair.left),
            Text(pair.right),
            Text(f"{pair.score:.2f}", style="bold"),
            Text(f"{pair.similarity:.2f}"),
            Text(str(len(pair.pairs))),
            Text(f"{pair.longest_fragment:,}"),
            Text(pair.verdict),
        )
    parts: list[RenderableType] = [heading, table]
    if len(report.pairs) > MAX_PAIRS:
        more = len(report.pairs) - MAX_PAIRS
        note = f"... and {count(more, 'more pair')} (JSON and CSV list all)."
        parts.append(Text(note, style="dim"))
    parts.append(
        Text(
            f"Pairs scoring {threshold} or more; code held by many submissions and template "
            "code are left out of every score.",
            style="dim",
        )
    )
    return Group(*parts)


def _clusters(report: CrossReport) -> RenderableType:
    lines: list[RenderableType] = [Text("Clusters", style="bold underline")]
    for cluster in report.clusters:
        members = cluster.members[:MAX_CLUSTER_MEMBERS]
        more = len(cluster.members) - len(members)
        listed = ", ".join(members) + (f", ... (+{more})" if more else "")
        lines.append(
            Text.assemble(
                (f"  {cluster.id}. ", "bold"),
                f"{count(len(cluster.members), 'submission')}, best pair {cluster.max_score:.2f}: ",
                Text(listed),
            )
        )
    return Group(*lines)


def _shared(report: CrossReport) -> RenderableType:
    kinds = Counter(item.kind for item in report.shared)
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items()))
    lines: list[RenderableType] = [
        Text("Shared, template and generated code", style="bold underline"),
        Text(f"{count(len(report.shared), 'file')} left out as evidence of copying: {summary}."),
    ]
    for item in report.shared[:MAX_SHARED]:
        held = f", in {item.submissions} submissions" if item.submissions else ""
        lines.append(Text(f"  {item.kind:<9} {item.path} ({item.share:.0%} of it{held})"))
    if len(report.shared) > MAX_SHARED:
        lines.append(Text(f"  ... and {len(report.shared) - MAX_SHARED} more.", style="dim"))
    return Group(*lines)
