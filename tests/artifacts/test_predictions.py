"""Prediction comparison: copied outputs against independent models, with and without gold."""

from __future__ import annotations

import csv
import json
import math
import random
from pathlib import Path

import pytest

from codesim.artifacts.predictions import compare_predictions, log_binomial_tail, normal_answer
from codesim.errors import InputError

LABELS = ["A", "B", "C", "D"]
ITEMS = 1000


def _gold(seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    return {f"q{i:04d}": rng.choice(LABELS) for i in range(ITEMS)}


def _model(gold: dict[str, str], accuracy: float, seed: int) -> dict[str, str]:
    """A model right with probability ``accuracy``, otherwise a uniformly wrong label."""
    rng = random.Random(seed)
    return {
        item: answer
        if rng.random() < accuracy
        else rng.choice([label for label in LABELS if label != answer])
        for item, answer in gold.items()
    }


def _edited(answers: dict[str, str], changes: int, seed: int) -> dict[str, str]:
    """A copy with ``changes`` answers replaced by random labels (some by chance the same)."""
    rng = random.Random(seed)
    copy = dict(answers)
    for item in rng.sample(sorted(copy), changes):
        copy[item] = rng.choice(LABELS)
    return copy


def _jsonl(path: Path, answers: dict[str, str], gold: dict[str, str] | None = None) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for item, answer in answers.items():
            record = {"id": item, "prediction": answer}
            if gold is not None:
                record["label"] = gold[item]
            out.write(json.dumps(record) + "\n")
    return path


def _csv(path: Path, answers: dict[str, str], id_name: str = "qid") -> Path:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow([id_name, "answer"])
        # lower case and padded: normalization must see the same answers
        writer.writerows((item, f" {answer.lower()} ") for item, answer in answers.items())
    return path


@pytest.fixture
def gold() -> dict[str, str]:
    return _gold()


def test_copied_predictions_with_a_gold_file(tmp_path: Path, gold: dict[str, str]) -> None:
    original = _model(gold, 0.75, seed=1)
    copy = _edited(original, 30, seed=2)
    gold_file = tmp_path / "gold.jsonl"
    gold_file.write_text(
        "".join(json.dumps({"qid": k, "target": v}) + "\n" for k, v in gold.items()),
        encoding="utf-8",
    )

    result = compare_predictions(
        _jsonl(tmp_path / "a.jsonl", original), _csv(tmp_path / "b.csv", copy), gold_file
    )

    assert result.kind == "predictions"
    assert result.score >= 0.9
    assert result.chance is not None and result.chance < 1e-6
    assert result.details["gold_source"] == "file"
    log10 = result.details["log10_chance"]
    assert isinstance(log10, float) and log10 < -100  # reported without underflow
    assert "wrong answers" in result.summary and "below 1e-" in result.summary


def test_independent_models_of_similar_accuracy_with_gold_fields(
    tmp_path: Path, gold: dict[str, str]
) -> None:
    first = _model(gold, 0.75, seed=1)
    second = _model(gold, 0.73, seed=3)

    result = compare_predictions(
        _jsonl(tmp_path / "a.jsonl", first, gold), _jsonl(tmp_path / "b.jsonl", second, gold)
    )

    assert result.score <= 0.2
    assert result.chance is not None and result.chance > 1e-3
    assert result.details["gold_source"] == "both"
    expected = result.details["expected_shared_errors"]
    shared = result.details["shared_errors"]
    assert isinstance(expected, float) and isinstance(shared, int)
    assert abs(shared - expected) < 4 * math.sqrt(expected)


def test_copied_predictions_without_gold(tmp_path: Path, gold: dict[str, str]) -> None:
    original = _model(gold, 0.75, seed=1)
    result = compare_predictions(
        _jsonl(tmp_path / "a.jsonl", original),
        _jsonl(tmp_path / "b.jsonl", _edited(original, 30, seed=2)),
    )

    assert result.score >= 0.9
    assert result.chance is not None and result.chance < 1e-6
    assert "cannot be told from copying" in result.summary


def test_unrelated_answers_without_gold_score_low(tmp_path: Path, gold: dict[str, str]) -> None:
    result = compare_predictions(
        _jsonl(tmp_path / "a.jsonl", _model(gold, 0.25, seed=1)),
        _jsonl(tmp_path / "b.jsonl", _model(gold, 0.25, seed=3)),
    )

    assert result.score <= 0.2
    assert result.chance is not None and result.chance > 1e-3


def test_without_gold_accurate_independent_models_look_alike(
    tmp_path: Path, gold: dict[str, str]
) -> None:
    # The limit the summary states: both being right is agreement too.
    first = _jsonl(tmp_path / "a.jsonl", _model(gold, 0.9, seed=1))
    second = _jsonl(tmp_path / "b.jsonl", _model(gold, 0.9, seed=3))
    without = compare_predictions(first, second)
    gold_file = _jsonl(tmp_path / "gold.jsonl", gold)
    with_gold = compare_predictions(first, second, gold_file)

    assert without.score > 0.5
    assert with_gold.score <= 0.2


def test_identical_free_text_errors_are_unlikely_by_chance(tmp_path: Path) -> None:
    rng = random.Random(5)
    gold = {f"item-{i}": f"the answer is {i}" for i in range(60)}
    original = {
        item: answer if rng.random() < 0.6 else f"perhaps it is {rng.randrange(10**6)}"
        for item, answer in gold.items()
    }
    result = compare_predictions(
        _jsonl(tmp_path / "a.jsonl", original, gold),
        _jsonl(tmp_path / "b.jsonl", _edited(original, 3, seed=6)),
    )

    assert result.score >= 0.9
    assert result.chance is not None and result.chance < 1e-6


def test_partial_overlap_lowers_the_score(tmp_path: Path, gold: dict[str, str]) -> None:
    original = _model(gold, 0.75, seed=1)
    half = dict(list(original.items())[: ITEMS // 2])
    other_half = {f"x{item}": answer for item, answer in list(original.items())[ITEMS // 2 :]}
    result = compare_predictions(
        _jsonl(tmp_path / "a.jsonl", original),
        _jsonl(tmp_path / "b.jsonl", {**half, **other_half}),
    )
    assert result.details["coverage"] == 0.5
    assert 0.4 <= result.score <= 0.5


def test_normal_answer() -> None:
    assert normal_answer("  Paris ") == normal_answer("paris") == "paris"
    assert normal_answer(1) == normal_answer("1.0") == normal_answer(1.0) == "1"
    assert normal_answer(None) == ""
    assert normal_answer(["b", "a"]) == '["b", "a"]'
    long = "A " * 80
    assert normal_answer(long) == long.strip()  # generated text keeps its case


def test_log_binomial_tail_matches_the_direct_sum() -> None:
    n, p = 30, 0.2
    for k in (0, 5, 6, 15, 30):
        direct = sum(math.comb(n, j) * p**j * (1 - p) ** (n - j) for j in range(k, n + 1))
        assert math.exp(log_binomial_tail(n, k, p)) == pytest.approx(direct, rel=1e-9)
    deep = log_binomial_tail(1000, 900, 0.01)
    assert math.isfinite(deep) and deep / math.log(10) < -1000
    assert log_binomial_tail(10, 11, 0.5) == -math.inf


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.jsonl", '{"id": 1, "pred": "a"}\n{"id": 2, "pred": "b"}\n{"id": 3,\n', "line 3"),
        ("list.jsonl", '{"id": 1, "pred": "a"}\n[1, 2]\n', "line 2: expected an object"),
        ("noid.jsonl", '{"name": 1, "pred": "a"}\n', "no id field"),
        ("noanswer.jsonl", '{"id": 1, "pred": "a", "score": 0.5}\n{"id": 2}\n', "line 2"),
        ("dup.jsonl", '{"id": 1, "pred": "a"}\n{"id": 1, "pred": "b"}\n', "again"),
        ("short.csv", "id,answer\n1,a\n2\n", "line 3: 1 fields"),
        ("empty.csv", "", "no predictions"),
        ("preds.txt", "1 a\n", "not a prediction file"),
    ],
)
def test_malformed_files_raise_input_errors(
    tmp_path: Path, name: str, text: str, message: str
) -> None:
    bad = tmp_path / name
    bad.write_text(text, encoding="utf-8")
    good = _jsonl(tmp_path / "good.jsonl", {"1": "a", "2": "b"})
    with pytest.raises(InputError, match=message) as caught:
        compare_predictions(good, bad)
    assert name in str(caught.value)


def test_files_without_common_ids_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="share no ids"):
        compare_predictions(
            _jsonl(tmp_path / "a.jsonl", {"1": "a"}), _jsonl(tmp_path / "b.jsonl", {"2": "a"})
        )


def test_json_object_of_id_to_answer(tmp_path: Path) -> None:
    mapping = tmp_path / "answers.json"
    mapping.write_text(json.dumps({"1": "a", "2": "b", "3": "c"}), encoding="utf-8")
    result = compare_predictions(mapping, _jsonl(tmp_path / "b.jsonl", {"1": "a", "2": "b"}))
    assert result.details["common_ids"] == 2
    assert result.details["agreement"] == 1.0


def test_pretty_printed_json_of_id_to_record(tmp_path: Path) -> None:
    records = tmp_path / "records.json"
    records.write_text(
        json.dumps({"1": {"pred": "a", "gold": "a"}, "2": {"pred": "b", "gold": "c"}}, indent=2),
        encoding="utf-8",
    )
    result = compare_predictions(records, _jsonl(tmp_path / "b.jsonl", {"1": "a", "2": "b"}))
    assert result.details["gold_source"] == "left"
    assert result.details["shared_errors"] == 1
