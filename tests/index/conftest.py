"""Fixtures of the index tests: a fresh store of each backend, and a real Redis server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from codesim.index.redis_store import RedisStore
from codesim.index.sqlite import SqliteStore
from codesim.index.store import Store
from tests.index.corpus import SETTINGS
from tests.redis_server import installed, redis_server

_START_TIMEOUT = 10.0


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A ``redis://`` URL of a throw-away server on a random loopback port (no persistence).

    Skipped only when the ``redis-server`` binary is missing; ``.ci/run`` installs it.
    """
    if not installed():
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with redis_server(_START_TIMEOUT) as url:
        yield url


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
