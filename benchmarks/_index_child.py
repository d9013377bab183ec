"""Ingest the index corpus into a fresh index, then time queries, in this (fresh) process.

Started by ``benchmarks.index_scale``; not meant to be run by hand.  Prints one JSON line on
stdout; a progress line (files, lines, rate) goes to stderr.

    python -m benchmarks._index_child CORPUS_ROOT INDEX [--queries] [--workers N]

``INDEX`` is a file path that must not exist yet, or a ``redis://`` URL of an empty server.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

from benchmarks.index_corpus import Project, load


def _peak_rss(who: int) -> int:
    # ru_maxrss is in KiB on Linux, bytes on macOS.  For RUSAGE_CHILDREN it is the largest
    # single child (a worker process), not a sum.
    return resource.getrusage(who).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


class IngestProgress:
    """The ``progress`` callback of ``Index.add`` over all projects: one line on stderr with
    files, lines and lines per second, redrawn in place on a terminal (a line per project
    otherwise, so logs stay short)."""

    def __init__(self, lines: int, files: int) -> None:
        self._total_lines, self._total_files = lines, files
        self._lines = self._files = 0
        self._project: Project | None = None
        self._started = time.perf_counter()
        self._drawn = 0.0
        self._tty = sys.stderr.isatty()

    def start_project(self, project: Project) -> None:
        self._project = project

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if self._project is None or not self._tty or now - self._drawn < 0.2:
            return
        self._drawn = now
        # Lines of the project in progress are estimated from its share of files done.
        lines = self._lines + self._project.lines * done // max(total, 1)
        self._draw(self._files + done, lines, now)

    def finish_project(self, project: Project, lines: int) -> None:
        self._files += project.files
        self._lines += lines
        if not self._tty:
            self._draw(self._files, self._lines, time.perf_counter(), end="\n")

    def close(self) -> None:
        if self._tty:
            self._draw(self._files, self._lines, time.perf_counter(), end="\n")

    def _draw(self, files: int, lines: int, now: float, end: str = "") -> None:
        rate = lines / max(now - self._started, 1e-9)
        name = self._project.name if self._project else ""
        text = (
            f"indexing {name:<20} files {files:,}/{self._total_files:,}  "
            f"lines {lines:,}/{self._total_lines:,}  {rate:,.0f} lines/s"
        )
        print(f"\r{text}", end=end, file=sys.stderr, flush=True)


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _redis_used_memory(url: str) -> int:
    import redis

    client = redis.Redis.from_url(url)
    try:
        return int(client.info("memory")["used_memory"])
    finally:
        client.close()


def _index_bytes(location: str, baseline: int) -> int:
    if location.startswith("redis://"):
        return _redis_used_memory(location) - baseline
    # Called after the index is closed: the last connection's close checkpoints the
    # write-ahead log into the file and deletes it.
    path = Path(location)
    wal = path.with_name(path.name + "-wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._index_child")
    parser.add_argument("corpus", type=Path)
    parser.add_argument("index")
    parser.add_argument("--queries", action="store_true", help="also time the query repos")
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    args = parser.parse_args(argv)

    corpus = load(args.corpus)
    redis_index = args.index.startswith("redis://")
    baseline = _redis_used_memory(args.index) if redis_index else 0

    started = time.perf_counter()
    import codesim

    imported = time.perf_counter()
    files = lines = units = 0
    progress = IngestProgress(corpus.lines, sum(p.files for p in corpus.projects))
    with codesim.Index.open(args.index) as index:
        for project in corpus.projects:
            progress.start_project(project)
            added = index.add(
                corpus.project_path(project),
                name=project.name,
                version=project.version,
                workers=args.workers or None,
                progress=progress,
            )
            progress.finish_project(project, added.lines)
            files, lines, units = files + added.files, lines + added.lines, units + added.units
        ingested = time.perf_counter()
    # Closed: the index's worker processes have ended, so their CPU time and peak memory are
    # in RUSAGE_CHILDREN (an open index keeps its workers for the next add).
    cpu = _cpu_seconds(resource.RUSAGE_SELF), _cpu_seconds(resource.RUSAGE_CHILDREN)
    progress.close()
    peak_main, peak_worker = (
        _peak_rss(resource.RUSAGE_SELF),
        _peak_rss(resource.RUSAGE_CHILDREN),
    )
    with codesim.Index.open(args.index) as index:
        stats = index.stats()
        latencies: dict[str, list[float]] = {}
        if args.queries:
            # One untimed query first: the first one pays for lazy imports and caches.
            index.query(corpus.query_path(corpus.queries[min(corpus.queries)][0]))
            for size, names in corpus.queries.items():
                timings = latencies.setdefault(str(size), [])
                for name in names:
                    before = time.perf_counter()
                    index.query(corpus.query_path(name))
                    timings.append(time.perf_counter() - before)
                    print(f"query {name}: {timings[-1]:.3f} s", file=sys.stderr, flush=True)
    size = _index_bytes(args.index, baseline)
    result = {
        "import_seconds": imported - started,
        "ingest_seconds": ingested - imported,
        "files": files,
        "lines": lines,
        "units": units,
        "projects": stats.projects,
        "fingerprints": stats.fingerprints,
        "index_bytes": size,
        "main_cpu_seconds": cpu[0],
        "worker_cpu_seconds": cpu[1],
        "peak_main_bytes": peak_main,
        "peak_worker_bytes": peak_worker,
        "peak_main_after_queries_bytes": _peak_rss(resource.RUSAGE_SELF),
        "query_seconds": latencies,
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
