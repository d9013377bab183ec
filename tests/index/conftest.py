"""Fixtures of the index tests: a fresh store of each backend, and a real Redis server."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from codesim.index.redis_store import RedisStore
from codesim.index.sqlite import SqliteStore
from codesim.index.store import Store
from tests.index.corpus import SETTINGS

_START_TIMEOUT = 10.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A ``redis://`` URL of a throw-away server on a random loopback port (no persistence).

    Skipped only when the ``redis-server`` binary is missing; ``.ci/run`` installs it.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    folder = tmp_path_factory.mktemp("redis")
    port = _free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder)]
    command += ["--save", "", "--appendonly", "no"]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL) as server:
        client = redis.Redis(host="127.0.0.1", port=port)
        deadline = time.monotonic() + _START_TIMEOUT
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {port}") from None
                time.sleep(0.05)
        client.close()
        yield f"redis://127.0.0.1:{port}/0"
        server.terminate()


@pytest.fixture
def redis_clean(redis_url: str) -> str:
    """The Redis URL with an empty database."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    client.close()
    return redis_url


@pytest.fixture(params=["sqlite", "redis"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend."""
    opened: Store
    if request.param == "sqlite":
        opened = SqliteStore.open(tmp_path / "index.db", settings=SETTINGS)
    else:
        opened = RedisStore.open(request.getfixturevalue("redis_clean"), settings=SETTINGS)
    yield opened
    opened.close()
