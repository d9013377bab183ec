"""Run one ``codesim.compare`` in this (fresh) process and print its measurements as JSON.

Started by ``benchmarks._corpus.measure_compare``; not meant to be run by hand.  The process
imports codesim itself, so nothing is warm: tree-sitter grammars, caches and the like are
loaded inside the timed run exactly as for a user's first command.

    python -m benchmarks._child LEFT RIGHT [--pairs] [--cores N] [--no-align]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time


def _peak_rss_bytes() -> int:
    # ru_maxrss is in KiB on Linux and in bytes on macOS; children count in case codesim
    # ever spreads work over processes.
    scale = 1 if sys.platform == "darwin" else 1024
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * scale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks._child")
    parser.add_argument("left")
    parser.add_argument("right")
    parser.add_argument("--pairs", action="store_true", help="include every pair's score")
    parser.add_argument("--cores", type=int, default=0, help="pin to this many cores (Linux)")
    parser.add_argument("--no-align", action="store_true", help="compare without repo alignment")
    args = parser.parse_args(argv)

    if args.cores and hasattr(os, "sched_setaffinity"):
        available = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, set(available[: args.cores]))

    started = time.perf_counter()
    import codesim

    imported = time.perf_counter()
    report = codesim.compare(args.left, args.right, align=not args.no_align)
    finished = time.perf_counter()

    result: dict[str, object] = {
        "import_seconds": imported - started,
        "compare_seconds": finished - imported,
        "peak_rss_bytes": _peak_rss_bytes(),
        "score": report.score,
        "verdict": report.verdict,
        "left": {"files": report.left.files, "lines": report.left.lines},
        "right": {"files": report.right.files, "lines": report.right.lines},
        "skipped": [[s.side, s.path, str(s.reason)] for s in report.skipped],
        "pair_count": len(report.pairs),
        "options": report.options,
    }
    if report.alignment is not None:
        aligned = report.alignment
        result["alignment"] = {
            "left_aligned": aligned.left_aligned,
            "right_aligned": aligned.right_aligned,
            "edges_preserved": aligned.edges_preserved,
            "files": len(aligned.files),
            "groups": len(aligned.groups),
            "units": [[u.left, u.right, u.similarity] for u in aligned.units],
        }
    if args.pairs:
        result["pairs"] = [
            [p.left, p.right, p.score, min(p.left_tokens, p.right_tokens)] for p in report.pairs
        ]
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
