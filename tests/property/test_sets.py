"""The sort-based set operations agree with numpy's own."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from codesim.fingerprint import in_sorted, unique_sorted

values = st.lists(st.integers(0, 2**64 - 1) | st.integers(0, 9), max_size=200).map(
    lambda items: np.array(items, dtype=np.uint64)
)


@given(values)
def test_unique_sorted_is_np_unique(array):
    assert unique_sorted(array).tolist() == np.unique(array).tolist()
    assert unique_sorted(np.sort(array), presorted=True).tolist() == np.unique(array).tolist()


@given(values, values)
def test_in_sorted_is_np_isin(array, table):
    expected = np.isin(array, table)
    assert in_sorted(array, np.unique(table)).tolist() == expected.tolist()
