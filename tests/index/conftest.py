"""Fixtures of the index tests: a fresh store of each backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from codesim.index.sqlite import SqliteStore
from codesim.index.store import Store
from tests.index.corpus import SETTINGS


@pytest.fixture(params=["sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """An empty store of each backend."""
    opened = SqliteStore.open(tmp_path / "index.db", settings=SETTINGS)
    yield opened
    opened.close()
