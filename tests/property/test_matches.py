"""Seeds and maximal matches against brute force on small streams, and the compiled seeds
against the Python ones."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim import compiled
from codesim.align import kgram_table
from codesim.align.fragments import Tile, matched_tiles, maximal_matches
from codesim.align.seeds import (
    MAX_OCCURRENCES,
    KgramLookup,
    KgramTable,
    kgram_covers,
    shared_kgrams,
)
from codesim.fingerprint import kgram_hashes, symbol_hashes

K = 4
# Three symbols make long repeats, runs broken by a missing seed and duplicate matches.
streams = st.lists(st.sampled_from(["a", "b", "c"]), max_size=120)


def table_of(stream: list[str], k: int) -> KgramTable:
    """The k-gram table of a stream of symbols."""
    return kgram_table(kgram_hashes(symbol_hashes(stream), k))


def brute_force_matches(
    seeds: list[tuple[int, int]], left: list[str], right: list[str], min_length: int
) -> list[Tile]:
    """The longest equal stretch around each seed's k-gram, grown a token at a time."""
    found = set()
    for i, j in seeds:
        start = 0
        while i - start > 0 and j - start > 0 and left[i - start - 1] == right[j - start - 1]:
            start += 1
        end = K
        while i + end < len(left) and j + end < len(right) and left[i + end] == right[j + end]:
            end += 1
        found.add((i - start, j - start, start + end))
    return [Tile(*t) for t in sorted(found) if t[2] >= min_length]


@settings(max_examples=300)
@given(streams, streams, st.integers(0, 30))
def test_maximal_matches_are_the_seeds_grown_whole(left, right, min_length):
    left_hashes, right_hashes = symbol_hashes(left), symbol_hashes(right)
    one = table_of(left, K)
    two = table_of(right, K)
    seeds_left, seeds_right = shared_kgrams(one, two)
    seeds = list(zip(seeds_left.tolist(), seeds_right.tolist(), strict=True))
    for i, j in seeds:
        assert left[i : i + K] == right[j : j + K]
    found = maximal_matches(seeds_left, seeds_right, left_hashes, right_hashes, K, min_length)
    assert found == brute_force_matches(seeds, left, right, min_length)


@settings(max_examples=200)
@given(streams, streams)
def test_seeds_pair_every_equal_kgram_when_none_is_frequent(left, right):
    one = table_of(left, K)
    two = table_of(right, K)
    seeds_left, seeds_right = shared_kgrams(one, two)
    found = set(zip(seeds_left.tolist(), seeds_right.tolist(), strict=True))
    if max([*one.lookup.counts.tolist(), *two.lookup.counts.tolist(), 0]) <= MAX_OCCURRENCES:
        expected = {
            (i, j)
            for i in range(len(left) - K + 1)
            for j in range(len(right) - K + 1)
            if left[i : i + K] == right[j : j + K]
        }
        assert found == expected


needs_align = pytest.mark.skipif(compiled.load(compiled.ALIGN) is None, reason="not built")
# Few symbols make k-grams repeat past MAX_OCCURRENCES, so both pairings are exercised.
long_streams = st.lists(st.sampled_from(["a", "b"]), max_size=400)


@needs_align
@settings(max_examples=300)
@given(long_streams, long_streams, st.sampled_from([1, 2, 4]))
def test_compiled_seeds_are_the_python_seeds_in_order(left, right, k):
    one = table_of(left, k)
    two = table_of(right, k)
    found = shared_kgrams(one, two)
    with compiled.python_only():
        expected = shared_kgrams(one, two)
    assert [a.tolist() for a in found] == [a.tolist() for a in expected]


@settings(max_examples=300)
@given(long_streams, long_streams, st.sampled_from([1, 2, 4]), st.integers(0, 12))
def test_kgram_covers_hold_every_tile_and_compiled_is_python(left, right, k, min_length):
    # What cross bounds a pair's score with before aligning it: every token a tile matches.
    left_hashes, right_hashes = symbol_hashes(left), symbol_hashes(right)
    one = table_of(left, k)
    two = table_of(right, k)
    covers = np.zeros(len(left), dtype=bool), np.zeros(len(right), dtype=bool)
    kgram_covers(one, two, k, *covers)
    tiles = matched_tiles(*shared_kgrams(one, two), left_hashes, right_hashes, k, min_length)
    for t in tiles:
        assert covers[0][t.left : t.left + t.length].all()
        assert covers[1][t.right : t.right + t.length].all()
    with compiled.python_only():
        expected = np.zeros(len(left), dtype=bool), np.zeros(len(right), dtype=bool)
        kgram_covers(one, two, k, *expected)
    assert [c.tolist() for c in covers] == [e.tolist() for e in expected]
    # Flags already set stay set.
    more = np.ones(len(left), dtype=bool), np.zeros(len(right), dtype=bool)
    kgram_covers(one, two, k, *more)
    assert more[0].all()


@needs_align
def test_compiled_covers_refuse_malformed_tables():
    module = compiled.load(compiled.ALIGN)
    assert module is not None
    table = table_of(list("abcabcab"), 2).lookup
    out = np.zeros(8, dtype=np.uint8)
    with pytest.raises(ValueError, match="past the tokens"):
        module.kgram_covers(table.sorted, table.order + 100, table.sorted, table.order, 2, out, out)
    with pytest.raises(ValueError, match="past the tokens"):
        module.kgram_covers(table.sorted, table.order, table.sorted, table.order - 100, 2, out, out)
    with pytest.raises(ValueError, match="disagree"):
        module.kgram_covers(table.sorted[:-1], table.order, table.sorted, table.order, 2, out, out)
    with pytest.raises(ValueError, match="past the tokens"):
        module.kgram_covers(table.sorted, table.order, table.sorted, table.order, 2, out[:3], out)
    with pytest.raises(ValueError, match="k must be positive"):
        module.kgram_covers(table.sorted, table.order, table.sorted, table.order, 0, out, out)
    with pytest.raises(ValueError, match="past the tokens"):
        module.kgram_cover(table.sorted, table.order, table.sorted, 2, out[:3])
    with pytest.raises(ValueError, match="disagree"):
        module.kgram_cover(table.sorted, table.order[:-1], table.sorted, 2, out)


@needs_align
def test_compiled_seeds_refuse_malformed_tables():
    module = compiled.load(compiled.ALIGN)
    assert module is not None
    table = table_of(list("abcabcab"), 2).lookup
    arrays = [table.sorted, table.order, table.sorted_counts]
    right = [table.sorted, table.order, table.counts, table.rank]
    with pytest.raises(ValueError, match="disagree"):
        module.shared_kgrams(table.sorted[:-1], *arrays[1:], *right, 24)
    with pytest.raises(ValueError, match="order index"):
        module.shared_kgrams(*arrays, table.sorted, table.order + 100, *right[2:], 24)
    with pytest.raises(ValueError, match="count"):
        module.shared_kgrams(*arrays[:2], table.sorted_counts * 50, *right, 24)
    with pytest.raises(TypeError):
        module.shared_kgrams(*arrays, *right)
    empty = np.empty(0, dtype=np.int64)
    lefts, rights = module.shared_kgrams(np.empty(0, dtype=np.uint64), empty, empty, *right, 24)
    assert len(lefts) == len(rights) == 0


@needs_align
@settings(max_examples=400)
@given(long_streams, long_streams, st.sampled_from([1, 2, 4]), st.integers(0, 12))
def test_compiled_tiles_are_the_python_tiles(left, right, k, min_length):
    left_hashes, right_hashes = symbol_hashes(left), symbol_hashes(right)
    one = table_of(left, k)
    two = table_of(right, k)
    seeds = shared_kgrams(one, two)
    found = matched_tiles(*seeds, left_hashes, right_hashes, k, min_length)
    with compiled.python_only():
        expected = matched_tiles(*seeds, left_hashes, right_hashes, k, min_length)
    assert found == expected


@needs_align
def test_compiled_tiles_refuse_malformed_seeds():
    module = compiled.load(compiled.ALIGN)
    assert module is not None
    hashes = symbol_hashes(list("abcabcab"))
    seeds = np.array([0, 3], dtype=np.int64)
    with pytest.raises(ValueError, match="disagree"):
        module.tiles(seeds, seeds[:1], hashes, hashes, 2, 0)
    with pytest.raises(ValueError, match="outside"):
        module.tiles(seeds + 7, seeds, hashes, hashes, 2, 0)
    with pytest.raises(ValueError, match="outside"):
        module.tiles(seeds - 1, seeds, hashes, hashes, 2, 0)
    with pytest.raises(ValueError, match="positive"):
        module.tiles(seeds, seeds, hashes, hashes, 0, 0)
    lefts, rights, lengths = module.tiles(seeds[:0], seeds[:0], hashes, hashes, 2, 0)
    assert len(lefts) == len(rights) == len(lengths) == 0


@pytest.mark.skipif(compiled.load(compiled.ALIGN) is None, reason="not compiled here")
@settings(max_examples=300)
@given(st.lists(st.integers(0, 5) | st.integers(0, 2**64 - 1), max_size=300))
def test_compiled_kgram_tables_equal_the_numpy_ones(values):
    kgrams = np.array(values, dtype=np.uint64)
    found = kgram_table(kgrams).lookup
    with compiled.python_only():
        expected = kgram_table(kgrams).lookup
    for name in KgramLookup._fields:
        assert getattr(found, name).tolist() == getattr(expected, name).tolist(), name
        assert getattr(found, name).dtype == getattr(expected, name).dtype, name


def test_a_kgram_table_pickles_as_its_kgrams_and_sorts_them_again_where_used():
    table = table_of(list("abcabcab"), 2)
    made = table.lookup
    sent = pickle.dumps(table, protocol=pickle.HIGHEST_PROTOCOL)
    assert len(sent) < 2 * table.kgrams.nbytes + 200  # the five lookup arrays stay behind
    received = pickle.loads(sent)
    assert received.kgrams.tolist() == table.kgrams.tolist()
    for name in KgramLookup._fields:
        assert getattr(received.lookup, name).tolist() == getattr(made, name).tolist(), name


@pytest.mark.skipif(compiled.load(compiled.ALIGN) is None, reason="not compiled here")
def test_compiled_kgram_table_refuses_sizes_that_disagree():
    part = compiled.load(compiled.ALIGN)
    assert part is not None
    kgrams = np.zeros(3, dtype=np.uint64)
    good, short = np.empty(3, dtype=np.int64), np.empty(2, dtype=np.int64)
    with pytest.raises(ValueError, match="disagree"):
        part.kgram_table(kgrams, good, np.empty(3, dtype=np.uint64), good, short, good)
