"""The one place that knows the order of the stages.

sources -> normalize -> units -> fingerprint -> index (candidates) -> align -> report models.
Each stage is a plain function over plain data; this module wires them and converts the
result into the public pydantic models.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from codesim import results
from codesim.align import (
    AlignedPair,
    Renaming,
    Stream,
    align,
    kgram_table,
    merge_renamings,
    score,
    source_order_rank,
    source_pieces,
)
from codesim.errors import InputError, LanguageError, SkipReason
from codesim.fingerprint import HashArray, fingerprint, in_sorted, symbol_hash
from codesim.index.exact import Postings, postings, query_all
from codesim.index.lines import LineIndex
from codesim.index.minhash import SignatureArray, signatures
from codesim.index.prepare import unit_kgrams, units_fingerprints
from codesim.languages import extension_map, get_language, shebang_map
from codesim.normalize import language_of, normalize, normalize_with_imports
from codesim.options import COMMON_FINGERPRINT_MIN_FILES, Options, verdict_for
from codesim.pipeline import limits
from codesim.sources import CodeCell, Discovery, SkippedFile, SourceFile, discover
from codesim.tokens import ImportRef, Role, TokenStream
from codesim.units import fold_small_units

if TYPE_CHECKING:
    from codesim.graph.build import RepoGraph
    from codesim.graph.facts import FileFacts

# What only a repo's graph uses (``codesim.graph``'s facts, ``repos``' alignment, git history)
# is imported where it is used: ``cross`` starts without it.

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as long work advances; ``total`` 0 if unknown."""
_Mask = npt.NDArray[np.bool_]

_ROLES = frozenset(role.value for role in Role)
_PROGRESS_EVERY = 16


def report_progress(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    """Tell ``progress`` that ``done`` of ``total`` items are done, every ``_PROGRESS_EVERY``
    items and at the last: a progress bar needs no more, and a call per item would cost."""
    if progress is not None and (done % _PROGRESS_EVERY == 0 or done == total):
        progress(stage, done, total)


@dataclass(frozen=True, slots=True)
class UnitPrints:
    """A file's units as an index sees them: MinHash signatures (one row per unit) and
    winnowed fingerprints (sorted, distinct), made as ``index.prepare.file_record`` makes them."""

    signatures: SignatureArray
    fingerprints: list[HashArray] | None
    """None when they were not asked for (``cross`` bands the signatures only)."""


@dataclass(frozen=True, slots=True)
class NormalizedFile:
    """One source file after normalization and fingerprinting."""

    path: str
    """What reports show: relative to the side's root, or ``project:path`` for a stored file."""
    stream: Stream
    selected: HashArray
    start_bytes: npt.NDArray[np.int64]
    end_bytes: npt.NDArray[np.int64]
    lines: LineIndex
    """Lines and columns of byte offsets; also the text's line count and size."""
    error_count: int
    error_bytes: int
    language: str
    """The language id: files are aligned only with files of the same language."""
    units: UnitPrints | None = None
    """Per-unit signatures and fingerprints, read only when the file is checked against an
    index (``read_side(..., units=True)``)."""
    graph: FileFacts | None = None
    """What the file adds to its repo's graph, read only for ``read_side(..., graph=True)``."""
    cells: tuple[CodeCell, ...] | None = None
    """For a notebook, the lines of its text each code cell fills (``SourceFile.cells``)."""
    _source_rank: npt.NDArray[np.int64] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @property
    def tokens(self) -> int:
        return len(self.stream)

    @property
    def source_rank(self) -> npt.NDArray[np.int64]:
        """Each token's place in source order (``align.source_order_rank``), made on first
        use: only the pairs that are reported need it."""
        if self._source_rank is None:
            made = source_order_rank(self.start_bytes)
            object.__setattr__(self, "_source_rank", made)
            return made
        return self._source_rank


@dataclass(frozen=True, slots=True)
class SideData:
    """Everything read from one side of a comparison."""

    label: Literal["left", "right", "base", "checked", "indexed", "submission"]
    root: str
    files: list[NormalizedFile]
    skipped: list[results.Skipped]
    ignored: int


def read_side(
    path: str | Path,
    label: Literal["left", "right", "base", "checked", "indexed", "submission"],
    options: Options,
    progress: ProgressCallback | None = None,
    *,
    units: bool = False,
    unit_fingerprints: bool = True,
    graph: bool = False,
    folded_graph: bool = False,
) -> SideData:
    """Discover, read, normalize and fingerprint every file under ``path`` (and with
    ``units``, fingerprint each unit as an index does, or only sign it without
    ``unit_fingerprints``; with ``graph``, also gather what ``repo_graph`` needs).

    A file named on its own is compared even if it looks generated: the user asked for it.
    """
    if Path(path).is_file():
        options = options.model_copy(update={"include_generated": True})
    discovery = discover_code(path, options)
    skipped = [
        results.Skipped(side=label, path=s.path, reason=s.reason, detail=s.detail)
        for s in discovery.skipped
    ]

    def read(source: SourceFile) -> NormalizedFile:
        return normalize_file(
            source,
            options,
            units=units,
            unit_fingerprints=unit_fingerprints,
            graph=graph,
            folded_graph=folded_graph,
        )

    files, limited = read_within_limits(discovery.files, read, label, options, progress)
    return SideData(label, str(path), files, skipped + limited, discovery.ignored)


def token_cap_skip(
    file: NormalizedFile,
    label: Literal["left", "right", "base", "checked", "indexed", "submission"],
    options: Options,
) -> results.Skipped | None:
    """The skip record of a file over the token cap (``max_file_tokens``), else None."""
    over = limits.token_cap_detail(file.tokens, options)
    if over is None:
        return None
    return results.Skipped(side=label, path=file.path, reason=SkipReason.TOO_LARGE, detail=over)


def read_within_limits(
    sources: Sequence[SourceFile],
    read: Callable[[SourceFile], NormalizedFile],
    label: Literal["left", "right", "base", "checked", "indexed", "submission"],
    options: Options,
    progress: ProgressCallback | None = None,
) -> tuple[list[NormalizedFile], list[results.Skipped]]:
    """Each source ``read``, and the files the run's limits left out: those over the token
    cap as ``too_large``, and once the time budget has run out every one not yet read, as
    ``time_budget`` (``pipeline.limits``)."""
    files: list[NormalizedFile] = []
    skipped: list[results.Skipped] = []
    total = len(sources)
    for done, source in enumerate(sources, start=1):
        if limits.expired():
            skipped += [
                results.Skipped(
                    side=label,
                    path=s.path,
                    reason=SkipReason.TIME_BUDGET,
                    detail=limits.budget_detail(options),
                )
                for s in sources[done - 1 :]
            ]
            break
        file = read(source)
        skip = token_cap_skip(file, label, options)
        if skip is None:
            files.append(file)
        else:
            skipped.append(skip)
        report_progress(progress, f"reading {label}", done, total)
    return files, skipped


def discover_code(path: str | Path, options: Options) -> Discovery:
    """``sources.discover`` with every registered language.

    A file whose language's grammar is not installed is moved to ``skipped``
    (``missing_grammar``, the detail naming the extra that installs it), so nothing is lost
    silently; a file named on its own raises ``LanguageError`` instead, since it is all there
    was to compare.  A file whose extension two languages may use is read as the one that
    parses it (``normalize.language_of``: a C++ header named ``.h``), so that it pairs with
    the files of its own language.
    """
    discovery = discover(Path(path), options, extension_map(), shebang_map())
    installed: dict[str, bool] = {}
    files: list[SourceFile] = []
    missing: list[SkippedFile] = []
    for source in discovery.files:
        language = get_language(source.language)
        if source.language not in installed:
            installed[source.language] = language.grammar_installed()
        if installed[source.language]:
            if language.dialects:
                dialect = language_of(source.data, language, source.path)
                if dialect is not language:
                    source = replace(source, language=dialect.id)
            files.append(source)
        elif Path(path).is_file():
            raise LanguageError(f"cannot compare {path}: {language.missing_grammar()}")
        else:
            missing.append(
                SkippedFile(source.path, SkipReason.MISSING_GRAMMAR, language.missing_grammar())
            )
    if not missing:
        return replace(discovery, files=files)
    skipped = sorted([*discovery.skipped, *missing], key=lambda s: s.path)
    return replace(discovery, files=files, skipped=skipped)


def normalize_file(
    source: SourceFile,
    options: Options,
    *,
    units: bool = False,
    unit_fingerprints: bool = True,
    graph: bool = False,
    folded_graph: bool = False,
) -> NormalizedFile:
    """Normalize, split into units and fingerprint one file (with ``units``, each unit as an
    index does, its winnowed fingerprints left out without ``unit_fingerprints``; with
    ``graph``, what the repo graph needs; ``folded_graph``: the graph an
    index's stored files give, to be aligned with one: the units as folding keeps them and
    what contains what, no calls, imports, bases or signatures)."""
    language = get_language(source.language)
    found: list[ImportRef] = []
    if graph and not folded_graph:
        raw, found = normalize_with_imports(source.data, language, source.path)
    else:
        raw = normalize(source.data, language, source.path)
    stream = fold_small_units(raw, options.kgram_size)
    lines = LineIndex.of(source.data)
    prepared = prepared_file(source.path, source.language, stream, lines, options)
    if source.cells is not None:
        prepared = replace(prepared, cells=source.cells)
    if not (units or graph):
        return prepared
    kgrams = unit_kgrams(stream, options.kgram_size, prepared.stream.hashes)
    unit_signatures = signatures(kgrams)
    # A graph needs the signatures only; the per-unit fingerprints serve an index.
    prints = (
        UnitPrints(
            unit_signatures,
            units_fingerprints(kgrams, options.window_size) if unit_fingerprints else None,
        )
        if units
        else None
    )
    facts = None
    if graph:
        facts = (
            stream_facts(source.path, stream, lines)
            if folded_graph
            else graph_facts(source, raw, stream, unit_signatures, lines, found)
        )
    return replace(prepared, units=prints, graph=facts)


def graph_facts(
    source: SourceFile,
    raw: TokenStream,
    folded: TokenStream,
    unit_signatures: SignatureArray,
    lines: LineIndex,
    imported: list[ImportRef],
) -> FileFacts:
    """The graph's view of one file: every unit of ``raw`` (normally the unfolded stream: a
    helper too small to be fingerprinted is still a function others call), with the MinHash
    row of the units folding kept."""
    from codesim.graph.facts import FileFacts, UnitFacts, unit_references

    rows = {(u.start_byte, u.end_byte): row for row, u in enumerate(folded.units)}
    calls, bases = unit_references(raw, source.data, _definition_symbols(source.language))
    units = []
    for index, (unit, span) in enumerate(zip(raw.units, _unit_lines(raw, lines), strict=True)):
        row = rows.get((unit.start_byte, unit.end_byte))
        units.append(
            UnitFacts(
                name=unit.name,
                kind=unit.kind,
                parent=unit.parent,
                lines=span,
                tokens=unit.tokens,
                signature=None if row is None else unit_signatures[row],
                calls=tuple(calls[index]),
                bases=tuple(bases[index]),
            )
        )
    return FileFacts(source.path, units, imported, np.asarray(raw.owners, dtype=np.int32))


def stream_facts(path: str, stream: TokenStream, lines: LineIndex) -> FileFacts:
    """The graph's view of a file known only by its (folded) stream, as an index stores it:
    its units and what contains what; no calls, bases, imports or signatures, which need
    the source."""
    from codesim.graph.facts import FileFacts, UnitFacts

    units = [
        UnitFacts(unit.name, unit.kind, unit.parent, span, unit.tokens, None, (), ())
        for unit, span in zip(stream.units, _unit_lines(stream, lines), strict=True)
    ]
    return FileFacts(path, units, [], np.asarray(stream.owners, dtype=np.int32))


def _unit_lines(stream: TokenStream, lines: LineIndex) -> list[tuple[int, int]]:
    """First and last line of each unit; the last holds the unit's last byte (ends are
    exclusive)."""
    starts = np.array([u.start_byte for u in stream.units], dtype=np.int64)
    ends = np.array([max(u.start_byte, u.end_byte - 1) for u in stream.units], dtype=np.int64)
    first_lines, _ = lines.positions(starts)
    last_lines, _ = lines.positions(ends)
    return list(zip(first_lines, last_lines, strict=True))


def prepared_file(
    path: str,
    language: str,
    stream: TokenStream,
    lines: LineIndex,
    options: Options,
) -> NormalizedFile:
    """Fingerprint a normalized (and folded) stream for alignment."""
    prints = fingerprint(stream.symbols, options.kgram_size, options.window_size)
    starts = np.asarray(stream.start_bytes, dtype=np.int64)
    placeholders = _positions(prints.hashes, _ROLES)
    literals = _positions(prints.hashes, _literal_symbols(language))
    definitions = _positions(prints.hashes, _definition_symbols(language))
    # A placeholder's symbol is its role; every other token has none.  Set at the
    # placeholders only (the N = 400 corpus of ``cross``: 13 -> 4 ms, against a dictionary
    # lookup per token).
    symbols = stream.symbols
    roles = [""] * len(symbols)
    for position in placeholders.tolist():
        roles[position] = symbols[position]
    return NormalizedFile(
        path=path,
        stream=Stream(
            prints.hashes,
            kgram_table(prints.kgrams),
            roles,
            stream.texts,
            placeholders,
            literals,
            stream.scopes,
            definitions,
        ),
        selected=prints.selected,
        start_bytes=starts,
        end_bytes=np.asarray(stream.end_bytes, dtype=np.int64),
        lines=lines,
        error_count=stream.error_count,
        error_bytes=stream.error_bytes,
        language=language,
    )


@cache
def _literal_symbols(language_id: str) -> frozenset[str]:
    return frozenset(get_language(language_id).literals.values())


def _positions(hashes: HashArray, symbols: frozenset[str]) -> npt.NDArray[np.int64]:
    """Where a stream's symbol ``hashes`` are one of ``symbols``, ascending: found on the
    hashes in bulk, not symbol by symbol."""
    return np.flatnonzero(in_sorted(hashes, _hashes_of(symbols)))


@cache
def _hashes_of(symbols: frozenset[str]) -> npt.NDArray[np.uint64]:
    return np.array(sorted(symbol_hash(s) for s in symbols), dtype=np.uint64)


@cache
def _definition_symbols(language_id: str) -> frozenset[str]:
    return frozenset(get_language(language_id).units)


def repo_graph(side: SideData) -> RepoGraph:
    """The graph of a side read with ``graph=True`` (see ``codesim.graph.build``).

    When the side's root folder is a package itself, its name heads every module path, as
    the package's own absolute imports spell them.
    """
    # networkx takes about 0.09 s to import (measured): only graph work should pay it.
    from codesim.graph.build import build_graph

    facts = [f.graph for f in side.files if f.graph is not None]
    root = Path(side.root)
    package = root.name if any(f.path == "__init__.py" for f in facts) else ""
    return build_graph(facts, package)


@dataclass(frozen=True, slots=True)
class SidePostings:
    """A side's files as candidate search joins them: per language, the positions of the
    files that have fingerprints, and those files' postings (document ``d`` being the file
    at ``positions[d]``).  Built once per side, joined with many others."""

    languages: dict[str, tuple[npt.NDArray[np.int64], Postings]]


def side_postings(files: Sequence[NormalizedFile]) -> SidePostings:
    """The postings of ``files`` for ``indexed_candidate_pairs``."""
    grouped: dict[str, list[int]] = {}
    for position, item in enumerate(files):
        if len(item.selected):
            grouped.setdefault(item.language, []).append(position)
    return SidePostings(
        {
            language: (
                np.array(positions, dtype=np.int64),
                postings([files[p].selected for p in positions]),
            )
            for language, positions in grouped.items()
        }
    )


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
        skipped=left.skipped + right.skipped,
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


def side_warnings(side: SideData) -> list[str]:
    """What a report should say about a side beyond its skipped files."""
    warnings = []
    if side.ignored:
        warnings.append(f"{side.label}: {side.ignored} files or folders of other kinds ignored")
    return warnings


def require_files(side: SideData) -> None:
    """Raise ``InputError`` when a side holds nothing to compare."""
    if not side.files:
        known = ", ".join(sorted(extension_map()))
        reason = f" ({len(side.skipped)} skipped)" if side.skipped else ""
        raise InputError(
            f"no source files to compare under {side.root}{reason}; known extensions: {known}"
        )
