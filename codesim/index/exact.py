"""The exact in-memory index: an inverted map from fingerprint to documents.

It finds every document that shares fingerprints with a query, so it is both the backend for
one-off comparisons and the oracle the approximate (LSH) backends are tested against.
``Postings`` and ``query_all`` give the same answers for many queries at once, as one join of
sorted arrays instead of a dict built and probed per fingerprint.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from codesim.fingerprint import HashArray, unique_sorted
from codesim.index.base import Candidate

_Ints = npt.NDArray[np.int64]

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
        distinct = unique_sorted(fingerprints).tolist()
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
        distinct = unique_sorted(fingerprints).tolist()
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


@dataclass(frozen=True, slots=True)
class Postings:
    """The distinct fingerprints of several documents as sorted arrays: what ``ExactIndex``
    keeps in a dict, in the form a bulk join wants."""

    values: HashArray
    """Every document's distinct fingerprints, sorted."""
    docs: _Ints
    """The document holding each value (its position in the documents given)."""
    sizes: _Ints
    """How many distinct fingerprints each document has."""


def postings(documents: Sequence[HashArray]) -> Postings:
    """The postings of ``documents``, document ids being their positions."""
    distinct = [unique_sorted(values) for values in documents]
    sizes = np.array([len(values) for values in distinct], dtype=np.int64)
    if not distinct:
        return Postings(np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64), sizes)
    values = np.concatenate(distinct)
    docs = np.repeat(np.arange(len(distinct), dtype=np.int64), sizes)
    if len(distinct) > 1:  # one document's distinct values are sorted already
        order = np.argsort(values, kind="stable")
        values, docs = values[order], docs[order]
    return Postings(values, docs, sizes)


def query_all(
    index: Postings,
    queries: Postings,
    *,
    common_share: float = 1.0,
    common_min_docs: int = 1,
    min_shared: int,
    limit: int,
) -> tuple[_Ints, _Ints]:
    """``(docs, queries)``: what ``ExactIndex.query`` returns for each query document in turn,
    the index holding the documents of ``index`` that have fingerprints.

    Rows come by query document, then best candidate first, as calling ``query`` for each
    query in order would list them.
    """
    empty = np.empty(0, dtype=np.int64)
    stored = int(np.count_nonzero(index.sizes))
    if not stored or not len(queries.values):
        return empty, empty
    ceiling = max(common_min_docs, int(common_share * stored))
    if len(index.sizes) == 1 and len(queries.sizes) == 1:
        return _one_on_one(index, queries, ceiling, min_shared)
    docs, queried = _common_values(index, queries, ceiling)
    width = len(index.sizes)
    codes, shared = np.unique(queried * width + docs, return_counts=True)
    queried, docs = codes // width, codes % width
    smaller = np.minimum(queries.sizes[queried], index.sizes[docs])
    # A repetitive file has few distinct fingerprints: sharing all of them is enough.
    enough = shared >= np.minimum(min_shared, smaller)
    docs, queried, shared, smaller = docs[enough], queried[enough], shared[enough], smaller[enough]
    estimate = shared / smaller
    order = np.lexsort((docs, -shared, -estimate, queried))
    docs, queried, shared, estimate = docs[order], queried[order], shared[order], estimate[order]
    keep = _best_with_ties(queried, estimate, shared, limit)
    return docs[keep], queried[keep]


def _one_on_one(
    index: Postings, queries: Postings, ceiling: int, min_shared: int
) -> tuple[_Ints, _Ints]:
    """``query_all`` of one document with values and one query, the common case of ``cross``
    (single-file submissions): a candidate or not, without the join's grouping."""
    empty = np.empty(0, dtype=np.int64)
    if ceiling < 1:  # every value is boilerplate
        return empty, empty
    lo = np.searchsorted(index.values, queries.values)
    inside = lo < len(index.values)
    shared = int(np.count_nonzero(index.values[lo[inside]] == queries.values[inside]))
    smaller = int(min(index.sizes[0], queries.sizes[0]))
    if not shared or shared < min(min_shared, smaller):
        return empty, empty
    both = np.zeros(1, dtype=np.int64)
    return both, both


def _common_values(index: Postings, queries: Postings, ceiling: int) -> tuple[_Ints, _Ints]:
    """``(doc, query)`` once per value they share, values held by more than ``ceiling``
    documents (boilerplate) left out."""
    lo = np.searchsorted(index.values, queries.values, side="left")
    holders = np.searchsorted(index.values, queries.values, side="right") - lo
    found = (holders > 0) & (holders <= ceiling)
    lo, holders, queried = lo[found], holders[found], queries.docs[found]
    if not len(holders) or int(holders.max()) == 1:
        return index.docs[lo], queried
    # One row per holder: value ``rows[k]``, the ``offsets[k]``-th document holding it.
    rows = np.repeat(np.arange(len(lo)), holders)
    offsets = np.arange(len(rows)) - np.repeat(np.cumsum(holders) - holders, holders)
    return index.docs[lo[rows] + offsets], queried[rows]


def _best_with_ties(
    queried: _Ints, estimate: npt.NDArray[np.float64], shared: _Ints, limit: int
) -> npt.NDArray[np.bool_]:
    """Of candidates sorted by query then best first, the first ``limit`` of each query and
    those tied with the last of them (``ExactIndex.query``'s cut)."""
    count = len(queried)
    first = np.ones(count, dtype=bool)
    first[1:] = queried[1:] != queried[:-1]
    positions = np.arange(count)
    start: _Ints = np.maximum.accumulate(np.where(first, positions, 0))
    rank = positions - start
    # Where a query has more than ``limit`` candidates, ``last`` is its ``limit``-th.
    last = np.minimum(start + limit - 1, count - 1)
    tied = (rank < TIE_ALLOWANCE * limit) & (estimate == estimate[last]) & (shared == shared[last])
    kept: npt.NDArray[np.bool_] = (rank < limit) | tied
    return kept
