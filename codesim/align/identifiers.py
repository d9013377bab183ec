"""The identifier map: which name became which, read off aligned placeholder tokens.

A renamed copy shows a consistent bijection (``Resampler -> Projection`` every time);
independent code that happens to align shows scattered, inconsistent pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Renaming:
    """``left`` appears as ``right`` in ``count`` aligned uses; ``consistency`` is the share
    of all aligned uses of ``left`` (in that role) that became ``right``."""

    left: str
    right: str
    role: str
    count: int
    consistency: float


def identifier_map(pairs: Iterable[tuple[str, str, str]]) -> list[Renaming]:
    """Aggregate aligned ``(role, left name, right name)`` occurrences into renamings.

    Sorted with real renamings (left differs from right) first, then by count.
    """
    return _renamings(Counter(pairs))


def merge_renamings(renamings: Iterable[Renaming]) -> list[Renaming]:
    """Combine renamings from several pairs, recomputing consistency over all of them."""
    counts: Counter[tuple[str, str, str]] = Counter()
    for item in renamings:
        counts[item.role, item.left, item.right] += item.count
    return _renamings(counts)


def _renamings(counts: Counter[tuple[str, str, str]]) -> list[Renaming]:
    totals: Counter[tuple[str, str]] = Counter()
    for (role, left, _), count in counts.items():
        totals[role, left] += count
    merged = [
        Renaming(left, right, role, count, round(count / totals[role, left], 6))
        for (role, left, right), count in counts.items()
    ]
    merged.sort(key=lambda r: (r.left == r.right, -r.count, r.role, r.left, r.right))
    return merged
