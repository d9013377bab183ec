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

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

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


CHANCE_FLOOR = 1e-300
"""Smallest chance reported: a float cannot hold the true figure for a whole copied artifact."""


def coincidence_log10_chance(terms: Sequence[tuple[float, float]], observed: float) -> float:
    """log10 of an upper bound on the chance that independent artifacts agree this much.

    Each term ``(bits, p)`` is one piece of content of the smaller artifact (a distinct config
    value, a distinctive token) that an independent artifact reproduces with probability ``p``
    and that is worth ``bits`` when it does; ``observed`` is the bits actually reproduced.
    Under independence the reproduced bits are a sum of independent Bernoulli variables, and
    Chernoff's bound ``min over t >= 0 of E[exp(t X)] exp(-t observed)`` bounds its tail; when
    everything is reproduced the bound is the product of the ``p``.  Returns 0.0 (chance 1)
    when ``observed`` does not exceed what independence gives on average.
    """
    if not terms or observed <= 0:
        return 0.0
    bits = np.array([b for b, _ in terms], dtype=np.float64)
    p = np.clip(np.array([q for _, q in terms], dtype=np.float64), 1e-300, 1.0)
    if observed <= float((bits * p).sum()):
        return 0.0
    log_p, log_q = np.log(p), np.log1p(-np.minimum(p, 1.0 - 1e-16))
    log_q[p >= 1.0] = -np.inf

    def bound(t: float) -> float:
        return float(np.logaddexp(log_q, log_p + t * bits).sum() - t * observed)

    # The exponent is convex in t: a golden-section search over a range where exp(t*bits) has
    # long saturated (t * min bits >= 700 nats) finds its minimum.
    low, high = 0.0, 700.0 / max(float(bits.min()), 1e-3)
    ratio = (math.sqrt(5.0) - 1.0) / 2.0
    for _ in range(200):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if bound(a) <= bound(b):
            high = b
        else:
            low = a
    return min(0.0, bound((low + high) / 2.0) / math.log(10.0))


def chance_of(log10_chance: float) -> float:
    """The chance itself, floored at ``CHANCE_FLOOR``."""
    return max(math.pow(10.0, log10_chance), CHANCE_FLOOR)


def chance_words(log10_chance: float) -> str:
    """A chance as the summaries write it: ``3.2e-09``, or ``< 1e-300`` past the floor."""
    if log10_chance <= math.log10(CHANCE_FLOOR):
        return f"< {CHANCE_FLOOR:.0e}"
    return f"{10.0**log10_chance:.2g}"
