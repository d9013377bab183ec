"""All-vs-all at scale: ``codesim cross`` on N = 100 to 5,000 files against the peers (issue 6).

The corpus at N is the first N of one fixed list, each file a submission: the standard
library's ``.py`` files in sorted order (``site-packages`` left out, tests included: 1,790 files
on CPython 3.11), then the ``.py`` files of pinned PyPI wheels (`TOP_UP_PINS`), fetched with
``pip download --no-deps`` into the git-ignored ``.cache/pypi/dl/`` and read from the wheel,
never installed. Each N's files are copied flat into ``.cache/benchmarks/cross-<key>/n<N>/``,
named ``<index>_<path with / as __>``, so the files of a smaller N keep their names in a larger
one.

Every tool runs alone, one after the other, cold (a fresh process, nothing cached between
runs; codesim's modules byte-compiled first, as installing a wheel does and as pip did for the
Python peers), over the whole folder at once: ``codesim cross DIR --json``; Dolos, copydetect
and symilar through their all-vs-all drivers (``benchmarks/peers/*_cross*``); jscpd's native
binary over the folder. Wall time is the whole process's; peak memory is the larger of the
biggest process's peak resident set (``wait4``) and the sampled sum of the proportional set
sizes of the process and its children (codesim forks a worker per core). A tool that times
out at one N is skipped at larger N, and so is a peer whose time, grown as N^2, would pass the
timeout.

    .venv/bin/python -m benchmarks.cross_scale [--sizes 100,400,1600,5000]
        [--tools codesim,jscpd,symilar,copydetect,dolos] [--runs R] [--timeout S]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from benchmarks._corpus import CACHE, ROOT, compile_codesim, count_lines, median, megabytes
from benchmarks.index_corpus import PYPI_PINS, _download, _stdlib_files
from benchmarks.peers.runner import (
    NODE_PREFIX,
    VENV_PYTHON,
    PeerNotInstalledError,
    check_installed,
    jscpd_binary,
)
from benchmarks.peers.scoring import jscpd_pair_score, read_text

SIZES = (100, 400, 1600, 5000)
TOOLS = ("codesim", "jscpd", "symilar", "copydetect", "dolos")
REPEATED = frozenset({"codesim", "jscpd"})
"""Tools timed ``--runs`` times (median); the slow peers run once."""
SLOW_PEERS = ("dolos", "copydetect", "symilar")

TOP_UP_PINS: tuple[tuple[str, str], ...] = (
    *PYPI_PINS,
    # Beyond the index benchmark's wheels, to pass 5,000 files; pip vendors rich and
    # pygments, whose pinned originals above make real copies across submissions.
    ("pip", "26.2.1"),
    ("setuptools", "70.3.0"),
    ("sympy", "1.13.3"),
)
CORPUS_VERSION = 1
"""Bump when the layout changes, to rebuild cached corpora."""

HIGH = 0.9
"""A pair scoring this much reads as a copy in every tool."""
CODEC = re.compile(r"^\d+_encodings__cp\w*\.py$")
"""The standard library's codec tables: generated from one template, not copies."""

TARGET_PEER_RATIO = 10.0
TARGET_JSCPD_RATIO = 1 / 3
TARGET_PEAK_BYTES = 2 * 2**30
TARGET_EXPONENT = 1.2
EXPONENT_SIZES = (400, 5000)

# jscpd as the accuracy benchmark runs it (`jscpd_driver.JSCPD_ARGS`), but with its default
# worker threads: codesim uses every core too.
JSCPD_ARGS = (
    *("--format", "python", "--mode", "weak", "--ignore-identifiers", "--ignore-literals"),
    *("--no-gitignore", "--absolute", "--no-colors", "--reporters", "json"),
)
NODE_HEAP_MB = 16384
"""Dolos passed Node's default heap limit at N = 1,600 (4.7 GB in issue 6)."""
SAMPLE_SECONDS = 0.25


# --------------------------------------------------------------------------------------------
# the corpus


@dataclass(frozen=True)
class Source:
    """One file of the list: ``label`` is its path in the stdlib or ``dist/member`` in a wheel."""

    label: str
    origin: Path
    member: str | None = None
    """The wheel member, or ``None`` when ``origin`` is the file itself."""


@dataclass(frozen=True)
class Corpus:
    n: int
    path: Path
    files: int
    bytes: int
    lines: int

    def describe(self) -> str:
        return (
            f"N={self.n}: {self.files:,} files, {self.bytes / 1e6:.1f} MB, "
            f"{self.lines:,} lines ({self.path})"
        )


def _stdlib_sources() -> list[Source]:
    return [Source(relative, path) for relative, path in _stdlib_files()]


def _wheel_sources(dist: str, wheel: Path) -> list[Source]:
    with zipfile.ZipFile(wheel) as archive:
        members = sorted(info.filename for info in archive.infolist() if not info.is_dir())
    return [
        Source(f"{dist}/{member}", wheel, member)
        for member in members
        if member.endswith(".py")
        and ".." not in PurePosixPath(member).parts
        and not any(part.endswith((".dist-info", ".data")) for part in member.split("/"))
    ]


def sources(n: int) -> list[Source]:
    """The first ``n`` files of the list; wheels are downloaded only when ``n`` needs them."""
    found = _stdlib_sources()
    for dist, version in TOP_UP_PINS:
        if len(found) >= n:
            break
        found += _wheel_sources(dist.lower(), _download(dist, version))
    if len(found) < n:
        raise RuntimeError(f"the corpus holds {len(found)} files, fewer than N = {n}")
    return found[:n]


def corpus_key() -> str:
    """What the list depends on, known without downloading anything."""
    key = hashlib.sha256(f"{CORPUS_VERSION}|{sys.version}|{TOP_UP_PINS}|".encode())
    for source in _stdlib_sources():
        key.update(f"{source.label}|{source.origin.stat().st_size}|".encode())
    return key.hexdigest()[:12]


def flat_name(index: int, label: str) -> str:
    return f"{index:04d}_{label.replace('/', '__')}"


def build_corpus(n: int, cache: Path = CACHE) -> Corpus:
    """The folder of the first ``n`` files under ``cache/cross-<key>/n<n>/``, built once."""
    base = cache / f"cross-{corpus_key()}"
    folder, manifest = base / f"n{n}", base / f"n{n}.json"
    if manifest.exists():
        return Corpus(n=n, path=folder, **json.loads(manifest.read_text()))
    if folder.exists():
        shutil.rmtree(folder)  # a build that did not finish
    folder.mkdir(parents=True)
    size = lines = 0
    with ExitStack() as stack:
        wheels: dict[Path, zipfile.ZipFile] = {}
        for index, source in enumerate(sources(n)):
            if source.member is None:
                data = source.origin.read_bytes()
            else:
                if source.origin not in wheels:
                    wheels[source.origin] = stack.enter_context(zipfile.ZipFile(source.origin))
                data = wheels[source.origin].read(source.member)
            (folder / flat_name(index, source.label)).write_bytes(data)
            size += len(data)
            lines += count_lines(data)
    figures = {"files": n, "bytes": size, "lines": lines}
    manifest.write_text(json.dumps(figures))
    return Corpus(n=n, path=folder, **figures)


# --------------------------------------------------------------------------------------------
# one cold run


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_bytes: int
    timed_out: bool
    stdout: str


def _descendants(pid: int) -> Iterator[int]:
    yield pid
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            yield from _descendants(int(child))


def _tree_pss(pid: int) -> int:
    """Proportional set size of a process and its descendants: pages shared after a fork
    count once in the sum, not once per process."""
    total = 0
    for member in _descendants(pid):
        try:
            rollup = Path(f"/proc/{member}/smaps_rollup").read_text()
        except OSError:
            continue
        found = re.search(r"^Pss:\s+(\d+) kB", rollup, re.MULTILINE)
        total += int(found.group(1)) * 1024 if found else 0
    return total


def run_cold(command: Sequence[str], *, timeout: float, env: dict[str, str] | None = None) -> Run:
    """Run ``command`` from the repository root; its own wall time and peak memory.

    ``wait4`` gives this child's resource use alone (``RUSAGE_CHILDREN`` would keep the peak
    of an earlier, bigger tool). On timeout the whole process group is killed.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True
        )
        expired = threading.Event()
        done = threading.Event()

        def watch() -> None:
            peak = 0
            while not done.wait(SAMPLE_SECONDS):
                peak = max(peak, _tree_pss(process.pid))
                if time.perf_counter() - started > timeout:
                    expired.set()
                    os.killpg(process.pid, signal.SIGKILL)
                    break
            sampled.append(peak)

        sampled: list[int] = []
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        done.set()
        watcher.join()
        if expired.is_set():
            return Run(seconds, 0, True, "")
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            tail = err.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{command[0]} exited {process.returncode}:\n{tail}")
        peak = max(usage.ru_maxrss * 1024, sampled[0])
        return Run(seconds, peak, False, out.read().decode(errors="replace"))


# --------------------------------------------------------------------------------------------
# the tools


@dataclass(frozen=True)
class Findings:
    """What a tool reported; ``pairs`` counts what it lists (its own threshold, see README)."""

    pairs: int
    high: int
    """Pairs scoring ``HIGH`` or more."""
    codec_high: int
    """Of those, pairs of two ``encodings/cp*`` codec tables: the template trap."""
    clusters: int | None = None
    shared_files: int | None = None
    """codesim: files reported under ``shared`` (generated families, code most hold)."""
    shared_codecs: int | None = None


@dataclass(frozen=True)
class Measured:
    tool: str
    n: int
    seconds: float
    """Median of the runs; the timeout when it timed out."""
    runs: list[float]
    peak_bytes: int
    timed_out: bool = False
    skipped: str = ""
    findings: Findings | None = None


def _is_codec_pair(left: str, right: str) -> bool:
    return bool(CODEC.match(left) and CODEC.match(right))


def _findings(pairs: int, high: Sequence[tuple[str, str]]) -> Findings:
    return Findings(pairs, len(high), sum(_is_codec_pair(a, b) for a, b in high))


def codesim_findings(report: dict[str, Any]) -> Findings:
    high = [(p["left"], p["right"]) for p in report["pairs"] if p["score"] >= HIGH]
    shared = {entry["submission"] for entry in report["shared"]}
    return Findings(
        pairs=len(report["pairs"]),
        high=len(high),
        codec_high=sum(_is_codec_pair(a, b) for a, b in high),
        clusters=len(report["clusters"]),
        shared_files=len(shared),
        shared_codecs=sum(bool(CODEC.match(name)) for name in shared),
    )


def jscpd_findings(report: dict[str, Any], folder: Path) -> Findings:
    """Pair scores as the pair driver computes them, over the clones of one run on the folder."""
    clones: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for clone in report.get("duplicates", []):
        first, second = (
            Path(clone["firstFile"]["name"]).name,
            Path(clone["secondFile"]["name"]).name,
        )
        if first != second:
            clones.setdefault((min(first, second), max(first, second)), []).append(clone)
    high = []
    for (left, right), found in clones.items():
        left_path, right_path = folder / left, folder / right
        score, _ = jscpd_pair_score(
            {"duplicates": found},
            str(left_path),
            str(right_path),
            read_text(left_path),
            read_text(right_path),
        )
        if score >= HIGH:
            high.append((left, right))
    return _findings(len(clones), high)


def peer_findings(summary: dict[str, Any]) -> Findings:
    return _findings(summary["pairs"], [(a, b) for a, b, _ in summary["high"]])


def _peer_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PYTHONHASHSEED"] = "0"  # copydetect and symilar hash with hash()
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def measure(tool: str, corpus: Corpus, *, runs: int, timeout: float) -> Measured:
    """``runs`` cold runs of ``tool`` over the corpus folder (one for the slow peers)."""
    folder = str(corpus.path)
    env = _peer_env()
    with tempfile.TemporaryDirectory(prefix="codesim-cross-") as scratch:
        if tool == "codesim":
            command = [sys.executable, "-m", "codesim", "cross", folder, "--json", "--quiet"]
            env = dict(os.environ)
        elif tool == "jscpd":
            binary = jscpd_binary()
            assert binary is not None  # checked by check_installed
            command = [str(binary), *JSCPD_ARGS, "--output", scratch, folder]
        elif tool == "dolos":
            script = ROOT / "benchmarks" / "peers" / "dolos_cross.mjs"
            command = ["node", f"--max-old-space-size={NODE_HEAP_MB}", str(script)]
            command += [str(NODE_PREFIX), folder]
        else:
            command = [str(VENV_PYTHON), "-m", f"benchmarks.peers.{tool}_cross", folder]
        done: list[Run] = []
        for _ in range(runs if tool in REPEATED else 1):
            done.append(run_cold(command, timeout=timeout, env=env))
            if done[-1].timed_out:
                return Measured(tool, corpus.n, timeout, [], 0, timed_out=True)
        last = done[-1].stdout
        if tool == "codesim":
            findings = codesim_findings(json.loads(last))
        elif tool == "jscpd":
            report = Path(scratch) / "jscpd-report.json"
            data = json.loads(report.read_text()) if report.exists() else {}
            findings = jscpd_findings(data, corpus.path)
        else:
            findings = peer_findings(json.loads(last.strip().splitlines()[-1]))
    seconds = [run.seconds for run in done]
    peak = max(run.peak_bytes for run in done)
    return Measured(tool, corpus.n, median(seconds), seconds, peak, findings=findings)


# --------------------------------------------------------------------------------------------
# the report


def ratio(peer: Measured, codesim: Measured) -> str:
    """Peer time over codesim's; a lower bound (``>``) when the peer timed out."""
    value = peer.seconds / codesim.seconds
    return f"{'>' if peer.timed_out else ''}{value:.1f}x" if value >= 1 else f"{value:.2f}x"


def growth(results: Sequence[Measured], tool: str) -> float | None:
    """log(t5000 / t400) / log(5000 / 400) for ``tool``, when both were measured."""
    low, high = EXPONENT_SIZES
    times = {r.n: r.seconds for r in results if r.tool == tool and not (r.timed_out or r.skipped)}
    if low not in times or high not in times:
        return None
    return math.log(times[high] / times[low]) / math.log(high / low)


def format_row(result: Measured, codesim: Measured | None) -> str:
    if result.skipped:
        return f"  {result.tool:<10} skipped: {result.skipped}"
    if result.timed_out:
        line = f"  {result.tool:<10} > {result.seconds:.0f} s (timeout)"
    else:
        runs = "/".join(f"{s:.2f}" for s in result.runs) if len(result.runs) > 1 else ""
        line = f"  {result.tool:<10} {result.seconds:9.2f} s {megabytes(result.peak_bytes):8.0f} MB"
        line += f"  (runs {runs})" if runs else ""
    if codesim is not None and result.tool != "codesim" and not codesim.timed_out:
        line += f"  ratio {ratio(result, codesim)}"
    found = result.findings
    if found is not None:
        line += (
            f"  pairs {found.pairs:,}, >= {HIGH}: {found.high:,} (cp* codecs {found.codec_high})"
        )
        if found.clusters is not None:
            line += (
                f", clusters {found.clusters}, shared files {found.shared_files}"
                f" (cp* codecs {found.shared_codecs})"
            )
    return line


def targets(results: Sequence[Measured]) -> list[tuple[str, bool]]:
    """(description with the figure, met) for every target the results can judge."""
    verdicts: list[tuple[str, bool]] = []
    by_key = {(r.tool, r.n): r for r in results if not r.skipped}
    for n in sorted({r.n for r in results}):
        codesim = by_key.get(("codesim", n))
        if codesim is None or codesim.timed_out:
            continue
        for peer in (*SLOW_PEERS, "jscpd"):
            found = by_key.get((peer, n))
            if found is None or (peer != "jscpd" and n < 400):
                continue
            value = found.seconds / codesim.seconds
            goal = TARGET_JSCPD_RATIO if peer == "jscpd" else TARGET_PEER_RATIO
            verdicts.append(
                (
                    f"N={n}: {peer} / codesim = {ratio(found, codesim)} (>= {goal:.2g}x)",
                    value >= goal,
                )
            )
    largest = by_key.get(("codesim", max(SIZES)))
    if largest is not None and not largest.timed_out:
        size = megabytes(largest.peak_bytes)
        verdicts.append(
            (
                f"N={largest.n}: codesim peak {size:.0f} MB (<= 2048 MB)",
                largest.peak_bytes <= TARGET_PEAK_BYTES,
            )
        )
    exponent = growth(results, "codesim")
    if exponent is not None:
        verdicts.append(
            (
                f"codesim growth exponent 400->5000: {exponent:.2f} (<= {TARGET_EXPONENT})",
                exponent <= TARGET_EXPONENT,
            )
        )
    return verdicts


def _skip_reason(tool: str, n: int, results: Sequence[Measured], timeout: float) -> str:
    earlier = [r for r in results if r.tool == tool and r.n < n and not r.skipped]
    if not earlier:
        return ""
    last = max(earlier, key=lambda r: r.n)
    if last.timed_out:
        return f"timed out at N={last.n}"
    predicted = last.seconds * (n / last.n) ** 2
    if tool in SLOW_PEERS and predicted > timeout:
        return f"{predicted:.0f} s predicted from N={last.n} at N^2 > {timeout:.0f} s timeout"
    return ""


def _order(tool: str) -> int:
    return TOOLS.index(tool) if tool in TOOLS else len(TOOLS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.cross_scale",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="comma-separated N")
    parser.add_argument("--tools", default=",".join(TOOLS), help="comma-separated")
    parser.add_argument(
        "--runs", type=int, default=3, help="cold runs of codesim and jscpd (median)"
    )
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds per run of a tool")
    parser.add_argument("--json", type=Path, help="also write every measurement to this file")
    args = parser.parse_args(argv)
    sizes = sorted(int(size) for size in args.sizes.split(","))
    # codesim first: the peers' ratios are to its time at the same N
    tools = sorted({tool.strip() for tool in args.tools.split(",") if tool.strip()}, key=_order)
    unknown = sorted(set(tools) - set(TOOLS))
    if unknown:
        parser.error(f"unknown tools {unknown}; known: {', '.join(TOOLS)}")
    try:
        versions = {tool: check_installed(tool) for tool in tools if tool != "codesim"}
    except PeerNotInstalledError as exc:
        print(exc, file=sys.stderr)
        return 2
    compile_codesim()
    print("tools:", ", ".join(f"{tool} {versions.get(tool, '')}".strip() for tool in tools))
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
    results: list[Measured] = []
    for n in sizes:
        corpus = build_corpus(n)
        print(f"\n{corpus.describe()}", flush=True)
        codesim: Measured | None = None
        for tool in tools:
            reason = _skip_reason(tool, n, results, args.timeout)
            if reason:
                result = Measured(tool, n, 0.0, [], 0, skipped=reason)
            else:
                result = measure(tool, corpus, runs=args.runs, timeout=args.timeout)
            codesim = result if tool == "codesim" else codesim
            results.append(result)
            print(format_row(result, codesim), flush=True)
    for tool in tools:
        exponent = growth(results, tool)
        if exponent is not None:
            low, high = EXPONENT_SIZES
            print(f"\n{tool}: time grows as N^{exponent:.2f} from N={low} to N={high}")
    print("\ntargets:")
    verdicts = targets(results)
    for description, met in verdicts:
        print(f"  {'met   ' if met else 'MISSED'} {description}")
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=1))
    return 0 if all(met for _, met in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
