"""The embedded index: one SQLite file, written in WAL mode, one transaction per change.

Schema version 3 (``SCHEMA``)::

    meta(key, value)                         format name, schema version, settings
    project(id, name, version, license, url, vcs_commit, tokens)   unique (name, version)
    file(id, project, path, language, lines, sha256, stream)  stream: codec.encode bytes
    unit(id, file, name, kind, start_line, end_line, tokens, signature, fingerprints)
    band(bucket, unit)                       one row per LSH band of every non-empty unit
    fingerprint(hash, projects)              how many projects contain each fingerprint
    artifact(project, summaries)             the project's artifact summaries, when it has any
    artifact_key(key, project)               keys its artifacts are found by (``summary_keys``)

Signatures and fingerprints are BLOBs of little-endian arrays (``blobs.py``); a band row's
``bucket`` is the 64-bit ``bands.band_ids`` value, and ``band`` is a WITHOUT ROWID table
keyed by ``(bucket, unit)``, so the lookup a query makes is the table's own B-tree.  A
project's ``tokens`` (the sum of its units') is written with it, so that a query scoring a
project reads one row instead of summing all its units (version 1 did).  Ids are
AUTOINCREMENT: an id is never reused, so an id held across a replacement finds nothing rather
than another project's data.

Versioning: the file header carries ``APPLICATION_ID`` and ``SCHEMA_VERSION`` (SQLite's
``application_id`` and ``user_version``), read from the raw bytes before SQLite opens the
file, and ``meta`` repeats the format name, the version and the settings.  An empty file,
random bytes, another application's database, another schema version or other MinHash
settings raise ``IndexFormatError`` and leave the file untouched.  Version 3 added the
``artifact`` and ``artifact_key`` tables (``artifacts.summary`` blobs and lookup keys, so
``check`` can compare configs, tokenizers and checkpoints): a version 2 index is read as one
whose projects have no artifacts, and the first ``add_project`` or ``remove`` upgrades it in
its own transaction (the tables, the header and ``meta``); projects added before keep no
artifacts until they are added again.  A new
index is built in a temporary file and hard-linked into place, so a half-created index is
never seen.

Atomicity: ``add_project`` and ``remove`` each run in one ``BEGIN IMMEDIATE`` transaction.
WAL mode lets any number of readers go on while one writer writes, each reader seeing the
last committed state; a killed writer's uncommitted pages are ignored on the next open.
A second writer waits up to ``timeout`` seconds for the first, then gets ``IndexBusyError``.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from codesim.errors import (
    IndexBackendError,
    IndexBusyError,
    IndexFormatError,
    IndexMissingError,
)
from codesim.fingerprint import HashArray, unique_sorted
from codesim.index import codec
from codesim.index.bands import BANDS, band_ids
from codesim.index.blobs import fingerprint_bytes, fingerprints_of, signature_bytes, signature_of
from codesim.index.meta import fixed_meta, new_meta, read_meta
from codesim.index.minhash import NUM_PERM, SignatureArray, is_empty
from codesim.index.records import (
    FileRecord,
    IndexSettings,
    LoadedFile,
    ProjectMeta,
    StoredUnit,
    StoreStats,
)
from codesim.tokens import UnitKind

SCHEMA_VERSION = 3
UPGRADABLE_VERSIONS = (2,)
"""Older schema versions read as they are and upgraded in place by the next write."""
APPLICATION_ID = 0x43534958
"""``CSIX`` in the SQLite header: marks the file as a codesim index."""

DEFAULT_TIMEOUT = 30.0
"""Seconds a writer waits for another writer before ``IndexBusyError``."""

_SQLITE_MAGIC = b"SQLite format 3\x00"
_HEADER_SIZE = 100
_WAL_VERSION = 2
_WAL_SIZE_LIMIT = 16 << 20
_FLUSH_UNITS = 2000
"""Units whose band rows (42 each) are written together: sorted batches fill B-tree pages
in order, and flushing as records arrive overlaps the writes with the workers' normalizing."""
_CACHE_KIB = 64 << 10
"""Page cache per connection (SQLite's default is 2 MiB).  The band table of a million-line
index is about 70 MB, and a project's band rows land all over it: with the default cache an
add re-reads and re-spills the same pages."""
_CHECKPOINT_PAGES = 16384
"""Copy the write-ahead log into the file once it holds this many pages (64 MiB; SQLite's
default is 1,000).  Band keys are random, so every add dirties pages all over the band
B-tree; checkpointing after each add rewrote them each time, serially after the commit while
the worker processes waited: ingesting 1.45M lines as 42 projects took 2 s less this way."""
_BACKGROUND_CHECKPOINT_BYTES = 32 << 20
"""Once an add leaves this much write-ahead log (half of the automatic checkpoint's 64 MiB),
a thread of its own copies it into the file while the next add's workers normalize.  Done at
the commit, the copy kept both workers idle: 3.5 s of a 34 s ingest of 1.45M lines."""

_ROWS_PER_INSERT = 250
"""Rows per INSERT statement of band rows and fingerprint counts.  One statement of many rows
costs a third less CPU per row than ``executemany`` of a one-row statement, which resets the
statement and opens its cursor again for every row: inserting 1.5M sorted band rows took
1.05 instead of 1.6 s.  Between 100 and 1,000 rows a statement it makes no difference."""
_QUERY_CHUNK = 500
"""Values per ``IN (...)`` list: well under SQLite's limit on bound parameters."""

_ARTIFACT_TABLES = """
CREATE TABLE IF NOT EXISTS artifact (project INTEGER PRIMARY KEY, summaries BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS artifact_key (
    key INTEGER NOT NULL,
    project INTEGER NOT NULL,
    PRIMARY KEY (key, project)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS artifact_key_by_project ON artifact_key (project);
"""

SCHEMA = f"""
PRAGMA application_id = {APPLICATION_ID};
PRAGMA user_version = {SCHEMA_VERSION};
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE project (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    license TEXT,
    url TEXT,
    vcs_commit TEXT,
    tokens INTEGER NOT NULL,
    UNIQUE (name, version)
);
CREATE TABLE file (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    project INTEGER NOT NULL,
    path TEXT NOT NULL,
    language TEXT NOT NULL,
    lines INTEGER NOT NULL,
    sha256 BLOB NOT NULL,
    stream BLOB NOT NULL
);
CREATE INDEX file_by_project ON file (project);
CREATE TABLE unit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file INTEGER NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    start_line INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    signature BLOB NOT NULL,
    fingerprints BLOB NOT NULL
);
CREATE INDEX unit_by_file ON unit (file);
CREATE TABLE band (
    bucket INTEGER NOT NULL,
    unit INTEGER NOT NULL,
    PRIMARY KEY (bucket, unit)
) WITHOUT ROWID;
CREATE TABLE fingerprint (hash INTEGER PRIMARY KEY, projects INTEGER NOT NULL);
{_ARTIFACT_TABLES}
"""


class SqliteStore:
    """The ``Store`` protocol over one SQLite file.  One instance per thread."""

    def __init__(
        self,
        path: Path,
        connection: sqlite3.Connection,
        settings: IndexSettings,
        version: int = SCHEMA_VERSION,
    ):
        self._path = path
        self._db = connection
        self._settings = settings
        self._version = version
        self._checkpointer: threading.Thread | None = None

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        *,
        settings: IndexSettings | None = None,
        create: bool = True,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> SqliteStore:
        """Open the index at ``path``, creating it with ``settings`` if it does not exist
        (and ``create``).  The settings of an existing index are read from it; passing
        different ones is an error."""
        target = Path(path)
        if not target.exists():
            if not create:
                raise IndexMissingError(f"{target}: no index there")
            if settings is None:
                raise ValueError("settings are needed to create an index")
            _create(target, settings)
        version = _check_header(target)
        try:
            connection = sqlite3.connect(target, timeout=timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise IndexBackendError(f"{target}: cannot open: {exc}") from exc
        try:
            # In WAL mode NORMAL keeps the index consistent through any crash; a power loss may
            # only lose the last commits, a killed process loses nothing committed.
            connection.execute("PRAGMA synchronous = NORMAL")
            # Truncate the write-ahead log back to this size after a large add.
            connection.execute(f"PRAGMA journal_size_limit = {_WAL_SIZE_LIMIT}")
            connection.execute(f"PRAGMA cache_size = -{_CACHE_KIB}")
            connection.execute(f"PRAGMA wal_autocheckpoint = {_CHECKPOINT_PAGES}")
            stored = _read_settings(target, connection, version)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise IndexFormatError(f"{target}: the index is damaged: {exc}") from exc
        except BaseException:
            connection.close()
            raise
        if settings is not None and settings != stored:
            connection.close()
            raise IndexFormatError(f"{target}: the index was built with {stored}, not {settings}")
        return cls(target, connection, stored, version)

    @property
    def settings(self) -> IndexSettings:
        """The fingerprint settings the index was created with."""
        return self._settings

    def close(self) -> None:
        """Close the connection (after a checkpoint in progress has finished)."""
        if self._checkpointer is not None:
            self._checkpointer.join()
        self._db.close()

    def _checkpoint_soon(self) -> None:
        """Start copying the write-ahead log into the file in a thread, unless one is at it or
        the log is still short (``_BACKGROUND_CHECKPOINT_BYTES``)."""
        if self._checkpointer is not None and self._checkpointer.is_alive():
            return
        try:
            size = self._path.with_name(self._path.name + "-wal").stat().st_size
        except OSError:
            return
        if size >= _BACKGROUND_CHECKPOINT_BYTES:
            self._checkpointer = threading.Thread(
                target=_checkpoint, args=(self._path,), name="codesim-checkpoint", daemon=True
            )
            self._checkpointer.start()

    def add_project(
        self,
        meta: ProjectMeta,
        files: Iterable[FileRecord],
        artifacts: bytes = b"",
        artifact_keys: Sequence[int] = (),
    ) -> None:
        """Add (or replace) a project, with its artifact summaries and their lookup keys, in
        one transaction."""
        with self._write():
            existing = self._project_id(meta.name, meta.version)
            if existing is not None:
                self._delete_project(existing)
            project = self._insert(
                "INSERT INTO project (name, version, license, url, vcs_commit, tokens) "
                "VALUES (?, ?, ?, ?, ?, 0)",
                (meta.name, meta.version, meta.license, meta.url, meta.commit),
            )
            pending = _PendingUnits()
            counted: set[int] = set()
            tokens = 0
            for record in files:
                unit_ids, signatures = self._insert_file(project, record)
                pending.add(unit_ids, signatures, record)
                tokens += sum(unit.tokens for unit in record.units)
                # Flushed as records arrive rather than once at the end: while this process
                # writes, the workers making the next records keep going.
                if pending.units >= _FLUSH_UNITS:
                    self._flush(pending, counted)
            self._flush(pending, counted)
            self._db.execute("UPDATE project SET tokens = ? WHERE id = ?", (tokens, project))
            if artifacts:
                self._db.execute(
                    "INSERT INTO artifact (project, summaries) VALUES (?, ?)", (project, artifacts)
                )
            self._db.executemany(
                "INSERT OR IGNORE INTO artifact_key (key, project) VALUES (?, ?)",
                [(key, project) for key in artifact_keys],
            )
        self._checkpoint_soon()

    def remove(self, name: str, version: str) -> bool:
        """Remove a project in one transaction; ``False`` if it was not there."""
        with self._write():
            existing = self._project_id(name, version)
            if existing is None:
                return False
            self._delete_project(existing)
            return True

    def projects(self) -> list[ProjectMeta]:
        """The stored projects, by name then version."""
        with self._read():
            rows = self._db.execute(
                "SELECT name, version, license, url, vcs_commit FROM project ORDER BY name, version"
            ).fetchall()
        return [ProjectMeta(*row) for row in rows]

    def stats(self) -> StoreStats:
        """Counts from one snapshot, and the bytes of the file and its write-ahead log."""
        with self._read():
            projects, files, units, fingerprints = (
                int(self._db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                for table in ("project", "file", "unit", "fingerprint")
            )
        size = sum(
            candidate.stat().st_size
            for candidate in (self._path, self._path.with_name(self._path.name + "-wal"))
            if candidate.exists()
        )
        return StoreStats(projects, files, units, fingerprints, size)

    def project_tokens(self, name: str, version: str) -> int:
        """Written with the project."""
        with self._read():
            row = self._db.execute(
                "SELECT tokens FROM project WHERE name = ? AND version = ?", (name, version)
            ).fetchone()
        if row is None:
            raise KeyError((name, version))
        return int(row[0])

    def artifacts(self, name: str, version: str) -> bytes:
        """The project's artifact summaries as stored (empty when it has none)."""
        with self._read():
            if not self._has_artifact_tables():
                return b""
            row = self._db.execute(
                "SELECT artifact.summaries FROM artifact JOIN project "
                "ON project.id = artifact.project WHERE project.name = ? AND project.version = ?",
                (name, version),
            ).fetchone()
        return b"" if row is None else bytes(row[0])

    def artifact_projects(self, keys: Sequence[int]) -> dict[tuple[str, str], int]:
        """Projects holding any of these artifact keys, with how many of them each holds."""
        found: dict[tuple[str, str], int] = {}
        with self._read():
            if not self._has_artifact_tables():
                return found
            for chunk in _chunks(sorted(set(keys))):
                rows = self._db.execute(
                    "SELECT project.name, project.version, count(*) FROM artifact_key "
                    "JOIN project ON project.id = artifact_key.project "
                    f"WHERE artifact_key.key IN ({_marks(chunk)}) GROUP BY project.id",
                    chunk,
                )
                for name, version, shared in rows:
                    found[name, version] = found.get((name, version), 0) + int(shared)
        return found

    def candidates(self, signatures: SignatureArray) -> list[list[int]]:
        """Units sharing a band with each signature, looked up in batches of buckets."""
        if signatures.ndim != 2 or signatures.shape[1] != NUM_PERM:
            raise ValueError(f"signatures must be (n, {NUM_PERM}), got {signatures.shape}")
        banded = ~is_empty(signatures)
        ids = np.zeros((len(signatures), BANDS), dtype=np.int64)
        ids[banded] = band_ids(signatures[banded])
        wanted = unique_sorted(ids[banded])
        found: dict[int, list[int]] = {}
        with self._read():
            for chunk in _chunks(wanted.tolist()):
                rows = self._db.execute(
                    f"SELECT bucket, unit FROM band WHERE bucket IN ({_marks(chunk)})", chunk
                )
                for bucket, unit in rows:
                    found.setdefault(bucket, []).append(unit)
        result: list[list[int]] = []
        for row, keep in zip(ids.tolist(), banded.tolist(), strict=True):
            units: set[int] = set()
            if keep:
                for bucket in row:
                    units.update(found.get(bucket, ()))
            result.append(sorted(units))
        return result

    def units(self, unit_ids: Sequence[int]) -> dict[int, StoredUnit]:
        """Stored units by id."""
        out: dict[int, StoredUnit] = {}
        with self._read():
            for chunk in _chunks(list(unit_ids)):
                rows = self._db.execute(
                    "SELECT id, file, name, kind, start_line, end_line, tokens FROM unit "
                    f"WHERE id IN ({_marks(chunk)})",
                    chunk,
                )
                for uid, file_id, name, kind, start, end, tokens in rows:
                    out[uid] = StoredUnit(uid, file_id, name, _kind(kind), start, end, tokens)
        return out

    def fingerprints(self, unit_ids: Sequence[int]) -> dict[int, HashArray]:
        """Winnowed fingerprints of stored units by id."""
        out: dict[int, HashArray] = {}
        with self._read():
            for chunk in _chunks(list(unit_ids)):
                rows = self._db.execute(
                    f"SELECT id, fingerprints FROM unit WHERE id IN ({_marks(chunk)})", chunk
                )
                for uid, blob in rows:
                    out[uid] = fingerprints_of(blob)
        return out

    def document_frequency(self, fingerprints: HashArray) -> npt.NDArray[np.int64]:
        """How many projects contain each fingerprint."""
        keys = np.asarray(fingerprints, dtype=np.uint64).view(np.int64)
        counts: dict[int, int] = {}
        with self._read():
            for chunk in _chunks(unique_sorted(keys).tolist()):
                rows = self._db.execute(
                    f"SELECT hash, projects FROM fingerprint WHERE hash IN ({_marks(chunk)})",
                    chunk,
                )
                counts.update(rows)
        return np.array([counts.get(key, 0) for key in keys.tolist()], dtype=np.int64)

    def load_file(self, file_id: int) -> LoadedFile:
        """A stored file, decoded; ``KeyError`` if it is not there."""
        with self._read():
            row = self._db.execute(
                "SELECT file.path, file.language, file.lines, file.sha256, file.stream, "
                "project.name, project.version, project.license, project.url, "
                "project.vcs_commit FROM file JOIN project ON project.id = file.project "
                "WHERE file.id = ?",
                (file_id,),
            ).fetchone()
        if row is None:
            raise KeyError(file_id)
        path, language, lines, sha256, blob, *project = row
        stored = codec.decode(blob)
        return LoadedFile(
            file_id,
            ProjectMeta(*project),
            path,
            language,
            lines,
            sha256,
            stored.stream,
            stored.lines,
        )

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[None]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _locked(exc):
                raise IndexBusyError(
                    f"{self._path}: another process is writing to the index; "
                    "it did not finish within the timeout"
                ) from exc
            raise IndexBackendError(f"{self._path}: {exc}") from exc
        try:
            self._upgrade()
            yield
            self._db.execute("COMMIT")
            self._version = SCHEMA_VERSION
        except sqlite3.Error as exc:
            self._db.execute("ROLLBACK")
            raise IndexBackendError(f"{self._path}: the change was not made: {exc}") from exc
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def _upgrade(self) -> None:
        """Version 2 -> 3 inside the caller's write transaction: the artifact tables (each
        statement a no-op when they are there)."""
        if self._version >= SCHEMA_VERSION and self._has_artifact_tables():
            return
        # One statement at a time: ``executescript`` would commit the caller's transaction.
        for statement in _ARTIFACT_TABLES.split(";"):
            if statement.strip():
                self._db.execute(statement)
        self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self._db.execute(
            "UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),)
        )

    def _has_artifact_tables(self) -> bool:
        # Asked each time: another process may have upgraded the file since this one opened it.
        found = self._db.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
            "AND name IN ('artifact', 'artifact_key')"
        ).fetchone()
        return int(found[0]) == 2

    def _insert(self, sql: str, values: tuple[object, ...]) -> int:
        row_id = self._db.execute(sql, values).lastrowid
        assert row_id is not None, "an INSERT always sets lastrowid"
        return row_id

    def _insert_file(
        self, project: int, record: FileRecord
    ) -> tuple[npt.NDArray[np.int64], SignatureArray]:
        file_id = self._insert(
            "INSERT INTO file (project, path, language, lines, sha256, stream) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (project, record.path, record.language, record.lines, record.sha256, record.stream),
        )
        self._db.executemany(
            "INSERT INTO unit (file, name, kind, start_line, end_line, tokens, "
            "signature, fingerprints) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    file_id,
                    unit.name,
                    unit.kind.value,
                    unit.start_line,
                    unit.end_line,
                    unit.tokens,
                    signature_bytes(unit.signature),
                    fingerprint_bytes(unit.fingerprints),
                )
                for unit in record.units
            ],
        )
        # Inside this write transaction nobody else inserts, and AUTOINCREMENT hands out
        # consecutive ids to the rows of one statement: they end at the last inserted id.
        last = int(self._db.execute("SELECT last_insert_rowid()").fetchone()[0])
        count = len(record.units)
        unit_ids = np.arange(last - count + 1, last + 1, dtype=np.int64)
        signatures = np.array([unit.signature for unit in record.units], dtype=np.uint32).reshape(
            -1, NUM_PERM
        )
        return unit_ids, signatures

    def _flush(self, pending: _PendingUnits, counted: set[int]) -> None:
        """Write the bands of the pending units and count their fingerprints, each distinct
        fingerprint once per project (``counted`` holds those already counted)."""
        if pending.unit_ids:
            self._insert_bands(*pending.bands())
        if pending.fingerprints:
            distinct = unique_sorted(np.concatenate(pending.fingerprints))
            fresh = [key for key in distinct.view(np.int64).tolist() if key not in counted]
            counted.update(fresh)
            self._count_fingerprints([np.array(fresh, dtype=np.int64).view(np.uint64)], +1)
        pending.clear()

    def _insert_bands(self, bucket: npt.NDArray[np.int64], unit: npt.NDArray[np.int64]) -> None:
        # Inserting in key order fills B-tree pages one after another.
        order = np.lexsort((unit, bucket))
        rows = np.empty((len(order), 2), dtype=np.int64)
        rows[:, 0], rows[:, 1] = bucket[order], unit[order]
        self._insert_rows("INSERT INTO band (bucket, unit)", "(?, ?)", "", rows.ravel().tolist())

    def _insert_rows(self, head: str, row: str, tail: str, values: list[int]) -> None:
        """``head VALUES row, row, ... tail`` over ``values``, ``_ROWS_PER_INSERT`` rows a
        statement (``row`` has one ``?`` per value of a row)."""
        width = row.count("?")
        step = _ROWS_PER_INSERT * width
        full = len(values) // step * step
        if full:
            statement = f"{head} VALUES {', '.join([row] * _ROWS_PER_INSERT)} {tail}"
            self._db.executemany(statement, (values[i : i + step] for i in range(0, full, step)))
        if full < len(values):
            rest = (len(values) - full) // width
            self._db.execute(f"{head} VALUES {', '.join([row] * rest)} {tail}", values[full:])

    def _count_fingerprints(self, fingerprints: list[HashArray], delta: int) -> None:
        if not fingerprints:
            return
        distinct = unique_sorted(np.concatenate(fingerprints).astype(np.uint64).view(np.int64))
        if delta > 0:
            # Distinct keys: no row of one statement conflicts with another of the same.
            self._insert_rows(
                "INSERT INTO fingerprint (hash, projects)",
                "(?, 1)",
                "ON CONFLICT (hash) DO UPDATE SET projects = projects + 1",
                distinct.tolist(),
            )
        else:
            keys = [(key,) for key in distinct.tolist()]
            self._db.executemany("DELETE FROM fingerprint WHERE hash = ? AND projects <= 1", keys)
            self._db.executemany(
                "UPDATE fingerprint SET projects = projects - 1 WHERE hash = ?", keys
            )

    def _project_id(self, name: str, version: str) -> int | None:
        row = self._db.execute(
            "SELECT id FROM project WHERE name = ? AND version = ?", (name, version)
        ).fetchone()
        return None if row is None else int(row[0])

    def _delete_project(self, project: int) -> None:
        rows = self._db.execute(
            "SELECT unit.id, unit.signature, unit.fingerprints FROM unit "
            "JOIN file ON file.id = unit.file WHERE file.project = ?",
            (project,),
        ).fetchall()
        if rows:
            unit_ids = np.array([row[0] for row in rows], dtype=np.int64)
            signatures = np.stack([signature_of(row[1]) for row in rows])
            banded = ~is_empty(signatures)
            buckets = band_ids(signatures[banded]).ravel()
            members = np.repeat(unit_ids[banded], BANDS)
            self._db.executemany(
                "DELETE FROM band WHERE bucket = ? AND unit = ?",
                zip(buckets.tolist(), members.tolist(), strict=True),
            )
            self._count_fingerprints([fingerprints_of(row[2]) for row in rows], -1)
        self._db.execute(
            "DELETE FROM unit WHERE file IN (SELECT id FROM file WHERE project = ?)", (project,)
        )
        self._db.execute("DELETE FROM file WHERE project = ?", (project,))
        self._db.execute("DELETE FROM artifact WHERE project = ?", (project,))
        self._db.execute("DELETE FROM artifact_key WHERE project = ?", (project,))
        self._db.execute("DELETE FROM project WHERE id = ?", (project,))

    # -- reading -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _read(self) -> Iterator[None]:
        # One read transaction: every statement inside sees the same committed snapshot.
        try:
            self._db.execute("BEGIN")
            try:
                yield
            finally:
                self._db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise IndexFormatError(f"{self._path}: the index is damaged: {exc}") from exc
        except sqlite3.Error as exc:
            raise IndexBackendError(f"{self._path}: {exc}") from exc


class _PendingUnits:
    """Units inserted but not yet banded or counted: their ids, signatures and fingerprints
    (banded together at the flush: one numpy pass for many files)."""

    def __init__(self) -> None:
        self.unit_ids: list[npt.NDArray[np.int64]] = []
        self.signatures: list[SignatureArray] = []
        self.fingerprints: list[HashArray] = []
        self.units = 0

    def add(
        self, unit_ids: npt.NDArray[np.int64], signatures: SignatureArray, record: FileRecord
    ) -> None:
        self.unit_ids.append(unit_ids)
        self.signatures.append(signatures)
        self.fingerprints.extend(unit.fingerprints for unit in record.units)
        self.units += len(unit_ids)

    def bands(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """``(bucket, unit)`` of every band row of the pending units."""
        unit_ids = np.concatenate(self.unit_ids)
        signatures = np.concatenate(self.signatures)
        banded = ~is_empty(signatures)
        return band_ids(signatures[banded]).ravel(), np.repeat(unit_ids[banded], BANDS)

    def clear(self) -> None:
        self.unit_ids.clear()
        self.signatures.clear()
        self.fingerprints.clear()
        self.units = 0


def _create(target: Path, settings: IndexSettings) -> None:
    """Build an empty index beside ``target`` and link it into place, so that no other
    process ever opens a half-created one.  If another process created ``target`` first,
    theirs is kept."""
    try:
        handle, temporary = tempfile.mkstemp(
            dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise IndexBackendError(f"{target}: cannot create the index: {exc}") from exc
    os.close(handle)
    try:
        connection = sqlite3.connect(temporary, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.executescript(f"BEGIN; {SCHEMA}")
            meta = new_meta("schema_version", SCHEMA_VERSION, settings)
            connection.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", meta.items())
            connection.execute("COMMIT")
        finally:
            connection.close()
        with contextlib.suppress(FileExistsError):
            os.link(temporary, target)
    except (sqlite3.Error, OSError) as exc:
        raise IndexBackendError(f"{target}: cannot create the index: {exc}") from exc
    finally:
        for leftover in (temporary, temporary + "-wal", temporary + "-shm"):
            Path(leftover).unlink(missing_ok=True)


def _check_header(target: Path) -> int:
    """The schema version of a codesim index this code reads (this one, or one it upgrades),
    from the raw header and before SQLite touches the file; refuse anything else."""
    try:
        with target.open("rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError as exc:
        raise IndexBackendError(f"{target}: cannot read: {exc}") from exc
    if not header:
        raise IndexFormatError(f"{target}: the file is empty, not a codesim index")
    if len(header) < _HEADER_SIZE or not header.startswith(_SQLITE_MAGIC):
        raise IndexFormatError(f"{target}: not a codesim index (not an SQLite database)")
    if int.from_bytes(header[68:72], "big") != APPLICATION_ID:
        raise IndexFormatError(
            f"{target}: not a codesim index (an SQLite database of another application)"
        )
    version = int.from_bytes(header[60:64], "big")
    if version > SCHEMA_VERSION:
        raise IndexFormatError(
            f"{target}: index schema version {version} is newer than this codesim reads "
            f"({SCHEMA_VERSION}); upgrade codesim"
        )
    if version != SCHEMA_VERSION and version not in UPGRADABLE_VERSIONS:
        raise IndexFormatError(
            f"{target}: index schema version {version} is not supported "
            f"(this codesim reads {SCHEMA_VERSION}); rebuild the index"
        )
    if header[18] != _WAL_VERSION or header[19] != _WAL_VERSION:
        raise IndexFormatError(f"{target}: the index header is damaged (not in WAL mode)")
    return version


def _read_settings(target: Path, connection: sqlite3.Connection, version: int) -> IndexSettings:
    meta = dict(connection.execute("SELECT key, value FROM meta").fetchall())
    return read_meta(str(target), meta, fixed_meta("schema_version", version))


def _locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


def _kind(value: str) -> UnitKind:
    try:
        return UnitKind(value)
    except ValueError:
        raise IndexFormatError(f"a stored unit has an unknown kind {value!r}") from None


def _chunks(values: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(values), _QUERY_CHUNK):
        yield values[start : start + _QUERY_CHUNK]


def _marks(chunk: list[int]) -> str:
    return ",".join("?" * len(chunk))


def _checkpoint(path: Path) -> None:
    """A passive checkpoint through a connection of this thread's own: it copies what it can
    without waiting for readers or the writer, and is safe to interrupt like any checkpoint."""
    try:
        connection = sqlite3.connect(path, timeout=DEFAULT_TIMEOUT, isolation_level=None)
        try:
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            connection.close()
    except sqlite3.Error:
        # What this one could not copy, the next checkpoint (or the last close) will.
        return
