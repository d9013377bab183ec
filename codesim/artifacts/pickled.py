"""PyTorch checkpoints (``.bin``, ``.pt``, ``.pth``, ``.ckpt``) read without torch and without
running the code their pickle may hold; used only when the user passes ``--unsafe-pickle``.

Since PyTorch 1.6 such a checkpoint is a zip archive: ``<name>/data.pkl``, a pickle of the
state dict whose tensors are ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
...)`` calls, each ``storage`` a persistent id ``('storage', torch.FloatStorage, key, device,
numel)`` naming the member ``<name>/data/<key>`` that holds its raw little-endian values.

Unpickling normally imports and calls whatever globals the stream names, which is why codesim
refuses pickles by default.  Here ``_RestrictedUnpickler.find_class`` resolves only the few
globals a state dict needs, each to a function of this module that records where a tensor's
values are (``collections.OrderedDict`` to the real, harmless class); any other global
(``os.system``, ``builtins.eval``, a training script's class) raises ``InputError`` naming it,
before anything is called.  The values are never unpickled at all: they are sampled from the
archive through a memory map, like a safetensors file.

What remains of the risk (said in ``--help`` and the README): a hostile file can still make
CPython's unpickler and ``zipfile`` parse crafted input, so a bug in them is reachable, and a
pickle up to ``MAX_PICKLE_BYTES`` can build large nested containers in memory.
"""

from __future__ import annotations

import collections
import io
import math
import pickle
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codesim.errors import InputError

MAX_PICKLE_BYTES = 64 * 1024 * 1024
"""Largest ``data.pkl`` read: a state dict's pickle holds names and shapes (a 70B model's is
a few hundred kilobytes); more is not a state dict."""

_STORAGE_DTYPES: dict[str, tuple[str, int]] = {
    "DoubleStorage": ("F64", 8),
    "FloatStorage": ("F32", 4),
    "HalfStorage": ("F16", 2),
    "BFloat16Storage": ("BF16", 2),
    "LongStorage": ("I64", 8),
    "IntStorage": ("I32", 4),
    "ShortStorage": ("I16", 2),
    "CharStorage": ("I8", 1),
    "ByteStorage": ("U8", 1),
    "BoolStorage": ("BOOL", 1),
    "ComplexFloatStorage": ("C64", 8),
    "ComplexDoubleStorage": ("C128", 16),
}
"""torch's typed storage classes, as safetensors dtype names (those ``checkpoints`` samples
are the floating-point ones) and element sizes."""

_LOCAL_HEADER = struct.Struct("<4s22xHH")
"""A zip local file header: signature, then (after 22 bytes) the name and extra lengths."""


@dataclass(frozen=True, slots=True)
class PickledTensor:
    """Where one tensor's values are in the archive."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    start: int
    """Absolute byte offset in the file of the tensor's first element."""
    strides: tuple[int, ...] | None
    """Element strides when not row-major, else None."""


@dataclass(frozen=True, slots=True)
class _StorageType:
    name: str


@dataclass(frozen=True, slots=True)
class _Storage:
    dtype: str
    itemsize: int
    key: str
    numel: int


@dataclass(frozen=True, slots=True)
class _TensorRef:
    storage: _Storage
    offset: int
    shape: tuple[int, ...]
    stride: tuple[int, ...]


def _rebuild_tensor(
    storage: object, offset: object, size: object, stride: object, *_: object
) -> _TensorRef:
    """Stands for ``torch._utils._rebuild_tensor_v2``: records the view, builds nothing."""
    if not isinstance(storage, _Storage):
        raise pickle.UnpicklingError("a tensor whose storage is not a storage")
    if not isinstance(offset, int) or offset < 0:
        raise pickle.UnpicklingError("a tensor's storage offset is not a count")
    shape, strides = _ints(size, "size"), _ints(stride, "stride")
    if len(shape) != len(strides):
        raise pickle.UnpicklingError("a tensor's size and stride differ in length")
    return _TensorRef(storage, offset, shape, strides)


def _rebuild_parameter(data: object, *_: object) -> object:
    """Stands for ``torch._utils._rebuild_parameter``: a parameter is its tensor."""
    return data


def _ints(value: object, what: str) -> tuple[int, ...]:
    if not isinstance(value, tuple) or not all(
        isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value
    ):
        raise pickle.UnpicklingError(f"a tensor's {what} is not a tuple of counts")
    return value


_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
    **{("torch", name): _StorageType(name) for name in _STORAGE_DTYPES},
}
"""Every global a state dict's pickle may name, and what it resolves to here."""


class _RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that resolves only ``_ALLOWED`` globals and torch's storage ids."""

    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise InputError(
                f"the pickle names {module}.{name}, which a plain state dict does not: refused "
                "(codesim resolves only the globals torch uses for tensors)"
            )
        return found

    def persistent_load(self, pid: Any) -> _Storage:
        if (
            not isinstance(pid, tuple)
            or len(pid) != 5
            or pid[0] != "storage"
            or not isinstance(pid[1], _StorageType)
            or not isinstance(pid[2], str)
            or not isinstance(pid[4], int)
            or pid[4] < 0
        ):
            raise pickle.UnpicklingError(f"an unknown persistent id {pid!r:.80}")
        dtype, itemsize = _STORAGE_DTYPES[pid[1].name]
        return _Storage(dtype, itemsize, pid[2], pid[4])


def read_torch_checkpoint(path: Path) -> list[PickledTensor]:
    """The tensors of a zip-format PyTorch checkpoint, named by their dotted place in the
    pickled object (``state_dict.model.layers.0.q.weight`` for nested dicts), in storage
    order.  ``InputError`` for a legacy (pre-1.6) or damaged file, a compressed storage, or a
    pickle naming anything but what a state dict needs."""
    try:
        with zipfile.ZipFile(path) as archive:
            data_pkl = [i for i in archive.infolist() if i.filename.endswith("/data.pkl")]
            if len(data_pkl) != 1:
                raise InputError(f"{path}: not a PyTorch checkpoint (no single */data.pkl)")
            prefix = data_pkl[0].filename[: -len("data.pkl")]
            members = {i.filename: i for i in archive.infolist()}
            order = members.get(prefix + "byteorder")
            if order is not None and archive.read(order).strip() != b"little":
                raise InputError(f"{path}: a big-endian PyTorch checkpoint is not supported")
            if data_pkl[0].file_size > MAX_PICKLE_BYTES:
                raise InputError(f"{path}: its data.pkl is too large for a state dict")
            stream = archive.read(data_pkl[0])
    except zipfile.BadZipFile as error:
        raise InputError(
            f"{path}: not a zip-format PyTorch checkpoint (the legacy format from before "
            f"PyTorch 1.6 is not supported): {error}"
        ) from error
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error}") from error
    try:
        root = _RestrictedUnpickler(io.BytesIO(stream)).load()
    except InputError as error:
        raise InputError(f"{path}: {error}") from error
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as error:
        raise InputError(f"{path}: the pickle of this checkpoint is damaged: {error}") from error
    except RecursionError as error:
        raise InputError(f"{path}: the pickle of this checkpoint is nested too deeply") from error
    found = _tensors(root)
    with path.open("rb") as handle:
        tensors = [_located(path, handle, members, prefix, name, ref) for name, ref in found]
    return sorted(tensors, key=lambda t: t.start)


def _tensors(root: object) -> list[tuple[str, _TensorRef]]:
    """Every tensor in a nest of dicts, lists and tuples, with its dotted place.  Walked with
    a stack and each container once: a pickle can nest deeper than Python's recursion limit
    and make a list that holds itself."""
    found: list[tuple[str, _TensorRef]] = []
    seen: set[int] = set()
    stack: list[tuple[str, object]] = [("", root)]
    while stack:
        name, value = stack.pop()
        if isinstance(value, _TensorRef):
            found.append((name, value))
            continue
        if isinstance(value, dict):
            items: list[tuple[object, object]] = list(value.items())
        elif isinstance(value, list | tuple):
            items = list(enumerate(value))
        else:
            continue
        if id(value) in seen:
            continue
        seen.add(id(value))
        # Reversed onto the stack, so tensors come out in the pickle's order.
        for key, item in reversed(items):
            stack.append((f"{name}.{key}" if name else str(key), item))
    return found


def _located(
    path: Path,
    handle: io.BufferedReader,
    members: dict[str, zipfile.ZipInfo],
    prefix: str,
    name: str,
    ref: _TensorRef,
) -> PickledTensor:
    storage = ref.storage
    member = members.get(f"{prefix}data/{storage.key}")
    if member is None:
        raise InputError(f"{path}: tensor {name} names storage {storage.key}, which is absent")
    if member.compress_type != zipfile.ZIP_STORED:
        raise InputError(f"{path}: storage {storage.key} is compressed; it cannot be sampled")
    if storage.numel * storage.itemsize > member.file_size:
        raise InputError(f"{path}: storage {storage.key} is shorter than its stated size")
    numel = math.prod(ref.shape)
    span = 1 + sum((s - 1) * d for s, d in zip(ref.shape, ref.stride, strict=True)) if numel else 0
    if ref.offset + span > storage.numel:
        raise InputError(f"{path}: tensor {name} reaches past the end of its storage")
    handle.seek(member.header_offset)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
    if signature != b"PK\x03\x04":
        raise InputError(f"{path}: the zip entry of storage {storage.key} is damaged")
    data_start = member.header_offset + _LOCAL_HEADER.size + name_length + extra_length
    row_major = tuple(math.prod(ref.shape[i + 1 :]) for i in range(len(ref.shape)))
    strides = None if ref.stride == row_major or numel <= 1 else ref.stride
    return PickledTensor(
        name, ref.shape, storage.dtype, data_start + ref.offset * storage.itemsize, strides
    )
