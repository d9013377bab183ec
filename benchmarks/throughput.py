"""Throughput: compare two folders of 20k+ lines each, cold, on one core.

Left is a fixed list of standard-library modules; right is their disguised copies (made by
``tests/disguise.py``).  Each run is ``codesim.compare(left, right)`` in a fresh interpreter;
the figure is the median over ``--runs``: lines of both sides per second of the compare call.
Target (issue 2, set before repo alignment existed): >= 30,000 lines/s end to end on one
core.  Two folders are aligned as repos by default; ``--no-align`` measures the file-pair
comparison alone, as issue 2 did.

    python -m benchmarks.throughput [--runs 5] [--cores 1] [--seed 1] [--no-align]
"""

from __future__ import annotations

import argparse
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from benchmarks._corpus import (
    Corpus,
    build_corpus,
    measure_compare,
    median,
    megabytes,
)

MODULES: tuple[str, ...] = (
    "argparse",
    "configparser",
    "difflib",
    "ipaddress",
    "statistics",
    "dataclasses",
    "functools",
    "shutil",
    "tempfile",
    "optparse",
    "tokenize",
    "random",
    "inspect",
    "typing",
    "enum",
    "pickle",
    "subprocess",
    "tarfile",
    "zipfile",
    "logging",
)
"""Pure-Python modules present on every CPython 3.11+; about 38k lines, 28k once disguised."""

MIN_LINES_PER_SIDE = 20_000
TARGET_LINES_PER_SECOND = 30_000


@dataclass(frozen=True)
class ThroughputResult:
    corpus: Corpus
    runs: int
    cores: int
    compare_seconds: list[float]
    process_seconds: list[float]
    peak_rss_bytes: int
    score: float
    align: bool = True

    @property
    def lines(self) -> int:
        return self.corpus.stats.original_lines + self.corpus.stats.disguised_lines

    @property
    def median_seconds(self) -> float:
        return median(self.compare_seconds)

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.median_seconds

    @property
    def meets_target(self) -> bool:
        return self.lines_per_second >= TARGET_LINES_PER_SECOND


def module_sources() -> list[tuple[str, Path]]:
    sources = []
    for name in MODULES:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise LookupError(f"{name} is not available on this interpreter")
        sources.append((name.replace(".", "_") + ".py", Path(spec.origin)))
    return sources


def run(*, runs: int = 5, cores: int = 1, seed: int = 1, align: bool = True) -> ThroughputResult:
    corpus = build_corpus("throughput", module_sources(), seed=seed)
    for side, lines in (
        ("original", corpus.stats.original_lines),
        ("disguised", corpus.stats.disguised_lines),
    ):
        if lines < MIN_LINES_PER_SIDE:
            raise RuntimeError(
                f"the {side} side has {lines} lines, fewer than {MIN_LINES_PER_SIDE}"
            )
    measurements = [
        measure_compare(corpus.original, corpus.disguised, cores=cores, align=align)
        for _ in range(runs)
    ]
    return ThroughputResult(
        corpus=corpus,
        runs=runs,
        cores=cores,
        compare_seconds=[m.compare_seconds for m in measurements],
        process_seconds=[m.process_seconds for m in measurements],
        peak_rss_bytes=max(m.peak_rss_bytes for m in measurements),
        score=measurements[-1].score,
        align=align,
    )


def describe(result: ThroughputResult) -> str:
    stats = result.corpus.stats
    runs = ", ".join(f"{s:.2f}" for s in result.compare_seconds)
    verdict = "meets" if result.meets_target else "MISSES"
    return "\n".join(
        [
            f"throughput: {stats.files} files per side, {stats.original_lines:,} + "
            f"{stats.disguised_lines:,} = {result.lines:,} lines, "
            + ("with repo alignment" if result.align else "file pairs only (--no-align)"),
            f"  compare seconds (median of {result.runs} cold runs on {result.cores} core(s)): "
            f"{result.median_seconds:.2f}  [{runs}]",
            f"  process seconds (median, interpreter start and import included): "
            f"{median(result.process_seconds):.2f}",
            f"  lines/s: {result.lines_per_second:,.0f}  ({verdict} the "
            f"{TARGET_LINES_PER_SECOND:,} target)",
            f"  peak memory: {megabytes(result.peak_rss_bytes):,.0f} MB",
            f"  score of the disguised folder: {result.score:.4f}",
            f"  corpus: {result.corpus.original.parent}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.throughput", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="cold runs; the median counts")
    parser.add_argument("--cores", type=int, default=1, help="cores the child may use")
    parser.add_argument("--seed", type=int, default=1, help="disguise seed")
    parser.add_argument("--no-align", action="store_true", help="compare without repo alignment")
    args = parser.parse_args(argv)
    result = run(runs=args.runs, cores=args.cores, seed=args.seed, align=not args.no_align)
    print(describe(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
