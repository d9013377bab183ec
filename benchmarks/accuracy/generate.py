"""Write the labelled pair set of one seed: ``python -m benchmarks.accuracy.generate --seed 1``.

Output (``DIR`` = ``--out``, default ``.cache/accuracy/seed-<S>``):

- ``DIR/manifest.jsonl``: one JSON object per pair with exactly the keys ``id``, ``category``,
  ``label`` (1 copy, 0 not), ``left``, ``right`` (paths relative to ``DIR``) and ``origin``.
  The peer-tool harness (``benchmarks/peers/``) reads the same format.
- ``DIR/pairs/<id>/left.py`` and ``right.py``.
- ``DIR/details.jsonl``: per pair, the rewrites applied (for diagnosis; not part of the format).
- ``DIR/summary.json``: counts, the negatives left out as copies, the PyPI pins, the cache key.

Positives of a category come from distinct modules of this seed's half of the pool
(``config.partition_of``); all randomness is drawn from generators seeded with the seed, the
category and the module, so another seed shares no disguise randomness.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import itertools
import json
import platform
import random
import shutil
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.accuracy import config, corpus, transforms
from benchmarks.accuracy.corpus import Module, copy_evidence, module_half, stable_hash
from benchmarks.accuracy.transforms import Outcome
from tests.disguise import DisguiseError, check_compiles


@dataclass
class Pair:
    id: str
    category: str
    label: int
    left: str
    right: str
    origin: str
    details: dict[str, Any] = field(default_factory=dict)


def cache_key(seed: int, params: dict[str, int]) -> str:
    """Changes whenever the generated set could: generator sources, seed, sizes, Python."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    sources = [here / n for n in ("config.py", "corpus.py", "transforms.py", "generate.py")]
    sources.append(config.REPO_ROOT / "tests" / "disguise.py")
    for path in sources:
        digest.update(path.read_bytes())
    digest.update(json.dumps([seed, params, sys.version, config.GENERATOR_VERSION]).encode())
    return digest.hexdigest()[:16]


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# positives


def _positive(category: str, module: Module, seed: int, pool: Sequence[Module]) -> Pair | None:
    """One disguised copy of ``module``, or ``None`` when this disguise does not apply."""
    key = f"{seed}:{category}:{module.key}"
    rng = random.Random(key)
    dseed = stable_hash(key) % 2**31
    source = module.source()
    details: dict[str, Any] = {}
    origin = module.origin
    try:
        if category == "format":
            left, out = source, transforms.reformat(source, dseed)
        elif category == "rename":
            left, out = transforms.canonical(source), transforms.rename(source, dseed)
        elif category == "reorder":
            left, out = transforms.canonical(source), transforms.reorder(source, rng)
        elif category == "deadcode":
            left, out = transforms.canonical(source), transforms.deadcode(source, rng)
        elif category == "restructure":
            left, out = transforms.canonical(source), transforms.restructure(source, rng)
        elif category == "extract_inline":
            left, out = transforms.canonical(source), transforms.extract_inline(source, rng)
        elif category == "mixed":
            left, out = source, transforms.mixed(source, rng, seed=dseed)
        elif category == "partial":
            left = source
            found = _partial(module, rng, dseed, pool)
            if found is None:
                return None
            out, host, share = found
            origin = f"{module.origin} copied into {host.origin}"
            details.update(host=host.key, copied_share=round(share, 3))
        else:
            raise ValueError(category)
    except DisguiseError:
        return None
    if out.source.strip() == left.strip() or _has_huge_line(left) or _has_huge_line(out.source):
        return None
    details["applied"] = dict(out.applied)
    return Pair("", category, 1, left, out.source, origin, details)


def _partial(
    module: Module, rng: random.Random, dseed: int, pool: Sequence[Module]
) -> tuple[Outcome, Module, float] | None:
    hosts = [
        m
        for m in pool
        if m.package != module.package
        and not _share_group(m, module)
        and 0.6 <= m.lines / module.lines <= 1.6
    ]
    rng.shuffle(hosts)
    for host in hosts[:6]:
        try:
            out, share = transforms.partial_copy(module.source(), host.source(), rng, seed=dseed)
        except DisguiseError:
            continue
        return out, host, share
    return None


def _has_huge_line(text: str) -> bool:
    """``ast.unparse`` writes a literal table on one line; codesim rightly skips such text as
    minified, so a pair holding one measures the skip, not the disguise."""
    return any(len(line) > 2000 for line in text.splitlines())


# --------------------------------------------------------------------------------------------
# negatives

_GROUP_OF: dict[str, set[str]] = {}


def _index_groups(modules: Sequence[Module]) -> dict[str, list[Module]]:
    groups: dict[str, list[Module]] = {}
    for name, patterns in corpus.LOOKALIKE_GROUPS.items():
        groups[name] = corpus.match_patterns(modules, patterns)
        for m in groups[name]:
            _GROUP_OF.setdefault(m.key, set()).add(name)
    return groups


def _share_group(a: Module, b: Module) -> bool:
    return bool(_GROUP_OF.get(a.key, set()) & _GROUP_OF.get(b.key, set()))


@dataclass
class _Negatives:
    pairs: list[Pair] = field(default_factory=list)
    excluded: list[dict[str, Any]] = field(default_factory=list)
    seen: set[tuple[str, str]] = field(default_factory=set)

    def offer(
        self, category: str, left: tuple[str, str], right: tuple[str, str], why: str = ""
    ) -> bool:
        """Add the pair (origin, text) x 2 unless it was seen, is a known derivative, or its
        texts share enough literal lines to look copied."""
        (a_origin, a_text), (b_origin, b_text) = left, right
        key = (min(a_origin, b_origin), max(a_origin, b_origin))
        if key in self.seen or a_origin == b_origin:
            return False
        if _has_huge_line(a_text) or _has_huge_line(b_text):
            return False
        self.seen.add(key)
        a_key, b_key = a_origin.split(" ")[0], b_origin.split(" ")[0]
        if corpus.known_derivatives(a_key.split("::")[0], b_key.split("::")[0]):
            self.excluded.append({"category": category, "pair": key, "why": "known derivative"})
            return False
        evidence = copy_evidence(a_text, b_text)
        if evidence.looks_copied:
            self.excluded.append(
                {
                    "category": category,
                    "pair": key,
                    "why": f"shares {evidence.shared_share:.0%} of substantial lines, "
                    f"longest run {evidence.longest_run}",
                }
            )
            return False
        details: dict[str, Any] = {"kind": why} if why else {}
        details["shared_line_share"] = round(evidence.shared_share, 3)
        self.pairs.append(
            Pair("", category, 0, a_text, b_text, f"{a_origin} | {b_origin}", details)
        )
        return True


def _lookalikes(
    groups: dict[str, list[Module]], half: int, rng: random.Random, neg: _Negatives
) -> None:
    candidates: dict[tuple[str, str], tuple[Module, Module, str]] = {}
    for name, members in groups.items():
        for a, b in itertools.combinations(members, 2):
            if a.package == b.package:
                continue
            key = (min(a.key, b.key), max(a.key, b.key))
            if stable_hash("pair:" + "|".join(key)) % 2 == half:
                candidates.setdefault(key, (a, b, name))
    chosen = sorted(candidates)
    rng.shuffle(chosen)
    taken = 0
    for key in chosen:
        if taken >= config.LOOKALIKE_NEGATIVES_MAX:
            break
        a, b, group = candidates[key]
        taken += neg.offer("lookalike", (a.origin, a.source()), (b.origin, b.source()), why=group)
    if taken < config.LOOKALIKE_NEGATIVES_MIN:
        _log(f"WARNING: only {taken} look-alike pairs (want >= {config.LOOKALIKE_NEGATIVES_MIN})")


def _unrelated(pool: Sequence[Module], rng: random.Random, neg: _Negatives, count: int) -> None:
    by_size = sorted(pool, key=lambda m: m.lines)
    taken = attempts = 0
    while taken < count and attempts < count * 50:
        attempts += 1
        a = rng.choice(by_size)
        near = [
            b
            for b in by_size
            if b.package != a.package
            and max(a.lines, b.lines) / min(a.lines, b.lines) <= 1.5
            and not _share_group(a, b)
        ]
        if not near:
            continue
        b = rng.choice(near)
        taken += neg.offer("unrelated", (a.origin, a.source()), (b.origin, b.source()))


def _is_dataclass_heavy(tree: ast.Module) -> bool:
    count = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.ClassDef):
            continue
        marks = [ast.unparse(d) for d in node.decorator_list] + [ast.unparse(b) for b in node.bases]
        if any(
            word in mark
            for mark in marks
            for word in ("dataclass", "attr.s", "attrs", "define", "NamedTuple", "TypedDict")
        ):
            count += 1
    return count >= 3


_CLI_CALLS = ("ArgumentParser", "OptionParser", "getopt")


def _cli_script(module: Module, tree: ast.Module) -> str | None:
    """The argument-parsing part of a module as a script: its imports, the functions that build
    a parser, and the ``if __name__ == "__main__":`` block."""
    keep: list[ast.stmt] = []
    parsers = 0
    for stmt in tree.body:
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            keep.append(stmt)
        elif isinstance(stmt, ast.FunctionDef):
            calls = {
                getattr(n.func, "attr", None) or getattr(n.func, "id", None)
                for n in ast.walk(stmt)
                if isinstance(n, ast.Call)
            }
            if calls & set(_CLI_CALLS):
                keep.append(stmt)
                parsers += 1
        elif isinstance(stmt, ast.If) and "__main__" in ast.unparse(stmt.test):
            keep.append(stmt)
    if not parsers:
        return None
    lines = module.source().splitlines(keepends=True)
    text = "".join(
        "".join(lines[transforms.first_line(s) - 1 : s.end_lineno])
        + ("\n" if isinstance(s, ast.FunctionDef) else "")
        for s in keep
    )
    if len(text.splitlines()) < 20:
        return None
    try:
        check_compiles(text)
    except DisguiseError:
        return None
    return text


def _boilerplate(
    modules: Sequence[Module], half: int, rng: random.Random, neg: _Negatives, count: int
) -> None:
    tests = sorted(
        (m for m in modules if m.is_test and module_half(m.key) == half), key=lambda m: m.lines
    )
    dataclass_mods: list[tuple[str, str]] = []
    scripts: list[tuple[str, str]] = []
    for m in modules:
        if m.lines > config.MAX_LINES:
            continue
        try:
            tree = ast.parse(m.source())
        except SyntaxError:
            continue
        if _is_dataclass_heavy(tree):
            dataclass_mods.append((m.origin, m.source()))
        script = _cli_script(m, tree)
        if script is not None:
            scripts.append((f"{m.origin}::cli", script))

    def from_list(items: list[tuple[str, str]], want: int, why: str) -> int:
        pairs = [
            (a, b)
            for a, b in itertools.combinations(items, 2)
            if stable_hash("pair:" + a[0] + "|" + b[0]) % 2 == half
        ]
        rng.shuffle(pairs)
        taken = 0
        for a, b in pairs:
            if taken >= want:
                break
            taken += neg.offer("boilerplate", a, b, why=why)
        return taken

    got = from_list(scripts, int(count * 0.35), "argument-parsing scripts")
    got += from_list(dataclass_mods, int(count * 0.2), "dataclass-heavy modules")
    attempts = 0
    while got < count and attempts < count * 50 and len(tests) > 1:
        attempts += 1
        a = rng.choice(tests)
        near = [
            b for b in tests if b is not a and max(a.lines, b.lines) / min(a.lines, b.lines) <= 1.5
        ]
        if near:
            b = rng.choice(near)
            got += neg.offer(
                "boilerplate", (a.origin, a.source()), (b.origin, b.source()), "unittest files"
            )
    _log(
        f"boilerplate: {got} pairs ({len(scripts)} CLI scripts, {len(dataclass_mods)} "
        f"dataclass-heavy modules, {len(tests)} unittest files in this half)"
    )


# --------------------------------------------------------------------------------------------
# the whole set


def generate(
    seed: int,
    out: Path,
    *,
    per_category: int = config.POSITIVES_PER_CATEGORY,
    unrelated: int = config.UNRELATED_NEGATIVES,
    boilerplate: int = config.BOILERPLATE_NEGATIVES,
    categories: Iterable[str] = config.POSITIVE_CATEGORIES,
) -> Path:
    started = time.perf_counter()
    params = {"per_category": per_category, "unrelated": unrelated, "boilerplate": boilerplate}
    key = cache_key(seed, params)
    modules = corpus.load_corpus()
    half = config.partition_of(seed)
    groups = _index_groups(modules)
    pool = [m for m in modules if not m.is_test and module_half(m.key) == half]
    _log(f"seed {seed}: half {half} of the pool, {len(pool)} modules for positives")

    pairs: list[Pair] = []
    shortfalls: dict[str, int] = {}
    for category in categories:
        order = sorted(pool, key=lambda m: m.key)
        random.Random(f"{seed}:{category}:order").shuffle(order)
        made = 0
        for module in order:
            if made >= per_category:
                break
            pair = _positive(category, module, seed, pool)
            if pair is not None:
                pairs.append(pair)
                made += 1
        _log(f"  {category:15} {made:4} positives")
        if made < per_category:
            shortfalls[category] = made

    neg = _Negatives()
    _lookalikes(groups, half, random.Random(f"{seed}:lookalike"), neg)
    _unrelated(pool, random.Random(f"{seed}:unrelated"), neg, unrelated)
    _boilerplate(modules, half, random.Random(f"{seed}:boilerplate"), neg, boilerplate)
    pairs.extend(neg.pairs)
    counts = Counter(p.category for p in pairs)
    for category in config.NEGATIVE_CATEGORIES:
        _log(f"  {category:15} {counts[category]:4} negatives")

    _write(out, pairs)
    summary = {
        "seed": seed,
        "half": half,
        "cache_key": key,
        "params": params,
        "python": platform.python_version(),
        "stdlib": str(corpus.stdlib_root()),
        "pypi": [f"{d}=={v}" for d, v in corpus.PYPI_PINS],
        "counts": dict(sorted(counts.items())),
        "shortfalls": shortfalls,
        "excluded_negatives": neg.excluded,
        "seconds": round(time.perf_counter() - started, 1),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    _log(
        f"wrote {len(pairs)} pairs to {out} in {summary['seconds']}s "
        f"({len(neg.excluded)} negative candidates left out as copies)"
    )
    return out


def _write(out: Path, pairs: list[Pair]) -> None:
    if (out / "pairs").exists():
        shutil.rmtree(out / "pairs")
    out.mkdir(parents=True, exist_ok=True)
    numbers: Counter[str] = Counter()
    with (out / "manifest.jsonl").open("w") as manifest, (out / "details.jsonl").open("w") as det:
        for pair in pairs:
            numbers[pair.category] += 1
            pair.id = f"{pair.category}-{numbers[pair.category]:04d}"
            folder = out / "pairs" / pair.id
            folder.mkdir(parents=True)
            (folder / "left.py").write_text(pair.left, encoding="utf-8")
            (folder / "right.py").write_text(pair.right, encoding="utf-8")
            record = {
                "id": pair.id,
                "category": pair.category,
                "label": pair.label,
                "left": f"pairs/{pair.id}/left.py",
                "right": f"pairs/{pair.id}/right.py",
                "origin": pair.origin,
            }
            manifest.write(json.dumps(record) + "\n")
            det.write(json.dumps({"id": pair.id, **pair.details}) + "\n")


def is_current(out: Path, seed: int) -> bool:
    """Whether ``out`` holds the set this code would generate for ``seed`` (default sizes)."""
    try:
        summary = json.loads((out / "summary.json").read_text())
    except (OSError, ValueError):
        return False
    params = {
        "per_category": config.POSITIVES_PER_CATEGORY,
        "unrelated": config.UNRELATED_NEGATIVES,
        "boilerplate": config.BOILERPLATE_NEGATIVES,
    }
    return bool(summary.get("cache_key") == cache_key(seed, params))


def read_manifest(out: Path) -> list[dict[str, Any]]:
    with (out / "manifest.jsonl").open() as handle:
        return [json.loads(line) for line in handle if line.strip()]


def seed_dir(root: Path, seed: int) -> Path:
    return root / f"seed-{seed}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seed", type=int, default=config.TUNING_SEED)
    parser.add_argument("--out", type=Path, help="default: .cache/accuracy/seed-<S>")
    parser.add_argument("--per-category", type=int, default=config.POSITIVES_PER_CATEGORY)
    parser.add_argument("--unrelated", type=int, default=config.UNRELATED_NEGATIVES)
    parser.add_argument("--boilerplate", type=int, default=config.BOILERPLATE_NEGATIVES)
    args = parser.parse_args(argv)
    out = args.out or seed_dir(config.DEFAULT_OUT, args.seed)
    generate(
        args.seed,
        out,
        per_category=args.per_category,
        unrelated=args.unrelated,
        boilerplate=args.boilerplate,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
