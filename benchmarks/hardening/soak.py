"""``kill -9`` during ``codesim index add``, again and again: the SQLite index must stay readable
and hold exactly what it held before each killed add (or all of the add, if the kill came after
its commit), and the add's worker processes must not outlive it.

```sh
nice -n 19 .venv/bin/python -m benchmarks.hardening.soak --kills 100
```

A pool of generated projects (``tests/hardening/programs.py``; two versions of each name, so
adds also replace) is added by the real command line in a new process session, which gets
``SIGKILL`` at a uniformly random moment of a measured add's duration.  After each kill:

- the index opens through ``codesim.Index`` and SQLite's ``PRAGMA integrity_check`` passes;
- its content (every project's metadata, each file's path, lines and SHA-256, unit, band and
  fingerprint counts) equals a **shadow** index that had the same adds, uninterrupted, for
  each add the kill did not stop: nothing lost, nothing half-written;
- every process of the session has ended within ``ORPHAN_SECONDS``.

At the end an uninterrupted add succeeds and ``codesim check`` on one project's own files
finds that project.  Prints and writes ``--workdir``/``summary.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ORPHAN_SECONDS = 10.0
"""The add's worker processes notice their parent is gone and end within this time."""


@dataclass
class SoakResult:
    """What a soak run saw: kills, how many landed after the commit, and every failure."""

    kills: int = 0
    committed_before_kill: int = 0
    clean_adds: int = 0
    longest_orphan_seconds: float = 0.0
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def make_projects(folder: Path, names: int, files: int, seed: int) -> dict[tuple[str, str], Path]:
    """Two versions of ``names`` generated projects of ``files`` modules each."""
    from tests.hardening.programs import random_program

    rng = random.Random(seed)
    projects = {}
    for n in range(names):
        for version in ("1", "2"):
            root = folder / f"p{n}-v{version}"
            root.mkdir(parents=True, exist_ok=True)
            for m in range(files):
                text = random_program(rng, depth=3, width=4)
                (root / f"module_{m}.py").write_text(text, encoding="utf-8")
            projects[(f"p{n}", version)] = root
    return projects


def add_command(index: Path, root: Path, name: str, version: str) -> list[str]:
    return [
        *(sys.executable, "-m", "codesim", "index", "add", str(root)),
        *("--name", name, "--version", version, "--index", str(index), "--quiet"),
    ]


def add(index: Path, root: Path, name: str, version: str) -> float:
    """One uninterrupted add through the command line; its duration in seconds."""
    started = time.monotonic()
    subprocess.run(add_command(index, root, name, version), cwd=ROOT, check=True)
    return time.monotonic() - started


def snapshot(index: Path) -> dict[str, Any]:
    """The index's content without row ids, read through a read-only connection (so the
    check cannot repair or change anything): what a lost or half-written add would alter."""
    uri = f"file:{index}?mode=ro"
    connection = sqlite3.connect(uri, uri=True)
    try:
        (check,) = connection.execute("PRAGMA integrity_check").fetchone()
        projects = {}
        rows = connection.execute(
            "SELECT id, name, version, license, url, tokens FROM project ORDER BY name, version"
        ).fetchall()
        for project, name, version, license_, url, tokens in rows:
            files = connection.execute(
                "SELECT path, lines, hex(sha256) FROM file WHERE project = ? ORDER BY path",
                (project,),
            ).fetchall()
            (units,) = connection.execute(
                "SELECT count(*) FROM unit JOIN file ON unit.file = file.id WHERE file.project = ?",
                (project,),
            ).fetchone()
            projects[f"{name} {version}"] = [license_, url, tokens, files, units]
        bands = connection.execute("SELECT count(*) FROM band").fetchone()[0]
        prints = connection.execute(
            "SELECT count(*), coalesce(sum(projects), 0) FROM fingerprint"
        ).fetchone()
    finally:
        connection.close()
    return {"integrity": check, "projects": projects, "bands": bands, "fingerprints": prints}


def readable(index: Path) -> str | None:
    """Open the index as users do and read it; the error, if it cannot be."""
    import codesim

    try:
        with codesim.Index.open(index, create=False) as opened:
            opened.stats()
    except Exception as exc:  # any failure is the finding
        return f"{type(exc).__name__}: {exc}"
    return None


def session_gone(leader: int, timeout: float) -> float | None:
    """Seconds until no process of the session ``leader`` is left; None after ``timeout``
    (the stragglers are then killed)."""
    started = time.monotonic()
    while True:
        alive = subprocess.run(
            ["pgrep", "-s", str(leader)], capture_output=True, text=True, check=False
        ).stdout.split()
        if not alive:
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            for pid in alive:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(int(pid), signal.SIGKILL)
            return None
        time.sleep(0.05)


def soak(
    workdir: Path,
    kills: int,
    seed: int,
    *,
    names: int = 3,
    files: int = 120,
    progress: bool = False,
) -> SoakResult:
    """Kill ``kills`` adds at random moments (see the module docstring); with ``progress``,
    a line on stderr after each."""
    started = time.monotonic()
    rng = random.Random(seed)
    projects = make_projects(workdir / "projects", names, files, seed)
    index, shadow = workdir / "index.db", workdir / "shadow.db"
    for path in workdir.glob("*.db*"):
        path.unlink()
    result = SoakResult()
    # Both indexes start with one project; the first add also times an add.
    (first_name, first_version), first_root = next(iter(projects.items()))
    add(shadow, first_root, first_name, first_version)
    duration = add(index, first_root, first_name, first_version)
    result.clean_adds += 1
    while result.kills < kills:
        (name, version), root = rng.choice(list(projects.items()))
        before = snapshot(index)
        process = subprocess.Popen(
            add_command(index, root, name, version),
            cwd=ROOT,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.0, duration))
        finished = process.poll() is not None
        if not finished:
            process.send_signal(signal.SIGKILL)
            result.kills += 1
        # The moments aim at the whole add as load changes its length: shorter after an add
        # that finished first, a little longer after each kill, which settles with about one
        # add in six finishing, so kills land up to the very end of an add.
        duration *= 0.8 if finished else 1.05
        process.wait()
        orphan = session_gone(process.pid, ORPHAN_SECONDS)
        if orphan is None:
            result.failures.append(f"{name} {version}: workers alive {ORPHAN_SECONDS} s on")
        else:
            result.longest_orphan_seconds = max(result.longest_orphan_seconds, orphan)
        problem = readable(index)
        if problem is not None:
            result.failures.append(f"{name} {version}: unreadable after the kill: {problem}")
            break
        after = snapshot(index)
        if after != before:
            # The add committed (before the kill, or the kill missed): the shadow gets it too.
            add(shadow, root, name, version)
            result.committed_before_kill += int(not finished)
            result.clean_adds += int(finished)
        expected = snapshot(shadow)
        if after != expected:
            result.failures.append(f"{name} {version}: the index differs from its shadow")
            break
        if after["integrity"] != "ok":
            result.failures.append(f"{name} {version}: integrity_check: {after['integrity']}")
            break
        if progress:
            what = "finished before its kill" if finished else "killed"
            print(f"{result.kills} kills: {name} {version} {what}; nothing lost", file=sys.stderr)
    (name, version), root = rng.choice(list(projects.items()))
    add(index, root, name, version)
    add(shadow, root, name, version)
    if snapshot(index) != snapshot(shadow):
        result.failures.append("the final clean add differs from its shadow")
    found = subprocess.run(
        [sys.executable, "-m", "codesim", "check", str(root), "--index", str(index), "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    hits = json.loads(found.stdout)["hits"] if found.returncode == 0 else []
    if not hits or hits[0]["project"]["name"] != name or hits[0]["share"] < 0.9:
        result.failures.append(f"check of {name}'s own files did not find it: {found.stderr}")
    result.seconds = time.monotonic() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.hardening.soak")
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--files", type=int, default=120, help="modules per generated project")
    parser.add_argument("--workdir", type=Path, default=Path(".cache/soak"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    result = soak(args.workdir.resolve(), args.kills, args.seed, files=args.files, progress=True)
    summary = {
        "kills": result.kills,
        "committed_before_kill": result.committed_before_kill,
        "clean_adds": result.clean_adds,
        "longest_orphan_seconds": round(result.longest_orphan_seconds, 2),
        "failures": result.failures,
        "minutes": round(result.seconds / 60, 1),
    }
    (args.workdir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    return 1 if result.failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
