"""Reading one submission of ``cross``: its side, and what the search for candidates needs of
it, made by the process that reads it rather than one submission after another once all are
read.

``cross``'s prestarted reading process goes as far as the streams only (``streams``, without
numpy); this process makes the rest of what it sends (``loaded_of``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from codesim.fingerprint import HashArray, unique_sorted
from codesim.index.bands import band_ids
from codesim.index.minhash import is_empty
from codesim.pipeline.reading import SideData, SidePostings, fingerprinted_side, side_postings
from codesim.pipeline.streams import StreamedSide
from codesim.read_options import ReadingOptions


@dataclass(frozen=True, slots=True)
class Loaded:
    """A submission as it is read: the side and what the search for candidates needs of it,
    made by the process that read it rather than one submission after another here."""

    side: SideData
    distinct: HashArray
    """Its files' distinct winnowed fingerprints, sorted."""
    postings: SidePostings
    bands: npt.NDArray[np.int64]
    """The LSH bucket ids of its units (``bands_of``)."""


def loaded_of(streamed: StreamedSide, options: ReadingOptions) -> Loaded:
    """A submission read as far as its streams (``streams.stream_side``: what ``cross``'s
    prestarted reading process sends), fingerprinted, with what the search for candidates
    needs of it."""
    side = fingerprinted_side(streamed, options, units=True)
    bands = bands_of(side)
    # The units' signatures served only for the bands: not sent back (N = 400: 7% of the
    # bytes, 18% of the time to pickle and unpickle the submissions).
    side = replace(side, files=[replace(file, units=None) for file in side.files])
    return Loaded(side, distinct_of(side), side_postings(side.files), bands)


def distinct_of(side: SideData) -> HashArray:
    """The distinct winnowed fingerprints of a side's files, sorted."""
    if not side.files:
        return np.empty(0, dtype=np.uint64)
    return unique_sorted(np.concatenate([item.selected for item in side.files]))


def bands_of(side: SideData) -> npt.NDArray[np.int64]:
    """The LSH bucket ids of a submission's units (empty units never band), its units' ids
    made at once."""
    signed = (
        item.units.signatures[~is_empty(item.units.signatures)]
        for item in side.files
        if item.units is not None
    )
    rows = [unit_rows for unit_rows in signed if len(unit_rows)]
    if not rows:
        return np.empty(0, dtype=np.int64)
    ids: npt.NDArray[np.int64] = band_ids(np.concatenate(rows)).ravel()
    return ids
