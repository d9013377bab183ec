"""The exact in-memory index: an inverted map from fingerprint to documents.

It finds every document that shares fingerprints with a query, so it is both the backend for
one-off comparisons and the oracle the approximate (LSH) backends are tested against.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from codesim.fingerprint import HashArray
from codesim.index.base import Candidate

TIE_ALLOWANCE = 4
"""How many times ``limit`` candidates a query may return when they tie at the cut."""


class ExactIndex:
    """Inverted fingerprint index with document-frequency filtering of boilerplate.

    A fingerprint stored in more than ``common_share`` of the documents (and in at least
    ``common_min_docs`` of them) is treated as boilerplate: it proposes no candidates, because
    a license header or a ``if __name__ == "__main__"`` idiom says nothing about copying.
    """

    def __init__(self, *, common_share: float = 1.0, common_min_docs: int = 1) -> None:
        self._postings: dict[int, list[int]] = {}
        self._sizes: dict[int, int] = {}
        self._common_share = common_share
        self._common_min_docs = common_min_docs

    def __len__(self) -> int:
        return len(self._sizes)

    def add(self, doc: int, fingerprints: HashArray) -> None:
        """Store the distinct fingerprints of ``doc``; re-adding a document is an error."""
        if doc in self._sizes:
            raise ValueError(f"document {doc} is already in the index")
        distinct = np.unique(fingerprints).tolist()
        self._sizes[doc] = len(distinct)
        postings = self._postings
        for value in distinct:
            docs = postings.get(value)
            if docs is None:
                postings[value] = [doc]
            else:
                docs.append(doc)

    def query(self, fingerprints: HashArray, *, min_shared: int, limit: int) -> list[Candidate]:
        """Documents sharing at least ``min_shared`` non-boilerplate fingerprints, best first.

        Ranked by containment estimate, then by shared count, then by document id, so the
        order is deterministic.  Candidates tied with the last one kept are kept too (up to
        ``TIE_ALLOWANCE`` times ``limit``): files generated from one template are all equally
        good candidates by fingerprints, and cutting them by document id could leave out the
        one alignment would prove to be the original.
        """
        distinct = np.unique(fingerprints).tolist()
        if not distinct:
            return []
        ceiling = max(self._common_min_docs, int(self._common_share * len(self._sizes)))
        counts: Counter[int] = Counter()
        postings = self._postings
        for value in distinct:
            docs = postings.get(value)
            if docs is not None and len(docs) <= ceiling:
                counts.update(docs)
        found = []
        for doc, shared in counts.items():
            smaller = min(len(distinct), self._sizes[doc])
            # A repetitive file has few distinct fingerprints: sharing all of them is enough.
            if shared >= min(min_shared, smaller):
                found.append(Candidate(doc, shared, shared / smaller))
        found.sort(key=lambda c: (-c.estimate, -c.shared, c.doc))
        end = min(limit, len(found))
        if end:
            last = found[end - 1]
            ceiling_index = min(len(found), TIE_ALLOWANCE * limit)
            while end < ceiling_index and (found[end].estimate, found[end].shared) == (
                last.estimate,
                last.shared,
            ):
                end += 1
        return found[:end]
