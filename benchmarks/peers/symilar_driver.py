"""Score pairs of Python files with pylint 4.1.4's symilar, all in one process.

Runs in the peers' venv, from the repository root:
    .cache/peers/venv/bin/python -m benchmarks.peers.symilar_driver < jobs.jsonl
(protocol: see `benchmarks.peers.scoring`).

Settings as pylint's duplicate-code check (R0801) ships them, which is how a user meets symilar:
minimum 4 similar lines, comments, docstrings, imports and function signatures ignored. Each pair
is compared on its own (a fresh ``Symilar`` holding the two files).

symilar has no pair score; ours: a *compared line* is a line symilar keeps after stripping
(non-blank, not a comment, docstring, import or signature line); a compared line is *covered*
when a similar block symilar reports between the two files spans it; score = (covered left +
covered right) / (compared left + compared right), see `benchmarks.peers.scoring`.

Stripping imports and signatures needs an astroid parse; a file astroid cannot parse (a syntax
error, or syntax newer than this interpreter) is compared without those two filters, as noted in
the detail (``fallback``): symilar's own CLI would stop on it instead.
"""

from __future__ import annotations

import io
import sys
from typing import Any

from pylint.checkers.symilar import LineSet, Symilar  # type: ignore[import-not-found]

from benchmarks.peers.scoring import (
    Job,
    Result,
    count_covered,
    coverage_similarity,
    read_text,
    serve,
)

MIN_LINES = 4
IGNORE_COMMENTS = True
IGNORE_DOCSTRINGS = True
IGNORE_IMPORTS = True
IGNORE_SIGNATURES = True


def add_file(sim: Any, path: str) -> str | None:
    """Append one file to ``sim``; returns a note when it needed the no-parse fallback."""
    text = read_text(path)
    try:
        sim.append_stream(path, io.StringIO(text))
        return None
    except Exception as exc:  # astroid could not parse the file
        lines = io.StringIO(text).readlines()
        sim.linesets.append(LineSet(path, lines, IGNORE_COMMENTS, IGNORE_DOCSTRINGS, False, False))
        return f"{path}: {type(exc).__name__}: imports and signatures not stripped"


def score(job: Job) -> Result:
    sim = Symilar(
        min_lines=MIN_LINES,
        ignore_comments=IGNORE_COMMENTS,
        ignore_docstrings=IGNORE_DOCSTRINGS,
        ignore_imports=IGNORE_IMPORTS,
        ignore_signatures=IGNORE_SIGNATURES,
    )
    notes = [note for note in (add_file(sim, job.left), add_file(sim, job.right)) if note]
    left_set, right_set = sim.linesets
    left_spans: list[tuple[int, int]] = []
    right_spans: list[tuple[int, int]] = []
    blocks = 0
    # _iter_sims is what symilar's run() reports from; with two files every commonality is
    # left (first) against right (second); line numbers are 0-based, ends exclusive.
    for common in sim._iter_sims():
        first, second = common.fst_lset, common.snd_lset
        spans = (
            (common.fst_file_start, common.fst_file_end),
            (common.snd_file_start, common.snd_file_end),
        )
        if first is right_set and second is left_set:
            spans = (spans[1], spans[0])
        left_spans.append((int(spans[0][0]), int(spans[0][1])))
        right_spans.append((int(spans[1][0]), int(spans[1][1])))
        blocks += 1
    left_lines = [int(spec.line_number) for spec in left_set.stripped_lines]
    right_lines = [int(spec.line_number) for spec in right_set.stripped_lines]
    covered_left = count_covered(left_lines, left_spans)
    covered_right = count_covered(right_lines, right_spans)
    detail: dict[str, Any] = {
        "blocks": blocks,
        "covered_left": covered_left,
        "covered_right": covered_right,
        "lines_left": len(left_lines),
        "lines_right": len(right_lines),
    }
    if notes:
        detail["fallback"] = notes
    return Result(
        id=job.id,
        score=coverage_similarity(covered_left, len(left_lines), covered_right, len(right_lines)),
        detail=detail,
    )


def main() -> None:
    serve(score, sys.stdin, sys.stdout)


if __name__ == "__main__":
    main()
