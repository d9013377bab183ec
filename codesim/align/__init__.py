"""Align two canonical token streams: fragments, scores and the identifier map."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from codesim.align.fragments import (
    Tile,
    maximal_matches,
    source_order_rank,
    source_pieces,
    tile,
)
from codesim.align.identifiers import Renaming, identifier_map, merge_renamings
from codesim.align.score import Scores, score
from codesim.align.seeds import KgramTable, kgram_table, shared_kgrams
from codesim.fingerprint import HashArray

__all__ = [
    "AlignedPair",
    "KgramTable",
    "Renaming",
    "Scores",
    "Stream",
    "Tile",
    "align",
    "kgram_table",
    "merge_renamings",
    "score",
    "source_order_rank",
    "source_pieces",
]


@dataclass(frozen=True, slots=True)
class Stream:
    """What alignment needs of one normalized file.

    ``hashes`` are the symbols' hashes, ``kgrams`` the k-grams over them (sorted for lookup),
    ``roles`` the placeholder role of each token ("" for tokens that are not placeholders) and
    ``texts`` the original names and literal values.
    """

    hashes: HashArray
    kgrams: KgramTable
    roles: list[str]
    texts: list[str]
    placeholders: npt.NDArray[np.int64]
    """Positions of placeholder tokens, ascending."""
    literals: npt.NDArray[np.int64]
    """Positions of literal tokens (strings, numbers), ascending."""

    def __len__(self) -> int:
        return len(self.hashes)


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """The tiles shared by two streams and what they show."""

    tiles: list[Tile]
    matched: int
    longest: int
    renamings: list[Renaming]
    literal_agreement: float
    """Share of aligned literals whose values are equal too (1.0 when none are aligned).
    Copies keep most constants; independent code with the same shape does not."""


def align(left: Stream, right: Stream, *, kgram_size: int, min_match_tokens: int) -> AlignedPair:
    """Tile the two streams with maximal shared fragments of at least ``min_match_tokens``."""
    left_seeds, right_seeds = shared_kgrams(left.kgrams, right.kgrams)
    matches = maximal_matches(left_seeds, right_seeds, left.hashes, right.hashes, kgram_size)
    tiles = tile(matches, len(left), len(right), min_match_tokens)
    matched = sum(t.length for t in tiles)
    longest = max((t.length for t in tiles), default=0)
    return AlignedPair(
        tiles,
        matched,
        longest,
        identifier_map(_aligned_names(left, right, tiles)),
        _literal_agreement(left, right, tiles),
    )


def _aligned(positions: npt.NDArray[np.int64], tiles: list[Tile]) -> list[tuple[int, int]]:
    """``(left, right)`` positions aligned by the tiles, for the given left positions."""
    pairs: list[tuple[int, int]] = []
    for t in tiles:
        lo, hi = np.searchsorted(positions, [t.left, t.left + t.length])
        shift = t.right - t.left
        pairs.extend((i, i + shift) for i in positions[lo:hi].tolist())
    return pairs


def _literal_agreement(left: Stream, right: Stream, tiles: list[Tile]) -> float:
    pairs = _aligned(left.literals, tiles)
    if not pairs:
        return 1.0
    same = sum(1 for i, j in pairs if left.texts[i] == right.texts[j])
    return round(same / len(pairs), 6)


def _aligned_names(left: Stream, right: Stream, tiles: list[Tile]) -> list[tuple[str, str, str]]:
    return [
        (left.roles[i], left.texts[i], right.texts[j])
        for i, j in _aligned(left.placeholders, tiles)
        if right.roles[j]
    ]
