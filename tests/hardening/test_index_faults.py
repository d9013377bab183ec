"""Index faults through the command line and the API: ``kill -9`` during ``index add``, two
writers, readers during a write, damaged files, and a Redis server going away mid-query.

The store-level versions (a writer killed while holding a transaction, a writer refused after
its timeout, every kind of foreign file) are in ``tests/index/test_sqlite.py`` and
``tests/index/test_redis.py``; these run the real processes a user runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import redis

import codesim
from benchmarks.hardening.soak import ORPHAN_SECONDS, add, add_command, make_projects, soak
from codesim.errors import IndexBackendError
from tests.redis_server import free_port, installed, redis_server

ROOT = Path(__file__).resolve().parents[2]
needs_redis = pytest.mark.skipif(not installed(), reason="redis-server is not installed")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "codesim", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    return make_projects(tmp_path_factory.mktemp("projects"), names=2, files=25, seed=3)


def test_kill_9_during_index_add_loses_nothing_and_leaves_no_worker(tmp_path: Path) -> None:
    # The long run is `python -m benchmarks.hardening.soak --kills 100` (README figures).
    result = soak(tmp_path, kills=2, seed=11, names=2, files=40)
    assert result.failures == []
    assert result.kills == 2
    assert result.longest_orphan_seconds < ORPHAN_SECONDS


def test_two_writers_at_once_are_serialised(tmp_path: Path, projects) -> None:
    index = tmp_path / "index.db"
    add(index, projects["p0", "1"], "p0", "1")
    writers = [
        subprocess.Popen(
            add_command(index, projects[name, version], name, version),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, version in (("p1", "1"), ("p0", "2"))
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=120)
        # Serialised: the second waits for the first's lock (30 s) rather than failing; a
        # refusal would be exit code 3 with "another process is writing".
        assert writer.returncode == 0, err
    listed = run_cli("index", "list", "--index", str(index), "--json")
    assert listed.returncode == 0, listed.stderr
    assert sorted((p["name"], p["version"]) for p in _json(listed.stdout)) == [
        ("p0", "1"),
        ("p0", "2"),
        ("p1", "1"),
    ]


def test_readers_keep_working_while_a_project_is_added(tmp_path: Path, projects) -> None:
    index = tmp_path / "index.db"
    add(index, projects["p0", "1"], "p0", "1")
    writer = subprocess.Popen(
        add_command(index, projects["p1", "2"], "p1", "2"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: list[set[str]] = []
    with codesim.Index.open(index, create=False) as reader:
        while writer.poll() is None or not seen:
            report = reader.query(projects["p0", "1"], top=5)
            assert report.hits[0].project.name == "p0"
            seen.append({p.name for p in reader.projects()})
    assert writer.wait() == 0
    assert seen[0] == {"p0"}  # the add was still running when the first query ended
    assert all(names in ({"p0"}, {"p0", "p1"}) for names in seen)


def _json(text: str) -> list[dict[str, str]]:
    value = json.loads(text)
    projects: list[dict[str, str]] = value["projects"] if isinstance(value, dict) else value
    return projects


def _damaged(good: bytes, kind: str) -> bytes:
    rng = random.Random(kind)
    if kind.startswith("cut"):
        return good[: int(len(good) * float(kind[3:]))]
    if kind == "junk-page":
        at = len(good) // 2 // 4096 * 4096
        return good[:at] + rng.randbytes(4096) + good[at + 4096 :]
    return {
        "empty": b"",
        "zip": b"PK\x03\x04" + rng.randbytes(2000),
        "text": b"codesim index\n" * 100,
        "other-sqlite": _other_sqlite(),
    }[kind]


def _other_sqlite() -> bytes:
    import sqlite3
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "other.db"
        connection = sqlite3.connect(path)
        connection.execute("CREATE TABLE project (id INTEGER PRIMARY KEY, name TEXT)")
        connection.commit()
        connection.close()
        return path.read_bytes()


@pytest.fixture(scope="module")
def good_index(tmp_path_factory: pytest.TempPathFactory, projects) -> bytes:
    path = tmp_path_factory.mktemp("good") / "good.db"
    add(path, projects["p0", "1"], "p0", "1")
    add(path, projects["p1", "1"], "p1", "1")
    return path.read_bytes()


@pytest.mark.parametrize(
    "kind", ["cut0.001", "cut0.5", "cut0.99", "junk-page", "empty", "zip", "text", "other-sqlite"]
)
def test_a_truncated_damaged_or_foreign_file_is_refused_clearly_and_left_alone(
    tmp_path: Path, projects, good_index: bytes, kind: str
) -> None:
    index = tmp_path / "index.db"
    index.write_bytes(_damaged(good_index, kind))
    before = hashlib.sha256(index.read_bytes()).hexdigest()
    # Junk in one page is found by the check that reads it: check both projects' code.
    refused = 0
    for project in ("p0", "p1") if kind == "junk-page" else ("p0",):
        result = run_cli("check", str(projects[project, "1"]), "--index", str(index), "--quiet")
        if result.returncode == 0:
            continue
        refused += 1
        assert result.returncode == 3, result.stderr
        assert result.stderr.startswith("codesim: error: "), result.stderr
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert str(index) in result.stderr
        assert any(
            word in result.stderr for word in ("damaged", "not a codesim index", "no index")
        ), result.stderr
    assert refused >= 1
    assert hashlib.sha256(index.read_bytes()).hexdigest() == before


@needs_redis
def test_redis_going_away_mid_query_is_a_clear_error_and_a_retry_works(
    tmp_path: Path, projects
) -> None:
    port, folder = free_port(), str(tmp_path)
    checked = projects["p0", "1"]
    with redis_server(port=port, folder=folder) as url:
        with codesim.Index.open(url) as index:
            index.add(checked, name="p0", version="1")
            expected = index.query(checked).hits[0].share
        pid = redis.Redis.from_url(url).info("server")["process_id"]
        with codesim.Index.open(f"{url}?socket_timeout=0.2") as index:
            # Stopped (hung, cut off): a timeout error, not a hang; then it answers again.
            os.kill(pid, signal.SIGSTOP)
            try:
                with pytest.raises(IndexBackendError, match="Timeout"):
                    index.query(checked)
            finally:
                os.kill(pid, signal.SIGCONT)
            assert index.query(checked).hits[0].share == expected
            # Killed while queries run: the query in flight fails with the backend's error.
            failures: list[BaseException] = []

            def query_until_it_fails() -> None:
                try:
                    for _ in range(200):
                        index.query(checked)
                except BaseException as exc:
                    failures.append(exc)

            worker = threading.Thread(target=query_until_it_fails)
            worker.start()
            time.sleep(0.3)
            os.kill(pid, signal.SIGKILL)
            worker.join(timeout=60)
            assert len(failures) == 1 and isinstance(failures[0], IndexBackendError)
            assert str(failures[0]).startswith("redis index 'codesim' on 127.0.0.1:")
            # Refused, reset or closed, by when the retries gave up: a connection error.
            assert "onnect" in str(failures[0])
            # The same server back on its port with its data: the same index object works.
            with redis_server(port=port, folder=folder):
                assert index.query(checked).hits[0].share == expected
                again = run_cli("check", str(checked), "--index", url, "--quiet")
                assert again.returncode == 0, again.stderr
