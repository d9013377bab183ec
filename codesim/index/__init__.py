"""Candidate search: which stored documents are worth aligning with a query."""

from __future__ import annotations

from codesim.index.base import Candidate, CandidateIndex
from codesim.index.exact import ExactIndex

__all__ = ["Candidate", "CandidateIndex", "ExactIndex"]
