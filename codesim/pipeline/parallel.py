"""Reading a side with two processes: the checked repo of an index query.

Normalizing is nearly all of the work of reading a repo and is pure Python, so one process
uses one core.  Here a forked child normalizes part of the files while this process does the
rest; the child sends its ``NormalizedFile``s back pickled (between our own two processes,
nothing read from disk is unpickled).  On an otherwise idle machine of two cores this reads
a 10,000-line repo in 0.20-0.27 s instead of 0.26-0.38 s; taking the child's files back
costs this process 5 ms.  When other processes keep the cores busy it gains nothing.
Forking needs the ``fork`` start method (Linux); elsewhere, with one core, or for a repo too
small to gain anything, the files are read in this process alone.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Literal

from codesim import results
from codesim.options import Options
from codesim.pipeline import (
    NormalizedFile,
    ProgressCallback,
    SideData,
    discover_code,
    limits,
    normalize_file,
    read_side,
    read_within_limits,
    token_cap_skip,
)
from codesim.pipeline.orphans import exit_with_parent
from codesim.sources import SourceFile

SPLIT_MIN_BYTES = 100_000
"""Less source than this (about 3,000 lines) is read in one process: forking and the pages
the child copies on write cost a few milliseconds, about what a second core saves there."""

_CHILD_SHARE = 0.4
"""The child's share of the source bytes.  It normalizes a byte about 1.4 times as slowly as
this process: every object it touches is a page copied on write after the fork (about 50 MB
for a 10,000-line repo), and it pickles what it made."""

_PROGRESS_EVERY = 16

_Reader = Callable[[list[SourceFile]], list[NormalizedFile]]


def read_side_split(
    path: str | Path,
    label: Literal["left", "right", "base", "checked", "indexed"],
    options: Options,
    progress: ProgressCallback | None = None,
    *,
    workers: int,
    units: bool = False,
    graph: bool = False,
    folded_graph: bool = False,
) -> SideData:
    """``read_side`` with the normalizing shared between this process and a forked child
    when ``workers`` allows two and the folder holds enough source; the same result."""
    root = Path(path)
    if workers < 2 or root.is_file() or "fork" not in multiprocessing.get_all_start_methods():
        return read_side(
            path, label, options, progress, units=units, graph=graph, folded_graph=folded_graph
        )
    discovery = discover_code(root, options)
    sources = discovery.files

    def read_one(source: SourceFile) -> NormalizedFile:
        return normalize_file(source, options, units=units, graph=graph, folded_graph=folded_graph)

    def read(part: list[SourceFile]) -> list[NormalizedFile]:
        return [read_one(s) for s in part]

    skipped = [
        results.Skipped(side=label, path=s.path, reason=s.reason, detail=s.detail)
        for s in discovery.skipped
    ]
    if limits.expired():
        # Reads nothing: every file is reported as left out by the time budget.
        files, limited = read_within_limits(sources, read_one, label, options)
        return SideData(label, str(path), files, skipped + limited, discovery.ignored)
    files = []
    for file in _read_split(sources, read, label, progress, workers):
        skip = token_cap_skip(file, label, options)
        if skip is None:
            files.append(file)
        else:
            skipped.append(skip)
    return SideData(label, str(path), files, skipped, discovery.ignored)


def _read_split(
    sources: list[SourceFile],
    read: _Reader,
    label: str,
    progress: ProgressCallback | None,
    workers: int,
) -> list[NormalizedFile]:
    total = len(sources)
    mine, theirs = _shares(sources)
    if not theirs or not _core_free(workers):
        return _read_reporting(sources, read, label, progress, total)
    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    child = multiprocessing.get_context("fork").Process(
        target=_child,
        args=(sending, read, [sources[i] for i in theirs], os.getpid()),
        daemon=True,
    )
    child.start()
    sending.close()
    try:
        here = _read_reporting([sources[i] for i in mine], read, label, progress, total)
        found = dict(zip(mine, here, strict=True))
        try:
            returned: list[NormalizedFile] = pickle.loads(receiving.recv_bytes())
        except (EOFError, OSError, pickle.UnpicklingError):
            # The child died (killed, out of memory): its share is read here instead.
            returned = read([sources[i] for i in theirs])
        found.update(zip(theirs, returned, strict=True))
        if progress is not None:
            progress(f"reading {label}", total, total)
    finally:
        receiving.close()
        child.join(timeout=1.0)
        if child.is_alive():
            child.kill()
            child.join()
    return [found[i] for i in range(total)]


def _core_free(workers: int) -> bool:
    """Whether fewer tasks are runnable right now than ``workers`` (cores), this process
    included: Linux's instantaneous count, the fourth field of ``/proc/loadavg``."""
    try:
        runnable = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return True
    return runnable < workers


def _shares(sources: list[SourceFile]) -> tuple[list[int], list[int]]:
    """Indices of the files read here and by the child, each in discovery order; the child
    gets none when the source is too small to split."""
    size = sum(len(s.data) for s in sources)
    if size < SPLIT_MIN_BYTES:
        return list(range(len(sources))), []
    mine: list[int] = []
    theirs: list[int] = []
    given = 0
    # Largest first, each to the child while its share is below _CHILD_SHARE: the shares end
    # within one file of the target.
    for i in sorted(range(len(sources)), key=lambda i: -len(sources[i].data)):
        if given < _CHILD_SHARE * size:
            theirs.append(i)
            given += len(sources[i].data)
        else:
            mine.append(i)
    return sorted(mine), sorted(theirs)


def _read_reporting(
    part: list[SourceFile],
    read: _Reader,
    label: str,
    progress: ProgressCallback | None,
    total: int,
) -> list[NormalizedFile]:
    files: list[NormalizedFile] = []
    for done, source in enumerate(part, start=1):
        files.extend(read([source]))
        if progress is not None and done % _PROGRESS_EVERY == 0:
            progress(f"reading {label}", done, total)
    return files


def _child(sending: Connection, read: _Reader, part: list[SourceFile], parent: int) -> None:
    exit_with_parent(parent)
    sending.send_bytes(pickle.dumps(read(part), protocol=pickle.HIGHEST_PROTOCOL))
    sending.close()
