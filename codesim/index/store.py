"""The storage protocol every persistent index backend implements (SQLite, Redis).

A store holds projects (``ProjectMeta``), their files (metadata and encoded token stream) and
their units (MinHash signature and winnowed fingerprints), and answers the three questions a
query asks: which stored units may resemble these (``candidates``, by LSH bands), what exactly
do they contain (``fingerprints``, for containment), and what does the file look like
(``load_file``, to align against).  Ids are the backend's integers; an id of a project that
has since been replaced or removed is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from codesim.fingerprint import HashArray
from codesim.index.minhash import SignatureArray
from codesim.index.records import (
    FileRecord,
    IndexSettings,
    LoadedFile,
    ProjectMeta,
    StoredUnit,
    StoreStats,
)


class Store(Protocol):
    """A persistent index of projects with LSH candidate search over unit signatures."""

    @property
    def settings(self) -> IndexSettings:
        """The fingerprint settings every record added to and every query of this index uses."""
        ...

    def add_project(
        self,
        meta: ProjectMeta,
        files: Iterable[FileRecord],
        artifacts: bytes = b"",
        artifact_keys: Sequence[int] = (),
    ) -> None:
        """Add a project, replacing the one with the same name and version, as one atomic
        step: readers see the old project or the new one, never a part; a failure or a kill
        before the end leaves the index as it was.  ``artifacts`` is the blob of its artifact
        summaries (``codesim.artifacts.summary.encode``), stored as it is, and
        ``artifact_keys`` the signed 64-bit keys ``artifact_projects`` finds it by."""
        ...

    def artifact_projects(self, keys: Sequence[int]) -> dict[tuple[str, str], int]:
        """The projects (name, version) holding any of these artifact keys, with how many of
        the keys each holds."""
        ...

    def artifacts(self, name: str, version: str) -> bytes:
        """A stored project's artifact summaries blob, empty when it has none (or there is no
        such project)."""
        ...

    def remove(self, name: str, version: str) -> bool:
        """Remove a project atomically; ``False`` if there was none of that name and version."""
        ...

    def projects(self) -> list[ProjectMeta]:
        """The stored projects, by name then version."""
        ...

    def stats(self) -> StoreStats:
        """Counts of projects, files, units and distinct fingerprints, and the size."""
        ...

    def project_tokens(self, name: str, version: str) -> int:
        """The tokens of a stored project's files (the sum of its units'), so that a check can
        score a project by the smaller side, as pair scores do; ``KeyError`` if there is no
        such project."""
        ...

    def candidates(self, signatures: SignatureArray) -> list[list[int]]:
        """For each signature row, the ids of the stored units sharing at least one LSH band
        with it, ascending.  Empty signatures (units without k-grams) get none."""
        ...

    def units(self, unit_ids: Sequence[int]) -> dict[int, StoredUnit]:
        """The stored units of these ids (ids not found are left out)."""
        ...

    def fingerprints(self, unit_ids: Sequence[int]) -> dict[int, HashArray]:
        """The winnowed fingerprints (sorted, distinct) of these units (ids not found are left
        out), for exact containment checks of candidates."""
        ...

    def document_frequency(self, fingerprints: HashArray) -> npt.NDArray[np.int64]:
        """For each fingerprint, the number of stored projects that contain it (0 if none):
        fingerprints found in many projects are boilerplate and weigh little."""
        ...

    def load_file(self, file_id: int) -> LoadedFile:
        """A stored file with its project, decoded token stream and line index; ``KeyError``
        if there is no such file (any more)."""
        ...

    def close(self) -> None:
        """Release connections; the store must not be used afterwards."""
        ...
