"""The stored-stream format: exact round trips, compact, and nothing but IndexFormatError on
bad bytes."""

from __future__ import annotations

import contextlib
import struct
import zlib
from array import array
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codesim.errors import IndexFormatError
from codesim.index import codec
from codesim.index.lines import LineIndex
from codesim.tokens import TokenStream, Unit, UnitKind
from tests.index.corpus import prepare, stdlib_files

MAX_BYTES_PER_LINE = 16
"""Measured 12.1 on the standard library (tests/index/test_codec.py); the whole index has a
budget of 150."""


def sample_blob() -> bytes:
    file = stdlib_files(3)[0]
    return codec.encode(file.stream, LineIndex.of(file.data))


def test_real_files_round_trip_exactly():
    for file in stdlib_files(30):
        lines = LineIndex.of(file.data)
        back = codec.decode(codec.encode(file.stream, lines))
        assert back.stream == file.stream
        assert np.array_equal(back.lines.line_starts, lines.line_starts)
        assert np.array_equal(back.lines.continuations, lines.continuations)
        assert back.lines.size == len(file.data)


def test_round_trip_keeps_odd_text_and_empty_streams():
    text = "s = '\\ud800 \u00e9\u4e2d\U0001f600 \\x00'\n"
    file = prepare("odd.py", text.encode("utf-8"))
    assert any("\ud800" in t or "\x00" in t for t in file.stream.texts)
    back = codec.decode(codec.encode(file.stream, LineIndex.of(file.data)))
    assert back.stream == file.stream
    empty = prepare("empty.py", b"")
    assert codec.decode(codec.encode(empty.stream, LineIndex.of(b""))).stream == empty.stream


def test_stored_streams_are_compact():
    files = stdlib_files(30)
    size = sum(len(codec.encode(f.stream, LineIndex.of(f.data))) for f in files)
    lines = sum(f.record.lines for f in files)
    assert size / lines <= MAX_BYTES_PER_LINE


def _reference_position(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, len(data[line_start:offset].decode("utf-8"))


def test_line_index_gives_lines_and_code_point_columns():
    text = "a = 1\nb = 'é中😀' + x\n\n  c = \"ü\"; d\nlast"
    data = text.encode("utf-8")
    offsets = np.arange(len(data) + 1, dtype=np.int64)
    # Offsets inside a multi-byte character are never token boundaries; skip them.
    boundaries = offsets[[(o == len(data)) or (data[o] & 0xC0) != 0x80 for o in offsets]]
    lines, columns = LineIndex.of(data).positions(boundaries)
    assert list(zip(lines, columns, strict=True)) == [
        _reference_position(data, int(o)) for o in boundaries
    ]
    for file in stdlib_files(30):
        starts = np.asarray(file.stream.start_bytes[:500], dtype=np.int64)
        index = LineIndex.of(file.data)
        lines, columns = index.positions(starts)
        assert list(zip(lines, columns, strict=True)) == [
            _reference_position(file.data, int(o)) for o in starts
        ]
        assert index.lines == file.data.count(b"\n") + (not file.data.endswith(b"\n"))


def test_header_errors_are_clear():
    blob = sample_blob()
    with pytest.raises(IndexFormatError, match="no header"):
        codec.decode(b"CS")
    with pytest.raises(IndexFormatError, match="magic"):
        codec.decode(b"XXXX" + blob[4:])
    newer = struct.pack("<4sH", codec.MAGIC, codec.VERSION + 1) + blob[6:]
    with pytest.raises(IndexFormatError, match=f"version {codec.VERSION + 1}"):
        codec.decode(newer)
    with pytest.raises(IndexFormatError, match="truncated"):
        codec.decode(blob[:-3])


def test_a_consistent_looking_but_wrong_body_is_refused():
    stream = TokenStream(
        symbols=["call"],
        texts=[""],
        numbers=[-1],
        scopes=[-2],
        start_bytes=array("q", [0]),
        end_bytes=array("q", [4]),
        owners=[0],
        units=[Unit("<module>", UnitKind.MODULE, -1, 0, 4, 1)],
    )
    good = codec.encode(stream, LineIndex.of(b"call"))
    assert codec.decode(good).stream == stream
    for broken, problem in [
        (replace(stream, owners=[1]), "owner"),
        (replace(stream, end_bytes=array("q", [99])), "out of bounds"),
        (replace(stream, numbers=[-5]), "placeholder"),
        (replace(stream, units=[Unit("<module>", UnitKind.MODULE, -1, 0, 4, 7)]), "token counts"),
    ]:
        with pytest.raises(IndexFormatError, match=problem):
            codec.decode(codec.encode(broken, LineIndex.of(b"call")))


def test_a_body_that_inflates_too_far_is_refused(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(codec, "MAX_DECODED_BYTES", 64)
    with pytest.raises(IndexFormatError, match="more than 64 bytes"):
        codec.decode(sample_blob())
    bomb = struct.pack("<4sH", codec.MAGIC, codec.VERSION) + zlib.compress(bytes(10_000))
    with pytest.raises(IndexFormatError):
        codec.decode(bomb)


def _decode_or_format_error(blob: bytes) -> None:
    with contextlib.suppress(IndexFormatError):
        codec.decode(blob)


@given(st.binary(max_size=400))
def test_random_bytes_raise_only_index_format_error(blob: bytes):
    _decode_or_format_error(blob)
    _decode_or_format_error(codec.MAGIC + struct.pack("<H", codec.VERSION) + blob)


@given(st.binary(max_size=2000))
def test_random_compressed_bodies_raise_only_index_format_error(body: bytes):
    _decode_or_format_error(struct.pack("<4sH", codec.MAGIC, codec.VERSION) + zlib.compress(body))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_real_blobs_raise_only_index_format_error(data: st.DataObject):
    blob = sample_blob()
    body = zlib.decompress(blob[6:])
    header = blob[:6]
    choice = data.draw(st.sampled_from(["truncate", "flip", "flip-body", "cut-body"]))
    if choice == "truncate":
        damaged = blob[: data.draw(st.integers(0, len(blob) - 1))]
    elif choice == "flip":
        at = data.draw(st.integers(0, len(blob) - 1))
        damaged = blob[:at] + bytes([blob[at] ^ data.draw(st.integers(1, 255))]) + blob[at + 1 :]
    elif choice == "flip-body":
        # Damage behind zlib's checksum, so that the format's own checks must catch it.
        at = data.draw(st.integers(0, len(body) - 1))
        changed = body[:at] + bytes([body[at] ^ data.draw(st.integers(1, 255))]) + body[at + 1 :]
        damaged = header + zlib.compress(changed)
    else:
        damaged = header + zlib.compress(body[: data.draw(st.integers(0, len(body) - 1))])
    _decode_or_format_error(damaged)
