"""Score pairs of Python files with copydetect 0.5.0, all in one process.

Runs in the peers' venv, from the repository root:
    .cache/peers/venv/bin/python -m benchmarks.peers.copydetect_driver < jobs.jsonl
(protocol: see `benchmarks.peers.scoring`).

Same settings as ``copydetect.CopyDetector`` and its CLI with their defaults: code tokenized and
filtered by pygments' Python lexer (names become V/F/O, strings S, comments and whitespace dropped),
noise threshold 25 and guarantee threshold 25 (k-grams of 25 filtered characters, winnowing window
1). For each pair copydetect computes, per file, the share of its tokens found in the other file;
the score is the larger share (`scoring.copydetect_pair_score`), the mean and both shares are in
the detail.
"""

from __future__ import annotations

import io
import logging
import sys

from copydetect import (  # type: ignore[import-not-found]
    CodeFingerprint,
    compare_files,
)
from copydetect import defaults as copydetect_defaults

from benchmarks.peers.scoring import (
    Job,
    Result,
    copydetect_pair_score,
    read_text,
    serve,
)

NOISE_T = int(copydetect_defaults.NOISE_THRESHOLD)
GUARANTEE_T = int(copydetect_defaults.GUARANTEE_THRESHOLD)
WINDOW = GUARANTEE_T - NOISE_T + 1  # as copydetect's config computes it


def fingerprint(path: str) -> object:
    return CodeFingerprint(
        path, NOISE_T, WINDOW, filter=True, language="python", fp=io.StringIO(read_text(path))
    )


def score(job: Job) -> Result:
    left, right = fingerprint(job.left), fingerprint(job.right)
    overlap, (sim_left, sim_right), _slices = compare_files(left, right)
    sim_left, sim_right = float(sim_left), float(sim_right)
    return Result(
        id=job.id,
        score=copydetect_pair_score(sim_left, sim_right),
        detail={
            "similarity_left": sim_left,
            "similarity_right": sim_right,
            "mean": (sim_left + sim_right) / 2,
            "token_overlap": int(overlap),
        },
    )


def main() -> None:
    logging.disable(logging.WARNING)  # copydetect logs per-file warnings; errors go in the results
    serve(score, sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()
