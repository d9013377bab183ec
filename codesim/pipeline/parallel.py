"""Reading a side with several processes: the checked repo of an index query.

Normalizing is nearly all of the work of reading a repo, and one process uses one core.  Here
forked children normalize files while this process does too (``forking.map_shared``: each
process takes the next file when it finishes one, and a child sends its ``NormalizedFile``s
back pickled).  On an otherwise idle machine of two cores this reads the standard library's
``email`` package (9,684 lines) in 0.059 s instead of 0.079 s; with a busy loop on the other
core it takes 0.113 s instead of 0.081 s (medians of 9 interleaved runs each).  So then, with
one core, without the ``fork`` start method, or for a repo too small to gain anything, the
files are read in this process alone.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from codesim.options import Options
from codesim.pipeline import limits
from codesim.pipeline.forking import map_shared
from codesim.pipeline.reading import NormalizedFile, SideData, normalize_file, read_side
from codesim.pipeline.streams import (
    ProgressCallback,
    discover_code,
    read_within_limits,
    report_progress,
    token_cap_skip,
)
from codesim.sources.model import SourceFile

SPLIT_MIN_BYTES = 100_000
"""Less source than this (about 3,000 lines) is read in one process: forking and the pages
the child copies on write cost a few milliseconds, about what a second core saves there."""


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
    """``read_side`` with the normalizing shared between this process and forked children
    when ``workers`` allows more than one and the folder holds enough source; the same
    result."""
    root = Path(path)
    if workers < 2 or root.is_file() or "fork" not in multiprocessing.get_all_start_methods():
        return read_side(
            path, label, options, progress, units=units, graph=graph, folded_graph=folded_graph
        )
    discovery = discover_code(root, options)
    sources = discovery.files

    def read_one(source: SourceFile) -> NormalizedFile:
        return normalize_file(source, options, units=units, graph=graph, folded_graph=folded_graph)

    skipped = list(discovery.skipped)
    if limits.expired():
        # Reads nothing: every file is reported as left out by the time budget.
        files, limited = read_within_limits(sources, read_one, label, options)
        return SideData(label, str(path), files, skipped + limited, discovery.ignored)
    files = []
    for file in _read_split(sources, read_one, label, progress, workers):
        skip = token_cap_skip(file, options)
        if skip is None:
            files.append(file)
        else:
            skipped.append(skip)
    return SideData(label, str(path), files, skipped, discovery.ignored)


def _read_split(
    sources: list[SourceFile],
    read_one: Callable[[SourceFile], NormalizedFile],
    label: str,
    progress: ProgressCallback | None,
    workers: int,
) -> list[NormalizedFile]:
    size = sum(len(s.data) for s in sources)
    sharing = workers if size >= SPLIT_MIN_BYTES and _core_free(workers) else 1

    def arrived(done: int, _: NormalizedFile) -> None:
        report_progress(progress, f"reading {label}", done, len(sources))

    return map_shared(read_one, sources, sharing, arrived=arrived)


def _core_free(workers: int) -> bool:
    """Whether fewer tasks are runnable right now than ``workers`` (cores), this process
    included: Linux's instantaneous count, the fourth field of ``/proc/loadavg``."""
    try:
        runnable = int(Path("/proc/loadavg").read_text().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return True
    return runnable < workers
