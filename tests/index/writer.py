"""A writer process for the index tests, to be killed or held in the middle of an add.

    python -m tests.index.writer BACKEND TARGET NAME SEED FILES [HOLD]

Opens the store (``sqlite`` and a file path, or ``redis`` and a ``redis://`` URL), prints
``started``, then adds project NAME made of FILES synthetic files drawn with SEED, printing
``file N`` after the store has taken the N-th file; at file HOLD it prints ``holding`` and
waits for a line on stdin.  Prints ``committed`` when the add has returned.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from codesim.index.records import FileRecord
from codesim.index.store import Store
from tests.index.synthetic import meta, synthetic_files

ROOT = Path(__file__).resolve().parents[2]


def start(
    backend: str, target: str, name: str, seed: int, files: int, hold: int = -1
) -> subprocess.Popen[str]:
    """Start this module as a writer process (see the module docstring)."""
    return subprocess.Popen(
        [
            *(sys.executable, "-m", "tests.index.writer", backend, target),
            *(name, str(seed), str(files), str(hold)),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def wait_for(process: subprocess.Popen[str], line: str) -> None:
    """Read the writer's output up to ``line``; fail if it ends first."""
    assert process.stdout is not None
    for got in process.stdout:
        if got.strip() == line:
            return
    raise AssertionError(f"the writer ended before printing {line!r}")


def open_store(backend: str, target: str) -> Store:
    # Each backend imported only when used: the Redis one pulls in datasketch and scipy,
    # which would slow down every SQLite writer the tests start and kill.
    if backend == "sqlite":
        from codesim.index.sqlite import SqliteStore

        return SqliteStore.open(target)
    if backend == "redis":
        from codesim.index.redis_store import RedisStore

        return RedisStore.open(target)
    raise SystemExit(f"unknown backend {backend}")


def main(argv: list[str]) -> None:
    backend, target, name, seed, files, *rest = argv
    hold = int(rest[0]) if rest else -1
    store = open_store(backend, target)

    def records() -> Iterator[FileRecord]:
        for number, record in enumerate(synthetic_files(int(seed), int(files)), start=1):
            yield record
            print(f"file {number}", flush=True)
            if number == hold:
                print("holding", flush=True)
                sys.stdin.readline()

    print("started", flush=True)
    store.add_project(meta(name), records())
    print("committed", flush=True)
    store.close()


if __name__ == "__main__":
    main(sys.argv[1:])
