"""Model checkpoints (``.safetensors``, sharded ones through their ``*.safetensors.index.json``)
as evidence of copying: is the right checkpoint's weights a derived copy of the left's?

A copier renames tensors, reorders them, rescales each one (``w' = a*w + b``) and adds a little
Gaussian noise.  None of that changes which values sit at which position of a tensor, so the
method is: group the floating-point tensors of both sides by shape, read the same deterministic
sample of positions from every tensor of a group (``SAMPLE_SIZE`` values, memory-mapped, never a
whole tensor), correlate every left sample with every right sample (Pearson, which per-tensor
scaling leaves at ~1 and independent initialisations leave at ~0), and match one-to-one, greedily
by correlation, the pairs above ``max(R_FLOOR, Z_THRESHOLD / sqrt(n))``.

``score`` is the share of the smaller checkpoint's informative parameters (elements of
non-constant floating-point tensors) that lie in matched tensors.  Every matched tensor is
already significant on its own (the threshold), so no further damping for small checkpoints.

Noise: for a matched pair, ``right ≈ a*left + b`` is fitted by least squares on the sample; the
residual's std over ``std(a*left)`` is the relative noise sigma, and ``rho = 1/sqrt(1+sigma²)``.
With ``R_FLOOR = 0.5`` detection stops at sigma = sqrt(3) ≈ 1.73 (noise 1.7 times the weights'
own spread), where the noise dominates the copied weights.

Chance: under independence the Fisher transform ``atanh(r) * sqrt(n-3)`` of a pair's sample
correlation is ~N(0, 1); the reported chance is the two-sided p-value of the weakest matched
pair times the number of candidate pairs compared (a union bound: the probability that
independent checkpoints give even one pair as strong as the weakest one counted).

Without weights (an index file whose shards are absent) only the tensor-name table can be
compared; see ``_compare_tables``.  Pickled checkpoints are refused, since unpickling runs
code, unless the caller passes ``unsafe_pickle``: then ``pickled`` reads PyTorch's zip format
with an unpickler that resolves only the globals of a state dict.
"""

from __future__ import annotations

import base64
import json
import math
import re
import struct
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from codesim.artifacts.base import ArtifactComparison, JsonValue, chance_of, chance_words
from codesim.artifacts.pickled import read_torch_checkpoint
from codesim.errors import InputError

SAMPLE_SIZE = 4096
"""Values read per tensor: enough that independent tensors correlate within ±6/64 ≈ ±0.09
(six standard deviations) while a tensor costs at most 4,096 page reads, whatever its size."""

SAMPLE_SEED = 20240607
"""Fixes the sampled positions: both sides must read the same positions of same-shape tensors,
and a rerun must give the same figures."""

Z_THRESHOLD = 6.0
"""Standard deviations of the null correlation (1/sqrt(n)) a pair must exceed: a two-sided
p-value of 2e-9, so even a million candidate pairs expect no chance match."""

R_FLOOR = 0.5
"""Correlation a pair must exceed whatever n is: a margin over structure independent trainings
may share; it puts the end of detection at noise sigma sqrt(3), where noise outweighs weights."""

TOP_PAIRS = 10
"""Matched pairs listed in the details (largest first): enough to read the rename pattern."""

TOP_RENAMES = 10
"""Template renames listed in a table-only comparison."""

MAX_INDEX_BYTES = 64 * 1024 * 1024
"""Largest index file read: real ones are well under a megabyte, so a bigger one is not one."""

NO_NOISE = 5e-7
"""Noise sigma below which the summary says "no measurable noise": float32 rounding level."""

CORRELATION_DECIMALS = 8
"""Most decimals a correlation is written with: past float32 rounding nothing is measured."""

WEAK_RELATION_CHANCE = 1e-6
"""Chance below which an unmatched checkpoint's best pair is reported as related, not as
independent: the same bar the derived copies must clear."""

PICKLE_SUFFIXES = frozenset({".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle"})
"""Checkpoint formats stored with pickle, which runs arbitrary code when loaded."""

INDEX_SUFFIX = ".index.json"

_FLOAT_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "BF16": "<u2"}
"""safetensors dtypes sampled, as the little-endian numpy type of their bytes; bfloat16 has no
numpy type, so its 16 bits are read as integers and widened to float32 (its top half)."""

_INDEX = re.compile(r"(?<![^.])\d+(?![^.])")
"""A dotted part that is a number: a ModuleList index (``layers.3``), unlike the digits of a
name such as ``ln_1`` or ``fc2``, which stay part of the name."""

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class _Tensor:
    """Where one tensor's bytes are: enough to sample it without loading it."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    path: Path
    start: int
    """Absolute byte offset of the tensor's data in ``path``."""
    strides: tuple[int, ...] | None = None
    """Element strides when the data is not laid out row-major (a view saved with its storage,
    in a pickled checkpoint); None for row-major."""

    @property
    def numel(self) -> int:
        return math.prod(self.shape)

    @property
    def span(self) -> int:
        """Elements from ``start`` to the last one the tensor uses, plus one."""
        if self.strides is None or self.numel == 0:
            return self.numel
        return 1 + sum(
            (size - 1) * stride for size, stride in zip(self.shape, self.strides, strict=True)
        )


@dataclass(frozen=True, slots=True)
class _Checkpoint:
    """One side: its tensors when the weights are present, else only its name table."""

    names: tuple[str, ...]
    """Tensor names in storage order (data offset, shard by shard; index order without weights)."""
    tensors: tuple[_Tensor, ...] | None
    """None when weights are absent (an index file whose shard files are missing)."""
    missing_shards: tuple[str, ...] = ()
    total_size: int | None = None
    """The index's ``metadata.total_size`` (bytes of all tensors), when it states one."""


@dataclass(frozen=True, slots=True)
class _Pair:
    left: _Tensor
    right: _Tensor
    correlation: float
    """Signed; a negative scale ``a`` flips its sign, so matching uses its magnitude."""
    scale: float
    sigma: float
    n: int


def compare_checkpoints(
    left: Path, right: Path, *, unsafe_pickle: bool = False
) -> ArtifactComparison:
    """Compare two checkpoints: a ``.safetensors`` file, a ``*.safetensors.index.json`` of a
    sharded one, or a folder holding either; with ``unsafe_pickle``, also a PyTorch pickle
    (``.bin``, ``.pt``, ``.pth``, ``.ckpt``), read by ``pickled`` without running its code.

    Tensors are matched by shape and sampled values whatever their names and order; ``score``
    is the share of the smaller checkpoint's parameters in matched tensors.  When either side
    has no weights (an index file without its shards) only the name tables are compared.
    Raises ``InputError`` for a missing or ambiguous path, a pickled checkpoint (without
    ``unsafe_pickle``, or one naming more than tensors), a corrupt or truncated file, or a
    missing ``safetensors`` package.
    """
    left_checkpoint = _load(left, unsafe_pickle)
    right_checkpoint = _load(right, unsafe_pickle)
    if left_checkpoint.tensors is None or right_checkpoint.tensors is None:
        return _compare_tables(left_checkpoint, right_checkpoint)
    sampler = _FileSampler()
    return _compare_weights(left_checkpoint.tensors, right_checkpoint.tensors, sampler, sampler)


# --- reading -------------------------------------------------------------------------------


def _load(path: Path, unsafe_pickle: bool) -> _Checkpoint:
    target = _resolve(path, unsafe_pickle)
    if target.name.endswith(INDEX_SUFFIX):
        return _load_index(target, unsafe_pickle)
    tensors = _read_tensors(target)
    return _Checkpoint(tuple(t.name for t in tensors), tuple(tensors))


def _resolve(path: Path, unsafe_pickle: bool) -> Path:
    """The one checkpoint file (single file or index) that ``path`` names or holds."""
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.is_dir():
        indexes = sorted(path.glob(f"*.safetensors{INDEX_SUFFIX}"))
        singles = sorted(path.glob("*.safetensors"))
        pickled = sorted(p for p in path.iterdir() if p.suffix in PICKLE_SUFFIXES)
        choices = [(indexes, "index files"), (singles, "safetensors files")]
        if unsafe_pickle:
            choices.append((pickled, "pickled checkpoints"))
        for found, what in choices:
            if len(found) > 1:
                names = ", ".join(p.name for p in found)
                raise InputError(f"{path}: several {what} ({names}); pass the one to compare")
            if found:
                return found[0]
        if pickled:
            _refuse_pickle(pickled[0])
        raise InputError(f"{path}: holds no .safetensors checkpoint or *.safetensors.index.json")
    if path.suffix in PICKLE_SUFFIXES:
        if not unsafe_pickle:
            _refuse_pickle(path)
        return path
    if path.suffix == ".safetensors" or path.name.endswith(INDEX_SUFFIX):
        return path
    raise InputError(f"{path}: not a checkpoint (.safetensors or *.safetensors.index.json)")


def _refuse_pickle(path: Path) -> NoReturn:
    raise InputError(
        f"{path}: a pickled checkpoint; loading one can run any code stored in it, so codesim "
        "does not open it unless told to: pass --unsafe-pickle (unsafe_pickle=True in Python) "
        "to read its tensors with a restricted unpickler, or convert it to .safetensors"
    )


def _load_index(path: Path, unsafe_pickle: bool) -> _Checkpoint:
    """A sharded checkpoint: its weight map, and the shards' tensors when all are present."""
    if path.stat().st_size > MAX_INDEX_BYTES:
        raise InputError(f"{path}: {path.stat().st_size} bytes is too large for an index file")
    try:
        document = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: not a valid JSON index file ({error})") from error
    weight_map = document.get("weight_map") if isinstance(document, dict) else None
    if not isinstance(weight_map, dict) or not all(
        isinstance(shard, str) for shard in weight_map.values()
    ):
        raise InputError(f"{path}: no 'weight_map' of tensor name -> shard file name")
    shards = list(dict.fromkeys(weight_map.values()))
    for shard in shards:
        # A shard is a file beside the index: a path would let an index read anywhere.
        if Path(shard).name != shard or shard in {".", ".."}:
            raise InputError(f"{path}: shard {shard!r} is not a plain file name")
        if Path(shard).suffix in PICKLE_SUFFIXES and not unsafe_pickle:
            _refuse_pickle(path.parent / shard)
    missing = tuple(shard for shard in shards if not (path.parent / shard).is_file())
    if missing:
        metadata = document.get("metadata")
        total_size = metadata.get("total_size") if isinstance(metadata, dict) else None
        stated = total_size if isinstance(total_size, int) else None
        return _Checkpoint(tuple(weight_map), None, missing, stated)
    tensors: list[_Tensor] = []
    for shard in shards:
        tensors.extend(_read_tensors(path.parent / shard))
    stored = {t.name for t in tensors}
    absent = [name for name in weight_map if name not in stored]
    if absent:
        raise InputError(f"{path}: {len(absent)} mapped tensors are in no shard, e.g. {absent[0]}")
    return _Checkpoint(tuple(t.name for t in tensors), tuple(tensors))


def _read_tensors(path: Path) -> list[_Tensor]:
    """The tensors of one checkpoint file, safetensors or (only reached with the unsafe flag)
    a PyTorch pickle."""
    if path.suffix not in PICKLE_SUFFIXES:
        return _read_safetensors(path)
    return [
        _Tensor(t.name, t.shape, t.dtype, path, t.start, t.strides)
        for t in read_torch_checkpoint(path)
    ]


def _read_safetensors(path: Path) -> list[_Tensor]:
    """The tensors of one file in storage order, after safetensors has validated its header."""
    try:
        import safetensors
    except ImportError as error:
        raise InputError(
            f"{path}: reading .safetensors checkpoints needs the safetensors package: "
            "pip install 'codesim[ml]'"
        ) from error
    try:
        # safetensors checks that the offsets tile the data exactly and match each tensor's
        # shape and dtype, which catches a header lying about sizes and a truncated file.
        with safetensors.safe_open(str(path), framework="np"):
            pass
    except (safetensors.SafetensorError, OSError) as error:
        raise InputError(
            f"{path}: not a valid safetensors file, truncated or with a header that does not "
            f"match its data ({error})"
        ) from error
    with path.open("rb") as handle:
        (header_size,) = struct.unpack("<Q", handle.read(8))
        header: dict[str, Any] = json.loads(handle.read(header_size))
    data_start = 8 + header_size
    tensors = [
        _Tensor(
            name,
            tuple(entry["shape"]),
            entry["dtype"],
            path,
            data_start + entry["data_offsets"][0],
        )
        for name, entry in header.items()
        if name != "__metadata__"
    ]
    return sorted(tensors, key=lambda t: t.start)


def sample_positions(numel: int, size: int) -> npt.NDArray[np.int64]:
    """The element positions sampled from a tensor of ``numel`` elements: they depend only on
    ``numel`` and ``size``, so same-shape tensors of two checkpoints are read at the same
    places."""
    if numel <= size:
        return np.arange(numel, dtype=np.int64)
    # One position drawn at random in each of ``size`` equal strata: spread over the whole
    # tensor like an even grid, without aliasing with its row length.
    rng = np.random.default_rng(SAMPLE_SEED)
    starts = np.arange(size, dtype=np.int64) * numel // size
    ends = np.append(starts[1:], numel)
    positions: npt.NDArray[np.int64] = starts + rng.integers(0, ends - starts)
    return positions


class _FileSampler:
    """Samples tensors of checkpoint files through memory maps, so only the pages holding the
    sampled values are read, whatever the file's size."""

    def __init__(self, size: int = SAMPLE_SIZE) -> None:
        self.size = size
        self._files: dict[Path, np.memmap[Any, Any]] = {}

    def __call__(self, tensor: _Tensor) -> FloatArray:
        positions = sample_positions(tensor.numel, self.size)
        if tensor.strides is not None:
            # A view saved with its storage (a transposed weight): logical positions to
            # element offsets in the storage.
            index = np.unravel_index(positions, tensor.shape)
            positions = sum(
                (
                    i.astype(np.int64) * stride
                    for i, stride in zip(index, tensor.strides, strict=True)
                ),
                start=np.zeros(len(positions), dtype=np.int64),
            )
        if tensor.path not in self._files:
            self._files[tensor.path] = np.memmap(tensor.path, dtype=np.uint8, mode="r")
        numpy_dtype = np.dtype(_FLOAT_DTYPES[tensor.dtype])
        end = tensor.start + tensor.span * numpy_dtype.itemsize
        raw = self._files[tensor.path][tensor.start : end].view(numpy_dtype)[positions]
        if tensor.dtype == "BF16":
            raw = (raw.astype(np.uint32) << 16).view(np.float32)
        values = raw.astype(np.float64)
        # A diverged weight (nan, inf) carries no signal about its origin; zero keeps it neutral.
        return np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)


# --- summaries for an index -----------------------------------------------------------------

SKETCH_SAMPLE_SIZE = 512
"""Values a stored summary keeps per tensor: independent tensors then correlate within
±6/sqrt(512) ≈ ±0.27, under ``R_FLOOR``, so detection still stops where noise outweighs the
weights, and a copied tensor's chance stays below 1e-30."""

SKETCH_TENSORS = 2_048
"""Tensors a summary keeps (the largest first): 1 KB each, so at most 2 MB a checkpoint."""

SKETCH_NAMES = 20_000
"""Tensor names a table-only summary keeps."""

KEY_TENSORS = 64
KEY_BANDS = 6
KEY_BITS = 20
"""Lookup keys of a checkpoint (``checkpoint_keys``): 6 bands of 20 sign bits for each of its
64 largest tensors, 384 keys; 20 bits keep chance collisions between independent tensors at
one in a million a band, 6 bands find copies with noise up to about half a tensor's spread."""


def summarize_checkpoint(path: Path, *, unsafe_pickle: bool = False) -> dict[str, JsonValue]:
    """What an index stores of a checkpoint: each tensor's name, shape and dtype, and for
    floating-point ones a sketch of ``SKETCH_SAMPLE_SIZE`` values (the positions the other
    side samples too) as mean, spread and float16 z-scores; only the name table when the
    weights are absent.  ``compare_checkpoint_summaries`` compares two as
    ``compare_checkpoints`` compares files, on the sketches."""
    checkpoint = _load(path, unsafe_pickle)
    if checkpoint.tensors is None:
        return {
            "weights": False,
            "names": list(checkpoint.names[:SKETCH_NAMES]),
            "missing_shards": list(checkpoint.missing_shards),
            "total_size": checkpoint.total_size,
        }
    sampler = _FileSampler(SKETCH_SAMPLE_SIZE)
    kept = sorted(checkpoint.tensors, key=lambda t: (-t.numel, t.name))[:SKETCH_TENSORS]
    tensors: list[JsonValue] = []
    for tensor in sorted(kept, key=lambda t: (t.path.name, t.start)):
        entry: list[JsonValue] = [tensor.name, list(tensor.shape), tensor.dtype]
        if tensor.dtype in _FLOAT_DTYPES and tensor.numel > 0:
            values = sampler(tensor)
            mean, spread = float(values.mean()), float(values.std())
            scores = (values - mean) / spread if spread > 0 else np.zeros_like(values)
            packed = scores.astype("<f2").tobytes()
            entry += [mean, spread, base64.b64encode(packed).decode("ascii")]
        tensors.append(entry)
    return {"weights": True, "sample_size": SKETCH_SAMPLE_SIZE, "tensors": tensors}


def compare_checkpoint_summaries(
    left: dict[str, JsonValue], right: dict[str, JsonValue], names: tuple[str, str]
) -> ArtifactComparison:
    """``compare_checkpoints`` over two ``summarize_checkpoint`` results; ``ValueError`` when
    a summary is malformed."""
    sides = [_sketched(summary, name) for summary, name in zip((left, right), names, strict=True)]
    (left_checkpoint, left_samples), (right_checkpoint, right_samples) = sides
    if left_checkpoint.tensors is None or right_checkpoint.tensors is None:
        return _compare_tables(left_checkpoint, right_checkpoint)
    return _compare_weights(
        left_checkpoint.tensors,
        right_checkpoint.tensors,
        lambda t: left_samples[t.name],
        lambda t: right_samples[t.name],
    )


def checkpoint_keys(summary: dict[str, JsonValue], *, query: bool = False) -> list[str]:
    """What an index looks a checkpoint up by, whatever its tensors are named: for each of its
    ``KEY_TENSORS`` largest non-constant tensors, ``KEY_BANDS`` bands of ``KEY_BITS`` sign
    bits of its sketch, with the shape.  A scaled copy keeps the signs (a negative scale flips
    them all, so a ``query`` also asks for the flipped bands); Gaussian noise of 10% of a
    tensor's spread flips a bit with probability 0.03, leaving half of the bands whole, and at
    50% still a few per checkpoint.  Independent tensors share a band with probability
    ``2**-KEY_BITS``."""
    checkpoint, samples = _sketched(summary, "")
    if checkpoint.tensors is None:
        return []
    keys: list[str] = []
    informative = [
        t for t in checkpoint.tensors if t.name in samples and np.ptp(samples[t.name]) > 0
    ]
    for tensor in sorted(informative, key=lambda t: (-t.numel, t.name))[:KEY_TENSORS]:
        values = samples[tensor.name]
        if len(values) < KEY_BANDS * KEY_BITS:
            continue
        signs = values[: KEY_BANDS * KEY_BITS] > values.mean()
        for flipped in (False, True) if query else (False,):
            bits = ~signs if flipped else signs
            for band in range(KEY_BANDS):
                pattern = np.packbits(bits[band * KEY_BITS : (band + 1) * KEY_BITS]).tobytes()
                keys.append(f"checkpoint\0{tensor.shape}\0{band}\0{pattern.hex()}")
    return keys


def _sketched(
    summary: dict[str, JsonValue], name: str
) -> tuple[_Checkpoint, dict[str, FloatArray]]:
    if summary.get("weights") is False:
        names, missing, total = (summary.get(k) for k in ("names", "missing_shards", "total_size"))
        if not isinstance(names, list) or not isinstance(missing, list):
            raise ValueError("a checkpoint summary's name table is a list")
        stated = total if isinstance(total, int) and not isinstance(total, bool) else None
        return _Checkpoint(tuple(map(str, names)), None, tuple(map(str, missing)), stated), {}
    raw, size = summary.get("tensors"), summary.get("sample_size")
    if not isinstance(raw, list) or size != SKETCH_SAMPLE_SIZE:
        raise ValueError("a checkpoint summary holds tensors sketched as this codesim does")
    tensors: list[_Tensor] = []
    samples: dict[str, FloatArray] = {}
    for index, entry in enumerate(raw):
        if not isinstance(entry, list) or len(entry) not in (3, 6):
            raise ValueError("a sketched tensor is [name, shape, dtype(, mean, spread, values)]")
        tensor_name, shape, dtype = entry[0], entry[1], entry[2]
        if (
            not isinstance(tensor_name, str)
            or not isinstance(dtype, str)
            or not isinstance(shape, list)
            or not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape)
        ):
            raise ValueError("a sketched tensor has a name, a shape and a dtype")
        # No file behind it: its sample is in the summary, and ``start`` keeps the order.
        tensor = _Tensor(
            tensor_name,
            tuple(int(d) for d in shape if isinstance(d, int)),
            dtype,
            Path(name),
            index,
        )
        if len(entry) == 6:
            mean, spread, packed = entry[3], entry[4], entry[5]
            if not isinstance(mean, float | int) or not isinstance(spread, float | int):
                raise ValueError("a sketch's mean and spread are numbers")
            if not isinstance(packed, str):
                raise ValueError("a sketch's values are base64 text")
            scores = np.frombuffer(base64.b64decode(packed, validate=True), dtype="<f2")
            if len(scores) != min(tensor.numel, SKETCH_SAMPLE_SIZE):
                raise ValueError("a sketch holds as many values as its tensor is sampled at")
            samples[tensor_name] = scores.astype(np.float64) * float(spread) + float(mean)
        elif dtype in _FLOAT_DTYPES and tensor.numel > 0:
            raise ValueError("a floating-point tensor's sketch is missing")
        tensors.append(tensor)
    return _Checkpoint(tuple(t.name for t in tensors), tuple(tensors)), samples


# --- weights -------------------------------------------------------------------------------


def _threshold(n: int) -> float:
    """The correlation a pair of ``n``-value samples must exceed to count as a match."""
    return max(R_FLOOR, Z_THRESHOLD / math.sqrt(n)) if n > 0 else math.inf


def _log10_chance(correlation: float, n: int) -> float:
    """log10 of the two-sided p-value of a sample correlation this strong between independent
    tensors (Fisher's z); computed in logs because copies reach far below float range."""
    r = min(abs(correlation), 1.0 - 1e-16)
    z = math.atanh(r) * math.sqrt(max(n - 3, 1))
    if z < 30.0:
        return math.log10(max(math.erfc(z / math.sqrt(2.0)), 1e-320))
    # Mills ratio: the normal tail Q(z) ~ phi(z) / z, accurate to 1/z² at z >= 30.
    log_tail = -z * z / 2.0 - math.log(z) - 0.5 * math.log(2.0 * math.pi)
    return (log_tail + math.log(2.0)) / math.log(10.0)


def _compare_weights(
    left: Sequence[_Tensor],
    right: Sequence[_Tensor],
    left_sample: Callable[[_Tensor], FloatArray],
    right_sample: Callable[[_Tensor], FloatArray],
) -> ArtifactComparison:
    groups: dict[tuple[int, ...], tuple[list[_Tensor], list[_Tensor]]] = defaultdict(
        lambda: ([], [])
    )
    for side, tensors in enumerate((left, right)):
        for tensor in tensors:
            if tensor.dtype in _FLOAT_DTYPES and tensor.numel > 0:
                groups[tensor.shape][side].append(tensor)
    pairs: list[_Pair] = []
    informative: tuple[list[_Tensor], list[_Tensor]] = ([], [])
    candidates = 0
    strongest = (0.0, 0)
    sample_size = 0
    # One shape group at a time: only that group's samples are held (SAMPLE_SIZE float64 values
    # per tensor), never a whole tensor and never the whole checkpoint's samples.
    for group_left, group_right in groups.values():
        left_samples = [left_sample(t) for t in group_left]
        right_samples = [right_sample(t) for t in group_right]
        # Constant tensors (norms at one, zero biases) say nothing about origin; compared
        # exactly, since rounding gives a constant sample a std of 1e-17, not 0.
        kept_left = [i for i, s in enumerate(left_samples) if s.max() > s.min()]
        kept_right = [i for i, s in enumerate(right_samples) if s.max() > s.min()]
        informative[0].extend(group_left[i] for i in kept_left)
        informative[1].extend(group_right[i] for i in kept_right)
        if not kept_left or not kept_right:
            continue
        n = len(left_samples[kept_left[0]])
        if any(len(right_samples[i]) != n for i in kept_right):
            raise ValueError("samples of one shape differ in length")
        correlations = _standardized([left_samples[i] for i in kept_left]) @ (
            _standardized([right_samples[i] for i in kept_right]).T / n
        )
        candidates += correlations.size
        sample_size = max(sample_size, n)
        # The most significant candidate, not the largest |r|: a short tensor reaches a large
        # |r| by chance that a long one would not.
        best = float(np.abs(correlations).max())
        if strongest[1] == 0 or _log10_chance(best, n) < _log10_chance(*strongest):
            strongest = (best, n)
        for row, column in _greedy_matching(np.abs(correlations), _threshold(n)):
            a_index, b_index = kept_left[row], kept_right[column]
            pairs.append(
                _fit(
                    group_left[a_index],
                    group_right[b_index],
                    left_samples[a_index],
                    right_samples[b_index],
                    float(correlations[row, column]),
                )
            )
    return _weights_result(left, right, informative, pairs, candidates, strongest, sample_size)


def _standardized(samples: list[FloatArray]) -> FloatArray:
    matrix = np.stack(samples)
    centred = matrix - matrix.mean(axis=1, keepdims=True)
    result: FloatArray = centred / centred.std(axis=1, keepdims=True)
    return result


def _greedy_matching(strength: FloatArray, threshold: float) -> list[tuple[int, int]]:
    """One-to-one pairs, strongest first, while above ``threshold``.  Greedy suffices: a copied
    tensor correlates ~1 with its original and ~0 with everything else, so the pairs above the
    threshold form a near-permutation where greedy and maximum-weight matching agree."""
    rows, columns = np.nonzero(strength > threshold)
    order = np.argsort(-strength[rows, columns], kind="stable")
    used_rows: set[int] = set()
    used_columns: set[int] = set()
    matched: list[tuple[int, int]] = []
    for k in order:
        row, column = int(rows[k]), int(columns[k])
        if row not in used_rows and column not in used_columns:
            used_rows.add(row)
            used_columns.add(column)
            matched.append((row, column))
    return matched


def _fit(left: _Tensor, right: _Tensor, x: FloatArray, y: FloatArray, correlation: float) -> _Pair:
    """Least-squares ``y ≈ a*x + b`` on the sample; the residual's std over ``std(a*x)`` is the
    relative noise sigma of a copy made by scaling and adding Gaussian noise."""
    scale = float(np.cov(x, y, bias=True)[0, 1] / x.var())
    offset = float(y.mean() - scale * x.mean())
    residual = y - (scale * x + offset)
    sigma = float(residual.std() / (abs(scale) * x.std()))
    return _Pair(left, right, correlation, scale, sigma, len(x))


def _weights_result(
    left: Sequence[_Tensor],
    right: Sequence[_Tensor],
    informative: tuple[list[_Tensor], list[_Tensor]],
    pairs: list[_Pair],
    candidates: int,
    strongest: tuple[float, int],
    sample_size: int,
) -> ArtifactComparison:
    parameters = [sum(t.numel for t in side) for side in informative]
    smaller = 0 if parameters[0] <= parameters[1] else 1
    matched_parameters = sum(p.left.numel for p in pairs)
    score = matched_parameters / parameters[smaller] if parameters[smaller] else 0.0
    if pairs:
        weakest = min(pairs, key=lambda p: _log10_chance(p.correlation, p.n))
        log10_chance = _log10_chance(weakest.correlation, weakest.n)
    else:
        log10_chance = _log10_chance(*strongest) if strongest[1] else 0.0
    # Union bound over every candidate pair compared (see the module docstring).
    log10_chance = min(0.0, log10_chance + math.log10(max(candidates, 1)))
    chance = chance_of(log10_chance)
    correlations = [abs(p.correlation) for p in pairs]
    sigmas = [p.sigma for p in pairs]
    renamed = sum(1 for p in pairs if p.left.name != p.right.name)
    top = sorted(pairs, key=lambda p: (-p.left.numel, -abs(p.correlation), p.left.name))
    details: dict[str, JsonValue] = {
        "compared": "weights: sampled values of same-shape floating-point tensors",
        "left_tensors": len(informative[0]),
        "right_tensors": len(informative[1]),
        "left_parameters": parameters[0],
        "right_parameters": parameters[1],
        "matched_tensors": len(pairs),
        "matched_parameters": matched_parameters,
        "renamed_tensors": renamed,
        "unmatched_left": len(informative[0]) - len(pairs),
        "unmatched_right": len(informative[1]) - len(pairs),
        "constant_tensors": {
            "left": _count_float(left) - len(informative[0]),
            "right": _count_float(right) - len(informative[1]),
        },
        "not_compared": {
            "left": len(left) - _count_float(left),
            "right": len(right) - _count_float(right),
        },
        "candidate_pairs": candidates,
        "sample_size": sample_size,
        "match_rule": f"|r| > max({R_FLOOR}, {Z_THRESHOLD}/sqrt(n)), one-to-one, greedy",
        "median_correlation": float(np.median(correlations)) if pairs else None,
        "most_significant_candidate": {"correlation": strongest[0], "sample_size": strongest[1]},
        "median_noise_sigma": float(np.median(sigmas)) if pairs else None,
        "max_noise_sigma": max(sigmas) if pairs else None,
        "noise_model": "right = a*left + b + Gaussian noise of sigma * std(a*left)",
        "chance_model": (
            "two-sided Fisher-z p-value of the weakest matched pair (the strongest candidate "
            "when none matched) times the number of candidate pairs (union bound)"
        ),
        "chance_log10": log10_chance,
        "top_pairs": [
            {
                "left": p.left.name,
                "right": p.right.name,
                "shape": list(p.left.shape),
                "correlation": p.correlation,
                "scale": p.scale,
                "noise_sigma": p.sigma,
            }
            for p in top[:TOP_PAIRS]
        ],
    }
    summary = _weights_summary(
        len(pairs),
        len(informative[smaller]),
        score,
        renamed,
        correlations,
        sigmas,
        log10_chance,
        strongest[0],
    )
    return ArtifactComparison("checkpoint", score, summary, chance, details)


def _count_float(tensors: Iterable[_Tensor]) -> int:
    return sum(1 for t in tensors if t.dtype in _FLOAT_DTYPES and t.numel > 0)


def _weights_summary(
    matched: int,
    total: int,
    score: float,
    renamed: int,
    correlations: list[float],
    sigmas: list[float],
    log10_chance: float,
    strongest: float,
) -> str:
    chance = chance_words(log10_chance)
    if not matched and log10_chance > math.log10(WEAK_RELATION_CHANCE):
        return (
            f"None of the {total} tensors of the smaller checkpoint match: no same-shape pair "
            f"correlates beyond what independent initialisations give (chance {chance})."
        )
    if not matched:
        return (
            f"None of the {total} tensors of the smaller checkpoint match (no pair correlates "
            f"above {R_FLOOR}), but the most significant pair correlates "
            f"{_correlation_words(strongest)}, which independent tensors would not (chance "
            f"{chance}): weights related too weakly to count as a copy, such as one drowned "
            "in noise."
        )
    naming = f", {renamed} of them renamed" if renamed else ", under the same names"
    sigma = float(np.median(sigmas))
    noise = (
        "with no measurable noise"
        if sigma < NO_NOISE
        else f"consistent with Gaussian noise of {sigma:.2%} of each tensor's spread"
    )
    return (
        f"{matched} of {total} tensors ({score:.1%} of parameters) match{naming}; values "
        f"correlate {_correlation_words(float(np.median(correlations)))} (median), {noise}; "
        f"chance probability {chance}."
    )


def _correlation_words(correlation: float) -> str:
    """Enough decimals to show how far from 1 the correlation is (0.99995, not 1.0000)."""
    gap = 1.0 - correlation
    decimals = 4 if gap <= 0 else min(CORRELATION_DECIMALS, max(4, 1 - math.floor(math.log10(gap))))
    return f"{correlation:.{decimals}f}"


# --- name tables ---------------------------------------------------------------------------


def _template(name: str) -> str:
    return _INDEX.sub("#", name)


def _compare_tables(left: _Checkpoint, right: _Checkpoint) -> ArtifactComparison:
    """Compare the tensor-name tables when weights are missing on a side.

    Names become templates (numeric dotted parts -> ``#``, so ``layers.3.q.weight`` is one entry of
    ``layers.#.q.weight``) with the set of indices they occur at.  Equal templates match; the
    others match when they occur at the same indices, preferring templates alike in place
    (``_likeness``), then in order of first appearance, which recovers a consistent rename
    (``attn.q`` -> ``attention.query`` in every layer) up to the order of siblings: names alone
    cannot tell which renamed projection was ``q`` and which ``k``.
    ``score`` is the share of the smaller table's names matched this way.  Same-architecture
    models share such a table, so it shows structure, not copied weights: ``chance`` is None.
    """
    tables = [_templates(side.names) for side in (left, right)]
    matched = 0
    renames: list[tuple[str, str]] = []
    unmatched_right = dict(tables[1])
    siblings = [_siblings(table) for table in tables]
    pending: list[tuple[str, frozenset[tuple[int, ...]]]] = []
    for template, indices in tables[0].items():
        if template in unmatched_right:
            matched += len(indices & unmatched_right.pop(template))
        else:
            pending.append((template, indices))
    for template, indices in pending:
        partners = [t for t, i in unmatched_right.items() if i == indices]
        if partners:
            partner = max(partners, key=lambda t: _likeness(template, t, siblings))
            del unmatched_right[partner]
            matched += len(indices)
            renames.append((template, partner))
    sizes = (len(left.names), len(right.names))
    smaller = min(sizes)
    score = matched / smaller if smaller else 0.0
    details: dict[str, JsonValue] = {
        "compared": "tensor-name table only (no weights were read)",
        "left_tensors": sizes[0],
        "right_tensors": sizes[1],
        "left_templates": len(tables[0]),
        "right_templates": len(tables[1]),
        "matched_tensors": matched,
        "renamed_templates": len(renames),
        "renames": [{"left": a, "right": b} for a, b in renames[:TOP_RENAMES]],
        "missing_shards": {"left": list(left.missing_shards), "right": list(right.missing_shards)},
        # Equal sizes back a same-architecture reading; they are no evidence of copied values.
        "total_size": {"left": left.total_size, "right": right.total_size},
    }
    renamed = f", {len(renames)} name patterns renamed" if renames else ""
    summary = (
        f"Only the tensor-name tables were compared (no weights): {matched} of {smaller} names "
        f"line up ({score:.1%}){renamed}; models of the same architecture share such a table, "
        "so this shows the same structure, not copied weights."
    )
    return ArtifactComparison("checkpoint", score, summary, None, details)


def _parent(template: str) -> str:
    """The module holding a parameter: ``layers.#.attn`` for ``layers.#.attn.q.weight``."""
    return template.rsplit(".", 2)[0]


def _siblings(table: dict[str, frozenset[tuple[int, ...]]]) -> dict[str, int]:
    """Parameters per parent module (4 for q, k, v, o projections under one attention)."""
    counts: dict[str, int] = defaultdict(int)
    for template in table:
        counts[_parent(template)] += 1
    return counts


def _likeness(left: str, right: str, siblings: list[dict[str, int]]) -> tuple[bool, bool, bool]:
    """How alike two templates' places are, whatever the names: the same parameter name
    (``weight``, ``bias``), as many sibling parameters under their module, the same depth.
    Renaming keeps all three; ties go to the earliest template (``max`` keeps the first)."""
    left_parts, right_parts = left.split("."), right.split(".")
    return (
        left_parts[-1] == right_parts[-1],
        siblings[0][_parent(left)] == siblings[1][_parent(right)],
        len(left_parts) == len(right_parts),
    )


def _templates(names: Sequence[str]) -> dict[str, frozenset[tuple[int, ...]]]:
    """Template -> the index tuples it occurs at, templates in order of first appearance."""
    occurrences: dict[str, set[tuple[int, ...]]] = {}
    for name in names:
        indices = tuple(int(d) for d in _INDEX.findall(name))
        occurrences.setdefault(_template(name), set()).add(indices)
    return {template: frozenset(found) for template, found in occurrences.items()}
