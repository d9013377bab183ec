"""The scale-out index: the ``Store`` protocol over a (standalone) Redis server.

LSH is datasketch's own ``MinHashLSH`` with Redis storage, ``prepickle=False`` and bytes keys
(a unit's key is its id in ASCII decimal), so any datasketch client sees the same
buckets; its band keys are ``bands.band_keys``, the band function the SQLite backend uses.
Its tables are written, read and cleaned by Lua scripts over datasketch's exact layout
(``_INDEX``, ``_MEMBERS``, ``_UNINDEX``): datasketch's own client code does one round trip,
or builds a few Python commands, per key and band, which made it most of the ingest time.
Everything else is plain Redis values under ``PREFIX:``, bytes only, never pickled:

    PREFIX:meta                  hash: format, version, MinHash and band constants, settings
    PREFIX:next                  counter of generations
    PREFIX:live                  hash: JSON [name, version] -> live generation of that project
    PREFIX:staging               sorted set: generations being written, by last heartbeat
    PREFIX:dead                  set: replaced or removed generations not yet deleted
    PREFIX:df                    hash: fingerprint (8 bytes) -> projects containing it
    PREFIX:g:G:project           hash: the project's metadata, file, unit and token counts
    PREFIX:g:G:file / stream     hashes: file index -> packed metadata / codec.encode bytes
    PREFIX:g:G:unit / sig / fp   hashes: unit index -> packed metadata / signature / prints
    PREFIX:g:G:fpset             the project's distinct fingerprints (for ``df``)
    PREFIX:g:G:artifacts         the project's artifact summaries (``artifacts.summary``), if any
    PREFIX:g:G:akeys             its artifact lookup keys (little-endian int64s)
    PREFIX:ak:KEY                set: generations whose artifacts have lookup key KEY (hex)
    PREFIX:lsh...                datasketch's MinHashLSH tables

Ids are ``G << 32 | index``.  Atomicity: ``add_project`` writes a new generation G while no
reader looks at it (readers only follow generations listed in ``live``), then one Lua script
flips ``live`` to G and updates the document frequencies of the old and the new generation
together; Redis runs a script as one step, so a reader sees the old project or the whole new
one, never a part, and ``df`` always agrees with ``live``.  The old generation is then
deleted.  A writer that dies leaves its generation in ``staging`` (or a replaced one in
``dead``); the next ``add_project`` or ``remove`` deletes it once its heartbeat is older than
``STALE_SECONDS``.  Writers of different projects do not wait for each other; two writers of
the same name and version both finish and the later flip wins.  Datasketch's layout spreads
a unit over many keys, so Redis Cluster is not supported.
"""

from __future__ import annotations

import contextlib
import json
import struct
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import redis
from datasketch import MinHashLSH
from redis.backoff import ExponentialWithJitterBackoff
from redis.connection import parse_url
from redis.retry import Retry
from redis.typing import EncodableT, FieldT

from codesim.errors import IndexBackendError, IndexFormatError, IndexMissingError
from codesim.fingerprint import HashArray, unique_sorted
from codesim.index import codec
from codesim.index.bands import BANDS, ROWS, band_keys
from codesim.index.blobs import fingerprint_bytes, fingerprints_of, signature_bytes, signature_of
from codesim.index.meta import FORMAT_NAME, fixed_meta, new_meta, read_meta
from codesim.index.minhash import NUM_PERM, SignatureArray, is_empty
from codesim.index.records import (
    FileRecord,
    IndexSettings,
    LoadedFile,
    ProjectMeta,
    StoredUnit,
    StoreStats,
    UnitRecord,
)
from codesim.tokens import UnitKind

FORMAT_VERSION = 3
"""3: stored streams of ``codec`` version 2; 2: unit keys in ASCII decimal (1: 8 big-endian
bytes), see ``_unit_key``."""
DEFAULT_PREFIX = "codesim"

STALE_SECONDS = 3600
"""A generation in ``staging`` whose writer has not been heard of for this long is deleted.
A writer beats at least every ``_PIPELINE`` commands, which takes well under a second."""

_PIPELINE = 5000
"""Commands sent per round trip."""

_REMOVE_BATCH = 200
"""Units taken out of the LSH tables per script call (each call blocks the server)."""
_INDEX_BATCH = 200
"""Units put into the LSH tables per script call."""

SOCKET_TIMEOUT = 30.0
"""Seconds to wait for a reply unless the URL says (``?socket_timeout=S``): a server that
stops answering (stopped, cut off by the network) is then an error instead of a hang.  Far
above what a reply should take: the scripts work in batches, and the longest, a project's
flip, counts the project's fingerprints once."""
CONNECT_TIMEOUT = 10.0
"""Seconds to wait for a connection unless the URL says (``?socket_connect_timeout=S``)."""
RETRIES = 3
"""Attempts after a failed command (redis-py's default is 10, each waiting out the timeout):
enough for a restart or a dropped connection, while a server that is gone is reported within
about ``(RETRIES + 1) * SOCKET_TIMEOUT``."""

_INDEX_SHIFT = 32
_INDEX_MASK = (1 << _INDEX_SHIFT) - 1
_KINDS = (UnitKind.MODULE, UnitKind.CLASS, UnitKind.FUNCTION)
_UNIT = struct.Struct("<IIIIB")
"""file index, start line, end line, tokens, kind code; then the UTF-8 name."""
_FILE = struct.Struct("<I32sH")
"""lines, sha256, language length; then the UTF-8 language and path."""

_FLIP = """
-- KEYS: live, df, staging, dead.  ARGV: project field, new generation ('' to remove), prefix.
local function count(generation, delta)
  local prints = redis.call('GET', ARGV[3] .. 'g:' .. generation .. ':fpset')
  if not prints then return end
  for i = 1, #prints, 8 do
    local key = string.sub(prints, i, i + 7)
    if redis.call('HINCRBY', KEYS[2], key, delta) <= 0 then redis.call('HDEL', KEYS[2], key) end
  end
end
local old = redis.call('HGET', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  count(ARGV[2], 1)
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
  redis.call('ZREM', KEYS[3], ARGV[2])
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
if old then
  count(old, -1)
  redis.call('SADD', KEYS[4], old)
end
return old
"""

_INDEX = """
-- What MinHashLSH.insert writes with Redis storage, for many keys in one step.  ARGV: the key
-- table's name, the number of bands b, the b band tables' names, then for each unit its key
-- and its b band keys.
local keys_name = ARGV[1]
local bands = tonumber(ARGV[2])
local i = 3 + bands
while i <= #ARGV do
  local key = ARGV[i]
  local list = keys_name .. key
  redis.call('HSET', keys_name, key, list)
  redis.call('RPUSH', list, unpack(ARGV, i + 1, i + bands))
  for band = 1, bands do
    local table_name = ARGV[2 + band]
    local bucket = table_name .. ARGV[i + band]
    redis.call('HSET', table_name, ARGV[i + band], bucket)
    redis.call('SADD', bucket, key)
  end
  i = i + 1 + bands
end
return 0
"""

_MEMBERS = """
-- The members of many sets in one command (a pipeline of SMEMBERS costs more in the client
-- than on the server).  KEYS: the sets.
local out = {}
for i, key in ipairs(KEYS) do out[i] = redis.call('SMEMBERS', key) end
return out
"""

_UNINDEX = """
-- What MinHashLSH.remove does, for many keys in one step (datasketch's own deletion costs
-- about two round trips per band per key).  ARGV: the key table's name, the number of bands
-- b, the b band tables' names, then for each unit its key and its b band keys.
local keys_name = ARGV[1]
local bands = tonumber(ARGV[2])
local i = 3 + bands
while i <= #ARGV do
  local key = ARGV[i]
  for band = 1, bands do
    local table_name = ARGV[2 + band]
    local bucket = table_name .. ARGV[i + band]
    redis.call('SREM', bucket, key)
    if redis.call('SCARD', bucket) == 0 then redis.call('HDEL', table_name, ARGV[i + band]) end
  end
  redis.call('HDEL', keys_name, key)
  redis.call('DEL', keys_name .. key)
  i = i + 1 + bands
end
return 0
"""


class RedisStore:
    """The ``Store`` protocol over a Redis server shared by many processes."""

    def __init__(
        self,
        client: redis.Redis,
        lsh: MinHashLSH,
        prefix: bytes,
        settings: IndexSettings,
        label: str,
    ) -> None:
        self._client = client
        self._lsh = lsh
        self._prefix = prefix
        self._settings = settings
        self._label = label
        # Datasketch's table names (a storage's key for the empty suffix is its name).
        self._band_tables = [table.redis_key(b"") for table in lsh.hashtables]
        self._key_table: bytes = lsh.keys.redis_key(b"")
        self._flip = client.register_script(_FLIP)
        self._members = client.register_script(_MEMBERS)
        self._unindex = client.register_script(_UNINDEX)
        self._index = client.register_script(_INDEX)

    @classmethod
    def open(
        cls,
        url: str,
        *,
        prefix: str = DEFAULT_PREFIX,
        settings: IndexSettings | None = None,
        create: bool = True,
    ) -> RedisStore:
        """Connect to ``redis://host:port/db`` and use the index under ``prefix``, creating it
        with ``settings`` if there is none (and ``create``)."""
        try:
            params: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]
        except ValueError as exc:
            raise IndexBackendError(f"not a Redis URL: {exc}") from exc
        # Replies must stay bytes whatever the URL asks for: stored values are binary.
        params["decode_responses"] = False
        params.setdefault("socket_timeout", SOCKET_TIMEOUT)
        params.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        params.setdefault("retry", Retry(ExponentialWithJitterBackoff(cap=1.0, base=0.05), RETRIES))
        # Named in messages without the password the URL may hold.
        label = f"redis index {prefix!r} on {params.get('host', 'localhost')}:"
        label += f"{params.get('port', 6379)}/{params.get('db', 0)}"
        client = redis.Redis(**params)
        key_prefix = prefix.encode("utf-8") + b":"
        with _errors(label):
            stored = _open_meta(client, key_prefix, settings, create, label)
            lsh = MinHashLSH(
                num_perm=NUM_PERM,
                params=(BANDS, ROWS),
                storage_config={
                    "type": "redis",
                    "redis": params,
                    "basename": key_prefix + b"lsh",
                },
                prepickle=False,
            )
        return cls(client, lsh, key_prefix, stored, label)

    @property
    def settings(self) -> IndexSettings:
        """The fingerprint settings the index was created with."""
        return self._settings

    def close(self) -> None:
        """Close the connections."""
        self._client.close()

    def add_project(
        self,
        meta: ProjectMeta,
        files: Iterable[FileRecord],
        artifacts: bytes = b"",
        artifact_keys: Sequence[int] = (),
    ) -> None:
        """Write a new generation (with the project's artifact summaries and lookup keys),
        then make it live in one atomic step (module docstring).  Key sets name generations,
        like datasketch's buckets name units: readers keep only live ones."""
        with _errors(self._label):
            self._collect_garbage()
            generation = int(self._client.incr(self._key(b"next")))
            self._beat(generation)
            try:
                self._write_generation(generation, meta, files)
                self._write_artifacts(generation, artifacts, artifact_keys)
                old = self._flip(
                    keys=[self._key(b"live"), self._key(b"df"), *self._staging_keys()],
                    args=[_project_field(meta.name, meta.version), generation, self._prefix],
                )
            except BaseException:
                # Unless the flip happened after all (the reply was lost), nobody will ever
                # read this generation: delete it now rather than after STALE_SECONDS.
                with contextlib.suppress(redis.RedisError):
                    if generation not in self._live():
                        self._drop(generation)
                raise
            if old is not None:
                self._drop(int(old))

    def remove(self, name: str, version: str) -> bool:
        """Take a project out of ``live`` atomically, then delete its generation."""
        with _errors(self._label):
            self._collect_garbage()
            old = self._flip(
                keys=[self._key(b"live"), self._key(b"df"), *self._staging_keys()],
                args=[_project_field(name, version), "", self._prefix],
            )
            if old is None:
                return False
            self._drop(int(old))
            return True

    def projects(self) -> list[ProjectMeta]:
        """The live projects, by name then version."""
        with _errors(self._label):
            generations = self._live()
            pipe = self._client.pipeline(transaction=False)
            for generation in generations:
                pipe.hgetall(self._generation_key(generation, b"project"))
            found = [_project_meta(fields) for fields in pipe.execute() if fields]
        return sorted(found, key=lambda meta: (meta.name, meta.version))

    def project_tokens(self, name: str, version: str) -> int:
        """Recorded with the project when it was added (every index of this canonical form
        has it)."""
        with _errors(self._label):
            generation = self._client.hget(self._key(b"live"), _project_field(name, version))
            if generation is None:
                raise KeyError((name, version))
            tokens = self._client.hget(self._generation_key(int(generation), b"project"), b"tokens")
        if tokens is None:
            raise IndexFormatError(f"{self._label}: project {name} {version} has no token count")
        with _decoding("project"):
            return int(tokens)

    def artifacts(self, name: str, version: str) -> bytes:
        """The project's artifact summaries as stored (empty when it has none, as every
        project added by a codesim before they were kept)."""
        with _errors(self._label):
            generation = self._client.hget(self._key(b"live"), _project_field(name, version))
            if generation is None:
                return b""
            found = self._client.get(self._generation_key(int(generation), b"artifacts"))
        # The client is opened with decode_responses off: values are bytes.
        return b"" if found is None else cast("bytes", found)

    def artifact_projects(self, keys: Sequence[int]) -> dict[tuple[str, str], int]:
        """Live projects holding any of these artifact keys, with how many each holds."""
        wanted = sorted(set(keys))
        if not wanted:
            return {}
        with _errors(self._label):
            live = cast("dict[bytes, bytes]", self._client.hgetall(self._key(b"live")))
            pipe = self._client.pipeline(transaction=False)
            for key in wanted:
                pipe.smembers(self._artifact_key(key))
            members = cast("list[set[bytes]]", pipe.execute())
        with _decoding("live projects"):
            project_of = {int(g): tuple(json.loads(field)) for field, g in live.items()}
        found: dict[tuple[str, str], int] = {}
        for generations in members:
            for generation in generations:
                project = project_of.get(int(generation))
                if project is not None:
                    name, version = str(project[0]), str(project[1])
                    found[name, version] = found.get((name, version), 0) + 1
        return found

    def stats(self) -> StoreStats:
        """Counts over live projects; ``bytes`` is the memory the Redis server uses."""
        with _errors(self._label):
            pipe = self._client.pipeline(transaction=False)
            for generation in self._live():
                pipe.hmget(self._generation_key(generation, b"project"), [b"files", b"units"])
            counts = [(int(f or 0), int(u or 0)) for f, u in pipe.execute()]
            fingerprints = int(self._client.hlen(self._key(b"df")))
            memory = int(self._client.info("memory")["used_memory"])
        return StoreStats(
            len(counts),
            sum(files for files, _ in counts),
            sum(units for _, units in counts),
            fingerprints,
            memory,
        )

    def candidates(self, signatures: SignatureArray) -> list[list[int]]:
        """Units sharing a band with each signature: one pipelined read of every distinct
        bucket, then only units of live generations."""
        if signatures.ndim != 2 or signatures.shape[1] != NUM_PERM:
            raise ValueError(f"signatures must be (n, {NUM_PERM}), got {signatures.shape}")
        banded = ~is_empty(signatures)
        rows = [
            band_keys(signature) if keep else []
            for signature, keep in zip(signatures, banded, strict=True)
        ]
        buckets = sorted(
            {self._band_tables[band] + key for row in rows for band, key in enumerate(row)}
        )
        with _errors(self._label), _decoding("LSH bucket"):
            live = set(self._live())
            members: dict[bytes, list[int]] = {}
            for start in range(0, len(buckets), _PIPELINE):
                chunk = buckets[start : start + _PIPELINE]
                for bucket, keys in zip(chunk, self._members(keys=chunk), strict=True):
                    ids = (int(key) for key in keys)
                    members[bucket] = [i for i in ids if i >> _INDEX_SHIFT in live]
        result = []
        for row in rows:
            units: set[int] = set()
            for band, key in enumerate(row):
                units.update(members[self._band_tables[band] + key])
            result.append(sorted(units))
        return result

    def units(self, unit_ids: Sequence[int]) -> dict[int, StoredUnit]:
        """Stored units of live generations by id."""
        out: dict[int, StoredUnit] = {}
        for unit_id, blob in self._fields(unit_ids, b"unit").items():
            with _decoding(f"unit {unit_id}"):
                file_index, start, end, tokens, kind = _UNIT.unpack_from(blob)
                name = blob[_UNIT.size :].decode("utf-8")
                file_id = (unit_id >> _INDEX_SHIFT) << _INDEX_SHIFT | file_index
                out[unit_id] = StoredUnit(unit_id, file_id, name, _KINDS[kind], start, end, tokens)
        return out

    def fingerprints(self, unit_ids: Sequence[int]) -> dict[int, HashArray]:
        """Winnowed fingerprints of stored units of live generations by id."""
        return {i: fingerprints_of(blob) for i, blob in self._fields(unit_ids, b"fp").items()}

    def document_frequency(self, fingerprints: HashArray) -> npt.NDArray[np.int64]:
        """How many live projects contain each fingerprint."""
        keys = [struct.pack("<Q", value) for value in np.asarray(fingerprints).tolist()]
        counts: list[int] = []
        with _errors(self._label):
            for start in range(0, len(keys), _PIPELINE):
                values = self._client.hmget(self._key(b"df"), keys[start : start + _PIPELINE])
                counts.extend(int(value or 0) for value in values)
        return np.array(counts, dtype=np.int64)

    def load_file(self, file_id: int) -> LoadedFile:
        """A stored file of a live generation, decoded; ``KeyError`` if there is none."""
        generation, index = file_id >> _INDEX_SHIFT, file_id & _INDEX_MASK
        field = str(index).encode()
        with _errors(self._label):
            if generation not in self._live():
                raise KeyError(file_id)
            pipe = self._client.pipeline(transaction=False)
            pipe.hget(self._generation_key(generation, b"file"), field)
            pipe.hget(self._generation_key(generation, b"stream"), field)
            pipe.hgetall(self._generation_key(generation, b"project"))
            packed, blob, project = pipe.execute()
        if packed is None or blob is None or not project:
            raise KeyError(file_id)
        with _decoding(f"file {file_id}"):
            lines, sha256, language_size = _FILE.unpack_from(packed)
            path_start = _FILE.size + language_size
            language = packed[_FILE.size : path_start].decode("utf-8")
            path = packed[path_start:].decode("utf-8")
        stored = codec.decode(blob)
        return LoadedFile(
            file_id,
            _project_meta(project),
            path,
            language,
            lines,
            sha256,
            stored.stream,
            stored.lines,
        )

    # -- writing -------------------------------------------------------------------------

    def _write_generation(
        self, generation: int, meta: ProjectMeta, files: Iterable[FileRecord]
    ) -> None:
        key = self._generation_key
        pipe = self._client.pipeline(transaction=False)
        batch: list[tuple[bytes, UnitRecord]] = []
        fingerprints: list[HashArray] = []
        file_count = unit_count = token_count = 0
        for record in files:
            field = str(file_count).encode()
            pipe.hset(key(generation, b"file"), field, _pack_file(record))
            pipe.hset(key(generation, b"stream"), field, record.stream)
            for unit in record.units:
                unit_field = str(unit_count).encode()
                pipe.hset(key(generation, b"unit"), unit_field, _pack_unit(file_count, unit))
                pipe.hset(key(generation, b"sig"), unit_field, signature_bytes(unit.signature))
                pipe.hset(key(generation, b"fp"), unit_field, fingerprint_bytes(unit.fingerprints))
                batch.append((_unit_key(generation, unit_count), unit))
                fingerprints.append(unit.fingerprints)
                unit_count += 1
                token_count += unit.tokens
            file_count += 1
            if len(pipe) >= _PIPELINE:
                self._flush(generation, pipe, batch)
        distinct = (
            unique_sorted(np.concatenate(fingerprints))
            if fingerprints
            else np.empty(0, dtype=np.uint64)
        )
        pipe.set(key(generation, b"fpset"), fingerprint_bytes(distinct))
        pipe.hset(
            key(generation, b"project"),
            mapping=_project_fields(meta, file_count, unit_count, token_count),
        )
        self._flush(generation, pipe, batch)

    def _flush(
        self, generation: int, pipe: redis.client.Pipeline, batch: list[tuple[bytes, UnitRecord]]
    ) -> None:
        """Send a batch of records, then their LSH entries.

        Records (with signatures) reach the server first, so that ``_drop`` can always find
        what to take out of the LSH tables.  The entries are written by ``_INDEX``, exactly
        what datasketch's ``MinHashLSH.insert`` writes (a test compares them key by key):
        through datasketch the client spent 0.8 ms of CPU per unit building its ~170
        commands, four fifths of the whole ingest.
        """
        pipe.execute()
        entries: list[bytes] = []
        for unit_key, unit in batch:
            if not is_empty(unit.signature):
                entries += [unit_key, *band_keys(unit.signature)]
                if len(entries) >= _INDEX_BATCH * (BANDS + 1):
                    self._index(args=[self._key_table, BANDS, *self._band_tables, *entries])
                    entries = []
        if entries:
            self._index(args=[self._key_table, BANDS, *self._band_tables, *entries])
        batch.clear()
        self._beat(generation)

    def _write_artifacts(self, generation: int, blob: bytes, keys: Sequence[int]) -> None:
        pipe = self._client.pipeline(transaction=False)
        if blob:
            pipe.set(self._generation_key(generation, b"artifacts"), blob)
        if keys:
            packed = np.array(sorted(set(keys)), dtype="<i8")
            pipe.set(self._generation_key(generation, b"akeys"), packed.tobytes())
            for key in packed.tolist():
                pipe.sadd(self._artifact_key(key), str(generation))
        pipe.execute()

    def _artifact_key(self, key: int) -> bytes:
        return self._prefix + b"ak:" + key.to_bytes(8, "little", signed=True).hex().encode()

    def _beat(self, generation: int) -> None:
        now, _ = self._client.time()
        self._client.zadd(self._key(b"staging"), {str(generation): now})

    def _drop(self, generation: int) -> None:
        """Delete a generation that is not live: its LSH entries, then its keys."""
        signatures = cast(
            "dict[bytes, bytes]", self._client.hgetall(self._generation_key(generation, b"sig"))
        )
        entries: list[bytes] = []
        for field, blob in signatures.items():
            signature = signature_of(blob)
            if is_empty(signature):
                continue
            entries += [_unit_key(generation, int(field)), *band_keys(signature)]
            if len(entries) >= _REMOVE_BATCH * (BANDS + 1):
                self._remove_lsh_entries(entries)
                entries = []
        self._remove_lsh_entries(entries)
        keys = self._client.get(self._generation_key(generation, b"akeys"))
        if keys:
            pipe = self._client.pipeline(transaction=False)
            for key in np.frombuffer(cast("bytes", keys), dtype="<i8").tolist():
                pipe.srem(self._artifact_key(key), str(generation))
            pipe.execute()
        names = [b"project", b"file", b"stream", b"unit", b"sig", b"fp", b"fpset"]
        names += [b"artifacts", b"akeys"]
        self._client.delete(*(self._generation_key(generation, name) for name in names))
        self._client.srem(self._key(b"dead"), str(generation))
        self._client.zrem(self._key(b"staging"), str(generation))

    def _remove_lsh_entries(self, entries: list[bytes]) -> None:
        if entries:
            self._unindex(args=[self._key_table, BANDS, *self._band_tables, *entries])

    def _collect_garbage(self) -> None:
        now, _ = self._client.time()
        stale = cast(
            "list[bytes]",
            self._client.zrangebyscore(self._key(b"staging"), "-inf", now - STALE_SECONDS),
        )
        for generation in stale:
            # ZREM succeeds for one collector only: two processes never drop the same one.
            if self._client.zrem(self._key(b"staging"), generation):
                self._drop(int(generation))
        for dead in cast("set[bytes]", self._client.smembers(self._key(b"dead"))):
            self._drop(int(dead))

    # -- reading -------------------------------------------------------------------------

    def _live(self) -> list[int]:
        return [int(value) for value in self._client.hvals(self._key(b"live"))]

    def _fields(self, unit_ids: Sequence[int], name: bytes) -> dict[int, bytes]:
        """One hash field per unit id, from the hash ``name`` of its generation, for ids of
        live generations; missing ones are left out."""
        with _errors(self._label):
            live = set(self._live())
            wanted = [i for i in unit_ids if i >> _INDEX_SHIFT in live]
            pipe = self._client.pipeline(transaction=False)
            for unit_id in wanted:
                field = str(unit_id & _INDEX_MASK).encode()
                pipe.hget(self._generation_key(unit_id >> _INDEX_SHIFT, name), field)
            values = pipe.execute() if wanted else []
        return {i: v for i, v in zip(wanted, values, strict=True) if v is not None}

    def _key(self, name: bytes) -> bytes:
        return self._prefix + name

    def _generation_key(self, generation: int, name: bytes) -> bytes:
        return self._prefix + b"g:%d:" % generation + name

    def _staging_keys(self) -> list[bytes]:
        return [self._key(b"staging"), self._key(b"dead")]


@contextlib.contextmanager
def _errors(label: str) -> Iterator[None]:
    try:
        yield
    except redis.RedisError as exc:
        raise IndexBackendError(f"{label}: {exc}") from exc


@contextlib.contextmanager
def _decoding(what: str) -> Iterator[None]:
    # Stored values are bytes anyone with access to the server could have written.
    try:
        yield
    except (struct.error, UnicodeDecodeError, ValueError, IndexError) as exc:
        raise IndexFormatError(f"redis index: the stored {what} is damaged: {exc}") from exc


def _open_meta(
    client: redis.Redis,
    prefix: bytes,
    settings: IndexSettings | None,
    create: bool,
    label: str,
) -> IndexSettings:
    """Read (or, on a fresh server, write) the index's meta hash, refusing anything else."""
    meta_key = prefix + b"meta"
    with client.pipeline() as pipe:
        pipe.watch(meta_key)  # type: ignore[no-untyped-call]
        if pipe.type(meta_key) not in (b"hash", b"none"):
            raise IndexFormatError(f"{label}: {meta_key!r} is not a codesim index")
        with _decoding("meta"):
            fields = cast("dict[bytes, bytes]", pipe.hgetall(meta_key))
            meta = {k.decode(): v.decode() for k, v in fields.items()}
        if not meta:
            if pipe.exists(prefix + b"live", prefix + b"next"):
                raise IndexFormatError(f"{label}: the index under {prefix!r} has lost its meta")
            if not create:
                raise IndexMissingError(f"{label}: no index under {prefix!r}")
            if settings is None:
                raise ValueError("settings are needed to create an index")
            meta = new_meta("format_version", FORMAT_VERSION, settings)
            mapping: dict[FieldT, EncodableT] = dict(meta.items())
            pipe.multi()
            pipe.hset(meta_key, mapping=mapping)
            # Fails with WatchError if another process created it first: retry reading theirs.
            try:
                pipe.execute()
            except redis.WatchError:
                return _open_meta(client, prefix, settings, create, label)
    if meta.get("format") != FORMAT_NAME:
        raise IndexFormatError(f"{label}: {meta_key!r} is not a codesim index")
    with _decoding("meta"):
        version = int(meta.get("format_version", "0"))
    if version > FORMAT_VERSION:
        raise IndexFormatError(
            f"{label}: index format version {version} is newer than this codesim reads "
            f"({FORMAT_VERSION}); upgrade codesim"
        )
    stored = read_meta(label, meta, fixed_meta("format_version", FORMAT_VERSION))
    if settings is not None and settings != stored:
        raise IndexFormatError(f"{label}: the index was built with {stored}, not {settings}")
    return stored


def _project_field(name: str, version: str) -> bytes:
    return json.dumps([name, version]).encode("utf-8")


def _project_fields(
    meta: ProjectMeta, files: int, units: int, tokens: int
) -> dict[FieldT, EncodableT]:
    fields = {
        b"name": meta.name,
        b"version": meta.version,
        b"files": str(files),
        b"units": str(units),
        b"tokens": str(tokens),
    }
    optional = {b"license": meta.license, b"url": meta.url, b"commit": meta.commit}
    fields.update({key: value for key, value in optional.items() if value is not None})
    return {key: value.encode("utf-8") for key, value in fields.items() if value is not None}


def _project_meta(fields: dict[bytes, bytes]) -> ProjectMeta:
    def text(name: bytes) -> str | None:
        value = fields.get(name)
        return None if value is None else value.decode("utf-8")

    with _decoding("project"):
        name, version = text(b"name"), text(b"version")
    if name is None or version is None:
        raise IndexFormatError("a stored project has no name or version")
    return ProjectMeta(name, version, text(b"license"), text(b"url"), text(b"commit"))


def _pack_unit(file_index: int, unit: UnitRecord) -> bytes:
    kind = _KINDS.index(unit.kind)
    head = _UNIT.pack(file_index, unit.start_line, unit.end_line, unit.tokens, kind)
    return head + unit.name.encode("utf-8")


def _pack_file(record: FileRecord) -> bytes:
    language = record.language.encode("utf-8")
    head = _FILE.pack(record.lines, record.sha256, len(language))
    return head + language + record.path.encode("utf-8")


def _unit_key(generation: int, index: int) -> bytes:
    # Decimal digits, not raw bytes: Redis keeps a set whose members all read as integers as
    # an "intset" (16 bytes for one member) instead of a hash table (about 120 bytes), and
    # datasketch makes a set per bucket, nearly all of them holding one unit.  That takes a
    # third off the server memory of the LSH tables.
    return str(generation << _INDEX_SHIFT | index).encode("ascii")
