"""Turn one normalized file into the record an index stores.

Each unit is fingerprinted on its own tokens only (in canonical order, skipping the tokens of
nested units), so a function hashes the same wherever it was pasted; its k-gram set gives the
MinHash signature and its winnowed k-grams the fingerprints that verify candidates.  Queries
must fingerprint their units with the same functions (``unit_kgrams``, ``units_fingerprints``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from codesim.fingerprint import HashArray, UnitHashes, concatenated, kgram_hashes, symbol_hashes
from codesim.index import codec
from codesim.index.lines import LineIndex
from codesim.index.minhash import signatures
from codesim.index.records import FileRecord, IndexSettings, UnitRecord
from codesim.tokens import TokenStream


def unit_kgrams(
    stream: TokenStream, kgram_size: int, hashes: HashArray | None = None
) -> UnitHashes:
    """The k-gram hashes of each unit's own tokens, in canonical order, one array per unit
    (``hashes``: the stream's symbol hashes, when the caller has them already).

    A unit with fewer than ``kgram_size`` tokens has none; streams from ``fold_small_units``
    have no such unit except, possibly, the module.
    """
    owners = np.asarray(stream.owners, dtype=np.int64)
    # A stable sort keeps each unit's tokens in canonical order.
    order = np.argsort(owners, kind="stable")
    grouped = owners[order]
    if hashes is None:
        hashes = symbol_hashes(stream.symbols)
    kgrams = kgram_hashes(hashes[order], kgram_size)
    span = kgram_size - 1
    # A k-gram belongs to a unit when its first and last token do.
    inside = grouped[: len(kgrams)] == grouped[span : span + len(kgrams)]
    kept_units = grouped[: len(kgrams)][inside]
    kept = kgrams[inside]
    bounds = np.searchsorted(kept_units, np.arange(len(stream.units) + 1))
    return UnitHashes(kept, bounds)


def units_fingerprints(kgrams: Sequence[HashArray], window_size: int) -> list[HashArray]:
    """The winnowed fingerprints of each unit's k-grams, sorted and distinct: what
    ``np.unique(k[winnow(k, window_size)])`` gives for each ``k``, for all units at once.

    A file has a unit per function, so the per-unit numpy calls would cost more than the
    work: here every window of every unit is reduced in one pass over the concatenated
    k-grams, and the selected values are made distinct per unit with one sort.
    """
    values, counts = concatenated(kgrams)
    if not counts.sum():
        return [np.empty(0, dtype=np.uint64) for _ in kgrams]
    ends = np.cumsum(counts)
    starts = ends - counts
    selected = [_long_unit_picks(values, starts, counts, window_size)]
    # A unit with at most ``window_size`` k-grams selects its rightmost minimum (``winnow``).
    short = np.flatnonzero((counts > 0) & (counts <= window_size))
    if len(short):
        sizes = counts[short]
        owner = np.repeat(np.arange(len(short)), sizes)
        positions = np.repeat(starts[short] - (np.cumsum(sizes) - sizes), sizes)
        positions += np.arange(len(owner))
        own = values[positions]
        minima = np.minimum.reduceat(own, np.cumsum(sizes) - sizes)
        is_min = own == minima[owner]
        hits, hit_owner = positions[is_min], owner[is_min]
        # Positions ascend, so the last hit of each unit is its rightmost minimum.
        last = np.flatnonzero(np.append(hit_owner[1:] != hit_owner[:-1], True))
        selected.append(hits[last])
    picks = np.concatenate(selected)
    unit_of = np.searchsorted(ends, picks, side="right")
    chosen = values[picks]
    order = np.lexsort((chosen, unit_of))
    unit_of, chosen = unit_of[order], chosen[order]
    keep = np.ones(len(chosen), dtype=bool)
    keep[1:] = (unit_of[1:] != unit_of[:-1]) | (chosen[1:] != chosen[:-1])
    unit_of, chosen = unit_of[keep], chosen[keep]
    bounds = np.searchsorted(unit_of, np.arange(len(kgrams) + 1))
    return [chosen[bounds[i] : bounds[i + 1]] for i in range(len(kgrams))]


def _long_unit_picks(
    values: HashArray, starts: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], window: int
) -> npt.NDArray[np.int64]:
    """Positions winnowing selects in the units with more than ``window`` k-grams: the
    rightmost minimum of every window lying inside one unit."""
    long = counts > window
    if not long.any() or len(values) < window:
        return np.empty(0, dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(values, window)
    # Windows starting at a unit's first k-gram up to its last full window.
    first = starts[long]
    spans = counts[long] - window + 1
    offsets = np.repeat(first - (np.cumsum(spans) - spans), spans) + np.arange(int(spans.sum()))
    rightmost = window - 1 - np.argmin(windows[offsets, ::-1], axis=1)
    return np.asarray(offsets + rightmost, dtype=np.int64)


def file_record(
    path: str, language: str, data: bytes, stream: TokenStream, settings: IndexSettings
) -> FileRecord:
    """The record of one file: ``data`` is its UTF-8 text, ``stream`` its normalized stream
    with small units folded (``fold_small_units`` with ``settings.kgram_size``)."""
    lines = LineIndex.of(data)
    kgrams = unit_kgrams(stream, settings.kgram_size)
    unit_signatures = signatures(kgrams)
    fingerprints = units_fingerprints(kgrams, settings.window_size)
    starts = np.array([unit.start_byte for unit in stream.units], dtype=np.int64)
    # The end is exclusive: the last byte of a unit is on its end line.
    ends = np.maximum(starts, np.array([unit.end_byte for unit in stream.units]) - 1)
    start_lines, _ = lines.positions(starts)
    end_lines, _ = lines.positions(ends)
    units = tuple(
        UnitRecord(
            name=unit.name,
            kind=unit.kind,
            start_line=start_lines[i],
            end_line=end_lines[i],
            tokens=unit.tokens,
            signature=unit_signatures[i],
            fingerprints=fingerprints[i],
        )
        for i, unit in enumerate(stream.units)
    )
    return FileRecord(
        path=path,
        language=language,
        lines=lines.lines,
        sha256=hashlib.sha256(data).digest(),
        stream=codec.encode(stream, lines),
        units=units,
    )
