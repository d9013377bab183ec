"""Score the repo pairs with codesim: ``python -m benchmarks.repos.run --seed 1 [--seed 4]``.

For each seed: generate the pairs if missing or stale (``generate.is_current``), call
``codesim.compare(left, right)`` on every pair, write ``results.json`` (per pair: score,
verdict, seconds, alignment accuracy; and the summary) and ``scores.csv`` (``id,tool,score``)
beside the pairs, and print:

- the counts, ROC-AUC and TPR at 1% FPR of ``score`` (``benchmarks/accuracy/score.py``);
- the verdict confusion matrix (rows: truth, columns: codesim's verdict);
- the highest independent score and the median time per pair;
- unit alignment accuracy over the derived pairs: the share of a pair's truth units (of at
  least three lines) that ``report.alignment`` aligns with the unit the truth says they became;
  mean, minimum and the share of pairs at >= 0.9 ("n/a" while reports carry no alignment);
- both score lists, sorted, so thresholds can be chosen on the tuning seed.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from benchmarks.accuracy import config
from benchmarks.accuracy.score import roc_auc, tpr_at_fpr, write_scores
from benchmarks.repos import generate
from benchmarks.repos.derive import Truth, iter_truth_units

VERDICTS = ("identical", "derived", "partial", "independent")
CATEGORIES = ("derived", "independent")


@dataclass
class Row:
    id: str
    category: str
    score: float
    verdict: str
    seconds: float
    alignment: float | None
    """Unit alignment accuracy of a derived pair; ``None`` without an alignment."""
    error: str = ""


def alignment_accuracy(report: Any, truth: Truth) -> float | None:
    """Share of the truth's units of >= 3 lines aligned with the unit they became."""
    alignment = getattr(report, "alignment", None)
    if alignment is None:
        return None
    aligned = {unit.left: unit.right for unit in alignment.units}
    expected = list(iter_truth_units(truth))
    if not expected:
        return None
    hits = sum(aligned.get(left) == right for left, right in expected)
    return float(hits) / len(expected)


def score_pairs(folder: Path, manifest: Sequence[dict[str, Any]]) -> list[Row]:
    import codesim  # the tool under test; imported here so generation works without it

    rows = []
    for number, pair in enumerate(manifest, start=1):
        t0 = time.perf_counter()
        try:
            report = codesim.compare(folder / pair["left"], folder / pair["right"])
            score, verdict, error = float(report.score), str(report.verdict), ""
        except Exception as exc:  # a crash is a miss (or a correct rejection), reported
            report, score, verdict, error = None, 0.0, "error", f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - t0
        accuracy = None
        truth_file = folder / "pairs" / pair["id"] / "truth.json"
        if report is not None and truth_file.is_file():
            truth = Truth.from_json(json.loads(truth_file.read_text()))
            accuracy = alignment_accuracy(report, truth)
        rows.append(Row(pair["id"], pair["category"], score, verdict, seconds, accuracy, error))
        if number % 24 == 0 or number == len(manifest):
            print(f"codesim: {number}/{len(manifest)} pairs", file=sys.stderr, flush=True)
    return rows


def summarize(rows: Sequence[Row]) -> dict[str, Any]:
    pos = [r.score for r in rows if r.category == "derived"]
    neg = [r.score for r in rows if r.category == "independent"]
    tpr, threshold = tpr_at_fpr(pos, neg, 0.01)
    confusion = {c: dict(Counter(r.verdict for r in rows if r.category == c)) for c in CATEGORIES}
    accuracies = [r.alignment for r in rows if r.category == "derived" and r.alignment is not None]
    return {
        "counts": dict(Counter(r.category for r in rows)),
        "roc_auc": roc_auc(pos, neg),
        "tpr_at_1pct_fpr": tpr,
        "threshold_1pct_fpr": threshold,
        "confusion": confusion,
        "max_independent_score": max(neg, default=math.nan),
        "median_seconds": statistics.median(r.seconds for r in rows) if rows else math.nan,
        "alignment": (
            {
                "pairs": len(accuracies),
                "mean": statistics.fmean(accuracies),
                "min": min(accuracies),
                "share_at_least_0.9": sum(a >= 0.9 for a in accuracies) / len(accuracies),
            }
            if accuracies
            else None
        ),
        "errors": [f"{r.id}: {r.error}" for r in rows if r.error],
        "derived_scores": sorted(pos),
        "independent_scores": sorted(neg),
    }


def report_lines(seed: int, summary: dict[str, Any]) -> list[str]:
    counts = summary["counts"]
    lines = [
        f"== seed {seed}: {counts.get('derived', 0)} derived, "
        f"{counts.get('independent', 0)} independent pairs",
        f"ROC-AUC {summary['roc_auc']:.4f}   TPR at 1% FPR {summary['tpr_at_1pct_fpr']:.4f} "
        f"(threshold {summary['threshold_1pct_fpr']:.4f})",
        "verdicts        " + "".join(f"{v:>12}" for v in (*VERDICTS, "error")),
    ]
    for category in CATEGORIES:
        row = summary["confusion"].get(category, {})
        lines.append(
            f"{category:16}" + "".join(f"{row.get(v, 0):>12}" for v in (*VERDICTS, "error"))
        )
    lines.append(f"max independent score {summary['max_independent_score']:.4f}")
    lines.append(f"median time per pair {summary['median_seconds']:.2f}s")
    alignment = summary["alignment"]
    if alignment is None:
        lines.append("unit alignment accuracy: n/a (reports carry no alignment)")
    else:
        lines.append(
            f"unit alignment accuracy over {alignment['pairs']} derived pairs: mean "
            f"{alignment['mean']:.3f}, min {alignment['min']:.3f}, "
            f"{alignment['share_at_least_0.9']:.0%} of pairs >= 0.9"
        )
    for category in CATEGORIES:
        scores = " ".join(f"{s:.3f}" for s in summary[f"{category}_scores"])
        lines.append(f"{category} scores: {scores}")
    lines += [f"ERROR {e}" for e in summary["errors"]]
    return lines


def run_seed(seed: int, root: Path, *, regenerate: bool) -> dict[str, Any]:
    folder = generate.seed_dir(root, seed)
    if regenerate or not generate.is_current(folder, seed):
        generate.generate(seed, folder)
    manifest = generate.read_manifest(folder)
    rows = score_pairs(folder, manifest)
    summary = summarize(rows)
    (folder / "results.json").write_text(
        json.dumps({"seed": seed, "summary": summary, "pairs": [asdict(r) for r in rows]}, indent=1)
        + "\n"
    )
    write_scores(folder / "scores.csv", {"codesim": {r.id: r.score for r in rows}})
    print("\n".join(report_lines(seed, summary)))
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, action="append", help="repeatable; default 1")
    parser.add_argument(
        "--out", type=Path, default=generate.DEFAULT_OUT, help="default: .cache/repos"
    )
    parser.add_argument("--regenerate", action="store_true", help="even when the cache is current")
    args = parser.parse_args(argv)
    for seed in args.seed or [config.TUNING_SEED]:
        run_seed(seed, args.out, regenerate=args.regenerate)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
