"""Pickled PyTorch checkpoints, built here byte by byte (no torch): refused without
``--unsafe-pickle``; with it, read by the restricted unpickler, and a hostile pickle is
refused before anything it names runs."""

from __future__ import annotations

import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from codesim import Index, compare, make_options
from codesim.artifacts.checkpoints import compare_checkpoints
from codesim.artifacts.pickled import read_torch_checkpoint
from codesim.errors import InputError
from tests.artifacts.test_checkpoints import derive, init_model, save

Weights = dict[str, np.ndarray]

_STORAGE = {"float32": "FloatStorage", "float16": "HalfStorage", "int64": "LongStorage"}


class _Stream:
    """Pickle opcodes (protocol 2), written by hand: ``pickle`` itself would insist on
    importing the torch globals it names."""

    def __init__(self) -> None:
        self.data = bytearray(b"\x80\x02")

    def op(self, code: bytes) -> _Stream:
        self.data += code
        return self

    def global_(self, module: str, name: str) -> _Stream:
        return self.op(b"c" + f"{module}\n{name}\n".encode())

    def text(self, value: str) -> _Stream:
        encoded = value.encode()
        return self.op(b"X" + struct.pack("<I", len(encoded)) + encoded)

    def integer(self, value: int) -> _Stream:
        return self.op(b"J" + struct.pack("<i", value))

    def ints(self, values: tuple[int, ...]) -> _Stream:
        self.op(b"(")
        for value in values:
            self.integer(value)
        return self.op(b"t")

    def empty_ordered_dict(self) -> _Stream:
        return self.global_("collections", "OrderedDict").op(b")R")


def _tensor(stream: _Stream, key: str, array: np.ndarray, stride: tuple[int, ...]) -> None:
    stream.global_("torch._utils", "_rebuild_tensor_v2").op(b"(")
    stream.op(b"(").text("storage").global_("torch", _STORAGE[array.dtype.name])
    stream.text(key).text("cpu").integer(array.size).op(b"tQ")
    stream.integer(0).ints(array.shape).ints(stride).op(b"\x89").empty_ordered_dict()
    stream.op(b"tR")


def write_torch(path: Path, weights: Weights, *, transposed: tuple[str, ...] = ()) -> Path:
    """A zip-format PyTorch checkpoint of ``weights`` as torch writes one: an OrderedDict of
    ``_rebuild_tensor_v2`` calls in ``archive/data.pkl``, raw storages in ``archive/data/N``.
    Tensors named in ``transposed`` are stored column-major, as a saved ``.t()`` view."""
    stream = _Stream().empty_ordered_dict().op(b"(")
    storages: list[bytes] = []
    for key, (name, array) in enumerate(weights.items()):
        stream.text(name)
        stride: tuple[int, ...]
        if name in transposed:
            storage = np.ascontiguousarray(array.T)
            stride = (1, array.shape[0])
        else:
            storage = np.ascontiguousarray(array)
            stride = tuple(s // array.itemsize for s in storage.strides)
        _tensor(stream, str(key), array, stride)
        storages.append(storage.tobytes())
    stream.op(b"u.")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr("archive/data.pkl", bytes(stream.data))
        archive.writestr("archive/byteorder", "little")
        for key, data in enumerate(storages):
            archive.writestr(f"archive/data/{key}", data)
        archive.writestr("archive/version", "3\n")
    return path


def hostile(path: Path, marker: Path) -> Path:
    """A checkpoint whose pickle calls ``os.system`` to create ``marker``."""
    stream = _Stream().global_("os", "system").op(b"(").text(f"touch {marker}").op(b"tR.")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", bytes(stream.data))
    return path


def test_a_pickled_copy_is_read_with_the_flag_and_matches(tmp_path: Path) -> None:
    original = init_model(seed=1)
    left = save(original, tmp_path / "model.safetensors")
    right = write_torch(tmp_path / "pytorch_model.bin", derive(original, 1e-2))
    result = compare_checkpoints(left, right, unsafe_pickle=True)
    assert result.score >= 0.9
    assert result.chance is not None and result.chance < 1e-6
    independent = write_torch(tmp_path / "other.pt", init_model(seed=2))
    assert compare_checkpoints(left, independent, unsafe_pickle=True).score <= 0.2


def test_views_saved_with_their_storage_are_read_in_logical_order(tmp_path: Path) -> None:
    weights = init_model(seed=1)
    names = tuple(n for n, a in weights.items() if a.ndim == 2 and a.shape[0] != a.shape[1])
    path = write_torch(tmp_path / "t.pt", weights, transposed=names)
    tensors = {t.name: t for t in read_torch_checkpoint(path)}
    assert tensors[names[0]].strides == (1, weights[names[0]].shape[0])
    result = compare_checkpoints(
        save(weights, tmp_path / "same.safetensors"), path, unsafe_pickle=True
    )
    assert result.score == 1.0
    assert result.details["renamed_tensors"] == 0
    assert "no measurable noise" in result.summary


def test_without_the_flag_a_pickle_is_refused_naming_the_flag(tmp_path: Path) -> None:
    path = write_torch(tmp_path / "pytorch_model.bin", init_model(seed=1))
    with pytest.raises(InputError, match="--unsafe-pickle"):
        compare_checkpoints(path, path)
    with pytest.raises(InputError, match="--unsafe-pickle"):
        compare(path, path)
    assert compare(path, path, options=make_options(unsafe_pickle=True)).score == 1.0


def test_a_hostile_pickle_is_refused_and_never_runs(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    path = hostile(tmp_path / "evil.pt", marker)
    with pytest.raises(InputError, match=r"names os\.system.*refused"):
        compare_checkpoints(path, path, unsafe_pickle=True)
    assert not marker.exists()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda p: p.write_bytes(b"\x80\x02}q\x00."), "legacy format"),
        (
            lambda p: zipfile.ZipFile(p, "w").writestr("archive/version", "3"),
            "no single \\*/data.pkl",
        ),
    ],
)
def test_files_that_are_not_zip_checkpoints_are_refused(tmp_path: Path, build, message) -> None:
    path = tmp_path / "x.pth"
    build(path)
    with pytest.raises(InputError, match=message):
        compare_checkpoints(path, path, unsafe_pickle=True)


def test_a_storage_shorter_than_stated_or_compressed_is_refused(tmp_path: Path) -> None:
    path = write_torch(tmp_path / "a.pt", {"w": np.ones((4, 4), dtype=np.float32)})
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    short = tmp_path / "short.pt"
    with zipfile.ZipFile(short, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data[:8] if name.endswith("data/0") else data)
    with pytest.raises(InputError, match="shorter than its stated size"):
        read_torch_checkpoint(short)
    packed = tmp_path / "packed.pt"
    with zipfile.ZipFile(packed, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(InputError, match="compressed"):
        read_torch_checkpoint(packed)


def test_repo_walks_and_the_command_line_take_pickles_only_with_the_flag(tmp_path: Path) -> None:
    original = init_model(seed=1)
    for side, weights in (("a", original), ("b", derive(original, 1e-3))):
        (tmp_path / side).mkdir()
        (tmp_path / side / "train.py").write_text("print('training')\n", encoding="utf-8")
        write_torch(tmp_path / side / "pytorch_model.bin", weights)
    plain = compare(tmp_path / "a", tmp_path / "b", align=False)
    assert plain.artifacts == []
    flagged = compare(
        tmp_path / "a", tmp_path / "b", align=False, options=make_options(unsafe_pickle=True)
    )
    assert [(p.kind, p.left) for p in flagged.artifacts] == [("checkpoint", "pytorch_model.bin")]
    assert flagged.artifacts[0].score >= 0.9

    files = [tmp_path / "a" / "pytorch_model.bin", tmp_path / "b" / "pytorch_model.bin"]
    command = [sys.executable, "-m", "codesim", "compare", *map(str, files), "--quiet"]
    refused = subprocess.run(command, capture_output=True, text=True, check=False)
    assert refused.returncode == 3
    assert "--unsafe-pickle" in refused.stderr
    read = subprocess.run(
        [*command, "--unsafe-pickle"], capture_output=True, text=True, check=False
    )
    assert read.returncode == 0, read.stderr


def test_an_index_keeps_and_checks_pickled_checkpoints_only_with_the_flag(tmp_path: Path) -> None:
    original = init_model(seed=1)
    for side, weights in (("project", original), ("checked", derive(original, 1e-2))):
        (tmp_path / side).mkdir()
        (tmp_path / side / "train.py").write_text("print('training')\n", encoding="utf-8")
        write_torch(tmp_path / side / "model.pt", weights)
    unsafe = make_options(unsafe_pickle=True)
    with Index.open(tmp_path / "plain.db") as index:
        index.add(tmp_path / "project", name="p", version="1")
        assert index.query(tmp_path / "checked", options=unsafe).hits == []
    with Index.open(tmp_path / "flagged.db") as index:
        index.add(tmp_path / "project", name="p", version="1", options=unsafe)
        assert index.query(tmp_path / "checked").hits == []  # the checked side's pickle unread
        [hit] = index.query(tmp_path / "checked", options=unsafe).hits
    [pair] = hit.artifacts
    assert (pair.kind, pair.left, pair.right) == ("checkpoint", "model.pt", "p@1:model.pt")
    assert pair.score >= 0.9


def test_a_pickle_nested_past_the_recursion_limit_or_holding_itself_is_read(
    tmp_path: Path,
) -> None:
    deep = _Stream().op(b"]" * 200_000).op(b"a" * 199_999).op(b".")  # 200,000 nested lists
    loop = _Stream().op(b"]q\x00h\x00a.")  # a list holding itself, through the memo
    for name, stream in (("deep.pt", deep), ("loop.pt", loop)):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("archive/data.pkl", bytes(stream.data))
        assert read_torch_checkpoint(path) == []
