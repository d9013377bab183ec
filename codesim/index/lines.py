"""Byte offsets to lines and columns for a file whose text is not kept.

An index stores token streams, not sources, yet its reports must show spans with 1-based
lines and 0-based code-point columns (the contract).  Two small arrays suffice: where each
line starts, and where the UTF-8 continuation bytes are (each one is a byte that is not a
code point of its own).  For an ASCII file the second array is empty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Offsets = npt.NDArray[np.int64]

_NEWLINE = 0x0A
_CONTINUATION_MASK = 0xC0
_CONTINUATION = 0x80


@dataclass(frozen=True, slots=True)
class LineIndex:
    """``line_starts``: byte offset of every line (the first is 0), ascending;
    ``continuations``: byte offsets of UTF-8 continuation bytes, ascending;
    ``size``: the length of the text in bytes."""

    line_starts: Offsets
    continuations: Offsets
    size: int

    @classmethod
    def of(cls, data: bytes) -> LineIndex:
        """The index of one UTF-8 text."""
        raw = np.frombuffer(data, dtype=np.uint8)
        newlines = np.flatnonzero(raw == _NEWLINE)
        starts = np.concatenate(([0], newlines + 1)).astype(np.int64)
        if data.isascii():  # most files: no byte to look at (bytes.isascii is a fast C scan)
            return cls(starts, np.empty(0, dtype=np.int64), len(data))
        continuations = np.flatnonzero((raw & _CONTINUATION_MASK) == _CONTINUATION)
        return cls(starts, continuations.astype(np.int64), len(data))

    @property
    def lines(self) -> int:
        """``\\n``-terminated lines plus a final unterminated one (as ``SourceFile.lines``)."""
        return len(self.line_starts) - int(self.line_starts[-1] == self.size)

    def positions(self, offsets: Offsets) -> tuple[list[int], list[int]]:
        """``(lines, columns)`` of byte offsets: 1-based lines, 0-based code-point columns."""
        rows = np.searchsorted(self.line_starts, offsets, side="right") - 1
        line_starts = self.line_starts[rows]
        columns = offsets - line_starts
        if len(self.continuations):
            # Continuation bytes between the line start and the offset are not code points.
            columns = columns - (
                np.searchsorted(self.continuations, offsets)
                - np.searchsorted(self.continuations, line_starts)
            )
        return (rows + 1).tolist(), columns.tolist()
