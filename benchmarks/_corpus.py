"""What the benchmarks share: the disguise generator, cached corpora and the measured child run.

The generator lives in ``tests/disguise.py`` (it belongs to the tests); ``disguise_module``
below is the one place that knows how to import it.  Generated corpora go to the git-ignored
``.cache/benchmarks/`` and are rebuilt when the generator, the seed or the Python version
changes.
"""

from __future__ import annotations

import compileall
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import time
import tokenize
import zlib
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / ".cache" / "benchmarks"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
GENERATOR = ROOT / "tests" / "disguise.py"


def disguise_module() -> ModuleType:
    """``tests.disguise``, importable from a checkout without installing anything."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from tests import disguise

    return disguise


def count_lines(data: bytes) -> int:
    """Physical lines, counting a last line without a newline."""
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


# --------------------------------------------------------------------------------------------
# corpora: an original folder and its disguised copy


@dataclass
class CorpusStats:
    """How a pair of folders (``original/`` and ``disguised/``) was built."""

    files: int = 0
    original_lines: int = 0
    disguised_lines: int = 0
    renames: int = 0
    copied_unchanged: list[str] = field(default_factory=list)
    """Files the generator could not disguise (not Python 3, undecodable): copied as they are."""
    build_seconds: float = 0.0


@dataclass(frozen=True)
class Corpus:
    original: Path
    disguised: Path
    stats: CorpusStats


def _disguise_file(job: tuple[str, str, int]) -> tuple[str, bytes, int, str]:
    """(relative path, bytes to write, renames, error) for one file; runs in a worker."""
    relative, source_path, seed = job
    generator = disguise_module()
    data = Path(source_path).read_bytes()
    try:
        with tokenize.open(source_path) as handle:
            text = handle.read()
        result = generator.disguise(text, seed=seed + zlib.crc32(relative.encode()))
    except (generator.DisguiseError, SyntaxError, UnicodeDecodeError) as exc:
        return relative, data, 0, f"{type(exc).__name__}: {exc}"
    return relative, result.source.encode("utf-8"), len(result.renames), ""


def build_corpus(
    name: str, sources: Sequence[tuple[str, Path]], *, seed: int, workers: int = 2
) -> Corpus:
    """Copy ``sources`` (relative path, file) into ``original/`` and disguise them into
    ``disguised/`` under ``.cache/benchmarks/<name>-<key>/``, or reuse that folder."""
    key = hashlib.sha256()
    key.update(GENERATOR.read_bytes())
    key.update(f"{seed}|{sys.version}|".encode())
    for relative, path in sources:
        key.update(f"{relative}|{path.stat().st_size}|".encode())
    base = CACHE / f"{name}-{key.hexdigest()[:12]}"
    manifest = base / "manifest.json"
    original, disguised = base / "original", base / "disguised"
    if manifest.exists():
        return Corpus(original, disguised, CorpusStats(**json.loads(manifest.read_text())))

    if base.exists():
        shutil.rmtree(base)  # a build that did not finish
    started = time.perf_counter()
    stats = CorpusStats()
    paths = dict(sources)
    jobs = [(relative, str(path), seed) for relative, path in sources]
    with ProcessPoolExecutor(max_workers=max(1, workers)) as pool:
        for relative, data, renames, error in pool.map(_disguise_file, jobs, chunksize=8):
            original_data = paths[relative].read_bytes()
            _write(original / relative, original_data)
            _write(disguised / relative, data)
            stats.files += 1
            stats.original_lines += count_lines(original_data)
            stats.disguised_lines += count_lines(data)
            stats.renames += renames
            if error:
                stats.copied_unchanged.append(f"{relative}: {error}")
    stats.build_seconds = time.perf_counter() - started
    manifest.write_text(json.dumps(asdict(stats), indent=1))
    return Corpus(original, disguised, stats)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --------------------------------------------------------------------------------------------
# one measured compare in a fresh process


@dataclass(frozen=True)
class Measurement:
    compare_seconds: float
    """Time of the ``codesim.compare`` call alone (cold: a fresh process)."""
    import_seconds: float
    process_seconds: float
    """Wall time of the whole child process, interpreter start-up included."""
    peak_rss_bytes: int
    score: float
    pair_count: int
    skipped: list[list[str]]
    options: dict[str, object]
    pairs: list[tuple[str, str, float, int]] | None
    """(left, right, score, tokens of the smaller side) of every reported pair."""
    alignment: dict[str, Any] | None = None
    """For two folders: the repo alignment's figures and its unit pairs (``_child``)."""


def measure_compare(
    left: Path,
    right: Path,
    *,
    cores: int,
    pairs: bool = False,
    align: bool = True,
    timeout: float = 3600,
) -> Measurement:
    """Run ``codesim.compare(left, right, align=align)`` in a fresh interpreter pinned to
    ``cores`` cores."""
    compile_codesim()
    command = [sys.executable, "-m", "benchmarks._child", str(left), str(right)]
    command += ["--cores", str(cores)]
    if pairs:
        command.append("--pairs")
    if not align:
        command.append("--no-align")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    started = time.perf_counter()
    done = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"codesim compare failed ({done.returncode}):\n{done.stderr[-4000:]}")
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return Measurement(
        compare_seconds=data["compare_seconds"],
        import_seconds=data["import_seconds"],
        process_seconds=elapsed,
        peak_rss_bytes=data["peak_rss_bytes"],
        score=data["score"],
        pair_count=data["pair_count"],
        skipped=data["skipped"],
        options=data["options"],
        pairs=[(a, b, s, t) for a, b, s, t in data["pairs"]] if pairs else None,
        alignment=data.get("alignment"),
    )


def compile_codesim() -> None:
    """Byte-compile codesim's modules, as installing it from a wheel does (and as pip did for
    every peer and dependency): a timed process then loads them the way a user's installed
    copy would.  Otherwise an editable install run with ``PYTHONDONTWRITEBYTECODE`` set, as
    the shells here are, compiles all of codesim from source in every process (measured:
    a third of the instructions of ``import codesim.cli``)."""
    compileall.compile_dir(ROOT / "codesim", quiet=1)


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def megabytes(size: int) -> float:
    return size / 2**20
