"""``codesim cross``: all-vs-all comparison of many submissions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from codesim.api import cross
from codesim.cli.exits import errors_to_exit_codes, exit_if_above
from codesim.cli.output import emit_report, write_files
from codesim.cli.params import (
    Base,
    FailAbove,
    HtmlFile,
    IncludeGenerated,
    JsonOutput,
    KgramSize,
    MaxFileBytes,
    MaxFileTokens,
    MinMatchTokens,
    MinScore,
    NoGitignore,
    Quiet,
    TimeBudget,
    Verbose,
    WindowSize,
    build_options,
)
from codesim.cli.progress import stage_progress
from codesim.cli.stderr import Stderr
from codesim.options import (
    CROSS_MIN_SCORE,
    DEFAULT_MIN_MATCH_TOKENS,
)
from codesim.pipeline.submissions import SHARED_MANY, SHARED_SHARE
from codesim.read_options import (
    DEFAULT_KGRAM_SIZE,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_FILE_TOKENS,
    DEFAULT_WINDOW_SIZE,
)

if TYPE_CHECKING:
    from rich.console import Console

CROSS_HELP = f"""\
Which of these submissions share code?  Compare many files or folders with
each other (a class's assignments, a platform's uploads, a set of forks).

Each PATH is a submission; a single folder holds the submissions, one per
entry (subfolder or file).  Candidate pairs come from shared fingerprints
and LSH buckets, never from trying every pair, so thousands of submissions
finish.  Code held by many submissions (at least {SHARED_SHARE:.0%} of them, or
{SHARED_MANY}: a template, generated files, common idioms) and code matching
--base is left out of every score and listed as shared; pairs scoring
--min-score or more (default {CROSS_MIN_SCORE:.2f}) are listed and linked into clusters.

Exit codes: 0 ok, 1 a pair above --fail-above, 2 usage or option error,
3 input error.

Examples:
  codesim cross submissions/ --base skeleton/
  codesim cross alice/ bob/ carol/ --json > pairs.json
  codesim cross submissions/ --csv pairs.csv --html pairs.html --min-score 0.3
"""


def cross_command(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATHS...",
            help="The submissions (files, folders, git URLs as URL@REV, archives), or one "
            "folder holding them.",
            show_default=False,
        ),
    ],
    json_output: JsonOutput = False,
    min_score: MinScore = CROSS_MIN_SCORE,
    fail_above: FailAbove = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            metavar="FILE",
            help="Also write the reported pairs as CSV to FILE.",
            show_default=False,
        ),
    ] = None,
    html: HtmlFile = None,
    base: Base = None,
    kgram_size: KgramSize = DEFAULT_KGRAM_SIZE,
    window_size: WindowSize = DEFAULT_WINDOW_SIZE,
    min_match_tokens: MinMatchTokens = DEFAULT_MIN_MATCH_TOKENS,
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_FILE_BYTES,
    max_file_tokens: MaxFileTokens = DEFAULT_MAX_FILE_TOKENS,
    time_budget: TimeBudget = 0.0,
    no_gitignore: NoGitignore = False,
    include_generated: IncludeGenerated = False,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        options = build_options(
            kgram_size=kgram_size,
            window_size=window_size,
            min_match_tokens=min_match_tokens,
            max_file_bytes=max_file_bytes,
            max_file_tokens=max_file_tokens,
            time_budget=time_budget,
            no_gitignore=no_gitignore,
            include_generated=include_generated,
            min_score=min_score,
        )
        with stage_progress(stderr, quiet=quiet) as progress:
            report = cross(paths, base=base, options=options, progress=progress)

        def render(console: Console) -> None:
            from codesim.render.cross_text import render_cross

            render_cross(report, console)

        emit_report(
            report,
            render,
            stderr,
            json_output=json_output,
            quiet=quiet,
        )
        write_files(report, stderr, quiet=quiet, html=html, csv=csv_file)
    exit_if_above(report, fail_above, stderr, quiet=quiet)
