"""Reading's first half: find a side's files and normalize each into its folded token stream
(``stream_side``), and the run's limits on reading; no numpy.

``reading`` fingerprints what this makes (``reading.fingerprinted``).  ``cross``'s prestarted
reading process stops here: imported without numpy and the fingerprinting stages, it is
ready about 50 ms sooner and spends about that much less CPU, and this process fingerprints
what it sends (``forking.share``'s ``light``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from codesim.errors import LanguageError, SkipReason
from codesim.languages import extension_map, get_language, shebang_map
from codesim.normalize import language_of, normalize
from codesim.pipeline import limits
from codesim.read_options import ReadingOptions
from codesim.sources.model import Discovery, SkippedFile, SourceFile
from codesim.sources.walk import discover
from codesim.tokens import TokenStream
from codesim.units import fold_small_units

ProgressCallback = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as long work advances; ``total`` 0 if unknown."""

Label = Literal["left", "right", "base", "checked", "indexed", "submission"]

_PROGRESS_EVERY = 16


class Sized(Protocol):
    """A file read as far as its token count (``token_cap_skip``)."""

    @property
    def path(self) -> str: ...

    @property
    def tokens(self) -> int: ...


_Read = TypeVar("_Read", bound=Sized)


@dataclass(frozen=True, slots=True)
class StreamedFile:
    """A source file normalized and folded into units, not yet fingerprinted."""

    source: SourceFile
    stream: TokenStream

    @property
    def path(self) -> str:
        return self.source.path

    @property
    def tokens(self) -> int:
        return len(self.stream)


@dataclass(frozen=True, slots=True)
class StreamedSide:
    """A side read as far as its files' streams (``reading.SideData`` once fingerprinted)."""

    label: Label
    root: str
    files: list[StreamedFile]
    skipped: list[SkippedFile]
    ignored: int


def report_progress(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    """Tell ``progress`` that ``done`` of ``total`` items are done, every ``_PROGRESS_EVERY``
    items and at the last: a progress bar needs no more, and a call per item would cost."""
    if progress is not None and (done % _PROGRESS_EVERY == 0 or done == total):
        progress(stage, done, total)


def stream_side(
    path: str | Path,
    label: Label,
    options: ReadingOptions,
    progress: ProgressCallback | None = None,
) -> StreamedSide:
    """The files of ``path`` (``discover_code``), each normalized and folded, within the run's
    limits (``read_within_limits``)."""
    discovery = discover_code(path, options)
    files, limited = read_within_limits(
        discovery.files, lambda source: streamed_file(source, options), label, options, progress
    )
    return StreamedSide(label, str(path), files, [*discovery.skipped, *limited], discovery.ignored)


def streamed_file(source: SourceFile, options: ReadingOptions) -> StreamedFile:
    """``source`` normalized and its units folded (``units.fold_small_units``)."""
    raw = normalize(source.data, get_language(source.language), source.path)
    return StreamedFile(source, fold_small_units(raw, options.kgram_size))


def warm_up() -> None:
    """Make what reading the first Python file makes on first use (the grammar's tables, the
    compiled walker and its parser, what the stages cache), on a snippet.

    ``cross``'s prestarted reading process does this while it waits for its submissions,
    when it has none to guess: the first file read cold took 15 ms longer than read again,
    9-11 ms of it made here (three runs).
    """
    normalize(b"def f(a):\n    return a + 1\n", get_language("python"))


def token_cap_skip(file: Sized, options: ReadingOptions) -> SkippedFile | None:
    """The skip record of a file over the token cap (``max_file_tokens``), else None."""
    over = limits.token_cap_detail(file.tokens, options)
    if over is None:
        return None
    return SkippedFile(file.path, SkipReason.TOO_LARGE, over)


def read_within_limits(
    sources: Sequence[SourceFile],
    read: Callable[[SourceFile], _Read],
    label: Label,
    options: ReadingOptions,
    progress: ProgressCallback | None = None,
) -> tuple[list[_Read], list[SkippedFile]]:
    """Each source ``read``, and the files the run's limits left out: those over the token
    cap as ``too_large``, and once the time budget has run out every one not yet read, as
    ``time_budget`` (``pipeline.limits``)."""
    files: list[_Read] = []
    skipped: list[SkippedFile] = []
    total = len(sources)
    for done, source in enumerate(sources, start=1):
        if limits.expired():
            detail = limits.budget_detail(options)
            skipped += [
                SkippedFile(s.path, SkipReason.TIME_BUDGET, detail) for s in sources[done - 1 :]
            ]
            break
        file = read(source)
        skip = token_cap_skip(file, options)
        if skip is None:
            files.append(file)
        else:
            skipped.append(skip)
        report_progress(progress, f"reading {label}", done, total)
    return files, skipped


def discover_code(path: str | Path, options: ReadingOptions) -> Discovery:
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
