"""File records: each unit fingerprinted on its own tokens, with the lines it spans."""

from __future__ import annotations

import textwrap

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from codesim.fingerprint import kgram_hashes, symbol_hashes, winnow
from codesim.index import codec
from codesim.index.minhash import is_empty, signatures
from codesim.index.prepare import unit_kgrams, units_fingerprints
from codesim.tokens import UnitKind
from tests.index.corpus import SETTINGS, prepare


def unit_fingerprints(kgrams: np.ndarray, window: int) -> np.ndarray:
    """The definition ``units_fingerprints`` computes in bulk: one unit winnowed on its own."""
    return np.unique(kgrams[winnow(kgrams, window)])


SOURCE = textwrap.dedent("""\
    import os


    def walk(top, skip):
        found = []
        for root, folders, files in os.walk(top):
            for name in files:
                if name not in skip:
                    found.append(os.path.join(root, name))
        return found


    class Counter:
        total = 0

        def add(self, amount):
            self.total = self.total + amount
            return self.total
    """)


def test_units_are_fingerprinted_on_their_own_tokens():
    file = prepare("walk.py", SOURCE.encode())
    stream, k = file.stream, SETTINGS.kgram_size
    per_unit = unit_kgrams(stream, k)
    hashes = symbol_hashes(stream.symbols)
    owners = np.asarray(stream.owners)
    assert len(per_unit) == len(stream.units)
    for index, kgrams in enumerate(per_unit):
        own = kgram_hashes(hashes[owners == index], k)
        assert np.array_equal(kgrams, own)
    for unit, kgrams, record in zip(stream.units, per_unit, file.record.units, strict=True):
        assert record.name == unit.name and record.kind == unit.kind
        assert record.tokens == unit.tokens
        assert np.array_equal(record.signature, signatures([kgrams])[0])
        assert np.array_equal(record.fingerprints, unit_fingerprints(kgrams, SETTINGS.window_size))
        assert np.all(np.diff(record.fingerprints.astype(np.float64)) > 0)


def test_unit_records_carry_their_lines_and_the_file_its_stream():
    file = prepare("walk.py", SOURCE.encode())
    lines = {u.name: (u.kind, u.start_line, u.end_line) for u in file.record.units}
    assert lines["walk"] == (UnitKind.FUNCTION, 4, 10)
    assert lines["Counter.add"] == (UnitKind.FUNCTION, 16, 18)
    assert file.record.lines == SOURCE.count("\n")
    assert codec.decode(file.record.stream).stream == file.stream


def test_a_unit_shorter_than_a_kgram_has_no_kgrams_and_an_empty_signature():
    file = prepare("tiny.py", b"x = 1\n")
    (kgrams,) = unit_kgrams(file.stream, SETTINGS.kgram_size)
    assert len(kgrams) == 0
    (record,) = file.record.units
    assert is_empty(record.signature) and len(record.fingerprints) == 0
    empty = prepare("empty.py", b"")
    assert all(len(u.fingerprints) == 0 for u in empty.record.units)


# Small hash ranges make ties (the rightmost minimum must win) and repeated values common.
_UNITS = st.lists(
    st.one_of(
        st.lists(st.integers(0, 3), max_size=30),
        st.lists(st.integers(0, 2**64 - 1), max_size=30),
    ),
    max_size=8,
)


@given(units=_UNITS, window=st.integers(1, 10))
def test_fingerprints_of_all_units_at_once_equal_one_unit_at_a_time(units, window):
    kgrams = [np.array(unit, dtype=np.uint64) for unit in units]
    together = units_fingerprints(kgrams, window)
    assert len(together) == len(kgrams)
    for mine, unit in zip(together, kgrams, strict=True):
        assert mine.dtype == np.uint64
        assert np.array_equal(mine, unit_fingerprints(unit, window))
