"""Compare two tokenizers: their vocabularies, merges, and above all their unusual tokens.

A tokenizer is a Hugging Face folder (``tokenizer.json``, ``tokenizer_config.json``,
``special_tokens_map.json``, ``added_tokens.json``, ``vocab.json`` + ``merges.txt``,
``vocab.txt``, a sentencepiece ``*.model``) or one of those files.  Everything is read with the
standard library: JSON with ``json``, the sentencepiece protobuf with a small wire-format reader.

What counts as evidence: two independent projects very often start from the same base
tokenizer (GPT-2, BERT, LLaMA, T5, Qwen...), so a shared vocabulary, shared merges and shared
standard special tokens (``known_tokens``) say nothing about copying.  What a project adds on
top (``<|image_patch|>``, ``<slice>``, ``<ref>``) is its own fingerprint, and two independent
projects rarely add even one identical such token.  So ``score`` is the share of the smaller
side's *distinctive* tokens (unusual special tokens and added tokens) found in the other, damped
when there are fewer than ``MIN_DISTINCTIVE_TOKENS`` of them.

The vocabulary itself is never scored on its own: codesim ships no base vocabularies, so it
cannot tell a copied custom-trained vocabulary from two copies of GPT-2's.  It only corroborates:
when the distinctive tokens already agree, an identical large vocabulary counts as
``VOCAB_CORROBORATION_TOKENS`` more distinctive tokens against the damping.

``chance``: a token's name is what an independent project would have to pick alike.  Its core
(the name without ``<``, ``|``, ``/``, brackets and case, digit runs as one digit: ``<ref>``,
``</ref>`` and ``<REF_2>`` are all ``ref_#``) is described with the config module's string
model (2 bits, plus 2 per character), so an independent tokenizer whose ``m`` distinctive
tokens have distinct cores picks one given core with probability at most ``m * 2**-bits``;
the chance is Chernoff's bound on the shared cores' bits (``coincidence_log10_chance``).  A
pair of opening and closing tokens counts once, and standard tokens (``known_tokens``,
``<image>`` among them) never count, so names every multimodal project picks alike do not
make a copy; renamed tokens and the vocabulary are left out of it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from codesim.artifacts.base import (
    ArtifactComparison,
    JsonValue,
    chance_of,
    chance_words,
    coincidence_log10_chance,
)
from codesim.artifacts.configs import MAX_VALUE_BITS, STRING_BASE_BITS, STRING_BITS_PER_CHAR
from codesim.artifacts.known_tokens import is_known_token, known_families
from codesim.errors import InputError

MAX_TOKENIZER_FILE_BYTES = 64 * 1024 * 1024
"""Per file.  The largest public ``tokenizer.json`` files (Gemma's 256,000 tokens, about
34 MB) fit with room to spare; a bigger file is data, not a tokenizer, and parsing it as JSON
would cost several times its size in memory."""

MIN_DISTINCTIVE_TOKENS = 3
"""A smaller side with fewer distinctive tokens has its score damped linearly: one shared
unusual token is a strong hint, three are evidence."""

VOCAB_CORROBORATION_TOKENS = 1.0
"""How many distinctive tokens an identical large vocabulary (and identical merges) is worth
against the damping, and only once some distinctive token is shared: on its own it may be a
common base, but beside a shared custom token it makes a coincidence less likely."""

VOCAB_CORROBORATION_MIN_AGREEMENT = 0.95
"""Vocabulary containment (times merges containment) from which the vocabulary corroborates."""

VOCAB_CORROBORATION_MIN_SHARE = 0.5
"""The vocabulary corroborates only when at least this share of the smaller side's distinctive
tokens is shared: beside one coincidental token among many unshared ones it adds nothing."""

MIN_CORROBORATING_VOCAB = 1_000
"""Smaller vocabularies (character-level, byte-level, toy) are shared by construction."""

RENAMED_CREDIT = 0.8
"""Credit for a distinctive token renamed in place: a different token at the same id (after the
offset the shared tokens show) in a copy whose other distinctive tokens match.  Less than a
full match because the name, the most telling part, differs."""

RENAME_ANCHOR_SHARE = 0.5
MIN_RENAME_ANCHORS = 2
"""Renames are looked for only when at least this share of the smaller side's distinctive
tokens (and at least this many) match exactly at one consistent id offset: independent
tokenizers on one base append their own tokens at the same ids, which is not a rename."""

TOP_TOKENS = 30
"""Length of the token lists in ``details``."""

SUMMARY_TOKENS = 5
"""Tokens named in the summary sentence."""

STRONG_SCORE = 0.5
"""From this score the summary calls the shared tokens unlikely by chance; below it, most of
the smaller side's distinctive tokens are unshared and a coincidence is plausible."""

_SPECIAL_TOKEN_KEYS = (
    "bos_token",
    "eos_token",
    "unk_token",
    "sep_token",
    "pad_token",
    "cls_token",
    "mask_token",
)

_SENTENCEPIECE_MODEL_TYPES = {1: "Unigram", 2: "BPE", 3: "Word", 4: "Char"}
# sentencepiece_model.proto, SentencePiece.Type.
_PIECE_UNKNOWN, _PIECE_CONTROL, _PIECE_USER_DEFINED = 2, 3, 4

_NO_ID = 1 << 62
"""Sorts after every real id (vocabularies stay far below 2**62)."""

_TIKTOKEN_LINE = re.compile(r"[A-Za-z0-9+/]+={0,2} \d+")

_DECORATION = "<>|[]/\\ \t\n"
"""Characters around a special token's name: ``<|x|>``, ``[x]``, ``</x>`` all name ``x``."""

_DIGITS = re.compile(r"\d+")

STRONG_CHANCE = 1e-6
"""Below this chance the summary calls the shared tokens unlikely for independent projects."""


@dataclass
class Tokenizer:
    """What codesim read from one tokenizer folder or file."""

    path: Path
    files: list[str] = field(default_factory=list)
    """Names of the files that were read."""
    unparsed: dict[str, str] = field(default_factory=dict)
    """Files that are present but were not read, with the reason."""
    model_type: str | None = None
    vocab: dict[str, int] = field(default_factory=dict)
    merges: list[tuple[str, str]] = field(default_factory=list)
    added: dict[str, int | None] = field(default_factory=dict)
    """Added tokens (special or not) and their ids, None when no file gives one."""
    special: set[str] = field(default_factory=set)
    settings: dict[str, str] = field(default_factory=dict)
    """Normalizer and pre-tokenizer, each as a short description of its component types."""
    setting_values: dict[str, str] = field(default_factory=dict)
    """The same components as canonical JSON (a digest of it in a summary), to tell identical
    settings apart."""
    sample_rate: int = 1
    """1 when ``vocab`` and ``merges`` are whole; in a summary, they hold the entries whose
    ``_sample_hash`` is 0 modulo this (plus special-looking vocabulary entries), and
    ``vocab_total`` and ``merges_total`` give the real sizes."""
    vocab_total: int | None = None
    merges_total: int | None = None

    @property
    def vocab_size(self) -> int:
        """Entries of the whole vocabulary."""
        return len(self.vocab) if self.vocab_total is None else self.vocab_total

    @property
    def merges_size(self) -> int:
        """Distinct merges of the whole tokenizer."""
        return len(set(self.merges)) if self.merges_total is None else self.merges_total

    def token_id(self, token: str) -> int | None:
        """The id of ``token``: its added-token id, else its vocabulary id."""
        added = self.added.get(token)
        return added if added is not None else self.vocab.get(token)

    def distinctive(self) -> list[str]:
        """Added and special tokens that no well-known base tokenizer ships, in id order."""
        tokens = {t for t in (*self.added, *self.special) if not is_known_token(t)}
        return sorted(tokens, key=self.id_order)

    def standard(self) -> list[str]:
        """Added and special tokens of well-known base tokenizers, in id order."""
        tokens = {t for t in (*self.added, *self.special) if is_known_token(t)}
        return sorted(tokens, key=self.id_order)

    def id_order(self, token: str) -> tuple[int, str]:
        """Sort key: by id, tokens without one last, ties by text."""
        token_id = self.token_id(token)
        return (token_id if token_id is not None else _NO_ID, token)


def compare_tokenizers(left: Path, right: Path) -> ArtifactComparison:
    """Compare two tokenizers (folders or single files); see the module docstring for the score.

    Raises ``InputError`` when a path holds no tokenizer file or a file is malformed or over
    ``MAX_TOKENIZER_FILE_BYTES``; the message names the file and the reason.
    """
    return compare_loaded(load_tokenizer(left), load_tokenizer(right))


def load_tokenizer(path: Path) -> Tokenizer:
    """Read a tokenizer folder (its top-level tokenizer files) or a single tokenizer file."""
    if path.is_dir():
        try:
            candidates = [p for p in path.iterdir() if p.is_file() and _role(p.name) is not None]
        except OSError as exc:
            raise InputError(f"{path}: cannot be listed ({exc.strerror or exc})") from exc
        if not candidates:
            raise InputError(f"{path}: no tokenizer files (tokenizer.json, vocab.json, ...)")
    elif path.is_file():
        if _role(path.name) is None:
            raise InputError(f"{path}: not a tokenizer file (by its name)")
        candidates = [path]
    else:
        raise InputError(f"{path}: no such file or folder")
    tokenizer = Tokenizer(path=path)
    # Files that carry the whole tokenizer go first, so a folder's vocab.json or vocab.txt
    # only fills in what tokenizer.json does not have.
    for file in sorted(candidates, key=lambda p: (_ROLE_ORDER.index(_role(p.name) or ""), p.name)):
        _read_file(tokenizer, file)
    if not tokenizer.vocab and not tokenizer.added and not tokenizer.special:
        reasons = "".join(f"; {name}: {why}" for name, why in tokenizer.unparsed.items())
        raise InputError(f"{path}: no vocabulary, added or special tokens in its files{reasons}")
    return tokenizer


_ROLE_ORDER = (
    "tokenizer",
    "sentencepiece",
    "tiktoken",
    "vocab_json",
    "vocab_txt",
    "merges",
    "added",
    "config",
    "special_map",
)


def _role(name: str) -> str | None:
    lowered = name.lower()
    if lowered == "tokenizer.json":
        return "tokenizer"
    if lowered == "tokenizer_config.json":
        return "config"
    if lowered == "special_tokens_map.json":
        return "special_map"
    if lowered == "added_tokens.json":
        return "added"
    if lowered.endswith("vocab.json"):
        return "vocab_json"
    if lowered.endswith("merges.txt"):
        return "merges"
    if lowered.endswith("vocab.txt"):
        return "vocab_txt"
    if lowered.endswith(".model"):
        return "sentencepiece"
    if lowered.endswith(".tiktoken"):
        return "tiktoken"
    return None


def _read_file(tokenizer: Tokenizer, path: Path) -> None:
    """Add what ``path`` holds to ``tokenizer``.

    Every file is parsed, so a malformed one is reported even when another file already gave
    its part; the first file (by ``_ROLE_ORDER``) to give a vocabulary or merges wins.
    """
    role = _role(path.name)
    data = _read_bytes(path)
    if role == "tokenizer":
        _read_tokenizer_json(tokenizer, path, _parse_json(path, data))
    elif role in ("config", "special_map"):
        _read_special_tokens(tokenizer, path, _parse_json(path, data))
    elif role == "added":
        for token, token_id in _token_ids(path, _parse_json(path, data), "the top level").items():
            tokenizer.added[token] = token_id
    elif role == "vocab_json":
        vocab = _token_ids(path, _parse_json(path, data), "the top level")
        tokenizer.vocab = tokenizer.vocab or vocab
    elif role == "vocab_txt":
        vocab = _read_vocab_txt(path, data)
        tokenizer.vocab = tokenizer.vocab or vocab
        tokenizer.model_type = tokenizer.model_type or "WordPiece"
    elif role == "merges":
        merges = _read_merges_txt(path, data)
        tokenizer.merges = tokenizer.merges or merges
        tokenizer.model_type = tokenizer.model_type or "BPE"
    elif role in ("sentencepiece", "tiktoken"):
        _read_binary_model(tokenizer, path, data)
    if path.name not in tokenizer.unparsed:
        tokenizer.files.append(path.name)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_TOKENIZER_FILE_BYTES:
            raise InputError(
                f"{path}: {size:,} bytes, over the {MAX_TOKENIZER_FILE_BYTES:,}-byte limit "
                "for a tokenizer file"
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc


def _decode(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start})") from exc


def _parse_json(path: Path, data: bytes) -> object:
    text = _decode(path, data)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno})") from exc
    except (ValueError, RecursionError) as exc:
        # Integers beyond Python's digit limit, and nesting deeper than the parser's stack.
        raise InputError(f"{path}: not usable JSON ({exc})") from exc


def _malformed(path: Path, why: str) -> InputError:
    return InputError(f"{path}: malformed tokenizer file: {why}")


def _object(path: Path, value: object, where: str) -> dict[str, object]:
    if not isinstance(value, dict):
        raise _malformed(path, f"{where} is {type(value).__name__}, expected an object")
    return value


def _token_ids(path: Path, value: object, where: str) -> dict[str, int]:
    """A ``{token: id}`` object, checked."""
    mapping = _object(path, value, where)
    result: dict[str, int] = {}
    for token, token_id in mapping.items():
        if not isinstance(token_id, int) or isinstance(token_id, bool) or token_id < 0:
            raise _malformed(path, f"{where}: the id of {token!r} is {token_id!r}, not an id")
        result[token] = token_id
    return result


def _read_tokenizer_json(tokenizer: Tokenizer, path: Path, raw: object) -> None:
    data = _object(path, raw, "the top level")
    model_raw = data.get("model")
    if model_raw is not None:
        model = _object(path, model_raw, "model")
        vocab_raw = model.get("vocab")
        if isinstance(vocab_raw, list):
            tokenizer.vocab = _unigram_vocab(path, vocab_raw)
        elif vocab_raw is not None:
            tokenizer.vocab = _token_ids(path, vocab_raw, "model.vocab")
        tokenizer.merges = _merges(path, model.get("merges", []))
        model_type = model.get("type")
        if isinstance(model_type, str):
            tokenizer.model_type = model_type
        elif isinstance(vocab_raw, list):
            tokenizer.model_type = "Unigram"
        elif tokenizer.merges:
            tokenizer.model_type = "BPE"
    added_raw = data.get("added_tokens", [])
    if not isinstance(added_raw, list):
        raise _malformed(path, "added_tokens is not a list")
    for index, entry_raw in enumerate(added_raw):
        entry = _object(path, entry_raw, f"added_tokens[{index}]")
        content, token_id = entry.get("content"), entry.get("id")
        if not isinstance(content, str):
            raise _malformed(path, f"added_tokens[{index}] has no string content")
        if token_id is not None and (not isinstance(token_id, int) or isinstance(token_id, bool)):
            raise _malformed(path, f"added_tokens[{index}].id is {token_id!r}, not an id")
        tokenizer.added[content] = token_id
        if entry.get("special") is True:
            tokenizer.special.add(content)
    for component in ("normalizer", "pre_tokenizer"):
        if component in data:
            tokenizer.settings[component] = _component_types(data[component])
            tokenizer.setting_values[component] = json.dumps(data[component], sort_keys=True)


def _unigram_vocab(path: Path, entries: list[object]) -> dict[str, int]:
    vocab: dict[str, int] = {}
    for index, entry in enumerate(entries):
        if not isinstance(entry, list) or not entry or not isinstance(entry[0], str):
            raise _malformed(path, f"model.vocab[{index}] is not a [piece, score] pair")
        vocab.setdefault(entry[0], index)
    return vocab


def _merges(path: Path, raw: object) -> list[tuple[str, str]]:
    if not isinstance(raw, list):
        raise _malformed(path, "model.merges is not a list")
    merges: list[tuple[str, str]] = []
    for index, merge in enumerate(raw):
        # Older files write a merge as "a b", newer ones as ["a", "b"] (tokens may hold spaces).
        if isinstance(merge, str) and merge.count(" ") == 1:
            first, second = merge.split(" ")
        elif (
            isinstance(merge, list)
            and len(merge) == 2
            and isinstance(merge[0], str)
            and isinstance(merge[1], str)
        ):
            first, second = merge
        else:
            raise _malformed(path, f"model.merges[{index}] is {merge!r}, not a pair of tokens")
        merges.append((first, second))
    return merges


def _component_types(value: object) -> str:
    """``Sequence(NFD, Lowercase)``-style description of a normalizer or pre-tokenizer."""
    if not isinstance(value, dict):
        return "none" if value is None else type(value).__name__
    kind = str(value.get("type", "?"))
    for key in ("normalizers", "pretokenizers"):
        parts = value.get(key)
        if isinstance(parts, list):
            return f"{kind}({', '.join(_component_types(part) for part in parts)})"
    return kind


def _read_special_tokens(tokenizer: Tokenizer, path: Path, raw: object) -> None:
    """``tokenizer_config.json`` or ``special_tokens_map.json``."""
    data = _object(path, raw, "the top level")
    for key in _SPECIAL_TOKEN_KEYS:
        if data.get(key) is not None:
            tokenizer.special.add(_token_content(path, data[key], key))
    extra = data.get("additional_special_tokens")
    if extra is not None:
        if not isinstance(extra, list):
            raise _malformed(path, "additional_special_tokens is not a list")
        for index, token in enumerate(extra):
            content = _token_content(path, token, f"additional_special_tokens[{index}]")
            tokenizer.special.add(content)
            tokenizer.added.setdefault(content, None)
    decoder_raw = data.get("added_tokens_decoder")
    if decoder_raw is not None:
        decoder = _object(path, decoder_raw, "added_tokens_decoder")
        for key, entry_raw in decoder.items():
            where = f"added_tokens_decoder[{key!r}]"
            if not key.isdigit():
                raise _malformed(path, f"{where}: the key is not an id")
            entry = _object(path, entry_raw, where)
            content = _token_content(path, entry, where)
            if tokenizer.added.get(content) is None:
                tokenizer.added[content] = int(key)
            if entry.get("special") is True:
                tokenizer.special.add(content)
    tokenizer_class = data.get("tokenizer_class")
    if tokenizer.model_type is None and isinstance(tokenizer_class, str):
        tokenizer.model_type = tokenizer_class


def _token_content(path: Path, value: object, where: str) -> str:
    """A token written as a string or as a serialized ``AddedToken`` (``{"content": ...}``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("content"), str):
        return str(value["content"])
    raise _malformed(path, f"{where} is {value!r}, not a token")


def _read_vocab_txt(path: Path, data: bytes) -> dict[str, int]:
    vocab: dict[str, int] = {}
    for index, line in enumerate(_decode(path, data).split("\n")):
        token = line.rstrip("\r")
        # Ids are line numbers, so a blank line keeps its place without being a token.
        if token:
            vocab.setdefault(token, index)
    return vocab


def _read_merges_txt(path: Path, data: bytes) -> list[tuple[str, str]]:
    merges: list[tuple[str, str]] = []
    for number, raw_line in enumerate(_decode(path, data).split("\n"), start=1):
        line = raw_line.rstrip("\r")
        if not line or (number == 1 and line.startswith("#version")):
            continue
        parts = line.split(" ")
        if len(parts) != 2:
            raise _malformed(path, f"line {number} is {line[:80]!r}, not two tokens")
        merges.append((parts[0], parts[1]))
    return merges


def _read_binary_model(tokenizer: Tokenizer, path: Path, data: bytes) -> None:
    """A sentencepiece ``.model`` protobuf, or a tiktoken rank file (LLaMA 3 ships one as
    ``tokenizer.model``).  Anything else is recorded as present but not parsed."""
    head = data[:200].split(b"\n", 1)[0].decode("ascii", errors="replace")
    if _TIKTOKEN_LINE.fullmatch(head):
        vocab = _tiktoken_vocab(data)
        if vocab is not None:
            if not tokenizer.vocab:
                tokenizer.vocab = vocab
                tokenizer.model_type = tokenizer.model_type or "BPE (tiktoken)"
            return
    try:
        pieces, model_type, normalizer = _sentencepiece(data)
    except ValueError as exc:  # malformed protobuf, or a piece that is not UTF-8
        tokenizer.unparsed[path.name] = f"present, not parsed ({exc})"
        return
    if not tokenizer.vocab:
        tokenizer.vocab = {}
        for index, (piece, _) in enumerate(pieces):
            tokenizer.vocab.setdefault(piece, index)
        tokenizer.model_type = tokenizer.model_type or model_type
    for index, (piece, piece_type) in enumerate(pieces):
        if piece_type in (_PIECE_UNKNOWN, _PIECE_CONTROL, _PIECE_USER_DEFINED):
            tokenizer.added.setdefault(piece, index)
        if piece_type in (_PIECE_UNKNOWN, _PIECE_CONTROL):
            tokenizer.special.add(piece)
    if normalizer and "normalizer" not in tokenizer.settings:
        tokenizer.settings["normalizer"] = normalizer
        tokenizer.setting_values["normalizer"] = normalizer


def _tiktoken_vocab(data: bytes) -> dict[str, int] | None:
    vocab: dict[str, int] = {}
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 2 or not parts[1].isdigit():
            return None
        try:
            token = base64.b64decode(parts[0], validate=True)
        except binascii.Error:
            return None
        # Tokens are byte strings; undecodable fragments keep their bytes visible.
        vocab.setdefault(token.decode("utf-8", errors="backslashreplace"), int(parts[1]))
    return vocab


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint longer than 64 bits")


def _fields(data: bytes) -> Iterable[tuple[int, int | bytes]]:
    """(field number, value) of a protobuf message: varints as ints, the rest as bytes."""
    pos = 0
    while pos < len(data):
        key, pos = _varint(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(data, pos)
            yield number, value
        elif wire in (1, 5):
            width = 8 if wire == 1 else 4
            if pos + width > len(data):
                raise ValueError("truncated fixed-width field")
            yield number, data[pos : pos + width]
            pos += width
        elif wire == 2:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ValueError("length-delimited field runs past the end")
            yield number, data[pos : pos + length]
            pos += length
        else:
            raise ValueError(f"wire type {wire} is not sentencepiece's")


def _sentencepiece(data: bytes) -> tuple[list[tuple[str, int]], str | None, str | None]:
    """Pieces (text, type), model type and normalizer name of a ``ModelProto``."""
    pieces: list[tuple[str, int]] = []
    model_type: str | None = "Unigram"  # the proto's default
    normalizer: str | None = None
    for number, value in _fields(data):
        if number == 1 and isinstance(value, bytes):
            piece, piece_type = "", 1
            for sub_number, sub_value in _fields(value):
                if sub_number == 1 and isinstance(sub_value, bytes):
                    piece = sub_value.decode("utf-8")
                elif sub_number == 3 and isinstance(sub_value, int):
                    piece_type = sub_value
            pieces.append((piece, piece_type))
        elif number == 2 and isinstance(value, bytes):
            for sub_number, sub_value in _fields(value):
                if sub_number == 3 and isinstance(sub_value, int):
                    model_type = _SENTENCEPIECE_MODEL_TYPES.get(sub_value, str(sub_value))
        elif number == 3 and isinstance(value, bytes):
            for sub_number, sub_value in _fields(value):
                if sub_number == 1 and isinstance(sub_value, bytes):
                    normalizer = sub_value.decode("utf-8")
    if not pieces:
        raise ValueError("no pieces")
    return pieces, model_type, normalizer


@dataclass(frozen=True)
class _VocabOverlap:
    left_size: int
    right_size: int
    shared: int
    same_id: int
    offset: int
    """The most common id difference (right minus left) among shared tokens."""
    at_offset: int

    @property
    def containment(self) -> float:
        smaller = min(self.left_size, self.right_size)
        return self.shared / smaller if smaller else 0.0


@dataclass(frozen=True)
class _MergesOverlap:
    left_size: int
    right_size: int
    shared: int
    in_order: int
    """Shared merges in the same relative order on both sides (longest common ordering)."""

    @property
    def containment(self) -> float:
        smaller = min(self.left_size, self.right_size)
        return self.shared / smaller if smaller else 0.0


def compare_loaded(left: Tokenizer, right: Tokenizer) -> ArtifactComparison:
    """Compare two tokenizers already read by ``load_tokenizer``."""
    left_tokens, right_tokens = left.distinctive(), right.distinctive()
    # The side whose distinctive tokens are looked for in the other: the one with fewer, or
    # the only one with any (a copy may have folded the added tokens into its vocab.json).
    if left_tokens and (not right_tokens or len(left_tokens) <= len(right_tokens)):
        match = _match(left, left_tokens, right, right_tokens)
        renamed = match.renamed
        small_tokens, large_tokens = left_tokens, right_tokens
    else:
        match = _match(right, right_tokens, left, left_tokens)
        renamed = [(b, a) for a, b in match.renamed]
        small_tokens, large_tokens = right_tokens, left_tokens
    smaller = match.size
    found = set(match.found)
    renamed_left = {pair[0] for pair in renamed}
    renamed_right = {pair[1] for pair in renamed}

    vocab = _vocab_overlap(left, right)
    merges = _merges_overlap(left, right)
    both_merge = left.merges_size and right.merges_size
    agreement = vocab.containment * (merges.containment if both_merge else 1.0)
    share = (len(found) + RENAMED_CREDIT * len(renamed)) / smaller if smaller else 0.0
    corroborates = (
        bool(found)
        and share >= VOCAB_CORROBORATION_MIN_SHARE
        and min(vocab.left_size, vocab.right_size) >= MIN_CORROBORATING_VOCAB
        and agreement >= VOCAB_CORROBORATION_MIN_AGREEMENT
    )
    evidence = smaller + (VOCAB_CORROBORATION_TOKENS if corroborates else 0.0)
    damping = min(1.0, evidence / MIN_DISTINCTIVE_TOKENS)
    score = min(1.0, share * damping)

    left_only = [t for t in left_tokens if t not in found and t not in renamed_left]
    right_only = [t for t in right_tokens if t not in found and t not in renamed_right]
    shared_special = sorted(left.special & right.special, key=left.id_order)
    details: dict[str, JsonValue] = {
        "method": (
            "share of the smaller side's distinctive tokens (special and added tokens that no "
            "well-known base tokenizer ships) found in the other, damped below "
            f"{MIN_DISTINCTIVE_TOKENS}; a shared vocabulary only corroborates"
        ),
        "left": _side_details(left, left_tokens),
        "right": _side_details(right, right_tokens),
        "distinctive_share": round(share, 4),
        "damping": round(damping, 4),
        "vocab_corroborates": corroborates,
        "shared_distinctive": _top(match.found),
        "shared_distinctive_count": len(match.found),
        "found_in_plain_vocab": _top(match.in_plain_vocab),
        "distinctive_id_offset": match.offset,
        "distinctive_at_offset": match.anchors,
        "renamed": [[a, b] for a, b in renamed[:TOP_TOKENS]],
        "only_left": _top(left_only),
        "only_right": _top(right_only),
        "shared_special": _top(shared_special),
        "vocab": {
            "left_size": vocab.left_size,
            "right_size": vocab.right_size,
            "shared": vocab.shared,
            "containment": round(vocab.containment, 4),
            "same_id": vocab.same_id,
            "same_id_share": round(vocab.same_id / vocab.shared, 4) if vocab.shared else 0.0,
            "id_offset": vocab.offset,
            "at_id_offset": vocab.at_offset,
        },
        "merges": {
            "left_size": merges.left_size,
            "right_size": merges.right_size,
            "shared": merges.shared,
            "containment": round(merges.containment, 4),
            "in_order": merges.in_order,
            "order_agreement": round(merges.in_order / merges.shared, 4) if merges.shared else 0.0,
        },
        "settings": _settings_details(left, right),
    }
    log10_chance = _log10_chance(small_tokens, large_tokens, match.found)
    details["chance_log10"] = log10_chance
    details["chance_model"] = (
        "each distinct name core of the smaller side's distinctive tokens is picked by an "
        "independent project with m distinct cores with probability at most m * 2^-bits "
        "(2 bits + 2 per character); Chernoff bound on the shared cores' bits"
    )
    summary = _summary(
        left_tokens,
        right_tokens,
        match,
        renamed,
        vocab,
        corroborates=corroborates,
        score=score,
        damped=damping < 1.0,
        log10_chance=log10_chance,
    )
    return ArtifactComparison(
        kind="tokenizer",
        score=score,
        summary=summary,
        chance=chance_of(log10_chance),
        details=details,
    )


def token_core(token: str) -> str:
    """The name a special token spells, without decoration, case or numbering."""
    return _DIGITS.sub("#", token.strip(_DECORATION).casefold())


def _core_bits(core: str) -> float:
    return min(MAX_VALUE_BITS, STRING_BASE_BITS + STRING_BITS_PER_CHAR * len(core))


def _log10_chance(tokens: list[str], other_tokens: list[str], found: list[str]) -> float:
    """The chance model of the module docstring over the distinct cores of ``tokens``."""
    cores = {token_core(t) for t in tokens}
    others = max(1, len({token_core(t) for t in other_tokens}))
    terms = [(_core_bits(c), min(1.0, others * 2.0 ** -_core_bits(c))) for c in cores]
    shared = {token_core(t) for t in found}
    return coincidence_log10_chance(terms, sum(_core_bits(c) for c in shared))


@dataclass(frozen=True)
class _Match:
    """Which of one side's distinctive tokens the other side has."""

    size: int
    """How many distinctive tokens the side has: the denominator of the score."""
    found: list[str]
    """Those the other side has too, as distinctive tokens or in its vocabulary."""
    in_plain_vocab: list[str]
    """Those of ``found`` that the other side has only as ordinary vocabulary."""
    offset: int
    """The most common id shift (other minus this side) among ``found``."""
    anchors: int
    """How many of ``found`` show that shift."""
    renamed: list[tuple[str, str]]
    """(this side, other side) pairs of unfound tokens at the same shifted id."""


def _match(side: Tokenizer, tokens: list[str], other: Tokenizer, other_tokens: list[str]) -> _Match:
    other_set = set(other_tokens)
    found = [t for t in tokens if t in other_set or t in other.vocab]
    shifts: Counter[int] = Counter()
    for token in found:
        side_id, other_id = side.token_id(token), other.token_id(token)
        if side_id is not None and other_id is not None:
            shifts[other_id - side_id] += 1
    offset, anchors = shifts.most_common(1)[0] if shifts else (0, 0)
    renamed: list[tuple[str, str]] = []
    if anchors >= max(MIN_RENAME_ANCHORS, RENAME_ANCHOR_SHARE * len(tokens)):
        renamed = _renames(side, tokens, other, other_tokens, set(found), offset)
    return _Match(
        size=len(tokens),
        found=found,
        in_plain_vocab=[t for t in found if t not in other_set],
        offset=offset,
        anchors=anchors,
        renamed=renamed,
    )


def _renames(
    side: Tokenizer,
    tokens: list[str],
    other: Tokenizer,
    other_tokens: list[str],
    found: set[str],
    offset: int,
) -> list[tuple[str, str]]:
    """Unfound distinctive tokens of the two sides that sit at the same (shifted) id."""
    other_by_id: dict[int, str] = {}
    for token in other_tokens:
        token_id = other.token_id(token)
        if token not in found and token_id is not None:
            other_by_id.setdefault(token_id, token)
    pairs: list[tuple[str, str]] = []
    for token in tokens:
        token_id = side.token_id(token)
        if token in found or token_id is None:
            continue
        partner = other_by_id.pop(token_id + offset, None)
        if partner is not None:
            pairs.append((token, partner))
    return pairs


def _vocab_overlap(left: Tokenizer, right: Tokenizer) -> _VocabOverlap:
    rate = max(left.sample_rate, right.sample_rate)
    mine, theirs = _sampled(left.vocab, rate), _sampled(right.vocab, rate)
    shared = mine.keys() & theirs.keys()
    shifts = Counter(theirs[token] - mine[token] for token in shared)
    offset, at_offset = shifts.most_common(1)[0] if shifts else (0, 0)
    estimate = _estimator(len(mine), left.vocab_size, min(left.vocab_size, right.vocab_size))
    return _VocabOverlap(
        left_size=left.vocab_size,
        right_size=right.vocab_size,
        shared=estimate(len(shared)),
        same_id=estimate(shifts.get(0, 0)),
        offset=offset,
        at_offset=estimate(at_offset),
    )


def _merges_overlap(left: Tokenizer, right: Tokenizer) -> _MergesOverlap:
    rate = max(left.sample_rate, right.sample_rate)
    right_rank: dict[tuple[str, str], int] = {}
    for rank, merge in enumerate(_sampled_merges(right.merges, rate)):
        right_rank.setdefault(merge, rank)
    seen: set[tuple[str, str]] = set()
    ranks: list[int] = []
    mine = _sampled_merges(left.merges, rate)
    for merge in mine:
        if merge in right_rank and merge not in seen:
            seen.add(merge)
            ranks.append(right_rank[merge])
    estimate = _estimator(
        len(set(mine)), left.merges_size, min(left.merges_size, right.merges_size)
    )
    return _MergesOverlap(
        left_size=left.merges_size,
        right_size=right.merges_size,
        shared=estimate(len(ranks)),
        in_order=estimate(_longest_increasing(ranks)),
    )


def _sample_hash(text: str) -> int:
    digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _sampled(vocab: dict[str, int], rate: int) -> dict[str, int]:
    """The entries a summary sampled at ``rate`` keeps (all of them at rate 1)."""
    if rate == 1:
        return vocab
    return {token: i for token, i in vocab.items() if _sample_hash(token) % rate == 0}


def _sampled_merges(merges: list[tuple[str, str]], rate: int) -> list[tuple[str, str]]:
    if rate == 1:
        return merges
    return [m for m in merges if _sample_hash(f"{m[0]} {m[1]}") % rate == 0]


def _estimator(sampled: int, size: int, ceiling: int) -> Callable[[int], int]:
    """Counts over a sample of ``sampled`` of ``size`` entries, scaled to the whole (exact at
    rate 1, and exact for a sample that is all shared)."""

    def estimate(count: int) -> int:
        if sampled == size or sampled == 0:
            return min(count, ceiling)
        return min(ceiling, round(count * size / sampled))

    return estimate


# --- summaries for an index ---------------------------------------------------------------

SAMPLE_RATE = 32
"""A stored summary keeps one vocabulary entry and one merge in this many (chosen by hash, so
two summaries keep the same entries): a 152k-token vocabulary leaves 4,750 entries, enough to
estimate containment within a percent."""

WHOLE_VOCAB_MAX = 4_096
"""Vocabularies up to this size are stored whole."""

SUMMARY_KEYS = 64
"""Distinctive token names an index can find a tokenizer by."""

SUMMARY_LIST_MAX = 4_096
"""Added, special and special-looking tokens a summary keeps, each."""

_SPECIAL_LOOKING = re.compile(r"<[^<>\s]{1,64}>|\[[^\[\]\s]{1,64}\]")
"""A vocabulary entry written like a special token: a copy may fold its added tokens into its
vocabulary, so a summary keeps these whatever the sample."""


def summarize_tokenizer(path: Path) -> dict[str, JsonValue]:
    """What an index stores of a tokenizer: its added and special tokens, sizes, settings (as
    digests) and a hash sample of its vocabulary and merges; ``compare_tokenizer_summaries``
    compares two of them as ``compare_tokenizers`` compares the tokenizers, with vocabulary and
    merge overlaps estimated from the samples."""
    tokenizer = load_tokenizer(path)
    rate = 1 if tokenizer.vocab_size <= WHOLE_VOCAB_MAX else SAMPLE_RATE
    vocab = _sampled(tokenizer.vocab, rate)
    folded = [
        (token, i)
        for token, i in tokenizer.vocab.items()
        if token not in vocab and _SPECIAL_LOOKING.fullmatch(token) and not is_known_token(token)
    ][:SUMMARY_LIST_MAX]
    special: list[JsonValue] = []
    special.extend(sorted(tokenizer.special)[:SUMMARY_LIST_MAX])
    return {
        "model_type": tokenizer.model_type,
        "files": list(tokenizer.files),
        "sample_rate": rate,
        "vocab_size": tokenizer.vocab_size,
        "merges_size": tokenizer.merges_size,
        "vocab": [[token, i] for token, i in [*vocab.items(), *folded]],
        "merges": [[a, b] for a, b in _sampled_merges(tokenizer.merges, rate)],
        "added": [[token, i] for token, i in list(tokenizer.added.items())[:SUMMARY_LIST_MAX]],
        "special": special,
        "settings": dict(tokenizer.settings),
        "setting_values": {
            name: hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
            for name, value in tokenizer.setting_values.items()
        },
    }


def compare_tokenizer_summaries(
    left: dict[str, JsonValue], right: dict[str, JsonValue], names: tuple[str, str]
) -> ArtifactComparison:
    """``compare_tokenizers`` over two ``summarize_tokenizer`` results; ``ValueError`` when a
    summary is malformed."""
    return compare_loaded(_from_summary(left, names[0]), _from_summary(right, names[1]))


def tokenizer_keys(summary: dict[str, JsonValue]) -> list[str]:
    """What an index looks a tokenizer up by: the name cores of its distinctive tokens (the
    ``SUMMARY_LIST_MAX`` first), so a renamed decoration still finds it."""
    cores = dict.fromkeys(token_core(t) for t in _from_summary(summary, "").distinctive())
    return [f"token\0{core}" for core in list(cores)[:SUMMARY_KEYS] if core]


def _from_summary(summary: dict[str, JsonValue], name: str) -> Tokenizer:
    def pairs(key: str) -> list[tuple[str, object]]:
        raw = summary.get(key)
        if not isinstance(raw, list) or not all(
            isinstance(e, list) and len(e) == 2 and isinstance(e[0], str) for e in raw
        ):
            raise ValueError(f"a tokenizer summary's {key} is a list of pairs")
        return [(str(e[0]), e[1]) for e in raw if isinstance(e, list)]

    def count(key: str) -> int:
        value = summary.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"a tokenizer summary's {key} is a count")
        return value

    def texts(key: str) -> dict[str, str]:
        raw = summary.get(key)
        if not isinstance(raw, dict) or not all(isinstance(v, str) for v in raw.values()):
            raise ValueError(f"a tokenizer summary's {key} maps names to text")
        return {k: str(v) for k, v in raw.items()}

    def ids(entries: list[tuple[str, object]], optional: bool) -> dict[str, int | None]:
        result: dict[str, int | None] = {}
        for token, value in entries:
            if value is None and optional:
                result[token] = None
            elif isinstance(value, int) and not isinstance(value, bool):
                result[token] = value
            else:
                raise ValueError("a tokenizer summary's token id is an integer")
        return result

    model_type, special, files = (summary.get(k) for k in ("model_type", "special", "files"))
    if model_type is not None and not isinstance(model_type, str):
        raise ValueError("a tokenizer summary's model type is text")
    if not isinstance(special, list) or not all(isinstance(t, str) for t in special):
        raise ValueError("a tokenizer summary's special tokens are text")
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise ValueError("a tokenizer summary's files are names")
    vocab = {t: i for t, i in ids(pairs("vocab"), optional=False).items() if i is not None}
    merges = [(a, b) for a, b in pairs("merges") if isinstance(b, str)]
    return Tokenizer(
        path=Path(name),
        files=[str(f) for f in files],
        model_type=model_type,
        vocab=vocab,
        merges=merges,
        added=ids(pairs("added"), optional=True),
        special={str(t) for t in special},
        settings=texts("settings"),
        setting_values=texts("setting_values"),
        sample_rate=max(1, count("sample_rate")),
        vocab_total=count("vocab_size"),
        merges_total=count("merges_size"),
    )


def _longest_increasing(values: list[int]) -> int:
    """Length of the longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    for value in values:
        index = bisect_left(tails, value)
        if index == len(tails):
            tails.append(value)
        else:
            tails[index] = value
    return len(tails)


def _side_details(tokenizer: Tokenizer, distinctive: list[str]) -> dict[str, JsonValue]:
    families: Counter[str] = Counter()
    for token in tokenizer.standard():
        families.update(known_families(token))
    return {
        "path": str(tokenizer.path),
        "files": _top(tokenizer.files),
        "unparsed": dict(tokenizer.unparsed),
        "model_type": tokenizer.model_type,
        "vocab_size": tokenizer.vocab_size,
        "merges": tokenizer.merges_size,
        "added_tokens": len(tokenizer.added),
        "special_tokens": len(tokenizer.special),
        "distinctive_tokens": len(distinctive),
        "standard_tokens": _top(tokenizer.standard()),
        "base_families": _top(name for name, _ in families.most_common(3)),
    }


def _settings_details(left: Tokenizer, right: Tokenizer) -> dict[str, JsonValue]:
    result: dict[str, JsonValue] = {}
    for component in sorted(left.settings.keys() | right.settings.keys()):
        result[component] = {
            "left": left.settings.get(component),
            "right": right.settings.get(component),
            "same": left.setting_values.get(component) == right.setting_values.get(component),
        }
    return result


def _top(tokens: Iterable[str]) -> list[JsonValue]:
    result: list[JsonValue] = []
    for token in tokens:
        if len(result) == TOP_TOKENS:
            break
        result.append(token)
    return result


def _names(tokens: list[str]) -> str:
    shown = ", ".join(tokens[:SUMMARY_TOKENS])
    return shown + (", ..." if len(tokens) > SUMMARY_TOKENS else "")


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _vocab_phrase(vocab: _VocabOverlap) -> str:
    """How the two vocabularies relate, as a noun phrase."""
    if not vocab.left_size or not vocab.right_size:
        return "no vocabulary on both sides to compare"
    size = min(vocab.left_size, vocab.right_size)
    if vocab.left_size == vocab.right_size == vocab.shared:
        if vocab.same_id == vocab.shared:
            return f"a {size:,}-token vocabulary they share token for token"
        if vocab.at_offset == vocab.shared:
            return f"a {size:,}-token vocabulary they share with every id shifted by {vocab.offset}"
    return (
        f"vocabularies of {vocab.left_size:,} and {vocab.right_size:,} tokens that share "
        f"{vocab.shared:,} ({vocab.containment:.0%} of the smaller, "
        f"{vocab.same_id:,} at the same id)"
    )


def _summary(
    left_tokens: list[str],
    right_tokens: list[str],
    match: _Match,
    renamed: list[tuple[str, str]],
    vocab: _VocabOverlap,
    *,
    corroborates: bool,
    score: float,
    damped: bool,
    log10_chance: float,
) -> str:
    vocabulary = _vocab_phrase(vocab)
    not_evidence = (
        "a shared vocabulary is what two projects built on one base tokenizer look like, and "
        "without the base vocabularies codesim cannot tell a copied custom-trained one from a "
        "common base, so it is not counted as evidence."
    )
    if not left_tokens and not right_tokens:
        return (
            "Neither tokenizer adds unusual special or added tokens, only standard ones; they "
            f"have {vocabulary}, but {not_evidence}"
        )
    shared = match.found
    if not shared and (not left_tokens or not right_tokens):
        side, tokens = ("right", right_tokens) if right_tokens else ("left", left_tokens)
        return (
            f"Only the {side} tokenizer adds unusual tokens ({_names(tokens)}), so there is no "
            f"distinctive content to find in the other; they have {vocabulary}, but "
            f"{not_evidence}"
        )
    if not shared and not renamed:
        return (
            f"Each tokenizer adds its own unusual tokens (left: {_names(left_tokens)}; right: "
            f"{_names(right_tokens)}) and they share none; they have {vocabulary}, but "
            f"{not_evidence}"
        )
    smaller = match.size
    # Renames are only looked for beside exact matches, so ``shared`` is not empty here.
    if len(shared) == 1:
        text = f"Both add the same unusual special or added token ({shared[0]})"
    else:
        text = f"Both add the same {len(shared)} unusual special or added tokens"
        text += f" ({_names(shared)})"
    if match.in_plain_vocab:
        text += (
            f" ({len(match.in_plain_vocab)} of them kept by the other side as ordinary vocabulary)"
        )
    if renamed:
        pairs = ", ".join(f"{a} -> {b}" for a, b in renamed[:SUMMARY_TOKENS])
        text += f", plus {len(renamed)} renamed at the same id ({pairs})"
    if len(shared) + len(renamed) < smaller:
        text += f", of the {smaller} the smaller side has,"
    text += f" to {vocabulary}"
    chance = chance_words(log10_chance)
    if log10_chance <= math.log10(STRONG_CHANCE):
        text += f"; independent projects would pick names this alike with chance {chance}."
    elif score >= STRONG_SCORE:
        text += (
            "; two independent tokenizers rarely share even one such token, but these names "
            f"are short or few enough to coincide (chance {chance})."
        )
    else:
        text += (
            "; independent projects do sometimes pick the same token name, and most of the "
            f"smaller side's unusual tokens are not shared (chance {chance})."
        )
    if corroborates:
        text += (
            " The shared vocabulary counts only as support, because the custom tokens agree"
            " (alone it could be a common base)."
        )
    if damped:
        text += (
            f" With only {_plural(smaller, 'distinctive token')} on the smaller side the score "
            "is damped."
        )
    return text
