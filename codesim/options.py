"""Options, their defaults and the verdict thresholds: every tunable number lives here, but for
the defaults of what reading takes (k-gram and window sizes, file limits), which live in
``read_options`` so that a process that only reads can know them without pydantic.

One name per option across layers: the field ``kgram_size`` is the CLI flag ``--kgram-size``.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from codesim.errors import OptionsError
from codesim.read_options import (
    DEFAULT_KGRAM_SIZE,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_FILE_TOKENS,
    DEFAULT_WINDOW_SIZE,
)

Verdict = Literal["identical", "derived", "partial", "independent"]

DEFAULT_MIN_MATCH_TOKENS = 20
"""A fragment shorter than this is not reported.  It sits just above the winnowing guarantee,
so every reportable fragment is seeded, and above the length of common two-line idioms."""

DEFAULT_MIN_EVIDENCE_TOKENS = 120
"""A side with fewer tokens than this has its score damped linearly: a ten-line file that
happens to match is weak evidence, and a three-line ``__init__.py`` must never score 1.0."""

DEFAULT_MAX_CANDIDATES = 20
"""Per file, at most this many candidate partners (best first) are aligned."""

DEFAULT_MIN_CANDIDATE_SHARED = 3
"""A candidate pair must share at least this many fingerprints: a copied run of about 40
tokens (four lines) yields that many on average, while one or two shared fingerprints are
mostly coincidences that cost an alignment each (on the tuning seed, 3 loses no positive)."""

DEFAULT_COMMON_FINGERPRINT_SHARE = 0.5
"""A fingerprint found in more than this share of a side's files (and in at least
``COMMON_FINGERPRINT_MIN_FILES`` of them) is boilerplate and proposes no candidates."""

COMMON_FINGERPRINT_MIN_FILES = 8

# Verdict thresholds on ``score``, calibrated on the tuning seed (1) of the development accuracy
# benchmark (benchmarks/accuracy: 960 disguised copies, 1,280 unrelated, look-alike and
# boilerplate negatives); the held-out seed (4) is only reported.  On seed 1 no negative scores
# above 0.07, so every threshold below keeps the false-positive rate at 0 of 1,280 (<= 1% is
# required); within that bound each sits where its word stays true:
VERDICT_IDENTICAL = 0.95
"""Nearly every canonical token of the smaller side is in the other: 94-97% of the rename,
format and restructure copies, 34% of the heavy mixed ones."""
VERDICT_DERIVED = 0.60
"""Most of the smaller side: 95-100% of every whole-file disguise category."""
VERDICT_PARTIAL = 0.15
"""A sizeable part: 99% of the partial copies (20-60% of a module pasted into another file),
whose scores run from 0.15 to 0.90; the 1%-false-positive point of seed 1 is 0.02."""


CROSS_MIN_SCORE = VERDICT_PARTIAL
"""``cross`` reports pairs, and links clusters, from this score on unless told otherwise: a
class of hundreds has thousands of candidate pairs, and those under ``partial`` are what
unrelated code has in common."""

# Repos (issue 5) use the same thresholds on their score: on the tuning seed (1) of the repo
# benchmark (benchmarks/repos: 72 derived repos, restructured, and 72 independent same-purpose
# pairs), derived repos score 0.70-1.00 and independent pairs at most 0.11, so 0.60 and 0.15
# keep both rates at 0 of 72; the held-out seed (4) is only reported.
REPO_IDENTICAL_EDGES = 0.95
"""Repos are identical only when their structure is too: besides the score, no file merged
or split, no unit merged or split, and at least this share of the graph's edges preserved
(verbatim and vendored copies keep 0.99-1.0; an edge lost is a call, import or containment
that now goes elsewhere). Renamed or moved files are names, like renamed identifiers. A
restructured copy of all the code is derived."""


def verdict_for(score: float) -> Verdict:
    """Map a score in [0, 1] to the contract's verdict words."""
    if score >= VERDICT_IDENTICAL:
        return "identical"
    if score >= VERDICT_DERIVED:
        return "derived"
    if score >= VERDICT_PARTIAL:
        return "partial"
    return "independent"


class Options(BaseModel):
    """Everything a run can be told.  Built once, validated once, passed down read-only."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kgram_size: int = Field(DEFAULT_KGRAM_SIZE, ge=3, le=200)
    window_size: int = Field(DEFAULT_WINDOW_SIZE, ge=1, le=200)
    min_match_tokens: int = Field(DEFAULT_MIN_MATCH_TOKENS, ge=1)
    min_evidence_tokens: int = Field(DEFAULT_MIN_EVIDENCE_TOKENS, ge=1)
    max_file_bytes: int = Field(DEFAULT_MAX_FILE_BYTES, ge=1)
    max_file_tokens: int = Field(DEFAULT_MAX_FILE_TOKENS, ge=1)
    time_budget: float = Field(0.0, ge=0)
    """Seconds a ``compare``, ``cross`` or ``check`` may spend (0: no limit).  Files not read
    in time are skipped as ``time_budget``, file pairs not aligned in time are counted in the
    report's warnings, and the scores cover what was done."""
    max_candidates: int = Field(DEFAULT_MAX_CANDIDATES, ge=1)
    min_candidate_shared: int = Field(DEFAULT_MIN_CANDIDATE_SHARED, ge=1)
    common_fingerprint_share: float = Field(DEFAULT_COMMON_FINGERPRINT_SHARE, gt=0, le=1)
    respect_gitignore: bool = True
    include_generated: bool = False
    min_score: float = Field(0.0, ge=0, le=1)
    """Pairs scoring below this are left out of the report (they still count in coverage)."""
    history: bool = True
    """Between two repos, read git history (``git blame``) to tell which side had the
    aligned code first, when both sides are git checkouts."""
    unsafe_pickle: bool = False
    """Read pickled PyTorch checkpoints (``.bin``, ``.pt``, ``.pth``, ``.ckpt``) with an
    unpickler that resolves only the globals of a state dict; off, they are refused."""

    @model_validator(mode="after")
    def _match_length_covers_kgram(self) -> Options:
        if self.min_match_tokens < self.kgram_size:
            raise ValueError(
                f"min_match_tokens ({self.min_match_tokens}) must be at least "
                f"kgram_size ({self.kgram_size}): a fragment is built from whole k-grams"
            )
        return self

    @property
    def guaranteed_match_tokens(self) -> int:
        """Any match at least this long shares a winnowed fingerprint (Schleimer et al. 2003)."""
        return self.kgram_size + self.window_size - 1


def make_options(**values: object) -> Options:
    """Build ``Options`` from loose values, turning validation failures into ``OptionsError``.

    The message names every offending field, the rule and the value, not just the first.
    """
    try:
        return Options.model_validate(values)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            where = ".".join(str(part) for part in err["loc"]) or "options"
            problems.append(f"{where}: {err['msg']} (got {err.get('input')!r})")
        raise OptionsError("; ".join(problems)) from None
