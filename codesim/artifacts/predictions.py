"""Compare two prediction files: do they agree, errors included, beyond what chance allows?

A prediction file maps item ids to answers: JSON lines (one object a line), a JSON array of
such objects or one object of id -> answer, or CSV/TSV with a header.  The id field and the
answer field are found among common names (``ID_FIELDS``, ``PREDICTION_FIELDS``); a record that
also holds a gold field (``GOLD_FIELDS``) beside its prediction gives the gold answer.  Answers
are normalized lightly: surrounding space stripped; short answers also case-folded, inner space
collapsed, and numbers written one way (``1.0`` = ``1``).

Two models that are both right agree without copying anything, so with gold answers the
evidence is the *errors*: of the wrong answers of the side with fewer errors (X), how many did
the other side (Y) give identically?  The independence model: Y errs on an item at the rate
it errs on the other items, and when it errs it picks each wrong answer with the share that
answer has among its wrong answers on the other items (add-half smoothed over all wrong
answers seen, and excluding the item's gold answer, which is not a wrong answer there).  Summed
over X's errors that is the expected number of shared errors; the chance of at least the
observed number is the binomial tail with the mean per-item probability, which by Hoeffding's
(1956) theorem bounds the exact (Poisson-binomial) tail from above once the count exceeds the
mean by one.  The model treats items as equally hard; real models share hard items, so on few
labels some excess of shared errors is expected from difficulty alone, and the score asks for
the same wrong answer, not merely a wrong answer on the same item.

Without gold, the chance model is agreement between the two answer distributions
(``sum_k pX(k) pY(k)``), with a binomial tail for the observed agreement.  Two accurate models
agree far beyond that by both being right, so without gold the figures measure agreement, and
the summary says it cannot be told from copying.

``score`` (the contract's containment meaning, over the answers of the smaller file):

* with gold: ``coverage * clip((S - E) / (M - E), 0, 1) * min(1, M / MIN_EVIDENCE_ERRORS)``,
  where ``M`` is X's number of wrong answers, ``S`` how many of them Y gave identically and
  ``E`` the expected number under independence: the share of X's errors copied beyond chance;
* without gold: ``coverage * clip((A - C) / (1 - C), 0, 1) * min(1, N / MIN_EVIDENCE_ITEMS)``,
  Cohen's kappa of the ``N`` common items (agreement ``A``, chance agreement ``C``);

``coverage`` is the share of the smaller file's ids that the other file also answers.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from codesim.artifacts.base import ArtifactComparison, JsonValue, read_text
from codesim.errors import InputError

ID_FIELDS = ("id", "idx", "qid", "question_id", "example_id", "uid")
PREDICTION_FIELDS = ("prediction", "pred", "predicted", "answer", "output", "response", "label")
GOLD_FIELDS = ("gold", "target", "reference", "label", "ground_truth", "gold_answer")
"""Field names looked for, in order, compared case-insensitively.  ``label`` is a prediction in
a file that has no other answer field, and the gold answer beside a prediction field."""

JSON_SUFFIXES = frozenset({".jsonl", ".ndjson", ".json"})
CSV_SUFFIXES = frozenset({".csv", ".tsv"})

MAX_PREDICTIONS_BYTES = 100 * 1024 * 1024
"""A million predictions of a sentence each fit; past this the file is not read whole."""

SHORT_ANSWER_CHARS = 100
"""Labels, numbers and short answers are compared case-folded with space collapsed; longer
answers are generated text, whose exact form is part of what a copy shares."""

WRONG_ANSWER_SMOOTHING = 0.5
"""Add-half (Jeffreys) smoothing of Y's error rate and wrong-answer shares: an error, or a wrong
answer, Y never made on another item still has a small chance, not none."""

MIN_EVIDENCE_ERRORS = 20
"""Wrong answers the side with fewer errors must have before sharing all of them is full
evidence: a handful of shared errors can be coincidence in ways the model does not capture."""

MIN_EVIDENCE_ITEMS = 50
"""Common items needed before agreement without gold is full evidence."""

TAIL_CUTOFF_NATS = 40.0
"""Binomial tail terms below the largest by this much (a factor e**-40, about 4e-18) cannot
change the sum's leading digits, so the sum stops there."""

EXAMPLES_SHOWN = 10

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@dataclass(frozen=True, slots=True)
class _Predictions:
    source: Path
    answers: dict[str, str]
    gold: dict[str, str]
    id_field: str
    answer_field: str
    gold_field: str | None


def compare_predictions(left: Path, right: Path, gold: Path | None = None) -> ArtifactComparison:
    """Compare two prediction files over the ids both answer (see the module docstring).

    ``gold`` is an optional file of gold answers in the same formats; without it, a gold field
    in either prediction file is used (the left file's first).  Raises ``InputError`` for a
    missing, oversized or malformed file (naming the line), a file without an id or answer
    field, or files that share no ids.
    """
    a = _read(left, role="predictions")
    b = _read(right, role="predictions")
    common = sorted(a.answers.keys() & b.answers.keys())
    if not common:
        raise InputError(
            f"{left.name} and {right.name} share no ids "
            f"(for example {_example_id(a)!r} and {_example_id(b)!r})"
        )
    answers_gold, gold_source = _gold(a, b, gold)
    coverage = len(common) / min(len(a.answers), len(b.answers))
    details: dict[str, JsonValue] = {
        "ids_left": len(a.answers),
        "ids_right": len(b.answers),
        "common_ids": len(common),
        "coverage": coverage,
        "fields_left": {"id": a.id_field, "answer": a.answer_field, "gold": a.gold_field},
        "fields_right": {"id": b.id_field, "answer": b.answer_field, "gold": b.gold_field},
        "gold_source": gold_source,
    }
    agreement = _agreement(a, b, common, details)
    graded = [item for item in common if item in answers_gold]
    if gold is not None and not graded:
        raise InputError(f"{gold}: no gold answer for any of the {len(common)} common ids")
    if graded:
        return _with_gold(a, b, graded, answers_gold, coverage, agreement, details)
    return _without_gold(a, b, common, coverage, agreement, details)


# --- Reading -----------------------------------------------------------------------------------


def _read(path: Path, role: str) -> _Predictions:
    suffix = path.suffix.lower()
    if suffix not in JSON_SUFFIXES | CSV_SUFFIXES:
        kinds = ", ".join(sorted(JSON_SUFFIXES | CSV_SUFFIXES))
        raise InputError(f"{path}: not a prediction file (expected {kinds})")
    text = read_text(path, MAX_PREDICTIONS_BYTES, "a prediction file")
    records = _csv_records(text, path) if suffix in CSV_SUFFIXES else _json_records(text, path)
    if not records:
        raise InputError(f"{path}: no predictions in the file")
    first_line, first = records[0]
    names = {name.casefold(): name for name in first}
    id_field = _find(names, ID_FIELDS)
    if id_field is None:
        raise InputError(
            f"{path}: line {first_line}: no id field (looked for {', '.join(ID_FIELDS)}; "
            f"found {', '.join(first) or 'none'})"
        )
    answer_order = GOLD_FIELDS + PREDICTION_FIELDS if role == "gold" else PREDICTION_FIELDS
    answer_field = _find(names, answer_order)
    others = [name for name in first if name != id_field]
    if answer_field is None and len(others) == 1:
        answer_field = others[0]  # "id,whatever": the one other column is the answer
    if answer_field is None:
        raise InputError(
            f"{path}: line {first_line}: no answer field (looked for "
            f"{', '.join(answer_order)}; found {', '.join(first)})"
        )
    gold_field = None
    if role != "gold":
        gold_field = _find({k: v for k, v in names.items() if v != answer_field}, GOLD_FIELDS)
    answers: dict[str, str] = {}
    gold: dict[str, str] = {}
    seen_at: dict[str, int] = {}
    for line, record in records:
        for field in (id_field, answer_field):
            if field not in record:
                raise InputError(f"{path}: line {line}: no {field!r} field")
        item = _normal_id(record[id_field])
        if item in seen_at:
            raise InputError(
                f"{path}: line {line}: id {item!r} again (first at line {seen_at[item]})"
            )
        seen_at[item] = line
        answers[item] = normal_answer(record[answer_field])
        if gold_field is not None and record.get(gold_field) not in (None, ""):
            gold[item] = normal_answer(record[gold_field])
    return _Predictions(path, answers, gold, id_field, answer_field, gold_field)


def _find(names: dict[str, str], wanted: Iterable[str]) -> str | None:
    return next((names[name] for name in wanted if name in names), None)


def _json_records(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    stripped = text.lstrip()
    if stripped.startswith("[") or path.suffix.lower() == ".json":
        try:
            whole = json.loads(text)
        except json.JSONDecodeError as exc:
            if stripped.startswith("["):
                raise InputError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno})") from exc
            whole = None  # not one JSON value: JSON lines in a .json file
        if whole is not None:
            return _whole_json_records(whole, path)
    records: list[tuple[int, dict[str, object]]] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}: line {number}: not valid JSON: {exc.msg}") from exc
        records.append((number, _record(value, path, number)))
    return records


def _whole_json_records(value: object, path: Path) -> list[tuple[int, dict[str, object]]]:
    """Records of a file that is one JSON value: an array of records, one record, an object of
    id -> record, or an object of id -> answer.  Line numbers are record numbers then."""
    if isinstance(value, list):
        return [(number, _record(item, path, number)) for number, item in enumerate(value, 1)]
    if not isinstance(value, dict):
        raise InputError(f"{path}: expected records, found one {type(value).__name__}")
    if any(str(key).casefold() in ID_FIELDS for key in value):
        return [(1, _record(value, path, 1))]
    if all(isinstance(item, dict) for item in value.values()):
        return [
            (number, {"id": key, **_record(item, path, number)})
            for number, (key, item) in enumerate(value.items(), 1)
        ]
    return [
        (number, {"id": key, "prediction": item})
        for number, (key, item) in enumerate(value.items(), 1)
    ]


def _record(value: object, path: Path, line: int) -> dict[str, object]:
    if not isinstance(value, dict):
        raise InputError(
            f"{path}: line {line}: expected an object of fields, found {type(value).__name__}"
        )
    return {str(key): item for key, item in value.items()}


def _csv_records(text: str, path: Path) -> list[tuple[int, dict[str, object]]]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if header is None:
            return []
        header = [name.strip() for name in header]
        records: list[tuple[int, dict[str, object]]] = []
        for row in reader:
            if not row:
                continue
            if len(row) != len(header):
                raise InputError(
                    f"{path}: line {reader.line_num}: {len(row)} fields, "
                    f"the header has {len(header)}"
                )
            records.append((reader.line_num, dict(zip(header, row, strict=True))))
    except csv.Error as exc:
        raise InputError(f"{path}: line {reader.line_num}: not valid CSV: {exc}") from exc
    return records


def _normal_id(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def normal_answer(value: object) -> str:
    """An answer as compared: stripped; if short, case-folded, spaces collapsed, numbers in one
    form; lists and objects as canonical JSON; ``null`` as the empty answer."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = _number_text(value)
    elif isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = text.strip()
    if len(text) > SHORT_ANSWER_CHARS:
        return text
    text = " ".join(text.split()).casefold()
    if _NUMBER.fullmatch(text):
        return _number_text(float(text))
    return text


def _number_text(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def _example_id(predictions: _Predictions) -> str:
    return next(iter(predictions.answers))


def _gold(
    a: _Predictions, b: _Predictions, gold_path: Path | None
) -> tuple[dict[str, str], str | None]:
    if gold_path is not None:
        return _read(gold_path, role="gold").answers, "file"
    if a.gold or b.gold:
        source = "both" if a.gold and b.gold else "left" if a.gold else "right"
        return {**b.gold, **a.gold}, source
    return {}, None


# --- Statistics ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Agreement:
    items: int
    same: int
    rate: float
    chance_rate: float
    kappa: float


def _agreement(
    a: _Predictions, b: _Predictions, common: list[str], details: dict[str, JsonValue]
) -> _Agreement:
    n = len(common)
    same = sum(a.answers[item] == b.answers[item] for item in common)
    counts_a = Counter(a.answers[item] for item in common)
    counts_b = Counter(b.answers[item] for item in common)
    chance = sum(count * counts_b[answer] for answer, count in counts_a.items()) / (n * n)
    rate = same / n
    kappa = (rate - chance) / (1 - chance) if chance < 1 else 0.0
    details.update(
        {"agreeing": same, "agreement": rate, "chance_agreement": chance, "kappa": kappa}
    )
    return _Agreement(n, same, rate, chance, kappa)


def log_binomial_tail(n: int, k: int, p: float) -> float:
    """Natural log of P(X >= k) for X ~ Binomial(n, p), exact to double precision, in log
    space so that tails like 1e-300 and smaller do not underflow."""
    if k <= 0 or p >= 1:
        return 0.0
    if k > n or p <= 0:
        return -math.inf
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n_factorial = math.lgamma(n + 1)
    terms: list[float] = []
    peak = -math.inf
    for j in range(k, n + 1):
        term = (
            log_n_factorial
            - math.lgamma(j + 1)
            - math.lgamma(n - j + 1)
            + j * log_p
            + (n - j) * log_q
        )
        terms.append(term)
        peak = max(peak, term)
        # past the mode the terms only fall, so the rest cannot matter once this small
        if j > n * p and term < peak - TAIL_CUTOFF_NATS:
            break
    return peak + math.log(sum(math.exp(term - peak) for term in terms))


def _probability_text(log_tail: float) -> str:
    log10 = log_tail / math.log(10)
    if log10 < -6:
        return f"below 1e{math.floor(log10) + 1}"
    return f"about {math.exp(log_tail):.2g}"


def _chance_value(log_tail: float) -> float:
    return math.exp(log_tail) if log_tail > -745 else 0.0  # exp underflows to 0 below e**-745


def _with_gold(
    a: _Predictions,
    b: _Predictions,
    graded: list[str],
    gold: dict[str, str],
    coverage: float,
    agreement: _Agreement,
    details: dict[str, JsonValue],
) -> ArtifactComparison:
    wrong_a = [item for item in graded if a.answers[item] != gold[item]]
    wrong_b = [item for item in graded if b.answers[item] != gold[item]]
    x_is_left = len(wrong_a) <= len(wrong_b)
    x, y = (a, b) if x_is_left else (b, a)
    wrong_x, wrong_y = (wrong_a, wrong_b) if x_is_left else (wrong_b, wrong_a)
    shared = [item for item in wrong_x if y.answers[item] == x.answers[item]]
    y_wrong = Counter(y.answers[item] for item in wrong_y)
    # every wrong answer either side gave: the values Y's smoothed wrong-answer shares spread over
    vocabulary = max(2, len(set(y_wrong) | {x.answers[item] for item in wrong_x}))
    expected = sum(
        _p_same_wrong(
            x.answers[item], y.answers[item], gold[item], y_wrong, vocabulary, len(graded)
        )
        for item in wrong_x
    )
    errors = len(wrong_x)
    if errors:
        beyond = (len(shared) - expected) / (errors - expected) if errors > expected else 0.0
        log_tail = log_binomial_tail(errors, len(shared), expected / errors)
    else:
        beyond, log_tail = 0.0, 0.0
    damping = min(1.0, errors / MIN_EVIDENCE_ERRORS)
    score = coverage * max(0.0, min(1.0, beyond)) * damping
    details.update(
        {
            "graded_items": len(graded),
            "accuracy_left": 1 - len(wrong_a) / len(graded),
            "accuracy_right": 1 - len(wrong_b) / len(graded),
            "errors_left": len(wrong_a),
            "errors_right": len(wrong_b),
            "errors_of": "left" if x_is_left else "right",
            "shared_wrong_items": len(set(wrong_a) & set(wrong_b)),
            "shared_errors": len(shared),
            "expected_shared_errors": expected,
            "shared_errors_beyond_chance": max(0.0, min(1.0, beyond)),
            "damping": damping,
            "log10_chance": log_tail / math.log(10),
            "chance_model": (
                "the other side errs on each item at its error rate on the other items and, "
                "when wrong, gives each wrong answer with its share of its wrong answers on the "
                "other items (add-half smoothed, the item's gold answer excluded); binomial tail "
                "at the mean per-item probability, an upper bound of the exact tail"
            ),
            "shared_error_examples": [
                {"id": item, "answer": x.answers[item], "gold": gold[item]}
                for item in shared[:EXAMPLES_SHOWN]
            ],
        }
    )
    if errors:
        summary = (
            f"Of {x.source.name}'s {errors} wrong answers, {y.source.name} gave the same wrong "
            f"answer to {len(shared)} ({len(shared) / errors:.0%}); independent models would "
            f"share about {expected:.0f} — the chance of {len(shared)} or more is "
            f"{_probability_text(log_tail)}."
        )
    else:
        summary = (
            f"{x.source.name} made no errors on the {len(graded)} graded items, so shared "
            "errors cannot tell copying from both being right."
        )
    summary += (
        f" They agree on {agreement.rate:.0%} of {agreement.items} common items; accuracy "
        f"{1 - len(wrong_a) / len(graded):.0%} ({a.source.name}) and "
        f"{1 - len(wrong_b) / len(graded):.0%} ({b.source.name})."
    )
    return ArtifactComparison(
        kind="predictions",
        score=score,
        summary=summary,
        chance=_chance_value(log_tail) if errors else None,
        details=details,
    )


def _p_same_wrong(
    answer: str, y_answer: str, gold: str, y_wrong: Counter[str], vocabulary: int, graded: int
) -> float:
    """The chance that Y, independent of X, gives X's wrong ``answer`` on an item with ``gold``
    answer, where Y answered ``y_answer``; estimated from Y's wrong answers ``y_wrong`` on all
    graded items but this one (leave-one-out, so a copied answer does not raise its own odds)."""
    own_wrong = y_answer != gold
    errors_elsewhere = y_wrong.total() - own_wrong
    # the same add-half smoothing: a side that erred nowhere else may still err here
    rate = (errors_elsewhere + WRONG_ANSWER_SMOOTHING) / (graded - 1 + 2 * WRONG_ANSWER_SMOOTHING)
    same = y_wrong[answer] - (own_wrong and y_answer == answer)
    # Y's wrong answers elsewhere that are this item's gold answer cannot be wrong here
    possible = max(0, errors_elsewhere - y_wrong[gold])
    share = (same + WRONG_ANSWER_SMOOTHING) / (possible + WRONG_ANSWER_SMOOTHING * vocabulary)
    return rate * min(1.0, share)


def _without_gold(
    a: _Predictions,
    b: _Predictions,
    common: list[str],
    coverage: float,
    agreement: _Agreement,
    details: dict[str, JsonValue],
) -> ArtifactComparison:
    n = agreement.items
    log_tail = log_binomial_tail(n, agreement.same, agreement.chance_rate)
    damping = min(1.0, n / MIN_EVIDENCE_ITEMS)
    score = coverage * max(0.0, min(1.0, agreement.kappa)) * damping
    details.update(
        {
            "damping": damping,
            "log10_chance": log_tail / math.log(10),
            "chance_model": (
                "each side answers independently from its own answer distribution over the "
                "common items; binomial tail of the agreement at their chance agreement"
            ),
        }
    )
    summary = (
        f"{a.source.name} and {b.source.name} give the same answer on {agreement.same} of "
        f"{n} common items ({agreement.rate:.0%}); their answer distributions would agree on "
        f"about {n * agreement.chance_rate:.0f} by chance — the chance of {agreement.same} or "
        f"more is {_probability_text(log_tail)}. Without gold answers, agreement from both "
        "being right cannot be told from copying."
    )
    return ArtifactComparison(
        kind="predictions",
        score=score,
        summary=summary,
        chance=_chance_value(log_tail),
        details=details,
    )
