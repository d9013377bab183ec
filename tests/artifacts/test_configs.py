"""Config comparison: renamed, reformatted and re-nested copies against independent configs."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from codesim.artifacts import configs
from codesim.artifacts.base import JsonValue
from codesim.artifacts.configs import compare_configs, value_bits
from codesim.errors import InputError

# A fine-tuning config with the values a real one has: some distinctive (the vocabulary size,
# the seed, the run name), many common (adamw, cosine, 0.9, true).
ORIGINAL: dict[str, Any] = {
    "model": {
        "vocab_size": 151936,
        "hidden_size": 3584,
        "intermediate_size": 18944,
        "num_hidden_layers": 28,
        "num_attention_heads": 28,
        "num_key_value_heads": 4,
        "max_position_embeddings": 32768,
        "rope_theta": 1000000.0,
        "rms_norm_eps": 1e-06,
        "hidden_act": "silu",
        "tie_word_embeddings": False,
        "attention_dropout": 0.0,
        "sliding_window": 131072,
        "initializer_range": 0.02,
    },
    "training": {
        "learning_rate": 3.7e-05,
        "weight_decay": 0.1,
        "warmup_ratio": 0.03,
        "lr_scheduler": "cosine",
        "seed": 3407,
        "per_device_batch_size": 6,
        "gradient_accumulation_steps": 11,
        "max_steps": 23517,
        "optimizer": "adamw",
        "adam_beta1": 0.9,
        "adam_beta2": 0.95,
        "bf16": True,
        "output_dir": "runs/qwen-ft-legal-v3",
        "run_name": "legal-qa-sft-0612",
    },
    "data": {
        "train_file": "data/legal_qa_train_v7.jsonl",
        "max_seq_length": 3000,
        "num_workers": 4,
        "eval_splits": ["dev", "test_hard"],
        "label_smoothing": 0.15,
    },
}

# The copy: keys renamed (snake to camel case, synonyms), sections renamed and re-nested,
# everything reordered, written as YAML.
DISGUISED: dict[str, Any] = {
    "experiment": {
        "experimentName": "legal-qa-sft-0612",
        "random_seed": 3407,
        "save_to": "runs/qwen-ft-legal-v3",
    },
    "optim": {
        "name": "adamw",
        "lr": 3.7e-05,
        "betas": {"b1": 0.9, "b2": 0.95},
        "wd": 0.1,
        "schedule": {"kind": "cosine", "warmup": 0.03},
    },
    "loop": {
        "maxSteps": 23517,
        "micro_batch": 6,
        "grad_accum": 11,
        "use_bf16": True,
    },
    "dataset": {
        "path": "data/legal_qa_train_v7.jsonl",
        "seq_len": 3000,
        "loader_workers": 4,
        "eval": ["dev", "test_hard"],
        "smoothing": 0.15,
    },
    "arch": {
        "n_vocab": 151936,
        "d_model": 3584,
        "ffn_dim": 18944,
        "n_layers": 28,
        "attention": {
            "n_heads": 28,
            "n_kv_heads": 4,
            "dropout": 0.0,
            "window": 131072,
        },
        "max_positions": 32768,
        "rope_base": 1000000.0,
        "norm_eps": 1e-06,
        "activation": "silu",
        "tie_embeddings": False,
        "init_std": 0.02,
    },
}

# Another team's config for the same purpose: same key names (the library's), common values
# shared by habit (adamw, cosine, 0.9, 0.02, true), everything specific different.
INDEPENDENT: dict[str, Any] = {
    "model": {
        "vocab_size": 32000,
        "hidden_size": 4096,
        "intermediate_size": 11008,
        "num_hidden_layers": 32,
        "num_attention_heads": 32,
        "num_key_value_heads": 32,
        "max_position_embeddings": 4096,
        "rope_theta": 10000.0,
        "rms_norm_eps": 1e-05,
        "hidden_act": "silu",
        "tie_word_embeddings": False,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
    },
    "training": {
        "learning_rate": 2e-05,
        "weight_decay": 0.0,
        "warmup_ratio": 0.03,
        "lr_scheduler": "cosine",
        "seed": 42,
        "per_device_batch_size": 4,
        "gradient_accumulation_steps": 8,
        "max_steps": 10000,
        "optimizer": "adamw",
        "adam_beta1": 0.9,
        "adam_beta2": 0.999,
        "bf16": True,
        "output_dir": "outputs/llama2-chat-sft",
        "run_name": "sft-baseline-b",
    },
    "data": {
        "train_file": "data/alpaca_cleaned.json",
        "max_seq_length": 2048,
        "num_workers": 8,
        "label_smoothing": 0.1,
    },
}

PYTHON_CONFIG = '''"""Training configuration (the copy, as dataclasses)."""
from dataclasses import dataclass, field

raise RuntimeError("a config module is never executed")


@dataclass
class ModelArgs:
    n_vocab: int = 151936
    d_model: int = 3584
    ffn_dim: int = 18944
    n_layers: int = 28
    n_heads: int = 28
    n_kv_heads: int = 4
    max_positions: int = 32768
    rope_base: float = 1e6
    norm_eps: float = 1e-6
    activation: str = "silu"
    tie_embeddings: bool = False
    dropout: float = 0.0
    window: int = 131072
    init_std: float = 0.02


@dataclass
class TrainArgs:
    lr: float = 3.7e-5
    wd: float = 0.1
    warmup: float = 0.03
    schedule: str = "cosine"
    random_seed: int = 3407
    micro_batch: int = 6
    grad_accum: int = 11
    max_steps: int = 23517
    optimizer: str = "adamw"
    betas: tuple[float, float] = (0.9, 0.95)
    use_bf16: bool = True
    save_to: str = "runs/qwen-ft-legal-v3"
    experiment_name: str = field(default="legal-qa-sft-0612")
    device: str = computed_elsewhere()
    world_size: int = Field(...)


data = dict(
    path="data/legal_qa_train_v7.jsonl",
    seq_len=3000,
    loader_workers=4,
    eval=["dev", "test_hard"],
    smoothing=0.15,
)
'''


def _toml_value(value: Any) -> str:
    # JSON's scalars and arrays of them are TOML's too (no nulls in these configs).
    return json.dumps(value)


def _write_toml(path: Path, config: dict[str, Any]) -> Path:
    lines: list[str] = []
    for section, settings in config.items():
        lines.append(f"[{section}]")
        lines.extend(f"{key} = {_toml_value(value)}" for key, value in settings.items())
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def _write_json(path: Path, config: Any) -> Path:
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def _write_yaml(path: Path, config: Any) -> Path:
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def test_renamed_renested_reordered_yaml_copy_scores_high(tmp_path: Path) -> None:
    original = _write_json(tmp_path / "config.json", ORIGINAL)
    copy = _write_yaml(tmp_path / "settings.yaml", DISGUISED)

    result = compare_configs(original, copy)

    assert result.kind == "config"
    assert result.score >= 0.9
    renamed = result.details["renamed_keys"]
    assert isinstance(renamed, dict)
    assert renamed["model.vocab_size"] == "arch.n_vocab"
    assert renamed["training.seed"] == "experiment.random_seed"
    assert renamed["model.num_key_value_heads"] == "arch.attention.n_kv_heads"
    assert result.details["unmatched_left_count"] == 0
    assert "renamed" in result.summary


def test_the_same_config_as_json_yaml_and_toml_is_identical(tmp_path: Path) -> None:
    files = [
        _write_json(tmp_path / "a.json", ORIGINAL),
        _write_yaml(tmp_path / "b.yml", ORIGINAL),
        _write_toml(tmp_path / "c.toml", ORIGINAL),
    ]
    for left in files:
        for right in files:
            result = compare_configs(left, right)
            assert result.score == pytest.approx(1.0)
            assert result.details["renamed_count"] == 0
            assert result.details["identical_share"] == 1.0


def test_python_config_classes_are_read_without_running_them(tmp_path: Path) -> None:
    module = tmp_path / "train_config.py"
    module.write_text(PYTHON_CONFIG, encoding="utf-8")

    result = compare_configs(_write_json(tmp_path / "config.json", ORIGINAL), module)

    assert result.score >= 0.9
    renamed = result.details["renamed_keys"]
    assert isinstance(renamed, dict)
    assert renamed["model.vocab_size"] == "ModelArgs.n_vocab"
    assert renamed["data.eval_splits[1]"] == "data.eval[1]"
    # the non-literal default is left out, not guessed
    unmatched = result.details["unmatched_right"]
    assert isinstance(unmatched, list)
    assert "TrainArgs.device" not in unmatched
    assert "TrainArgs.world_size" not in unmatched


def test_independent_configs_of_the_same_purpose_score_low(tmp_path: Path) -> None:
    result = compare_configs(
        _write_json(tmp_path / "ours.json", ORIGINAL),
        _write_yaml(tmp_path / "theirs.yaml", INDEPENDENT),
    )

    assert result.score <= 0.2
    # habits are shared, nothing specific is
    assert result.details["distinctive_shared_values"] == []


def test_a_tiny_config_never_scores_full(tmp_path: Path) -> None:
    tiny = {"hidden_size": 3584, "seed": 3407, "run_name": "legal-qa-sft-0612"}
    result = compare_configs(
        _write_json(tmp_path / "a.json", tiny), _write_yaml(tmp_path / "b.yaml", tiny)
    )

    assert result.details["weighted_identical_share"] == 1.0
    assert result.score < 1.0


def test_distinctive_values_weigh_more_than_common_ones() -> None:
    common: list[JsonValue] = [True, False, None, 0, 1, 0.0, "", 1e-5, 0.1, 0.9, 0.999, 1e-8]
    common += [0.5, "relu", "adam", "cuda", 4096, 768, 1000, 2e-5]
    distinctive: list[JsonValue] = [3407, 151936, 30522, 0.0123456, 5.069e-05, "legal-qa-sft-0612"]
    assert max(value_bits(v) for v in common) < min(value_bits(v) for v in distinctive)
    assert value_bits(True) < value_bits(16) < value_bits(3407) < value_bits(151936)
    assert value_bits("1e-4") == value_bits(1e-4)


def test_billion_laughs_is_refused_fast(tmp_path: Path) -> None:
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, 10):
        aliases = ", ".join([f"*lol{level - 1}"] * 9)
        lines.append(f"lol{level}: &lol{level} [{aliases}]")
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("\n".join(lines) + "\n", encoding="utf-8")

    started = time.perf_counter()
    with pytest.raises(InputError, match=r"bomb\.yaml.*expand"):
        compare_configs(bomb, _write_json(tmp_path / "a.json", ORIGINAL))
    assert time.perf_counter() - started < 2.0


def test_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    loop = tmp_path / "loop.yaml"
    loop.write_text("a: &a [1, *a]\n", encoding="utf-8")
    with pytest.raises(InputError, match="refers to its own anchor"):
        compare_configs(loop, loop)


def test_wide_alias_fans_are_refused(tmp_path: Path) -> None:
    fan = tmp_path / "fan.yaml"
    fan.write_text("a: &a 1\nb: [" + ", ".join(["*a"] * 1500) + "]\n", encoding="utf-8")
    with pytest.raises(InputError, match="aliases 1500 times"):
        compare_configs(fan, fan)


def test_yaml_anchors_for_shared_defaults_still_work(tmp_path: Path) -> None:
    anchored = tmp_path / "anchored.yaml"
    anchored.write_text(
        "base: &base {lr: 3.7e-5, seed: 3407}\ntrain: {<<: *base, steps: 23517}\n",
        encoding="utf-8",
    )
    plain = _write_json(
        tmp_path / "plain.json",
        {
            "base": {"lr": 3.7e-5, "seed": 3407},
            "train": {"lr": 3.7e-5, "seed": 3407, "steps": 23517},
        },
    )
    assert compare_configs(anchored, plain).details["identical_share"] == 1.0


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("bad.json", '{"a": 1,', "not valid JSON"),
        ("bad.yaml", "a: [1, 2\nb: 3\n", "not valid YAML"),
        ("bad.toml", "a = \n", "not valid TOML"),
        ("bad.py", "class Config(:\n    x = 1\n", "not valid Python"),
        ("empty.json", "{}", "no values"),
        ("code.py", "def main():\n    return 1\n", "no values"),
        ("latin1.json", '{"a": "caf\xe9"}', "not UTF-8"),
        ("config.ini", "[a]\nb = 1\n", "not a config file"),
    ],
)
def test_malformed_files_raise_input_errors_naming_the_file(
    tmp_path: Path, name: str, text: str, reason: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(text.encode("latin-1"))
    good = _write_json(tmp_path / "good.json", ORIGINAL)
    with pytest.raises(InputError, match=reason) as caught:
        compare_configs(good, bad)
    assert name in str(caught.value)


def test_missing_and_oversized_files_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _write_json(tmp_path / "good.json", ORIGINAL)
    with pytest.raises(InputError, match="no such file"):
        compare_configs(good, tmp_path / "absent.json")
    monkeypatch.setattr(configs, "MAX_CONFIG_BYTES", 100)
    with pytest.raises(InputError, match="too large"):
        compare_configs(good, good)


def test_chance_separates_a_disguised_copy_from_an_independent_config(tmp_path: Path) -> None:
    original = _write_json(tmp_path / "config.json", ORIGINAL)
    copied = compare_configs(original, _write_yaml(tmp_path / "settings.yaml", DISGUISED))
    independent = compare_configs(original, _write_yaml(tmp_path / "theirs.yaml", INDEPENDENT))

    assert copied.chance is not None and copied.chance < 1e-20
    assert "with chance" in copied.summary
    # Shared habits (adamw, cosine, 0.9, true) are what independent configs have anyway.
    assert independent.chance is not None and independent.chance > 1e-3
    assert "easily share values as common as these" in independent.summary
    assert copied.details["chance_log10"] == pytest.approx(math.log10(copied.chance))
