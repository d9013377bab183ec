"""The one band function of Jaccard LSH, shared by every backend.

A signature of ``NUM_PERM`` values is cut into ``BANDS`` bands of ``ROWS`` consecutive values;
two units are candidates when all values of at least one band agree.  For units of Jaccard
similarity ``s`` that happens with probability ``1 - (1 - s**ROWS)**BANDS`` (the S-curve).
With 42 bands of 3 rows (126 of the 128 values; the other two still sharpen Jaccard estimates):

    s      0.1    0.2    0.3    0.4    0.5    0.6
    P      0.041  0.29   0.68   0.94   0.996  0.99996

The curve's midpoint is near ``(1 / BANDS) ** (1 / ROWS)`` = 0.29 and ``LSH_THRESHOLD`` is
0.4.  Units are functions and class bodies, and one edit changes every k-gram that covers it
(12 tokens, two lines), so a 60-token function with two edits is already near Jaccard 0.35:
a threshold this low keeps edited copies; what it lets through is cheap, because every
candidate is checked by exact containment next.  Measured on the test corpus (200
standard-library files with disguised and edited copies of half of them, tests/index/
test_recall.py), 42 x 3 finds 0.967 of the unit pairs above Jaccard 0.3, 0.9995 above 0.4
and all above 0.5.  The alternative 32 x 4 (midpoint 0.42) stores a quarter fewer bucket
rows and proposes a tenth fewer candidate pairs, but finds only 0.906 above 0.3 and 0.987
above 0.4.

Band keys are datasketch's: ``MinHashLSH`` (with no ``hashfunc``) keys band ``i`` by
``bytes(hashvalues[start:end].byteswap().data)``, the band's values byte-swapped from native
order.  ``band_keys`` produces those bytes, so the Redis backend, which stores datasketch's
own LSH, buckets exactly as ``band_ids``, the 64-bit integers the SQLite backend stores
(a mix of the same bytes and the band number: equal keys give equal ids, and different keys
collide with probability 2**-64).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from codesim import compiled
from codesim.fingerprint.hashing import splitmix64
from codesim.index.minhash import NUM_PERM, SignatureArray

BANDS = 42
"""Bands per signature (one stored bucket entry per band per unit)."""

ROWS = 3
"""Signature values per band."""

LSH_THRESHOLD = 0.4
"""The Jaccard similarity the bands are tuned for: a pair at 0.4 is found with probability 0.94,
at 0.5 with 0.996."""

BUCKET_LIMIT = 16
"""An LSH bucket holding more units than this on one side is boilerplate (one-line getters,
``__repr__``s of one shape): it proposes nothing, or small repos' pairs would be quadratic."""

BandIds = npt.NDArray[np.int64]

_WORD = 8
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)

if BANDS * ROWS > NUM_PERM:  # pragma: no cover - a constant mistake, caught at import
    raise ImportError(f"{BANDS} bands of {ROWS} rows need more than {NUM_PERM} values")


def candidate_probability(similarity: float) -> float:
    """The probability that units of this Jaccard similarity share a band (the S-curve)."""
    return float(1.0 - (1.0 - similarity**ROWS) ** BANDS)


def band_keys(signature: SignatureArray) -> list[bytes]:
    """The ``BANDS`` bucket keys of one signature, byte for byte as datasketch's
    ``MinHashLSH`` computes them."""
    return [
        bytes(signature[band * ROWS : (band + 1) * ROWS].byteswap().data) for band in range(BANDS)
    ]


def band_ids(signatures: SignatureArray) -> BandIds:
    """The ``(units, BANDS)`` 64-bit bucket ids of many signatures at once.

    Each id mixes the band number with the bytes of ``band_keys`` read as 64-bit words
    (zero-padded), through the splitmix64 finalizer, in numpy for all units at once.
    """
    count = signatures.shape[0]
    compiled_minhash = compiled.load(compiled.MINHASH)
    if compiled_minhash is not None:
        # One pass in C: a cross submission's few units made a dozen numpy calls.
        out = np.empty((count, BANDS), dtype=np.int64)
        rows = np.ascontiguousarray(signatures, dtype=np.uint32)
        compiled_minhash.band_ids(rows, rows.shape[1], BANDS, ROWS, out)
        return out
    swapped = np.ascontiguousarray(signatures[:, : BANDS * ROWS]).byteswap()
    key_bytes = swapped.view(np.uint8).reshape(count, BANDS, ROWS * swapped.itemsize)
    padding = -key_bytes.shape[2] % _WORD
    if padding:
        key_bytes = np.concatenate(
            (key_bytes, np.zeros((count, BANDS, padding), dtype=np.uint8)), axis=2
        )
    words = np.ascontiguousarray(key_bytes).view(np.uint64)
    with np.errstate(over="ignore"):
        ids = np.broadcast_to(np.arange(1, BANDS + 1, dtype=np.uint64) * _GOLDEN, (count, BANDS))
        for column in range(words.shape[2]):
            ids = splitmix64(ids ^ words[:, :, column])
    return ids.view(np.int64)
