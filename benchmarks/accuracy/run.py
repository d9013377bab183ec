"""Run the accuracy benchmark: ``python -m benchmarks.accuracy.run --seed 1``.

For each ``--seed``: generate the pair set if it is missing or stale (``generate.is_current``),
score every pair with codesim in-process (``codesim.compare(left, right).score``) and with any
peer tool asked for (through ``benchmarks.peers.runner.run_peers``, imported only then), write
``scores.csv`` (``id,tool,score``), and print:

- the per-category table (rows: category x metric; columns: tools);
- the calibration suggestion: the score a ``derived`` verdict must exceed for <= 1% (and
  <= 0.1%) false positives on this seed — only the tuning seed may be used for that;
- the false-positive details: the ten highest-scoring negatives, and how many look-alike and
  boilerplate negatives codesim calls ``derived`` (or ``identical``);
- the lowest-scoring positives of each category, to read the pairs codesim misses.

Then, per seed, the smaller section for JavaScript, TypeScript, Java, C, C++, Go and Rust
(``languages.py``; ``--languages none`` skips it).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.accuracy import config, generate, languages
from benchmarks.accuracy.score import (
    Metrics,
    calibration_threshold,
    category_metrics,
    format_table,
    fpr_at,
    write_scores,
)


@dataclass
class CodesimRow:
    id: str
    category: str
    label: int
    score: float
    verdict: str
    seconds: float
    lines: int
    error: str = ""


def score_codesim(folder: Path, manifest: Sequence[dict[str, Any]]) -> list[CodesimRow]:
    import codesim  # the tool under test; imported here so generation works without it

    rows: list[CodesimRow] = []
    started = time.perf_counter()
    interactive = sys.stderr.isatty()
    for number, pair in enumerate(manifest, start=1):
        left, right = folder / pair["left"], folder / pair["right"]
        lines = _lines(left) + _lines(right)
        t0 = time.perf_counter()
        try:
            report = codesim.compare(left, right)
            score, verdict, error = float(report.score), str(report.verdict), ""
        except Exception as exc:  # a crash is a miss (or a correct rejection), reported
            score, verdict, error = 0.0, "error", f"{type(exc).__name__}: {exc}"
        seconds = time.perf_counter() - t0
        rows.append(
            CodesimRow(
                pair["id"], pair["category"], int(pair["label"]), score, verdict, seconds, lines
            )
        )
        rows[-1].error = error
        if interactive or number % 200 == 0 or number == len(manifest):
            elapsed = time.perf_counter() - started
            end = "\n" if not interactive or number == len(manifest) else ""
            print(
                f"\rcodesim: {number}/{len(manifest)} pairs, {elapsed:.0f}s",
                end=end,
                file=sys.stderr,
                flush=True,
            )
    return rows


def _lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for _ in handle)


def score_peers(folder: Path, tools: Sequence[str]) -> dict[str, dict[str, float]]:
    """Scores from the peer harness, or an empty dict with a clear message when it is absent."""
    try:
        from benchmarks.peers.runner import run_peers
    except ImportError as exc:
        print(
            f"peer tools {', '.join(tools)} skipped: benchmarks/peers/runner.py cannot be "
            f"imported ({exc}); codesim's results are still complete",
            file=sys.stderr,
        )
        return {}
    try:
        return run_peers(folder, list(tools))
    except Exception as exc:  # not installed, or a tool broke down: say so, keep codesim's
        print(
            f"peer tools {', '.join(tools)} skipped: {type(exc).__name__}: {exc}\n"
            "  (install them with: bash benchmarks/peers/install.sh)",
            file=sys.stderr,
        )
        return {}


# --------------------------------------------------------------------------------------------
# reporting


def _fmt(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.4f}"


def calibration_lines(negatives: Sequence[float], tool: str, seed: int) -> list[str]:
    lines = []
    for alpha in (0.01, 0.001):
        bound = calibration_threshold(negatives, alpha)
        allowed = math.floor(alpha * len(negatives) + 1e-9)
        suggestion = math.floor(bound * 100 + 1) / 100 if math.isfinite(bound) else 0.0
        lines.append(
            f"  {tool}: FPR <= {alpha:.1%} on seed {seed} needs score > {bound:.6f} "
            f"({allowed} of {len(negatives)} negatives may be flagged); suggested threshold "
            f"{suggestion:.2f} (FPR there {fpr_at(negatives, suggestion):.2%})"
        )
    return lines


def report(
    seed: int,
    folder: Path,
    manifest: Sequence[dict[str, Any]],
    scores: dict[str, dict[str, float]],
    codesim_rows: list[CodesimRow],
    details: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    results: dict[str, dict[str, Metrics]] = {}
    for tool, by_id in scores.items():
        results[tool] = category_metrics(
            manifest, by_id, config.POSITIVE_CATEGORIES, config.NEGATIVE_CATEGORIES
        )
    counts = Counter(p["category"] for p in manifest)
    print(f"\n=== seed {seed} ({'tuning' if seed == config.TUNING_SEED else 'held-out'}) ===")
    print(
        "pairs: "
        + ", ".join(
            f"{c} {counts[c]}" for c in [*config.POSITIVE_CATEGORIES, *config.NEGATIVE_CATEGORIES]
        )
    )
    print(format_table(results))
    origin = {p["id"]: p["origin"] for p in manifest}
    category = {p["id"]: p["category"] for p in manifest}
    negative_ids = [p["id"] for p in manifest if int(p["label"]) == 0]

    print("\ncalibration (the lowest threshold keeping the false-positive rate in bounds):")
    for tool, by_id in scores.items():
        negatives = [by_id.get(i, 0.0) for i in negative_ids]
        for line in calibration_lines(negatives, tool, seed):
            print(line)
        if seed != config.TUNING_SEED:
            print(f"  ({tool}: held-out seed, for reporting only: never calibrate on it)")

    out: dict[str, Any] = {
        "seed": seed,
        "metrics": {t: {c: vars(m) for c, m in r.items()} for t, r in results.items()},
    }
    if codesim_rows:
        out.update(_codesim_details(codesim_rows, origin, category, details))
    return out


def _codesim_details(
    rows: list[CodesimRow],
    origin: dict[str, str],
    category: dict[str, str],
    details: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    from codesim.options import VERDICT_DERIVED, VERDICT_IDENTICAL

    negatives = sorted((r for r in rows if r.label == 0), key=lambda r: -r.score)
    print("\ncodesim: top 10 scoring negatives")
    for r in negatives[:10]:
        print(f"  {r.score:.3f} {r.verdict:11} {r.id:18} {origin[r.id]}")
    flagged = Counter(
        (r.category, r.verdict) for r in negatives if r.verdict in {"derived", "identical"}
    )
    print(
        f"codesim verdicts on negatives (derived >= {VERDICT_DERIVED}, identical >= "
        f"{VERDICT_IDENTICAL}): "
        + ", ".join(
            f"{c}: {flagged[(c, 'derived')]} derived, {flagged[(c, 'identical')]} identical"
            for c in config.NEGATIVE_CATEGORIES
        )
    )
    worst: dict[str, list[dict[str, Any]]] = {}
    print("\ncodesim: lowest-scoring positives per category")
    for cat in config.POSITIVE_CATEGORIES:
        members = sorted((r for r in rows if r.category == cat), key=lambda r: r.score)
        if not members:
            continue
        worst[cat] = []
        for r in members[:5]:
            applied = details.get(r.id, {}).get("applied", {})
            print(f"  {cat:15} {r.score:.3f} {r.id:18} {origin[r.id]}  {applied}")
            worst[cat].append({"id": r.id, "score": r.score, "origin": origin[r.id]})
    errors = [r for r in rows if r.error]
    if errors:
        print(f"\ncodesim errors: {len(errors)}")
        for r in errors[:10]:
            print(f"  {r.id}: {r.error}")
    seconds = sum(r.seconds for r in rows)
    lines = sum(r.lines for r in rows)
    print(
        f"\ncodesim: {len(rows)} pairs in {seconds:.1f}s "
        f"({len(rows) / max(seconds, 1e-9):.1f} pairs/s, {lines / max(seconds, 1e-9):,.0f} lines/s)"
    )
    return {
        "top_negatives": [
            {"id": r.id, "score": r.score, "verdict": r.verdict, "origin": origin[r.id]}
            for r in negatives[:10]
        ],
        "negatives_flagged": {f"{c}:{v}": n for (c, v), n in flagged.items()},
        "worst_positives": worst,
        "errors": len(errors),
        "codesim_seconds": round(seconds, 2),
    }


def _write_codesim_rows(path: Path, rows: list[CodesimRow]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "category", "label", "score", "verdict", "seconds", "error"])
        for r in rows:
            writer.writerow(
                [
                    r.id,
                    r.category,
                    r.label,
                    f"{r.score:.6f}",
                    r.verdict,
                    f"{r.seconds:.4f}",
                    r.error,
                ]
            )


def run_seed(seed: int, root: Path, tools: Sequence[str], *, regenerate: bool) -> dict[str, Any]:
    folder = generate.seed_dir(root, seed)
    started = time.perf_counter()
    if regenerate or not generate.is_current(folder, seed):
        generate.generate(seed, folder)
    generated = time.perf_counter() - started
    manifest = generate.read_manifest(folder)
    with (folder / "details.jsonl").open() as handle:
        details = {d["id"]: d for d in map(json.loads, handle)}
    scores: dict[str, dict[str, float]] = {}
    rows: list[CodesimRow] = []
    t0 = time.perf_counter()
    if "codesim" in tools:
        rows = score_codesim(folder, manifest)
        scores["codesim"] = {r.id: r.score for r in rows}
        _write_codesim_rows(folder / "codesim_details.csv", rows)
    peers = [t for t in tools if t != "codesim"]
    if peers:
        scores.update(score_peers(folder, peers))
    scored = time.perf_counter() - t0
    write_scores(folder / "scores.csv", scores)
    summary = report(seed, folder, manifest, scores, rows, details)
    summary["seconds"] = {"generate": round(generated, 1), "score": round(scored, 1)}
    (folder / "results.json").write_text(json.dumps(summary, indent=1, default=float) + "\n")
    print(
        f"\nseed {seed}: generation {generated:.0f}s, scoring {scored:.0f}s; "
        f"scores in {folder / 'scores.csv'}"
    )
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.accuracy.run", description=__doc__.split("\n", 1)[0]
    )
    parser.add_argument(
        "--seed",
        type=int,
        action="append",
        help=f"repeatable; default {config.TUNING_SEED} (tuning); {config.HELDOUT_SEED} is "
        "the held-out seed",
    )
    parser.add_argument(
        "--tools",
        default="codesim",
        help="comma-separated: codesim and any of the peers (copydetect, dolos, symilar, jscpd)",
    )
    parser.add_argument("--out", type=Path, default=config.DEFAULT_OUT)
    parser.add_argument("--regenerate", action="store_true", help="regenerate even if current")
    parser.add_argument(
        "--languages",
        default="all",
        help="the section for other languages, codesim only (benchmarks/accuracy/languages.py):"
        " 'all', 'none' or comma-separated ids",
    )
    args = parser.parse_args(argv)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    others = _other_languages(args.languages)
    for seed in args.seed or [config.TUNING_SEED]:
        run_seed(seed, args.out, tools, regenerate=args.regenerate)
        if others:
            print(f"\n=== seed {seed}: other languages (codesim) ===")
            languages.run(seed, others)
    return 0


def _other_languages(value: str) -> list[str]:
    if value == "none":
        return []
    if value == "all":
        return list(languages.SPECS)
    chosen = [name.strip() for name in value.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(languages.SPECS))
    if unknown:
        raise SystemExit(
            f"unknown languages: {', '.join(unknown)}; known: {', '.join(languages.SPECS)}"
        )
    return chosen


if __name__ == "__main__":
    raise SystemExit(main())
