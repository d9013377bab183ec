"""Option definitions shared by the commands, and their translation into ``Options``.

Each flag is declared once here as an ``Annotated`` type, so ``compare``, and later ``check``
and ``cross``, spell, document and default it the same way.  Flag names are the ``Options``
field names with dashes (``--kgram-size`` is ``kgram_size``); defaults come from
``codesim.options`` so the help text shows what the library will actually use.  Values are
validated once, by ``make_options``, not again by the toolkit.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from codesim.errors import OptionsError
from codesim.options import DEFAULT_MIN_MATCH_TOKENS, Options, make_options
from codesim.read_options import (
    DEFAULT_KGRAM_SIZE,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_FILE_TOKENS,
    DEFAULT_WINDOW_SIZE,
)

_OUTPUT = "Output"
_MATCHING = "Matching"
_INPUT = "Input"

JsonOutput = Annotated[
    bool,
    typer.Option(
        "--json",
        help="Print the report as JSON to stdout and nothing else (progress and warnings go "
        "to stderr).",
        rich_help_panel=_OUTPUT,
    ),
]
SarifFile = Annotated[
    Path | None,
    typer.Option(
        "--sarif",
        metavar="FILE",
        help="Also write the matches as SARIF 2.1.0 to FILE, for code-scanning UIs in CI "
        "(one result per copied fragment, on the scanned side).",
        rich_help_panel=_OUTPUT,
        show_default=False,
    ),
]
HtmlFile = Annotated[
    Path | None,
    typer.Option(
        "--html",
        metavar="FILE",
        help="Also write the report as one self-contained HTML page to FILE (side by side "
        "code with the matched fragments highlighted; works offline).",
        rich_help_panel=_OUTPUT,
        show_default=False,
    ),
]
MinScore = Annotated[
    float,
    typer.Option(
        "--min-score",
        metavar="S",
        help="Leave out file pairs scoring below S (0 to 1); they still count in coverage.",
        rich_help_panel=_OUTPUT,
    ),
]
FailAbove = Annotated[
    float | None,
    typer.Option(
        "--fail-above",
        metavar="S",
        min=0.0,
        max=1.0,
        help="Exit with code 1 when the overall score or any pair's score is above S "
        "(for CI gates).",
        rich_help_panel=_OUTPUT,
        show_default=False,
    ),
]
Top = Annotated[
    int,
    typer.Option(
        "--top",
        metavar="N",
        min=0,
        help="Show fragments and identifier map for the N best pairs.",
        rich_help_panel=_OUTPUT,
    ),
]
Verbose = Annotated[
    bool,
    typer.Option("--verbose", "-v", help="Show tracebacks for errors.", rich_help_panel=_OUTPUT),
]
Quiet = Annotated[
    bool,
    typer.Option(
        "--quiet", "-q", help="No progress bars or notes on stderr.", rich_help_panel=_OUTPUT
    ),
]
KgramSize = Annotated[
    int,
    typer.Option(
        "--kgram-size",
        metavar="TOKENS",
        help="Tokens per k-gram (fingerprint length). Smaller finds shorter copies but more "
        "coincidences.",
        rich_help_panel=_MATCHING,
    ),
]
WindowSize = Annotated[
    int,
    typer.Option(
        "--window-size",
        metavar="K-GRAMS",
        help="Winnowing window: any match of at least kgram-size + window-size - 1 tokens is "
        "guaranteed to be found.",
        rich_help_panel=_MATCHING,
    ),
]
MinMatchTokens = Annotated[
    int,
    typer.Option(
        "--min-match-tokens",
        metavar="TOKENS",
        help="Shortest fragment reported (at least --kgram-size).",
        rich_help_panel=_MATCHING,
    ),
]
MaxFileBytes = Annotated[
    int,
    typer.Option(
        "--max-file-bytes",
        metavar="BYTES",
        help="Skip larger files (reported as too_large).",
        rich_help_panel=_INPUT,
    ),
]
MaxFileTokens = Annotated[
    int,
    typer.Option(
        "--max-file-tokens",
        metavar="TOKENS",
        help="Skip files with more canonical tokens (reported as too_large).",
        rich_help_panel=_INPUT,
    ),
]
TimeBudget = Annotated[
    float,
    typer.Option(
        "--time-budget",
        metavar="SECONDS",
        help="Stop reading and aligning after this long (0: no limit); what was left out "
        "is reported (skipped as time_budget, warnings).",
        rich_help_panel=_INPUT,
    ),
]
Base = Annotated[
    str | None,
    typer.Option(
        "--base",
        metavar="DIR",
        help="Template code both sides may share (a course skeleton, a project template, "
        "generated code): code matching it is left out of every score.",
        show_default=False,
        rich_help_panel=_INPUT,
    ),
]
NoGitignore = Annotated[
    bool,
    typer.Option(
        "--no-gitignore",
        help="Also compare files that .gitignore excludes.",
        rich_help_panel=_INPUT,
    ),
]
IncludeGenerated = Annotated[
    bool,
    typer.Option(
        "--include-generated",
        help="Also compare files that look generated (normally skipped as generated).",
        rich_help_panel=_INPUT,
    ),
]

NoHistory = Annotated[
    bool,
    typer.Option(
        "--no-history",
        help="Between two git checkouts, do not read git history to tell which side had the "
        "aligned code first (it runs git blame on the aligned files).",
        rich_help_panel=_INPUT,
    ),
]

NoAlign = Annotated[
    bool,
    typer.Option(
        "--no-align",
        help="Do not align the code unit by unit as repo graphs (which unit became which; "
        "moved, renamed, merged and split units and files): faster, file pairs only.",
        rich_help_panel=_MATCHING,
    ),
]

UnsafePickle = Annotated[
    bool,
    typer.Option(
        "--unsafe-pickle",
        help="Read pickled PyTorch checkpoints (.bin, .pt, .pth, .ckpt), which are refused "
        "otherwise. torch is not needed or imported: the zip's data.pkl is read by an "
        "unpickler that resolves only the globals a state dict uses (tensor rebuilding, "
        "OrderedDict, storage types) and refuses any other (os.system, a training class), so "
        "no code stored in the file runs. Residual risk: a crafted file still reaches "
        "Python's unpickler and zip reader, and can make them build large objects; use it "
        "on files you would otherwise have to open.",
        rich_help_panel=_INPUT,
    ),
]


def build_options(
    *,
    kgram_size: int = DEFAULT_KGRAM_SIZE,
    window_size: int = DEFAULT_WINDOW_SIZE,
    min_match_tokens: int = DEFAULT_MIN_MATCH_TOKENS,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    max_file_tokens: int = DEFAULT_MAX_FILE_TOKENS,
    time_budget: float = 0.0,
    no_gitignore: bool = False,
    include_generated: bool = False,
    min_score: float = 0.0,
    no_history: bool = False,
    unsafe_pickle: bool = False,
) -> Options:
    """Flags to ``Options``; raises ``OptionsError`` naming every bad value.  Commands that
    do not offer a flag get the library's default for it."""
    return make_options(
        kgram_size=kgram_size,
        window_size=window_size,
        min_match_tokens=min_match_tokens,
        max_file_bytes=max_file_bytes,
        max_file_tokens=max_file_tokens,
        time_budget=time_budget,
        respect_gitignore=not no_gitignore,
        include_generated=include_generated,
        min_score=min_score,
        history=not no_history,
        unsafe_pickle=unsafe_pickle,
    )


IndexLocation = Annotated[
    str | None,
    typer.Option(
        "--index",
        metavar="PATH|redis://HOST:PORT/DB",
        envvar="CODESIM_INDEX",
        help="The index: an SQLite file (created on first add) or a Redis URL. "
        "Default: $CODESIM_INDEX.",
        show_default=False,
    ),
]


def require_index(location: str | None) -> str:
    """The index location, or a usage error naming both ways to give it."""
    if not location:
        raise OptionsError(
            "no index given: pass --index PATH (or a redis:// URL) or set CODESIM_INDEX"
        )
    return location
