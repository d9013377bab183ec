"""Verification's literal veto in bulk against the rule applied tile by tile, and the compiled
verification against the Python code."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim import compiled
from codesim.align import (
    LITERAL_AGREEMENT,
    LITERAL_EVIDENCE,
    Stream,
    Tile,
    _ranked_names,
    aligned_positions,
    kgram_table,
    verify,
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


@st.composite
def named_streams(draw: st.DrawFn) -> Stream:
    size = draw(st.integers(1, 80))
    roles = draw(
        st.lists(st.sampled_from(["", "", "LOCAL", "PARAM", "ATTR"]), min_size=size, max_size=size)
    )
    words = draw(
        st.lists(st.sampled_from(["a", "b", "c", "1", "2", "'x'"]), min_size=size, max_size=size)
    )
    scopes = draw(st.lists(st.integers(0, 2), min_size=size, max_size=size))
    placeholders = [i for i, role in enumerate(roles) if role]
    unnamed: bool = draw(st.booleans()) and draw(st.booleans())
    if placeholders and unnamed:
        # A placeholder position without a role: the compiled code leaves it to Python.
        placeholders = sorted({*placeholders, draw(st.integers(0, size - 1))})
    literals = sorted(set(draw(st.lists(st.integers(0, size - 1), max_size=size // 2))))
    definitions = sorted(set(draw(st.lists(st.integers(0, size - 1), max_size=5))))
    return Stream(
        np.zeros(size, dtype=np.uint64),
        kgram_table(np.empty(0, dtype=np.uint64)),
        roles,
        words,
        np.array(placeholders, dtype=np.int64),
        np.array(literals, dtype=np.int64),
        scopes,
        np.array(definitions, dtype=np.int64),
    )


@st.composite
def tiles_within(draw: st.DrawFn, left: Stream, right: Stream) -> list[Tile]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        i = draw(st.integers(0, len(left) - 1))
        j = draw(st.integers(0, len(right) - 1))
        found.append(Tile(i, j, draw(st.integers(1, min(len(left) - i, len(right) - j)))))
    return sorted(found, key=lambda t: t.left)


@pytest.mark.skipif(compiled.load(compiled.ALIGN) is None, reason="not compiled here")
@settings(max_examples=300)
@given(st.data(), named_streams(), named_streams(), st.integers(1, 12))
def test_compiled_verify_cuts_as_the_python_code(data, left, right, min_match_tokens):
    found = data.draw(tiles_within(left, right))
    expected_left, expected_right = left.names.copy(), right.names.copy()
    compiled_tiles = verify(found, left, right, min_match_tokens)
    with compiled.python_only():
        python_tiles = verify(found, left, right, min_match_tokens)
    assert compiled_tiles == python_tiles
    assert all(type(t.left) is type(t.right) is type(t.length) is int for t in compiled_tiles)
    assert np.array_equal(left.names, expected_left) and np.array_equal(right.names, expected_right)


@pytest.mark.skipif(compiled.load(compiled.ALIGN) is None, reason="not compiled here")
def test_compiled_verify_refuses_tiles_outside_the_streams():
    part = compiled.load(compiled.ALIGN)
    assert part is not None
    one = np.array([0], dtype=np.int64)
    far = np.array([5], dtype=np.int64)
    empty = np.empty(0, dtype=np.int64)
    names = np.full(3, -1, dtype=np.int64)
    arguments = (empty, empty, empty, ["a"] * 3, ["a"] * 3, names, names, 3, 3, 1, 3, 0.5)
    with pytest.raises(ValueError, match="outside"):
        part.verify(one, one, far, *arguments)
    with pytest.raises(ValueError, match="disagree"):
        part.verify(
            one, one, one, empty, empty, empty, ["a"], ["a"] * 3, names, names, 3, 3, 1, 3, 0.5
        )
    with pytest.raises(ValueError, match="ascending"):
        part.verify(one, one, one, np.array([2, 1]), *arguments[1:])


# Names that sort differently by code point than by naive byte or case order, a lone
# surrogate (no UTF-8), and the empty text.
_TEXTS = st.sampled_from(["a", "b", "B", "ab", "a\x00", "é", "z", "\U0001f600", "", "\ud800"])


@pytest.mark.skipif(compiled.load(compiled.ALIGN) is None, reason="not compiled here")
@settings(max_examples=500)
@given(
    st.lists(
        st.tuples(st.sampled_from(["", "LOCAL", "PARAM"]), st.integers(-2, 3), _TEXTS),
        max_size=40,
    )
)
def test_compiled_names_rank_as_the_python_code(tokens):
    roles = [role for role, _, _ in tokens]
    scopes = [scope for _, scope, _ in tokens]
    texts = [text for _, _, text in tokens]
    found = _ranked_names(roles, scopes, texts)
    with compiled.python_only():
        expected = _ranked_names(roles, scopes, texts)
    assert found.tolist() == expected.tolist()


@pytest.mark.skipif(compiled.load(compiled.ALIGN) is None, reason="not compiled here")
def test_compiled_names_hand_back_what_is_not_a_stream_and_refuse_sizes_that_disagree():
    part = compiled.load(compiled.ALIGN)
    assert part is not None
    out = np.empty(2, dtype=np.int64)
    assert part.names(["LOCAL", "LOCAL"], [0, 2**70], ["a", "b"], out) is False
    assert part.names(["LOCAL", "LOCAL"], [0, 1], ["a", "\ud800"], out) is False
    assert part.names(["LOCAL", ""], [0, 1], ["a", 5], out) is True  # not a placeholder
    with pytest.raises(ValueError, match="disagree"):
        part.names(["LOCAL"], [0, 1], ["a", "b"], out)
    with pytest.raises(ValueError, match="disagree"):
        part.names(["LOCAL"], [0], ["a"], out)
