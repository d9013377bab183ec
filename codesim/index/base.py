"""The candidate-search protocol every index backend implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from codesim.fingerprint import HashArray


@dataclass(frozen=True, slots=True)
class Candidate:
    """A document the index proposes for a query, with the evidence for proposing it.

    ``shared`` counts distinct fingerprints found in both; ``estimate`` is that count over the
    smaller of the two fingerprint sets (a containment estimate in [0, 1]).
    """

    doc: int
    shared: int
    estimate: float


class CandidateIndex(Protocol):
    """Finds, for a query fingerprint set, the stored documents worth aligning with it."""

    def add(self, doc: int, fingerprints: HashArray) -> None:
        """Store the winnowed fingerprints of document ``doc``."""
        ...

    def query(self, fingerprints: HashArray, *, min_shared: int, limit: int) -> list[Candidate]:
        """Documents sharing at least ``min_shared`` fingerprints (or every fingerprint of the
        smaller set, for files that have fewer), best ``limit`` first."""
        ...

    def __len__(self) -> int: ...
