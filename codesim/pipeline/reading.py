"""Reading one side of a comparison: discover its files, then normalize, fold into units and
fingerprint each (``read_side``), as plain data (``SideData``, ``NormalizedFile``) for the
stages after it.

sources -> normalize -> units -> fingerprint: each stage is a plain function over plain data,
wired here; ``comparing`` takes the sides on to candidates, alignment and the report models.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from codesim.align import (
    Stream,
    kgram_table,
    source_order_rank,
)
from codesim.errors import InputError
from codesim.fingerprint import HashArray, fingerprint, in_sorted, symbol_hash
from codesim.index.exact import Postings, postings
from codesim.index.lines import LineIndex
from codesim.index.minhash import SignatureArray, signatures
from codesim.index.prepare import unit_kgrams, units_fingerprints
from codesim.languages import extension_map, get_language
from codesim.normalize import normalize_with_imports
from codesim.pipeline.streams import (
    Label,
    ProgressCallback,
    StreamedFile,
    StreamedSide,
    discover_code,
    read_within_limits,
    streamed_file,
)
from codesim.read_options import ReadingOptions
from codesim.sources.model import SkippedFile, SourceFile
from codesim.sources.notebooks import CodeCell
from codesim.tokens import ImportRef, Role, TokenStream
from codesim.units import fold_small_units

if TYPE_CHECKING:
    from codesim.graph.build import RepoGraph
    from codesim.graph.facts import FileFacts

# What only a repo's graph uses (``codesim.graph``'s facts, ``repos``' alignment, git history)
# is imported where it is used: ``cross`` starts without it.

_ROLES = frozenset(role.value for role in Role)


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

    label: Label
    root: str
    files: list[NormalizedFile]
    skipped: list[SkippedFile]
    """Files left out, as ``sources`` and the run's limits left them (the report's
    ``Skipped`` adds the side: ``comparing.skipped_of``)."""
    ignored: int


def read_side(
    path: str | Path,
    label: Label,
    options: ReadingOptions,
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
    discovery = discover_code(path, options)

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
    return SideData(label, str(path), files, [*discovery.skipped, *limited], discovery.ignored)


def normalize_file(
    source: SourceFile,
    options: ReadingOptions,
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
    found: list[ImportRef] = []
    raw = None
    if graph and not folded_graph:
        raw, found = normalize_with_imports(source.data, get_language(source.language), source.path)
        streamed = StreamedFile(source, fold_small_units(raw, options.kgram_size))
    else:
        streamed = streamed_file(source, options)
    file, unit_signatures = fingerprinted(
        streamed, options, units=units, unit_fingerprints=unit_fingerprints, signed=graph
    )
    if not graph:
        return file
    if raw is None:
        facts = stream_facts(source.path, streamed.stream, file.lines)
    else:
        assert unit_signatures is not None, "a graph's file is signed"
        facts = graph_facts(source, raw, streamed.stream, unit_signatures, file.lines, found)
    return replace(file, graph=facts)


def fingerprinted(
    streamed: StreamedFile,
    options: ReadingOptions,
    *,
    units: bool = False,
    unit_fingerprints: bool = True,
    signed: bool = False,
) -> tuple[NormalizedFile, SignatureArray | None]:
    """A normalized file fingerprinted (``normalize_file``'s second half), and with ``units``
    or ``signed`` its units' MinHash signatures."""
    source, stream = streamed.source, streamed.stream
    lines = LineIndex.of(source.data)
    prepared = prepared_file(source.path, source.language, stream, lines, options)
    if source.cells is not None:
        prepared = replace(prepared, cells=source.cells)
    if not (units or signed):
        return prepared, None
    kgrams = unit_kgrams(stream, options.kgram_size, prepared.stream.hashes)
    unit_signatures = signatures(kgrams)
    if not units:
        return prepared, unit_signatures
    # A graph needs the signatures only; the per-unit fingerprints serve an index.
    fingerprints = units_fingerprints(kgrams, options.window_size) if unit_fingerprints else None
    return replace(prepared, units=UnitPrints(unit_signatures, fingerprints)), unit_signatures


def fingerprinted_side(
    streamed: StreamedSide, options: ReadingOptions, *, units: bool = False
) -> SideData:
    """A side read as far as its streams (``streams.stream_side``), fingerprinted: what
    ``read_side`` gives, with ``units`` signed only (``unit_fingerprints=False``)."""
    files = [
        fingerprinted(file, options, units=units, unit_fingerprints=False)[0]
        for file in streamed.files
    ]
    return SideData(streamed.label, streamed.root, files, streamed.skipped, streamed.ignored)


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
    options: ReadingOptions,
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
