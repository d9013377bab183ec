"""What every artifact comparison returns, whatever the kind of artifact.

An artifact is a file (or a folder, for a tokenizer) that is not code: a config, a tokenizer,
a checkpoint, a prediction file.  Each kind has its own module with one entry point,
``compare_<kind>s(left: Path, right: Path) -> ArtifactComparison``; the pipeline finds and
pairs artifacts and turns the comparison into the report's model.

``score`` means what it means for code (``docs/ARCHITECTURE.md``, the public contract): the
share of the smaller artifact's content found in the other (containment), in [0, 1], damped
when the smaller artifact is too small to be evidence; what "content" is depends on the kind
(weighted config values, distinctive vocabulary, parameters of matched tensors, answers).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from codesim.errors import InputError

ArtifactKind = Literal["config", "tokenizer", "checkpoint", "predictions"]

JsonValue = str | int | float | bool | None | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True, slots=True)
class ArtifactComparison:
    """The evidence two artifacts of one kind give about copying."""

    kind: ArtifactKind
    score: float
    """In [0, 1], with the contract's meaning (see the module docstring)."""
    summary: str
    """One or two plain sentences a reviewer can read: what matched, how much, how unlikely."""
    chance: float | None = None
    """The probability of agreement at least this strong between independent artifacts, under
    the model the kind states in ``details`` (None when there is no such model)."""
    details: dict[str, JsonValue] = field(default_factory=dict)
    """Kind-specific figures and lists (rename maps, shared tokens, matched tensors, noise
    scale, agreement counts), JSON-serializable, bounded in size (top entries only)."""


def read_text(path: Path, max_bytes: int, what: str) -> str:
    """The UTF-8 text of an artifact file (a BOM dropped), or ``InputError`` saying why not:
    missing, not a file, larger than ``max_bytes`` (``what`` names the kind in the message),
    not UTF-8, unreadable."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise InputError(f"{path}: not a file")
        if size > max_bytes:
            raise InputError(
                f"{path}: {size:,} bytes is too large for {what} (at most {max_bytes:,} bytes)"
            )
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from exc
