"""One band function: datasketch's band keys, and the SQLite buckets that follow from them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHashLSH
from hypothesis import given
from hypothesis import strategies as st

from codesim import compiled
from codesim.index.bands import (
    BANDS,
    LSH_THRESHOLD,
    ROWS,
    band_ids,
    band_keys,
    candidate_probability,
)
from codesim.index.minhash import NUM_PERM, is_empty, lean_minhash
from codesim.index.sqlite import SqliteStore
from tests.index.corpus import SETTINGS, changed_copies, stdlib_files
from tests.index.synthetic import meta


def datasketch_lsh() -> MinHashLSH:
    return MinHashLSH(num_perm=NUM_PERM, params=(BANDS, ROWS))


def real_signatures() -> np.ndarray:
    files = (*stdlib_files(40), *changed_copies(40))
    return np.stack([unit.signature for file in files for unit in file.record.units])


def test_band_keys_are_datasketchs_bytes():
    lsh = datasketch_lsh()
    for signature in real_signatures()[:50]:
        lean = lean_minhash(signature)
        expected = [lsh._H(lean.hashvalues[start:end]) for start, end in lsh.hashranges]
        assert band_keys(signature) == expected


def test_band_ids_are_equal_exactly_when_band_keys_are():
    signatures = real_signatures()
    ids = band_ids(signatures)
    assert ids.shape == (len(signatures), BANDS)
    assert ids.dtype == np.int64
    for band in range(BANDS):
        by_key: dict[bytes, int] = {}
        by_id: dict[int, bytes] = {}
        for signature, bucket in zip(signatures, ids[:, band].tolist(), strict=True):
            key = band_keys(signature)[band]
            assert by_key.setdefault(key, bucket) == bucket
            assert by_id.setdefault(bucket, key) == key
    # The same values in different bands are different buckets.
    repeated = np.tile(np.arange(ROWS, dtype=np.uint32), NUM_PERM // ROWS + 1)[:NUM_PERM]
    assert len(set(band_ids(repeated[None, :])[0].tolist())) == BANDS


@pytest.mark.skipif(compiled.load(compiled.MINHASH) is None, reason="not compiled here")
@given(st.integers(0, 6), st.integers(0, 2**32 - 1), st.sampled_from([0, 1, 2**32 - 1]))
def test_compiled_band_ids_equal_the_numpy_ones(units, seed, fill):
    signatures = np.random.default_rng(seed).integers(0, 2**32, (units, NUM_PERM), np.uint32)
    signatures[: units // 2, ::3] = fill
    found = band_ids(signatures)
    with compiled.python_only():
        expected = band_ids(signatures)
    assert found.dtype == expected.dtype == np.int64
    assert found.tolist() == expected.tolist()
    # A view with strides is copied, not misread.
    assert band_ids(signatures[::2]).tolist() == band_ids(signatures[::2].copy()).tolist()


def test_band_ids_of_no_signatures():
    assert band_ids(np.empty((0, NUM_PERM), dtype=np.uint32)).shape == (0, BANDS)


def test_the_s_curve_is_tuned_to_the_threshold():
    assert candidate_probability(LSH_THRESHOLD) > 0.9
    assert candidate_probability(0.5) > 0.99
    assert candidate_probability(0.1) < 0.05


def test_sqlite_buckets_exactly_like_datasketch_lsh(tmp_path: Path):
    files = (*stdlib_files(40), *changed_copies(40))
    store = SqliteStore.open(tmp_path / "index.db", settings=SETTINGS)
    store.add_project(meta("corpus"), [file.record for file in files])
    units = [unit for file in files for unit in file.record.units]
    stored = store.units(range(1, len(units) + 1))
    # A fresh index numbers units in the order they were added.
    assert [stored[i + 1].name for i in range(len(units))] == [unit.name for unit in units]

    lsh = datasketch_lsh()
    signatures = np.stack([unit.signature for unit in units])
    empty = is_empty(signatures)
    for number, signature in enumerate(signatures, start=1):
        if not empty[number - 1]:
            lsh.insert(number, lean_minhash(signature))
    found = store.candidates(signatures)
    assert sum(map(len, found)) > len(units)  # copies and look-alikes, not only themselves
    for number, signature in enumerate(signatures, start=1):
        expected = [] if empty[number - 1] else sorted(lsh.query(lean_minhash(signature)))
        assert found[number - 1] == expected
    store.close()


@pytest.mark.skipif(compiled.load(compiled.MINHASH) is None, reason="not compiled here")
def test_compiled_band_ids_refuse_sizes_that_disagree():
    part = compiled.load(compiled.MINHASH)
    assert part is not None
    rows = np.zeros((2, NUM_PERM), dtype=np.uint32)
    with pytest.raises(ValueError, match="disagree"):
        part.band_ids(rows, NUM_PERM, BANDS, ROWS, np.empty((1, BANDS), dtype=np.int64))
    with pytest.raises(ValueError, match="disagree"):
        part.band_ids(rows, NUM_PERM, NUM_PERM, ROWS, np.empty((2, NUM_PERM), dtype=np.int64))
    with pytest.raises(ValueError, match="disagree"):
        part.band_ids(rows, 0, BANDS, ROWS, np.empty((2, BANDS), dtype=np.int64))
