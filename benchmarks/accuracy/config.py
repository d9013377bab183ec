"""Every fixed choice of the accuracy benchmark in one place: seeds, sizes, cache paths."""

from __future__ import annotations

from pathlib import Path

TUNING_SEED = 1
"""The seed thresholds may be chosen on (``VERDICT_DERIVED`` and friends)."""

HELDOUT_SEED = 4
"""Never used to choose anything: reported separately, as the honest estimate.

Seed 2 was the first held-out seed.  Its two missed partial copies were read while developing
(one showed that a function pasted without its helpers lost them as evidence: dangling
references now become placeholders), so it no longer counts as untouched; seed 4 draws fresh
pairs from the same held-out half of the pool and had never been generated before that change.
Both are reported."""

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / ".cache"
"""Git-ignored.  Downloaded packages and generated pair sets live only here."""

PYPI_DIR = CACHE_DIR / "pypi"
DEFAULT_OUT = CACHE_DIR / "accuracy"

POSITIVE_CATEGORIES: tuple[str, ...] = (
    "format",
    "rename",
    "reorder",
    "deadcode",
    "restructure",
    "extract_inline",
    "partial",
    "mixed",
)
NEGATIVE_CATEGORIES: tuple[str, ...] = ("unrelated", "lookalike", "boilerplate")

POSITIVES_PER_CATEGORY = 120
"""At least 100 are required; a little headroom keeps that true after any skip."""

UNRELATED_NEGATIVES = 520
BOILERPLATE_NEGATIVES = 260
LOOKALIKE_NEGATIVES_MIN = 300
LOOKALIKE_NEGATIVES_MAX = 500
"""Look-alike pairs are drawn from the curated pairs of this seed's half (each pair belongs to
one seed only, by a stable hash); a cap keeps them from swamping the other negatives."""

MIN_LINES = 40
MAX_LINES = 3000
"""Pair material: files shorter or longer than this (physical lines) are left out."""

GENERATOR_VERSION = 1
"""Bump when a change to the generator must invalidate cached pair sets (the cache key also
hashes the generator's sources, so this is only for changes outside them)."""


def partition_of(seed: int) -> int:
    """The half of the module pool a seed draws its positives from: the tuning seed and the
    held-out seed never share a source module (``corpus.module_half``)."""
    return 0 if seed % 2 == TUNING_SEED % 2 else 1
