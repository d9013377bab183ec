"""All-vs-all comparison of many submissions, without comparing all pairs.

Each submission is read once (files normalized, fingerprinted, units signed). Code shared by
many submissions is found first: a winnowed fingerprint held by at least ``shared_threshold``
submissions is a template, a generated family (the standard library's ``encodings/cp*.py``
differ only in a table) or an idiom, and it is masked out of every score like ``--base``
code. Candidate submission pairs then come from two indexes, joined in numpy: submissions
sharing at least ``min_candidate_shared`` of the remaining fingerprints, and submissions with
units in one MinHash LSH bucket. Only candidates are aligned, file pair by file pair as
``compare`` does; pairs at ``min_score`` or more are reported and linked into clusters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from codesim import compiled, results
from codesim.align import merge_renamings
from codesim.align import score as align_score
from codesim.align.seeds import kgram_cover, kgram_covers
from codesim.errors import SkipReason
from codesim.fingerprint import HashArray, in_sorted, unique_sorted
from codesim.index.bands import BUCKET_LIMIT
from codesim.options import Options, verdict_for
from codesim.pipeline import limits
from codesim.pipeline.comparing import (
    base_masks,
    file_pair_results,
    indexed_candidate_pairs,
    mappings,
    side_summary,
    skipped_of,
    tile_file_pairs,
)
from codesim.pipeline.cross_reading import Loaded
from codesim.pipeline.forking import Shared, map_shared, sharing
from codesim.pipeline.reading import SideData, SidePostings, side_warnings
from codesim.pipeline.streams import ProgressCallback, report_progress
from codesim.pipeline.submissions import Job, shared_threshold

SHARED_FILE_SHARE = 0.5
"""A file is listed as shared (or template) code when at least this share of its tokens is."""

_Mask = npt.NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class _Read:
    name: str
    side: SideData
    masks: list[_Mask]
    """Per file: tokens that are shared or template code."""
    base_masks: list[_Mask]
    postings: SidePostings
    """The files' fingerprints, for finding the file pairs to align with another submission."""
    tokens: int
    """Tokens outside shared and template code: what scores count."""

    def label(self, path: str) -> str:
        """A file of this submission as reports name it: ``submission/path``, or the
        submission's name when it is a single file."""
        return self.name if Path(self.side.root).is_file() else f"{self.name}/{path}"


def cross_submissions(
    found: list[tuple[str, Path]],
    reading: Shared[Job, Loaded],
    options: Options,
    base: SideData | None = None,
    progress: ProgressCallback | None = None,
    workers: int = 1,
) -> results.CrossReport:
    """Compare every submission ``found`` (``submissions.submissions_of``) with the others it
    shares code with (see the module), their reading started (``submissions.start_reading``)
    and their pairs aligned in ``workers`` processes."""
    names = [name for name, _ in found]
    loaded = _read_all(reading, len(found), progress)
    threshold = shared_threshold(len(loaded))
    distinct = [item.distinct for item in loaded]
    shared, counts = _shared_fingerprints(distinct, threshold)
    read = []
    for name, item in zip(names, loaded, strict=True):
        side = item.side
        template = base_masks(side, base, options)
        masks = [mask.copy() for mask in template]
        for file, mask in zip(side.files, masks, strict=True):
            # The tokens inside a k-gram whose hash is shared code.
            kgram_cover(file.stream.kgrams, shared, options.kgram_size, mask)
        tokens = sum(int((~mask).sum()) for mask in masks)
        read.append(_Read(name, side, masks, template, item.postings, tokens))
    pairs = _candidates(distinct, shared, [item.bands for item in loaded], options, threshold)
    compared = _compare_all(read, pairs, options, workers, progress)
    cross_pairs = [pair for pair in compared if pair is not None]
    cross_pairs.sort(key=lambda p: (-p.score, -p.similarity, p.left, p.right))
    from codesim.graph.clusters import clusters_of

    clusters = [
        results.Cluster(id=number, members=members, max_score=top)
        for number, (members, top) in enumerate(
            clusters_of([(p.left, p.right, p.score) for p in cross_pairs]), start=1
        )
    ]
    return results.CrossReport(
        submissions=[_submission(item) for item in read],
        pairs=cross_pairs,
        clusters=clusters,
        shared=_shared_files(read, shared, counts),
        candidate_pairs=len(pairs),
        skipped=[s for item in read for s in skipped_of(item.side, item.label)],
        options=options.model_dump(),
        warnings=[w for item in read for w in side_warnings(item.side)] + _budget_warnings(options),
        base=side_summary(base) if base else None,
    )


def _budget_warnings(options: Options) -> list[str]:
    # Pairs are aligned in several processes, each stopping at the deadline on its own, so
    # which of them were cut short is not known here: only that some may have been.
    if not limits.expired():
        return []
    return [
        f"the {options.time_budget:g} s time budget (time_budget) ran out: pairs still being "
        "aligned then score only the file pairs aligned in time"
    ]


def _read_all(
    reading: Shared[Job, Loaded], submissions: int, progress: ProgressCallback | None
) -> list[Loaded]:
    def arrived(done: int, item: Loaded) -> None:
        # The aligning child, forked once all is read, inherits what aligning needs of each
        # file, made here as the submissions arrive (this process aligns too).  Made on first
        # use instead, each aligning process made it for nearly every file it aligned, most
        # files in more than one process.
        for file in item.side.files:
            file.stream.prepare()
        report_progress(progress, "reading submissions", done, submissions)

    return reading.join(arrived)


ALIGN_ALONE_BELOW = 500
"""Fewer candidate pairs are aligned by this process alone: a forked
child, with the pages it copies on write, costs about what it saves there.  Measured against
always forking (interleaved runs): N = 100, 215 pairs, alone: the same wall time within this
host's noise (-1, +41, -14 and +2 ms in sets of 30, 30, 40 and 40 runs; with another process
busy on one core -42, +34 and 0 ms in sets of 20, 20 and 40), and less CPU in five of those
seven sets (16-46 ms; 19 and 33 ms more in the other two); N = 400, 846 pairs, alone: 7 ms
slower (14 runs, within noise) for 80 ms less CPU; N = 1,600, 7,138 pairs, alone: 0.47 s
slower.  Since most pairs are bounded before aligning (``_score_bound``): N = 400, alone,
0.749 against 0.739 s (16 runs), for 36 ms less CPU."""

_READ: list[_Read] = []
"""The submissions, for forked children to align pairs of without receiving them ..."""
_OPTIONS: list[Options] = []
"""... and the options, so that a job is two numbers."""


def _compare_job(job: tuple[int, int]) -> results.CrossPair | None:
    i, j = job
    return _compare(_READ[i], _READ[j], _OPTIONS[0])


def _compare_all(
    read: list[_Read],
    pairs: list[tuple[int, int]],
    options: Options,
    workers: int,
    progress: ProgressCallback | None,
) -> list[results.CrossPair | None]:
    """The ``_compare`` of each pair, in order."""
    global _READ, _OPTIONS
    _READ, _OPTIONS = read, [options]

    def arrived(done: int, _: results.CrossPair | None) -> None:
        report_progress(progress, "aligning candidate pairs", done, len(pairs))

    processes = sharing(workers, len(pairs), least=ALIGN_ALONE_BELOW)
    try:
        return map_shared(_compare_job, pairs, processes, batch=16, arrived=arrived)
    finally:
        _READ, _OPTIONS = [], []


def _shared_fingerprints(
    distinct: list[HashArray], threshold: int
) -> tuple[HashArray, npt.NDArray[np.int64]]:
    """The fingerprints at least ``threshold`` submissions hold, sorted, and how many hold each."""
    if not distinct:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    values, counts = np.unique(np.concatenate(distinct), return_counts=True)
    keep = counts >= threshold
    return values[keep], counts[keep]


def _candidates(
    distinct: list[HashArray],
    shared: HashArray,
    bands: list[npt.NDArray[np.int64]],
    options: Options,
    threshold: int,
) -> list[tuple[int, int]]:
    """Submission pairs worth aligning: enough common fingerprints that are not shared code,
    or units in one LSH bucket that fewer than ``threshold`` submissions share.  Each
    submission keeps its ``max_candidates`` best partners."""
    docs = [values[~in_sorted(values, shared)] for values in distinct]
    codes, counts = _co_occurring(docs, limit=None)
    strong = counts >= options.min_candidate_shared
    codes, counts = codes[strong], counts[strong]
    # A bucket that as many submissions share as shared code needs is shared code too.
    bucketed, _ = _co_occurring(bands, limit=min(BUCKET_LIMIT, threshold - 1))
    # A unit pair in one bucket is a whole function alike: as strong as a few fingerprints.
    alike = np.setdiff1d(bucketed, codes, assume_unique=True)
    codes = np.concatenate((codes, alike))
    counts = np.concatenate((counts, np.full(len(alike), options.min_candidate_shared)))
    return _best_partners(codes, counts, len(distinct), options.max_candidates)


def _best_partners(
    codes: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], width: int, limit: int
) -> list[tuple[int, int]]:
    """The pairs ``(i, j)`` (coded ``i * width + j``, ``i < j``) that are among the ``limit``
    best of ``i`` or of ``j`` by evidence ``counts`` (ties: the lower partner first), sorted."""
    first, second = codes // width, codes % width
    doc, other = np.concatenate((first, second)), np.concatenate((second, first))
    evidence = np.concatenate((counts, counts))
    order = np.lexsort((other, -evidence, doc))
    doc, other = doc[order], other[order]
    new = np.ones(len(doc), dtype=bool)
    new[1:] = doc[1:] != doc[:-1]
    positions = np.arange(len(doc))
    rank = positions - np.maximum.accumulate(np.where(new, positions, 0))
    best = rank < limit
    kept = unique_sorted(np.minimum(doc, other)[best] * width + np.maximum(doc, other)[best])
    return list(zip((kept // width).tolist(), (kept % width).tolist(), strict=True))


def _co_occurring(
    docs: Sequence[npt.NDArray[np.uint64] | npt.NDArray[np.int64]], limit: int | None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every two documents holding a common value, coded ``i * len(docs) + j`` with
    ``i < j`` and sorted, and how many values they share; values held by more than
    ``limit`` documents are left out.  A value a document holds twice counts once."""
    empty = np.empty(0, dtype=np.int64)
    if not sum(len(d) for d in docs):
        return empty, empty
    compiled_join = compiled.load(compiled.COOCCUR)
    if compiled_join is not None:
        # A radix sort in C instead of numpy's stable argsort, most of this join's time.
        paired = np.frombuffer(
            compiled_join.pairs(
                np.concatenate(docs),
                np.array([len(d) for d in docs], dtype=np.int64),
                -1 if limit is None else limit,
            ),
            dtype=np.int64,
        )
        if not len(paired):
            return empty, empty
        return np.unique(paired, return_counts=True)
    values = np.concatenate(docs)
    owners = np.concatenate([np.full(len(d), doc, dtype=np.int64) for doc, d in enumerate(docs)])
    order = np.argsort(values, kind="stable")
    values, owners = values[order], owners[order]
    # A stable sort keeps a document's copies of a value together.
    once = np.r_[True, (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])]
    values, owners = values[once], owners[once]
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    sizes = np.diff(np.r_[starts, len(values)])
    group = np.repeat(np.arange(len(starts)), sizes)
    if limit is not None:
        keep = (sizes <= limit)[group]
        values, owners, group = values[keep], owners[keep], group[keep]
    width = len(docs)
    codes = []
    # Every value's holders pair up: offset k pairs each holder with the k-th after it.
    widest = int(sizes.max()) if len(sizes) else 0
    if limit is not None:
        widest = min(widest, limit)
    for k in range(1, widest):
        same = group[k:] == group[:-k]
        first, second = owners[:-k][same], owners[k:][same]
        codes.append(np.minimum(first, second) * width + np.maximum(first, second))
    if not codes:
        return empty, empty
    found, counts = np.unique(np.concatenate(codes), return_counts=True)
    return found, counts


def _compare(left: _Read, right: _Read, options: Options) -> results.CrossPair | None:
    """Two submissions aligned file pair by file pair, shared and template code masked;
    None when they score under ``min_score`` or show no fragment."""
    left_files, right_files = left.side.files, right.side.files
    # Most candidates share a little code and score far under min_score: bounded first, they
    # are not aligned (N = 100: 193 of 215 pairs).  Two single files can only be the one file
    # pair, candidate or not: bounded over it, most are left before their file candidates
    # are looked up.
    single = len(left_files) == len(right_files) == 1
    if single and _under_min_score(left, right, [(0, 0)], options):
        return None
    candidates = indexed_candidate_pairs(left.postings, right.postings, options)
    if not single and _under_min_score(left, right, candidates, options):
        return None
    tiled = tile_file_pairs(
        left_files, right_files, left.masks, right.masks, options, candidates=candidates
    )
    scores = align_score(
        sum(int(m.sum()) for m in tiled.left_marks),
        sum(int(m.sum()) for m in tiled.right_marks),
        left.tokens,
        right.tokens,
        options.min_evidence_tokens,
    )
    # Most candidates are not copies: their fragments, spans and renamings, which cost more
    # than aligning them, are not worth building (nor sending back from a child).
    if scores.score < options.min_score:
        return None
    found = file_pair_results(tiled, left_files, right_files, left.masks, right.masks, options)
    if not found.pairs:
        return None
    pair_results = [
        p.model_copy(update={"left": left.label(p.left), "right": right.label(p.right)})
        for p in found.pairs
    ]
    pair_results.sort(key=lambda p: (-p.score, -p.literal_agreement, p.left, p.right))
    return results.CrossPair(
        left=left.name,
        right=right.name,
        score=scores.score,
        similarity=scores.similarity,
        left_coverage=scores.left_coverage,
        right_coverage=scores.right_coverage,
        longest_fragment=max(p.longest_fragment for p in pair_results),
        verdict=verdict_for(scores.score),
        pairs=pair_results,
        identifier_map=mappings(merge_renamings(found.renamings)),
    )


def _under_min_score(
    left: _Read, right: _Read, file_pairs: Sequence[tuple[int, int]], options: Options
) -> bool:
    """Whether the two submissions score under ``min_score`` whatever aligning their
    ``file_pairs`` finds (``_score_bound``)."""
    if options.min_score <= 0:
        return False
    return _score_bound(left, right, file_pairs, options) < options.min_score


def _score_bound(
    left: _Read, right: _Read, candidates: Sequence[tuple[int, int]], options: Options
) -> float:
    """A score ``_compare`` cannot exceed for the two submissions: each side's tokens outside
    its masks that lie inside a k-gram the other side's candidate file also has
    (``seeds.kgram_covers``), scored as if all of them were matched."""
    k = options.kgram_size
    left_cover: dict[int, _Mask] = {}
    right_cover: dict[int, _Mask] = {}
    for i, j in candidates:
        lf, rf = left.side.files[i], right.side.files[j]
        if i not in left_cover:
            left_cover[i] = np.zeros(lf.tokens, dtype=bool)
        if j not in right_cover:
            right_cover[j] = np.zeros(rf.tokens, dtype=bool)
        kgram_covers(lf.stream.kgrams, rf.stream.kgrams, k, left_cover[i], right_cover[j])
    left_bound = sum(int(np.count_nonzero(c & ~left.masks[i])) for i, c in left_cover.items())
    right_bound = sum(int(np.count_nonzero(c & ~right.masks[j])) for j, c in right_cover.items())
    bound = align_score(
        left_bound, right_bound, left.tokens, right.tokens, options.min_evidence_tokens
    )
    return bound.score


def _submission(item: _Read) -> results.Submission:
    summary = side_summary(item.side)
    return results.Submission(
        name=item.name,
        path=item.side.root,
        files=summary.files,
        lines=summary.lines,
        tokens=summary.tokens,
    )


def _shared_files(
    read: list[_Read], shared: HashArray, counts: npt.NDArray[np.int64]
) -> list[results.SharedCode]:
    """Files mostly made of shared or template code, and files left out as generated."""
    listed = []
    for item in read:
        for f, mask, template in zip(item.side.files, item.masks, item.base_masks, strict=True):
            if not f.tokens:
                continue
            share = float(mask.mean())
            if share < SHARED_FILE_SHARE:
                continue
            holders = counts[np.searchsorted(shared, f.selected[in_sorted(f.selected, shared)])]
            kind = "template" if template.mean() >= share / 2 else "shared"
            listed.append(
                results.SharedCode(
                    submission=item.name,
                    path=item.label(f.path),
                    kind=kind,
                    share=round(share, 6),
                    submissions=int(np.median(holders)) if len(holders) else 0,
                )
            )
        listed.extend(
            results.SharedCode(
                submission=item.name,
                path=item.label(s.path),
                kind="generated",
                share=1.0,
                submissions=0,
            )
            for s in item.side.skipped
            if s.reason is SkipReason.GENERATED
        )
    listed.sort(key=lambda s: (s.kind, s.submission, s.path))
    return listed
