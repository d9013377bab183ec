"""Compare two config files by structure and values, not text.

Each config (JSON, YAML, TOML, or a Python module of config classes and literal assignments)
is flattened into leaves: the path of keys and list indices down to one scalar value.  Leaves
are aligned across the two configs even when keys were renamed, reordered, reformatted or
moved to another section, in passes that each use what the earlier ones established:

1. the same path, compared with key names normalized (``hiddenSize`` = ``hidden_size``);
2. sections (the containers of leaves) are paired by the values they share and the leaves
   paired so far, so a renamed section is found from its contents;
3. equal values: a leaf pairs with an unpaired leaf of the same value in the paired section
   (the most similar key name first, then the nearest position); a distinctive value pairs
   with its twin anywhere, since it is evidence in itself; sections are then re-paired with the
   new pairs and this pass runs once more;
4. leftovers within paired sections, by similar key name or list index (changed values).

Values weigh by their information content (``value_bits``): the number of bits a simple model
of what config values usually look like needs to describe them, i.e. -log2 of an estimated
prior frequency.  ``true``, ``0`` or ``1e-5`` are a few bits; ``151936`` or a run name are many.

``score``: the share of the smaller config's weight (the side with fewer bits) whose leaves
pair with an identical value in the other, damped linearly when that side carries fewer than
``MIN_EVIDENCE_BITS``.

``chance``: the weights are a prior, so they also give a chance model.  An independent config
holds a given value among its ``m`` distinct values with probability at most
``m * 2**-bits`` (a union bound over where it could be); each distinct value of the smaller
config is one such event, worth its bits, and the chance is Chernoff's bound on the bits two
independent configs would share being at least those shared (``coincidence_log10_chance``).
Common values (``true``, ``adamw``) have ``p`` near 1 and weigh nothing in it; a copied config's
dozen distinctive values take it below 1e-20.  It assumes independent authors: two configs
copied from one base model's config (the same vocabulary size, hidden size, rope base) share
those values legitimately, and the summary says so.
"""

from __future__ import annotations

import ast
import difflib
import json
import math
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from codesim.artifacts.base import (
    ArtifactComparison,
    JsonValue,
    chance_of,
    chance_words,
    coincidence_log10_chance,
    read_text,
)
from codesim.artifacts.yaml_safe import load_yaml
from codesim.errors import InputError

MAX_CONFIG_BYTES = 20 * 1024 * 1024
"""Configs are kilobytes; a 20 MB file is data, and reading it whole must stay cheap."""

MAX_LEAVES = 100_000
"""Configs hold hundreds to a few thousand values; past this the file is data (a vocabulary,
a table), and aligning it as a config would cost time without meaning much."""

CONFIG_SUFFIXES = frozenset({".json", ".yaml", ".yml", ".toml", ".py"})

# --- Information content of a value ------------------------------------------------------------
# Each constant is a code length in bits under a simple description of config values; the
# weight of a value is the shortest description it has (minimum description length), so
# -log2 of its estimated prior frequency.

FLAG_BITS = 1.0
"""``true``, ``false`` and ``null``: about one of two outcomes."""

EMPTY_STRING_BITS = 1.0
"""``""`` is as common as a flag left off."""

SMALL_INT_MAX = 16
"""Integers up to 16 (counts, layers, heads, flags as numbers) are described by their size alone:
log2(2 + n) bits, so 0 costs 1 bit, 1 about 1.6 and 16 about 4.2."""

SHAPE_CHOICE_BITS = 2.0
"""Choosing which description a number uses (decimal digits, a power-of-two multiple, one minus
a small decimal, the plain literal): one of four, two bits."""

NEGATIVE_BITS = 1.0
"""A sign is one more binary choice."""

LOG2_10 = math.log2(10)
"""A significant decimal digit: one of ten."""

COMMON_STRING_BITS = 5.0
"""A value from the shared vocabulary of ML configs (``COMMON_STRINGS``): one of about 32
frequent choices."""

STRING_BASE_BITS = 2.0
"""Saying that a value is free text rather than a vocabulary word."""

STRING_BITS_PER_CHAR = 2.0
"""Entropy rate of identifier-like text (names, paths, run ids): English prose is 1 to 1.5
bits a character under a good model, identifiers and paths are less predictable."""

MAX_VALUE_BITS = 32.0
"""No single value counts as more than this: a long string or a 17-digit float is strong
evidence, but one value alone must not outweigh a whole config."""

DISTINCTIVE_BITS = 12.0
"""A value of at least this many bits (a one-in-4096 prior) is distinctive: it pairs with its
twin wherever it is, and it is listed among the shared values that matter."""

MIN_EVIDENCE_BITS = 120.0
"""Bits the smaller config must carry before a full match is full evidence: about a dozen
distinctive values.  Three keys carry at most 3 x MAX_VALUE_BITS = 96 bits, so a 3-key config
never scores 1.0."""

COMMON_STRINGS = frozenset(
    {
        # activations
        *("relu", "gelu", "gelu_new", "silu", "swish", "tanh", "sigmoid", "softmax"),
        *("leaky_relu", "elu", "mish", "linear", "identity", "none"),
        # optimizers and schedulers
        *("adam", "adamw", "sgd", "rmsprop", "adagrad", "adafactor", "lamb", "lion"),
        *("cosine", "constant", "constant_with_warmup", "step", "exponential", "polynomial"),
        *("plateau", "warmup", "cosine_with_restarts", "onecycle"),
        # devices, precisions, backends
        *("cpu", "cuda", "gpu", "tpu", "mps", "auto", "nccl", "gloo"),
        *("float32", "float16", "bfloat16", "fp32", "fp16", "bf16", "int8", "int32", "int64"),
        *("float64", "float", "int", "str", "bool", "pytorch", "torch", "tensorflow", "jax"),
        # modes, splits, reductions, levels
        *("train", "eval", "test", "val", "valid", "validation", "dev", "predict"),
        *("min", "max", "mean", "sum", "avg", "default", "true", "false", "yes", "no"),
        *("on", "off", "null", "info", "debug", "warning", "error", "epoch", "steps"),
        # layers, losses, metrics, padding
        *("layernorm", "layer_norm", "batchnorm", "batch_norm", "rmsnorm", "layer", "batch"),
        *("group", "cross_entropy", "mse", "l1", "l2", "bce", "nll", "accuracy", "acc", "f1"),
        *("loss", "bleu", "rouge", "perplexity", "same", "left", "right"),
        *("max_length", "longest", "do_not_pad", "pt", "np", "tf", "absolute", "rotary"),
    }
)
"""Values countless configs share: activations, optimizers, schedulers, devices, dtypes,
splits, reductions, norms, losses, metrics and padding modes (compared case-folded)."""

_NUMERIC_TEXT = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A string that is a number: PyYAML reads ``1e-4`` (no dot) as text, JSON as a float, and a
copy converted from one to the other must still match."""

# --- Alignment constants -------------------------------------------------------------------------

KEY_SIMILAR = 0.6
"""Key names at least this similar (difflib ratio of the normalized names) are the same setting
renamed (``n_layers`` / ``num_layers``); below it the names are unrelated."""

MIN_SECTION_BITS = 8.0
"""Shared bits that pair two sections: one distinctive value, or three or four common ones."""

MAX_SECTIONS_PER_VALUE = 50
"""A value that occurs in more sections than this says nothing about which section is which."""

MAX_CANDIDATES = 64
"""Equal-valued leaves examined for one leaf; ``true`` may occur thousands of times and pairing
must stay near-linear."""

STRONG_CHANCE = 1e-6
"""Below this chance the summary calls the shared values unlikely for independent configs:
the bar the issue sets for copies."""

RENAMES_SHOWN = 30
VALUES_SHOWN = 10

Key = str | int
Path_ = tuple[Key, ...]


@dataclass(slots=True)
class _Leaf:
    path: Path_
    value: JsonValue
    canon: tuple[str, str]
    bits: float
    order: int
    weight: float = 0.0


@dataclass(slots=True)
class _Config:
    source: Path
    fmt: str
    leaves: list[_Leaf]

    @property
    def total(self) -> float:
        return sum(leaf.weight for leaf in self.leaves)


def compare_configs(left: Path, right: Path) -> ArtifactComparison:
    """Compare two config files by their values, with keys aligned across renames.

    Reads ``.json``, ``.yaml``/``.yml`` (safe loader, aliases bounded), ``.toml`` and ``.py``
    (parsed with ``ast``, never run).  Raises ``InputError`` for a missing, oversized,
    malformed or empty file.  See the module docstring for the alignment and the score.
    """
    a = _read_config(left)
    b = _read_config(right)
    pairs = _align(a.leaves, b.leaves)
    return _result(a, b, pairs)


SUMMARY_LEAVES = 2_000
"""Leaves a stored summary keeps (the first, in file order): configs hold hundreds."""

SUMMARY_KEYS = 64
"""Distinctive values of one config an index can find it by."""

SUMMARY_STRING_CHARS = 200
"""Characters of a text value a stored summary keeps: past this a value is already distinctive
(``MAX_VALUE_BITS`` is reached at 15 characters), and both sides are cut alike."""


def summarize_config(path: Path) -> dict[str, JsonValue]:
    """What an index stores of a config: its format and leaves (path and value), bounded.

    ``compare_config_summaries`` compares two of them exactly as ``compare_configs`` compares
    the files, the bounds applied to both sides.
    """
    config = _read_config(path)
    leaves: list[JsonValue] = [
        [list(leaf.path), _cut(leaf.value)] for leaf in config.leaves[:SUMMARY_LEAVES]
    ]
    return {"format": config.fmt, "leaves": leaves}


def compare_config_summaries(
    left: dict[str, JsonValue], right: dict[str, JsonValue], names: tuple[str, str]
) -> ArtifactComparison:
    """``compare_configs`` over two ``summarize_config`` results (``names`` for the summary).
    Raises ``ValueError`` when a summary is malformed."""
    a, b = (_summary_config(s, n) for s, n in zip((left, right), names, strict=True))
    return _result(a, b, _align(a.leaves, b.leaves))


def config_keys(summary: dict[str, JsonValue]) -> list[str]:
    """What an index looks a config up by: its distinctive values (``DISTINCTIVE_BITS`` or
    more), the most informative ``SUMMARY_KEYS`` of them, whatever their keys are named."""
    leaves = _summary_config(summary, "").leaves
    distinctive = sorted(
        {(leaf.bits, leaf.canon) for leaf in leaves if leaf.bits >= DISTINCTIVE_BITS}, reverse=True
    )
    return [f"config\0{kind}\0{text}" for _, (kind, text) in distinctive[:SUMMARY_KEYS]]


def _cut(value: JsonValue) -> JsonValue:
    if isinstance(value, str) and len(value) > SUMMARY_STRING_CHARS:
        return value[:SUMMARY_STRING_CHARS]
    return value


def _summary_config(summary: dict[str, JsonValue], name: str) -> _Config:
    fmt, raw = summary.get("format"), summary.get("leaves")
    if not isinstance(fmt, str) or not isinstance(raw, list) or not raw:
        raise ValueError("a config summary needs a format and leaves")
    leaves: list[_Leaf] = []
    for entry in raw:
        if not isinstance(entry, list) or len(entry) != 2 or not isinstance(entry[0], list):
            raise ValueError("a config summary leaf is [path, value]")
        keys = entry[0]
        value = _cut(entry[1])
        if isinstance(value, list | dict) or not all(isinstance(k, str | int) for k in keys):
            raise ValueError("a config summary leaf has a scalar value and a path of keys")
        path: Path_ = tuple(k for k in keys if isinstance(k, str | int))
        leaves.append(_Leaf(path, value, _canonical(value), value_bits(value), len(leaves)))
    _assign_weights(leaves)
    return _Config(Path(name), fmt, leaves)


# --- Reading -----------------------------------------------------------------------------------


def _read_config(path: Path) -> _Config:
    suffix = path.suffix.lower()
    if suffix not in CONFIG_SUFFIXES:
        raise InputError(
            f"{path}: not a config file (expected {', '.join(sorted(CONFIG_SUFFIXES))})"
        )
    text = read_text(path, MAX_CONFIG_BYTES, "a config")
    try:
        if suffix == ".json":
            data = _parse_json(text, path)
        elif suffix in (".yaml", ".yml"):
            data = _plain(load_yaml(text, path))
        elif suffix == ".toml":
            data = _parse_toml(text, path)
        else:
            data = _parse_python(text, path)
        leaves = _flatten(data, path)
    except RecursionError as exc:
        raise InputError(f"{path}: nested too deeply to read") from exc
    if not leaves:
        raise InputError(f"{path}: the config holds no values to compare")
    _assign_weights(leaves)
    return _Config(path, suffix.lstrip("."), leaves)


def _parse_json(text: str, path: Path) -> JsonValue:
    try:
        data: JsonValue = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc.msg} (line {exc.lineno})") from exc
    return data


def _parse_toml(text: str, path: Path) -> JsonValue:
    try:
        return _plain(tomllib.loads(text))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from exc


def _plain(value: object) -> JsonValue:
    """``value`` as JSON-like data: YAML and TOML dates become ISO text, other keys text."""
    if isinstance(value, dict):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [_plain(v) for v in items]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


# --- Python config modules, read with ast only -------------------------------------------------


class _NotLiteral(Exception):
    """An expression that is not a literal; its assignment is left out."""


def _parse_python(text: str, path: Path) -> JsonValue:
    """The literal settings of a Python config module, never importing or running it.

    Top-level assignments of literals (including ``dict(key=...)`` calls, as mmcv-style configs
    write them) become top-level keys; each class body (dataclasses, pydantic models, plain
    config classes, nested classes) becomes a section named after the class, its annotated or
    assigned fields its keys (``field(default=...)`` read for its default).
    """
    try:
        tree = ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise InputError(f"{path}: not valid Python: {exc.msg} (line {exc.lineno})") from exc
    return _python_body(tree.body)


def _python_body(body: list[ast.stmt]) -> dict[str, JsonValue]:
    settings: dict[str, JsonValue] = {}
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            section = _python_body(statement.body)
            if section:
                settings[statement.name] = section
            continue
        if isinstance(statement, ast.Assign):
            targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            value: ast.expr | None = statement.value
        elif isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
            targets = [statement.target.id]
            value = statement.value
        else:
            continue
        if value is None or not targets:
            continue
        try:
            literal = _python_literal(value)
        except _NotLiteral:
            continue
        for name in targets:
            settings[name] = literal
    return settings


def _python_literal(node: ast.expr) -> JsonValue:
    if isinstance(node, ast.Dict):
        result: dict[str, JsonValue] = {}
        for key, value in zip(node.keys, node.values, strict=True):
            if key is None:
                raise _NotLiteral  # ``**other`` merges a value we cannot know
            result[str(_python_literal(key))] = _python_literal(value)
        return result
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [_python_literal(item) for item in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        keywords = {k.arg: k.value for k in node.keywords if k.arg is not None}
        if node.func.id == "dict" and not node.args and len(keywords) == len(node.keywords):
            return {name: _python_literal(value) for name, value in keywords.items()}
        if node.func.id in ("field", "Field") and "default" in keywords:
            return _python_literal(keywords["default"])
        if node.func.id in ("field", "Field") and node.args:
            return _python_literal(node.args[0])  # pydantic's Field(default, ...)
        if node.func.id in ("field", "Field") and isinstance(
            factory := keywords.get("default_factory"), ast.Lambda
        ):
            return _python_literal(factory.body)
        raise _NotLiteral
    if isinstance(node, ast.Constant) and node.value is Ellipsis:
        raise _NotLiteral  # pydantic's Field(...): a required field has no value
    try:
        value = ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError) as exc:
        raise _NotLiteral from exc
    return _plain(value)


# --- Leaves and their weights -------------------------------------------------------------------


def _flatten(data: JsonValue, source: Path) -> list[_Leaf]:
    leaves: list[_Leaf] = []
    for path, value in _walk(data, ()):
        if len(leaves) >= MAX_LEAVES:
            raise InputError(
                f"{source}: more than {MAX_LEAVES:,} values: data, not a config to compare"
            )
        leaves.append(_Leaf(path, value, _canonical(value), value_bits(value), len(leaves)))
    return leaves


def _walk(value: JsonValue, path: Path_) -> Iterator[tuple[Path_, JsonValue]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index))
    else:
        yield path, value


def _number_canon(number: int | float) -> str:
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return str(int(number))
    return repr(number)


def _canonical(value: JsonValue) -> tuple[str, str]:
    """A value's identity for matching: numbers by value (``1.0`` = ``1`` = ``"1e0"``), text
    exactly, flags by kind."""
    if value is None:
        return ("null", "")
    if isinstance(value, bool):
        return ("bool", str(value))
    if isinstance(value, int | float):
        return ("num", _number_canon(value))
    if isinstance(value, str) and _NUMERIC_TEXT.fullmatch(value.strip()):
        return ("num", _number_canon(_text_number(value)))
    return ("str", str(value))


def _text_number(text: str) -> int | float:
    stripped = text.strip()
    try:
        return int(stripped)
    except ValueError:
        return float(stripped)


def value_bits(value: JsonValue) -> float:
    """Information content of one config value in bits: -log2 of its estimated prior frequency.

    The estimate is the shortest description the value has under a simple model of config
    values (see the constants above for each part's cost), capped at ``MAX_VALUE_BITS``.
    Numbers in text (``"1e-4"``) weigh as the number.
    """
    if value is None or isinstance(value, bool):
        return FLAG_BITS
    if isinstance(value, str):
        if _NUMERIC_TEXT.fullmatch(value.strip()):
            return value_bits(_text_number(value))
        return min(MAX_VALUE_BITS, _string_bits(value))
    if isinstance(value, int | float):
        return min(MAX_VALUE_BITS, _number_bits(value))
    return FLAG_BITS  # containers never reach here: they are flattened


def _string_bits(text: str) -> float:
    if not text:
        return EMPTY_STRING_BITS
    if text.strip().casefold() in COMMON_STRINGS:
        return COMMON_STRING_BITS
    return STRING_BASE_BITS + STRING_BITS_PER_CHAR * len(text)


def _number_bits(number: int | float) -> float:
    if isinstance(number, float) and not math.isfinite(number):
        return COMMON_STRING_BITS  # inf and nan stand for "no limit" / "unset"
    sign = NEGATIVE_BITS if number < 0 else 0.0
    magnitude = abs(number)
    if isinstance(number, float) and number.is_integer() and magnitude < 2**53:
        magnitude = int(magnitude)
    if isinstance(magnitude, int):
        return sign + _int_bits(magnitude)
    shapes = [_decimal_bits(magnitude)]
    if 0.5 < magnitude < 1:
        # 0.999, 0.98: one minus a small decimal (momentum, decay, beta2)
        shapes.append(_decimal_bits(float(Decimal(1) - Decimal(repr(magnitude)))))
    return sign + min(shapes)


def _int_bits(n: int) -> float:
    if n <= SMALL_INT_MAX:
        return math.log2(2 + n)
    odd, twos = n, 0
    while odd % 2 == 0:
        odd //= 2
        twos += 1
    # Elias gamma code of the odd factor: 768 = 3 * 2**8 and 4096 = 2**12 are cheap
    power_of_two_shape = SHAPE_CHOICE_BITS + 2 * math.floor(math.log2(odd)) + 1
    power_of_two_shape += math.log2(1 + twos)
    literal = SHAPE_CHOICE_BITS + math.log2(n) + math.log2(1 + math.log2(n))
    return min(_decimal_bits(n), power_of_two_shape, literal)


def _decimal_bits(magnitude: float | int) -> float:
    """Significant decimal digits plus the exponent: 1e-5 and 3000 are short, 0.0123457 long."""
    if magnitude == 0:
        return math.log2(2)
    digits = Decimal(repr(magnitude)).normalize().as_tuple()
    significant = len(digits.digits)
    exponent = int(digits.exponent) + significant - 1
    return SHAPE_CHOICE_BITS + significant * LOG2_10 + math.log2(1 + abs(exponent))


def _assign_weights(leaves: list[_Leaf]) -> None:
    """A value repeated across a config tells its information once: its leaves share it."""
    counts = Counter(leaf.canon for leaf in leaves)
    for leaf in leaves:
        leaf.weight = leaf.bits / counts[leaf.canon]


# --- Alignment ----------------------------------------------------------------------------------


def _normal_key(key: Key) -> Key:
    if isinstance(key, int):
        return key
    return re.sub(r"[^0-9a-z]", "", key.casefold())


def _normal_path(path: Path_) -> Path_:
    return tuple(_normal_key(key) for key in path)


def _key_similarity(a: Key, b: Key) -> float:
    if isinstance(a, int) or isinstance(b, int):
        return 1.0 if a == b else 0.0
    na, nb = _normal_key(a), _normal_key(b)
    if na == nb:
        return 1.0
    if not isinstance(na, str) or not isinstance(nb, str):
        return 0.0
    return difflib.SequenceMatcher(None, na, nb, autojunk=False).ratio()


class _Alignment:
    """Leaf pairs and the section map, built in the passes the module docstring lists."""

    def __init__(self, left: list[_Leaf], right: list[_Leaf]) -> None:
        self.left = left
        self.right = right
        self.pair_of_left: dict[int, int] = {}
        self.pair_of_right: dict[int, int] = {}
        self.sections: dict[Path_, list[Path_]] = {}
        """Each left section's counterparts, the most shared bits first: a section split in
        two, or moved into another, has several."""

    def pair(self, i: int, j: int) -> None:
        self.pair_of_left[i] = j
        self.pair_of_right[j] = i

    def relative(self, leaf: _Leaf, side: list[_Leaf]) -> float:
        return leaf.order / max(1, len(side) - 1)

    def by_path(self) -> None:
        right_paths = {_normal_path(leaf.path): j for j, leaf in enumerate(self.right)}
        for i, leaf in enumerate(self.left):
            j = right_paths.get(_normal_path(leaf.path))
            if j is not None and j not in self.pair_of_right:
                self.pair(i, j)

    def map_sections(self) -> None:
        """Pair each left section with the right sections it shares enough bits with."""
        right_sections_of: dict[tuple[str, str], Counter[Path_]] = defaultdict(Counter)
        for leaf in self.right:
            right_sections_of[leaf.canon][leaf.path[:-1]] += 1
        left_values: dict[Path_, Counter[tuple[str, str]]] = defaultdict(Counter)
        bits_of: dict[tuple[str, str], float] = {}
        for leaf in self.left:
            left_values[leaf.path[:-1]][leaf.canon] += 1
            bits_of[leaf.canon] = leaf.bits
        shared: dict[Path_, defaultdict[Path_, float]] = defaultdict(lambda: defaultdict(float))
        for section, values in left_values.items():
            for canon, count in values.items():
                holders = right_sections_of.get(canon)
                if not holders or len(holders) > MAX_SECTIONS_PER_VALUE:
                    continue
                for right_section, right_count in holders.items():
                    shared[section][right_section] += min(count, right_count) * bits_of[canon]
        for i, j in self.pair_of_left.items():
            a, b = self.left[i], self.right[j]
            if a.canon != b.canon:  # equal values were counted above; a pair counts once
                shared[a.path[:-1]][b.path[:-1]] += a.bits
        self.sections = {
            section: [
                other
                for other, bits in sorted(candidates.items(), key=lambda item: -item[1])
                if bits >= MIN_SECTION_BITS
            ]
            for section, candidates in shared.items()
        }
        # the top levels are each other's counterparts even when they share nothing
        top = self.sections.setdefault((), [])
        if () not in top:
            top.append(())

    def by_value(self) -> None:
        """Pair unpaired leaves of equal value, preferring the paired section and similar keys."""
        unpaired_right: dict[tuple[str, str], list[int]] = defaultdict(list)
        in_section: dict[tuple[Path_, tuple[str, str]], list[int]] = defaultdict(list)
        for j, leaf in enumerate(self.right):
            if j not in self.pair_of_right:
                unpaired_right[leaf.canon].append(j)
                in_section[(leaf.path[:-1], leaf.canon)].append(j)
        order = sorted(
            (i for i in range(len(self.left)) if i not in self.pair_of_left),
            key=lambda i: (-self.left[i].bits, i),
        )
        for i in order:
            leaf = self.left[i]
            free = [
                j
                for section in self.sections.get(leaf.path[:-1], [])
                for j in in_section.get((section, leaf.canon), [])[:MAX_CANDIDATES]
                if j not in self.pair_of_right
            ][:MAX_CANDIDATES]
            if not free:
                pool = [
                    j
                    for j in unpaired_right.get(leaf.canon, [])[: MAX_CANDIDATES * 4]
                    if j not in self.pair_of_right
                ][:MAX_CANDIDATES]
                if leaf.bits >= DISTINCTIVE_BITS:
                    free = pool
                else:  # a common value pairs out of its section only under a similar key
                    free = [
                        j
                        for j in pool
                        if _key_similarity(leaf.path[-1], self.right[j].path[-1]) >= KEY_SIMILAR
                    ]
            if not free:
                continue
            position = self.relative(leaf, self.left)
            best = max(
                free,
                key=lambda j: (
                    _key_similarity(leaf.path[-1], self.right[j].path[-1]),
                    -abs(self.relative(self.right[j], self.right) - position),
                ),
            )
            self.pair(i, best)

    def leftovers(self) -> None:
        """Within paired sections, pair what is left by similar key names or list index."""
        unpaired_right: dict[Path_, list[int]] = defaultdict(list)
        for j, leaf in enumerate(self.right):
            if j not in self.pair_of_right:
                unpaired_right[leaf.path[:-1]].append(j)
        for i, leaf in enumerate(self.left):
            if i in self.pair_of_left:
                continue
            scored = [
                (_key_similarity(leaf.path[-1], self.right[j].path[-1]), j)
                for section in self.sections.get(leaf.path[:-1], [])
                for j in unpaired_right.get(section, [])[:MAX_CANDIDATES]
                if j not in self.pair_of_right
            ]
            if scored:
                similarity, j = max(scored)
                if similarity >= KEY_SIMILAR:
                    self.pair(i, j)


def _align(left: list[_Leaf], right: list[_Leaf]) -> dict[int, int]:
    alignment = _Alignment(left, right)
    alignment.by_path()
    alignment.map_sections()
    alignment.by_value()
    # Pairs found by value reveal renamed sections whose values were too common to pair them.
    alignment.map_sections()
    alignment.by_value()
    alignment.leftovers()
    return alignment.pair_of_left


# --- The result ---------------------------------------------------------------------------------


def _dotted(path: Path_) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else key)
    return text or "(top level)"


def _shown(value: JsonValue) -> JsonValue:
    if isinstance(value, str) and len(value) > 80:
        return value[:77] + "..."
    return value


def _result(a: _Config, b: _Config, left_to_right: dict[int, int]) -> ArtifactComparison:
    smaller_is_left = a.total <= b.total
    small, large = (a, b) if smaller_is_left else (b, a)
    pairs = left_to_right if smaller_is_left else {j: i for i, j in left_to_right.items()}
    identical = [(i, j) for i, j in pairs.items() if small.leaves[i].canon == large.leaves[j].canon]
    total = small.total
    matched = sum(small.leaves[i].weight for i, _ in identical)
    share = matched / total if total else 0.0
    damping = min(1.0, total / MIN_EVIDENCE_BITS)
    score = max(0.0, min(1.0, share * damping))

    renames = sorted(
        (
            (a.leaves[i], b.leaves[j])
            for i, j in left_to_right.items()
            if a.leaves[i].path != b.leaves[j].path
        ),
        key=lambda pair: -pair[0].bits,
    )
    changed = sorted(
        (
            (a.leaves[i], b.leaves[j])
            for i, j in left_to_right.items()
            if a.leaves[i].canon != b.leaves[j].canon
        ),
        key=lambda pair: -pair[0].bits,
    )
    distinctive = sorted(
        (pair for pair in identical if small.leaves[pair[0]].bits >= DISTINCTIVE_BITS),
        key=lambda pair: -small.leaves[pair[0]].bits,
    )
    log10_chance = _log10_chance(small, large, {small.leaves[i].canon for i, _ in identical})
    unpaired_left = [leaf for i, leaf in enumerate(a.leaves) if i not in left_to_right]
    paired_right = set(left_to_right.values())
    unpaired_right = [leaf for j, leaf in enumerate(b.leaves) if j not in paired_right]

    details: dict[str, JsonValue] = {
        "format_left": a.fmt,
        "format_right": b.fmt,
        "smaller": "left" if smaller_is_left else "right",
        "values_left": len(a.leaves),
        "values_right": len(b.leaves),
        "paired": len(left_to_right),
        "identical_values": len(identical),
        "identical_share": len(identical) / len(small.leaves),
        "weighted_identical_share": share,
        "evidence_bits": total,
        "matched_bits": matched,
        "damping": damping,
        "renamed_count": len(renames),
        "renamed_keys": {_dotted(x.path): _dotted(y.path) for x, y in renames[:RENAMES_SHOWN]},
        "changed_values": [
            {
                "left": _dotted(x.path),
                "right": _dotted(y.path),
                "left_value": _shown(x.value),
                "right_value": _shown(y.value),
            }
            for x, y in changed[:VALUES_SHOWN]
        ],
        "distinctive_shared_values": [
            {
                "value": _shown(small.leaves[i].value),
                "bits": round(small.leaves[i].bits, 1),
                "left": _dotted((small.leaves[i] if smaller_is_left else large.leaves[j]).path),
                "right": _dotted((large.leaves[j] if smaller_is_left else small.leaves[i]).path),
            }
            for i, j in distinctive[:VALUES_SHOWN]
        ],
        "chance_log10": log10_chance,
        "chance_model": (
            "each distinct value of the smaller config appears among the other's m distinct "
            "values with probability at most m * 2^-bits; Chernoff bound on the shared bits"
        ),
        "unmatched_left_count": len(unpaired_left),
        "unmatched_right_count": len(unpaired_right),
        "unmatched_left": [_dotted(leaf.path) for leaf in unpaired_left[:RENAMES_SHOWN]],
        "unmatched_right": [_dotted(leaf.path) for leaf in unpaired_right[:RENAMES_SHOWN]],
    }
    return ArtifactComparison(
        kind="config",
        score=score,
        summary=_summary(
            small, large, len(identical), share, damping, len(renames), distinctive, log10_chance
        ),
        chance=chance_of(log10_chance),
        details=details,
    )


def _summary(
    small: _Config,
    large: _Config,
    identical: int,
    share: float,
    damping: float,
    renamed: int,
    distinctive: list[tuple[int, int]],
    log10_chance: float,
) -> str:
    text = (
        f"{identical} of the {len(small.leaves)} values of {small.source.name} (the smaller "
        f"config) are identical in {large.source.name}, {share:.0%} of their weight"
    )
    text += f"; {renamed} keys renamed or moved." if renamed else "."
    if distinctive:
        shown = ", ".join(json.dumps(_shown(small.leaves[i].value)) for i, _ in distinctive[:3])
        text += f" Distinctive shared values: {shown}."
    if damping < 1:
        text += (
            " The smaller config carries little information, "
            f"so the score is damped to {damping:.0%} of the share."
        )
    if log10_chance <= math.log10(STRONG_CHANCE):
        text += (
            f" Independent configs would share values this informative with chance "
            f"{chance_words(log10_chance)}, unless both copy one base model's config."
        )
    else:
        text += (
            " Independent configs easily share values as common as these "
            f"(chance {chance_words(log10_chance)})."
        )
    return text


def _log10_chance(small: _Config, large: _Config, shared: set[tuple[str, str]]) -> float:
    """The chance model of the module docstring: one event per distinct value of ``small``."""
    bits: dict[tuple[str, str], float] = {}
    for leaf in small.leaves:
        bits[leaf.canon] = leaf.bits
    others = len({leaf.canon for leaf in large.leaves})
    terms = [(b, min(1.0, others * 2.0**-b)) for b in bits.values()]
    return coincidence_log10_chance(terms, sum(bits[canon] for canon in shared))
