"""Align two canonical token streams: fragments, scores and the identifier map."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import compress

import numpy as np
import numpy.typing as npt

from codesim import compiled
from codesim.align.fragments import Tile, matched_tiles, source_order_rank, source_pieces
from codesim.align.identifiers import Renaming, identifier_map, merge_renamings
from codesim.align.score import Scores, score
from codesim.align.seeds import KgramTable, kgram_table, shared_kgrams
from codesim.fingerprint import HashArray, unique_sorted

__all__ = [
    "AlignedPair",
    "KgramTable",
    "Renaming",
    "Scores",
    "Stream",
    "Tile",
    "align",
    "aligned_positions",
    "identifier_map",
    "kgram_table",
    "merge_renamings",
    "score",
    "source_order_rank",
    "source_pieces",
    "verify",
]


@dataclass(frozen=True, slots=True)
class Stream:
    """What alignment needs of one normalized file.

    ``hashes`` are the symbols' hashes, ``kgrams`` the k-grams over them (sorted for lookup),
    ``roles`` the placeholder role of each token ("" for tokens that are not placeholders) and
    ``texts`` the original names and the literals' values.
    """

    hashes: HashArray
    kgrams: KgramTable
    roles: list[str]
    texts: list[str]
    placeholders: npt.NDArray[np.int64]
    """Positions of placeholder tokens, ascending."""
    literals: npt.NDArray[np.int64]
    """Positions of literal tokens (strings, numbers), ascending."""
    scopes: list[int]
    """The scope that binds each placeholder (names are only the same name within a scope)."""
    definitions: npt.NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    """Positions of the tokens that open a function or class, ascending."""
    _names: npt.NDArray[np.int64] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def names(self) -> npt.NDArray[np.int64]:
        """Each placeholder's name, ``(binding scope, text)``, as its rank among the stream's
        distinct names in sorted order (-1 for other tokens): integer keys let verification
        count name pairs in bulk, and sorted ranks keep its tie-breaking that of the names
        themselves.

        Ranked on first use: a check aligns about a hundred stored files, and most of them
        share no tile with the checked file, so their names are never looked at.
        """
        if self._names is None:
            names = _ranked_names(self.roles, self.scopes, self.texts)
            object.__setattr__(self, "_names", names)
            return names
        return self._names

    def prepare(self) -> None:
        """Make now what aligning would make on first use: the k-gram lookup and the
        names (so that processes forked afterwards share them instead of each making them)."""
        self.kgrams.lookup  # noqa: B018 (made on first access)
        self.names  # noqa: B018

    def __len__(self) -> int:
        return len(self.hashes)


def _ranked_names(roles: list[str], scopes: list[int], texts: list[str]) -> npt.NDArray[np.int64]:
    """``Stream.names``, compiled where it can be: the names' UTF-8 sorted in C (the 400
    streams of ``cross``'s N = 400 corpus: 44 -> 17 ms)."""
    names = np.empty(len(roles), dtype=np.int64)
    compiled_align = compiled.load(compiled.ALIGN)
    if compiled_align is not None and compiled_align.names(roles, scopes, texts, names):
        return names
    positions = list(compress(range(len(roles)), roles))
    keys = [(scopes[i], texts[i]) for i in positions]
    rank = {key: i for i, key in enumerate(sorted(set(keys)))}
    names.fill(-1)
    names[positions] = [rank[k] for k in keys]
    return names


@dataclass(frozen=True, slots=True)
class AlignedPair:
    """The tiles shared by two streams and what they show.

    The renamings and the literal agreement are read off the streams on first use: most
    aligned pairs only score their sides (``cross``: 588 of 618 tiled pairs at N = 400 were
    never reported), and making them for every pair was a sixth of ``cross``'s comparing
    there (profiled: 0.307 -> 0.258 s).
    """

    tiles: list[Tile]
    matched: int
    longest: int
    left: Stream = field(repr=False, compare=False)
    right: Stream = field(repr=False, compare=False)
    _renamings: list[Renaming] | None = field(default=None, init=False, repr=False, compare=False)
    _literal_agreement: float | None = field(default=None, init=False, repr=False, compare=False)

    @property
    def renamings(self) -> list[Renaming]:
        """The names the tiles align, as renamings (``identifier_map``)."""
        if self._renamings is None:
            found = identifier_map(_aligned_names(self.left, self.right, self.tiles))
            object.__setattr__(self, "_renamings", found)
            return found
        return self._renamings

    @property
    def literal_agreement(self) -> float:
        """Share of aligned literals whose values are equal too (1.0 when none are aligned).
        Copies keep most constants; independent code with the same shape does not."""
        if self._literal_agreement is None:
            found = _literal_agreement(self.left, self.right, self.tiles)
            object.__setattr__(self, "_literal_agreement", found)
            return found
        return self._literal_agreement


def align(left: Stream, right: Stream, *, kgram_size: int, min_match_tokens: int) -> AlignedPair:
    """Tile the two streams with maximal shared fragments of at least ``min_match_tokens``."""
    left_seeds, right_seeds = shared_kgrams(left.kgrams, right.kgrams)
    tiles = verify(
        matched_tiles(
            left_seeds, right_seeds, left.hashes, right.hashes, kgram_size, min_match_tokens
        ),
        left,
        right,
        min_match_tokens,
    )
    matched = sum(t.length for t in tiles)
    longest = max((t.length for t in tiles), default=0)
    return AlignedPair(tiles, matched, longest, left, right)


def verify(tiles: list[Tile], left: Stream, right: Stream, min_match_tokens: int) -> list[Tile]:
    """Cut tiles where the names or the constants they align say "not a copy".

    A copy renames consistently: each name bound on the left corresponds to one name on the
    right, and back.  The pair's renaming is read off all tiles by majority, per binding
    scope; a placeholder aligned against the majority in either direction is where a tile ran
    past the copied code (into the next definition) or where unrelated code merely has the same
    shape.  Likewise a tile whose aligned literals mostly differ in value (two unrelated tables
    of strings) is cut at each differing literal.  Tiles are cut there, and the pieces shorter
    than ``min_match_tokens`` are dropped.
    """
    if not tiles:
        return []
    compiled_align = compiled.load(compiled.ALIGN)
    if compiled_align is not None:
        # One call where numpy made dozens on a handful of tiles (the Python code was 0.138
        # of the 0.223 s of aligning at N = 400, profiled).  None leaves it to the code
        # below (a placeholder without a name).
        found = compiled_align.verify(
            np.array([t.left for t in tiles], dtype=np.int64),
            np.array([t.right for t in tiles], dtype=np.int64),
            np.array([t.length for t in tiles], dtype=np.int64),
            np.ascontiguousarray(left.literals, dtype=np.int64),
            np.ascontiguousarray(left.placeholders, dtype=np.int64),
            np.ascontiguousarray(left.definitions, dtype=np.int64),
            left.texts,
            right.texts,
            left.names,
            right.names,
            len(left),
            len(right),
            min_match_tokens,
            LITERAL_EVIDENCE,
            LITERAL_AGREEMENT,
        )
        if found is not None:
            lefts, rights, lengths = (np.frombuffer(part, dtype=np.int64) for part in found)
            return [
                Tile(i, j, n)
                for i, j, n in zip(lefts.tolist(), rights.tolist(), lengths.tolist(), strict=True)
            ]
    conflicts = unique_sorted(
        np.concatenate(
            (
                _literal_conflicts(tiles, left, right),
                _name_conflicts(aligned_positions(left.placeholders, tiles), left, right),
            )
        )
    )
    kept: list[Tile] = []
    for t in tiles:
        start = t.left
        end = t.left + t.length
        cuts = conflicts[np.searchsorted(conflicts, start) : np.searchsorted(conflicts, end)]
        for cut in [*cuts.tolist(), end]:
            if cut - start >= min_match_tokens:
                piece = Tile(start, t.right + start - t.left, cut - start)
                kept.extend(_trim_at_definition(piece, left, right, min_match_tokens))
            start = cut + 1
    return kept


def _trim_at_definition(
    tile: Tile, left: Stream, right: Stream, min_match_tokens: int
) -> list[Tile]:
    """Trim a tile's short run into the next definition.

    Definitions are put in a canonical order, and where that order differs between a copy
    and its original, a tile matching the end of one function runs on over the shape of the
    next definition's header (``def f(self, a):``), pairing two unrelated names.  A tile that
    ends less than ``min_match_tokens`` after a definition starts is cut back to it, unless it
    ends where a stream ends (then the short definition matched whole).
    """
    end = tile.left + tile.length
    if end == len(left) or tile.right + tile.length == len(right):
        return [tile]
    heads = left.definitions
    index = int(np.searchsorted(heads, end)) - 1
    if index < 0 or heads[index] <= tile.left or end - heads[index] >= min_match_tokens:
        return [tile]
    length = int(heads[index]) - tile.left
    return [Tile(tile.left, tile.right, length)] if length >= min_match_tokens else []


LITERAL_EVIDENCE = 3
"""A tile needs at least this many aligned literals before their values can veto it."""

LITERAL_AGREEMENT = 0.5
"""Below this share of equal values, a tile's differing literals cut it: a copy keeps most of
its constants, while two unrelated tables of strings share only their shape."""


def _literal_conflicts(tiles: list[Tile], left: Stream, right: Stream) -> npt.NDArray[np.int64]:
    """Left positions of the differing literals of each tile whose literals mostly differ
    (with at least ``LITERAL_EVIDENCE`` of them)."""
    positions, partners, rows = _aligned_rows(left.literals, tiles)
    if not len(positions):
        return positions
    texts, other = left.texts, right.texts
    differ = np.array(
        [texts[i] != other[j] for i, j in zip(positions.tolist(), partners.tolist(), strict=True)],
        dtype=bool,
    )
    aligned = np.bincount(rows, minlength=len(tiles))
    differing = np.bincount(rows[differ], minlength=len(tiles))
    vetoed = (aligned >= LITERAL_EVIDENCE) & (differing > (1 - LITERAL_AGREEMENT) * aligned)
    conflicts: npt.NDArray[np.int64] = positions[differ & vetoed[rows]]
    return conflicts


def _name_conflicts(
    aligned: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]], left: Stream, right: Stream
) -> npt.NDArray[np.int64]:
    """Left positions whose aligned names break the pair's majority renaming.

    For each left name the right name it meets most often (ties: the smallest), and back; an
    aligned placeholder is a conflict when it meets anything else, or a non-placeholder.
    """
    positions, partners = aligned
    one = left.names[positions]
    two = right.names[partners]
    named = two >= 0
    width = len(right.names) + 1
    codes, counts = np.unique(one[named] * width + two[named], return_counts=True)
    firsts, seconds = codes // width, codes % width
    forward = _majority(firsts, seconds, counts, len(left.names))
    backward = _majority(seconds, firsts, counts, len(right.names))
    broken = ~named
    broken[named] = (forward[one[named]] != two[named]) | (backward[two[named]] != one[named])
    return positions[broken]


def _majority(
    keys: npt.NDArray[np.int64],
    values: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    size: int,
) -> npt.NDArray[np.int64]:
    """For each key, the value counted most often with it (ties: the smallest); -1 if none."""
    order = np.lexsort((values, -counts, keys))
    keys, values = keys[order], values[order]
    first = np.ones(len(keys), dtype=bool)
    first[1:] = keys[1:] != keys[:-1]
    best = np.full(size, -1, dtype=np.int64)
    best[keys[first]] = values[first]
    return best


def aligned_positions(
    positions: npt.NDArray[np.int64], tiles: list[Tile]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(left, right)`` positions aligned by the tiles, for the given left positions."""
    left, right, _ = _aligned_rows(positions, tiles)
    return left, right


def _aligned_rows(
    positions: npt.NDArray[np.int64], tiles: list[Tile]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``aligned_positions``, and the tile aligning each."""
    if not tiles or not len(positions):
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    starts = np.array([t.left for t in tiles], dtype=np.int64)
    ends = starts + np.array([t.length for t in tiles], dtype=np.int64)
    shifts = np.array([t.right - t.left for t in tiles], dtype=np.int64)
    lo = np.searchsorted(positions, starts)
    counts = np.searchsorted(positions, ends) - lo
    # One index per aligned position: tile ``rows[k]``, offset ``k`` within the run of hits.
    rows = np.repeat(np.arange(len(tiles)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    left = positions[lo[rows] + offsets]
    return left, left + shifts[rows], rows


def _literal_agreement(left: Stream, right: Stream, tiles: list[Tile]) -> float:
    positions, partners = aligned_positions(left.literals, tiles)
    if not len(positions):
        return 1.0
    texts, other = left.texts, right.texts
    same = sum(
        1
        for i, j in zip(positions.tolist(), partners.tolist(), strict=True)
        if texts[i] == other[j]
    )
    return round(same / len(positions), 6)


def _aligned_names(left: Stream, right: Stream, tiles: list[Tile]) -> list[tuple[str, str, str]]:
    if not tiles:
        return []
    positions, partners = aligned_positions(left.placeholders, tiles)
    named = right.names[partners] >= 0
    roles, texts, other = left.roles, left.texts, right.texts
    return [
        (roles[i], texts[i], other[j])
        for i, j in zip(positions[named].tolist(), partners[named].tolist(), strict=True)
    ]
