"""Pure helpers shared by the peer drivers and the runner: the driver protocol and the pair scores.

Standard library only: this module is imported both by codesim's own environment (the runner,
the tests) and by the drivers that run in the peers' venv (`.cache/peers/venv`).

Driver protocol (every driver, Python or Node, speaks it):
- stdin: one JSON object a line, ``{"id": str, "left": str, "right": str}`` with absolute paths;
- stdout: one JSON object a line, ``{"id": str, "score": float | null, "error": str | null,
  "detail": object | null}``, in any order, one per job. ``score`` is in [0, 1]; ``error`` says
  why a pair has no score (the runner scores such a pair 0.0: the tool showed the user nothing).

Line-based scores (symilar, jscpd) share one definition, the Dolos-style symmetric figure:
``(covered lines of left + covered lines of right) / (lines of left + lines of right)``, where a
line is covered when a duplicate block reported between the two files spans it, overlapping blocks
count a line once, and only the lines the tool itself compares are counted (see each driver). An
identical copy scores 1.0, a disjoint pair 0.0; for two blocks of the same length it is exactly
``2 * duplicated / (lines_left + lines_right)``.
"""

from __future__ import annotations

import bisect
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO


@dataclass(frozen=True)
class Job:
    """One pair to score: its id and the absolute paths of both sides."""

    id: str
    left: str
    right: str


@dataclass(frozen=True)
class Result:
    """What a driver reports for one pair."""

    id: str
    score: float | None
    error: str | None = None
    detail: Mapping[str, Any] | None = None


def read_jobs(stream: TextIO) -> Iterator[Job]:
    """Parse the driver's stdin: one JSON job a line, blank lines ignored."""
    for line in stream:
        if line.strip():
            obj = json.loads(line)
            yield Job(id=str(obj["id"]), left=str(obj["left"]), right=str(obj["right"]))


def job_line(job: Job) -> str:
    """One line of the driver's stdin."""
    return json.dumps({"id": job.id, "left": job.left, "right": job.right}) + "\n"


def result_line(result: Result) -> str:
    """One line of the driver's stdout."""
    detail = dict(result.detail) if result.detail is not None else None
    obj = {"id": result.id, "score": result.score, "error": result.error, "detail": detail}
    return json.dumps(obj) + "\n"


def serve(score: Callable[[Job], Result], jobs: TextIO, out: TextIO) -> None:
    """The driver loop: score every job read from ``jobs`` and write one result line each.

    A pair the tool fails on gets an error result instead of ending the run: one bad pair must
    not lose the others.
    """
    for job in read_jobs(jobs):
        try:
            result = score(job)
        except Exception as exc:
            result = Result(id=job.id, score=None, error=f"{type(exc).__name__}: {exc}")
        out.write(result_line(result))
        out.flush()


def parse_result(line: str) -> Result:
    """Parse one line of a driver's stdout; the score is checked to be a number in [0, 1]."""
    obj = json.loads(line)
    score = obj.get("score")
    error = obj.get("error")
    if score is not None:
        score = float(score)
        if not math.isfinite(score) or not 0.0 <= score <= 1.0:
            raise ValueError(f"pair {obj.get('id')!r}: score {score!r} is not in [0, 1]")
    detail = obj.get("detail")
    return Result(
        id=str(obj["id"]),
        score=score,
        error=None if error is None else str(error),
        detail=detail if isinstance(detail, dict) else None,
    )


def read_text(path: str | Path) -> str:
    """A source file as text: UTF-8, a leading byte-order mark dropped (as Python's own reader
    does), bad bytes replaced (a peer never sees a decode error)."""
    return Path(path).read_bytes().decode("utf-8-sig", errors="replace")


def clamp01(value: float) -> float:
    """Clamp to [0, 1]; NaN becomes 0."""
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open integer intervals ``[start, end)``, sorted and disjoint.

    Empty or inverted intervals are dropped; touching intervals are merged.
    """
    merged: list[tuple[int, int]] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            last_start, last_end = merged[-1]
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def count_covered(lines: Sequence[int], intervals: Iterable[tuple[int, int]]) -> int:
    """How many of ``lines`` (line numbers, any order, duplicates counted once) fall in the union
    of the half-open ``intervals``."""
    merged = merge_intervals(intervals)
    starts = [start for start, _ in merged]
    count = 0
    for line in set(lines):
        i = bisect.bisect_right(starts, line) - 1  # the last interval starting at or before line
        if i >= 0 and line < merged[i][1]:
            count += 1
    return count


def coverage_similarity(
    covered_left: int, total_left: int, covered_right: int, total_right: int
) -> float:
    """``(covered_left + covered_right) / (total_left + total_right)`` in [0, 1]; 0 when empty."""
    total = total_left + total_right
    if total <= 0:
        return 0.0
    return clamp01((covered_left + covered_right) / total)


def code_lines(text: str) -> list[int]:
    """1-based numbers of the lines that hold code: not blank, not only a ``#`` comment.

    The denominator of the jscpd score (jscpd compares tokens, and in its ``weak`` mode comments
    are not tokens, so blank and comment-only lines can never be part of a clone).
    """
    numbers = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            numbers.append(number)
    return numbers


def copydetect_pair_score(similarity_left: float, similarity_right: float) -> float:
    """copydetect's pair score: the larger of its two per-file similarities.

    copydetect reports, for each file of a pair, the share of that file's tokens found in the
    other, and lists a pair in its report when either share passes the display threshold: the
    larger one is what decides whether a user sees the pair.
    """
    return clamp01(max(similarity_left, similarity_right))


def _same_file(name: str, path: str) -> bool:
    return Path(name).resolve() == Path(path).resolve()


def jscpd_pair_score(
    report: Mapping[str, Any],
    left_path: str,
    right_path: str,
    left_text: str,
    right_text: str,
) -> tuple[float, dict[str, int]]:
    """The pair score from a jscpd JSON report (``jscpd-report.json``) of a run on the two files.

    Only clones with one fragment in each file count (jscpd also reports clones inside one file).
    A clone covers its fragment's lines ``start..end`` (1-based, inclusive); the score is the
    shared coverage similarity over code lines (see `code_lines`).
    """
    left_spans: list[tuple[int, int]] = []
    right_spans: list[tuple[int, int]] = []
    clones = 0
    for duplicate in report.get("duplicates", []):
        first, second = duplicate["firstFile"], duplicate["secondFile"]
        first_span = (int(first["start"]), int(first["end"]) + 1)
        second_span = (int(second["start"]), int(second["end"]) + 1)
        if _same_file(first["name"], left_path) and _same_file(second["name"], right_path):
            left_spans.append(first_span)
            right_spans.append(second_span)
        elif _same_file(first["name"], right_path) and _same_file(second["name"], left_path):
            left_spans.append(second_span)
            right_spans.append(first_span)
        else:
            continue
        clones += 1
    left_lines, right_lines = code_lines(left_text), code_lines(right_text)
    covered_left = count_covered(left_lines, left_spans)
    covered_right = count_covered(right_lines, right_spans)
    score = coverage_similarity(covered_left, len(left_lines), covered_right, len(right_lines))
    detail = {
        "clones": clones,
        "covered_left": covered_left,
        "covered_right": covered_right,
        "lines_left": len(left_lines),
        "lines_right": len(right_lines),
    }
    return score, detail
