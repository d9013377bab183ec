"""Run the performance benchmarks one after the other and print a summary table.

    python -m benchmarks.run [--runs 5] [--seed 1] [--only throughput|stdlib|index_scale]
    python -m benchmarks            (the same)

Each benchmark prints its own details first; the table at the end compares the figures with
the targets.  The accuracy benchmark (``benchmarks/accuracy``) is separate: it downloads a
corpus and takes much longer; see its README.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from benchmarks import index_scale, stdlib, throughput
from benchmarks._corpus import median, megabytes


@dataclass(frozen=True)
class Row:
    name: str
    seconds: float
    lines: int
    peak_mb: float
    target: str
    met: bool
    note: str


def _throughput_row(runs: int, seed: int) -> Row:
    result = throughput.run(runs=runs, seed=seed)
    print(throughput.describe(result), flush=True)
    return Row(
        name=f"throughput ({result.cores} core)",
        seconds=result.median_seconds,
        lines=result.lines,
        peak_mb=megabytes(result.peak_rss_bytes),
        target=f">= {throughput.TARGET_LINES_PER_SECOND:,} lines/s",
        met=result.meets_target,
        note=f"median of {result.runs}; process {median(result.process_seconds):.2f} s",
    )


def _stdlib_row(seed: int) -> Row:
    result = stdlib.run(seed=seed)
    print(stdlib.describe(result), flush=True)
    return Row(
        name=f"stdlib ({result.cores} cores)",
        seconds=result.measurement.compare_seconds,
        lines=result.lines,
        peak_mb=megabytes(result.measurement.peak_rss_bytes),
        target=f"< {stdlib.TARGET_SECONDS // 60} min, < {stdlib.TARGET_BYTES // 2**30} GB",
        met=result.meets_target,
        note=f"top hit misses {len(result.real_misses)} of {result.checked} files",
    )


def _index_scale_rows() -> list[Row]:
    # One ingest run per backend here; ``python -m benchmarks.index_scale --runs N`` for medians.
    results = index_scale.run(runs=1)
    print(index_scale.describe(results), flush=True)
    rows = []
    for result in results:
        first = result.runs[0]
        rows.append(
            Row(
                name=f"index_scale {result.backend} (ingest)",
                seconds=first.ingest_seconds,
                lines=first.lines,
                peak_mb=megabytes(first.peak_main_bytes),
                target=f">= {index_scale.TARGET_LINES_PER_SECOND:,} lines/s, "
                f"10k query < {index_scale.TARGET_QUERY_SECONDS:g} s, "
                f"<= {index_scale.TARGET_BYTES_PER_LINE} B/line",
                met=result.meets_targets,
                note=f"{result.bytes_per_kline / 1000:.0f} B/line, 10k query p95 "
                f"{result.query_p95(index_scale.TARGET_QUERY_LINES):.2f} s",
            )
        )
    return rows


def table(rows: list[Row]) -> str:
    header = ("benchmark", "seconds", "lines", "lines/s", "peak MB", "target", "ok", "note")
    body = [
        (
            row.name,
            f"{row.seconds:.2f}",
            f"{row.lines:,}",
            f"{row.lines / row.seconds:,.0f}",
            f"{row.peak_mb:,.0f}",
            row.target,
            "yes" if row.met else "NO",
            row.note,
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [header, *body]) for i in range(len(header))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = tuple("-" * width for width in widths)
    return "\n".join([line(header), line(rule), *(line(cells) for cells in body)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="cold runs of the throughput test")
    parser.add_argument("--seed", type=int, default=1, help="disguise seed")
    parser.add_argument(
        "--only", choices=["throughput", "stdlib", "index_scale"], help="run just one"
    )
    args = parser.parse_args(argv)
    rows = []
    if args.only in (None, "throughput"):
        rows.append(_throughput_row(args.runs, args.seed))
    if args.only in (None, "stdlib"):
        rows.append(_stdlib_row(args.seed))
    if args.only in (None, "index_scale"):
        rows.extend(_index_scale_rows())
    print()
    print(table(rows))
    return 0 if all(row.met for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
