"""The SQLite backend: versioned format, refusal of foreign files, atomic adds under SIGKILL,
readers beside a writer, and a second writer that gives up with a clear error."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from codesim.errors import IndexBusyError, IndexFormatError
from codesim.index import sqlite as sqlite_backend
from codesim.index.records import IndexSettings
from codesim.index.sqlite import SqliteStore
from tests.index.corpus import SETTINGS
from tests.index.synthetic import meta, synthetic_files
from tests.index.writer import start, wait_for


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_settings_are_stored_and_enforced(tmp_path: Path):
    path = tmp_path / "index.db"
    SqliteStore.open(path, settings=IndexSettings(9, 4)).close()
    store = SqliteStore.open(path)
    assert store.settings == IndexSettings(9, 4)
    store.close()
    with pytest.raises(IndexFormatError, match="built with"):
        SqliteStore.open(path, settings=SETTINGS)
    with pytest.raises(IndexFormatError, match="no index"):
        SqliteStore.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()
    # Creation leaves no temporary file behind.
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("index.db")) == []


def _another_apps_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE notes (body TEXT)")
    connection.execute("INSERT INTO notes VALUES ('hello')")
    connection.commit()
    connection.close()


def _index_edited_by(sql: str) -> Callable[[Path], None]:
    """A maker of a real index that one SQL statement then tampered with."""

    def make(path: Path) -> None:
        SqliteStore.open(path, settings=SETTINGS).close()
        connection = sqlite3.connect(path)
        connection.execute(sql)
        connection.commit()
        connection.close()

    return make


def _damaged_pages(path: Path) -> None:
    SqliteStore.open(path, settings=SETTINGS).close()
    data = bytearray(path.read_bytes())
    data[100:] = os.urandom(len(data) - 100)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(os.urandom(4096)), "not an SQLite database"),
        (lambda p: p.write_bytes(b"SQLite format 3\x00"), "not an SQLite database"),
        (_another_apps_database, "another application"),
        (
            _index_edited_by(f"PRAGMA user_version = {sqlite_backend.SCHEMA_VERSION + 1}"),
            "newer than this codesim",
        ),
        (
            _index_edited_by("UPDATE meta SET value = '64' WHERE key = 'minhash_num_perm'"),
            "minhash_num_perm",
        ),
        (_index_edited_by("DROP TABLE meta"), "damaged"),
        (_damaged_pages, "damaged|malformed|not a database"),
        (
            _index_edited_by("UPDATE meta SET value = '1' WHERE key = 'canonical_form'"),
            "built with canonical form 1.*add the projects again",
        ),
        (
            _index_edited_by("DELETE FROM meta WHERE key = 'canonical_form'"),
            "built with an earlier codesim",
        ),
    ],
    ids=[
        "empty",
        "random",
        "short",
        "other-app",
        "newer",
        "other-minhash",
        "no-meta",
        "pages",
        "other-canonical-form",
        "before-canonical-forms",
    ],
)
def test_foreign_or_damaged_files_are_refused_and_left_alone(tmp_path: Path, make, message):
    path = tmp_path / "index.db"
    make(path)
    before = digest(path)
    with pytest.raises(IndexFormatError, match=message):
        SqliteStore.open(path, settings=SETTINGS)
    with pytest.raises(IndexFormatError, match=message):
        SqliteStore.open(path)
    assert digest(path) == before


@dataclass(frozen=True)
class Snapshot:
    projects: list[str]
    counts: tuple[int, int, int, int]
    candidates: list[list[int]]

    def shape(self) -> Snapshot:
        """The same without unit ids (a replaced project's units get new ones)."""
        return Snapshot(self.projects, self.counts, [[1] if c else [] for c in self.candidates])

    @classmethod
    def of(cls, path: Path, probe: np.ndarray) -> Snapshot:
        store = SqliteStore.open(path)
        try:
            stats = store.stats()
            return cls(
                [f"{p.name} {p.version}" for p in store.projects()],
                (stats.projects, stats.files, stats.units, stats.fingerprints),
                store.candidates(probe),
            )
        finally:
            store.close()


def probe_of(*seeds_and_files: tuple[int, int]) -> np.ndarray:
    return np.stack(
        [
            unit.signature
            for seed, files in seeds_and_files
            for record in synthetic_files(seed, files)
            for unit in record.units
        ]
    )


def test_a_killed_add_leaves_the_previous_content(tmp_path: Path):
    path = tmp_path / "index.db"
    store = SqliteStore.open(path, settings=SETTINGS)
    store.add_project(meta("victim"), synthetic_files(1, 5))
    store.add_project(meta("bystander"), synthetic_files(2, 3))
    store.close()
    probe = probe_of((1, 5), (2, 3), (3, 400))
    before = Snapshot.of(path, probe)
    rng = random.Random(4)
    # Killed while holding at a random file: always inside the transaction.
    for hold in rng.sample(range(1, 400), 3):
        with start("sqlite", str(path), "victim", 3, 400, hold) as process:
            wait_for(process, "holding")
            process.send_signal(signal.SIGKILL)
        assert Snapshot.of(path, probe) == before
    # Killed at a random moment of a replacement (deleting, inserting, banding, counting,
    # committing): the index holds the old project or the whole new one, never a mix.
    # Every unit of the new project and of the bystander is found, none of the old victim's.
    replaced = Snapshot(before.projects, (2, 403, 1209, 1209 * 5), [[]] * 15 + [[1]] * 1209)
    duration = timed_add(tmp_path / "timing.db")
    for _ in range(4):
        previous = Snapshot.of(path, probe).shape()
        with start("sqlite", str(path), "victim", 3, 400) as process:
            wait_for(process, "started")
            time.sleep(rng.uniform(0.0, duration))
            process.send_signal(signal.SIGKILL)
        after = Snapshot.of(path, probe).shape()
        assert after in (previous, replaced)
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()
    with start("sqlite", str(path), "victim", 3, 400) as process:
        wait_for(process, "committed")
    assert process.returncode == 0
    assert Snapshot.of(path, probe).shape() == replaced


def timed_add(path: Path) -> float:
    """Seconds a writer takes from ``started`` to ``committed`` replacing a project."""
    store = SqliteStore.open(path, settings=SETTINGS)
    store.add_project(meta("victim"), synthetic_files(1, 5))
    store.close()
    with start("sqlite", str(path), "victim", 3, 400) as process:
        wait_for(process, "started")
        started = time.monotonic()
        wait_for(process, "committed")
        return time.monotonic() - started


def test_readers_go_on_while_a_writer_adds_and_a_second_writer_gives_up(tmp_path: Path):
    path = tmp_path / "index.db"
    store = SqliteStore.open(path, settings=SETTINGS)
    store.add_project(meta("old"), synthetic_files(1, 2))
    with start("sqlite", str(path), "new", 5, 6, hold=3) as process:
        wait_for(process, "holding")
        assert [p.name for p in store.projects()] == ["old"]
        assert all(store.candidates(probe_of((1, 2))))
        assert store.candidates(probe_of((5, 6))) == [[]] * 18
        reader = SqliteStore.open(path)
        assert reader.stats().files == 2
        reader.close()

        other = SqliteStore.open(path, timeout=0.3)
        started = time.monotonic()
        with pytest.raises(IndexBusyError, match="another process is writing"):
            other.add_project(meta("third"), synthetic_files(6, 1))
        assert time.monotonic() - started >= 0.25
        with pytest.raises(IndexBusyError):
            other.remove("old", "1.0")
        other.close()
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.flush()
        wait_for(process, "committed")
    assert [p.name for p in store.projects()] == ["new", "old"]
    assert all(store.candidates(probe_of((5, 6))))
    store.close()


def test_space_of_removed_projects_is_reused(tmp_path: Path):
    path = tmp_path / "index.db"
    store = SqliteStore.open(path, settings=SETTINGS)
    records = synthetic_files(8, 300)
    store.add_project(meta("p"), records)
    store.add_project(meta("p"), records)
    store.close()  # checkpoints the write-ahead log into the file
    size = path.stat().st_size
    store = SqliteStore.open(path)
    for _ in range(3):
        store.add_project(meta("p"), records)
    store.close()
    assert path.stat().st_size <= size * 1.2


def test_a_long_write_ahead_log_is_copied_into_the_file_by_a_thread_after_the_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any log counts as long here: the real threshold (32 MiB) needs a big ingest.
    monkeypatch.setattr(sqlite_backend, "_BACKGROUND_CHECKPOINT_BYTES", 0)
    path = tmp_path / "projects.idx"
    store = SqliteStore.open(path, settings=SETTINGS)
    before = path.stat().st_size
    store.add_project(meta("first"), synthetic_files(11, 40))
    checkpointer = store._checkpointer
    assert checkpointer is not None
    checkpointer.join()
    assert path.stat().st_size > before
    store.add_project(meta("second"), synthetic_files(12, 40))
    store.close()
    reopened = SqliteStore.open(path)
    assert [p.name for p in reopened.projects()] == ["first", "second"]
    assert reopened.stats().units == 2 * 40 * 3
    reopened.close()
