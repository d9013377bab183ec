"""Artifact summaries: what a persistent index keeps of a project's configs, tokenizers and
checkpoints, so that ``check`` can compare the checked repo's artifacts with a hit's.

A summary is plain data (JSON), made by each kind's ``summarize_<kind>`` and compared by its
``compare_<kind>_summaries`` exactly as the files would be compared, on bounded content: a
config's first ``SUMMARY_LEAVES`` values, a tokenizer's added and special tokens with a hash
sample of its vocabulary, a checkpoint's shape table with 512 sampled values a tensor.  Both
sides of a check go through summaries, so the bounds apply alike.  Prediction files are not
kept: they answer one benchmark, and a project's are rarely what a copier takes.

A project's summaries are stored as one blob (``encode``): ``CSAR``, a uint16 version, then a
zlib stream of the JSON list.  Nothing is pickled or evaluated; ``decode`` checks the header,
bounds the inflated size and the structure, and raises ``IndexFormatError`` on anything else.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import get_args

from codesim.artifacts.base import ArtifactComparison, ArtifactKind, JsonValue
from codesim.errors import IndexFormatError

MAGIC = b"CSAR"
VERSION = 1
MAX_INFLATED_BYTES = 256 * 1024 * 1024
"""Largest summary list inflated from an index: a project's summaries are bounded far below
(200 artifacts, 2 MB a checkpoint), so more is a damaged or hostile blob (a zlib bomb)."""

SUMMARIZED_KINDS: tuple[ArtifactKind, ...] = ("checkpoint", "tokenizer", "config")
"""The kinds an index keeps, in the order a check compares them."""

_HEADER = struct.Struct("<4sH")

Summarizer = Callable[[Path], dict[str, JsonValue]]
Comparer = Callable[
    [dict[str, JsonValue], dict[str, JsonValue], tuple[str, str]], ArtifactComparison
]


@dataclass(frozen=True, slots=True)
class ArtifactSummary:
    """One artifact of a project as an index keeps it."""

    kind: ArtifactKind
    path: str
    """POSIX path relative to the project root (``.`` for a tokenizer at the root)."""
    data: dict[str, JsonValue]


def summarize(
    kind: ArtifactKind, path: Path, name: str, *, unsafe_pickle: bool = False
) -> ArtifactSummary:
    """The summary of the artifact at ``path`` (``name`` is its path in the project); raises
    ``InputError`` as the kind's comparison would for an unreadable artifact, ``ValueError``
    for a kind an index does not keep.  ``unsafe_pickle``: as ``compare_checkpoints``."""
    if kind == "checkpoint":
        from codesim.artifacts.checkpoints import summarize_checkpoint

        return ArtifactSummary(kind, name, summarize_checkpoint(path, unsafe_pickle=unsafe_pickle))
    return ArtifactSummary(kind, name, _summarizer(kind)(path))


def compare_summaries(left: ArtifactSummary, right: ArtifactSummary) -> ArtifactComparison:
    """Compare two summaries of one kind as the artifacts themselves would be compared;
    ``IndexFormatError`` when either is malformed."""
    if left.kind != right.kind:
        raise ValueError(f"cannot compare a {left.kind} summary with a {right.kind} summary")
    try:
        return _comparer(left.kind)(left.data, right.data, (left.path, right.path))
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise IndexFormatError(f"a stored {left.kind} summary is damaged: {error}") from error


def summary_keys(summaries: Sequence[ArtifactSummary], *, query: bool = False) -> list[int]:
    """The 64-bit keys an index finds a project's artifacts by (distinct, sorted), so that a
    check can find a project by its artifacts alone: distinctive config values, distinctive
    token names, sign bands of checkpoint sketches (``config_keys``, ``tokenizer_keys``,
    ``checkpoint_keys``; ``query`` adds what a lookup must also try).  ``IndexFormatError`` for
    a malformed summary."""
    from codesim.artifacts.checkpoints import checkpoint_keys
    from codesim.artifacts.configs import config_keys
    from codesim.artifacts.tokenizers import tokenizer_keys

    texts: list[str] = []
    for summary in summaries:
        try:
            if summary.kind == "config":
                texts += config_keys(summary.data)
            elif summary.kind == "tokenizer":
                texts += tokenizer_keys(summary.data)
            elif summary.kind == "checkpoint":
                texts += checkpoint_keys(summary.data, query=query)
        except (ValueError, TypeError, KeyError, IndexError) as error:
            raise IndexFormatError(f"a {summary.kind} summary is damaged: {error}") from error
    return sorted({_key(text) for text in texts})


def _key(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    # Signed, as SQLite's INTEGER holds it.
    return int.from_bytes(digest, "little", signed=True)


def encode(summaries: Sequence[ArtifactSummary]) -> bytes:
    """The blob an index stores for a project's summaries (empty for none)."""
    if not summaries:
        return b""
    document = [{"kind": s.kind, "path": s.path, "data": s.data} for s in summaries]
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    return _HEADER.pack(MAGIC, VERSION) + zlib.compress(text.encode("utf-8", "surrogatepass"), 6)


def decode(blob: bytes) -> list[ArtifactSummary]:
    """The summaries ``encode`` stored; ``IndexFormatError`` for anything but such a blob."""
    if not blob:
        return []
    if len(blob) < _HEADER.size:
        raise IndexFormatError("a stored artifact summary is truncated")
    magic, version = _HEADER.unpack_from(blob)
    if magic != MAGIC:
        raise IndexFormatError("a stored artifact summary has no CSAR header")
    if version != VERSION:
        raise IndexFormatError(
            f"stored artifact summaries of version {version}; this codesim reads {VERSION}"
        )
    inflater = zlib.decompressobj()
    try:
        text = inflater.decompress(blob[_HEADER.size :], MAX_INFLATED_BYTES)
        if inflater.unconsumed_tail or not inflater.eof:
            raise IndexFormatError("a stored artifact summary is truncated or too large")
        document = json.loads(text.decode("utf-8", "surrogatepass"))
    except (zlib.error, UnicodeDecodeError, ValueError, RecursionError) as error:
        raise IndexFormatError(f"a stored artifact summary is damaged: {error}") from error
    if not isinstance(document, list):
        raise IndexFormatError("stored artifact summaries are a list")
    found: list[ArtifactSummary] = []
    for entry in document:
        if (
            not isinstance(entry, dict)
            or entry.get("kind") not in get_args(ArtifactKind)
            or not isinstance(entry.get("path"), str)
            or not isinstance(entry.get("data"), dict)
        ):
            raise IndexFormatError("a stored artifact summary is not {kind, path, data}")
        found.append(ArtifactSummary(entry["kind"], entry["path"], entry["data"]))
    return found


def _summarizer(kind: ArtifactKind) -> Summarizer:
    if kind == "config":
        from codesim.artifacts.configs import summarize_config

        return summarize_config
    if kind == "tokenizer":
        from codesim.artifacts.tokenizers import summarize_tokenizer

        return summarize_tokenizer
    raise ValueError(f"an index keeps no {kind} summaries")


def _comparer(kind: ArtifactKind) -> Comparer:
    if kind == "config":
        from codesim.artifacts.configs import compare_config_summaries

        return compare_config_summaries
    if kind == "tokenizer":
        from codesim.artifacts.tokenizers import compare_tokenizer_summaries

        return compare_tokenizer_summaries
    if kind == "checkpoint":
        from codesim.artifacts.checkpoints import compare_checkpoint_summaries

        return compare_checkpoint_summaries
    raise ValueError(f"an index keeps no {kind} summaries")
