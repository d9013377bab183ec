"""The accuracy benchmark's metrics against cases small enough to compute by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.accuracy.score import (
    Metrics,
    average_precision,
    best_f1,
    calibration_threshold,
    category_metrics,
    fpr_at,
    read_scores,
    roc_auc,
    tpr_at_fpr,
    write_scores,
)


def test_roc_auc_counts_ordered_pairs() -> None:
    # (0.9 > 0.1), (0.9 > 0.85), (0.8 > 0.1) win; (0.8 < 0.85) loses: 3 of 4
    assert roc_auc([0.9, 0.8], [0.1, 0.85]) == pytest.approx(0.75)


def test_roc_auc_ties_count_one_half() -> None:
    assert roc_auc([0.5], [0.5]) == pytest.approx(0.5)
    # pairs: 0.5~0.5 -> 1/2, 0.5>0 -> 1, 1>0.5 -> 1, 1>0 -> 1: 3.5 of 4
    assert roc_auc([0.5, 1.0], [0.5, 0.0]) == pytest.approx(0.875)


def test_roc_auc_extremes_and_empty() -> None:
    assert roc_auc([0.7, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1, 0.2], [0.7, 0.8]) == 0.0
    assert math.isnan(roc_auc([], [0.1]))


def test_average_precision_by_hand() -> None:
    # t=0.9: P=1, R=1/2; t=0.8: P=1/2, R=1/2 (no gain); t=0.7: P=2/3, R=1
    assert average_precision([0.9, 0.7], [0.8]) == pytest.approx(0.5 * 1 + 0.5 * 2 / 3)


def test_average_precision_does_not_order_ties_optimistically() -> None:
    # one threshold holds the positive and the negative: precision 1/2 at recall 1
    assert average_precision([0.5], [0.5]) == pytest.approx(0.5)
    assert average_precision([0.9, 0.8], [0.1]) == pytest.approx(1.0)


def test_best_f1_and_its_threshold() -> None:
    # t=0.9: F1 2/3; t=0.8: 1/2; t=0.7: tp=2 fp=1 fn=0 -> 4/5
    f1, threshold = best_f1([0.9, 0.7], [0.8])
    assert f1 == pytest.approx(0.8)
    assert threshold == 0.7


def test_best_f1_prefers_the_highest_threshold_on_a_tie() -> None:
    # t=0.9 and t=0.6 both give F1 = 2/3
    f1, threshold = best_f1([0.9, 0.6], [0.8, 0.7])
    assert f1 == pytest.approx(2 / 3)
    assert threshold == 0.9


def test_tpr_at_fpr_flags_at_most_alpha_of_the_negatives() -> None:
    negatives = [i / 100 for i in range(100)]  # k = 1 may be flagged: only 0.99
    assert calibration_threshold(negatives, 0.01) == pytest.approx(0.98)
    tpr, threshold = tpr_at_fpr([0.985, 0.98, 0.995], negatives, 0.01)
    assert 0.98 < threshold < 0.985
    assert fpr_at(negatives, threshold) == pytest.approx(0.01)
    # the positive tied with the bounding negative is a miss
    assert tpr == pytest.approx(2 / 3)


def test_tpr_at_fpr_ties_among_negatives_are_conservative() -> None:
    negatives = [0.0] * 98 + [0.9, 0.9]  # flagging one 0.9 means flagging both: 2% > 1%
    tpr, threshold = tpr_at_fpr([0.9, 0.95], negatives, 0.01)
    assert threshold > 0.9
    assert fpr_at(negatives, threshold) == 0.0
    assert tpr == pytest.approx(0.5)


def test_tpr_at_fpr_with_fewer_than_100_negatives_allows_none() -> None:
    negatives = [i / 50 for i in range(50)]  # floor(0.5) = 0 false positives allowed
    tpr, threshold = tpr_at_fpr([0.99, 0.98], negatives, 0.01)
    assert threshold > max(negatives)
    assert tpr == pytest.approx(0.5)  # 0.98 is the highest negative: a tie, a miss
    assert calibration_threshold(negatives, 1.0) == -math.inf


def test_category_metrics_use_all_negatives_and_count_missing_scores_as_zero() -> None:
    manifest = [
        {"id": "rename-1", "category": "rename", "label": 1},
        {"id": "rename-2", "category": "rename", "label": 1},
        {"id": "format-1", "category": "format", "label": 1},
        {"id": "unrelated-1", "category": "unrelated", "label": 0},
        {"id": "lookalike-1", "category": "lookalike", "label": 0},
    ]
    scores = {"rename-1": 0.9, "format-1": 1.0, "unrelated-1": 0.1, "lookalike-1": 0.3}
    result = category_metrics(manifest, scores, ["rename", "format"], ["unrelated", "lookalike"])
    assert result["rename"].positives == 2
    assert result["rename"].negatives == 2
    # rename-2 is missing -> 0.0, below both negatives: 2 of 4 pairs won
    assert result["rename"].roc_auc == pytest.approx(0.5)
    assert result["format"].roc_auc == 1.0
    assert result["overall"].positives == 3
    assert isinstance(result["overall"], Metrics)


def test_scores_csv_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "scores.csv"
    write_scores(path, {"codesim": {"a": 0.5, "b": 1.0}, "peer": {"a": 0.25}})
    assert path.read_text().splitlines()[0] == "id,tool,score"
    assert read_scores(path) == {"codesim": {"a": 0.5, "b": 1.0}, "peer": {"a": 0.25}}
