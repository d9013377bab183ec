"""The plain records a storage backend takes in and hands back."""

from __future__ import annotations

from dataclasses import dataclass

from codesim.fingerprint import HashArray
from codesim.index.lines import LineIndex
from codesim.index.minhash import SignatureArray
from codesim.tokens import TokenStream, UnitKind


@dataclass(frozen=True, slots=True)
class IndexSettings:
    """How an index's fingerprints were made; every query against it must use the same.

    Fixed when the index is created and stored in it.  (The MinHash and band constants are
    stored too, but they are codesim's, not options: an index made with others is refused.)
    """

    kgram_size: int
    window_size: int


@dataclass(frozen=True, slots=True)
class ProjectMeta:
    """An indexed project: ``name`` and ``version`` identify it; the rest is shown in reports."""

    name: str
    version: str
    license: str | None = None
    url: str | None = None
    commit: str | None = None


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """A unit to store: where it is, its MinHash ``signature`` (``NUM_PERM`` uint32 values)
    and its winnowed ``fingerprints`` (sorted, distinct)."""

    name: str
    kind: UnitKind
    start_line: int
    end_line: int
    tokens: int
    signature: SignatureArray
    fingerprints: HashArray


@dataclass(frozen=True, slots=True)
class FileRecord:
    """A file to store: ``path`` relative to the project root, ``stream`` the bytes of
    ``codec.encode`` and ``units`` in the stream's unit order."""

    path: str
    language: str
    lines: int
    sha256: bytes
    stream: bytes
    units: tuple[UnitRecord, ...]


@dataclass(frozen=True, slots=True)
class StoredUnit:
    """A stored unit as a query sees it; ``id`` and ``file_id`` are the backend's ids."""

    id: int
    file_id: int
    name: str
    kind: UnitKind
    start_line: int
    end_line: int
    tokens: int


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """A stored file read back: its metadata, project, token stream and line index."""

    id: int
    project: ProjectMeta
    path: str
    language: str
    lines: int
    sha256: bytes
    stream: TokenStream
    line_index: LineIndex


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counts of an index: ``fingerprints`` counts distinct winnowed fingerprints; ``bytes``
    is the size on disk (SQLite) or the memory the server reports (Redis)."""

    projects: int
    files: int
    units: int
    fingerprints: int
    bytes: int
