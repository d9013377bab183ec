"""Index scale: ingest over a million lines of real Python, then check repos against it.

The corpus (``benchmarks/index_corpus.py``): the standard library, one project per top-level
package, and pinned PyPI wheels, one project each, added one by one through
``codesim.Index.open(...).add(...)`` with one worker process per core; then repos of about
1k, 10k and 50k lines (half copied from indexed projects, half code nobody indexed) are checked
with ``Index.query``.  Each run is a fresh interpreter and a fresh index (a new SQLite file, or
a new throw-away ``redis-server`` on loopback).  Queries are timed in the first run only.

Printed per backend: ingest lines/s (lines codesim indexed over the wall time of all adds),
index bytes per 1,000 lines (SQLite: the file after its last connection closed, which
checkpoints and deletes the write-ahead log; Redis: the server's ``INFO memory`` ``used_memory``
after ingest minus before), peak resident memory of the main process and of the largest worker,
and query latency p50/p95 per repo size.  Targets: >= 50,000 lines/s on 2 cores, a 10k-line
repo checked in < 1 s (p95), <= 150 bytes per line.

    python -m benchmarks.index_scale [--backend sqlite|redis|both] [--runs N]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._corpus import ROOT, median, megabytes
from benchmarks.index_corpus import IndexCorpus, build
from tests.redis_server import redis_server

TARGET_LINES_PER_SECOND = 50_000
TARGET_QUERY_SECONDS = 1.0
TARGET_QUERY_LINES = 10_000
"""The query target is for a repo of this size (its p95)."""
TARGET_BYTES_PER_LINE = 150
MIN_LINES = 1_000_000

QUERIES_PER_SIZE: dict[int, int] = {1_000: 20, 10_000: 10, 50_000: 5}
"""Lines of a checked repo -> how many such repos: latencies are percentiles over these."""

BACKENDS = ("sqlite", "redis")


@dataclass(frozen=True)
class Run:
    """What one child process measured (``benchmarks._index_child``)."""

    ingest_seconds: float
    files: int
    lines: int
    units: int
    projects: int
    index_bytes: int
    main_cpu_seconds: float
    """CPU time of the main process during ingest (it writes the index), import included."""
    worker_cpu_seconds: float
    """CPU time of all worker processes (they normalize and fingerprint)."""
    peak_main_bytes: int
    peak_worker_bytes: int
    peak_main_after_queries_bytes: int
    query_seconds: dict[int, list[float]]
    server_bytes: int = 0
    """Redis only: the server's peak memory (``used_memory_peak``)."""
    server_cpu_seconds: float = 0.0
    """Redis only: the server's CPU time (it runs the scripts that write the LSH tables)."""

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.ingest_seconds

    @property
    def bytes_per_kline(self) -> float:
        return 1000 * self.index_bytes / self.lines

    @property
    def cpu_microseconds_per_line(self) -> float:
        """Less sensitive to other load on the machine than the wall-clock rate."""
        return 1e6 * (self.main_cpu_seconds + self.worker_cpu_seconds) / self.lines


@dataclass
class BackendResult:
    backend: str
    runs: list[Run] = field(default_factory=list)

    @property
    def lines_per_second(self) -> float:
        return median([run.lines_per_second for run in self.runs])

    @property
    def bytes_per_kline(self) -> float:
        return median([run.bytes_per_kline for run in self.runs])

    @property
    def queries(self) -> dict[int, list[float]]:
        return self.runs[0].query_seconds

    def query_p95(self, size: int) -> float:
        return percentile(self.queries.get(size, []), 95)

    @property
    def targets(self) -> dict[str, bool]:
        return {
            f"ingest >= {TARGET_LINES_PER_SECOND:,} lines/s": self.lines_per_second
            >= TARGET_LINES_PER_SECOND,
            f"{TARGET_QUERY_LINES:,}-line query p95 < {TARGET_QUERY_SECONDS:g} s": (
                self.query_p95(TARGET_QUERY_LINES) < TARGET_QUERY_SECONDS
            ),
            f"index <= {TARGET_BYTES_PER_LINE} bytes/line": self.bytes_per_kline
            <= 1000 * TARGET_BYTES_PER_LINE,
        }

    @property
    def meets_targets(self) -> bool:
        return all(self.targets.values())


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile with linear interpolation (numpy's default); NaN if empty."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def run(*, backends: tuple[str, ...] = BACKENDS, runs: int = 3) -> list[BackendResult]:
    """Build (or reuse) the corpus and measure every backend ``runs`` times."""
    corpus = build(QUERIES_PER_SIZE)
    if corpus.lines < MIN_LINES:
        raise RuntimeError(f"the corpus has {corpus.lines:,} lines, fewer than {MIN_LINES:,}")
    results = []
    for backend in backends:
        result = BackendResult(backend)
        for number in range(runs):
            print(f"{backend}: run {number + 1} of {runs}", file=sys.stderr, flush=True)
            result.runs.append(_measure(corpus, backend, queries=number == 0))
        results.append(result)
    return results


def _measure(corpus: IndexCorpus, backend: str, *, queries: bool) -> Run:
    with contextlib.ExitStack() as stack:
        if backend == "redis":
            location = stack.enter_context(redis_server())
        else:
            folder = stack.enter_context(tempfile.TemporaryDirectory(dir=corpus.root))
            location = str(Path(folder) / "index.db")
        command = [sys.executable, "-m", "benchmarks._index_child", str(corpus.root), location]
        if queries:
            command.append("--queries")
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        done = subprocess.run(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"the {backend} run failed with exit code {done.returncode}")
        data = json.loads(done.stdout.strip().splitlines()[-1])
        server = _redis_server_use(location) if backend == "redis" else (0, 0.0)
    return Run(
        ingest_seconds=data["ingest_seconds"],
        files=data["files"],
        lines=data["lines"],
        units=data["units"],
        projects=data["projects"],
        index_bytes=data["index_bytes"],
        main_cpu_seconds=data["main_cpu_seconds"],
        worker_cpu_seconds=data["worker_cpu_seconds"],
        peak_main_bytes=data["peak_main_bytes"],
        peak_worker_bytes=data["peak_worker_bytes"],
        peak_main_after_queries_bytes=data["peak_main_after_queries_bytes"],
        query_seconds={int(size): values for size, values in data["query_seconds"].items()},
        server_bytes=server[0],
        server_cpu_seconds=server[1],
    )


def _redis_server_use(url: str) -> tuple[int, float]:
    """The server's peak memory and CPU seconds so far."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        cpu = client.info("cpu")
        seconds = float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])
        return int(client.info("memory")["used_memory_peak"]), seconds
    finally:
        client.close()


def describe(results: list[BackendResult]) -> str:
    lines: list[str] = []
    for result in results:
        first = result.runs[0]
        rates = ", ".join(f"{run.lines_per_second:,.0f}" for run in result.runs)
        sizes = ", ".join(f"{run.bytes_per_kline:,.0f}" for run in result.runs)
        measure = (
            "INFO memory used_memory after minus before"
            if result.backend == "redis"
            else "file size after close (WAL checkpointed)"
        )
        lines += [
            f"index scale, {result.backend}: {first.projects} projects, {first.files:,} files, "
            f"{first.lines:,} lines, {first.units:,} units; {len(result.runs)} runs",
            f"  ingest: {result.lines_per_second:,.0f} lines/s (median; runs: {rates}), "
            f"{median([r.ingest_seconds for r in result.runs]):.1f} s; CPU "
            f"{median([r.cpu_microseconds_per_line for r in result.runs]):.1f} µs per line "
            f"(main {first.main_cpu_seconds:.1f} s, workers {first.worker_cpu_seconds:.1f} s"
            + (
                f", redis-server {first.server_cpu_seconds:.1f} s with the queries"
                if result.backend == "redis"
                else ""
            )
            + ")",
            f"  index size: {result.bytes_per_kline:,.0f} bytes per 1,000 lines "
            f"({measure}; runs: {sizes}); {megabytes(first.index_bytes):,.0f} MB",
            f"  peak memory: main process {megabytes(first.peak_main_bytes):,.0f} MB during "
            f"ingest, {megabytes(first.peak_main_after_queries_bytes):,.0f} MB with queries; "
            f"largest worker {megabytes(first.peak_worker_bytes):,.0f} MB"
            + (
                f"; redis-server used_memory_peak {megabytes(first.server_bytes):,.0f} MB"
                if result.backend == "redis"
                else ""
            ),
        ]
        for size in sorted(QUERIES_PER_SIZE):
            values = result.queries.get(size, [])
            lines.append(
                f"  query {size:>6,} lines: p50 {percentile(values, 50):.3f} s, "
                f"p95 {percentile(values, 95):.3f} s ({len(values)} repos)"
            )
        for target, met in result.targets.items():
            lines.append(f"  target {target}: {'met' if met else 'MISSED'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.index_scale", description=__doc__)
    parser.add_argument("--backend", choices=[*BACKENDS, "both"], default="both")
    parser.add_argument("--runs", type=int, default=3, help="ingest runs; medians count")
    args = parser.parse_args(argv)
    backends = BACKENDS if args.backend == "both" else (args.backend,)
    results = run(backends=backends, runs=args.runs)
    print(describe(results))
    return 0 if all(result.meets_targets for result in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
