"""Checkpoint comparison on real safetensors files built here with numpy: a small
transformer-like model (about 1 MB), derived copies (renamed, reordered, rescaled, with
Gaussian noise relative to each tensor's spread) and independent initialisations of the same
architecture."""

from __future__ import annotations

import json
import re
import struct
import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from codesim.artifacts.checkpoints import compare_checkpoints
from codesim.errors import InputError

pytest.importorskip("safetensors")
from safetensors.numpy import save_file

VOCAB, WIDTH, HIDDEN, LAYERS = 512, 64, 256, 4

Weights = dict[str, np.ndarray]


def init_model(seed: int, layers: int = LAYERS) -> Weights:
    """Random initialisation of a small decoder (embeddings, attention, MLP, layer norms)."""
    rng = np.random.default_rng(seed)

    def matrix(rows: int, columns: int) -> np.ndarray:
        scaled: np.ndarray = rng.standard_normal((rows, columns)) / np.sqrt(columns)
        return scaled.astype(np.float32)

    def norm() -> np.ndarray:
        # Trained norms are not all ones; random ones keep them informative.
        return (1.0 + 0.1 * rng.standard_normal(WIDTH)).astype(np.float32)

    weights: Weights = {"model.embed_tokens.weight": matrix(VOCAB, WIDTH)}
    for i in range(layers):
        prefix = f"model.layers.{i}"
        for part in ("q", "k", "v", "o"):
            weights[f"{prefix}.self_attn.{part}_proj.weight"] = matrix(WIDTH, WIDTH)
        weights[f"{prefix}.mlp.up_proj.weight"] = matrix(HIDDEN, WIDTH)
        weights[f"{prefix}.mlp.down_proj.weight"] = matrix(WIDTH, HIDDEN)
        weights[f"{prefix}.input_layernorm.weight"] = norm()
        weights[f"{prefix}.post_attention_layernorm.weight"] = norm()
    weights["model.norm.weight"] = norm()
    weights["model.norm.bias"] = np.zeros(WIDTH, dtype=np.float32)
    weights["lm_head.weight"] = matrix(VOCAB, WIDTH)
    weights["model.position_ids"] = np.arange(128, dtype=np.int64)[None, :]
    return weights


def derive(weights: Weights, sigma: float, seed: int = 99) -> Weights:
    """A disguised copy: every float tensor gets Gaussian noise of ``sigma`` times its std, a
    random scale (either sign) and offset, a meaningless name, and a shuffled position."""
    rng = np.random.default_rng(seed)
    names = list(weights)
    order = rng.permutation(len(names))
    copy: Weights = {}
    for new_index, old_index in enumerate(order):
        tensor = weights[names[old_index]]
        if tensor.dtype.kind == "f" and tensor.std() > 0:
            noisy = tensor + sigma * tensor.std() * rng.standard_normal(tensor.shape)
            scale = rng.uniform(0.5, 2.0) * rng.choice([-1.0, 1.0])
            tensor = (scale * noisy + rng.uniform(-0.1, 0.1)).astype(np.float32)
        copy[f"blob_{new_index:03d}"] = tensor
    return copy


def save(weights: Weights, path: Path) -> Path:
    save_file(weights, str(path))
    return path


def pair(tmp_path: Path, left: Weights, right: Weights) -> tuple[Path, Path]:
    return save(left, tmp_path / "left.safetensors"), save(right, tmp_path / "right.safetensors")


def write_raw(path: Path, header: dict[str, object], data: bytes) -> Path:
    """A safetensors file written byte by byte, for dtypes numpy lacks and for lying headers."""
    encoded = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + data)
    return path


# --- derived copies and independent ones -----------------------------------------------------


@pytest.mark.parametrize("sigma", [0.0, 1e-3, 1e-2, 1e-1])
def test_derived_copy_is_detected_and_its_noise_estimated(tmp_path: Path, sigma: float) -> None:
    original = init_model(seed=1)
    result = compare_checkpoints(*pair(tmp_path, original, derive(original, sigma)))
    assert result.kind == "checkpoint"
    assert result.score >= 0.9
    assert result.chance is not None and result.chance < 1e-6
    details = result.details
    # 4 layers x 8 + embeddings, final norm, head: all but the all-zero bias.
    assert details["matched_tensors"] == 4 * 8 + 3
    assert details["renamed_tensors"] == 4 * 8 + 3
    assert details["constant_tensors"] == {"left": 1, "right": 1}
    assert details["not_compared"] == {"left": 1, "right": 1}
    estimated = details["median_noise_sigma"]
    assert isinstance(estimated, float)
    if sigma:
        assert sigma / 1.3 < estimated < sigma * 1.3
        reported = re.search(r"noise of ([\d.]+)% of each tensor's spread", result.summary)
        assert reported is not None
        assert sigma / 1.3 < float(reported.group(1)) / 100 < sigma * 1.3
    else:
        assert estimated < 1e-6
        assert "no measurable noise" in result.summary
    assert "renamed" in result.summary


def test_renamed_pairs_are_the_original_tensors(tmp_path: Path) -> None:
    original = init_model(seed=1)
    copy = derive(original, 1e-2)
    result = compare_checkpoints(*pair(tmp_path, original, copy))
    top = result.details["top_pairs"]
    assert isinstance(top, list) and top
    for entry in top:
        assert isinstance(entry, dict)
        left_name, right_name = entry["left"], entry["right"]
        assert isinstance(left_name, str) and isinstance(right_name, str)
        expected = original[left_name].astype(np.float64)
        found = copy[right_name].astype(np.float64)
        assert abs(np.corrcoef(expected.ravel(), found.ravel())[0, 1]) > 0.99


@pytest.mark.parametrize(
    ("sigma", "detected"), [(1.0, True), (1.5, True), (2.0, False), (3.0, False), (10.0, False)]
)
def test_where_detection_stops_as_noise_grows(tmp_path: Path, sigma: float, detected: bool) -> None:
    # rho = 1/sqrt(1+sigma²) falls below the 0.5 floor at sigma = sqrt(3) ≈ 1.73: no tensor
    # counts as copied past it, yet the best pair stays far beyond chance (rho 0.1 at sigma
    # 10 is 6 standard deviations at n = 4,096) and the summary says so.
    original = init_model(seed=1)
    result = compare_checkpoints(*pair(tmp_path, original, derive(original, sigma)))
    assert result.chance is not None and result.chance < 1e-6
    if detected:
        assert result.score >= 0.9
    else:
        assert result.score <= 0.2
        assert "related too weakly to count as a copy" in result.summary


@pytest.mark.parametrize(("left_seed", "right_seed"), [(1, 2), (3, 4)])
def test_independent_initialisations_are_independent(
    tmp_path: Path, left_seed: int, right_seed: int
) -> None:
    result = compare_checkpoints(*pair(tmp_path, init_model(left_seed), init_model(right_seed)))
    assert result.score <= 0.2
    assert result.score == 0.0
    assert result.chance is not None and result.chance > 1e-6
    assert result.summary.startswith("None of the")
    assert "independent initialisations" in result.summary


def test_independent_initialisation_with_shuffled_names_is_independent(tmp_path: Path) -> None:
    # derive() with zero noise of another model: renaming alone must not create matches.
    result = compare_checkpoints(*pair(tmp_path, init_model(1), derive(init_model(2), 0.0)))
    assert result.score == 0.0


def test_a_partial_copy_scores_on_the_smaller_checkpoint(tmp_path: Path) -> None:
    original = init_model(seed=1)
    partial = {k: v for k, v in original.items() if not k.startswith("model.layers.3")}
    result = compare_checkpoints(*pair(tmp_path, original, derive(partial, 1e-2)))
    assert result.score >= 0.99
    assert result.details["unmatched_left"] == 8


def test_half_precision_copies_match(tmp_path: Path) -> None:
    original = init_model(seed=1)
    half = {k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in original.items()}
    bfloat = {
        name: (tensor.view(np.uint32) >> 16).astype("<u2")
        for name, tensor in original.items()
        if tensor.dtype == np.float32
    }
    header: dict[str, object] = {}
    offset = 0
    for name, bits in bfloat.items():
        header[name] = {
            "dtype": "BF16",
            "shape": list(bits.shape),
            "data_offsets": [offset, offset + bits.nbytes],
        }
        offset += bits.nbytes
    bf16_path = write_raw(
        tmp_path / "bf16.safetensors", header, b"".join(b.tobytes() for b in bfloat.values())
    )
    left = save(original, tmp_path / "left.safetensors")
    for other in (save(half, tmp_path / "half.safetensors"), bf16_path):
        result = compare_checkpoints(left, other)
        assert result.score >= 0.99
        assert result.details["renamed_tensors"] == 0


def test_memory_stays_bounded_by_the_samples(tmp_path: Path) -> None:
    # Two 8 MB tensors: the comparison reads SAMPLE_SIZE values of each through the memory
    # map, so the Python heap (numpy arrays included) peaks far below one tensor's size.
    rng = np.random.default_rng(5)
    big = rng.standard_normal((2048, 1024)).astype(np.float32)
    left = save({"w": big}, tmp_path / "left.safetensors")
    noisy = (big + 0.01 * rng.standard_normal(big.shape)).astype(np.float32)
    right = save({"renamed": noisy}, tmp_path / "right.safetensors")
    del big, noisy
    # A first call imports what the comparison uses lazily, which would count as its memory.
    compare_checkpoints(left, right)
    tracemalloc.start()
    try:
        result = compare_checkpoints(left, right)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.score == 1.0
    assert peak < 1_000_000


# --- sharded checkpoints and name tables -----------------------------------------------------


def save_sharded(weights: Weights, folder: Path, shards: int = 2) -> Path:
    folder.mkdir()
    names = list(weights)
    weight_map: dict[str, str] = {}
    for k in range(shards):
        shard = f"model-{k + 1:05d}-of-{shards:05d}.safetensors"
        part = {name: weights[name] for name in names[k::shards]}
        save_file(part, str(folder / shard))
        weight_map.update(dict.fromkeys(part, shard))
    index = folder / "model.safetensors.index.json"
    total = sum(t.nbytes for t in weights.values())
    index.write_text(json.dumps({"metadata": {"total_size": total}, "weight_map": weight_map}))
    return index


def test_sharded_checkpoint_against_a_single_file(tmp_path: Path) -> None:
    original = init_model(seed=1)
    index = save_sharded(original, tmp_path / "sharded")
    copy = save(derive(original, 1e-2), tmp_path / "copy.safetensors")
    for left in (index, index.parent):
        result = compare_checkpoints(left, copy)
        assert result.score >= 0.9
        assert result.chance is not None and result.chance < 1e-6
        assert result.details["compared"].startswith("weights")  # type: ignore[union-attr]


def renamed(weights: Weights) -> Weights:
    """Consistent renaming as a copier would do it (another model family's naming)."""
    table = [
        ("model.layers.", "transformer.h."),
        ("self_attn.q_proj", "attn.query"),
        ("self_attn.k_proj", "attn.key"),
        ("self_attn.v_proj", "attn.value"),
        ("self_attn.o_proj", "attn.out"),
        ("mlp.up_proj", "ffn.fc_in"),
        ("mlp.down_proj", "ffn.fc_out"),
        ("input_layernorm", "ln_1"),
        ("post_attention_layernorm", "ln_2"),
    ]
    result: Weights = {}
    for name, tensor in weights.items():
        for old, new in table:
            name = name.replace(old, new)
        result[name] = tensor
    return result


def index_only(weights: Weights, path: Path) -> Path:
    # Sorted like the usual writers do, so renaming also reorders the table.
    weight_map = dict.fromkeys(sorted(weights), "model-00001-of-00002.safetensors")
    path.write_text(json.dumps({"metadata": {"total_size": 1}, "weight_map": weight_map}))
    return path


def test_index_files_without_shards_compare_their_name_tables(tmp_path: Path) -> None:
    left = index_only(init_model(1), tmp_path / "a.safetensors.index.json")
    right = index_only(renamed(init_model(1)), tmp_path / "b.safetensors.index.json")
    result = compare_checkpoints(left, right)
    assert result.score == 1.0
    assert result.chance is None
    assert result.details["compared"] == "tensor-name table only (no weights were read)"
    renames = result.details["renames"]
    assert isinstance(renames, list)
    assert {
        "left": "model.layers.#.self_attn.q_proj.weight",
        "right": "transformer.h.#.attn.query.weight",
    } in renames
    assert "not copied weights" in result.summary
    assert result.details["total_size"] == {"left": 1, "right": 1}


def test_name_tables_of_different_depths_match_partly(tmp_path: Path) -> None:
    left = index_only(init_model(1), tmp_path / "a.safetensors.index.json")
    right = index_only(renamed(init_model(1, layers=2)), tmp_path / "b.safetensors.index.json")
    result = compare_checkpoints(left, right)
    # Only the untouched names (embeddings, final norm, head, position ids) line up: the
    # renamed layer templates occur at other indices than the left's.
    assert result.score < 0.5


# --- refused inputs --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["pytorch_model.bin", "model.pt", "model.ckpt"])
def test_pickled_checkpoints_are_refused(tmp_path: Path, name: str) -> None:
    pickled = tmp_path / name
    pickled.write_bytes(b"\x80\x04K\x01.")
    other = save(init_model(1), tmp_path / "ok.safetensors")
    with pytest.raises(InputError, match="--unsafe-pickle"):
        compare_checkpoints(pickled, other)
    folder = tmp_path / "pickled_only"
    folder.mkdir()
    (folder / name).write_bytes(pickled.read_bytes())
    with pytest.raises(InputError, match="--unsafe-pickle"):
        compare_checkpoints(other, folder)


def test_an_index_of_pickled_shards_is_refused(tmp_path: Path) -> None:
    index = tmp_path / "pytorch_model.bin.index.json"
    index.write_text(json.dumps({"weight_map": {"w": "pytorch_model-00001-of-00002.bin"}}))
    with pytest.raises(InputError, match="--unsafe-pickle"):
        compare_checkpoints(index, index)


def test_an_index_cannot_point_outside_its_folder(tmp_path: Path) -> None:
    index = tmp_path / "model.safetensors.index.json"
    index.write_text(json.dumps({"weight_map": {"w": "../elsewhere.safetensors"}}))
    with pytest.raises(InputError, match="plain file name"):
        compare_checkpoints(index, index)


def test_a_header_lying_about_sizes_is_refused(tmp_path: Path) -> None:
    lying = write_raw(
        tmp_path / "lying.safetensors",
        {"w": {"dtype": "F32", "shape": [1_000_000], "data_offsets": [0, 16]}},
        bytes(16),
    )
    other = save(init_model(1), tmp_path / "ok.safetensors")
    with pytest.raises(InputError, match="not a valid safetensors file"):
        compare_checkpoints(lying, other)


def test_a_truncated_file_is_refused(tmp_path: Path) -> None:
    whole = save(init_model(1), tmp_path / "whole.safetensors").read_bytes()
    truncated = tmp_path / "truncated.safetensors"
    truncated.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(InputError, match="truncated"):
        compare_checkpoints(truncated, tmp_path / "whole.safetensors")


def test_missing_safetensors_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = save(init_model(1), tmp_path / "a.safetensors")
    monkeypatch.setitem(sys.modules, "safetensors", None)
    with pytest.raises(InputError, match=r"pip install 'codesim\[ml\]'"):
        compare_checkpoints(path, path)


def test_unusable_paths_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        compare_checkpoints(tmp_path / "absent.safetensors", tmp_path / "absent.safetensors")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(InputError, match="not a checkpoint"):
        compare_checkpoints(tmp_path / "notes.txt", tmp_path / "notes.txt")
    save(init_model(1), tmp_path / "a.safetensors")
    save(init_model(2), tmp_path / "b.safetensors")
    with pytest.raises(InputError, match="several"):
        compare_checkpoints(tmp_path, tmp_path / "a.safetensors")
