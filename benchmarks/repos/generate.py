"""Write the labelled repo pairs of one seed: ``python -m benchmarks.repos.generate --seed 1``.

Output (``DIR`` = ``.cache/repos/seed-<S>``, git-ignored):

- ``DIR/manifest.jsonl``: per pair ``id``, ``category`` (``derived``/``independent``),
  ``label`` (1/0), ``left``, ``right`` (folders relative to ``DIR``) and ``origin``;
- ``DIR/pairs/<id>/left/<name>/`` and ``right/<name>/``: the two repos;
- ``DIR/pairs/<id>/truth.json`` for a derived pair (``derive.Truth``);
- ``DIR/details.jsonl``: per pair, the operations applied or the look-alike group;
- ``DIR/summary.json``: counts, the independent candidates left out as copies, the cache key.

Derived pairs come from the repos of this seed's half of the material (``config.partition_of``,
``Repo.half``), several variants per repo, each with its own random mix of operations.
Independent pairs are two repos of one ``REPO_GROUPS`` group; there are too few same-purpose
repos for two disjoint halves of packages to give enough pairs each, so the *pairs* are split
between the seeds by a stable hash, as the accuracy benchmark splits its look-alike pairs.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import platform
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.accuracy import config, corpus
from benchmarks.accuracy.corpus import copy_evidence, stable_hash
from benchmarks.accuracy.generate import read_manifest, seed_dir
from benchmarks.repos import material
from benchmarks.repos.derive import Truth, copy_repo, derive_repo
from benchmarks.repos.material import REPO_GROUPS, Repo

__all__ = ["Truth", "derive_repo", "generate", "is_current", "read_manifest", "seed_dir"]

DEFAULT_OUT = config.CACHE_DIR / "repos"
DERIVED_PER_SEED = 72
INDEPENDENT_PER_SEED = 72
"""At least 60 of each are required; a little headroom."""


def cache_key(seed: int, params: dict[str, int]) -> str:
    """Changes whenever the generated set could: generator sources, seed, sizes, Python."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    accuracy = here.parent / "accuracy"
    sources = [here / n for n in ("derive.py", "material.py", "generate.py")]
    sources += [accuracy / n for n in ("config.py", "corpus.py", "transforms.py")]
    sources.append(config.REPO_ROOT / "tests" / "disguise.py")
    for path in sources:
        digest.update(path.read_bytes())
    digest.update(json.dumps([seed, params, sys.version, config.GENERATOR_VERSION]).encode())
    return digest.hexdigest()[:16]


def _params(derived: int, independent: int) -> dict[str, int]:
    return {"derived": derived, "independent": independent}


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class _Pair:
    id: str
    category: str
    left: Repo
    right: Repo | None
    """``None`` for a derived pair: the right side is generated from ``left``."""
    origin: str
    details: dict[str, Any] = field(default_factory=dict)
    derive_seed: int = 0


def _derived(repos: Sequence[Repo], seed: int, count: int) -> list[_Pair]:
    """``count`` variants, cycling over this half's repos in a seeded order."""
    half = config.partition_of(seed)
    pool = sorted((r for r in repos if r.half == half), key=lambda r: r.key)
    random.Random(f"{seed}:derived:order").shuffle(pool)
    pairs: list[_Pair] = []
    for variant in itertools.count():
        for repo in pool:
            if len(pairs) >= count:
                return pairs
            number = len(pairs) + 1
            pairs.append(
                _Pair(
                    f"derived-{number:03d}",
                    "derived",
                    repo,
                    None,
                    f"{repo.origin} variant {variant}",
                    derive_seed=stable_hash(f"{seed}:derived:{repo.key}:{variant}") % 2**31,
                )
            )
    raise AssertionError("unreachable")  # pragma: no cover - itertools.count never ends


def _independent(
    repos: Sequence[Repo], seed: int, count: int
) -> tuple[list[_Pair], list[dict[str, Any]]]:
    """Same-purpose pairs of this seed, taken in turn from each group so that no one group
    fills the set; known derivatives and pairs sharing literal code are left out."""
    half = config.partition_of(seed)
    by_key = {r.key: r for r in repos}
    queues: dict[str, list[tuple[Repo, Repo]]] = {}
    seen: set[tuple[str, str]] = set()
    for group, keys in REPO_GROUPS.items():
        members = [by_key[k] for k in keys if k in by_key]
        candidates = []
        for a, b in itertools.combinations(members, 2):
            key = (min(a.key, b.key), max(a.key, b.key))
            if key in seen or stable_hash("repo-pair:" + "|".join(key)) % 2 != half:
                continue
            seen.add(key)
            candidates.append((a, b))
        random.Random(f"{seed}:independent:{group}").shuffle(candidates)
        queues[group] = candidates
    rng = random.Random(f"{seed}:independent:sides")
    pairs: list[_Pair] = []
    excluded: list[dict[str, Any]] = []
    while len(pairs) < count and any(queues.values()):
        for group, queue in queues.items():
            if not queue or len(pairs) >= count:
                continue
            a, b = queue.pop()
            names = f"{a.key} | {b.key}"
            if material.same_project(a, b):
                continue
            if material.known_derivative(a, b):
                excluded.append({"pair": names, "why": "known derivative"})
                continue
            evidence = copy_evidence(a.text(), b.text())
            if evidence.looks_copied:
                excluded.append(
                    {
                        "pair": names,
                        "why": f"shares {evidence.shared_share:.0%} of substantial lines, "
                        f"longest run {evidence.longest_run}",
                    }
                )
                continue
            if rng.random() < 0.5:
                a, b = b, a
            details = {"group": group, "shared_line_share": round(evidence.shared_share, 3)}
            pair_id = f"independent-{len(pairs) + 1:03d}"
            pairs.append(_Pair(pair_id, "independent", a, b, f"{a.origin} | {b.origin}", details))
    return pairs, excluded


def generate(
    seed: int,
    out: Path,
    *,
    derived: int = DERIVED_PER_SEED,
    independent: int = INDEPENDENT_PER_SEED,
) -> Path:
    started = time.perf_counter()
    params = _params(derived, independent)
    repos = material.load_repos()
    _log(f"seed {seed}: {len(repos)} repos of material, half {config.partition_of(seed)}")
    pairs = _derived(repos, seed, derived)
    negatives, excluded = _independent(repos, seed, independent)
    pairs += negatives
    if (out / "pairs").exists():
        shutil.rmtree(out / "pairs")
    out.mkdir(parents=True, exist_ok=True)
    operations: Counter[str] = Counter()
    with (out / "manifest.jsonl").open("w") as manifest, (out / "details.jsonl").open("w") as det:
        for pair in pairs:
            folder = out / "pairs" / pair.id
            left = folder / "left" / pair.left.name
            copy_repo(pair.left.root, left, pair.left.files)
            if pair.right is None:
                right = folder / "right" / pair.left.name
                truth = derive_repo(pair.left.root, right, pair.derive_seed, files=pair.left.files)
                (folder / "truth.json").write_text(json.dumps(truth.to_json(), indent=1) + "\n")
                operations.update(truth.operations)
                pair.details = {"operations": truth.operations, "details": truth.details}
            else:
                right = folder / "right" / pair.right.name
                copy_repo(pair.right.root, right, pair.right.files)
            record = {
                "id": pair.id,
                "category": pair.category,
                "label": int(pair.category == "derived"),
                "left": left.relative_to(out).as_posix(),
                "right": right.relative_to(out).as_posix(),
                "origin": pair.origin,
            }
            manifest.write(json.dumps(record) + "\n")
            det.write(json.dumps({"id": pair.id, **pair.details}) + "\n")
    counts = Counter(p.category for p in pairs)
    groups = Counter(str(p.details.get("group")) for p in negatives)
    summary = {
        "seed": seed,
        "half": config.partition_of(seed),
        "cache_key": cache_key(seed, params),
        "params": params,
        "python": platform.python_version(),
        "pypi": [f"{d}=={v}" for d, v in corpus.PYPI_PINS],
        "counts": dict(sorted(counts.items())),
        "derived_repos": len({p.left.key for p in pairs if p.category == "derived"}),
        "operations": dict(sorted(operations.items())),
        "independent_groups": dict(sorted(groups.items())),
        "excluded_independent": excluded,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    _log(
        f"wrote {counts['derived']} derived and {counts['independent']} independent pairs to "
        f"{out} in {summary['seconds']}s ({len(excluded)} independent candidates left out)"
    )
    return out


def is_current(out: Path, seed: int) -> bool:
    """Whether ``out`` holds the set this code would generate for ``seed`` (default sizes)."""
    try:
        summary = json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return False
    params = _params(DERIVED_PER_SEED, INDEPENDENT_PER_SEED)
    return bool(summary.get("cache_key") == cache_key(seed, params))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, action="append", help="repeatable; default 1")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="default: .cache/repos")
    parser.add_argument("--derived", type=int, default=DERIVED_PER_SEED)
    parser.add_argument("--independent", type=int, default=INDEPENDENT_PER_SEED)
    args = parser.parse_args(argv)
    for seed in args.seed or [config.TUNING_SEED]:
        generate(
            seed,
            seed_dir(args.out, seed),
            derived=args.derived,
            independent=args.independent,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
