"""Fingerprints of canonical token streams: k-gram hashes and their winnowed selection."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from codesim.fingerprint.hashing import HashArray, kgram_hashes, symbol_hash, symbol_hashes
from codesim.fingerprint.winnow import winnow

__all__ = [
    "FileFingerprints",
    "HashArray",
    "fingerprint",
    "kgram_hashes",
    "symbol_hash",
    "symbol_hashes",
    "winnow",
]


@dataclass(frozen=True, slots=True)
class FileFingerprints:
    """The symbol hashes of one stream, all its k-gram hashes, and which of them winnowing
    selected.

    ``kgrams[i]`` covers tokens ``i .. i+k-1``.  Alignment seeds from all k-grams (exact
    extension); candidate search and indexes use only the selected ones (``selected``).
    """

    hashes: HashArray
    kgrams: HashArray
    selected_positions: npt.NDArray[np.int64]

    @property
    def selected(self) -> HashArray:
        """The winnowed fingerprint hashes, in stream order."""
        return self.kgrams[self.selected_positions]


def fingerprint(symbols: list[str], kgram_size: int, window_size: int) -> FileFingerprints:
    """k-gram hashes of a symbol stream and the positions winnowing selects."""
    hashes = symbol_hashes(symbols)
    kgrams = kgram_hashes(hashes, kgram_size)
    return FileFingerprints(hashes, kgrams, winnow(kgrams, window_size))
