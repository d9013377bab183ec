"""A cloned ML repo copies more than code: its configs, tokenizer, weights and predictions are
compared too, beside the code, in the terminal, JSON and HTML; two artifacts given directly
are compared as what they are.

Everything is made here: a little model code, a config, a tokenizer with its own special
tokens, random-initialised weights and predictions; the copy renames keys and tensors,
reformats, adds a little noise and changes a few answers.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import codesim
from codesim.cli.app import app

safetensors_numpy = pytest.importorskip("safetensors.numpy", reason="the ml extra is missing")

MODEL = '''
import math


class Projector:
    """Maps image patches into the language model's embedding space."""

    def __init__(self, width, depth, patch):
        self.width = width
        self.depth = depth
        self.patch = patch
        self.layers = [self.make_layer(i) for i in range(depth)]

    def make_layer(self, index):
        scale = 1.0 / math.sqrt(self.width * (index + 1))
        return {"scale": scale, "index": index, "bias": [0.0] * self.width}

    def forward(self, patches):
        out = []
        for patch in patches:
            acc = sum(patch) / max(1, len(patch))
            for layer in self.layers:
                acc = acc * layer["scale"] + layer["bias"][layer["index"] % self.width]
            out.append(acc)
        return out
'''

CONFIG = {
    "model": {"hidden_size": 2304, "num_layers": 26, "vocab_size": 151936, "rope_theta": 271828},
    "vision": {"patch_size": 14, "image_size": 448, "projector": "resampler-v2.6"},
    "train": {"lr": 3.7e-05, "warmup_steps": 1337, "seed": 3407, "dropout": 0.1},
}

SPECIAL = ["<|image_patch|>", "<slice>", "</slice>", "<ref>", "</ref>", "<box>", "</box>"]


def _tokenizer(folder: Path, specials: list[str], shift: int = 0) -> None:
    folder.mkdir(parents=True)
    vocab = {f"tok{i}": i + shift for i in range(3000)}
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "special_tokens_map.json").write_text(
        json.dumps({"additional_special_tokens": specials, "eos_token": "</s>"})
    )
    (folder / "tokenizer_config.json").write_text(
        json.dumps({"model_max_length": 8192, "additional_special_tokens": specials}, indent=2)
    )


def _weights(seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        f"layers.{i}.{name}": rng.normal(0, 0.02, shape).astype(np.float32)
        for i in range(3)
        for name, shape in (("attn.qkv", (96, 32)), ("mlp.up", (128, 32)), ("norm", (32,)))
    }


def _repo(root: Path, *, copy: bool) -> Path:
    root.mkdir(parents=True)
    (root / "model.py").write_text(textwrap.dedent(MODEL))
    rng = np.random.default_rng(5)
    weights = _weights(1)
    answers = [f"answer {i % 17}" for i in range(400)]
    if copy:
        (root / "projector.py").write_text(
            textwrap.dedent(MODEL).replace("Projector", "Mapper").replace("patches", "tiles")
        )
        (root / "model.py").unlink()
        renamed = {"llm": CONFIG["model"], "visual": CONFIG["vision"], "optim": CONFIG["train"]}
        (root / "config.json").write_text(json.dumps(renamed, indent=4, sort_keys=True))
        _tokenizer(root / "tokenizer", SPECIAL, shift=5)
        # Renamed, reordered, and 1% of each tensor's spread of Gaussian noise added.
        noisy = {name: w + rng.normal(0, 0.01 * w.std(), w.shape) for name, w in weights.items()}
        weights = {
            f"blocks_{name.replace('.', '_')}": w.astype(np.float32)
            for name, w in reversed(noisy.items())
        }
        answers = [a if i % 40 else "answer 99" for i, a in enumerate(answers)]
    else:
        (root / "config.json").write_text(json.dumps(CONFIG))
        _tokenizer(root / "tokenizer", SPECIAL)
    safetensors_numpy.save_file(weights, str(root / "model.safetensors"))
    with (root / "predictions.jsonl").open("w") as out:
        for i, answer in enumerate(answers):
            out.write(json.dumps({"id": i, "prediction": answer}) + "\n")
    return root


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("repos")
    return _repo(root / "original", copy=False), _repo(root / "clone", copy=True)


def test_a_cloned_repo_shows_its_artifacts_beside_its_code(repos: tuple[Path, Path]) -> None:
    report = codesim.compare(*repos, options=codesim.Options(history=False))
    kinds = {pair.kind: pair for pair in report.artifacts}
    assert set(kinds) == {"config", "tokenizer", "checkpoint", "predictions"}
    assert all(pair.score >= 0.9 for pair in kinds.values()), {
        k: (p.score, p.summary) for k, p in kinds.items()
    }
    assert kinds["checkpoint"].chance is not None and kinds["checkpoint"].chance < 1e-6
    assert report.pairs, "the code is compared too"
    assert report.alignment is not None


def test_artifacts_show_in_the_terminal_json_and_html(
    repos: tuple[Path, Path], tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    done = CliRunner().invoke(
        app, ["compare", *map(str, repos), "--json", "--html", str(page), "--no-history", "-q"]
    )
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert {pair["kind"] for pair in data["artifacts"]} >= {"config", "checkpoint"}
    html = page.read_text()
    assert 'id="artifacts"' in html and "model.safetensors" in html
    text = CliRunner().invoke(app, ["compare", *map(str, repos), "--no-history"])
    assert "Configs, tokenizers, checkpoints and predictions" in text.stdout
    assert "checkpoints" in text.stdout and "tokenizers" in text.stdout


def test_two_artifacts_are_compared_directly(repos: tuple[Path, Path]) -> None:
    original, clone = repos
    report = codesim.compare(original / "config.json", clone / "config.json")
    (pair,) = report.artifacts
    assert pair.kind == "config" and report.score == pair.score >= 0.9
    assert report.verdict == pair.verdict
    weights = codesim.compare(original / "model.safetensors", clone / "model.safetensors")
    assert weights.artifacts[0].kind == "checkpoint" and weights.score >= 0.9


def test_code_and_an_artifact_cannot_be_compared(repos: tuple[Path, Path]) -> None:
    original, clone = repos
    done = CliRunner().invoke(
        app, ["compare", str(original / "model.py"), str(clone / "config.json")]
    )
    assert done.exit_code == 3
    assert "code and config" in done.output


def test_lock_files_and_ignored_folders_are_not_artifacts(tmp_path: Path) -> None:
    lock = json.dumps({"name": "app", "lockfileVersion": 3, "packages": {"left-pad": "1.3.0"}})
    for side in ("a", "b"):
        root = tmp_path / side
        (root / "node_modules" / "pkg").mkdir(parents=True)
        (root / "model.py").write_text(textwrap.dedent(MODEL))
        (root / "package-lock.json").write_text(lock)
        (root / "node_modules" / "pkg" / "settings.json").write_text(json.dumps(CONFIG))
    report = codesim.compare(tmp_path / "a", tmp_path / "b", options=codesim.Options(history=False))
    assert report.artifacts == []
