"""Comparing sides read by ``reading``: candidate file pairs through the exact fingerprint
index, their alignment, and the result converted into the public pydantic models.

index (candidates) -> align -> report models: each stage is a plain function over plain data,
wired here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from codesim import results
from codesim.align import (
    AlignedPair,
    Renaming,
    align,
    merge_renamings,
    score,
    source_pieces,
)
from codesim.index.exact import query_all
from codesim.index.lines import LineIndex
from codesim.languages import get_language
from codesim.options import COMMON_FINGERPRINT_MIN_FILES, Options, verdict_for
from codesim.pipeline import limits
from codesim.pipeline.reading import (
    NormalizedFile,
    SideData,
    SidePostings,
    side_postings,
    side_warnings,
)
from codesim.pipeline.streams import ProgressCallback, report_progress

_Mask = npt.NDArray[np.bool_]


def candidate_pairs(
    left: Sequence[NormalizedFile], right: Sequence[NormalizedFile], options: Options
) -> list[tuple[int, int]]:
    """File pairs worth aligning, found through the exact fingerprint index (never all pairs).

    Each language has its own index, so a file is only ever paired with files of its own
    language, and what counts as boilerplate is decided among those.  Pairs come by right
    file, then best candidate first.
    """
    return indexed_candidate_pairs(side_postings(left), side_postings(right), options)


def indexed_candidate_pairs(
    left: SidePostings, right: SidePostings, options: Options
) -> list[tuple[int, int]]:
    """``candidate_pairs`` of two sides whose postings are built: each right file queries an
    ``ExactIndex`` of the left files of its language, answered in bulk (``query_all``)."""
    lefts: list[npt.NDArray[np.int64]] = []
    rights: list[npt.NDArray[np.int64]] = []
    for language, (right_files, queries) in right.languages.items():
        stored = left.languages.get(language)
        if stored is None:
            continue
        left_files, index = stored
        docs, queried = query_all(
            index,
            queries,
            common_share=options.common_fingerprint_share,
            common_min_docs=COMMON_FINGERPRINT_MIN_FILES,
            min_shared=options.min_candidate_shared,
            limit=options.max_candidates,
        )
        lefts.append(left_files[docs])
        rights.append(right_files[queried])
    if not lefts:
        return []
    left_found, right_found = np.concatenate(lefts), np.concatenate(rights)
    if len(lefts) > 1:  # languages interleave by right file; each keeps its rank order
        order = np.argsort(right_found, kind="stable")
        left_found, right_found = left_found[order], right_found[order]
    return list(zip(left_found.tolist(), right_found.tolist(), strict=True))


def compare_sides(
    left: SideData,
    right: SideData,
    options: Options,
    progress: ProgressCallback | None = None,
    base: SideData | None = None,
) -> results.Report:
    """Align the candidate file pairs of two sides and build the report.

    With a ``base`` (template code both sides may legitimately share), every token that matches
    the base is left out of the scores, the coverages and the evidence.
    """
    from codesim.pipeline.repos import (
        UnitEvidence,
        align_repos,
        alignment_model,
        repo_verdict,
        with_history,
    )

    left_base = base_masks(left, base, options)
    right_base = base_masks(right, base, options)
    repos = _has_graphs(left) and _has_graphs(right)
    evidence = UnitEvidence()
    found = align_file_pairs(
        left.files,
        right.files,
        left_base,
        right_base,
        options,
        progress,
        on_aligned=evidence.add if repos else None,
    )
    left_marks, right_marks, renamings = found.left_marks, found.right_marks, found.renamings
    pair_results = [p for p in found.pairs if p.score >= options.min_score]
    pair_results.sort(
        key=lambda p: (-p.score, -p.literal_agreement, -p.similarity, p.left, p.right)
    )

    left_tokens = sum(int((~mask).sum()) for mask in left_base)
    right_tokens = sum(int((~mask).sum()) for mask in right_base)
    left_matched_tokens = sum(int(m.sum()) for m in left_marks)
    right_matched_tokens = sum(int(m.sum()) for m in right_marks)
    alignment = None
    stages_left: list[str] = []
    if repos and limits.expired():
        repos = False
        stages_left.append(
            limits.stage_warning(
                options, "the repo alignment: score and verdict are those of the file pairs"
            )
        )
    if repos:
        if progress is not None:
            progress("aligning repo graphs", 0, 0)
        graph_alignment, left_graph, right_graph = align_repos(left, right, evidence)
        alignment = alignment_model(
            graph_alignment, left_graph, right_graph, evidence, options.kgram_size
        )
        if options.history and alignment.units and limits.expired():
            stages_left.append(
                limits.stage_warning(options, "the git history was read: no direction")
            )
        elif options.history and alignment.units:
            if progress is not None:
                progress("reading git history", 0, 0)
            alignment = with_history(alignment, left, right, left_graph, right_graph)
        # Between repos only code matched between aligned units counts: a coincidence
        # between two functions that align with others is not evidence of copying.
        left_matched_tokens = graph_alignment.left_matched
        right_matched_tokens = graph_alignment.right_matched
    scores = score(
        left_matched_tokens,
        right_matched_tokens,
        left_tokens,
        right_tokens,
        options.min_evidence_tokens,
    )
    return results.Report(
        score=scores.score,
        similarity=scores.similarity,
        verdict=verdict_for(scores.score)
        if alignment is None
        else repo_verdict(scores.score, alignment),
        left=side_summary(left),
        right=side_summary(right),
        left_coverage=scores.left_coverage,
        right_coverage=scores.right_coverage,
        pairs=pair_results,
        identifier_map=mappings(merge_renamings(renamings)),
        skipped=skipped_of(left) + skipped_of(right),
        options=options.model_dump(),
        warnings=side_warnings(left)
        + side_warnings(right)
        + (side_warnings(base) if base else [])
        + language_warnings(left, right)
        + budget_warnings(found.unaligned, found.candidates, options)
        + stages_left,
        base=side_summary(base) if base else None,
        alignment=alignment,
        languages=compared_languages(left, right),
    )


def budget_warnings(unaligned: int, candidates: int, options: Options) -> list[str]:
    """The report's word on candidate pairs the time budget left unaligned."""
    if not unaligned:
        return []
    return [
        f"the {options.time_budget:g} s time budget (time_budget) ran out: "
        f"{unaligned:,} of {candidates:,} candidate file pairs were not aligned, "
        "and the scores count only the pairs that were"
    ]


def compared_languages(left: SideData, right: SideData) -> list[str]:
    """The language ids both sides have files of, by id."""
    return sorted({f.language for f in left.files} & {f.language for f in right.files})


def language_warnings(left: SideData, right: SideData) -> list[str]:
    """A sentence for each language only one side has files of: those files were compared
    with nothing, since files pair only within their language."""
    counts = {side.label: Counter(f.language for f in side.files) for side in (left, right)}
    warnings = []
    for side, other in ((left, right), (right, left)):
        for language_id, files in sorted(counts[side.label].items()):
            if language_id not in counts[other.label]:
                name = get_language(language_id).display_name
                warnings.append(
                    f"{side.label}: {files} {name} file{'s' if files > 1 else ''} not compared "
                    f"(no {name} files on the {other.label})"
                )
    return warnings


@dataclass(frozen=True, slots=True)
class FilePairs:
    """What aligning the candidate file pairs of two sides found: per file, the tokens matched
    outside the masks; the pairs with fragments; the names aligned in them."""

    left_marks: list[_Mask]
    right_marks: list[_Mask]
    pairs: list[results.PairResult]
    renamings: list[Renaming]
    unaligned: int = 0
    """Candidate pairs left unaligned because the time budget ran out ..."""
    candidates: int = 0
    """... of this many."""


@dataclass(frozen=True, slots=True)
class TiledPairs:
    """The candidate file pairs of two sides aligned, before their results are built: per
    file, the tokens matched outside the masks, and ``(left file, right file, alignment)``
    of each pair with tiles (``unaligned`` and ``candidates`` as in ``FilePairs``)."""

    left_marks: list[_Mask]
    right_marks: list[_Mask]
    aligned: list[tuple[int, int, AlignedPair]]
    unaligned: int = 0
    candidates: int = 0


def align_file_pairs(
    left: Sequence[NormalizedFile],
    right: Sequence[NormalizedFile],
    left_masks: Sequence[_Mask],
    right_masks: Sequence[_Mask],
    options: Options,
    progress: ProgressCallback | None = None,
    on_aligned: Callable[[NormalizedFile, NormalizedFile, AlignedPair, _Mask, _Mask], None]
    | None = None,
) -> FilePairs:
    """Align every candidate file pair of two sides (never all pairs), tokens in the masks
    (base, template or shared code) left out; ``on_aligned`` sees each pair with tiles."""
    tiled = tile_file_pairs(
        left, right, left_masks, right_masks, options, progress, on_aligned=on_aligned
    )
    return file_pair_results(tiled, left, right, left_masks, right_masks, options)


def tile_file_pairs(
    left: Sequence[NormalizedFile],
    right: Sequence[NormalizedFile],
    left_masks: Sequence[_Mask],
    right_masks: Sequence[_Mask],
    options: Options,
    progress: ProgressCallback | None = None,
    *,
    on_aligned: Callable[[NormalizedFile, NormalizedFile, AlignedPair, _Mask, _Mask], None]
    | None = None,
    candidates: Sequence[tuple[int, int]] | None = None,
) -> TiledPairs:
    """The first half of ``align_file_pairs``: the alignments and the matched tokens, which
    score the sides, without the results; ``candidates``, when given, are the sides'
    ``candidate_pairs`` found already."""
    left_marks = [np.zeros(f.tokens, dtype=bool) for f in left]
    right_marks = [np.zeros(f.tokens, dtype=bool) for f in right]
    found: list[tuple[int, int, AlignedPair]] = []
    if candidates is None:
        candidates = candidate_pairs(left, right, options)
    unaligned = 0
    for done, (i, j) in enumerate(candidates, start=1):
        if limits.expired():
            unaligned = len(candidates) - done + 1
            break
        lf, rf = left[i], right[j]
        aligned = align_files(lf, rf, options)
        report_progress(progress, "aligning file pairs", done, len(candidates))
        if not aligned.tiles:
            continue
        left_matched, right_matched = matched_outside_base(aligned, left_masks[i], right_masks[j])
        left_marks[i] |= left_matched
        right_marks[j] |= right_matched
        if on_aligned is not None:
            on_aligned(lf, rf, aligned, left_masks[i], right_masks[j])
        found.append((i, j, aligned))
    return TiledPairs(left_marks, right_marks, found, unaligned, len(candidates))


def file_pair_results(
    tiled: TiledPairs,
    left: Sequence[NormalizedFile],
    right: Sequence[NormalizedFile],
    left_masks: Sequence[_Mask],
    right_masks: Sequence[_Mask],
    options: Options,
) -> FilePairs:
    """The second half of ``align_file_pairs``: the result of each tiled pair that shows
    fragments, and the names aligned in those."""
    pairs: list[results.PairResult] = []
    renamings: list[Renaming] = []
    for i, j, aligned in tiled.aligned:
        result = pair_result(left[i], right[j], aligned, options, left_masks[i], right_masks[j])
        if result.fragments:
            renamings.extend(aligned.renamings)
            pairs.append(result)
    return FilePairs(
        tiled.left_marks, tiled.right_marks, pairs, renamings, tiled.unaligned, tiled.candidates
    )


def _has_graphs(side: SideData) -> bool:
    return bool(side.files) and all(f.graph is not None for f in side.files)


def align_files(left: NormalizedFile, right: NormalizedFile, options: Options) -> AlignedPair:
    """Align two normalized files with the options' k-gram size and minimum match."""
    return align(
        left.stream,
        right.stream,
        kgram_size=options.kgram_size,
        min_match_tokens=options.min_match_tokens,
    )


def base_masks(side: SideData, base: SideData | None, options: Options) -> list[_Mask]:
    """For each file of ``side``, which of its tokens match code in ``base``."""
    masks = [np.zeros(f.tokens, dtype=bool) for f in side.files]
    if base is None:
        return masks
    for i, j in candidate_pairs(base.files, side.files, options):
        aligned = align_files(base.files[i], side.files[j], options)
        for t in aligned.tiles:
            masks[j][t.right : t.right + t.length] = True
    return masks


def matched_outside_base(
    aligned: AlignedPair, left_base: _Mask, right_base: _Mask
) -> tuple[_Mask, _Mask]:
    """The tokens of each side that the tiles match, leaving out positions where either side
    is base code."""
    left = np.zeros(len(left_base), dtype=bool)
    right = np.zeros(len(right_base), dtype=bool)
    for t in aligned.tiles:
        keep = ~(left_base[t.left : t.left + t.length] | right_base[t.right : t.right + t.length])
        left[t.left : t.left + t.length] |= keep
        right[t.right : t.right + t.length] |= keep
    return left, right


def pair_result(
    left: NormalizedFile,
    right: NormalizedFile,
    aligned: AlignedPair,
    options: Options,
    left_base: _Mask | None = None,
    right_base: _Mask | None = None,
) -> results.PairResult:
    """The public result of one aligned file pair, with exact source spans.

    Tokens marked in ``left_base``/``right_base`` (template code) count neither as matched nor
    in the totals, and fragments that are mostly base code are not shown.
    """
    if left_base is None:
        left_base = np.zeros(left.tokens, dtype=bool)
    if right_base is None:
        right_base = np.zeros(right.tokens, dtype=bool)
    left_matched, _ = matched_outside_base(aligned, left_base, right_base)
    matched = int(left_matched.sum())
    scores = score(
        matched,
        matched,
        left.tokens - int(left_base.sum()),
        right.tokens - int(right_base.sum()),
        options.min_evidence_tokens,
    )
    pieces = [
        (t.left + start, t.right + start, stop - start)
        for t in aligned.tiles
        for start, stop in source_pieces(t, left.source_rank, right.source_rank)
        if left_matched[t.left + start : t.left + stop].mean() > 0.5
    ]
    left_spans = spans(left.lines, *_byte_ranges(left, [(p[0], p[2]) for p in pieces]))
    right_spans = spans(right.lines, *_byte_ranges(right, [(p[1], p[2]) for p in pieces]))
    fragments = [
        results.Fragment(left=one, right=two, tokens=piece[2])
        for one, two, piece in zip(left_spans, right_spans, pieces, strict=True)
    ]
    fragments.sort(key=lambda f: (f.left.start_byte, f.right.start_byte))
    return results.PairResult(
        left=left.path,
        right=right.path,
        score=scores.score,
        similarity=scores.similarity,
        left_coverage=scores.left_coverage,
        right_coverage=scores.right_coverage,
        longest_fragment=max((f.tokens for f in fragments), default=0),
        literal_agreement=aligned.literal_agreement,
        left_tokens=left.tokens,
        right_tokens=right.tokens,
        verdict=verdict_for(scores.score),
        fragments=fragments,
        identifier_map=mappings(aligned.renamings),
    )


def _byte_ranges(
    item: NormalizedFile, runs: list[tuple[int, int]]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """``(starts, ends)`` in bytes of each run ``(first token, length)`` of ``item``.

    Within a piece, zero-width structural tokens and small merged disorder make the hull of
    the tokens' byte ranges the honest span.
    """
    if not runs:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    # reduceat over the bounds (first, first + length) of every run; the odd results, over
    # the gaps between runs, are dropped.  A trailing pad makes an end bound at the
    # stream's end a valid index.
    bounds = np.array(runs, dtype=np.int64)
    bounds[:, 1] += bounds[:, 0]
    indices = bounds.ravel()
    starts = np.minimum.reduceat(np.append(item.start_bytes, 0), indices)[::2]
    ends = np.maximum.reduceat(np.append(item.end_bytes, 0), indices)[::2]
    return starts, ends


def spans(
    lines: LineIndex, starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64]
) -> list[results.Span]:
    """The report's spans (1-based lines, 0-based code-point columns, byte offsets) of the
    byte ranges ``[starts[i], ends[i])``."""
    start_lines, start_cols = lines.positions(starts)
    end_lines, end_cols = lines.positions(ends)
    return [
        results.Span(start_line=a, start_col=b, end_line=c, end_col=d, start_byte=e, end_byte=f)
        for a, b, c, d, e, f in zip(
            start_lines,
            start_cols,
            end_lines,
            end_cols,
            starts.tolist(),
            ends.tolist(),
            strict=True,
        )
    ]


def mappings(renamings: list[Renaming]) -> list[results.IdentifierMapping]:
    return [
        results.IdentifierMapping(
            left=r.left, right=r.right, role=r.role, count=r.count, consistency=r.consistency
        )
        for r in renamings
    ]


def skipped_of(side: SideData, named: Callable[[str], str] | None = None) -> list[results.Skipped]:
    """The report's records of the files ``side`` left out, each path ``named`` as the
    report names the side's files (as it is, by default)."""
    return [
        results.Skipped(
            side=side.label,
            path=s.path if named is None else named(s.path),
            reason=s.reason,
            detail=s.detail,
        )
        for s in side.skipped
    ]


def side_summary(side: SideData) -> results.Side:
    unparsed = [
        results.UnparsedFile(
            path=f.path,
            errors=f.error_count,
            unparsed_bytes=f.error_bytes,
            unparsed_ratio=round(min(1.0, f.error_bytes / max(1, f.lines.size)), 6),
        )
        for f in side.files
        if f.error_count
    ]
    return results.Side(
        path=side.root,
        files=len(side.files),
        lines=sum(f.lines.lines for f in side.files),
        tokens=sum(f.tokens for f in side.files),
        unparsed=unparsed,
        notebooks=[
            results.NotebookFile(
                path=f.path,
                cells=[
                    results.NotebookCell(
                        index=c.index, id=c.id, start_line=c.start_line, lines=c.lines
                    )
                    for c in f.cells
                ],
            )
            for f in side.files
            if f.cells is not None
        ],
        languages=dict(sorted(Counter(f.language for f in side.files).items())),
    )
