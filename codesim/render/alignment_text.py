"""The terminal form of a repo alignment: what became what, what moved, what is left.

Reading order: how much of each repo is aligned and how much structure survived, which
side's history has the code first, which files were renamed, moved, merged or split, the
unit table (units whose id changed first: those are what a reviewer has to see), merged and
split units, and the unaligned remainder.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group, RenderableType
from rich.text import Text

from codesim.render.tables import count, new_table
from codesim.results import AlignedUnit, FileChange, RepoAlignment

MAX_UNITS = 30
"""Rows of the unit table; a repo has hundreds of units and the JSON report lists all."""

MAX_RENAMES = 3
MAX_UNMATCHED = 12


def alignment_block(alignment: RepoAlignment) -> RenderableType:
    """Everything the alignment says, as one block."""
    parts: list[RenderableType] = [
        Text("Repo alignment", style="bold underline"),
        Text(
            f"Aligned units hold {alignment.left_aligned:.0%} of the left repo's tokens and "
            f"{alignment.right_aligned:.0%} of the right's; "
            f"{alignment.edges_preserved:.0%} of the smaller graph's edges are preserved "
            f"({alignment.preserved_edges:,} of "
            f"{min(alignment.left_edges, alignment.right_edges):,})."
        ),
    ]
    if alignment.direction is not None:
        parts.append(Text.assemble(("History: ", "bold"), Text(alignment.direction.explanation)))
    if alignment.relocation:
        left, right = (folder or "the root" for folder in alignment.relocation)
        parts.append(Text(f"The whole repo moved: {left} on the left is {right} on the right."))
    if alignment.files:
        parts.append(_files(alignment.files))
    if alignment.units:
        parts.append(_units(alignment.units, alignment.files, alignment.relocation))
    for group in alignment.groups:
        parts.append(
            Text.assemble(
                (f"  {group.kind} units: ", "bold"),
                Text(" + ".join(group.left)),
                "  ->  ",
                Text(" + ".join(group.right)),
            )
        )
    for side, names in (("left", alignment.unmatched_left), ("right", alignment.unmatched_right)):
        if names:
            shown = ", ".join(names[:MAX_UNMATCHED])
            hidden = len(names) - MAX_UNMATCHED
            more = f", ... ({hidden} more)" if hidden > 0 else ""
            parts.append(
                Text.assemble(
                    (f"Unaligned on the {side} ({count(len(names), 'unit')}): ", "bold"),
                    Text(shown + more),
                )
            )
    return Group(*parts)


def _files(changes: Sequence[FileChange]) -> RenderableType:
    table = new_table()
    table.add_column("files", no_wrap=True)
    table.add_column("left", overflow="fold", ratio=1)
    table.add_column("right", overflow="fold", ratio=1)
    table.add_column("held", justify="right", no_wrap=True)
    for change in changes:
        table.add_row(
            Text(change.kind),
            Text(" + ".join(change.left)),
            Text(" + ".join(change.right)),
            Text(f"{change.share:.0%}"),
        )
    return table


def _units(
    units: Sequence[AlignedUnit], files: Sequence[FileChange], relocation: Sequence[str]
) -> RenderableType:
    # Units that changed name or moved on their own first (a file's move moves all its
    # units: those say nothing new), then the least similar.
    renamed_files = {c.left[0]: c.right[0] for c in files if c.kind in ("renamed", "moved")}
    old, new = relocation or ["", ""]

    def expected(unit: AlignedUnit) -> bool:
        path, colon, name = unit.left.partition(":")
        if path in renamed_files:
            path = renamed_files[path]
        elif path.startswith(f"{old}/" if old else ""):
            path = "/".join(filter(None, [new, path[len(old) :].lstrip("/")]))
        return unit.right == f"{path}{colon}{name}"

    ranked = sorted(units, key=lambda u: (expected(u), u.similarity, u.left))
    with_renames = any(u.renamed for u in units)
    with_history = any(u.first for u in units)
    table = new_table()
    table.add_column("left unit", overflow="fold", ratio=1)
    table.add_column("right unit", overflow="fold", ratio=1)
    table.add_column("sim.", justify="right", no_wrap=True)
    if with_renames:
        table.add_column("renamed inside", overflow="fold", ratio=1)
    if with_history:
        table.add_column("first", no_wrap=True)
    for unit in ranked[:MAX_UNITS]:
        row = [
            Text(unit.left),
            Text("(same)" if unit.right == unit.left else unit.right),
            Text(f"{unit.similarity:.2f}"),
        ]
        if with_renames:
            renames = ", ".join(f"{r.left} -> {r.right}" for r in unit.renamed[:MAX_RENAMES])
            if len(unit.renamed) > MAX_RENAMES:
                renames += f", +{len(unit.renamed) - MAX_RENAMES}"
            row.append(Text(renames))
        if with_history:
            row.append(Text(unit.first or ""))
        table.add_row(*row)
    parts: list[RenderableType] = [table]
    if len(units) > MAX_UNITS:
        more = len(units) - MAX_UNITS
        note = f"... and {count(more, 'more unit')} (the JSON report lists all)."
        parts.append(Text(note, style="dim"))
    return Group(*parts)
