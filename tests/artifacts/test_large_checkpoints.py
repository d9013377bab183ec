"""Multi-gigabyte checkpoints in bounded memory: two 4 GiB safetensors files, written sparse
(only the header and the sampled values take disk space), compared and summarized while the
Python heap stays at a megabyte or two."""

from __future__ import annotations

import json
import struct
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from codesim.artifacts.checkpoints import (
    SAMPLE_SIZE,
    SKETCH_SAMPLE_SIZE,
    compare_checkpoints,
    sample_positions,
)
from codesim.artifacts.summary import compare_summaries, summarize

pytest.importorskip("safetensors")

ROWS, COLUMNS = 65_536, 16_384
"""A 4 GiB float32 matrix, the size of a 7B model's largest tensors taken together."""

Values = Callable[[np.ndarray], np.ndarray]


def _original(positions: np.ndarray) -> np.ndarray:
    """The weight at each position, the same whoever asks."""
    return np.array([np.random.default_rng(int(p)).standard_normal() for p in positions])


def _write_sparse(path: Path, name: str, values: Values) -> Path:
    """A safetensors file of one ``ROWS x COLUMNS`` tensor whose data is a hole except at the
    positions the comparison and the index sketch sample."""
    numel = ROWS * COLUMNS
    header = {name: {"dtype": "F32", "shape": [ROWS, COLUMNS], "data_offsets": [0, numel * 4]}}
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)
    start = 8 + len(encoded)
    with path.open("wb") as handle:
        handle.write(struct.pack("<Q", len(encoded)) + encoded)
        handle.truncate(start + numel * 4)
        for size in (SAMPLE_SIZE, SKETCH_SAMPLE_SIZE):
            positions = sample_positions(numel, size)
            for position, value in zip(positions.tolist(), values(positions), strict=True):
                handle.seek(start + position * 4)
                handle.write(np.float32(value).tobytes())
    if path.stat().st_blocks * 512 > 64 << 20:
        pytest.skip("the file system here does not keep files sparse")
    return path


def test_four_gib_checkpoints_compare_in_bounded_memory(tmp_path: Path) -> None:
    noise = np.random.default_rng(7)
    left = _write_sparse(tmp_path / "left.safetensors", "model.w", _original)
    right = _write_sparse(
        tmp_path / "right.safetensors",
        "renamed",
        lambda p: -3.0 * (_original(p) + 0.01 * noise.standard_normal(len(p))),
    )
    assert left.stat().st_size > 4 << 30
    compare_checkpoints(left, right)  # imports and first-use allocations out of the measure
    tracemalloc.start()
    try:
        result = compare_checkpoints(left, right)
        summaries = summarize("checkpoint", left, "l"), summarize("checkpoint", right, "r")
        sketched = compare_summaries(*summaries)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.score == 1.0
    assert result.chance is not None and result.chance < 1e-6
    noise_sigma = result.details["median_noise_sigma"]
    assert isinstance(noise_sigma, float) and 0.007 < noise_sigma < 0.013
    assert sketched.score == 1.0
    assert peak < 2_000_000
