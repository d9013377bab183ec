"""Winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting", SIGMOD 2003).

In every window of ``w`` consecutive k-gram hashes the minimum is selected (the rightmost one
on ties).  Guarantee: any shared run of at least ``w + k - 1`` tokens contains a whole window
of identical k-grams and hence a shared selected hash; runs shorter than ``k`` are never seen.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from codesim.fingerprint.hashing import HashArray
from codesim.fingerprint.sets import unique_sorted


def winnow(kgrams: HashArray, window: int) -> npt.NDArray[np.int64]:
    """Positions (into ``kgrams``) of the selected fingerprints, ascending and unique.

    A stream with fewer than ``window`` k-grams selects its single minimum, so short files
    still get a fingerprint.
    """
    n = len(kgrams)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    if n <= window:
        return np.array([n - 1 - int(np.argmin(kgrams[::-1]))], dtype=np.int64)
    windows = np.lib.stride_tricks.sliding_window_view(kgrams, window)
    # argmin returns the first minimum; on the reversed window that is the rightmost one,
    # which keeps consecutive windows selecting the same position and so fewer fingerprints.
    rightmost = window - 1 - np.argmin(windows[:, ::-1], axis=1)
    positions = np.arange(len(windows), dtype=np.int64) + rightmost
    # The rightmost minimum of the next window is never to the left of this one's.
    return unique_sorted(positions, presorted=True)
