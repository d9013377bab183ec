"""Canonicalization passes over the statement IR.

Each pass rewrites blocks in place so that two spellings of the same program end as one
canonical statement sequence.  Passes only reorder, split or drop statements and repeat
existing tokens; they never invent tokens, so spans stay exact.
"""

from __future__ import annotations

from codesim.normalize import ir
from codesim.normalize.ir import Block, Program, Statement


def run_passes(program: Program) -> None:
    """Apply every pass, in order, to the whole program."""
    split_tuple_assignments(program)


def split_tuple_assignments(program: Program) -> None:
    """``a, b = x, y`` becomes ``a = x`` then ``b = y`` where that means the same.

    The canonical form is the split one, so a copier merging statements into tuple assignments
    and one splitting tuple assignments both land on it.  Splitting is sound when no value reads
    a target assigned before it (``a, b = b, a`` stays a swap).
    """
    texts = program.tokens.texts
    modes = program.tokens.modes
    for block in _blocks(program.root):
        rewritten: list[Statement] = []
        changed = False
        for statement in block.statements:
            parts = statement.parts
            if parts is None or not _split_is_sound(parts, texts, modes):
                rewritten.append(statement)
                continue
            changed = True
            head = range(parts.head, parts.head + 1)
            for target, value in zip(parts.targets, parts.values, strict=True):
                rewritten.append(Statement(statement.kind, segments=[head, target, value]))
        if changed:
            block.statements = rewritten


def _split_is_sound(parts: ir.TupleParts, texts: list[str], modes: list[int]) -> bool:
    target_names: list[str] = []
    for target in parts.targets:
        # The last identifier of a target is what it writes (``x`` of ``self.x``).
        written = [texts[i] for i in target if modes[i] > ir.MODE_NONE]
        if not written:
            return False
        target_names.append(written[-1])
    if len(set(target_names)) != len(target_names):
        return False
    for later, value in enumerate(parts.values):
        read = {texts[i] for i in value if modes[i] > ir.MODE_NONE}
        if any(name in read for name in target_names[:later]):
            return False
    return True


def _blocks(root: Block) -> list[Block]:
    """Every block of the program, outermost first (iterative)."""
    found = [root]
    stack: list[Block] = [root]
    while stack:
        block = stack.pop()
        for statement in block.statements:
            for segment in statement.segments:
                if isinstance(segment, Block):
                    found.append(segment)
                    stack.append(segment)
    return found
