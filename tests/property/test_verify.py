"""Verification's literal veto in bulk against the rule applied tile by tile."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim.align import (
    LITERAL_AGREEMENT,
    LITERAL_EVIDENCE,
    Stream,
    Tile,
    aligned_positions,
    kgram_table,
)
from codesim.align import _literal_conflicts as literal_conflicts

SIZE = 60


def stream_of(texts: list[str], literals: list[int]) -> Stream:
    empty = np.empty(0, dtype=np.int64)
    return Stream(
        np.zeros(SIZE, dtype=np.uint64),
        kgram_table(np.empty(0, dtype=np.uint64)),  # the veto reads no k-grams
        [""] * SIZE,
        texts,
        empty,
        np.array(sorted(set(literals)), dtype=np.int64),
        [0] * SIZE,
    )


def tile_by_tile(tiles: list[Tile], left: Stream, right: Stream) -> list[int]:
    """The veto as first written: each tile's aligned literals on their own."""
    conflicts: list[int] = []
    for t in tiles:
        positions, partners = aligned_positions(left.literals, [t])
        if len(positions) < LITERAL_EVIDENCE:
            continue
        differing = [
            i
            for i, j in zip(positions.tolist(), partners.tolist(), strict=True)
            if left.texts[i] != right.texts[j]
        ]
        if len(differing) > (1 - LITERAL_AGREEMENT) * len(positions):
            conflicts.extend(differing)
    return sorted(conflicts)


texts = st.lists(st.sampled_from(["1", "2", "'a'"]), min_size=SIZE, max_size=SIZE)
positions = st.lists(st.integers(0, SIZE - 1), max_size=40)
tiles = st.lists(
    st.tuples(st.integers(0, SIZE - 1), st.integers(0, SIZE - 1), st.integers(1, 30)).map(
        lambda t: Tile(t[0], t[1], min(t[2], SIZE - max(t[0], t[1])))
    ),
    max_size=6,
)


@settings(max_examples=300)
@given(texts, texts, positions, tiles)
def test_the_literal_veto_cuts_as_tile_by_tile(left_texts, right_texts, literals, found):
    left, right = stream_of(left_texts, literals), stream_of(right_texts, [])
    assert sorted(literal_conflicts(found, left, right).tolist()) == tile_by_tile(
        found, left, right
    )
