"""Fingerprints of canonical token streams: k-gram hashes and their winnowed selection."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import overload

import numpy as np
import numpy.typing as npt

from codesim import compiled
from codesim.fingerprint.hashing import (
    HashArray,
    kgram_hashes,
    symbol_cache,
    symbol_hash,
    symbol_hashes,
)
from codesim.fingerprint.sets import in_sorted, unique_sorted
from codesim.fingerprint.winnow import winnow

__all__ = [
    "FileFingerprints",
    "HashArray",
    "UnitHashes",
    "concatenated",
    "fingerprint",
    "in_sorted",
    "kgram_hashes",
    "symbol_hash",
    "symbol_hashes",
    "unique_sorted",
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
    compiled_prints = compiled.load(compiled.PRINTS)
    if compiled_prints is not None:
        kgram_count = max(0, len(symbols) - kgram_size + 1)
        hashes = np.empty(len(symbols), dtype=np.uint64)
        kgrams = np.empty(kgram_count, dtype=np.uint64)
        positions = np.empty(kgram_count, dtype=np.int64)
        selected = compiled_prints.fingerprint(
            symbols, symbol_cache(), symbol_hash, kgram_size, window_size, hashes, kgrams, positions
        )
        return FileFingerprints(hashes, kgrams, positions[:selected])
    hashes = symbol_hashes(symbols)
    kgrams = kgram_hashes(hashes, kgram_size)
    return FileFingerprints(hashes, kgrams, winnow(kgrams, window_size))


class UnitHashes(Sequence[HashArray]):
    """Hash arrays of many units held as one array: unit ``i``'s are
    ``values[bounds[i]:bounds[i + 1]]``.

    Bulk code (MinHash signatures, per-unit winnowing) reads ``values`` at once instead of
    concatenating a file's units again; everything else sees a sequence of per-unit arrays.
    """

    __slots__ = ("bounds", "values")

    def __init__(self, values: HashArray, bounds: npt.NDArray[np.int64]) -> None:
        self.values = values
        self.bounds = bounds

    def __len__(self) -> int:
        return len(self.bounds) - 1

    @overload
    def __getitem__(self, index: int) -> HashArray: ...

    @overload
    def __getitem__(self, index: slice) -> list[HashArray]: ...

    def __getitem__(self, index: int | slice) -> HashArray | list[HashArray]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        position = range(len(self))[index]
        return self.values[self.bounds[position] : self.bounds[position + 1]]


def concatenated(units: Sequence[HashArray]) -> tuple[HashArray, npt.NDArray[np.int64]]:
    """Every unit's hashes in one uint64 array, unit after unit, and each unit's count."""
    if isinstance(units, UnitHashes):
        return units.values, np.diff(units.bounds)
    counts = np.fromiter((len(unit) for unit in units), dtype=np.int64, count=len(units))
    if not len(units):
        return np.empty(0, dtype=np.uint64), counts
    return np.concatenate([np.asarray(unit, dtype=np.uint64) for unit in units]), counts
