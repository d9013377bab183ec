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
The parameters are written out here (``_PERMUTATIONS``) rather than read from datasketch, so that
an index on disk depends on nothing outside codesim; tests check that numpy's frozen legacy
generator and datasketch still draw them.

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


_PERMUTATIONS = bytes.fromhex(
    "4be883d5d7018ffe195fce70912878ddfffd0e00138799419755cb9a0b3d82ff9f96234b81a7e0782101472f"
    "03a10ccb997f5d5f8f3c9cc6db55edb0f9f3e8560d1b25cb33fafede65c9df1329aa4fb1fda9a0d6cb6265a0"
    "2517d55ea993910c17f7ad68f9410ce3d59b98c139258b753bbf050e1db39e116584475789d4f2d3aff9a8d5"
    "afbf16ead3970c1ee38584dcefcbe047bd5bd5e0c18e6d65ad08898e1b31fb99d3af936e13fbbfef0f08039b"
    "7f2279a07b96832f2d1c7862734a4b090314b6c001efe3ba79e209caa3f185a811ea8a2bb1c5c1a81bfdfe13"
    "e734cd8b5f03f456d51f551ef3e49bc191734f573d845a328f48a62f076b9bd78d0be3572b7f70ea63dcd5d2"
    "730afb100764256589b73d6231564a94e3438ba157f8c348990c7d5f35980e91690e54aba14a38d3db145d09"
    "e7e67e1153ea1280a5db803f1f004cfa81d83e5289910f7f3360d498df5a968fc5bd6be4af6b1c940f4fba71"
    "350ada3433fd8f25d14c52e52d0840f0136e33d1877d3d31cf975496fd8886ce2f4a5793fbda2d3dc91a9342"
    "3781b20c4b77ea0973a2d02aa754905b4dd96ed511855a6c414a26d245bbf587155e0d992f7aaffb1f0d352b"
    "df55521baf38bf2133bef2258f1f563ae701204bb90abfe99574b92d7d099f855dba466641a74776b12d6534"
    "2f2920116f25ffd3834a5ee6e36a88639b4e72fc074e0fd40197c914f8bfc90cfdd4f6c3cd81308906c79b0b"
    "3472eea9d5d1d423c6c5cf8302f6daca4cf6d0f1db0fa10795782896cb8214e2075945e74d18718ac88a3123"
    "4bd4ae724c9da7232b0463e41432b1ce1e5ea9602426ce656733d68907a7542a2d0ffda6c43371ed399a7b5c"
    "f02e0759fc9d2d92d23835c0604049a30d01dbb90a2c5620175920e27c3fb1b051fba89f87e7d2a579c33dc0"
    "98c09b5aca665159dc3d63c394fe1945a0a9455b8ccc58e5c1bcb6c05e62976d3c9e9fe1e9c1fff698c0fc02"
    "524dd7a97313847f6173279f8208e412ecfd5f1ddca675c967ba11f362b766100a712d73b69ef55a60571194"
    "e9391cf152a77b68d6c93a61c6ccad3cc2ba4ec347e143e7e73f87c5b0a8dc9236f6254d0f1cbc00853bd2c5"
    "9135fd9daa68262714009f53765a2194b047ed8616594e02e519cde28dcf83b5f107765b72ea7b7861c295e8"
    "b556bcc35487949f0a0ca77760dc0c04b740dd443d99efed38cee9d4d99edeb095a1238de78c50ff60dcf011"
    "f9811e2cd31ff47819541b23f1d525be8e93beee8d082431d4ac62b2741edd762b63e510860ef93acd0666c1"
    "b8821c82bb07fec08fbb643518564becfb339f0c897c26b6c221d484c738d01f356f1a2c45dd1605a4c97465"
    "65c3b506f84a7c1b15183f0728ed82824db0073fdb88251ab1ca2adc7169e9492fd5f089cd85543ba8bd858d"
    "ce15b9f72d568fd757e73f47"
)
"""``a`` then ``b`` of ``permutations``, little-endian uint32: what
``numpy.random.RandomState(SEED)`` draws as datasketch draws them (a test redraws them).
Written out because importing ``numpy.random`` costs 13 ms in every process that signs units:
each reading worker of ``cross``."""


@cache
def permutations() -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
    """The ``(a, b)`` parameters of the ``NUM_PERM`` permutations, as datasketch draws them."""
    values = np.frombuffer(_PERMUTATIONS, dtype="<u4").astype(np.uint32)
    values.setflags(write=False)
    return values[:NUM_PERM], values[NUM_PERM:]


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
