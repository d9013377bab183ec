"""Alignment: tiles are real, disjoint, long enough, and the index finds what brute force finds."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim.align import Stream, align, kgram_table, score
from codesim.fingerprint import fingerprint, kgram_hashes, symbol_hashes
from codesim.index.exact import ExactIndex

ALPHABET = [f"s{i}" for i in range(12)]
streams = st.lists(st.sampled_from(ALPHABET), min_size=0, max_size=250)
K = 6


def stream_of(symbols: list[str]) -> Stream:
    hashes = symbol_hashes(symbols)
    return Stream(
        hashes,
        kgram_table(kgram_hashes(hashes, K)),
        [""] * len(symbols),
        [""] * len(symbols),
        np.empty(0, dtype=np.int64),
        np.empty(0, dtype=np.int64),
        [-2] * len(symbols),
    )


@settings(max_examples=80)
@given(streams, streams, st.integers(K, 30))
def test_tiles_are_equal_disjoint_and_at_least_the_minimum_length(left, right, min_length):
    result = align(stream_of(left), stream_of(right), kgram_size=K, min_match_tokens=min_length)
    left_used: set[int] = set()
    right_used: set[int] = set()
    for t in result.tiles:
        assert t.length >= min_length
        assert left[t.left : t.left + t.length] == right[t.right : t.right + t.length]
        span_left = set(range(t.left, t.left + t.length))
        span_right = set(range(t.right, t.right + t.length))
        assert not span_left & left_used and not span_right & right_used
        left_used |= span_left
        right_used |= span_right
    assert result.matched == len(left_used) == len(right_used)


@settings(max_examples=60)
@given(streams, streams, streams)
def test_a_planted_copy_is_found_whole(prefix, planted, suffix):
    planted = (planted + ALPHABET * 5)[:60]
    left = prefix + planted
    right = ["x"] * 3 + planted + suffix
    result = align(stream_of(left), stream_of(right), kgram_size=K, min_match_tokens=20)
    assert result.longest >= 60


@given(streams, streams)
def test_scores_are_symmetric_and_bounded(left, right):
    one = align(stream_of(left), stream_of(right), kgram_size=K, min_match_tokens=K)
    two = align(stream_of(right), stream_of(left), kgram_size=K, min_match_tokens=K)
    a = score(one.matched, one.matched, len(left), len(right), 50)
    b = score(two.matched, two.matched, len(right), len(left), 50)
    assert 0 <= a.score <= 1 and 0 <= a.similarity <= 1
    assert one.matched == two.matched
    assert (a.score, a.similarity) == (b.score, b.similarity)
    assert (a.left_coverage, a.right_coverage) == (b.right_coverage, b.left_coverage)


def test_a_stream_against_itself_is_fully_matched():
    symbols = [ALPHABET[(i * 7) % 11] for i in range(400)]
    result = align(stream_of(symbols), stream_of(symbols), kgram_size=K, min_match_tokens=20)
    assert result.matched == 400
    assert score(400, 400, 400, 400, 100).score == 1.0


@settings(max_examples=40)
@given(
    st.lists(st.lists(st.integers(0, 40), max_size=30), min_size=1, max_size=12),
    st.lists(st.integers(0, 40), max_size=30),
)
def test_the_exact_index_finds_exactly_the_documents_brute_force_finds(documents, query):
    index = ExactIndex()
    for doc, values in enumerate(documents):
        index.add(doc, np.array(values, dtype=np.uint64))
    found = {
        c.doc: c.shared
        for c in index.query(np.array(query, dtype=np.uint64), min_shared=1, limit=100)
    }
    expected = {doc: len(set(values) & set(query)) for doc, values in enumerate(documents)}
    assert found == {doc: n for doc, n in expected.items() if n >= 1}


def test_boilerplate_fingerprints_propose_no_candidates():
    index = ExactIndex(common_share=0.5, common_min_docs=2)
    for doc in range(10):
        index.add(doc, np.array([1, 2, 100 + doc], dtype=np.uint64))
    hits = index.query(np.array([1, 2, 105], dtype=np.uint64), min_shared=1, limit=10)
    assert [c.doc for c in hits] == [5]


def test_fingerprinting_an_empty_stream_is_empty():
    assert len(fingerprint([], K, 4).selected) == 0


def test_a_tile_that_contradicts_the_pairs_renaming_is_cut_there():
    # Left renames a->x consistently in two copies of a 30-token run; in a third run the
    # same left name meets a different right name: that run is cut at the contradiction.
    run = ["s1", "LOCAL", "s2", "s3", "s4"] * 6
    left_texts = ["a" if s == "LOCAL" else "" for s in run] * 3
    right_texts = (["x" if s == "LOCAL" else "" for s in run] * 2
                   + ["y" if s == "LOCAL" else "" for s in run])  # fmt: skip
    symbols = run * 3

    def stream(texts):
        hashes = symbol_hashes(symbols)
        roles = ["LOCAL" if s == "LOCAL" else "" for s in symbols]
        placeholders = np.array([i for i, r in enumerate(roles) if r], dtype=np.int64)
        return Stream(hashes, kgram_table(kgram_hashes(hashes, K)), roles, texts,
                      placeholders, np.empty(0, dtype=np.int64), [0] * len(symbols))  # fmt: skip

    result = align(stream(left_texts), stream(right_texts), kgram_size=K, min_match_tokens=6)
    mapped = {(r.left, r.right) for r in result.renamings}
    assert ("a", "x") in mapped and ("a", "y") not in mapped
    assert result.matched < len(symbols)


def test_candidates_tied_at_the_limit_are_all_kept_up_to_an_allowance():
    index = ExactIndex()
    for doc in range(50):
        index.add(doc, np.array([1, 2, 3, 1000 + doc], dtype=np.uint64))
    hits = index.query(np.array([1, 2, 3], dtype=np.uint64), min_shared=1, limit=5)
    assert len(hits) == 20
    index.add(99, np.array([1, 2, 3, 7], dtype=np.uint64))
    best = index.query(np.array([1, 2, 3, 7], dtype=np.uint64), min_shared=1, limit=1)
    assert [c.doc for c in best] == [99]


def test_a_tile_does_not_run_into_the_header_of_a_different_next_definition():
    body = [ALPHABET[(i * 5) % 11] for i in range(40)]
    header = ["function_definition", "FUNC", "PARAM"]
    left_symbols = body + header + ["s1", "s2"] * 15
    right_symbols = body + header + ["s3", "s4"] * 15
    texts = ["f" if s == "FUNC" else "" for s in left_symbols]
    other = ["g" if s == "FUNC" else "" for s in right_symbols]

    def stream(symbols, names):
        hashes = symbol_hashes(symbols)
        roles = [s if s in ("FUNC", "PARAM") else "" for s in symbols]
        placeholders = np.array([i for i, r in enumerate(roles) if r], dtype=np.int64)
        return Stream(hashes, kgram_table(kgram_hashes(hashes, K)), roles, names, placeholders,
                      np.empty(0, dtype=np.int64), [0] * len(symbols),
                      np.array([len(body)], dtype=np.int64))  # fmt: skip

    result = align(stream(left_symbols, texts), stream(right_symbols, other),
                   kgram_size=K, min_match_tokens=20)  # fmt: skip
    assert result.matched == len(body)
    assert not any(r.left == "f" for r in result.renamings)
