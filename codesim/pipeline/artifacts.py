"""Artifacts that are not code, compared as evidence: two artifacts given directly, or the
artifacts two repos hold, found by name and paired by kind.

Each kind's comparison lives in ``codesim.artifacts`` (imported when needed: checkpoints need
the ``ml`` extra); this module finds, pairs and reports.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath

from codesim import results
from codesim.artifacts import ArtifactComparison, ArtifactKind
from codesim.artifacts.kinds import (
    CHECKPOINT_INDEX_SUFFIX,
    PICKLED_CHECKPOINT_SUFFIXES,
    TOKENIZER_FILES,
    kind_of,
)
from codesim.artifacts.summary import (
    SUMMARIZED_KINDS,
    ArtifactSummary,
    compare_summaries,
    summarize,
)
from codesim.errors import CodesimError, InputError
from codesim.options import Options, verdict_for
from codesim.sources.ignore import LOCK_FILES, VIRTUALENV_MARKER, is_always_ignored_dir

MAX_ARTIFACTS = 200
"""Artifacts looked at per side of a repo comparison: a repo with thousands of JSON fixtures
would otherwise make the comparison about them."""

MAX_ARTIFACT_BYTES = 20_000_000
"""Configs, tokenizers and prediction files past this size are left out of repo comparisons
(checkpoints are read memory-mapped and sampled, whatever their size)."""

INDEXED_CONFIG_BYTES = 1_000_000
"""Configs larger than this are not kept in an index: configs are kilobytes, and a megabyte
of JSON in a code project is data (fixtures, schemas) that would slow indexing down."""

MAX_COMPARISONS = 400
"""Artifact pairs tried per repo comparison, beyond those with the same path or name."""


def compare_artifacts(
    kind: ArtifactKind, left: Path, right: Path, *, unsafe_pickle: bool = False
) -> ArtifactComparison:
    """Compare two artifacts of ``kind`` with that kind's comparison (``unsafe_pickle``: read
    pickled checkpoints, see ``Options.unsafe_pickle``)."""
    if kind == "checkpoint":
        from codesim.artifacts.checkpoints import compare_checkpoints

        return compare_checkpoints(left, right, unsafe_pickle=unsafe_pickle)
    return _comparer(kind)(left, right)


def _comparer(kind: ArtifactKind) -> Callable[[Path, Path], ArtifactComparison]:
    if kind == "config":
        from codesim.artifacts.configs import compare_configs

        return compare_configs
    if kind == "tokenizer":
        from codesim.artifacts.tokenizers import compare_tokenizers

        return compare_tokenizers
    from codesim.artifacts.predictions import compare_predictions

    return compare_predictions


def artifact_pair(
    kind: ArtifactKind,
    left: Path,
    right: Path,
    left_name: str,
    right_name: str,
    *,
    unsafe_pickle: bool = False,
) -> results.ArtifactPair:
    """The report's model of one artifact comparison."""
    found = compare_artifacts(kind, left, right, unsafe_pickle=unsafe_pickle)
    return _pair_model(found, left_name, right_name)


def _pair_model(found: ArtifactComparison, left_name: str, right_name: str) -> results.ArtifactPair:
    return results.ArtifactPair(
        kind=found.kind,
        left=left_name,
        right=right_name,
        score=round(found.score, 6),
        verdict=verdict_for(found.score),
        summary=found.summary,
        chance=found.chance,
        details=found.details,
    )


def artifact_report(
    left: Path, right: Path, kind: ArtifactKind, options: Options
) -> results.Report:
    """Two artifacts compared directly: the report's score and verdict are theirs."""
    pair = artifact_pair(
        kind, left, right, left.name, right.name, unsafe_pickle=options.unsafe_pickle
    )
    return results.Report(
        score=pair.score,
        similarity=pair.score,
        verdict=pair.verdict,
        left=_side(left),
        right=_side(right),
        left_coverage=pair.score,
        right_coverage=pair.score,
        pairs=[],
        identifier_map=[],
        skipped=[],
        options=options.model_dump(),
        artifacts=[pair],
    )


def _side(path: Path) -> results.Side:
    files = sum(1 for p in path.iterdir() if p.is_file()) if path.is_dir() else 1
    return results.Side(path=str(path), files=files, lines=0, tokens=0)


def repo_artifacts(
    left: Path, right: Path, options: Options
) -> tuple[list[results.ArtifactPair], list[str]]:
    """The artifacts two repos hold, paired by kind (same path first, then same name, then
    the best of the rest), with the pairs at ``options.min_score`` or more; and warnings for
    artifacts that could not be read."""

    def compare(kind: ArtifactKind, a: str, b: str) -> results.ArtifactPair:
        return artifact_pair(kind, left / a, right / b, a, b, unsafe_pickle=options.unsafe_pickle)

    unsafe = options.unsafe_pickle
    return _paired(_artifacts(left, unsafe), _artifacts(right, unsafe), compare, options)


def project_summaries(
    root: Path, *, unsafe_pickle: bool = False
) -> tuple[list[ArtifactSummary], list[str]]:
    """Summaries of the configs, tokenizers and checkpoints under ``root`` (what an index
    keeps of a project, and what a check compares with it), and warnings for those that
    could not be read.  Reads only artifact files, each bounded (``INDEXED_CONFIG_BYTES``,
    the kinds' own caps, checkpoints sampled), so indexing code pays a directory walk."""
    found: list[ArtifactSummary] = []
    warnings: list[str] = []
    if not root.is_dir():
        return found, warnings
    for name, kind in _artifacts(root, unsafe_pickle).items():
        if kind not in SUMMARIZED_KINDS:
            continue
        if kind == "config" and _larger_than(root / name, INDEXED_CONFIG_BYTES):
            continue
        try:
            found.append(summarize(kind, root / name, name, unsafe_pickle=unsafe_pickle))
        except CodesimError as error:
            warnings.append(f"artifacts: {name} not summarized: {error}")
    return found, warnings


def hit_artifacts(
    mine: list[ArtifactSummary], theirs: list[ArtifactSummary], project: str, options: Options
) -> tuple[list[results.ArtifactPair], list[str]]:
    """The checked repo's artifact summaries paired with a stored project's (named
    ``project:path``, as a hit's file pairs are) and compared, as ``repo_artifacts`` pairs
    two repos' artifacts."""
    left = {s.path: s for s in mine}
    right = {s.path: s for s in theirs}

    def compare(kind: ArtifactKind, a: str, b: str) -> results.ArtifactPair:
        return _pair_model(compare_summaries(left[a], right[b]), a, f"{project}:{b}")

    kinds_left = {name: s.kind for name, s in left.items()}
    kinds_right = {name: s.kind for name, s in right.items()}
    return _paired(kinds_left, kinds_right, compare, options)


def _paired(
    mine: dict[str, ArtifactKind],
    theirs: dict[str, ArtifactKind],
    compare: Callable[[ArtifactKind, str, str], results.ArtifactPair],
    options: Options,
) -> tuple[list[results.ArtifactPair], list[str]]:
    """Each left artifact with its best right partner of the same kind (``_partners`` order),
    at most ``MAX_COMPARISONS`` tries a kind."""
    warnings: list[str] = []
    found: list[results.ArtifactPair] = []
    used: set[str] = set()
    for kind in ("checkpoint", "tokenizer", "config", "predictions"):
        lefts = [p for p, k in mine.items() if k == kind]
        rights = [p for p, k in theirs.items() if k == kind]
        tried = 0
        for a in lefts:
            best: tuple[results.ArtifactPair, str] | None = None
            for b in _partners(a, rights, used):
                if tried >= MAX_COMPARISONS:
                    break
                tried += 1
                try:
                    pair = compare(kind, a, b)
                except CodesimError as error:
                    warnings.append(f"artifacts: {a} vs {b} not compared: {error}")
                    continue
                if best is None or pair.score > best[0].score:
                    best = pair, b
                if pair.score >= 0.99:
                    break
            if best is not None and best[0].score >= options.min_score and best[0].score > 0:
                used.add(best[1])
                found.append(best[0])
    found.sort(key=lambda p: (-p.score, p.kind, p.left))
    return found, warnings


def _partners(name: str, candidates: list[str], used: set[str]) -> Iterator[str]:
    """Right artifacts to try for a left one: same path, same file name, then the rest."""
    free = [c for c in candidates if c not in used]
    base = PurePosixPath(name).name
    same_path = [c for c in free if c == name]
    same_name = [c for c in free if c != name and PurePosixPath(c).name == base]
    rest = [c for c in free if c != name and PurePosixPath(c).name != base]
    yield from same_path + same_name + rest


def _artifacts(root: Path, unsafe_pickle: bool = False) -> dict[str, ArtifactKind]:
    """Artifacts under ``root`` by POSIX path relative to it: tokenizer folders as one
    artifact, a sharded checkpoint by its index; never lock files or what the source walk
    never enters, and pickled checkpoints only with ``unsafe_pickle``."""
    found: dict[str, ArtifactKind] = {}
    for folder, dirs, files in os.walk(root):  # never follows symlinks to folders
        here = Path(folder)
        # The folders the source walk never enters (VCS, caches, virtual environments).
        dirs[:] = sorted(
            d
            for d in dirs
            if not is_always_ignored_dir(d)
            and not d.startswith(".")
            and not (here / d / VIRTUALENV_MARKER).exists()
        )
        relative = here.relative_to(root)
        names = set(files)
        tokenizer = bool(names & {"tokenizer.json", "tokenizer_config.json"})
        if tokenizer:
            found[(relative.as_posix() if relative.parts else ".")] = "tokenizer"
        indexed = {n for n in names if n.endswith(CHECKPOINT_INDEX_SUFFIX) and ".safetensors" in n}
        for name in sorted(names):
            path = here / name
            if (tokenizer and name in TOKENIZER_FILES) or name in LOCK_FILES:
                # Lock files pin the same dependencies in unrelated projects: no evidence.
                continue
            pickled = name.lower().endswith(PICKLED_CHECKPOINT_SUFFIXES)
            if (pickled and not unsafe_pickle) or path.is_symlink():
                continue
            if name.endswith(".safetensors") and indexed:
                continue  # a shard: its index stands for the checkpoint
            kind = kind_of(path)
            if kind is None:
                continue
            if kind != "checkpoint" and _too_large(path):
                continue
            found[(relative / name).as_posix()] = kind
            if len(found) >= MAX_ARTIFACTS:
                return found
    return found


def _too_large(path: Path) -> bool:
    return _larger_than(path, MAX_ARTIFACT_BYTES)


def _larger_than(path: Path, limit: int) -> bool:
    try:
        return path.stat().st_size > limit
    except OSError:
        return True


def artifact_inputs(left: Path, right: Path) -> ArtifactKind | None:
    """The kind both inputs are, when ``compare`` was given two artifacts; None for code.
    Two artifacts of different kinds are an input error."""
    kinds = kind_of(left), kind_of(right)
    if kinds == (None, None):
        return None
    if None in kinds or kinds[0] != kinds[1]:
        described = " and ".join(k or "code" for k in kinds)
        raise InputError(f"cannot compare {left} with {right}: they are {described}")
    return kinds[0]
