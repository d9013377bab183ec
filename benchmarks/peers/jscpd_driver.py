"""Score pairs of Python files with jscpd 5.3.2 (a native Rust binary shipped in an npm package).

Runs from the repository root with any Python 3.11+ (standard library only):
    python -m benchmarks.peers.jscpd_driver JSCPD_BINARY < jobs.jsonl
(protocol: see `benchmarks.peers.scoring`).

One jscpd run per pair, on just the two files: jscpd matches a block against the first place it
saw it, so in a run over many files a copy can be reported against a third file and the pair would
lose it. A run costs about 10-20 ms (no Node start-up: the binary is called directly).

Settings (`JSCPD_ARGS`): Python format, jscpd's default minimum clone size (50 tokens, 5 lines),
and the three switches a user hunting disguised copies would turn on: ``--mode weak`` (comments
are not tokens), ``--ignore-identifiers`` and ``--ignore-literals`` (clones that differ only in
names or constants, "Type-2", are found). On a development set of disguised standard-library
modules they lift jscpd's mean score on renamed copies from 0.19 (defaults) to 0.89 and on
reformatted copies from 0.28 to 0.70, while unrelated modules still score 0. ``--no-gitignore``
so that a benchmark directory inside a git-ignored folder is still read; one worker thread.

jscpd has no pair score; ours: a code line (not blank, not only a comment) is covered when a clone
jscpd reports between the two files spans it; score = (covered left + covered right) / (code lines
left + code lines right), see `benchmarks.peers.scoring.jscpd_pair_score`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.peers.scoring import (
    Job,
    Result,
    jscpd_pair_score,
    read_text,
    serve,
)

JSCPD_ARGS = (
    "--format",
    "python",
    "--mode",
    "weak",
    "--ignore-identifiers",
    "--ignore-literals",
    "--no-gitignore",
    "--workers",
    "1",
    "--absolute",
    "--no-colors",
    "--reporters",
    "json",
)
PAIR_TIMEOUT_S = 120


def score(binary: str, job: Job, out_dir: Path) -> Result:
    report_path = out_dir / "jscpd-report.json"
    report_path.unlink(missing_ok=True)
    proc = subprocess.run(
        [binary, *JSCPD_ARGS, "--output", str(out_dir), job.left, job.right],
        capture_output=True,
        text=True,
        timeout=PAIR_TIMEOUT_S,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"jscpd exited {proc.returncode}: {proc.stderr.strip()[-500:]}")
    if report_path.exists():
        report = json.loads(report_path.read_text(encoding="utf-8"))
    else:  # nothing to report (e.g. both files below the minimum size)
        report = {"duplicates": []}
    value, detail = jscpd_pair_score(
        report, job.left, job.right, read_text(job.left), read_text(job.right)
    )
    # jscpd silently drops a file that is not valid UTF-8 or is below its minimum size
    files_read = report.get("statistics", {}).get("total", {}).get("sources")
    return Result(id=job.id, score=value, detail={**detail, "files_read": files_read})


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: python -m benchmarks.peers.jscpd_driver JSCPD_BINARY < jobs.jsonl")
    binary = sys.argv[1]
    with tempfile.TemporaryDirectory(prefix="codesim-jscpd-") as tmp:
        out_dir = Path(tmp)
        serve(lambda job: score(binary, job, out_dir), sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()
