"""A safe binary format for one indexed file: its token stream and its line index.

An index keeps, per file, what a later query needs to re-run alignment against it without the
source: the canonical ``TokenStream`` and the ``LineIndex`` that turns its byte offsets into
lines and columns.  The format is data only, never code: nothing is unpickled or evaluated,
and ``decode`` checks every length, bound and cross-reference, so a corrupt or hostile blob
raises ``IndexFormatError`` and nothing else.

Layout: ``MAGIC`` (4 bytes), ``VERSION`` (uint16 little-endian), then a zlib stream holding,
in this order:

- the counts: source bytes, tokens, units, line starts, continuation bytes, syntax errors,
  unparsed bytes (7 x uint64);
- the symbol vocabulary (strings, in order of first use) and one vocabulary index per token;
- the text vocabulary and one index per token, likewise;
- the numbers + 1 and scopes + 2 of every token;
- the start offset of every token as a difference from the previous token's (canonical order
  is mostly source order, so the differences are small), and every token's byte length;
- every token's owner unit;
- per unit: name, kind, parent + 1, start byte, byte length, tokens;
- the line starts and the continuation bytes, each as differences from the previous one.

An integer array is a dtype code (uint8), a count (uint32) and the values in the narrowest
little-endian integer type that holds them; a list of strings is the array of their lengths
in code points and the UTF-8 of their concatenation.  zlib's checksum catches most damage
before the checks do.

Texts are stored as a vocabulary, like symbols, because a query decodes every stored file it
aligns against: a file has about eight times fewer distinct texts than tokens (half of the
texts are empty), and picking one list item per token from a vocabulary takes a fifth of the
time of slicing every token's text out of one string (version 1 stored them that way).
"""

from __future__ import annotations

import itertools
import struct
import zlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from codesim.errors import IndexFormatError
from codesim.index.lines import LineIndex
from codesim.tokens import TokenStream, Unit, UnitKind

MAGIC = b"CSTS"
"""Marks a codesim token stream."""

VERSION = 2
"""Bumped on any change of the layout; ``decode`` refuses versions it does not know."""

MAX_DECODED_BYTES = 1 << 28
"""A decoded stream larger than this (256 MiB) is refused: the largest file codesim reads is
2 MB of source, and a tiny blob must not be able to inflate into all of memory."""

_COMPRESSION_LEVEL = 1
"""zlib's fastest level: on Django 4.2 it compresses in two thirds of the default level's (6)
time for 11% more bytes (18.7 instead of 16.8 bytes per source line), where ingest speed
matters more than a few bytes; level 9 saves under 1% more and is three times slower than 6.
``decode`` reads any level."""
_HEADER = struct.Struct("<4sH")
_COUNTS = struct.Struct("<7Q")
_ARRAY = struct.Struct("<BI")
_TEXT_ERRORS = "surrogatepass"
"""Literal values may hold lone surrogates (``"\\ud800"``); they must survive the round trip."""

_KINDS = (UnitKind.MODULE, UnitKind.CLASS, UnitKind.FUNCTION)
"""Unit kinds by stored code: explicit, so a new kind cannot renumber existing ones."""
_KIND_CODES = {kind: code for code, kind in enumerate(_KINDS)}

_DTYPES = tuple(np.dtype(name) for name in ("<u1", "<u2", "<u4", "<u8", "<i1", "<i2", "<i4", "<i8"))
_DTYPE_CODES = {dtype: code for code, dtype in enumerate(_DTYPES)}
_RANGES = tuple((dtype, int(np.iinfo(dtype).min), int(np.iinfo(dtype).max)) for dtype in _DTYPES)

Ints = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class StoredStream:
    """What ``decode`` returns: a file's canonical token stream and its line index."""

    stream: TokenStream
    lines: LineIndex


def encode(stream: TokenStream, lines: LineIndex) -> bytes:
    """The compressed bytes of one file's stream and line index."""
    symbols, symbol_ids = _vocabulary(stream.symbols)
    texts, text_ids = _vocabulary(stream.texts)
    starts = np.asarray(stream.start_bytes, dtype=np.int64)
    ends = np.asarray(stream.end_bytes, dtype=np.int64)
    units = stream.units
    unit_starts = np.array([unit.start_byte for unit in units], dtype=np.int64)
    unit_ends = np.array([unit.end_byte for unit in units], dtype=np.int64)
    parts = [
        _COUNTS.pack(
            lines.size,
            len(stream),
            len(units),
            len(lines.line_starts),
            len(lines.continuations),
            stream.error_count,
            stream.error_bytes,
        ),
        _strings(symbols),
        _array(symbol_ids),
        _strings(texts),
        _array(text_ids),
        _array(np.asarray(stream.numbers, dtype=np.int64) + 1),
        _array(np.asarray(stream.scopes, dtype=np.int64) + 2),
        _array(np.diff(starts, prepend=0)),
        _array(ends - starts),
        _array(stream.owners),
        _strings([unit.name for unit in units]),
        _array([_KIND_CODES[unit.kind] for unit in units]),
        _array([unit.parent + 1 for unit in units]),
        _array(unit_starts),
        _array(unit_ends - unit_starts),
        _array([unit.tokens for unit in units]),
        _array(np.diff(lines.line_starts, prepend=0)),
        _array(np.diff(lines.continuations, prepend=0)),
    ]
    body = zlib.compress(b"".join(parts), _COMPRESSION_LEVEL)
    return _HEADER.pack(MAGIC, VERSION) + body


def decode(blob: bytes) -> StoredStream:
    """The stream and line index of ``encode``'s bytes; ``IndexFormatError`` if they are not
    exactly that (wrong magic, unknown version, damaged, truncated or inconsistent data)."""
    if len(blob) < _HEADER.size:
        raise IndexFormatError("stored stream is truncated: no header")
    magic, version = _HEADER.unpack_from(blob)
    if magic != MAGIC:
        raise IndexFormatError("stored stream has a bad magic number: not a codesim stream")
    if version != VERSION:
        raise IndexFormatError(
            f"stored stream has format version {version}; this codesim reads version {VERSION}"
        )
    reader = _Reader(_inflate(blob[_HEADER.size :]))
    size, tokens, unit_count, line_count, continuation_count, errors, error_bytes = reader.struct(
        _COUNTS
    )
    symbol_vocabulary = reader.strings()
    symbol_ids = reader.array(tokens)
    text_vocabulary = reader.strings()
    text_ids = reader.array(tokens)
    numbers = reader.array(tokens) - 1
    scopes = reader.array(tokens) - 2
    starts = np.cumsum(reader.array(tokens))
    ends = starts + reader.array(tokens)
    owners = reader.array(tokens)
    names = reader.strings(unit_count)
    kinds = reader.array(unit_count)
    parents = reader.array(unit_count) - 1
    unit_starts = reader.array(unit_count)
    unit_ends = unit_starts + reader.array(unit_count)
    unit_tokens = reader.array(unit_count)
    line_starts = np.cumsum(reader.array(line_count))
    continuations = np.cumsum(reader.array(continuation_count))
    reader.finish()

    _check(_within(symbol_ids, 0, len(symbol_vocabulary) - 1), "a symbol is not in the vocabulary")
    _check(_within(text_ids, 0, len(text_vocabulary) - 1), "a text is not in the vocabulary")
    _check(bool(np.all(numbers >= -1)) and bool(np.all(scopes >= -2)), "bad placeholder data")
    _check(_within(starts, 0, size) and _within(ends, starts, size), "a token is out of bounds")
    _check(_within(owners, 0, unit_count - 1), "a token's owner is not a unit")
    _check(_within(kinds, 0, len(_KINDS) - 1), "a unit has an unknown kind")
    _check(_valid_parents(parents), "the unit tree is not in pre-order")
    _check(
        _within(unit_starts, 0, size) and _within(unit_ends, unit_starts, size),
        "a unit is out of bounds",
    )
    _check(
        np.array_equal(unit_tokens, np.bincount(owners, minlength=unit_count)),
        "unit token counts disagree with the owners",
    )
    _check(
        line_count > 0
        and int(line_starts[0]) == 0
        and _ascending(line_starts)
        and int(line_starts[-1]) <= size,
        "bad line starts",
    )
    _check(_ascending(continuations) and _within(continuations, 0, size - 1), "bad continuations")

    units = [
        Unit(name, _KINDS[kind], parent, start, end, count)
        for name, kind, parent, start, end, count in zip(
            names,
            kinds.tolist(),
            parents.tolist(),
            unit_starts.tolist(),
            unit_ends.tolist(),
            unit_tokens.tolist(),
            strict=True,
        )
    ]
    stream = TokenStream(
        symbols=_pick(symbol_vocabulary, symbol_ids),
        texts=_pick(text_vocabulary, text_ids),
        numbers=numbers.tolist(),
        scopes=scopes.tolist(),
        start_bytes=array("q", starts.astype(np.int64).tobytes()),
        end_bytes=array("q", ends.astype(np.int64).tobytes()),
        owners=owners.tolist(),
        units=units,
        error_count=errors,
        error_bytes=error_bytes,
    )
    return StoredStream(stream, LineIndex(line_starts, continuations, size))


def _vocabulary(values: list[str]) -> tuple[list[str], Ints]:
    """The distinct ``values`` in order of first use, and each value's index among them."""
    # dict.fromkeys keeps the order of first use; both steps run in C, not per item in Python.
    index = {value: number for number, value in enumerate(dict.fromkeys(values))}
    ids = np.fromiter(map(index.__getitem__, values), dtype=np.int64, count=len(values))
    return list(index), ids


def _pick(vocabulary: list[str], ids: Ints) -> list[str]:
    """``[vocabulary[i] for i in ids]``, with the per-item work done by numpy."""
    table = np.empty(len(vocabulary), dtype=object)
    table[:] = vocabulary
    picked: list[str] = table[ids].tolist()
    return picked


def _array(values: Sequence[int] | Ints) -> bytes:
    array = np.asarray(values, dtype=np.int64)
    dtype = _narrowest(array)
    return _ARRAY.pack(_DTYPE_CODES[dtype], len(array)) + array.astype(dtype).tobytes()


def _narrowest(array: Ints) -> np.dtype[np.integer[Any]]:
    low = int(array.min()) if len(array) else 0
    high = int(array.max()) if len(array) else 0
    for dtype, smallest, largest in _RANGES:
        if smallest <= low and high <= largest:
            return dtype
    raise ValueError("value out of the int64 range")  # pragma: no cover - input is int64


def _strings(values: Sequence[str]) -> bytes:
    joined = "".join(values).encode("utf-8", _TEXT_ERRORS)
    return _array([len(value) for value in values]) + struct.pack("<I", len(joined)) + joined


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        body = inflater.decompress(data, MAX_DECODED_BYTES)
    except zlib.error as exc:
        raise IndexFormatError(f"stored stream is damaged: {exc}") from None
    if inflater.unconsumed_tail:
        raise IndexFormatError(f"stored stream inflates to more than {MAX_DECODED_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise IndexFormatError("stored stream is truncated or has trailing data")
    return body


class _Reader:
    """Bounds-checked reads from the inflated body; every failure is an ``IndexFormatError``."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._offset = 0

    def _take(self, size: int) -> bytes:
        end = self._offset + size
        if size < 0 or end > len(self._data):
            raise IndexFormatError("stored stream is truncated")
        chunk = self._data[self._offset : end]
        self._offset = end
        return chunk

    def struct(self, layout: struct.Struct) -> tuple[int, ...]:
        values: tuple[int, ...] = layout.unpack(self._take(layout.size))
        return values

    def array(self, expected: int | None = None) -> Ints:
        code, count = self.struct(_ARRAY)
        if code >= len(_DTYPES):
            raise IndexFormatError(f"stored stream has an unknown array type {code}")
        if expected is not None and count != expected:
            raise IndexFormatError(f"stored stream has {count} values where {expected} belong")
        dtype = _DTYPES[code]
        raw = self._take(count * dtype.itemsize)
        values: Ints = np.frombuffer(raw, dtype=dtype).astype(np.int64)
        if dtype == np.dtype("<u8") and count and int(values.min()) < 0:
            raise IndexFormatError("stored stream has a value out of range")
        return values

    def strings(self, expected: int | None = None) -> list[str]:
        lengths = self.array(expected)
        (size,) = self.struct(struct.Struct("<I"))
        try:
            text = self._take(size).decode("utf-8", _TEXT_ERRORS)
        except UnicodeDecodeError:
            raise IndexFormatError("stored stream has a string that is not UTF-8") from None
        if bool(np.any(lengths < 0)) or int(lengths.sum()) != len(text):
            raise IndexFormatError("stored stream has string lengths that do not add up")
        bounds = [0, *np.cumsum(lengths).tolist()]
        return [text[start:end] for start, end in itertools.pairwise(bounds)]

    def finish(self) -> None:
        if self._offset != len(self._data):
            raise IndexFormatError("stored stream has trailing data")


def _check(condition: bool, problem: str) -> None:
    if not condition:
        raise IndexFormatError(f"stored stream is inconsistent: {problem}")


def _within(values: Ints, low: int | Ints, high: int) -> bool:
    return bool(np.all(values >= low)) and bool(np.all(values <= high))


def _ascending(values: Ints) -> bool:
    return bool(np.all(np.diff(values) > 0))


def _valid_parents(parents: Ints) -> bool:
    if not len(parents):
        return True
    indices = np.arange(len(parents))
    return int(parents[0]) == -1 and bool(np.all((parents[1:] >= 0) & (parents[1:] < indices[1:])))
