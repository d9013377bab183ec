"""Turn one normalized file into the record an index stores.

Each unit is fingerprinted on its own tokens only (in canonical order, skipping the tokens of
nested units), so a function hashes the same wherever it was pasted; its k-gram set gives the
MinHash signature and its winnowed k-grams the fingerprints that verify candidates.  Queries
must fingerprint their units with the same function (``unit_kgrams``, ``unit_fingerprints``).
"""

from __future__ import annotations

import hashlib

import numpy as np

from codesim.fingerprint import HashArray, kgram_hashes, symbol_hashes, winnow
from codesim.index import codec
from codesim.index.lines import LineIndex
from codesim.index.minhash import signatures
from codesim.index.records import FileRecord, IndexSettings, UnitRecord
from codesim.tokens import TokenStream


def unit_kgrams(stream: TokenStream, kgram_size: int) -> list[HashArray]:
    """The k-gram hashes of each unit's own tokens, in canonical order, one array per unit.

    A unit with fewer than ``kgram_size`` tokens has none; streams from ``fold_small_units``
    have no such unit except, possibly, the module.
    """
    owners = np.asarray(stream.owners, dtype=np.int64)
    # A stable sort keeps each unit's tokens in canonical order.
    order = np.argsort(owners, kind="stable")
    grouped = owners[order]
    kgrams = kgram_hashes(symbol_hashes(stream.symbols)[order], kgram_size)
    span = kgram_size - 1
    # A k-gram belongs to a unit when its first and last token do.
    inside = grouped[: len(kgrams)] == grouped[span : span + len(kgrams)]
    kept_units = grouped[: len(kgrams)][inside]
    kept = kgrams[inside]
    bounds = np.searchsorted(kept_units, np.arange(len(stream.units) + 1))
    return [kept[bounds[i] : bounds[i + 1]] for i in range(len(stream.units))]


def unit_fingerprints(kgrams: HashArray, window_size: int) -> HashArray:
    """The winnowed fingerprints of one unit's k-grams, sorted and distinct."""
    return np.unique(kgrams[winnow(kgrams, window_size)])


def file_record(
    path: str, language: str, data: bytes, stream: TokenStream, settings: IndexSettings
) -> FileRecord:
    """The record of one file: ``data`` is its UTF-8 text, ``stream`` its normalized stream
    with small units folded (``fold_small_units`` with ``settings.kgram_size``)."""
    lines = LineIndex.of(data)
    kgrams = unit_kgrams(stream, settings.kgram_size)
    unit_signatures = signatures(kgrams)
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
            fingerprints=unit_fingerprints(kgrams[i], settings.window_size),
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
