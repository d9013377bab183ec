"""Pair scores, all in [0, 1] and symmetric in their two sides.

- ``score``: matched tokens over the tokens of the smaller side (containment: a module pasted
  whole into a big file scores high), damped linearly when that side has fewer than
  ``min_evidence`` tokens, because a handful of matching tokens is weak evidence;
- ``similarity``: matched tokens of both sides over all tokens of both sides (Dolos's figure);
- coverages: the matched share of each side.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scores:
    """The numbers of one comparison (see the module docstring)."""

    score: float
    similarity: float
    left_coverage: float
    right_coverage: float


def score(
    left_matched: int, right_matched: int, left_tokens: int, right_tokens: int, min_evidence: int
) -> Scores:
    """Scores from matched and total token counts of each side."""
    if left_tokens == 0 or right_tokens == 0:
        return Scores(0.0, 0.0, 0.0, 0.0)
    left_coverage = min(1.0, left_matched / left_tokens)
    right_coverage = min(1.0, right_matched / right_tokens)
    # The smaller side's coverage; on a tie either side (by symmetry) gives the same number.
    if left_tokens < right_tokens:
        containment, smaller = left_coverage, left_tokens
    elif right_tokens < left_tokens:
        containment, smaller = right_coverage, right_tokens
    else:
        containment, smaller = max(left_coverage, right_coverage), left_tokens
    damping = min(1.0, smaller / min_evidence)
    similarity = (left_matched + right_matched) / (left_tokens + right_tokens)
    return Scores(
        score=round(containment * damping, 6),
        similarity=round(min(1.0, similarity), 6),
        left_coverage=round(left_coverage, 6),
        right_coverage=round(right_coverage, 6),
    )
