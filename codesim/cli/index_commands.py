"""``codesim check`` and ``codesim index add|list|remove|stats``: the persistent index.

Same wiring as ``compare``: flags -> ``Options`` -> the ``Index`` facade -> a renderer, with
errors turned into the contract's exit codes by ``exits``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from codesim.api import Index
from codesim.cli.cache_commands import Rev
from codesim.cli.exits import errors_to_exit_codes, exit_if_above
from codesim.cli.output import emit, emit_report, write_files
from codesim.cli.params import (
    Base,
    FailAbove,
    HtmlFile,
    IncludeGenerated,
    IndexLocation,
    JsonOutput,
    MaxFileBytes,
    MaxFileTokens,
    MinScore,
    NoAlign,
    NoGitignore,
    Quiet,
    SarifFile,
    TimeBudget,
    UnsafePickle,
    Verbose,
    build_options,
    require_index,
)
from codesim.cli.progress import stage_progress
from codesim.cli.stderr import Stderr
from codesim.errors import InputError
from codesim.read_options import DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_FILE_TOKENS

if TYPE_CHECKING:
    from rich.console import Console

_INDEX_HELP = """\
Build and inspect an index of projects that `codesim check` searches.

The index is one SQLite file (created on the first add) or a Redis
server (redis://host:port/db, `pip install 'codesim[redis]'`), given with
--index or $CODESIM_INDEX.

Examples:
  codesim index add ~/src/rich --name rich --version 13.7.1 --license MIT --index oss.idx
  codesim index list --index oss.idx
  codesim index remove rich 13.7.1 --index oss.idx
"""

CHECK_HELP = """\
Does REPO contain code from an indexed project?  Which project, file and
function, under which licence?

Every file of REPO is normalized as `compare` does; its functions and
classes are looked up in the index by MinHash LSH, every candidate is
verified by exact fingerprint containment, and the verified files are
aligned with REPO's files to show fragments and renamed identifiers.

share   part of REPO's code (canonical tokens) that the project matches.
score   that share, damped when the matched code is too small to be
        evidence; verdicts as for `compare`.

Exit codes: 0 ok, 1 a score above --fail-above, 2 usage or option
error, 3 input error (also: an index that is missing, damaged or busy).

Examples:
  codesim check . --index oss.idx
  codesim check my-repo/ --index redis://localhost:6379/0 --json > hits.json
  codesim check . --index oss.idx --fail-above 0.15 --quiet
"""

index_app = typer.Typer(
    name="index",
    help=_INDEX_HELP,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def check(
    repo: Annotated[
        str,
        typer.Argument(
            metavar="REPO",
            help="The code to check: a file, folder, git URL (URL@REV) or archive.",
            show_default=False,
        ),
    ],
    index: IndexLocation = None,
    json_output: JsonOutput = False,
    html: HtmlFile = None,
    sarif: SarifFile = None,
    top: Annotated[
        int,
        typer.Option("--top", metavar="K", min=1, help="Report the K best projects."),
    ] = 10,
    min_score: MinScore = 0.0,
    fail_above: FailAbove = None,
    base: Base = None,
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_FILE_BYTES,
    max_file_tokens: MaxFileTokens = DEFAULT_MAX_FILE_TOKENS,
    time_budget: TimeBudget = 0.0,
    no_gitignore: NoGitignore = False,
    include_generated: IncludeGenerated = False,
    no_align: NoAlign = False,
    rev: Rev = None,
    unsafe_pickle: UnsafePickle = False,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        location = require_index(index)
        options = build_options(
            max_file_bytes=max_file_bytes,
            max_file_tokens=max_file_tokens,
            time_budget=time_budget,
            no_gitignore=no_gitignore,
            include_generated=include_generated,
            min_score=min_score,
            unsafe_pickle=unsafe_pickle,
        )
        with (
            Index.open(location, create=False) as opened,
            stage_progress(stderr, quiet=quiet) as progress,
        ):
            report = opened.query(
                repo,
                top=top,
                base=base,
                options=options,
                progress=progress,
                align=not no_align,
                rev=rev,
            )

        def render(console: Console) -> None:
            from codesim.render.text import render_check

            render_check(report, console)

        emit_report(
            report,
            render,
            stderr,
            json_output=json_output,
            quiet=quiet,
        )
        write_files(report, stderr, quiet=quiet, html=html, sarif=sarif)
    exit_if_above(report, fail_above, stderr, quiet=quiet)


@index_app.command("add", no_args_is_help=True)
def add(
    path: Annotated[
        str,
        typer.Argument(
            metavar="PATH",
            help="The project: a folder, git checkout, git URL (URL@REV) or archive.",
            show_default=False,
        ),
    ],
    name: Annotated[str, typer.Option("--name", help="Project name.", show_default=False)],
    version: Annotated[
        str,
        typer.Option(
            "--version",
            help="Project version; re-adding a name and version replaces it.",
            show_default=False,
        ),
    ],
    license: Annotated[
        str | None, typer.Option("--license", help="SPDX licence id, shown in hits.")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Where the project lives.")] = None,
    index: IndexLocation = None,
    json_output: JsonOutput = False,
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Processes normalizing files (default: one per core)."
        ),
    ] = None,
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_FILE_BYTES,
    max_file_tokens: MaxFileTokens = DEFAULT_MAX_FILE_TOKENS,
    no_gitignore: NoGitignore = False,
    include_generated: IncludeGenerated = False,
    rev: Rev = None,
    unsafe_pickle: UnsafePickle = False,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Add a project (a folder, git checkout, git URL or archive) to the index, replacing the
    same name and version; the commit is recorded when PATH is a git checkout or URL, and a
    URL is the project's --url unless one is given."""
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        location = require_index(index)
        options = build_options(
            max_file_bytes=max_file_bytes,
            max_file_tokens=max_file_tokens,
            no_gitignore=no_gitignore,
            include_generated=include_generated,
            unsafe_pickle=unsafe_pickle,
        )
        with (
            Index.open(location, options=options) as opened,
            stage_progress(stderr, quiet=quiet) as progress,
        ):
            result = opened.add(
                path,
                name=name,
                version=version,
                license=license,
                url=url,
                options=options,
                workers=workers,
                progress=progress,
                rev=rev,
            )
        if json_output or not quiet:

            def render_result(console: Console) -> None:
                from codesim.render.text import render_added

                render_added(result, console)

            emit(result, json_output, render_result)


@index_app.command("list")
def list_projects(
    index: IndexLocation = None, json_output: JsonOutput = False, verbose: Verbose = False
) -> None:
    """List the indexed projects."""
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        with Index.open(require_index(index), create=False) as opened:
            projects = opened.projects()

        def render(console: Console) -> None:
            from codesim.render.text import render_projects

            render_projects(projects, console)

        emit(projects, json_output, render)


@index_app.command("remove", no_args_is_help=True)
def remove(
    name: Annotated[str, typer.Argument(metavar="NAME", show_default=False)],
    version: Annotated[str, typer.Argument(metavar="VERSION", show_default=False)],
    index: IndexLocation = None,
    verbose: Verbose = False,
    quiet: Quiet = False,
) -> None:
    """Remove a project; exit code 3 if the index has no such project."""
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        with Index.open(require_index(index), create=False) as opened:
            removed = opened.remove(name, version)
        if not removed:
            raise InputError(f"the index has no project {name} {version}")
        if not quiet:
            stderr.print(f"Removed {name} {version}.", highlight=False, markup=False)


@index_app.command("stats")
def stats(
    index: IndexLocation = None, json_output: JsonOutput = False, verbose: Verbose = False
) -> None:
    """Show what the index holds: projects, files, units, fingerprints, size."""
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        with Index.open(require_index(index), create=False) as opened:
            result = opened.stats()

        def render(console: Console) -> None:
            from codesim.render.text import render_index_stats

            render_index_stats(result, console)

        emit(result, json_output, render)
