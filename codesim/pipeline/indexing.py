"""The stage order for a persistent index: adding projects to it and checking code against it.

Adding: sources -> normalize -> units -> per-unit MinHash signatures and fingerprints ->
``FileRecord`` -> the store, in one transaction per project.  Files are normalized in parallel
worker processes (the records travel back pickled between our own processes; nothing read from
disk is ever unpickled).

Checking: the checked files are normalized and their units fingerprinted the same way; the
store's LSH bands propose stored units; every proposal is verified by exact containment over
fingerprints (boilerplate shared by many projects left out); the stored files of verified
units are read back and aligned with the checked files exactly as ``compare`` aligns two
files; pairs are grouped by project into hits.
"""

from __future__ import annotations

import os
import time
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from codesim import results
from codesim.align import merge_renamings
from codesim.align import score as align_score
from codesim.artifacts.summary import ArtifactSummary, summary_keys
from codesim.artifacts.summary import decode as decode_summaries
from codesim.artifacts.summary import encode as encode_summaries
from codesim.errors import IndexFormatError, InputError, SkipReason
from codesim.fingerprint import HashArray, unique_sorted
from codesim.index.prepare import file_record
from codesim.index.records import FileRecord, IndexSettings, LoadedFile, ProjectMeta
from codesim.index.store import Store
from codesim.languages import get_language
from codesim.normalize import normalize
from codesim.options import VERDICT_PARTIAL, Options, verdict_for
from codesim.pipeline import limits
from codesim.pipeline.artifacts import hit_artifacts, project_summaries
from codesim.pipeline.comparing import (
    align_files,
    base_masks,
    budget_warnings,
    mappings,
    matched_outside_base,
    pair_result,
    side_summary,
    skipped_of,
)
from codesim.pipeline.orphans import exit_with_parent
from codesim.pipeline.reading import (
    NormalizedFile,
    SideData,
    prepared_file,
    repo_graph,
    side_warnings,
    stream_facts,
)
from codesim.pipeline.repos import UnitEvidence, align_repos, alignment_model, repo_verdict
from codesim.pipeline.streams import ProgressCallback, discover_code
from codesim.sources.git import checkout_commit
from codesim.sources.model import SourceFile
from codesim.units import fold_small_units

if TYPE_CHECKING:
    from codesim.graph.build import RepoGraph

VERIFY_CONTAINMENT = 0.5
"""A stored unit proposed by the LSH bands is kept when at least this share of the smaller
unit's fingerprints is in the other (the bands' Jaccard threshold, 0.4, corresponds to a
containment of about 0.57 for units of equal size; a little lower keeps unequal sizes)."""

COMMON_PROJECT_SHARE = 0.5
COMMON_PROJECT_MIN = 4
"""A fingerprint found in more than ``COMMON_PROJECT_SHARE`` of the indexed projects (and in
at least ``COMMON_PROJECT_MIN`` of them) is boilerplate: it verifies nothing."""

ARTIFACT_KEYS_SHARED = 2
"""Artifact keys a project must share with the checked repo to be compared when none of its
code matched: one distinctive value or token name in common is what independent projects
have (``3407``, ``<ref>``)."""

ARTIFACT_ONLY_HITS = 5
"""Projects compared by their artifacts alone per check, those sharing the most keys first."""

ARTIFACT_CHANCE = 1e-6
"""An artifact pair below this chance (and at ``VERDICT_PARTIAL`` or more) makes a project
whose code did not match a hit: the bar the issue sets for copied artifacts."""

_CHUNK = 2


def add_project(
    store: Store,
    path: str | Path,
    meta: ProjectMeta,
    options: Options,
    workers: Workers,
    progress: ProgressCallback | None = None,
) -> results.AddResult:
    """Discover the files under ``path``, make their records in ``workers`` and store them as
    project ``meta`` (its commit filled in from git) in one step."""
    discovery = discover_code(path, options)
    sources = discovery.files
    if not sources:
        raise InputError(f"no source files to index under {path}")
    meta = replace(meta, commit=meta.commit or checkout_commit(Path(path)))
    replaced = any((p.name, p.version) == (meta.name, meta.version) for p in store.projects())
    units = lines = 0
    started = time.perf_counter()
    capped: list[results.Skipped] = []

    def counted() -> Iterator[FileRecord]:
        nonlocal units, lines
        for done, record in enumerate(workers.records(sources, store.settings), start=1):
            # Each token has one innermost unit: the units' tokens add up to the file's.
            over = limits.token_cap_detail(sum(u.tokens for u in record.units), options)
            if over is not None:
                capped.append(
                    results.Skipped(
                        side="indexed", path=record.path, reason=SkipReason.TOO_LARGE, detail=over
                    )
                )
                continue
            units += len(record.units)
            lines += record.lines
            if progress is not None:
                rate = lines / max(time.perf_counter() - started, 1e-6)
                stage = (
                    f"indexing {meta.name} {meta.version} ({lines:,} lines, {rate:,.0f} lines/s)"
                )
                progress(stage, done, len(sources))
            yield record

    # Only artifact files are read for this, each bounded: a code project pays a walk.
    summaries, problems = project_summaries(Path(path), unsafe_pickle=options.unsafe_pickle)
    store.add_project(meta, counted(), encode_summaries(summaries), summary_keys(summaries))
    return results.AddResult(
        project=project_of(meta),
        files=len(sources) - len(capped),
        lines=lines,
        units=units,
        skipped=[
            results.Skipped(side="indexed", path=s.path, reason=s.reason, detail=s.detail)
            for s in discovery.skipped
        ]
        + capped,
        replaced=replaced,
        artifacts=[summary.path for summary in summaries],
        warnings=problems,
    )


class Workers:
    """The processes that make file records for ``add_project``: ``count`` workers forked at
    the first add that needs them and kept until ``close``, so that an ingest of many projects
    does not fork and warm up (grammar tables, first parse) a new pool for each of them while
    the cores wait.  One worker makes the records in this process."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None

    def records(self, sources: list[SourceFile], settings: IndexSettings) -> Iterator[FileRecord]:
        """The record of each file, in order.  Closing the iterator early (a failed add)
        cancels the files not yet started."""
        jobs = [(s.path, s.language, s.data) for s in sources]
        if self.count <= 1 or len(jobs) < 2 * _CHUNK:
            for job in jobs:
                yield _record(job, settings)
            return
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.count, initializer=exit_with_parent, initargs=(os.getpid(),)
            )
        try:
            yield from self._pool.map(_record, jobs, repeat(settings), chunksize=_CHUNK)
        except BrokenProcessPool:
            # A worker was killed (out of memory, a signal): the next add forks afresh.
            self._pool = None
            raise

    def close(self) -> None:
        """Stop the worker processes, if any were started."""
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _record(job: tuple[str, str, bytes], settings: IndexSettings) -> FileRecord:
    path, language, data = job
    stream = fold_small_units(normalize(data, get_language(language), path), settings.kgram_size)
    return file_record(path, language, data, stream, settings)


def check_side(
    checked: SideData,
    store: Store,
    location: str,
    options: Options,
    *,
    top: int,
    base: SideData | None = None,
    progress: ProgressCallback | None = None,
    root: Path | None = None,
) -> results.CheckReport:
    """Check every file of ``checked`` (read with ``units=True``) against the store; with the
    checked folder's ``root``, also its configs, tokenizers and checkpoints against each hit's
    stored summaries (``Hit.artifacts``)."""
    masks = base_masks(checked, base, options)
    stats = store.stats()
    pairs = _verified_pairs(checked.files, store, stats.projects, options)
    loaded: dict[int, NormalizedFile] = {}
    metas: dict[int, ProjectMeta] = {}
    by_project: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for i, file_id in pairs:
        if file_id not in loaded:
            stored = _load(store, file_id)
            if stored is None:
                continue
            loaded[file_id], metas[file_id] = _stored_file(stored, options), stored.project
        if loaded[file_id].language != checked.files[i].language:
            # Units of two languages can share k-grams by accident; files pair only within
            # their language, as in ``compare``.
            continue
        meta = metas[file_id]
        by_project[meta.name, meta.version].append((i, file_id))

    total = sum(int((~m).sum()) for m in masks)
    any_marks = [np.zeros(f.tokens, dtype=bool) for f in checked.files]
    hits: list[results.Hit] = []
    evidence: dict[tuple[str, str], UnitEvidence] = {}
    done = unaligned = 0
    for key, project_pairs in by_project.items():
        marks = [np.zeros(f.tokens, dtype=bool) for f in checked.files]
        theirs: dict[int, npt.NDArray[np.bool_]] = {}
        pair_results: list[results.PairResult] = []
        renamings = []
        evidence[key] = UnitEvidence()
        for i, file_id in project_pairs:
            if limits.expired():
                unaligned += 1
                continue
            left, right = checked.files[i], loaded[file_id]
            aligned = align_files(left, right, options)
            done += 1
            if progress is not None:
                progress("aligning with indexed files", done, len(pairs))
            if not aligned.tiles:
                continue
            if left.graph is not None:
                right_base = np.zeros(right.tokens, dtype=bool)
                evidence[key].add(left, right, aligned, masks[i], right_base)
            result = pair_result(left, right, aligned, options, masks[i])
            if not result.fragments:
                continue
            mine, matched_right = matched_outside_base(
                aligned, masks[i], np.zeros(right.tokens, dtype=bool)
            )
            marks[i] |= mine
            if file_id in theirs:
                theirs[file_id] |= matched_right
            else:
                theirs[file_id] = matched_right
            renamings.extend(aligned.renamings)
            pair_results.append(result)
        if not pair_results:
            continue
        for i, m in enumerate(marks):
            any_marks[i] |= m
        matched = sum(int(m.sum()) for m in marks)
        share = round(matched / total, 6) if total else 0.0
        meta = metas[project_pairs[0][1]]
        # A project's score means what a pair's does: matched tokens over the smaller side,
        # the checked code or the whole project, so a small library vendored whole scores high.
        score = align_score(
            matched,
            sum(int(m.sum()) for m in theirs.values()),
            total,
            store.project_tokens(meta.name, meta.version),
            options.min_evidence_tokens,
        ).score
        pair_results.sort(key=lambda p: (-p.score, -p.literal_agreement, p.left, p.right))
        hits.append(
            results.Hit(
                project=project_of(meta),
                share=share,
                score=score,
                verdict=verdict_for(score),
                pairs=[p for p in pair_results if p.score >= options.min_score],
                identifier_map=mappings(merge_renamings(renamings)),
            )
        )
    hits.sort(key=lambda h: (-h.score, -h.share, h.project.name, h.project.version))
    hits = hits[:top]
    stages_left: list[str] = []
    aligning = hits and all(f.graph is not None for f in checked.files)
    if aligning and limits.expired():
        aligning = False
        stages_left.append(
            limits.stage_warning(options, "the hits were aligned as repos: no hit alignment")
        )
    if aligning and any(hit.verdict != "independent" for hit in hits):
        # The checked repo's graph is the same for every hit: built once.
        checked_graph = repo_graph(checked)
        hits = [
            _aligned_hit(
                hit,
                checked,
                checked_graph,
                [
                    loaded[f]
                    for f in dict.fromkeys(
                        f for _, f in by_project[hit.project.name, hit.project.version]
                    )
                ],
                evidence[hit.project.name, hit.project.version],
                options,
            )
            # A hit under the partial threshold stays independent whatever its alignment
            # says (an alignment can only tell identical from derived), and aligning the
            # few units it shares by coincidence would show noise as structure.
            if hit.verdict != "independent"
            else hit
            for hit in hits
        ]
    artifact_warnings: list[str] = []
    if root is not None:
        hits, artifact_warnings = _with_artifacts(hits, root, store, options)
    return results.CheckReport(
        checked=side_summary(checked),
        index=results.IndexInfo(location=location, projects=stats.projects, files=stats.files),
        share=round(sum(int(m.sum()) for m in any_marks) / total, 6) if total else 0.0,
        hits=hits,
        skipped=skipped_of(checked),
        options=options.model_dump(),
        warnings=side_warnings(checked)
        + (side_warnings(base) if base else [])
        + artifact_warnings
        + budget_warnings(unaligned, len(pairs), options)
        + stages_left,
        base=side_summary(base) if base else None,
    )


def _with_artifacts(
    hits: list[results.Hit], root: Path, store: Store, options: Options
) -> tuple[list[results.Hit], list[str]]:
    """Each hit with the checked repo's artifacts compared with the project's stored ones,
    then the projects found by artifact keys alone whose artifacts match beyond chance."""
    mine, warnings = project_summaries(root, unsafe_pickle=options.unsafe_pickle)
    if not mine:
        return hits, warnings
    found: list[results.Hit] = []
    for hit in hits:
        compared, problems = _stored_artifacts(
            mine, store, hit.project.name, hit.project.version, options
        )
        warnings.extend(problems)
        found.append(hit.model_copy(update={"artifacts": compared}) if compared else hit)
    known = {(hit.project.name, hit.project.version) for hit in hits}
    shared = store.artifact_projects(summary_keys(mine, query=True))
    candidates = sorted(
        (-count, project) for project, count in shared.items() if project not in known
    )
    candidates = [c for c in candidates if -c[0] >= ARTIFACT_KEYS_SHARED][:ARTIFACT_ONLY_HITS]
    metas = {(m.name, m.version): m for m in store.projects()} if candidates else {}
    for _, (name, version) in candidates:
        pairs, problems = _stored_artifacts(mine, store, name, version, options)
        warnings.extend(problems)
        strong = [
            p
            for p in pairs
            if p.score >= VERDICT_PARTIAL and p.chance is not None and p.chance < ARTIFACT_CHANCE
        ]
        if strong and (name, version) in metas:
            # No code of this project matched: its share and score (code's) are 0.
            found.append(
                results.Hit(
                    project=project_of(metas[name, version]),
                    share=0.0,
                    score=0.0,
                    verdict=verdict_for(0.0),
                    pairs=[],
                    identifier_map=[],
                    artifacts=pairs,
                )
            )
    return found, warnings


def _stored_artifacts(
    mine: list[ArtifactSummary], store: Store, name: str, version: str, options: Options
) -> tuple[list[results.ArtifactPair], list[str]]:
    project = f"{name}@{version}"
    try:
        theirs = decode_summaries(store.artifacts(name, version))
    except IndexFormatError as error:
        return [], [f"artifacts of {project}: {error}"]
    return hit_artifacts(mine, theirs, project, options)


def _aligned_hit(
    hit: results.Hit,
    checked: SideData,
    checked_graph: RepoGraph,
    files: list[NormalizedFile],
    evidence: UnitEvidence,
    options: Options,
) -> results.Hit:
    """``hit`` with the checked code aligned with the project's matched files as graphs, and
    the verdict read as between repos.  The project side holds only those files, and the
    index keeps no source to read calls, bases and imports from: its graph is units and what
    contains what."""
    project = hit.project
    stored = SideData("indexed", f"{project.name}@{project.version}", files, [], 0)
    aligned, left_graph, right_graph = align_repos(checked, stored, evidence, checked_graph)
    alignment = alignment_model(aligned, left_graph, right_graph, evidence, options.kgram_size)
    return hit.model_copy(
        update={"alignment": alignment, "verdict": repo_verdict(hit.score, alignment)}
    )


def project_of(meta: ProjectMeta) -> results.Project:
    """The public model of a stored project's metadata."""
    return results.Project(
        name=meta.name, version=meta.version, license=meta.license, url=meta.url, commit=meta.commit
    )


def _verified_pairs(
    files: list[NormalizedFile], store: Store, projects: int, options: Options
) -> list[tuple[int, int]]:
    """``(checked file, stored file id)`` pairs whose units verified, best
    ``options.max_candidates`` stored files per checked file."""
    signed = [
        (i, item.units.signatures)
        for i, item in enumerate(files)
        if item.units is not None and len(item.units.signatures)
    ]
    if not signed:
        return []
    # One lookup for the units of all files: a 10k-line repo's 28 lookups took 64 ms, one 51.
    owners = [(i, u) for i, signatures in signed for u in range(len(signatures))]
    found_all = store.candidates(np.concatenate([signatures for _, signatures in signed]))
    proposals = [(i, u, found) for (i, u), found in zip(owners, found_all, strict=True) if found]
    if not proposals:
        return []
    stored_ids = sorted({unit for _, _, found in proposals for unit in found})
    stored_prints = store.fingerprints(stored_ids)
    stored_units = store.units(stored_ids)
    common = _boilerplate(files, store, projects)
    evidence: dict[tuple[int, int], int] = defaultdict(int)
    for i, u, found in proposals:
        prints = files[i].units
        assert prints is not None and prints.fingerprints is not None
        mine = prints.fingerprints[u]
        if len(common):
            mine = mine[~np.isin(mine, common)]
        for unit in found:
            theirs = stored_prints.get(unit)
            if theirs is None or unit not in stored_units:
                continue
            shared = len(np.intersect1d(mine, theirs, assume_unique=True))
            smaller = min(len(mine), len(theirs))
            if (
                smaller
                and shared >= min(options.min_candidate_shared, smaller)
                and (shared >= VERIFY_CONTAINMENT * smaller)
            ):
                evidence[i, stored_units[unit].file_id] += shared
    best: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for (i, file_id), shared in evidence.items():
        best[i].append((shared, file_id))
    pairs: list[tuple[int, int]] = []
    for i, ranked in sorted(best.items()):
        ranked.sort(key=lambda item: (-item[0], item[1]))
        pairs.extend((i, file_id) for _, file_id in ranked[: options.max_candidates])
    return pairs


def _boilerplate(files: list[NormalizedFile], store: Store, projects: int) -> HashArray:
    prints = [f.units.fingerprints for f in files if f.units and f.units.fingerprints is not None]
    flat = [p for unit in prints for p in unit if len(p)]
    if not flat:
        return np.empty(0, dtype=np.uint64)
    distinct = unique_sorted(np.concatenate(flat))
    ceiling = max(COMMON_PROJECT_MIN, int(COMMON_PROJECT_SHARE * projects))
    return distinct[store.document_frequency(distinct) > ceiling]


def _load(store: Store, file_id: int) -> LoadedFile | None:
    try:
        return store.load_file(file_id)
    except KeyError:
        # Removed or replaced since its units were found: nothing to align with.
        return None


def _stored_file(stored: LoadedFile, options: Options) -> NormalizedFile:
    project = stored.project
    prepared = prepared_file(
        f"{project.name}@{project.version}:{stored.path}",
        stored.language,
        stored.stream,
        stored.line_index,
        options,
    )
    return replace(prepared, graph=stream_facts(stored.path, stored.stream, stored.line_index))
