"""The public Python API: ``compare``, ``cross`` and the ``Index`` of projects."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from codesim import compiled
from codesim.errors import IndexBackendError, IndexMissingError, OptionsError
from codesim.pipeline import limits
from codesim.pipeline.forking import default_workers, prestart

if TYPE_CHECKING:
    from codesim.index.store import Store
    from codesim.options import Options
    from codesim.pipeline import indexing
    from codesim.pipeline.forking import Guessed
    from codesim.pipeline.streams import ProgressCallback
    from codesim.results import (
        AddResult,
        CheckReport,
        CrossReport,
        IndexStats,
        PairResult,
        Project,
        Report,
        Side,
        Submission,
    )
    from codesim.sources.remote import ResolvedInput

    _Resolve = Callable[[str | os.PathLike[str], str | None], ResolvedInput]

# The options (pydantic), the stages, the report models and what only ``Index`` and comparing
# two folders use (the index's stores and ingest, the artifacts) are imported where they are
# used.  This module imports nothing heavy: the command line starts ``cross``'s reading
# process before importing them (``prestart_cross``), ``cross`` starts reading before
# importing them (``pipeline.submissions``), and ``cross`` and ``compare`` of two files start
# without the stores, ingest and artifacts (the command line's import with these modules
# stubbed out: 231 -> 225 ms, medians of 15 runs).


def compiled_parts() -> str:
    """Which of codesim's parts run compiled in this process (``codesim --version``):
    ``"compiled: walk, resolve, ..."``, with why the walk does not when it does not, or
    ``"pure Python (why)"`` when none does."""
    from codesim.normalize import compiled_walk

    if compiled.PURE_PYTHON:
        return "pure Python (CODESIM_PURE_PYTHON=1)"
    names = [part.rpartition("._")[2] for part in compiled.PARTS[1:] if compiled.load(part)]
    if compiled_walk.available():
        names.insert(0, "walk")
    reason = compiled_walk.unavailable_reason()
    if not names:
        return f"pure Python ({reason})"
    return f"compiled: {', '.join(names)}" + (f"; {reason}" if reason else "")


def prestart_cross(paths: Sequence[str] = ()) -> None:
    """Get ``cross``'s first reading process ready, for a command line that is about to run
    ``cross`` and has not imported the rest of it yet: it is forked now and imports what
    reading needs while the caller goes on; the next ``cross`` in this process sends it the
    submissions (``forking.prestart``, ``pipeline.submissions``).  Does nothing where the
    process cannot fork or has one core.

    ``paths`` are the paths the command line seems to be given, if it can tell: until the
    process is sent its submissions it reads those of ``paths`` with the default options,
    and keeps what turns out to be its own (``submissions.guessed_reading``)."""
    prestart(_CROSS_WARM_UP, partial(_guessed_cross, tuple(paths)) if paths else None)


_CROSS_WARM_UP = "codesim.pipeline.streams:warm_up"
"""What a process that will read ``cross``'s submissions imports and calls first."""


def _guessed_cross(paths: tuple[str, ...]) -> Guessed | None:
    # Called in the prestarted process, which imports this module when it needs it.
    from codesim.pipeline.submissions import guessed_reading

    return guessed_reading(paths)


_Sourced = TypeVar("_Sourced", "Side", "Submission")


def compare(
    left: str | os.PathLike[str],
    right: str | os.PathLike[str],
    *,
    base: str | os.PathLike[str] | None = None,
    options: Options | None = None,
    progress: ProgressCallback | None = None,
    align: bool = True,
    rev: str | None = None,
) -> Report:
    """Compare two files or folders: is ``right`` derived from ``left``?

    Returns a ``Report`` whose ``score`` is the share of the smaller side's canonical tokens
    found in the other side, with the matched file pairs, their fragments and the identifier
    map.  Files that cannot be compared are listed in ``Report.skipped``.

    ``base`` names template code (a course skeleton, a project template, generated code)
    that both sides may share legitimately: code matching it is left out of every score.

    Two folders are also aligned as repos (``Report.alignment``: which unit became which,
    files moved, merged or split, and with git history which side had the code first);
    ``align=False`` skips that and scores the folders file pair by file pair.  The configs,
    tokenizers, checkpoints and prediction files two folders hold are compared too
    (``Report.artifacts``); two such artifacts given directly are compared as what they are,
    and the report's score is theirs.

    Either side may also be a git URL (``https://``, ``ssh://``, ``git@host:path``,
    ``file://``; ``URL@rev`` for a revision), a local bare repository or a ``.zip`` /
    ``.tar.*`` archive: it is fetched or extracted into the cache (``CODESIM_CACHE``) and
    the report's side records the URL, commit and date.  ``rev`` applies to each side that
    is a git URL or repository.

    Raises ``InputError`` when a path does not exist or holds no source file, or a URL
    cannot be fetched.
    """
    from codesim.options import Options
    from codesim.sources.remote import deepen, is_git_source

    options = options or Options()
    sides = (os.fspath(left), os.fspath(right))
    revs: tuple[str | None, str | None] = (None, None)
    if rev is not None:
        revs = (
            rev if is_git_source(sides[0]) else None,
            rev if is_git_source(sides[1]) else None,
        )
        if revs == (None, None):
            raise OptionsError(f"a revision (--rev {rev}) needs a git URL or repository")
    with _collector_paused(), limits.time_budget(options.time_budget), _inputs() as resolve:
        found_left, found_right = resolve(sides[0], revs[0]), resolve(sides[1], revs[1])
        if options.history and align:
            # Which side had the code first needs the history a one-commit clone lacks.
            for found in (found_left, found_right):
                deepen(found)
        found_base = None if base is None else resolve(base, None).path
        report = _compare(found_left.path, found_right.path, found_base, options, progress, align)
        return report.model_copy(
            update={
                "left": _with_source(report.left, found_left),
                "right": _with_source(report.right, found_right),
            }
        )


@contextmanager
def _inputs() -> Iterator[_Resolve]:
    """Resolves inputs (git URLs, archives, paths) for one call and releases their cache
    entries when it ends."""
    from codesim.sources.remote import cache_root, resolve_input

    cache = cache_root()
    with ExitStack() as stack:

        def resolve(text: str | os.PathLike[str], rev: str | None) -> ResolvedInput:
            found = resolve_input(os.fspath(text), rev, cache)
            stack.callback(found.cleanup)
            return found

        yield resolve


def _with_source(model: _Sourced, found: ResolvedInput) -> _Sourced:
    if found.url is None:
        return model
    return model.model_copy(update={"url": found.url, "commit": found.commit, "date": found.date})


def _compare(
    left: str | os.PathLike[str],
    right: str | os.PathLike[str],
    base: str | os.PathLike[str] | None,
    options: Options,
    progress: ProgressCallback | None,
    align: bool,
) -> Report:
    from codesim.pipeline import comparing, reading
    from codesim.pipeline.artifacts import artifact_inputs, artifact_report, repo_artifacts

    kind = artifact_inputs(Path(left), Path(right))
    if kind is not None:
        return artifact_report(Path(left), Path(right), kind, options)
    folders = Path(left).is_dir() and Path(right).is_dir()
    # Two folders are compared as repos too: aligned unit by unit as graphs.
    repos = align and folders
    left_side = reading.read_side(os.fspath(left), "left", options, progress, graph=repos)
    reading.require_files(left_side)
    right_side = reading.read_side(os.fspath(right), "right", options, progress, graph=repos)
    reading.require_files(right_side)
    base_side = None
    if base is not None:
        base_side = reading.read_side(os.fspath(base), "base", options, progress)
        reading.require_files(base_side)
    report = comparing.compare_sides(left_side, right_side, options, progress, base_side)
    if not folders:
        return report
    if progress is not None:
        progress("comparing configs, tokenizers, checkpoints and predictions", 0, 0)
    found, warnings = repo_artifacts(Path(left), Path(right), options)
    return report.model_copy(update={"artifacts": found, "warnings": report.warnings + warnings})


def cross(
    paths: Sequence[str | os.PathLike[str]],
    *,
    base: str | os.PathLike[str] | None = None,
    options: Options | None = None,
    progress: ProgressCallback | None = None,
    workers: int | None = None,
) -> CrossReport:
    """Compare many submissions with each other: which of them share code?

    Each path is a submission (a file or folder); one folder alone holds the submissions, one
    per entry.  Candidate pairs come from shared fingerprints and LSH buckets, never from
    trying every pair.  Code held by many submissions (``shared_threshold``: a template,
    generated files, idioms) and code matching ``base`` is left out of every score and
    listed in ``CrossReport.shared``; pairs scoring at least ``options.min_score`` (by
    default ``CROSS_MIN_SCORE``) are reported and linked into clusters.

    Submissions are read and pairs aligned in ``workers`` processes (default: one per core).
    A path may also be a git URL (``URL@rev``) or an archive, as for ``compare``; the
    submission keeps the name it was given, with its URL, commit and date.

    Raises ``InputError`` when a path does not exist or there are fewer than two
    submissions.
    """
    from codesim.options import CROSS_MIN_SCORE, Options

    options = options or Options(min_score=CROSS_MIN_SCORE)
    workers = workers or default_workers()
    with _collector_paused(), limits.time_budget(options.time_budget), _inputs() as resolve:
        base_path = None if base is None else os.fspath(resolve(base, None).path)
        given = [os.fspath(p) for p in paths]
        found = [resolve(text, None) for text in given]
        from codesim.pipeline.submissions import start_reading, submissions_of

        submissions = submissions_of([str(f.path) for f in found])
        with start_reading(submissions, options, workers) as started:
            # Imported once the children are reading: see ``pipeline.submissions``.
            from codesim.pipeline import reading
            from codesim.pipeline.cross import cross_submissions

            base_side = None
            if base_path is not None:
                base_side = reading.read_side(base_path, "base", options, progress)
                reading.require_files(base_side)
            report = cross_submissions(submissions, started, options, base_side, progress, workers)
        fetched = {str(f.path): (text, f) for text, f in zip(given, found, strict=True) if f.url}
        return _named_as_given(report, fetched) if fetched else report


def _named_as_given(
    report: CrossReport, fetched: dict[str, tuple[str, ResolvedInput]]
) -> CrossReport:
    """Submissions fetched into the cache are named by the URL or archive given, not by
    their folder in the cache, wherever the report names them or their files."""

    def name(label: str) -> str:
        for folder, (text, _) in fetched.items():
            if label == folder or label.startswith(folder + "/"):
                return text + label[len(folder) :]
        return label

    def pair(found: PairResult) -> PairResult:
        return found.model_copy(update={"left": name(found.left), "right": name(found.right)})

    return report.model_copy(
        update={
            "submissions": [
                _with_source(s, fetched[s.name][1]).model_copy(update={"name": name(s.name)})
                if s.name in fetched
                else s
                for s in report.submissions
            ],
            "pairs": [
                p.model_copy(
                    update={
                        "left": name(p.left),
                        "right": name(p.right),
                        "pairs": [pair(f) for f in p.pairs],
                    }
                )
                for p in report.pairs
            ],
            "clusters": [
                c.model_copy(update={"members": [name(m) for m in c.members]})
                for c in report.clusters
            ],
            "shared": [
                s.model_copy(update={"submission": name(s.submission)}) for s in report.shared
            ],
            "skipped": [s.model_copy(update={"path": name(s.path)}) for s in report.skipped],
        }
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one call.

    The pipeline allocates millions of short-lived containers and makes almost no reference
    cycles (a few hundred objects in a 66,000-line comparison), so the collector's repeated
    passes over everything alive cost 5-10% of a comparison and free nothing; reference
    counting frees the rest as usual.  The previous state is restored on the way out.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Index:
    """A persistent index of projects: an SQLite file, or a Redis server for scale-out.

    Open it with ``Index.open(path)`` or ``Index.open("redis://host:port/db")``; use it as a
    context manager, or call ``close()``.  ``add`` stores a project (replacing one of the same
    name and version, atomically), ``query`` checks code against every stored project.
    """

    def __init__(self, store: Store, location: str) -> None:
        self._store = store
        self._location = location
        self._workers: indexing.Workers | None = None

    @classmethod
    def open(
        cls,
        location: str | os.PathLike[str],
        *,
        create: bool = True,
        options: Options | None = None,
    ) -> Index:
        """Open (or, with ``create``, create) the index at ``location``: a file path or a
        ``redis://`` URL.  A new index fingerprints with ``options``' k-gram and window sizes;
        an existing one keeps its own.  Raises ``IndexMissingError`` when there is no index and
        ``create`` is false, ``IndexFormatError`` for a file that is not a codesim index,
        ``IndexBackendError`` when the backend cannot be reached."""
        from codesim.index.records import IndexSettings
        from codesim.index.sqlite import SqliteStore

        text = os.fspath(location)
        opener: Callable[..., Store] = SqliteStore.open
        if text.startswith(_REDIS_SCHEMES):
            try:
                from codesim.index.redis_store import RedisStore
            except ImportError as exc:
                raise IndexBackendError(
                    "a Redis index needs the redis package: pip install 'codesim[redis]'"
                ) from exc
            opener = RedisStore.open
        try:
            # The backends refuse settings that differ from an existing index's: they are
            # only this call's choice for a new one.
            return cls(opener(text, create=False), text)
        except IndexMissingError:
            if not create:
                raise
        from codesim.options import Options

        options = options or Options()
        settings = IndexSettings(options.kgram_size, options.window_size)
        return cls(opener(text, settings=settings, create=True), text)

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the index and its worker processes; it must not be used afterwards."""
        if self._workers is not None:
            self._workers.close()
        self._store.close()

    @property
    def location(self) -> str:
        """The path or URL the index was opened from."""
        return self._location

    def add(
        self,
        path: str | os.PathLike[str],
        *,
        name: str,
        version: str,
        license: str | None = None,
        url: str | None = None,
        options: Options | None = None,
        workers: int | None = None,
        progress: ProgressCallback | None = None,
        rev: str | None = None,
    ) -> AddResult:
        """Store the code under ``path`` (a folder or a file) as project ``name`` ``version``.

        ``path`` may also be a git URL at revision ``rev`` (or ``URL@rev``), a local
        repository at ``rev``, or an archive, as for ``compare``; its URL is the project's
        ``url`` unless one is given.  The git commit is recorded when the code is a git
        checkout.  Files are normalized in ``workers`` processes (default: one per core), kept
        until ``close`` for the next add.  The project appears in the index all at once when
        the add completes; an interrupted add leaves the index as it was.
        """
        from codesim.index.records import ProjectMeta
        from codesim.options import Options
        from codesim.pipeline import indexing

        if not name or not version:
            raise OptionsError("a project needs a name and a version")
        with _collector_paused(), _inputs() as resolve:
            found = resolve(path, rev)
            added = indexing.add_project(
                self._store,
                found.path,
                ProjectMeta(name, version, license, url or found.url, found.commit),
                options or Options(),
                self._ingest_workers(workers or default_workers()),
                progress,
            )
        if found.date is None:
            return added
        project = added.project.model_copy(update={"date": found.date})
        return added.model_copy(update={"project": project})

    def _ingest_workers(self, count: int) -> indexing.Workers:
        from codesim.pipeline import indexing

        # Kept across adds: an ingest of many projects forks its workers once.
        if self._workers is None or self._workers.count != count:
            if self._workers is not None:
                self._workers.close()
            self._workers = indexing.Workers(count)
        return self._workers

    def query(
        self,
        path: str | os.PathLike[str],
        *,
        top: int = 10,
        base: str | os.PathLike[str] | None = None,
        options: Options | None = None,
        progress: ProgressCallback | None = None,
        align: bool = True,
        rev: str | None = None,
    ) -> CheckReport:
        """Which stored projects does the code under ``path`` contain code from?

        Returns a ``CheckReport`` with the ``top`` projects best first, each with the share of
        the checked code it matches and the matched file pairs.  ``base`` names template code
        to leave out, as for ``compare``.  With ``align``, each hit of ``partial`` or more also
        aligns the checked code with the project's matched files unit by unit
        (``Hit.alignment``).  ``path`` may be a git URL or repository at ``rev``, or an
        archive, as for ``compare``.
        """
        from codesim.options import Options
        from codesim.pipeline import indexing, reading
        from codesim.pipeline.parallel import read_side_split

        if top < 1:
            raise OptionsError("top must be at least 1")
        settings = self._store.settings
        options = (options or Options()).model_copy(
            update={"kgram_size": settings.kgram_size, "window_size": settings.window_size}
        )
        with _collector_paused(), limits.time_budget(options.time_budget), _inputs() as resolve:
            found = resolve(path, rev)
            # Stored files keep only folded units and what contains what: the checked side's
            # graph is made the same way, or a class would be compared with its small methods
            # folded on one side only, and calls and imports could never be preserved.
            checked = read_side_split(
                os.fspath(found.path),
                "checked",
                options,
                progress,
                workers=default_workers(),
                units=True,
                graph=align,
                folded_graph=True,
            )
            reading.require_files(checked)
            base_side = None
            if base is not None:
                base_path = os.fspath(resolve(base, None).path)
                base_side = reading.read_side(base_path, "base", options, progress)
                reading.require_files(base_side)
            report = indexing.check_side(
                checked,
                self._store,
                self._location,
                options,
                top=top,
                base=base_side,
                progress=progress,
                root=Path(found.path),
            )
            return report.model_copy(update={"checked": _with_source(report.checked, found)})

    def remove(self, name: str, version: str) -> bool:
        """Remove a project; ``False`` if there is none of that name and version."""
        return self._store.remove(name, version)

    def projects(self) -> list[Project]:
        """The stored projects, by name then version."""
        from codesim.pipeline import indexing

        return [indexing.project_of(meta) for meta in self._store.projects()]

    def stats(self) -> IndexStats:
        """What the index holds and its size."""
        from codesim.results import IndexStats

        stats = self._store.stats()
        return IndexStats(
            location=self._location,
            projects=stats.projects,
            files=stats.files,
            units=stats.units,
            fingerprints=stats.fingerprints,
            bytes=stats.bytes,
        )


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
