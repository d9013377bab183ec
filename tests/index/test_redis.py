"""The Redis backend: datasketch's own LSH tables, refusal of foreign data, generations that
readers never see half-written, and clean-up after replaced, removed and killed writers."""

from __future__ import annotations

import signal
from typing import cast

import numpy as np
import pytest
import redis
from datasketch import MinHashLSH

from codesim.errors import IndexBackendError, IndexFormatError
from codesim.index import redis_store
from codesim.index.bands import BANDS, ROWS
from codesim.index.blobs import signature_of
from codesim.index.minhash import NUM_PERM, is_empty, lean_minhash
from codesim.index.records import IndexSettings
from codesim.index.redis_store import RedisStore
from tests.index.corpus import SETTINGS, changed_copies, stdlib_files
from tests.index.synthetic import meta, synthetic_files
from tests.index.writer import start, wait_for


def client_of(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def keyspace(url: str) -> set[bytes]:
    client = client_of(url)
    try:
        return {key for key in client.keys("*") if isinstance(key, bytes)}
    finally:
        client.close()


def probe_of(seed: int, files: int) -> np.ndarray:
    return np.stack([u.signature for r in synthetic_files(seed, files) for u in r.units])


def test_settings_are_stored_and_enforced(redis_clean: str):
    RedisStore.open(redis_clean, settings=IndexSettings(9, 4)).close()
    store = RedisStore.open(redis_clean)
    assert store.settings == IndexSettings(9, 4)
    store.close()
    with pytest.raises(IndexFormatError, match="built with"):
        RedisStore.open(redis_clean, settings=SETTINGS)
    with pytest.raises(IndexFormatError, match="no index"):
        RedisStore.open(redis_clean, prefix="elsewhere", create=False)
    assert keyspace(redis_clean) == {b"codesim:meta"}
    # Another prefix is another index on the same server.
    RedisStore.open(redis_clean, prefix="elsewhere", settings=SETTINGS).close()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ([("set", b"codesim:meta", b"hello")], "not a codesim index"),
        ([("hset", b"codesim:meta", {b"format": b"other-app"})], "not a codesim index"),
        (
            [("hset", b"codesim:meta", {b"format": b"codesim-index", b"format_version": b"99"})],
            "newer than this codesim",
        ),
        ([("set", b"codesim:next", b"4")], "lost its meta"),
    ],
    ids=["wrong-type", "other-format", "newer", "no-meta"],
)
def test_foreign_or_damaged_data_is_refused_and_left_alone(redis_clean: str, setup, message):
    client = client_of(redis_clean)
    for command, key, value in setup:
        if command == "set":
            client.set(key, value)
        else:
            client.hset(key, mapping=value)
    before = {key: client.dump(key) for key in client.keys("*")}
    with pytest.raises(IndexFormatError, match=message):
        RedisStore.open(redis_clean, settings=SETTINGS)
    assert {key: client.dump(key) for key in client.keys("*")} == before
    client.close()


def test_other_minhash_settings_are_refused(redis_clean: str):
    RedisStore.open(redis_clean, settings=SETTINGS).close()
    client = client_of(redis_clean)
    client.hset(b"codesim:meta", b"lsh_bands", b"16")
    client.close()
    with pytest.raises(IndexFormatError, match="lsh_bands"):
        RedisStore.open(redis_clean)


def test_an_index_of_another_canonical_form_is_refused(redis_clean: str):
    RedisStore.open(redis_clean, settings=SETTINGS).close()
    client = client_of(redis_clean)
    client.hset(b"codesim:meta", b"canonical_form", b"1")
    client.close()
    with pytest.raises(IndexFormatError, match=r"canonical form 1.*add the projects again"):
        RedisStore.open(redis_clean)


def test_a_bad_url_is_a_backend_error():
    with pytest.raises(IndexBackendError, match="not a Redis URL"):
        RedisStore.open("http://example.org", settings=SETTINGS)


def test_any_datasketch_client_sees_the_same_buckets(redis_clean: str):
    files = (*stdlib_files(12), *changed_copies(12))
    store = RedisStore.open(redis_clean, settings=SETTINGS)
    store.add_project(meta("corpus"), [file.record for file in files])
    signatures = np.stack([u.signature for file in files for u in file.record.units])
    found = store.candidates(signatures)
    params = redis.connection.parse_url(redis_clean)
    lsh = MinHashLSH(
        num_perm=NUM_PERM,
        params=(BANDS, ROWS),
        storage_config={"type": "redis", "redis": params, "basename": b"codesim:lsh"},
        prepickle=False,
    )
    for row, signature, empty in zip(found, signatures, is_empty(signatures), strict=True):
        if empty:
            assert row == []
            continue
        keys = lsh.query(lean_minhash(signature))
        assert row == sorted(int(key) for key in keys)
    assert sum(map(len, found)) > len(signatures) - is_empty(signatures).sum()
    store.close()


def test_lsh_entries_are_what_datasketch_itself_writes(redis_clean: str):
    store = RedisStore.open(redis_clean, settings=SETTINGS)
    store.add_project(meta("corpus"), [file.record for file in stdlib_files(6)])
    store.close()
    client = client_of(redis_clean)
    (generation,) = [int(value) for value in client.hvals(b"codesim:live")]
    stored = cast("dict[bytes, bytes]", client.hgetall(b"codesim:g:%d:sig" % generation))
    signatures = {
        redis_store._unit_key(generation, int(field)): signature_of(blob)
        for field, blob in stored.items()
    }
    # The same units inserted by datasketch itself, under another name.
    lsh = MinHashLSH(
        num_perm=NUM_PERM,
        params=(BANDS, ROWS),
        storage_config={
            "type": "redis",
            "redis": redis.connection.parse_url(redis_clean),
            "basename": b"theirs:lsh",
        },
        prepickle=False,
    )
    with lsh.insertion_session() as session:
        for key, signature in signatures.items():
            if not is_empty(signature):
                session.insert(key, lean_minhash(signature), check_duplication=False)

    def content(key: bytes) -> object:
        kind = client.type(key)
        if kind == b"hash":
            fields = cast("dict[bytes, bytes]", client.hgetall(key))
            return {f: v.replace(b"theirs:", b"codesim:", 1) for f, v in fields.items()}
        if kind == b"list":
            return client.lrange(key, 0, -1)
        return client.smembers(key)

    ours = {key for key in client.keys(b"codesim:lsh*") if isinstance(key, bytes)}
    theirs = {key for key in client.keys(b"theirs:lsh*") if isinstance(key, bytes)}
    assert len(ours) > BANDS
    assert {key.replace(b"theirs:", b"codesim:", 1) for key in theirs} == ours
    for key in theirs:
        assert content(key) == content(key.replace(b"theirs:", b"codesim:", 1)), key


def test_replaced_and_removed_projects_leave_nothing_behind(redis_clean: str):
    store = RedisStore.open(redis_clean, settings=SETTINGS)
    store.add_project(meta("a"), synthetic_files(1, 4))
    store.add_project(meta("b"), synthetic_files(2, 3))
    store.add_project(meta("a"), synthetic_files(3, 2))
    client = client_of(redis_clean)
    lsh_keys = client.hlen(b"codesim:lsh_keys")
    assert lsh_keys == (3 + 2) * 3
    # Every bucket datasketch lists holds a unit, and every unit is in one bucket per band.
    members = 0
    for band in range(BANDS):
        table = b"codesim:lsh_bucket_" + band.to_bytes(2, "big")
        for bucket in client.hkeys(table):
            assert isinstance(bucket, bytes)
            size = client.scard(table + bucket)
            assert size > 0
            members += size
    assert members == lsh_keys * BANDS
    store.remove("a", "1.0")
    store.remove("b", "1.0")
    assert keyspace(redis_clean) == {b"codesim:meta", b"codesim:next"}
    client.close()
    store.close()


def test_readers_never_see_a_half_added_project(redis_clean: str):
    store = RedisStore.open(redis_clean, settings=SETTINGS)
    store.add_project(meta("p"), synthetic_files(1, 3))
    with start("redis", redis_clean, "p", 2, 40, hold=20) as process:
        wait_for(process, "holding")
        generation = int(client_of(redis_clean).get(b"codesim:next") or 0)
        staged = [generation << 32 | index for index in range(10)]
        assert [(m.name, m.version) for m in store.projects()] == [("p", "1.0")]
        assert store.stats().files == 3
        assert store.candidates(probe_of(2, 40)) == [[]] * 120
        assert all(store.candidates(probe_of(1, 3)))
        assert store.units(staged) == {} and store.fingerprints(staged) == {}
        with pytest.raises(KeyError):
            store.load_file(generation << 32)
        # Another writer is not blocked by this one.
        store.add_project(meta("q"), synthetic_files(3, 2))
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.flush()
        wait_for(process, "committed")
    assert store.stats().files == 42
    assert store.candidates(probe_of(1, 3)) == [[]] * 9
    assert all(store.candidates(probe_of(2, 40)))
    store.close()


def test_generations_of_dead_writers_are_collected_once_stale(
    redis_clean: str, monkeypatch: pytest.MonkeyPatch
):
    store = RedisStore.open(redis_clean, settings=SETTINGS)
    store.add_project(meta("p"), synthetic_files(1, 3))
    before = keyspace(redis_clean)
    # Killed late enough that a first batch of records and LSH entries was written.
    with start("redis", redis_clean, "p", 2, 520, hold=500) as process:
        wait_for(process, "holding")
        process.send_signal(signal.SIGKILL)
    # Died after writing everything, just before the flip.
    store._write_generation(99, meta("p"), synthetic_files(4, 2))
    assert [m.name for m in store.projects()] == ["p"]
    assert store.stats().files == 3
    assert store.candidates(probe_of(2, 520)) == [[]] * 1560
    assert store.candidates(probe_of(4, 2)) == [[]] * 6
    client = client_of(redis_clean)
    assert client.hlen(b"codesim:lsh_keys") > 9 + 6
    assert client.hlen(b"codesim:g:2:file") > 0
    store.add_project(meta("q"), synthetic_files(3, 1))  # not yet stale: left alone
    assert client.hlen(b"codesim:g:2:file") > 0
    monkeypatch.setattr(redis_store, "STALE_SECONDS", -1)
    store.remove("q", "1.0")
    assert keyspace(redis_clean) == before
    assert client.hlen(b"codesim:lsh_keys") == 9
    client.close()
    store.close()
