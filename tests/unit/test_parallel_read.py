"""Reading a side with a forked child, or in two halves, gives what reading it whole in one
process gives."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from codesim.options import Options
from codesim.pipeline import forking, parallel, reading
from codesim.pipeline.reading import NormalizedFile, SideData
from codesim.pipeline.streams import stream_side

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="needs the fork start method"
)


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    shutil.copytree(Path(json.__file__).parent, repo, ignore=shutil.ignore_patterns("__pycache__"))
    (repo / "notes.txt").write_text("not code\n", encoding="utf-8")
    return repo


def _read(repo: Path, *, split: bool) -> SideData:
    options = Options()
    if not split:
        return reading.read_side(repo, "checked", options, units=True, graph=True)
    return parallel.read_side_split(repo, "checked", options, workers=2, units=True, graph=True)


def _same(one: NormalizedFile, two: NormalizedFile) -> None:
    assert one.path == two.path
    assert np.array_equal(one.stream.hashes, two.stream.hashes)
    assert np.array_equal(one.stream.kgrams.kgrams, two.stream.kgrams.kgrams)
    assert one.stream.texts == two.stream.texts
    assert one.stream.scopes == two.stream.scopes
    assert np.array_equal(one.selected, two.selected)
    assert np.array_equal(one.start_bytes, two.start_bytes)
    assert one.lines.lines == two.lines.lines
    assert one.units is not None and two.units is not None
    assert one.units.fingerprints is not None and two.units.fingerprints is not None
    assert np.array_equal(one.units.signatures, two.units.signatures)
    assert all(
        np.array_equal(a, b)
        for a, b in zip(one.units.fingerprints, two.units.fingerprints, strict=True)
    )
    assert one.graph is not None and two.graph is not None
    assert one.graph.imports == two.graph.imports
    assert [u.name for u in one.graph.units] == [u.name for u in two.graph.units]


def test_a_split_read_equals_a_read_in_one_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path)
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_core_free", lambda workers: True)
    alone, split = _read(repo, split=False), _read(repo, split=True)
    assert len(split.files) == len(alone.files) > 2
    for one, two in zip(alone.files, split.files, strict=True):
        _same(one, two)
    assert (split.skipped, split.ignored) == (alone.skipped, alone.ignored)


def test_the_files_of_a_child_that_dies_are_read_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = _repo(tmp_path)
    monkeypatch.setattr(parallel, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(parallel, "_core_free", lambda workers: True)
    monkeypatch.setattr(forking, "_child", lambda *_: os._exit(1))
    alone, split = _read(repo, split=False), _read(repo, split=True)
    for one, two in zip(alone.files, split.files, strict=True):
        _same(one, two)


def test_signing_units_without_their_fingerprints_keeps_the_signatures(tmp_path: Path) -> None:
    # What cross reads: the units' signatures, without the per-unit prints an index stores.
    repo = _repo(tmp_path)
    full = reading.read_side(repo, "submission", Options(), units=True)
    signed = reading.read_side(repo, "submission", Options(), units=True, unit_fingerprints=False)
    assert [f.path for f in full.files] == [f.path for f in signed.files]
    for one, two in zip(full.files, signed.files, strict=True):
        assert one.units is not None and two.units is not None
        assert one.units.fingerprints is not None and len(one.units.fingerprints)
        assert two.units.fingerprints is None
        assert np.array_equal(one.units.signatures, two.units.signatures)


def test_a_side_read_in_two_halves_equals_one_read_whole(tmp_path: Path) -> None:
    # cross's prestarted reading process goes as far as the streams, and the process that
    # started it fingerprints them: the side must be the one a whole read gives.
    repo = _repo(tmp_path)
    options = Options()
    whole = reading.read_side(repo, "submission", options, units=True, unit_fingerprints=False)
    halves = reading.fingerprinted_side(
        stream_side(repo, "submission", options), options, units=True
    )
    assert (halves.label, halves.root, halves.skipped, halves.ignored) == (
        whole.label,
        whole.root,
        whole.skipped,
        whole.ignored,
    )
    assert len(halves.files) == len(whole.files) > 3
    for one, two in zip(halves.files, whole.files, strict=True):
        assert one.path == two.path
        assert np.array_equal(one.stream.hashes, two.stream.hashes)
        assert one.stream.texts == two.stream.texts
        assert np.array_equal(one.selected, two.selected)
        assert np.array_equal(one.end_bytes, two.end_bytes)
        assert one.lines.lines == two.lines.lines
        assert one.units is not None and two.units is not None
        assert one.units.fingerprints is None and two.units.fingerprints is None
        assert np.array_equal(one.units.signatures, two.units.signatures)
