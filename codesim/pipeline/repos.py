"""Repo-level alignment: what the file alignment and the LSH bands say about unit pairs,
handed to the graph aligner, and its answer as the public model.

Evidence is gathered while ``compare_sides`` aligns file pairs: for every tile, which unit
owns each matched token on either side (``UnitEvidence.add``), and which names differ at
aligned placeholders. Units too small to leave a fragment are proposed by their MinHash
signatures sharing an LSH band (``signature_proposals``). Neither ever looks at all pairs.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import compress
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from codesim import results
from codesim.align import AlignedPair, aligned_positions, identifier_map
from codesim.graph.facts import FileFacts
from codesim.index.bands import BUCKET_LIMIT, band_ids
from codesim.index.minhash import is_empty
from codesim.options import REPO_IDENTICAL_EDGES, Verdict, verdict_for
from codesim.sources.history import LineTimes, line_times, tracked

if TYPE_CHECKING:
    from codesim.graph.align import GraphAlignment
    from codesim.graph.build import RepoGraph
    from codesim.pipeline.reading import NormalizedFile, SideData

_Mask = npt.NDArray[np.bool_]


@dataclass(slots=True)
class UnitEvidence:
    """Matched tokens and aligned names per (left unit, right unit), by node id."""

    overlap: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    names: dict[tuple[str, str], Counter[tuple[str, str, str]]] = field(
        default_factory=lambda: defaultdict(Counter)
    )

    def add(
        self,
        left: NormalizedFile,
        right: NormalizedFile,
        aligned: AlignedPair,
        left_base: _Mask,
        right_base: _Mask,
    ) -> None:
        """Credit the tiles of one aligned file pair to the units that own their tokens
        (tokens of base code are left out)."""
        left_facts, right_facts = _facts(left), _facts(right)
        if not aligned.tiles:
            return
        left_ids, right_ids = left_facts.ids, right_facts.ids
        left_owners, right_owners = left_facts.owners, right_facts.owners
        width = len(right_ids)
        keys = []
        for t in aligned.tiles:
            mine, theirs = slice(t.left, t.left + t.length), slice(t.right, t.right + t.length)
            keep = ~(left_base[mine] | right_base[theirs])
            pair = left_owners[mine].astype(np.int64) * width + right_owners[theirs]
            keys.append(pair[keep])
        found, counts = np.unique(np.concatenate(keys), return_counts=True)
        for key, count in zip(found.tolist(), counts.tolist(), strict=True):
            self.overlap[left_ids[key // width], right_ids[key % width]] += count
        positions, partners = aligned_positions(left.stream.placeholders, aligned.tiles)
        named = right.stream.names[partners] >= 0
        roles, texts, other = left.stream.roles, left.stream.texts, right.stream.texts
        for i, j in zip(positions[named].tolist(), partners[named].tolist(), strict=True):
            pair_ids = (left_ids[left_owners[i]], right_ids[right_owners[j]])
            self.names[pair_ids][roles[i], texts[i], other[j]] += 1


def _facts(item: NormalizedFile) -> FileFacts:
    if item.graph is None:
        raise ValueError(f"{item.path} was read without graph facts")
    return item.graph


@dataclass(frozen=True, slots=True)
class _Signed:
    ids: list[str]
    rows: npt.NDArray[np.uint32]


def _signed(side: SideData) -> _Signed:
    ids: list[str] = []
    rows = []
    for item in side.files:
        facts = _facts(item)
        for node, unit in zip(facts.ids, facts.units, strict=True):
            if unit.signature is not None:
                ids.append(node)
                rows.append(unit.signature)
    width = len(rows[0]) if rows else 0
    signed = np.array(rows, dtype=np.uint32).reshape(len(rows), width)
    # The signature of an empty unit (a module body of two imports) equals every other one.
    keep = ~is_empty(signed)
    return _Signed(list(compress(ids, keep.tolist())), signed[keep])


def signature_proposals(
    left: SideData, right: SideData, extra: set[tuple[str, str]]
) -> dict[tuple[str, str], float]:
    """The estimated Jaccard similarity of every unit pair that shares an LSH band, and of
    the ``extra`` pairs (found otherwise), when both units have a signature."""
    mine, theirs = _signed(left), _signed(right)
    pairs: set[tuple[int, int]] = set()
    if len(mine.ids) and len(theirs.ids):
        pairs = _banded_pairs(band_ids(mine.rows), band_ids(theirs.rows))
    left_row = {node: row for row, node in enumerate(mine.ids)}
    right_row = {node: row for row, node in enumerate(theirs.ids)}
    for a, b in extra:
        if a in left_row and b in right_row:
            pairs.add((left_row[a], right_row[b]))
    if not pairs:
        return {}
    rows = np.array(sorted(pairs), dtype=np.int64)
    agree = (mine.rows[rows[:, 0]] == theirs.rows[rows[:, 1]]).mean(axis=1)
    return {
        (mine.ids[i], theirs.ids[j]): round(float(value), 6)
        for (i, j), value in zip(rows.tolist(), agree.tolist(), strict=True)
    }


def _banded_pairs(
    left: npt.NDArray[np.int64], right: npt.NDArray[np.int64]
) -> set[tuple[int, int]]:
    """Row pairs sharing a bucket id (band ids already differ from band to band), buckets
    over ``BUCKET_LIMIT`` on either side left out."""
    left_keys, left_rows = left.ravel(), np.repeat(np.arange(left.shape[0]), left.shape[1])
    right_keys, right_rows = right.ravel(), np.repeat(np.arange(right.shape[0]), right.shape[1])
    order = np.argsort(left_keys, kind="stable")
    left_keys, left_rows = left_keys[order], left_rows[order]
    start = np.searchsorted(left_keys, right_keys, side="left")
    counts = np.searchsorted(left_keys, right_keys, side="right") - start
    _, inverse, per_key = np.unique(right_keys, return_inverse=True, return_counts=True)
    keep = (counts > 0) & (counts <= BUCKET_LIMIT) & (per_key[inverse] <= BUCKET_LIMIT)
    start, counts, rows = start[keep], counts[keep], right_rows[keep]
    # One entry per (left row in the bucket, right row): offsets within each run of the bucket.
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    mine = left_rows[np.repeat(start, counts) + offsets]
    theirs = np.repeat(rows, counts)
    return set(zip(mine.tolist(), theirs.tolist(), strict=True))


def align_repos(
    left: SideData, right: SideData, evidence: UnitEvidence, left_graph: RepoGraph | None = None
) -> tuple[GraphAlignment, RepoGraph, RepoGraph]:
    """The graph alignment of two sides read with graph facts; ``left_graph``, when given, is
    ``repo_graph(left)`` already built (a check aligns one repo with each hit's project)."""
    # networkx takes about 0.09 s to import (measured): only repo comparisons pay it.
    from codesim.graph.align import Proposal, align_graphs
    from codesim.pipeline.reading import repo_graph

    overlap = evidence.overlap
    jaccard = signature_proposals(left, right, set(overlap))
    proposals = {
        pair: Proposal(overlap.get(pair, 0), jaccard.get(pair, 0.0))
        # Sorted: the order proposals reach the matching decides between equal weights, and
        # a set's order changes from one process to the next (string hashing is salted).
        for pair in sorted(set(overlap) | set(jaccard))
    }
    left_graph = repo_graph(left) if left_graph is None else left_graph
    right_graph = repo_graph(right)
    return align_graphs(left_graph, right_graph, proposals), left_graph, right_graph


def alignment_model(
    alignment: GraphAlignment,
    left: RepoGraph,
    right: RepoGraph,
    evidence: UnitEvidence,
    min_tokens: int,
) -> results.RepoAlignment:
    """The public model of an alignment; units under ``min_tokens`` tokens are not listed as
    unmatched (a two-token module body is no evidence either way)."""
    units = [
        results.AlignedUnit(
            left=m.left,
            right=m.right,
            kind=left.nodes[m.left]["kind"],
            similarity=min(1.0, m.similarity),
            support=m.support,
            left_tokens=left.nodes[m.left]["tokens"],
            right_tokens=right.nodes[m.right]["tokens"],
            renamed=[
                results.IdentifierMapping(
                    left=r.left,
                    right=r.right,
                    role=r.role,
                    count=r.count,
                    consistency=r.consistency,
                )
                for r in identifier_map(evidence.names.get((m.left, m.right), Counter()).elements())
                if r.left != r.right
            ],
        )
        for m in alignment.matches
    ]
    smaller = min(alignment.left_edges, alignment.right_edges)
    return results.RepoAlignment(
        left_aligned=_share(alignment.left_aligned, alignment.left_tokens),
        right_aligned=_share(alignment.right_aligned, alignment.right_tokens),
        edges_preserved=_share(alignment.preserved_edges, smaller),
        left_edges=alignment.left_edges,
        right_edges=alignment.right_edges,
        preserved_edges=alignment.preserved_edges,
        units=units,
        groups=[
            results.UnitGroup(kind=g.kind, left=list(g.left), right=list(g.right))
            for g in alignment.groups
        ],
        files=[
            results.FileChange(kind=f.kind, left=list(f.left), right=list(f.right), share=f.share)
            for f in alignment.files
        ],
        relocation=list(alignment.relocation) if any(alignment.relocation) else [],
        unmatched_left=[
            n for n in alignment.unmatched_left if left.nodes[n]["tokens"] >= min_tokens
        ],
        unmatched_right=[
            n for n in alignment.unmatched_right if right.nodes[n]["tokens"] >= min_tokens
        ],
    )


def repo_verdict(score: float, alignment: results.RepoAlignment) -> Verdict:
    """The verdict on two repos: ``verdict_for(score)``, but identical only when the
    structure is (``REPO_IDENTICAL_EDGES``)."""
    verdict = verdict_for(score)
    # Renaming or moving a file is like renaming an identifier; merging or splitting changes
    # what contains what.
    regrouped = any(change.kind in ("merged", "split") for change in alignment.files)
    restructured = regrouped or alignment.groups or alignment.edges_preserved < REPO_IDENTICAL_EDGES
    return "derived" if verdict == "identical" and restructured else verdict


def _share(part: int, whole: int) -> float:
    return round(min(1.0, part / whole), 6) if whole else 0.0


def with_history(
    model: results.RepoAlignment,
    left: SideData,
    right: SideData,
    left_graph: RepoGraph,
    right_graph: RepoGraph,
) -> results.RepoAlignment:
    """``model`` with, for each aligned unit pair, which side's git history has its code
    first, and the summary of which repo looks like the source.

    Only files git tracks are blamed, and only those holding aligned units: a side outside
    a work tree, or in a folder git ignores, costs one ``git ls-files``.
    """
    # Imported here: only a repo alignment with history reads it (2.8 ms of every start).
    from codesim.graph.direction import PairLines, pair_direction, summarize

    units = model.units
    left_paths = sorted({left_graph.nodes[u.left]["path"] for u in units})
    right_paths = sorted({right_graph.nodes[u.right]["path"] for u in units})
    left_times = _history(left, left_paths)
    right_times = _history(right, right_paths)
    directions = []
    for unit in units:
        mine, theirs = left_graph.nodes[unit.left], right_graph.nodes[unit.right]
        directions.append(
            pair_direction(
                PairLines(
                    left=(mine["lines"],),
                    right=(theirs["lines"],),
                    tokens=min(unit.left_tokens, unit.right_tokens),
                    left_history=left_times.get(mine["path"]),
                    right_history=right_times.get(theirs["path"]),
                )
            )
        )
    summary = summarize(directions)
    return model.model_copy(
        update={
            "units": [
                unit.model_copy(update={"first": found.direction})
                for unit, found in zip(units, directions, strict=True)
            ],
            "direction": results.Direction(
                conclusion=summary.conclusion,
                explanation=summary.explanation,
                left_first=summary.left_first.pairs,
                right_first=summary.right_first.pairs,
                same=summary.same.pairs,
                unknown=summary.unknown.pairs,
            ),
        }
    )


def _history(side: SideData, paths: list[str]) -> dict[str, LineTimes]:
    # Only repos are aligned, so a side's root is a folder.
    root = Path(side.root)
    return line_times(root, sorted(tracked(root, paths)))
