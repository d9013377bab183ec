"""Which kind of artifact a path is, by its name (and, for a folder, the names in it).

Names decide, not contents: finding artifacts in a repo must cost a directory walk, not a
read of every JSON file.  A ``.json`` or ``.yaml`` file that is none of the special names
below is a config; ``.jsonl`` and ``.csv`` files are prediction files.
"""

from __future__ import annotations

from pathlib import Path

from codesim.artifacts.base import ArtifactKind
from codesim.languages import extension_map

TOKENIZER_FILES = frozenset(
    {
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "added_tokens.json",
        "vocab.json",
        "merges.txt",
        "vocab.txt",
        "tokenizer.model",
    }
)
"""The files of a Hugging Face tokenizer folder."""

CHECKPOINT_SUFFIXES = (".safetensors",)
CHECKPOINT_INDEX_SUFFIX = ".index.json"
"""``model.safetensors.index.json`` maps tensor names to shard files."""

PICKLED_CHECKPOINT_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt")
"""Checkpoints that are pickles: never loaded (running a pickle runs its author's code)."""

CONFIG_SUFFIXES = (".json", ".yaml", ".yml", ".toml")
PREDICTION_SUFFIXES = (".jsonl", ".csv")


def kind_of(path: Path) -> ArtifactKind | None:
    """The kind of artifact ``path`` is, or None when it is none (code, or anything else)."""
    name = path.name.lower()
    if path.is_dir():
        return _folder_kind(path)
    if name.endswith(CHECKPOINT_SUFFIXES) or name.endswith(PICKLED_CHECKPOINT_SUFFIXES):
        return "checkpoint"
    if name.endswith(CHECKPOINT_INDEX_SUFFIX) and ".safetensors" in name:
        return "checkpoint"
    if name in TOKENIZER_FILES:
        return "tokenizer"
    if name.endswith(PREDICTION_SUFFIXES):
        return "predictions"
    if name.endswith(CONFIG_SUFFIXES):
        return "config"
    return None


def _folder_kind(path: Path) -> ArtifactKind | None:
    """A folder is a tokenizer or a checkpoint when it is only that: files, none of them code.
    A repo that ships a tokenizer beside its code is a repo."""
    try:
        entries = list(path.iterdir())
    except OSError:
        return None
    code = extension_map()
    if any(e.is_dir() or e.suffix.lower() in code for e in entries):
        return None
    names = {entry.name.lower() for entry in entries}
    if names & {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}:
        return "tokenizer"
    if any(n.endswith(CHECKPOINT_SUFFIXES) for n in names):
        return "checkpoint"
    return None
