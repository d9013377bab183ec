"""From seeds to fragments: maximal runs, extended, then tiled greedily without overlap.

Seeds on one diagonal (``i - j`` constant) at consecutive positions are one run of equal
k-grams, hence a match of ``run + k - 1`` tokens.  Runs are extended token by token where a
seed was missing (over-frequent k-grams), and then tiled as in greedy string tiling (Wise,
"Running Karp-Rabin matching and greedy string tiling", 1993): the longest match is taken
first, and a match overlapping taken tokens gives up only its overlapping part.  With seeds
in hand the whole step costs O(seeds log seeds) instead of GST's cubic worst case.
"""

from __future__ import annotations

import heapq
import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from codesim import compiled
from codesim.align.seeds import IndexArray
from codesim.fingerprint import HashArray

_CHUNK = 64


@dataclass(frozen=True, slots=True)
class Tile:
    """``length`` tokens equal on both sides, from ``left`` and ``right`` onwards."""

    left: int
    right: int
    length: int


def matched_tiles(
    left_seeds: IndexArray,
    right_seeds: IndexArray,
    left: HashArray,
    right: HashArray,
    k: int,
    min_length: int,
) -> list[Tile]:
    """The tiles of two streams from their seeds: ``tile`` of their ``maximal_matches``
    (matches shorter than ``min_length`` would never become tiles), compiled when built."""
    compiled_align = compiled.load(compiled.ALIGN)
    if compiled_align is None:
        matches = maximal_matches(left_seeds, right_seeds, left, right, k, min_length)
        return tile(matches, len(left), len(right), min_length)
    # Seeds to tiles in one C call: the numpy passes and the heap of Python tuples below
    # were a third of aligning a file pair.
    lefts, rights, lengths = compiled_align.tiles(
        np.ascontiguousarray(left_seeds, dtype=np.int64),
        np.ascontiguousarray(right_seeds, dtype=np.int64),
        left,
        right,
        k,
        min_length,
    )
    return [
        Tile(a, b, c)
        for a, b, c in zip(
            np.frombuffer(lefts, dtype=np.int64).tolist(),
            np.frombuffer(rights, dtype=np.int64).tolist(),
            np.frombuffer(lengths, dtype=np.int64).tolist(),
            strict=True,
        )
    ]


def maximal_matches(
    left_seeds: IndexArray,
    right_seeds: IndexArray,
    left: HashArray,
    right: HashArray,
    k: int,
    min_length: int = 0,
) -> list[Tile]:
    """Every maximal match that contains a seed, once, sorted; those shorter than
    ``min_length`` left out."""
    if len(left_seeds) == 0:
        return []
    diagonals = left_seeds - right_seeds
    order = np.lexsort((left_seeds, diagonals))
    diag = diagonals[order]
    starts_left = left_seeds[order]
    # A new run begins where the diagonal changes or the position does not follow on.
    breaks = np.ones(len(order), dtype=bool)
    breaks[1:] = (diag[1:] != diag[:-1]) | (starts_left[1:] != starts_left[:-1] + 1)
    run_starts = np.nonzero(breaks)[0]
    run_ends = np.append(run_starts[1:], len(order)) - 1
    i = starts_left[run_starts]
    j = i - diag[run_starts]
    length = starts_left[run_ends] - i + k
    # Most runs are maximal already (every k-gram was seeded): only the others are grown.
    runs = np.flatnonzero(_extensible(left, right, i, j, length))
    back = _agreement(left, right, i[runs] - 1, j[runs] - 1, -1)
    ahead = _agreement(left, right, i[runs] + length[runs], j[runs] + length[runs], 1)
    i[runs] -= back
    j[runs] -= back
    length[runs] += back + ahead
    return _distinct_tiles(i, j, length, min_length)


def _extensible(
    left: HashArray, right: HashArray, i: IndexArray, j: IndexArray, length: IndexArray
) -> npt.NDArray[np.bool_]:
    """Which matches ``(i, j, length)`` the tokens just before or just after them extend."""
    before = (i > 0) & (j > 0)
    before[before] = left[i[before] - 1] == right[j[before] - 1]
    end_left, end_right = i + length, j + length
    after = (end_left < len(left)) & (end_right < len(right))
    after[after] = left[end_left[after]] == right[end_right[after]]
    grows: npt.NDArray[np.bool_] = before | after
    return grows


def _distinct_tiles(
    i: IndexArray, j: IndexArray, length: IndexArray, min_length: int
) -> list[Tile]:
    """The matches at least ``min_length`` long, each once, in ``(left, right, length)``
    order (two runs on one diagonal may grow into the same match)."""
    order = np.lexsort((length, j, i))
    i, j, length = i[order], j[order], length[order]
    new = np.ones(len(i), dtype=bool)
    new[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1]) | (length[1:] != length[:-1])
    keep = new & (length >= min_length)
    return [
        Tile(a, b, c)
        for a, b, c in zip(i[keep].tolist(), j[keep].tolist(), length[keep].tolist(), strict=True)
    ]


def _agreement(
    left: HashArray, right: HashArray, at_left: IndexArray, at_right: IndexArray, step: int
) -> IndexArray:
    """For each pair of positions, how many tokens agree from there on, going ``step`` (1:
    forwards, -1: backwards) until they differ or a stream ends; all pairs a chunk at a
    time."""
    agreed = np.zeros(len(at_left), dtype=np.int64)
    active = np.arange(len(at_left))
    offsets = np.arange(_CHUNK) * step
    while len(active):
        one = (at_left[active] + agreed[active] * step)[:, None] + offsets
        two = (at_right[active] + agreed[active] * step)[:, None] + offsets
        inside = (one >= 0) & (one < len(left)) & (two >= 0) & (two < len(right))
        same = inside & (
            left[np.clip(one, 0, len(left) - 1)] == right[np.clip(two, 0, len(right) - 1)]
        )
        whole = same.all(axis=1)
        agreed[active] += np.where(whole, _CHUNK, np.argmin(same, axis=1))
        active = active[whole]
    return agreed


def tile(matches: list[Tile], left_size: int, right_size: int, min_length: int) -> list[Tile]:
    """Non-overlapping tiles, longest first; tiles shorter than ``min_length`` are dropped.

    A match that overlaps tokens already tiled is cut into its untiled pieces, and the pieces
    that are still long enough compete again (a heap keeps "longest first" exact).
    """
    left_taken = np.zeros(left_size, dtype=bool)
    right_taken = np.zeros(right_size, dtype=bool)
    heap = [(-m.length, m.left, m.right) for m in matches if m.length >= min_length]
    heapq.heapify(heap)
    tiles: list[Tile] = []
    while heap:
        negative, i, j = heapq.heappop(heap)
        length = -negative
        taken: npt.NDArray[np.bool_] = left_taken[i : i + length] | right_taken[j : j + length]
        if not taken.any():
            left_taken[i : i + length] = True
            right_taken[j : j + length] = True
            tiles.append(Tile(i, j, length))
            continue
        for start, stop in _free_runs(taken):
            if stop - start >= min_length:
                heapq.heappush(heap, (start - stop, i + start, j + start))
    tiles.sort(key=lambda t: (t.left, t.right))
    return tiles


MIN_PIECE_TOKENS = 8
"""Pieces shorter than this are not reported on their own: they are merged into the piece
before them when they continue it in source order on both sides (a split tuple assignment),
and otherwise left out of the evidence (they still count in the score)."""

_NEAR_TOKENS = 4


def source_order_rank(start_bytes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """For each canonical position, its rank when the tokens are sorted by source position."""
    order = np.argsort(start_bytes, kind="stable")
    rank = np.empty(len(start_bytes), dtype=np.int64)
    rank[order] = np.arange(len(start_bytes))
    return rank


def source_pieces(
    tile: Tile, left_rank: npt.NDArray[np.int64], right_rank: npt.NDArray[np.int64]
) -> list[tuple[int, int]]:
    """Split a tile where either side stops following its source order.

    Canonical order is not always source order (statements are reordered, tuple assignments
    split), so the span of a whole tile could claim code between its parts that did not
    match.  Returns ``[start, stop)`` offsets into the tile, each a run that reads in source
    order on both sides, give or take a few tokens of local disorder.
    """
    left = left_rank[tile.left : tile.left + tile.length]
    right = right_rank[tile.right : tile.right + tile.length]
    breaks = np.nonzero((np.diff(left) != 1) | (np.diff(right) != 1))[0] + 1
    bounds = [0, *breaks.tolist(), tile.length]
    pieces: list[tuple[int, int]] = []
    for start, stop in itertools.pairwise(bounds):
        if pieces and _continues(pieces[-1], (start, stop), left, right):
            pieces[-1] = (pieces[-1][0], stop)
        else:
            pieces.append((start, stop))
    return [(start, stop) for start, stop in pieces if stop - start >= MIN_PIECE_TOKENS]


def _continues(
    previous: tuple[int, int],
    piece: tuple[int, int],
    left: npt.NDArray[np.int64],
    right: npt.NDArray[np.int64],
) -> bool:
    """Whether a short piece sits within a few tokens of the piece before it, on both sides."""
    if min(piece[1] - piece[0], previous[1] - previous[0]) >= MIN_PIECE_TOKENS:
        return False
    for ranks in (left, right):
        before = ranks[previous[0] : previous[1]]
        here = ranks[piece[0] : piece[1]]
        if here.min() > before.max() + _NEAR_TOKENS or here.max() < before.min() - _NEAR_TOKENS:
            return False
    return True


def _free_runs(taken: npt.NDArray[np.bool_]) -> list[tuple[int, int]]:
    """``[start, stop)`` ranges where ``taken`` is False."""
    padded = np.concatenate(([True], taken, [True]))
    # Taken at both ends, so changes alternate: a free run starts, then stops.
    changes = np.flatnonzero(padded[1:] != padded[:-1]).tolist()
    return list(zip(changes[::2], changes[1::2], strict=True))
