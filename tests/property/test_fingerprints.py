"""Guarantees of k-gram hashing and winnowing, checked on random streams."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codesim import compiled
from codesim.fingerprint import fingerprint, kgram_hashes, symbol_hash, symbol_hashes, winnow

ALPHABET = ["call", "LOCAL", "PARAM", "+", "INT", "STR", "np", "attribute", "return_statement"]
streams = st.lists(st.sampled_from(ALPHABET), min_size=0, max_size=300)


@given(streams, st.integers(3, 15))
def test_equal_kgrams_hash_equal_and_count_is_n_minus_k_plus_one(stream, k):
    hashes = kgram_hashes(symbol_hashes(stream), k)
    assert len(hashes) == max(0, len(stream) - k + 1)
    seen: dict[tuple[str, ...], int] = {}
    for i, value in enumerate(hashes.tolist()):
        assert seen.setdefault(tuple(stream[i : i + k]), value) == value


@given(streams, st.integers(1, 20))
def test_winnowing_leaves_no_window_without_a_fingerprint(stream, window):
    kgrams = kgram_hashes(symbol_hashes(stream), 5)
    positions = winnow(kgrams, window).tolist()
    assert positions == sorted(set(positions))
    if len(kgrams) == 0:
        assert positions == []
        return
    for start in range(max(1, len(kgrams) - window + 1)):
        assert any(start <= p < start + window for p in positions)


@given(st.lists(st.integers(0, 6), max_size=200), st.integers(1, 20))
def test_winnowing_selects_each_windows_rightmost_minimum(values, window):
    kgrams = np.array(values, dtype=np.uint64)
    expected = set()
    for start in range(max(1, len(values) - window + 1)):
        chunk = values[start : start + window]
        if chunk:
            low = min(chunk)
            expected.add(start + max(i for i, v in enumerate(chunk) if v == low))
    assert winnow(kgrams, window).tolist() == sorted(expected)


@settings(max_examples=60)
@given(streams, streams, streams, st.integers(3, 10), st.integers(1, 10))
def test_a_shared_run_of_k_plus_w_minus_1_tokens_always_shares_a_fingerprint(
    prefix, shared, suffix, k, window
):
    guarantee = k + window - 1
    if len(shared) < guarantee:
        shared = (shared * (guarantee // max(1, len(shared)) + 1))[:guarantee] or [
            "INT"
        ] * guarantee
    left = fingerprint(prefix + shared, k, window)
    right = fingerprint(shared + suffix, k, window)
    assert set(left.selected.tolist()) & set(right.selected.tolist())


def test_symbol_hashes_are_the_same_in_another_process():
    here = symbol_hashes(["call", "LOCAL", "np"]).tolist()
    code = (
        "from codesim.fingerprint import symbol_hashes;"
        "print(symbol_hashes(['call', 'LOCAL', 'np']).tolist())"
    )
    there = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert there.stdout.strip() == str(here)


def test_kgram_hashes_spread_over_the_low_bits():
    stream = [ALPHABET[i % len(ALPHABET)] + str(i % 97) for i in range(5000)]
    low = kgram_hashes(symbol_hashes(stream), 8) & np.uint64(0xFF)
    assert len(set(low.tolist())) > 200


@pytest.mark.skipif(compiled.load(compiled.PRINTS) is None, reason="not compiled here")
@settings(max_examples=300)
@given(
    st.lists(st.sampled_from(ALPHABET) | st.text(max_size=3), max_size=120),
    st.integers(1, 12),
    st.integers(1, 20),
)
def test_compiled_fingerprints_equal_the_python_ones(stream, k, window):
    found = fingerprint(stream, k, window)
    with compiled.python_only():
        expected = fingerprint(stream, k, window)
    assert found.hashes.tolist() == expected.hashes.tolist()
    assert found.kgrams.tolist() == expected.kgrams.tolist()
    assert found.selected_positions.tolist() == expected.selected_positions.tolist()
    assert found.hashes.dtype == found.kgrams.dtype == np.uint64
    assert found.selected_positions.dtype == np.int64


@pytest.mark.skipif(compiled.load(compiled.PRINTS) is None, reason="not compiled here")
@given(st.lists(st.integers(0, 2**64 - 1), max_size=60), st.integers(1, 15))
def test_compiled_kgram_hashes_equal_the_numpy_ones(values, k):
    hashes = np.array(values, dtype=np.uint64)
    found = kgram_hashes(hashes, k)
    with compiled.python_only():
        expected = kgram_hashes(hashes, k)
    assert found.tolist() == expected.tolist()
    assert found.dtype == np.uint64
    # A strided view is read as its values.
    assert kgram_hashes(hashes[::2], k).tolist() == kgram_hashes(hashes[::2].copy(), k).tolist()


@pytest.mark.skipif(compiled.load(compiled.PRINTS) is None, reason="not compiled here")
def test_compiled_fingerprints_refuse_what_python_never_passes():
    prints = compiled.load(compiled.PRINTS)
    assert prints is not None
    hashes = np.empty(3, dtype=np.uint64)
    kgrams = np.empty(1, dtype=np.uint64)
    with pytest.raises(ValueError, match="at least 1"):
        prints.fingerprint(["a", "b", "c"], {}, symbol_hash, 0, 1, hashes, kgrams, kgrams)
    with pytest.raises(ValueError, match="disagree"):
        prints.fingerprint(["a", "b", "c"], {}, symbol_hash, 3, 1, hashes, hashes, kgrams)
    with pytest.raises(TypeError):
        prints.fingerprint(("a",), {}, symbol_hash, 1, 1, hashes, kgrams, kgrams)
    # A symbol not in the cache is hashed by the function given, whose errors come through.
    hashed: list[str] = []

    def hash_symbol(symbol: str) -> int:
        hashed.append(symbol)
        return 7

    assert prints.fingerprint(["a", "b", "a"], {"b": 2}, hash_symbol, 3, 1, hashes, kgrams, kgrams)
    assert hashes.tolist() == [7, 2, 7] and hashed == ["a", "a"]
    with pytest.raises(TypeError):
        prints.fingerprint(["a", "b", "c"], {}, str.upper, 3, 1, hashes, kgrams, kgrams)
    with pytest.raises(ZeroDivisionError):
        prints.fingerprint(["a"], {}, lambda _: 1 // 0, 1, 1, hashes[:1], kgrams, kgrams)
    with pytest.raises(ValueError, match="disagree"):
        prints.kgram_hashes(hashes, 2, kgrams)
