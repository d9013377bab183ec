"""MinHash signatures of units, computed in bulk with numpy.

A unit's signature summarises the set of its k-gram hashes: ``NUM_PERM`` random permutations
of the hash space, and for each the smallest permuted value of the set.  Two signatures agree
in a position with probability equal to the Jaccard similarity of the two sets, which is what
LSH banding (``bands.py``) turns into candidate search.

The permutations are datasketch's ``"affine32"`` scheme, its default since 2.0.0: each input is
pre-mixed with the 32-bit MurmurHash3 finalizer, then mapped by ``a * h + b mod 2**32`` with an
odd ``a`` (a bijection, so the permutation itself adds no collisions), with ``a`` and ``b``
drawn from ``numpy.random.RandomState(SEED)`` exactly as datasketch draws them.  A row of
``signatures`` therefore equals the ``hashvalues`` of
``datasketch.MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=lambda v: v)`` updated with the
unit's ``input_values``, and ``lean_minhash`` hands it to datasketch as a ``LeanMinHash``.
The parameters are generated here rather than read from datasketch so that an index on disk
depends only on numpy's frozen legacy generator; a test checks they still agree.

Why not the pre-2.0 "legacy" scheme (``(a * h + b) mod (2**61 - 1)`` masked to 32 bits)?
datasketch itself documents it as biased on large sets and slower; and affine32 values are
uint32, so a signature takes 512 bytes instead of 1,024.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from codesim import compiled
from codesim.fingerprint import HashArray, concatenated

if TYPE_CHECKING:
    from datasketch import LeanMinHash

NUM_PERM = 128
"""Permutations per signature: the standard error of a Jaccard estimate is about
``sqrt(J (1 - J) / NUM_PERM)``, 0.044 at J = 0.5 (datasketch's default count)."""

SEED = 1
"""The seed of the permutation parameters (datasketch's default)."""

SCHEME = "affine32"
"""datasketch's name for the permutation scheme, needed to wrap a row as a ``LeanMinHash``."""

EMPTY_VALUE = np.uint32(0xFFFFFFFF)
"""Every position of the signature of an empty set (as in datasketch).  Such a signature would
collide with every other empty one, so backends never band it."""

SignatureArray = npt.NDArray[np.uint32]
"""Signatures, one row of ``NUM_PERM`` values per unit."""

_CHUNK = 8192
"""Input values permuted at once: a ``_CHUNK x NUM_PERM`` uint32 block is 4 MiB, small enough
to stay in cache-friendly memory however large the project."""

_LOW_32 = np.uint64(0xFFFFFFFF)


@cache
def permutations() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The ``(a, b)`` parameters of the ``NUM_PERM`` permutations, as datasketch draws them."""
    generator = np.random.RandomState(SEED)
    a = generator.randint(0, 1 << 31, NUM_PERM, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, NUM_PERM, dtype=np.uint32)
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def input_values(kgrams: HashArray) -> npt.NDArray[np.uint32]:
    """The 32-bit values a unit's k-gram hashes contribute: their low halves.

    The k-gram hashes end in a splitmix64 finalizer, so the low 32 bits are as well mixed as
    the high ones; 32 bits keep set collisions negligible for sets of a unit's size.
    """
    return (kgrams & _LOW_32).astype(np.uint32)


def signatures(units: Sequence[HashArray]) -> SignatureArray:
    """One MinHash signature per unit, from each unit's k-gram hashes (any order, repeats
    allowed); a unit without k-grams gets the empty signature (all ``EMPTY_VALUE``).

    All units are processed as one concatenated array, in blocks of ``_CHUNK`` values: each
    block is permuted by all ``NUM_PERM`` functions at once and reduced per unit segment.
    """
    hashes, counts = concatenated(units)
    compiled_minhash = compiled.load(compiled.MINHASH)
    if compiled_minhash is not None:
        # One pass with the running minima in cache: about 3.5 times numpy's block below.
        a, b = permutations()
        filled = np.empty((len(units), NUM_PERM), dtype=np.uint32)
        compiled_minhash.fill(
            np.ascontiguousarray(hashes, dtype=np.uint64),
            np.ascontiguousarray(counts, dtype=np.int64),
            a,
            b,
            filled,
        )
        return filled
    out = np.full((len(units), NUM_PERM), EMPTY_VALUE, dtype=np.uint32)
    total = int(counts.sum())
    if total == 0:
        return out
    values = _fmix32(input_values(hashes))
    rows = np.flatnonzero(counts)
    starts = (np.cumsum(counts) - counts)[rows]
    a, b = permutations()
    for low in range(0, total, _CHUNK):
        high = min(low + _CHUNK, total)
        # The units overlapping [low, high): the one that contains ``low``, then every unit
        # starting inside the block.
        first = int(np.searchsorted(starts, low, side="right")) - 1
        last = int(np.searchsorted(starts, high, side="left"))
        boundaries = np.concatenate(([0], starts[first + 1 : last] - low))
        with np.errstate(over="ignore"):
            permuted = values[low:high, None] * a[None, :] + b[None, :]
        minima = np.minimum.reduceat(permuted, boundaries, axis=0)
        segment_rows = rows[first:last]
        out[segment_rows] = np.minimum(out[segment_rows], minima)
    return out


def lean_minhash(signature: SignatureArray) -> LeanMinHash:
    """One signature row as a datasketch ``LeanMinHash`` (for datasketch's LSH and Jaccard)."""
    # Imported here: datasketch imports scipy, half a second that the SQLite backend and
    # every command not handing signatures to datasketch would otherwise pay at start-up.
    from datasketch import LeanMinHash

    if signature.shape != (NUM_PERM,):
        raise ValueError(f"a signature has {NUM_PERM} values, got shape {signature.shape}")
    return LeanMinHash(seed=SEED, hashvalues=signature, scheme=SCHEME)


def is_empty(signatures: SignatureArray) -> npt.NDArray[np.bool_]:
    """Which rows are the signature of an empty set."""
    empty: npt.NDArray[np.bool_] = np.all(signatures == EMPTY_VALUE, axis=-1)
    return empty


def _fmix32(values: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint32]:
    # MurmurHash3's 32-bit finalizer, as datasketch pre-mixes every input of affine32.
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint32(16))
        values = values * np.uint32(0x85EBCA6B)
        values = values ^ (values >> np.uint32(13))
        values = values * np.uint32(0xC2B2AE35)
        return values ^ (values >> np.uint32(16))
