"""Signatures and fingerprints as bytes, the way both backends store them.

Plain little-endian arrays, no header: a signature is ``NUM_PERM`` uint32 values, a
fingerprint set any number of uint64 values.  Reading checks the length, so a damaged value
raises ``IndexFormatError`` instead of yielding a misshapen array.
"""

from __future__ import annotations

import numpy as np

from codesim.errors import IndexFormatError
from codesim.fingerprint import HashArray
from codesim.index.minhash import NUM_PERM, SignatureArray

_SIGNATURE = np.dtype("<u4")
_FINGERPRINT = np.dtype("<u8")


def signature_bytes(signature: SignatureArray) -> bytes:
    """One signature as stored."""
    if signature.shape != (NUM_PERM,):
        raise ValueError(f"a signature has {NUM_PERM} values, got shape {signature.shape}")
    return signature.astype(_SIGNATURE).tobytes()


def signature_of(blob: bytes) -> SignatureArray:
    """A stored signature read back."""
    if len(blob) != NUM_PERM * _SIGNATURE.itemsize:
        raise IndexFormatError(f"a stored signature has {len(blob)} bytes")
    return np.frombuffer(blob, dtype=_SIGNATURE).astype(np.uint32)


def fingerprint_bytes(fingerprints: HashArray) -> bytes:
    """A fingerprint set as stored."""
    return np.asarray(fingerprints).astype(_FINGERPRINT).tobytes()


def fingerprints_of(blob: bytes) -> HashArray:
    """A stored fingerprint set read back."""
    if len(blob) % _FINGERPRINT.itemsize:
        raise IndexFormatError(f"a stored fingerprint set has {len(blob)} bytes")
    return np.frombuffer(blob, dtype=_FINGERPRINT).astype(np.uint64)
