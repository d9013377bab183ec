"""The whole standard library against a disguised copy of itself.

Every ``.py`` file under the interpreter's stdlib directory (``site-packages`` excluded) is
copied to ``.cache/benchmarks/stdlib-<key>/original/`` and disguised into ``disguised/``
(built once, then reused).  One cold ``codesim.compare(original, disguised)`` is timed in a
fresh interpreter on ``--cores`` cores, with its peak memory.  Then, for every disguised file,
the pair with the highest score involving it must have its original on the left (same
relative path, or a byte-identical duplicate of it).  Misses are counted and listed.
Targets: < 10 minutes and < 4 GB on 2 cores.

    python -m benchmarks.stdlib [--cores 2] [--seed 1] [--workers 2] [--show 50]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import tokenize
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks._corpus import STDLIB, Corpus, Measurement, build_corpus, measure_compare, megabytes

TARGET_SECONDS = 600
TARGET_BYTES = 4 * 2**30
TINY_FILE_TOKENS = 40
"""A file with fewer code tokens (docstrings and comments aside) holds less than two k-grams
of evidence; not finding it is expected, so it is counted apart."""

TIE = 1e-9
LOW_OWN_SCORE = 0.6
"""A disguised copy scoring below this against its own original would not be called derived."""


@dataclass(frozen=True)
class Miss:
    path: str
    kind: str
    """``wrong`` (another file scores higher), ``tie`` (the original shares the top score),
    ``no pair``, ``tiny``, ``skipped`` (codesim skipped a side) or ``unchanged copy``."""
    detail: str


REAL_MISSES = ("wrong", "no pair")


@dataclass
class StdlibResult:
    corpus: Corpus
    measurement: Measurement
    cores: int
    checked: int = 0
    hits: int = 0
    duplicate_hits: int = 0
    """Top hit is another file with the same bytes as the original (the stdlib has a few)."""
    misses: list[Miss] = field(default_factory=list)
    own_scores: dict[str, tuple[float, int]] = field(default_factory=dict)
    """Score of each disguised file (of reasonable size) against its own original, with the
    canonical tokens of the pair's smaller side (0 when they were not paired)."""

    @property
    def lines(self) -> int:
        return self.corpus.stats.original_lines + self.corpus.stats.disguised_lines

    @property
    def real_misses(self) -> list[Miss]:
        return [m for m in self.misses if m.kind in REAL_MISSES]

    @property
    def meets_target(self) -> bool:
        return (
            self.measurement.compare_seconds < TARGET_SECONDS
            and self.measurement.peak_rss_bytes < TARGET_BYTES
        )


def stdlib_sources(root: Path = STDLIB) -> list[tuple[str, Path]]:
    """Every Python file of the standard library, by path relative to its directory."""
    sources = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if "site-packages" in relative.parts or "__pycache__" in relative.parts:
            continue
        if path.is_file() and not path.is_symlink():
            sources.append((relative.as_posix(), path))
    return sources


_LAYOUT = {
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.COMMENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}


def code_tokens(path: Path) -> int:
    """Python tokens of a file, leaving out comments, layout and bare string statements."""
    try:
        with path.open("rb") as handle:
            tokens = list(tokenize.tokenize(handle.readline))
    except (tokenize.TokenError, SyntaxError, UnicodeDecodeError):
        return len(path.read_bytes().split())
    count = 0
    at_line_start = True
    for index, tok in enumerate(tokens):
        if tok.type in _LAYOUT:
            at_line_start = at_line_start or tok.type in (tokenize.NEWLINE, tokenize.INDENT)
            at_line_start = at_line_start or tok.type == tokenize.DEDENT
            continue
        following = tokens[index + 1].type if index + 1 < len(tokens) else tokenize.ENDMARKER
        docstring = at_line_start and tok.type == tokenize.STRING and following == tokenize.NEWLINE
        count += not docstring
        at_line_start = False
    return count


def check_top_hits(result: StdlibResult) -> None:
    """For each disguised file, is its best-scoring partner its original?"""
    assert result.measurement.pairs is not None
    scores: dict[str, dict[str, float]] = defaultdict(dict)
    tokens: dict[tuple[str, str], int] = {}
    for left, right, score, smaller in result.measurement.pairs:
        scores[right][left] = max(score, scores[right].get(left, 0.0))
        tokens[left, right] = smaller
    original_root = result.corpus.original
    digest = {
        relative: hashlib.sha256((original_root / relative).read_bytes()).hexdigest()
        for relative in _files(original_root)
    }
    skipped = defaultdict(list)
    for side, path, reason in result.measurement.skipped:
        skipped[path].append(f"{side} skipped as {reason}")
    unchanged = {entry.split(":", 1)[0] for entry in result.corpus.stats.copied_unchanged}
    for relative in _files(result.corpus.disguised):
        result.checked += 1
        partners = scores.get(relative, {})
        if relative not in unchanged and code_tokens(original_root / relative) >= TINY_FILE_TOKENS:
            own = (partners.get(relative, 0.0), tokens.get((relative, relative), 0))
            result.own_scores[relative] = own
        miss = _judge(relative, partners, digest)
        if miss is None:
            result.hits += 1
            continue
        if miss.kind == "duplicate":
            result.duplicate_hits += 1
            continue
        if miss.kind in REAL_MISSES:
            # Explain a miss by what the benchmark expects codesim to ignore.
            if skipped.get(relative):
                miss = Miss(relative, "skipped", "; ".join(skipped[relative]))
            elif relative in unchanged:
                miss = Miss(relative, "unchanged copy", miss.detail)
            elif code_tokens(original_root / relative) < TINY_FILE_TOKENS:
                miss = Miss(relative, "tiny", miss.detail)
        result.misses.append(miss)


def _judge(relative: str, partners: dict[str, float], digest: dict[str, str]) -> Miss | None:
    if not partners:
        return Miss(relative, "no pair", "no pair reported")
    top = max(partners.values())
    leaders = sorted(left for left, score in partners.items() if score >= top - TIE)
    if leaders == [relative]:
        return None
    if relative in leaders:
        others = ", ".join(left for left in leaders if left != relative)
        return Miss(relative, "tie", f"{top:.3f} shared with {others}")
    if any(digest.get(left) == digest.get(relative) for left in leaders):
        return Miss(relative, "duplicate", leaders[0])
    own = partners.get(relative)
    own_text = f"{own:.3f}" if own is not None else "not paired"
    return Miss(relative, "wrong", f"top hit {leaders[0]} ({top:.3f}); original {own_text}")


def _files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py") if p.is_file())


def run(*, cores: int = 2, seed: int = 1, workers: int = 2) -> StdlibResult:
    corpus = build_corpus("stdlib", stdlib_sources(), seed=seed, workers=workers)
    measurement = measure_compare(corpus.original, corpus.disguised, cores=cores, pairs=True)
    result = StdlibResult(corpus=corpus, measurement=measurement, cores=cores)
    check_top_hits(result)
    return result


def describe(result: StdlibResult, show: int = 50) -> str:
    stats, m = result.corpus.stats, result.measurement
    verdict = "meets" if result.meets_target else "MISSES"
    kinds = Counter(miss.kind for miss in result.misses)
    lines = [
        f"stdlib: {stats.files} files, {stats.original_lines:,} + {stats.disguised_lines:,} = "
        f"{result.lines:,} lines; {stats.renames:,} names renamed",
        f"  disguise failures copied unchanged: {len(stats.copied_unchanged)} "
        f"(corpus built in {stats.build_seconds:.0f} s, cached in {result.corpus.original.parent})",
        f"  compare seconds (cold, {result.cores} core(s)): {m.compare_seconds:.1f}; process "
        f"{m.process_seconds:.1f}; lines/s {result.lines / m.compare_seconds:,.0f}",
        f"  peak memory: {megabytes(m.peak_rss_bytes):,.0f} MB  ({verdict} the "
        f"{TARGET_SECONDS // 60} min / {TARGET_BYTES // 2**30} GB target)",
        f"  pairs reported: {m.pair_count:,}; files skipped by codesim: {len(m.skipped)}",
        f"  top hit is the original: {result.hits} of {result.checked}"
        f" (+{result.duplicate_hits} byte-identical duplicates)",
        f"  misses: {len(result.real_misses)} real ("
        + ", ".join(f"{kinds[k]} {k}" for k in REAL_MISSES)
        + "); expected: "
        + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()) if k not in REAL_MISSES),
    ]
    evidence = int(str(m.options.get("min_evidence_tokens", 0)))
    own = sorted(result.own_scores.items(), key=lambda item: item[1][0])
    if own:
        values = [score for _, (score, _) in own]
        damped = [r for r, (score, size) in own if score < LOW_OWN_SCORE and 0 < size < evidence]
        low = [(r, s, n) for r, (s, n) in own if s < LOW_OWN_SCORE and not 0 < n < evidence]
        lines.append(
            f"  score against its own original ({len(values)} files of {TINY_FILE_TOKENS}+ "
            f"code tokens): median {statistics.median(values):.3f}, 5th percentile "
            f"{values[len(values) // 20]:.3f}; below {LOW_OWN_SCORE}: {len(low)}, plus "
            f"{len(damped)} small files damped by design (< {evidence} canonical tokens)"
        )
        for relative, score, size in low[:show]:
            paired = f"{size} tokens" if size else "not paired with its original"
            lines.append(f"    low score      {relative}: {score:.3f} ({paired})")
    ordered = sorted(result.misses, key=lambda miss: (miss.kind not in REAL_MISSES, miss.kind))
    for miss in ordered[:show]:
        lines.append(f"    {miss.kind:14} {miss.path}: {miss.detail}")
    if len(ordered) > show:
        lines.append(f"    ... and {len(ordered) - show} more (--show N lists more)")
    for failure in stats.copied_unchanged[:show]:
        lines.append(f"    copied unchanged {failure[:120]}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.stdlib", description=__doc__)
    parser.add_argument("--cores", type=int, default=2, help="cores the compare may use")
    parser.add_argument("--seed", type=int, default=1, help="disguise seed")
    parser.add_argument("--workers", type=int, default=2, help="processes building the copy")
    parser.add_argument("--show", type=int, default=50, help="misses to list")
    args = parser.parse_args(argv)
    result = run(cores=args.cores, seed=args.seed, workers=args.workers)
    print(describe(result, show=args.show))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
