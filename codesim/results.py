"""The public report models: the contract between the pipeline, the renderers and users' scripts.

Every model is frozen and forbids unknown fields.  ``SCHEMA_VERSION`` is written into every
report; it changes its major number when a field is removed or changes meaning.

Numbers mean the same for files, folders and repos:

- ``score`` in [0, 1], symmetric: matched tokens over the tokens of the smaller side
  (containment), damped when the smaller side is too small to be evidence;
- ``similarity`` in [0, 1]: (matched left + matched right) / (left + right);
- ``verdict``: ``identical``, ``derived``, ``partial`` or ``independent`` from ``score``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from codesim.errors import SkipReason
from codesim.options import Verdict

SCHEMA_VERSION = "1.4"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Skipped(_Model):
    """A file that was found but not compared, and why."""

    side: Literal["left", "right", "base", "checked", "indexed", "submission"]
    path: str
    reason: SkipReason
    detail: str = ""


class Span(_Model):
    """A region of one file: 1-based lines, 0-based code-point columns, byte offsets into the
    UTF-8 text; ends are exclusive."""

    start_line: int = Field(ge=1)
    start_col: int = Field(ge=0)
    end_line: int = Field(ge=1)
    end_col: int = Field(ge=0)
    start_byte: int = Field(ge=0)
    end_byte: int = Field(ge=0)


class Fragment(_Model):
    """A maximal run of canonical tokens that is the same on both sides."""

    left: Span
    right: Span
    tokens: int = Field(ge=1)


class IdentifierMapping(_Model):
    """One renamed (or kept) name: ``left`` became ``right`` in ``count`` aligned uses.

    ``consistency`` is the share of ``left``'s aligned uses that became ``right``: a renamed
    copy shows a consistent bijection (every entry near 1.0).
    """

    left: str
    right: str
    role: str
    count: int = Field(ge=1)
    consistency: float = Field(ge=0, le=1)


class PairResult(_Model):
    """The comparison of one left file with one right file.

    Pairs are ranked by ``score``, then ``literal_agreement`` (two files of the same shape, such
    as generated codec tables, are told apart by their constants), then ``similarity``.
    """

    left: str
    right: str
    score: float = Field(ge=0, le=1)
    similarity: float = Field(ge=0, le=1)
    left_coverage: float = Field(ge=0, le=1)
    right_coverage: float = Field(ge=0, le=1)
    longest_fragment: int = Field(ge=0, description="tokens in the longest fragment")
    literal_agreement: float = Field(
        1.0,
        ge=0,
        le=1,
        description="share of aligned literals (strings, numbers) whose values are equal too",
    )
    left_tokens: int = Field(ge=0)
    right_tokens: int = Field(ge=0)
    verdict: Verdict
    fragments: list[Fragment]
    identifier_map: list[IdentifierMapping]


class UnparsedFile(_Model):
    """A file that was compared although it has syntax errors (tree-sitter recovers from
    them; ``unparsed_bytes`` is what it had to skip)."""

    path: str
    errors: int = Field(ge=1, description="syntax errors: skipped regions and assumed tokens")
    unparsed_bytes: int = Field(ge=0)
    unparsed_ratio: float = Field(ge=0, le=1)


class NotebookCell(_Model):
    """A notebook's code cell and the lines of the compared text it fills."""

    index: int = Field(
        ge=0, description="position in the notebook's cells (0-based; markdown cells counted)"
    )
    id: str | None = Field(None, description="the cell's nbformat id, when it has one")
    start_line: int = Field(ge=1, description="its first line in the compared text")
    lines: int = Field(ge=1)


class NotebookFile(_Model):
    """A Jupyter notebook, compared as the Python text of its non-blank code cells in order.

    Spans in a pair naming ``path`` count lines of that text, not of the ``.ipynb`` file:
    line ``L`` is line ``L - cell.start_line + 1`` of the cell whose lines hold it, at the
    same columns (``locate`` does the lookup).  IPython-only lines (``%magic``, ``!cmd``)
    keep their place in the text, commented out behind ``pass``.
    """

    path: str
    cells: list[NotebookCell]

    def locate(self, line: int) -> tuple[int, int] | None:
        """``(cell index, 1-based line in that cell)`` of a line of the compared text."""
        for cell in self.cells:
            if cell.start_line <= line < cell.start_line + cell.lines:
                return cell.index, line - cell.start_line + 1
        return None


class Side(_Model):
    """What was read on one side of a comparison."""

    path: str
    files: int = Field(ge=0)
    lines: int = Field(ge=0)
    tokens: int = Field(ge=0)
    unparsed: list[UnparsedFile] = []
    url: str | None = None
    """The git URL or archive it was fetched from (a password left out); None for a path."""
    commit: str | None = None
    """The git commit read, for a git URL or a repository at a revision."""
    date: str | None = None
    """That commit's date, ISO 8601 with its offset."""
    notebooks: list[NotebookFile] = []
    """The notebooks among the files, with where each code cell sits in its compared text."""
    languages: dict[str, int] = {}
    """Files compared per language id (``{"python": 12, "javascript": 3}``)."""


class AlignedUnit(_Model):
    """A unit of the left repo and the unit of the right repo it became (ids are ``path``
    for a module, ``path:Qual.name`` for a class or function)."""

    left: str
    right: str
    kind: Literal["module", "class", "function"]
    similarity: float = Field(ge=0, le=1, description="content similarity of the two units")
    support: float = Field(
        ge=0, le=1, description="share of the units' neighbourhood aligned consistently"
    )
    left_tokens: int = Field(ge=0)
    right_tokens: int = Field(ge=0)
    renamed: list[IdentifierMapping] = []
    """Names inside the pair that differ on the two sides."""
    first: Literal["left", "right", "same", "unknown"] | None = None
    """Which side's git history has the matched code first; None when not asked for."""


class UnitGroup(_Model):
    """Units merged (several left units became one right unit) or split (one became
    several)."""

    kind: Literal["merged", "split"]
    left: list[str]
    right: list[str]


class FileChange(_Model):
    """Files whose code went elsewhere: ``renamed`` (same folder) or ``moved`` one to one,
    ``merged`` (several left files into one) or ``split`` (one into several)."""

    kind: Literal["renamed", "moved", "merged", "split"]
    left: list[str]
    right: list[str]
    share: float = Field(ge=0, le=1, description="of the left files' tokens, held by the right")


class Direction(_Model):
    """Which repo looks like the source, from the git history of the aligned code."""

    conclusion: Literal["left", "right", "inconclusive", "missing"]
    explanation: str
    left_first: int = Field(ge=0, description="aligned unit pairs the left side had first")
    right_first: int = Field(ge=0)
    same: int = Field(ge=0)
    unknown: int = Field(ge=0)


class RepoAlignment(_Model):
    """Two repos aligned as graphs of modules, classes and functions.

    ``left_aligned``/``right_aligned``: share of each side's tokens in aligned units (matched
    one to one, or part of a merge or split); ``edges_preserved``: share of the smaller
    graph's edges (contains, calls, imports, inherits) whose ends are aligned with the ends
    of an edge of the same kind on the other side.
    """

    left_aligned: float = Field(ge=0, le=1)
    right_aligned: float = Field(ge=0, le=1)
    edges_preserved: float = Field(ge=0, le=1)
    left_edges: int = Field(ge=0)
    right_edges: int = Field(ge=0)
    preserved_edges: int = Field(ge=0)
    units: list[AlignedUnit]
    groups: list[UnitGroup]
    files: list[FileChange]
    relocation: list[str] = []
    """``[left folder, right folder]`` when the whole repo moved (vendored under
    ``myapp/_vendor``: ``["", "myapp/_vendor"]``; ``""`` is the root); files that only moved
    with it are not listed in ``files``."""
    unmatched_left: list[str]
    unmatched_right: list[str]
    direction: Direction | None = None


class ArtifactPair(_Model):
    """Two artifacts that are not code (configs, tokenizers, checkpoints, prediction files)
    and the evidence they give.  ``score`` has the contract's meaning for the kind's content
    (``summary`` says what was counted); ``chance`` is the probability of agreement at least
    this strong between independent artifacts under the model ``details`` states."""

    kind: Literal["config", "tokenizer", "checkpoint", "predictions"]
    left: str
    right: str
    score: float = Field(ge=0, le=1)
    verdict: Verdict
    summary: str
    chance: float | None = Field(None, ge=0, le=1)
    details: dict[str, Any] = {}


class Report(_Model):
    """The answer to "is the right side derived from the left side?"."""

    schema_version: str = SCHEMA_VERSION
    score: float = Field(ge=0, le=1)
    similarity: float = Field(ge=0, le=1)
    verdict: Verdict
    left: Side
    right: Side
    left_coverage: float = Field(ge=0, le=1)
    right_coverage: float = Field(ge=0, le=1)
    pairs: list[PairResult]
    identifier_map: list[IdentifierMapping]
    skipped: list[Skipped]
    options: dict[str, float | int | bool | str]
    warnings: list[str] = []
    base: Side | None = None
    """The template code subtracted before scoring (``--base``), when one was given."""
    alignment: RepoAlignment | None = None
    """For folders and repos: the two sides aligned unit by unit (``score`` then counts only
    code matched between aligned units)."""
    artifacts: list[ArtifactPair] = []
    """Configs, tokenizers, checkpoints and prediction files compared: beside the code's
    evidence for repos; the whole evidence (and ``score``) when two artifacts are compared."""
    languages: list[str] = []
    """The language ids both sides have files of: files are compared only with files of their
    own language, so a language on one side only is compared with nothing (``warnings`` says
    so)."""


class Submission(_Model):
    """One submission of an all-vs-all comparison: a folder or a file."""

    name: str
    """How the report names it: the path relative to the folder holding the submissions, or
    the path as given."""
    path: str
    files: int = Field(ge=0)
    lines: int = Field(ge=0)
    tokens: int = Field(ge=0)
    url: str | None = None
    """The git URL or archive it was fetched from (a password left out); None for a path."""
    commit: str | None = None
    """The git commit read, for a git URL or a repository at a revision."""
    date: str | None = None
    """That commit's date, ISO 8601 with its offset."""


class CrossPair(_Model):
    """Two submissions and how much code they share, template and widely shared code left out.

    ``score``, ``similarity`` and the coverages mean what they mean for a comparison of two
    folders; ``pairs`` are the matched file pairs behind them.
    """

    left: str
    right: str
    score: float = Field(ge=0, le=1)
    similarity: float = Field(ge=0, le=1)
    left_coverage: float = Field(ge=0, le=1)
    right_coverage: float = Field(ge=0, le=1)
    longest_fragment: int = Field(ge=0)
    verdict: Verdict
    pairs: list[PairResult]
    identifier_map: list[IdentifierMapping]


class Cluster(_Model):
    """Submissions linked by pairs scoring at least the report's ``min_score``."""

    id: int = Field(ge=1)
    members: list[str]
    max_score: float = Field(ge=0, le=1)


class SharedCode(_Model):
    """A file whose code is not evidence of copying between submissions: ``shared`` (most of
    its code is in many submissions: a template, a generated family such as the codec
    tables), ``template`` (most of it matches ``--base``) or ``generated`` (marked as such and
    left out)."""

    submission: str
    path: str
    kind: Literal["shared", "template", "generated"]
    share: float = Field(ge=0, le=1, description="of the file's tokens that are shared or base")
    submissions: int = Field(ge=0, description="submissions holding its shared code (most of them)")


class CrossReport(_Model):
    """The answer to "which of these submissions share code?"."""

    schema_version: str = SCHEMA_VERSION
    submissions: list[Submission]
    pairs: list[CrossPair]
    """Best first; only pairs scoring at least ``min_score`` (in ``options``)."""
    clusters: list[Cluster]
    shared: list[SharedCode]
    candidate_pairs: int = Field(ge=0, description="submission pairs aligned (never all pairs)")
    skipped: list[Skipped]
    options: dict[str, float | int | bool | str]
    warnings: list[str] = []
    base: Side | None = None


class Project(_Model):
    """An indexed project: ``name`` and ``version`` identify it; the rest is for attribution."""

    name: str
    version: str
    license: str | None = None
    url: str | None = None
    commit: str | None = None
    date: str | None = None
    """The commit's date, when the project was added from a git URL or repository."""


class Hit(_Model):
    """One indexed project the checked code draws from.

    ``share`` is the part of the checked code's tokens that this project's code matches;
    ``score`` means what a pair's does: matched tokens over the tokens of the smaller side,
    the checked code or the whole project (a small library vendored whole scores about 1.0),
    damped when that side is too small to be evidence; ``verdict`` is read from ``score`` as
    for a comparison.  ``pairs`` compare checked files
    (left) with the project's files (right, as ``name@version:path``).
    """

    project: Project
    share: float = Field(ge=0, le=1)
    score: float = Field(ge=0, le=1)
    verdict: Verdict
    pairs: list[PairResult]
    identifier_map: list[IdentifierMapping]
    alignment: RepoAlignment | None = None
    """The checked code aligned with the project's matched files, unit by unit; None for a
    hit under the ``partial`` threshold, or when the check was asked not to align."""
    artifacts: list[ArtifactPair] = []
    """The checked repo's configs, tokenizers and checkpoints compared with those the index
    keeps of the project (right side ``name@version:path``), as ``Report.artifacts``."""


class IndexInfo(_Model):
    """The index a check ran against."""

    location: str
    projects: int = Field(ge=0)
    files: int = Field(ge=0)


class CheckReport(_Model):
    """The answer to "which indexed projects does this code contain code from?"."""

    schema_version: str = SCHEMA_VERSION
    checked: Side
    index: IndexInfo
    share: float = Field(ge=0, le=1)
    """Part of the checked code's tokens matched by any reported project."""
    hits: list[Hit]
    skipped: list[Skipped]
    options: dict[str, float | int | bool | str]
    warnings: list[str] = []
    base: Side | None = None


class IndexStats(_Model):
    """What an index holds; ``bytes`` is its size on disk (or the Redis server's memory)."""

    location: str
    projects: int = Field(ge=0)
    files: int = Field(ge=0)
    units: int = Field(ge=0)
    fingerprints: int = Field(ge=0)
    bytes: int = Field(ge=0)


class AddResult(_Model):
    """What ``Index.add`` stored: the project and what of it was read."""

    project: Project
    files: int = Field(ge=0)
    lines: int = Field(ge=0)
    units: int = Field(ge=0)
    skipped: list[Skipped]
    replaced: bool
    """True when a project of that name and version was there and has been replaced."""
    artifacts: list[str] = []
    """The configs, tokenizers and checkpoints kept with it (paths in the project), which
    ``check`` compares with the checked repo's."""
    warnings: list[str] = []
    """Artifacts that could not be read, and why."""
