"""Seeds: pairs of positions where the two streams share a k-gram."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from codesim.fingerprint import HashArray

IndexArray = npt.NDArray[np.int64]

MAX_OCCURRENCES = 24
"""A k-gram found more often than this on either side seeds nothing.  Repetitive code (test
tables, generated constants) would otherwise yield a quadratic number of seeds; the matches it
belongs to are still found from neighbouring, rarer k-grams and by extension."""


def shared_kgrams(left: HashArray, right: HashArray) -> tuple[IndexArray, IndexArray]:
    """Positions ``(i, j)`` with ``left[i] == right[j]``, skipping over-frequent k-grams."""
    if len(left) == 0 or len(right) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    order = np.argsort(left, kind="stable")
    ordered = left[order]
    lo = np.searchsorted(ordered, right, side="left")
    hi = np.searchsorted(ordered, right, side="right")
    counts = hi - lo
    right_values, right_counts = np.unique(right, return_counts=True)
    frequent_right = right_values[right_counts > MAX_OCCURRENCES]
    keep = (counts > 0) & (counts <= MAX_OCCURRENCES)
    if len(frequent_right):
        keep &= ~np.isin(right, frequent_right)
    js = np.nonzero(keep)[0]
    if len(js) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    counts = counts[js]
    starts = lo[js]
    total = int(counts.sum())
    # Expand each right position into one seed per matching left occurrence.
    rows = np.repeat(np.arange(len(js)), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    left_positions = order[starts[rows] + offsets].astype(np.int64)
    right_positions = js[rows].astype(np.int64)
    return left_positions, right_positions
