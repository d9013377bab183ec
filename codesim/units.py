"""Units: the module body, classes and functions a file is matched and indexed by.

Every token has exactly one innermost owner (a method's tokens belong to the method, not to its
class).  A unit with fewer tokens than a k-gram has no fingerprint of its own (an empty
signature would collide with every other), so it is folded into its parent.
"""

from __future__ import annotations

from dataclasses import replace

from codesim.tokens import TokenStream, Unit


def fold_small_units(stream: TokenStream, min_tokens: int) -> TokenStream:
    """The same stream with units under ``min_tokens`` tokens merged into their parents.

    Units come in pre-order (parents before children), so one backward sweep folds a chain
    of small nested units all the way up.  The module unit (index 0) is never folded.
    """
    units = stream.units
    counts = [unit.tokens for unit in units]
    target = list(range(len(units)))
    for index in range(len(units) - 1, 0, -1):
        if counts[index] < min_tokens:
            parent = units[index].parent
            counts[parent] += counts[index]
            counts[index] = 0
            target[index] = parent
    # Resolve chains: a folded unit points at its parent, which may itself be folded.
    for index in range(len(units)):
        while target[target[index]] != target[index]:
            target[index] = target[target[index]]
    kept = [index for index in range(len(units)) if target[index] == index]
    if len(kept) == len(units):
        return stream  # nothing to fold: most files, whose every unit is long enough
    renumber = {old: new for new, old in enumerate(kept)}
    # Made directly: ``dataclasses.replace`` looks the fields up again for every unit.
    new_units = []
    for old in kept:
        unit = units[old]
        parent = renumber[target[unit.parent]] if old else -1
        new_units.append(
            Unit(unit.name, unit.kind, parent, unit.start_byte, unit.end_byte, counts[old])
        )
    # Each unit's new number, looked up per token in C (``map``) rather than in a loop.
    moved = [renumber[target[index]] for index in range(len(units))]
    owners = list(map(moved.__getitem__, stream.owners))
    return replace(stream, owners=owners, units=new_units)
