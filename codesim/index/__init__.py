"""Candidate search and the persistent index of projects.

``ExactIndex`` finds candidate documents for one-off comparisons.  ``Store`` is the protocol of
the persistent backends: ``SqliteStore`` here, ``RedisStore`` in ``codesim.index.redis_store``
(not imported here: it needs the optional ``redis`` package).  ``file_record`` turns a
normalized file into what a store keeps.
"""

from __future__ import annotations

from codesim.index.base import Candidate, CandidateIndex
from codesim.index.exact import ExactIndex
from codesim.index.minhash import lean_minhash, signatures
from codesim.index.prepare import file_record, unit_kgrams, units_fingerprints
from codesim.index.records import (
    FileRecord,
    IndexSettings,
    LoadedFile,
    ProjectMeta,
    StoredUnit,
    StoreStats,
    UnitRecord,
)
from codesim.index.sqlite import SqliteStore
from codesim.index.store import Store

__all__ = [
    "Candidate",
    "CandidateIndex",
    "ExactIndex",
    "FileRecord",
    "IndexSettings",
    "LoadedFile",
    "ProjectMeta",
    "SqliteStore",
    "Store",
    "StoreStats",
    "StoredUnit",
    "UnitRecord",
    "file_record",
    "lean_minhash",
    "signatures",
    "unit_kgrams",
    "units_fingerprints",
]
