"""The submissions of a ``cross`` run: which they are, how many must hold code for it to be
shared, and their reading, started before the rest of ``cross`` is imported.

This module is light on purpose (no numpy, no stages): ``api.cross`` starts the reading here
(``start_reading``) as soon as it knows the submissions, and only then imports
``pipeline.cross`` and what it needs.  The command line has forked the first reading child
before importing anything heavy (``forking.prestart``), so that child reads while this
process imports: ``cross`` at N = 100 spent about 0.2 s importing before it read anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from codesim.errors import InputError
from codesim.pipeline import limits
from codesim.pipeline.forking import Shared, share, sharing
from codesim.read_options import ReadOptions

if TYPE_CHECKING:
    from codesim.pipeline.cross_reading import Loaded
    from codesim.pipeline.forking import Guessed
    from codesim.pipeline.streams import StreamedSide
    from codesim.read_options import ReadingOptions

SHARED_SHARE = 0.5
SHARED_MANY = 10
SHARED_MIN = 3
"""A fingerprint is shared code when at least ``shared_threshold`` submissions hold it: most of
them (``SHARED_SHARE``), but never more than ``SHARED_MANY`` (MOSS's default for the same
rule: code in ten submissions is a template or an idiom, whatever the class size) and never
fewer than ``SHARED_MIN`` (two submissions sharing code is what is looked for)."""

_READ_BATCH = 16
"""Submissions a reading child sends back at a time, pickled (at N = 400 the child's pickling
took 0.029 s and this process's unpickling 0.022 s, timed in a run): with ``map_shared``,
8, 16 and 32 came out alike (medians of 10 interleaved runs within 1%); with the pool it
replaced, 16 was about 7% faster than 4."""

Job = tuple[Path, ReadOptions, float | None]
"""A submission to read: its path, what reading needs of the options (plain data: the process
reading it need not import pydantic) and the time budget's deadline (``limits.deadline``),
which a prestarted process does not inherit."""


def shared_threshold(submissions: int) -> int:
    """How many submissions must hold a fingerprint for it to be shared code."""
    return min(SHARED_MANY, max(SHARED_MIN, math.ceil(SHARED_SHARE * submissions)))


def submissions_of(paths: Sequence[str | Path]) -> list[tuple[str, Path]]:
    """``(name, path)`` of each submission: every path given, or, for one folder, each of its
    entries (subfolders and source files; hidden ones left out)."""
    if not paths:
        raise InputError("cross needs submissions: several paths, or one folder holding them")
    found: list[tuple[str, Path]]
    if len(paths) == 1 and Path(paths[0]).is_dir():
        root = Path(paths[0])
        found = [
            (entry.name, entry)
            for entry in sorted(root.iterdir())
            if not entry.name.startswith(".") and not entry.is_symlink()
        ]
        if len(found) < 2:
            raise InputError(f"{root} holds fewer than two submissions (subfolders or files)")
    else:
        found = [(str(path), Path(path)) for path in paths]
    names = [name for name, _ in found]
    if len(set(names)) != len(names):
        raise InputError("two submissions have the same name: " + ", ".join(sorted(names)))
    for name, path in found:
        if not path.exists():
            raise InputError(f"submission {name} does not exist: {path}")
    return found


def start_reading(
    found: list[tuple[str, Path]], options: ReadingOptions, workers: int
) -> Shared[Job, Loaded]:
    """The reading of every submission, started in the children now (see ``forking.share``:
    ``join`` reads this process's share and gives every submission, in order).  A
    prestarted reading process reads as far as the streams (``_stream_job``), and this
    process fingerprints what it sends (``_finish_job``)."""
    jobs = _jobs(found, ReadOptions.of(options), limits.deadline())
    workers = sharing(workers, len(jobs))
    return share(_read_job, jobs, workers, batch=_READ_BATCH, light=(_stream_job, _finish_job))


def guessed_reading(paths: Sequence[str]) -> Guessed | None:
    """What ``start_reading`` would be asked to read for a ``cross`` of ``paths`` with the
    default options (``ReadOptions()``) and no time budget, as ``forking.prestart``'s
    guess; None when ``paths`` are no submissions.  The command line's prestarted process
    reads them while the command line parses its flags and imports the rest (see the
    module): a guess that turns out wrong, from other options or other paths, is dropped."""
    try:
        found = submissions_of(paths)
    except InputError:
        return None
    return _stream_job, _jobs(found, ReadOptions(), None)


def _jobs(found: list[tuple[str, Path]], read: ReadOptions, deadline: float | None) -> list[Job]:
    return [(path, read, deadline) for _, path in found]


def _read_job(job: Job) -> Loaded:
    """One submission read whole, by this process or a forked child: ``_stream_job`` then
    ``_finish_job``, so that the prestarted process's half and this process's other half
    make the same."""
    return _finish_job(job, _stream_job(job))


def _stream_job(job: Job) -> StreamedSide:
    """``streams.stream_side`` of one job, within the run's time budget: what a prestarted
    reading process makes of it, imported without numpy (see ``start_reading``), and sent
    to it by reference from this light module."""
    # Imported on the first call, in each reading process: see the module.
    from codesim.pipeline.streams import stream_side

    path, options, deadline = job
    with limits.until(deadline):
        return stream_side(path, "submission", options)


def _finish_job(job: Job, streamed: StreamedSide) -> Loaded:
    """The rest of ``_read_job`` for what ``_stream_job`` made of ``job``."""
    from codesim.pipeline.cross_reading import loaded_of

    return loaded_of(streamed, job[1])
