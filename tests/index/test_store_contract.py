"""The ``Store`` protocol, held to the same expectations on every backend."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from codesim.index.bands import BANDS
from codesim.index.minhash import EMPTY_VALUE, NUM_PERM, is_empty
from codesim.index.records import ProjectMeta, StoreStats
from codesim.index.store import Store
from tests.index.corpus import SETTINGS, stdlib_files
from tests.index.synthetic import meta, synthetic_files


def all_units(store: Store, signatures: np.ndarray) -> set[int]:
    return {unit for row in store.candidates(signatures) for unit in row}


def test_a_new_index_is_empty(store: Store):
    assert store.settings == SETTINGS
    assert store.projects() == []
    stats = store.stats()
    assert (stats.projects, stats.files, stats.units, stats.fingerprints) == (0, 0, 0, 0)
    assert store.candidates(np.zeros((2, NUM_PERM), dtype=np.uint32)) == [[], []]


def test_add_then_read_everything_back(store: Store):
    files = stdlib_files(6)
    records = [file.record for file in files]
    store.add_project(meta("stdlib"), records)
    assert store.projects() == [meta("stdlib")]
    stats = store.stats()
    units = [unit for record in records for unit in record.units]
    distinct = np.unique(np.concatenate([unit.fingerprints for unit in units]))
    assert stats == StoreStats(1, len(records), len(units), len(distinct), stats.bytes)
    assert stats.bytes > 0

    signatures = np.stack([unit.signature for unit in units])
    empty = is_empty(signatures)
    found = store.candidates(signatures)
    ids = sorted({unit for row in found for unit in row})
    stored = store.units(ids)
    # Every unit with k-grams finds at least itself; a unit without finds nothing.
    assert len(stored) == len(units) - empty.sum()
    prints = store.fingerprints(ids)
    for row, unit, unbanded in zip(found, units, empty, strict=True):
        if unbanded:
            assert row == []
            continue
        own = [stored[i] for i in row if stored[i].name == unit.name]
        assert own, f"{unit.name} does not find itself"
        assert any(np.array_equal(prints[s.id], unit.fingerprints) for s in own)
        assert any(
            (s.kind, s.start_line, s.end_line, s.tokens)
            == (unit.kind, unit.start_line, unit.end_line, unit.tokens)
            for s in own
        )

    file_ids = sorted({s.file_id for s in stored.values()})
    assert len(file_ids) >= len(records) - empty.sum()
    loaded = [store.load_file(file_id) for file_id in file_ids]
    by_path = {file.path: file for file in files}
    for item in loaded:
        original = by_path[item.path]
        assert item.project == meta("stdlib")
        assert item.stream == original.stream
        assert item.sha256 == original.record.sha256
        assert item.lines == original.record.lines
        assert item.language == "python"
        assert item.line_index.size == len(original.data)


def test_empty_signatures_find_nothing(store: Store):
    store.add_project(meta("a"), synthetic_files(1, 3))
    empty = np.full((1, NUM_PERM), EMPTY_VALUE, dtype=np.uint32)
    assert store.candidates(empty) == [[]]
    with pytest.raises(ValueError):
        store.candidates(np.zeros((2, NUM_PERM - 1), dtype=np.uint32))


def test_one_shared_band_is_enough(store: Store):
    records = synthetic_files(2, 1, units_per_file=1)
    store.add_project(meta("a"), records)
    signature = records[0].units[0].signature
    probe = np.array([signature, signature, signature], dtype=np.uint32)
    probe[1, 3:] ^= 1  # only band 0 (values 0..2) still agrees
    probe[2, :] ^= 1  # nothing agrees
    found = store.candidates(probe)
    assert len(found[0]) == 1 and found[1] == found[0] and found[2] == []
    assert BANDS * 3 <= NUM_PERM


def test_re_adding_a_version_replaces_it_and_old_ids_find_nothing(store: Store):
    first = synthetic_files(10, 4)
    store.add_project(meta("p"), first)
    store.add_project(meta("q"), synthetic_files(11, 2))
    old_probe = np.stack([u.signature for r in first for u in r.units])
    old_ids = sorted(all_units(store, old_probe))
    old_files = {s.file_id for s in store.units(old_ids).values()}
    assert len(old_ids) == 12

    second = synthetic_files(12, 3)
    store.add_project(meta("p"), second)
    assert store.projects() == [meta("p"), meta("q")]
    assert store.stats().files == 5
    assert all_units(store, old_probe) == set()
    assert store.units(old_ids) == {}
    assert store.fingerprints(old_ids) == {}
    for file_id in old_files:
        with pytest.raises(KeyError):
            store.load_file(file_id)
    new_ids = all_units(store, np.stack([u.signature for r in second for u in r.units]))
    assert len(new_ids) == 9 and not new_ids & set(old_ids)


def test_remove(store: Store):
    store.add_project(meta("p", "1"), synthetic_files(20, 2))
    store.add_project(meta("p", "2"), synthetic_files(21, 2))
    assert store.remove("p", "1") is True
    assert store.remove("p", "1") is False
    assert store.remove("nothing", "1") is False
    assert [(p.name, p.version) for p in store.projects()] == [("p", "2")]
    assert store.stats().units == 6
    assert store.remove("p", "2") is True
    stats = store.stats()
    assert (stats.projects, stats.files, stats.units, stats.fingerprints) == (0, 0, 0, 0)


def test_a_projects_tokens_are_the_sum_of_its_units(store: Store):
    one, two = synthetic_files(60, 3), synthetic_files(61, 2)
    store.add_project(meta("p", "1"), one)
    store.add_project(meta("p", "2"), two)
    store.add_project(meta("hollow"), [])
    for version, records in (("1", one), ("2", two)):
        expected = sum(unit.tokens for record in records for unit in record.units)
        assert expected > 0
        assert store.project_tokens("p", version) == expected
    assert store.project_tokens("hollow", "1.0") == 0
    store.add_project(meta("p", "1"), two)  # replaced: the new content counts
    assert store.project_tokens("p", "1") == store.project_tokens("p", "2")
    store.remove("p", "2")
    with pytest.raises(KeyError):
        store.project_tokens("p", "2")


def test_document_frequency_counts_projects_not_units(store: Store):
    shared = np.array([11, 22, 2**64 - 1], dtype=np.uint64)
    one, two, three = synthetic_files(30, 2), synthetic_files(31, 1), synthetic_files(32, 1)
    for records in (one, two):
        units = tuple(
            replace(unit, fingerprints=np.union1d(unit.fingerprints, shared))
            for unit in records[0].units
        )
        records[0] = replace(records[0], units=units)
    store.add_project(meta("one"), one)
    store.add_project(meta("two"), two)
    store.add_project(meta("three"), three)
    own = one[1].units[0].fingerprints[:1]
    probe = np.concatenate((shared, own, np.array([12345], dtype=np.uint64)))
    assert store.document_frequency(probe).tolist() == [2, 2, 2, 1, 0]
    store.remove("two", "1.0")
    assert store.document_frequency(probe).tolist() == [1, 1, 1, 1, 0]
    store.add_project(meta("one"), three)  # replaced: its shared fingerprints are gone
    assert store.document_frequency(probe).tolist() == [0, 0, 0, 0, 0]


def test_optional_metadata_may_be_missing(store: Store):
    bare = ProjectMeta("bare", "0")
    store.add_project(bare, synthetic_files(40, 1))
    assert store.projects() == [bare]
    (unit_id,) = all_units(store, synthetic_files(40, 1)[0].units[0].signature[None, :])
    file_id = store.units([unit_id])[unit_id].file_id
    assert store.load_file(file_id).project == bare


def test_a_project_without_files(store: Store):
    store.add_project(meta("hollow"), [])
    assert store.projects() == [meta("hollow")]
    assert store.stats().files == 0
    assert store.remove("hollow", "1.0")


def test_a_failing_add_leaves_the_index_as_it_was(store: Store):
    store.add_project(meta("p"), synthetic_files(50, 2))
    before = (store.projects(), store.stats().files, store.stats().fingerprints)
    old_probe = np.stack([u.signature for r in synthetic_files(50, 2) for u in r.units])
    new_records = synthetic_files(51, 5)

    def failing():
        yield from new_records[:3]
        raise RuntimeError("the reader of the project died")

    with pytest.raises(RuntimeError, match="died"):
        store.add_project(meta("p"), failing())
    assert (store.projects(), store.stats().files, store.stats().fingerprints) == before
    assert all(store.candidates(old_probe))
    new_probe = np.stack([u.signature for r in new_records for u in r.units])
    assert store.candidates(new_probe) == [[]] * len(new_probe)
