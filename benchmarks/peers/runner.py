"""Run the peer tools (copydetect, Dolos, symilar, jscpd) on a benchmark manifest.

``run_peers(manifest_dir, tools)`` scores every pair of ``manifest_dir/manifest.jsonl`` with each
tool and returns ``{tool: {pair id: score in [0, 1]}}``. Each tool runs once over all pairs (one
process; jscpd, a native binary, once per pair), in the peers' own installation under
``.cache/peers/`` (``bash benchmarks/peers/install.sh``), never in codesim's environment.

Results are cached per tool in ``manifest_dir/peer_scores_<tool>.csv`` with the tool's version,
the wall-clock seconds of the run, and a hash of the inputs (the manifest, every pair's files, the
driver code): a rerun on the same benchmark with the same tool and driver is instant, any change
reruns that tool. A pair the tool failed on scores 0.0 (the user would have seen nothing), and the
error is kept in the cache and logged.

Command line (a summary per tool; the accuracy benchmark imports `run_peers` instead):
    .venv/bin/python -m benchmarks.peers.runner DIR [--tools copydetect,dolos,symilar,jscpd]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.peers.scoring import Job, Result, job_line, parse_result

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PEERS_DIR = ROOT / ".cache" / "peers"
VENV_PYTHON = PEERS_DIR / "venv" / "bin" / "python"
NODE_PREFIX = PEERS_DIR / "node"
NODE_MODULES = NODE_PREFIX / "node_modules"
INSTALL_COMMAND = "bash benchmarks/peers/install.sh"

TOOLS = ("copydetect", "dolos", "symilar", "jscpd")
# tool -> (package whose version is pinned, pinned version)
PINNED: dict[str, tuple[str, str]] = {
    "copydetect": ("copydetect", "0.5.0"),
    "symilar": ("pylint", "4.1.4"),
    "dolos": ("@dodona/dolos-lib", "3.5.1"),
    "jscpd": ("jscpd", "5.3.2"),
}
# tool -> the driver files whose code defines its score (hashed into the cache key)
DRIVER_FILES: dict[str, tuple[str, ...]] = {
    "copydetect": ("copydetect_driver.py", "scoring.py"),
    "symilar": ("symilar_driver.py", "scoring.py"),
    "dolos": ("dolos_driver.mjs",),
    "jscpd": ("jscpd_driver.py", "scoring.py"),
}
CACHE_FORMAT = 1


class PeerError(RuntimeError):
    """A peer tool cannot be run or did not produce a score for every pair."""


class PeerNotInstalledError(PeerError):
    """A peer tool is not installed at its pinned version."""


@dataclass(frozen=True)
class PeerResult:
    """One tool's scores on one manifest."""

    tool: str
    version: str
    scores: dict[str, float]
    seconds: float  # wall-clock seconds of the scoring run (from the cache when cached)
    errors: dict[str, str] = field(default_factory=dict)  # pair id -> why it scored 0.0
    details: dict[str, str] = field(default_factory=dict)  # pair id -> the driver's detail (JSON)
    cached: bool = False

    @property
    def pairs_per_second(self) -> float:
        return len(self.scores) / self.seconds if self.seconds > 0 else float("inf")


# --------------------------------------------------------------------------- manifest


def read_manifest(manifest_dir: Path) -> list[Job]:
    """The pairs of ``manifest_dir/manifest.jsonl`` as jobs with absolute, existing paths."""
    manifest = manifest_dir / "manifest.jsonl"
    if not manifest.is_file():
        raise FileNotFoundError(f"no manifest at {manifest}")
    jobs: list[Job] = []
    seen: set[str] = set()
    with manifest.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            obj = json.loads(line)
            pair_id = str(obj["id"])
            if pair_id in seen:
                raise ValueError(f"{manifest}:{number}: duplicate pair id {pair_id!r}")
            seen.add(pair_id)
            left = (manifest_dir / obj["left"]).resolve()
            right = (manifest_dir / obj["right"]).resolve()
            for side in (left, right):
                if not side.is_file():
                    raise FileNotFoundError(
                        f"{manifest}:{number}: pair {pair_id!r}: no file {side}"
                    )
            jobs.append(Job(id=pair_id, left=str(left), right=str(right)))
    return jobs


def inputs_digest(manifest_dir: Path, jobs: Sequence[Job], tool: str) -> str:
    """Hash of what a tool's scores depend on: manifest, pair files, driver code, cache format."""
    digest = hashlib.sha256(f"codesim-peers/{CACHE_FORMAT}/{tool}\n".encode())
    digest.update((manifest_dir / "manifest.jsonl").read_bytes())
    for job in jobs:
        for path in (job.left, job.right):
            content = Path(path).read_bytes()
            digest.update(f"\n{job.id}\n{len(content)}\n".encode())
            digest.update(content)
    for name in DRIVER_FILES[tool]:
        digest.update((HERE / name).read_bytes())
    return digest.hexdigest()


# --------------------------------------------------------------------------- installation


def _dist_version(distribution: str) -> str | None:
    """Version of a distribution installed in the peers' venv (read from its dist-info)."""
    for site in sorted((PEERS_DIR / "venv" / "lib").glob("python3*/site-packages")):
        for info in site.glob(f"{distribution}-*.dist-info"):
            return info.name[len(distribution) + 1 : -len(".dist-info")]
    return None


def _npm_version(package: str) -> str | None:
    manifest = NODE_MODULES / package / "package.json"
    if not manifest.is_file():
        return None
    version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    return str(version) if version else None


def jscpd_binary() -> Path | None:
    """The native jscpd binary from its platform package (``jscpd-<platform>/bin/jscpd``)."""
    for candidate in sorted(NODE_MODULES.glob("jscpd-*/bin/jscpd")):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def installed_version(tool: str) -> str | None:
    """The installed version of a tool's pinned package, or None when it cannot run."""
    package, _ = PINNED[tool]
    if tool in ("copydetect", "symilar"):
        return _dist_version(package) if VENV_PYTHON.exists() else None
    if tool == "dolos":
        parser = (
            NODE_MODULES / "@dodona/dolos-parsers/build/Release/tree_sitter_python_binding.node"
        )
        if shutil.which("node") is None or not parser.is_file():
            return None
        return _npm_version(package)
    if tool == "jscpd":
        return _npm_version(package) if jscpd_binary() is not None else None
    raise ValueError(f"unknown peer tool {tool!r}; known: {', '.join(TOOLS)}")


def check_installed(tool: str) -> str:
    """The tool's version; raises `PeerNotInstalledError` (with the install command) otherwise."""
    package, pinned = PINNED[tool]
    version = installed_version(tool)
    if version is None:
        raise PeerNotInstalledError(
            f"peer tool {tool!r} ({package} {pinned}) is not installed under {PEERS_DIR}: "
            f"run `{INSTALL_COMMAND}` from the repository root"
        )
    if version != pinned:
        raise PeerNotInstalledError(
            f"peer tool {tool!r}: {package} {version} is installed, the benchmark pins {pinned}: "
            f"run `{INSTALL_COMMAND}` from the repository root"
        )
    return version


def driver_command(tool: str) -> list[str]:
    """The command that scores jobs read on stdin (run from the repository root)."""
    if tool == "copydetect":
        return [str(VENV_PYTHON), "-m", "benchmarks.peers.copydetect_driver"]
    if tool == "symilar":
        return [str(VENV_PYTHON), "-m", "benchmarks.peers.symilar_driver"]
    if tool == "dolos":
        return ["node", str(HERE / "dolos_driver.mjs"), str(NODE_PREFIX)]
    if tool == "jscpd":
        binary = jscpd_binary()
        assert binary is not None  # checked by check_installed
        return [str(VENV_PYTHON), "-m", "benchmarks.peers.jscpd_driver", str(binary)]
    raise ValueError(f"unknown peer tool {tool!r}; known: {', '.join(TOOLS)}")


def _driver_env() -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "NODE_PATH", "NODE_OPTIONS")
    }
    env["PYTHONHASHSEED"] = "0"  # copydetect and symilar hash with hash(): same run, same result
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# --------------------------------------------------------------------------- cache


def cache_path(manifest_dir: Path, tool: str) -> Path:
    return manifest_dir / f"peer_scores_{tool}.csv"


def write_cache(path: Path, result: PeerResult, digest: str) -> None:
    """Write a tool's scores: ``# key=value`` header lines, then CSV ``id,score,error,detail``."""
    buffer = io.StringIO()
    buffer.write("# codesim peer scores (benchmarks/peers/runner.py)\n")
    for key, value in (
        ("tool", result.tool),
        ("version", result.version),
        ("inputs_sha256", digest),
        ("seconds", f"{result.seconds:.3f}"),
        ("pairs", str(len(result.scores))),
        ("errors", str(len(result.errors))),
    ):
        buffer.write(f"# {key}={value}\n")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "score", "error", "detail"])
    for pair_id, score in result.scores.items():
        writer.writerow(
            [pair_id, repr(score), result.errors.get(pair_id, ""), result.details.get(pair_id, "")]
        )
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(buffer.getvalue(), encoding="utf-8")
    tmp.replace(path)


def read_cache(path: Path) -> tuple[dict[str, str], PeerResult] | None:
    """The header and result stored at ``path``, or None when missing or unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    header: dict[str, str] = {}
    body: list[str] = []
    for line in text.splitlines():
        if line.startswith("# ") and "=" in line and not body:
            key, _, value = line[2:].partition("=")
            header[key.strip()] = value.strip()
        elif not line.startswith("#"):
            body.append(line)
    try:
        rows = list(csv.DictReader(body))
        scores = {row["id"]: float(row["score"]) for row in rows}
        errors = {row["id"]: row["error"] for row in rows if row["error"]}
        details = {row["id"]: row["detail"] for row in rows if row["detail"]}
        result = PeerResult(
            tool=header["tool"],
            version=header["version"],
            scores=scores,
            seconds=float(header["seconds"]),
            errors=errors,
            details=details,
            cached=True,
        )
    except (KeyError, ValueError, csv.Error):
        return None
    return header, result


# --------------------------------------------------------------------------- running


def _run_driver(tool: str, jobs: Sequence[Job]) -> list[Result]:
    command = driver_command(tool)
    proc = subprocess.run(
        command,
        input="".join(job_line(job) for job in jobs),
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_driver_env(),
        check=False,
    )
    if proc.returncode != 0:
        raise PeerError(
            f"peer tool {tool!r}: driver exited with {proc.returncode}: "
            f"{' '.join(command)}\n{proc.stderr[-4000:]}"
        )
    results = []
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):  # a tool's own chatter on stdout is not a result
            if line.strip():
                log.debug("%s: ignored output line %r", tool, line[:200])
            continue
        try:
            results.append(parse_result(line))
        except (ValueError, KeyError) as exc:
            raise PeerError(f"peer tool {tool!r}: bad result line {line[:200]!r}: {exc}") from exc
    by_id = {result.id: result for result in results}
    expected = {job.id for job in jobs}
    missing, extra = expected - by_id.keys(), by_id.keys() - expected
    if missing or extra or len(results) != len(by_id):
        raise PeerError(
            f"peer tool {tool!r}: driver answered {len(results)} lines for {len(jobs)} pairs "
            f"(missing {sorted(missing)[:5]}, unexpected {sorted(extra)[:5]})\n"
            f"{proc.stderr[-4000:]}"
        )
    return [by_id[job.id] for job in jobs]


def run_peer(manifest_dir: Path, tool: str, *, refresh: bool = False) -> PeerResult:
    """Score every pair of the manifest with one tool (from the cache when it is still valid)."""
    if tool not in TOOLS:
        raise ValueError(f"unknown peer tool {tool!r}; known: {', '.join(TOOLS)}")
    manifest_dir = Path(manifest_dir).resolve()
    version = check_installed(tool)
    jobs = read_manifest(manifest_dir)
    digest = inputs_digest(manifest_dir, jobs, tool)
    path = cache_path(manifest_dir, tool)
    if not refresh:
        cached = read_cache(path)
        if cached is not None:
            header, result = cached
            if (
                header.get("inputs_sha256") == digest
                and result.version == version
                and result.scores.keys() == {job.id for job in jobs}
            ):
                return result
    start = time.perf_counter()
    results = _run_driver(tool, jobs)
    seconds = time.perf_counter() - start
    scores = {r.id: r.score if r.score is not None else 0.0 for r in results}
    errors = {r.id: r.error or "no score" for r in results if r.score is None}
    details = {
        r.id: json.dumps(r.detail, sort_keys=True, separators=(",", ":"))
        for r in results
        if r.detail
    }
    result = PeerResult(
        tool=tool, version=version, scores=scores, seconds=seconds, errors=errors, details=details
    )
    write_cache(path, result, digest)
    return result


def run_peer_results(
    manifest_dir: Path, tools: Sequence[str], *, refresh: bool = False
) -> dict[str, PeerResult]:
    """Like `run_peers`, with each tool's version, timing and errors (`PeerResult`)."""
    unknown = [tool for tool in tools if tool not in TOOLS]
    if unknown:
        raise ValueError(f"unknown peer tool(s) {unknown}; known: {', '.join(TOOLS)}")
    for tool in tools:
        check_installed(tool)
    results: dict[str, PeerResult] = {}
    for tool in tools:
        result = run_peer(manifest_dir, tool, refresh=refresh)
        log.info(
            "%s %s: %d pairs in %.1f s (%.1f pairs/s)%s",
            tool,
            result.version,
            len(result.scores),
            result.seconds,
            result.pairs_per_second,
            " [cached]" if result.cached else "",
        )
        if result.errors:
            first_id, first_error = next(iter(result.errors.items()))
            log.warning(
                "%s: %d pairs failed and score 0.0 (first: %s: %s)",
                tool,
                len(result.errors),
                first_id,
                first_error,
            )
        results[tool] = result
    return results


def run_peers(
    manifest_dir: Path, tools: list[str], *, refresh: bool = False
) -> dict[str, dict[str, float]]:
    """Scores of every pair by every tool: ``{tool: {pair id: score in [0, 1]}}``.

    Tools run one after another (each is timed alone); each tool's result is cached in
    ``manifest_dir/peer_scores_<tool>.csv`` together with its run time. Timing and errors are
    logged (INFO / WARNING, logger ``benchmarks.peers.runner``); `run_peer_results` returns them.
    Raises `PeerNotInstalledError` for a tool that is not installed (before running any),
    `PeerError` when a tool's run breaks down.
    """
    results = run_peer_results(manifest_dir, tools, refresh=refresh)
    return {tool: result.scores for tool, result in results.items()}


# --------------------------------------------------------------------------- command line


def summary(manifest_dir: Path, results: Sequence[PeerResult]) -> str:
    """A table per tool: timing, errors, and the mean score per manifest category and label."""
    groups: dict[tuple[str, int], list[str]] = defaultdict(list)
    with (manifest_dir / "manifest.jsonl").open(encoding="utf-8") as stream:
        for line in stream:
            if line.strip():
                obj = json.loads(line)
                groups[(str(obj.get("category", "?")), int(obj.get("label", -1)))].append(
                    str(obj["id"])
                )
    lines = [
        f"{'tool':<11} {'version':<8} {'pairs':>6} {'errors':>6} {'seconds':>8} {'pairs/s':>8}"
    ]
    for r in results:
        lines.append(
            f"{r.tool:<11} {r.version:<8} {len(r.scores):>6} {len(r.errors):>6} "
            f"{r.seconds:>8.2f} {r.pairs_per_second:>8.1f}{'  (cached)' if r.cached else ''}"
        )
    lines.append("")
    lines.append(
        f"{'mean score: category':<28} {'label':>5} {'n':>4} "
        + " ".join(f"{r.tool:>10}" for r in results)
    )
    for (category, label), ids in sorted(groups.items()):
        means = [sum(r.scores[i] for i in ids) / len(ids) for r in results]
        lines.append(
            f"{category:<28} {label:>5} {len(ids):>4} " + " ".join(f"{m:>10.3f}" for m in means)
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.peers.runner",
        description="Score a benchmark manifest with the peer tools (cached per tool).",
    )
    parser.add_argument("manifest_dir", type=Path, help="directory holding manifest.jsonl")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated tool names")
    parser.add_argument("--refresh", action="store_true", help="ignore cached scores")
    parser.add_argument("--scores", action="store_true", help="also print every pair's scores")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    try:
        by_tool = run_peer_results(args.manifest_dir, tools, refresh=args.refresh)
    except (PeerError, ValueError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    results = list(by_tool.values())
    print(summary(args.manifest_dir.resolve(), results))
    if args.scores:
        print()
        print(f"{'pair':<28} " + " ".join(f"{r.tool:>10}" for r in results))
        for pair_id in results[0].scores if results else []:
            print(f"{pair_id:<28} " + " ".join(f"{r.scores[pair_id]:>10.3f}" for r in results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
