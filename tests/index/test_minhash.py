"""Bulk MinHash signatures equal datasketch's, value for value."""

from __future__ import annotations

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash

from codesim import compiled
from codesim.index.minhash import (
    EMPTY_VALUE,
    NUM_PERM,
    SCHEME,
    SEED,
    input_values,
    is_empty,
    lean_minhash,
    permutations,
    signatures,
)
from tests.index.corpus import stdlib_files


def datasketch_signature(kgrams: np.ndarray) -> np.ndarray:
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=lambda value: value)
    minhash.update_batch(input_values(kgrams).tolist())
    assert minhash.scheme == SCHEME
    values: np.ndarray = minhash.hashvalues
    return values


def test_written_out_permutations_are_numpys_legacy_draws():
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    written_a, written_b = permutations()
    assert np.array_equal(written_a, a)
    assert np.array_equal(written_b, b)
    assert written_a.dtype == written_b.dtype == np.uint32


def test_permutations_are_datasketchs():
    a, b = permutations()
    reference = MinHash(num_perm=NUM_PERM, seed=SEED).permutations
    assert np.array_equal(a, reference[0])
    assert np.array_equal(b, reference[1])


def test_signatures_equal_datasketch_on_random_sets_across_block_boundaries():
    rng = np.random.default_rng(7)
    # Sizes around the 8192-value block: a unit may start, end or span blocks.
    sizes = [1, 2, 50, 8190, 5, 8192, 20000, 3, 1]
    units = [rng.integers(0, 2**64, size, dtype=np.uint64) for size in sizes]
    rows = signatures(units)
    assert rows.shape == (len(units), NUM_PERM)
    assert rows.dtype == np.uint32
    for unit, row in zip(units, rows, strict=True):
        assert np.array_equal(row, datasketch_signature(unit))


def test_signatures_equal_datasketch_on_real_units():
    units = [kgrams for file in stdlib_files(3) for kgrams in file.kgrams]
    rows = signatures(units)
    for unit, row in zip(units, rows, strict=True):
        assert np.array_equal(row, datasketch_signature(unit))


def test_a_set_does_not_depend_on_order_or_repeats():
    values = np.array([5, 9, 2**63 + 1, 77], dtype=np.uint64)
    shuffled = np.concatenate((values[::-1], values[:2]))
    assert np.array_equal(signatures([values]), signatures([shuffled]))


def test_empty_units_get_the_empty_signature_and_do_not_disturb_their_neighbours():
    full = np.arange(1, 40, dtype=np.uint64)
    empty = np.empty(0, dtype=np.uint64)
    rows = signatures([empty, full, empty, empty, full, empty])
    assert is_empty(rows).tolist() == [True, False, True, True, False, True]
    assert np.all(rows[0] == EMPTY_VALUE)
    assert np.array_equal(rows[1], signatures([full])[0])
    assert np.array_equal(rows[1], rows[4])
    assert signatures([]).shape == (0, NUM_PERM)
    assert is_empty(signatures([empty, empty])).all()


def test_lean_minhash_wraps_a_row_for_datasketch():
    rng = np.random.default_rng(3)
    shared = rng.integers(0, 2**64, 300, dtype=np.uint64)
    left = np.concatenate((shared, rng.integers(0, 2**64, 100, dtype=np.uint64)))
    right = np.concatenate((shared, rng.integers(0, 2**64, 100, dtype=np.uint64)))
    rows = signatures([left, right])
    lean = lean_minhash(rows[0])
    assert isinstance(lean, LeanMinHash)
    assert np.array_equal(lean.hashvalues, rows[0])
    # True Jaccard is 300 / 500; 128 permutations estimate it within a few standard errors.
    assert abs(lean.jaccard(lean_minhash(rows[1])) - 0.6) < 0.15
    with pytest.raises(ValueError, match="128 values"):
        lean_minhash(rows)


@pytest.mark.skipif(compiled.load(compiled.MINHASH) is None, reason="not built")
def test_compiled_signatures_equal_numpys():
    # Both paths, the C one and numpy's, on sizes around numpy's block.
    rng = np.random.default_rng(11)
    sizes = [0, 1, 8191, 8192, 8193, 0, 3, 20000, 0]
    units = [rng.integers(0, 2**64, size, dtype=np.uint64) for size in sizes]
    first = signatures(units)
    with compiled.python_only():
        second = signatures(units)
    assert np.array_equal(first, second)
    assert is_empty(first).tolist() == [size == 0 for size in sizes]


@pytest.mark.skipif(compiled.load(compiled.MINHASH) is None, reason="not built")
def test_compiled_signatures_refuse_inconsistent_buffers():
    module = compiled.load(compiled.MINHASH)
    assert module is not None
    a, b = permutations()
    values = np.arange(10, dtype=np.uint64)
    out = np.empty((1, NUM_PERM), dtype=np.uint32)
    with pytest.raises(ValueError, match="exceed"):
        module.fill(values, np.array([11], dtype=np.int64), a, b, out)
    with pytest.raises(ValueError, match="disagree"):
        module.fill(values, np.array([10, 0], dtype=np.int64), a, b, out)
    with pytest.raises(ValueError, match="exceed"):
        module.fill(values, np.array([-1], dtype=np.int64), a, b, out)
