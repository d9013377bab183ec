"""Metrics of the accuracy benchmark (numpy only), and the per-category table.

Input: a manifest (``generate.read_manifest``) and scores as rows of (``id``, ``tool``,
``score``) — the ``scores.csv`` that ``run`` writes.  A pair is called a copy when its score
is at least the threshold (``score >= t``).

Definitions (every function takes the positives' and the negatives' scores):

- ``roc_auc``: the probability that a random positive outscores a random negative, ties
  counting one half (the Mann-Whitney statistic).
- ``average_precision``: sum over distinct thresholds, high to low, of (recall gain) x
  (precision there); tied scores form one threshold (no optimistic ordering inside a tie).
- ``best_f1``: the best F1 over all thresholds, with the highest threshold that reaches it.
- ``tpr_at_fpr``: the threshold is the *lowest* value ``t`` such that at most ``alpha`` of the
  negatives score ``>= t``.  With ``k = floor(alpha * N)`` negatives allowed and the negatives
  sorted high to low, that is "just above the (k+1)-th highest negative": ``t = nextafter(n[k],
  +inf)``.  Ties are conservative: a positive tied with that negative is a miss, and if the
  k-th and (k+1)-th negatives tie, neither may be flagged (fewer than k false positives).  The
  TPR is the share of positives ``>= t``.  ``calibration_threshold`` returns ``n[k]`` itself
  (the bound a verdict threshold must exceed).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def _arrays(
    pos: Sequence[float] | FloatArray, neg: Sequence[float] | FloatArray
) -> tuple[FloatArray, FloatArray]:
    return np.asarray(pos, dtype=np.float64), np.asarray(neg, dtype=np.float64)


def roc_auc(pos: Sequence[float] | FloatArray, neg: Sequence[float] | FloatArray) -> float:
    p, n = _arrays(pos, neg)
    if not len(p) or not len(n):
        return math.nan
    scores = np.concatenate([p, n])
    order = np.argsort(scores, kind="mergesort")
    sorted_scores = scores[order]
    ranks = np.empty(len(scores), dtype=np.float64)
    # average ranks (1-based) over runs of equal scores
    boundaries = np.flatnonzero(np.diff(sorted_scores)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(scores)]])
    for start, end in zip(starts, ends, strict=True):
        ranks[order[start:end]] = (start + 1 + end) / 2.0
    rank_sum = ranks[: len(p)].sum()
    u = rank_sum - len(p) * (len(p) + 1) / 2.0
    return float(u / (len(p) * len(n)))


def _thresholded(p: FloatArray, n: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Distinct thresholds high to low, with true and false positives at each (``>= t``)."""
    thresholds = np.unique(np.concatenate([p, n]))[::-1]
    p_sorted = np.sort(p)
    n_sorted = np.sort(n)
    tp = len(p) - np.searchsorted(p_sorted, thresholds, side="left")
    fp = len(n) - np.searchsorted(n_sorted, thresholds, side="left")
    return thresholds, tp.astype(np.float64), fp.astype(np.float64)


def average_precision(
    pos: Sequence[float] | FloatArray, neg: Sequence[float] | FloatArray
) -> float:
    p, n = _arrays(pos, neg)
    if not len(p):
        return math.nan
    _, tp, fp = _thresholded(p, n)
    precision = tp / np.maximum(tp + fp, 1)
    recall = tp / len(p)
    gains = np.diff(np.concatenate([[0.0], recall]))
    return float(np.sum(gains * precision))


def best_f1(
    pos: Sequence[float] | FloatArray, neg: Sequence[float] | FloatArray
) -> tuple[float, float]:
    """(best F1, the highest threshold reaching it)."""
    p, n = _arrays(pos, neg)
    if not len(p):
        return math.nan, math.nan
    thresholds, tp, fp = _thresholded(p, n)
    fn = len(p) - tp
    f1 = 2 * tp / np.maximum(2 * tp + fp + fn, 1)
    best = int(np.argmax(f1))  # first maximum = highest threshold
    return float(f1[best]), float(thresholds[best])


def calibration_threshold(neg: Sequence[float] | FloatArray, alpha: float) -> float:
    """The (k+1)-th highest negative score, k = floor(alpha * N): a threshold strictly above
    it flags at most ``alpha`` of the negatives.  ``-inf`` when every negative may be flagged."""
    n = np.sort(np.asarray(neg, dtype=np.float64))[::-1]
    if not len(n):
        return math.nan
    k = math.floor(alpha * len(n) + 1e-9)
    if k >= len(n):
        return -math.inf
    return float(n[k])


def tpr_at_fpr(
    pos: Sequence[float] | FloatArray, neg: Sequence[float] | FloatArray, alpha: float = 0.01
) -> tuple[float, float]:
    """(TPR, threshold) at false-positive rate <= ``alpha``; see the module docstring."""
    p, n = _arrays(pos, neg)
    if not len(p) or not len(n):
        return math.nan, math.nan
    bound = calibration_threshold(n, alpha)
    threshold = float(np.nextafter(bound, np.inf))
    return float(np.mean(p >= threshold)), threshold


def fpr_at(neg: Sequence[float] | FloatArray, threshold: float) -> float:
    n = np.asarray(neg, dtype=np.float64)
    return float(np.mean(n >= threshold)) if len(n) else math.nan


@dataclass(frozen=True)
class Metrics:
    positives: int
    negatives: int
    roc_auc: float
    average_precision: float
    best_f1: float
    best_f1_threshold: float
    tpr_at_1pct_fpr: float
    threshold_1pct_fpr: float

    @classmethod
    def of(cls, pos: Sequence[float] | FloatArray, neg: Sequence[float] | FloatArray) -> Metrics:
        f1, f1_t = best_f1(pos, neg)
        tpr, t = tpr_at_fpr(pos, neg, 0.01)
        return cls(
            len(pos),
            len(neg),
            roc_auc(pos, neg),
            average_precision(pos, neg),
            f1,
            f1_t,
            tpr,
            t,
        )


METRIC_ROWS: tuple[tuple[str, str], ...] = (
    ("roc_auc", "ROC-AUC"),
    ("average_precision", "AP"),
    ("best_f1", "best F1"),
    ("best_f1_threshold", "  at threshold"),
    ("tpr_at_1pct_fpr", "TPR@1%FPR"),
)


# --------------------------------------------------------------------------------------------
# joining scores with the manifest


def read_scores(path: Path) -> dict[str, dict[str, float]]:
    """``scores.csv`` -> {tool: {pair id: score}}."""
    out: dict[str, dict[str, float]] = {}
    with path.open(newline="") as handle:
        for row in csv.DictReader(handle):
            out.setdefault(row["tool"], {})[row["id"]] = float(row["score"])
    return out


def write_scores(path: Path, scores: Mapping[str, Mapping[str, float]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "tool", "score"])
        for tool, by_id in scores.items():
            for pair_id, value in by_id.items():
                writer.writerow([pair_id, tool, f"{value:.6f}"])


def by_category(
    manifest: Iterable[Mapping[str, object]], scores: Mapping[str, float]
) -> dict[str, list[float]]:
    """Scores grouped by category; a pair the tool did not score counts as 0 (a miss for a
    positive, a correct rejection for a negative) — a tool cannot gain by crashing."""
    out: dict[str, list[float]] = {}
    for row in manifest:
        out.setdefault(str(row["category"]), []).append(scores.get(str(row["id"]), 0.0))
    return out


def category_metrics(
    manifest: Sequence[Mapping[str, object]],
    scores: Mapping[str, float],
    positive_categories: Sequence[str],
    negative_categories: Sequence[str],
) -> dict[str, Metrics]:
    """Each positive category against ALL negatives, plus ``overall`` (all positives)."""
    grouped = by_category(manifest, scores)
    negatives = [s for c in negative_categories for s in grouped.get(c, [])]
    out: dict[str, Metrics] = {}
    for category in positive_categories:
        if grouped.get(category):
            out[category] = Metrics.of(grouped[category], negatives)
    everything = [s for c in positive_categories for s in grouped.get(c, [])]
    out["overall"] = Metrics.of(everything, negatives)
    return out


def format_table(results: Mapping[str, Mapping[str, Metrics]]) -> str:
    """Rows = category x metric, one column per tool."""
    tools = list(results)
    categories: list[str] = []
    for per_tool in results.values():
        categories += [c for c in per_tool if c not in categories]
    width = max(12, *(len(t) + 2 for t in tools))
    lines = [f"{'category':16}{'metric':16}" + "".join(f"{t:>{width}}" for t in tools)]
    for category in categories:
        first = True
        for attr, label in METRIC_ROWS:
            cells = []
            for tool in tools:
                metrics = results[tool].get(category)
                value = getattr(metrics, attr) if metrics else math.nan
                cells.append(f"{value:>{width}.3f}")
            name = category if first else ""
            lines.append(f"{name:16}{label:16}" + "".join(cells))
            first = False
        counts = results[tools[0]].get(category)
        if counts:
            lines.append(
                f"{'':16}{'  (pos / neg)':16}{counts.positives:>{width}} / {counts.negatives}"
            )
    return "\n".join(lines)
