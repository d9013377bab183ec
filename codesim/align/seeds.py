"""Seeds: pairs of positions where the two streams share a k-gram."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from codesim import compiled
from codesim.fingerprint import HashArray, in_sorted

IndexArray = npt.NDArray[np.int64]

MAX_OCCURRENCES = 24
"""A k-gram found more often than this on either side is paired by rank only (its t-th
occurrence on the left with its t-th on the right) instead of every occurrence with every
other: repetitive code (test tables, generated constants) would otherwise yield a quadratic
number of seeds.  Rank pairing still seeds a copy of a repetitive region, and extension plus
neighbouring rarer k-grams recover the rest."""


class KgramLookup(NamedTuple):
    """A stream's k-grams sorted for lookup: ``order`` sorts ``KgramTable.kgrams`` into
    ``sorted``; ``counts[i]`` is how often the k-gram at position ``i`` occurs in the stream
    and ``rank[i]`` how many equal k-grams come before position ``i``; ``sorted_counts`` is
    ``counts`` in sorted order."""

    order: IndexArray
    sorted: HashArray
    counts: IndexArray
    rank: IndexArray
    sorted_counts: IndexArray


@dataclass(frozen=True, slots=True)
class KgramTable:
    """One stream's k-grams, and (``lookup``) the same sorted and counted: built on first use,
    once per file, and reused for every pair the file is aligned in."""

    kgrams: HashArray
    _lookup: KgramLookup | None = field(default=None, init=False, repr=False, compare=False)

    def __reduce__(self) -> tuple[type[KgramTable], tuple[HashArray]]:
        # Sent between processes as the k-grams alone: the lookup is five times their size
        # (cross at N = 400: 14 of the 40 MB its reading workers pickled), and the receiver
        # sorts them again faster than it would unpickle the lookup (``cross``'s parent does
        # it while the workers read: ``Stream.prepare``).
        return (KgramTable, (self.kgrams,))

    @property
    def lookup(self) -> KgramLookup:
        """The k-grams sorted and counted (made on first use)."""
        if self._lookup is None:
            made = _lookup(self.kgrams)
            object.__setattr__(self, "_lookup", made)
            return made
        return self._lookup


def kgram_table(kgrams: HashArray) -> KgramTable:
    """A stream's k-grams, to be sorted and counted on first use (``KgramTable.lookup``)."""
    return KgramTable(np.ascontiguousarray(kgrams, dtype=np.uint64))


def _lookup(kgrams: HashArray) -> KgramLookup:
    """Sort a stream's k-grams and count their repetitions."""
    size = len(kgrams)
    compiled_align = compiled.load(compiled.ALIGN)
    if compiled_align is not None:
        # One call where numpy made a dozen on a file of about a thousand k-grams.
        order, counts, rank, sorted_counts = (np.empty(size, dtype=np.int64) for _ in range(4))
        ordered = np.empty(size, dtype=np.uint64)
        compiled_align.kgram_table(kgrams, order, ordered, counts, rank, sorted_counts)
        return KgramLookup(order, ordered, counts, rank, sorted_counts)
    order = np.argsort(kgrams, kind="stable").astype(np.int64)
    ordered = kgrams[order]
    # Runs of equal values in sorted order, found in one pass rather than a binary search
    # per k-gram.
    first = np.ones(size, dtype=bool)
    first[1:] = ordered[1:] != ordered[:-1]
    starts = np.flatnonzero(first)
    runs = np.diff(starts, append=size)
    sorted_counts = np.repeat(runs, runs)
    counts = np.empty(size, dtype=np.int64)
    counts[order] = sorted_counts
    rank = np.empty(size, dtype=np.int64)
    rank[order] = np.arange(size) - np.repeat(starts, runs)
    return KgramLookup(order, ordered, counts, rank, sorted_counts)


def shared_kgrams(left_table: KgramTable, right_table: KgramTable) -> tuple[IndexArray, IndexArray]:
    """Positions ``(i, j)`` with equal k-grams on both sides (see ``MAX_OCCURRENCES``)."""
    empty = np.empty(0, dtype=np.int64)
    if len(left_table.kgrams) == 0 or len(right_table.kgrams) == 0:
        return empty, empty
    left, right = left_table.lookup, right_table.lookup
    compiled_align = compiled.load(compiled.ALIGN)
    if compiled_align is not None:
        # One merge of the two sorted arrays, where the code below binary-searches each
        # k-gram and then makes several passes over the hits.
        lefts, rights = compiled_align.shared_kgrams(
            left.sorted,
            left.order,
            left.sorted_counts,
            right.sorted,
            right.order,
            right.counts,
            right.rank,
            MAX_OCCURRENCES,
        )
        return np.frombuffer(lefts, dtype=np.int64), np.frombuffer(rights, dtype=np.int64)
    # Searching the right side's k-grams in sorted order is several times faster than in
    # stream order: each binary search starts from where the last one ended, in cache.
    starts = np.searchsorted(left.sorted, right.sorted, side="left")
    # Where a value is present, the run starting there has the left side's count of it.
    hits = np.flatnonzero(left.sorted[np.minimum(starts, len(left.sorted) - 1)] == right.sorted)
    # From here on only the shared k-grams (most pairs share few), back in stream order.
    by_position = np.argsort(right.order[hits])
    js = right.order[hits][by_position]
    lo = starts[hits][by_position]
    left_counts = left.sorted_counts[lo]

    frequent = (left_counts > MAX_OCCURRENCES) | (right.counts[js] > MAX_OCCURRENCES)
    paired = frequent & (right.rank[js] < left_counts)
    ranked = js[paired]
    ranked_left = left.order[lo[paired] + right.rank[ranked]]

    every = ~frequent
    counts = left_counts[every]
    rows = np.repeat(np.arange(len(counts)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    all_left = left.order[lo[every][rows] + offsets]
    return (
        np.concatenate((all_left, ranked_left)).astype(np.int64),
        np.concatenate((js[every][rows], ranked)).astype(np.int64),
    )


def kgram_covers(
    left: KgramTable,
    right: KgramTable,
    k: int,
    left_out: npt.NDArray[np.bool_],
    right_out: npt.NDArray[np.bool_],
) -> None:
    """Set ``left_out`` and ``right_out`` (a flag a token of each stream) for every token
    inside a k-gram both streams have, leaving the rest as it is.

    What a tile between the two streams matches lies within it, on each side: a tile lies in
    a maximal match, a run of at least ``k`` equal tokens grown from a shared k-gram, each of
    whose tokens is inside one of the match's own k-grams, which both streams have.  So it
    bounds a pair's score before the pair is aligned (``cross``), for one merge of the
    sorted k-grams.
    """
    if len(left.kgrams) == 0 or len(right.kgrams) == 0:
        return
    mine, theirs = left.lookup, right.lookup
    compiled_align = compiled.load(compiled.ALIGN)
    if compiled_align is not None:
        compiled_align.kgram_covers(
            mine.sorted,
            mine.order,
            theirs.sorted,
            theirs.order,
            k,
            left_out.view(np.uint8),
            right_out.view(np.uint8),
        )
        return
    # Each side covered by the other's k-grams: what the compiled merge makes in one pass.
    kgram_cover(left, theirs.sorted, k, left_out)
    kgram_cover(right, mine.sorted, k, right_out)


def kgram_cover(table: KgramTable, values: HashArray, k: int, out: npt.NDArray[np.bool_]) -> None:
    """Set ``out`` (a flag a token of ``table``'s stream) for every token inside a k-gram
    whose hash is one of ``values`` (sorted), leaving the rest as it is: ``cross``'s
    shared-code mask."""
    if len(table.kgrams) == 0 or len(values) == 0:
        return
    mine = table.lookup
    compiled_align = compiled.load(compiled.ALIGN)
    if compiled_align is not None:
        compiled_align.kgram_cover(mine.sorted, mine.order, values, k, out.view(np.uint8))
        return
    out |= _covered_tokens(mine.order[in_sorted(mine.sorted, values)], k, len(out))


def _covered_tokens(starts: IndexArray, k: int, tokens: int) -> npt.NDArray[np.bool_]:
    """Which of ``tokens`` tokens lie inside a k-gram starting at one of ``starts``."""
    if not len(starts):
        return np.zeros(tokens, dtype=bool)
    # +1 where a covered run starts, -1 where it ends; a running sum > 0 is covered.
    edges = np.bincount(starts, minlength=tokens + 1) - np.bincount(
        np.minimum(starts + k, tokens), minlength=tokens + 1
    )
    covered: npt.NDArray[np.bool_] = np.cumsum(edges[:-1]) > 0
    return covered
