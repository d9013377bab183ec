"""The commands: flags -> ``Options`` -> API -> renderer, and errors -> exit codes.

One function per command; each only wires the shared pieces together (``params`` for flags,
``exits`` for errors, ``progress`` for the stderr bars, ``codesim.render`` for output).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, MutableMapping
from typing import TYPE_CHECKING, Annotated, Any

import typer
import typer.core
import typer.main

from codesim import __version__
from codesim.api import compare as compare_paths
from codesim.api import compiled_parts
from codesim.cli.cache_commands import Rev, cache_app
from codesim.cli.cross_command import CROSS_HELP, cross_command
from codesim.cli.exits import errors_to_exit_codes, exit_if_above
from codesim.cli.index_commands import CHECK_HELP, check, index_app
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
    NoAlign,
    NoGitignore,
    NoHistory,
    Quiet,
    SarifFile,
    TimeBudget,
    Top,
    UnsafePickle,
    Verbose,
    WindowSize,
    build_options,
)
from codesim.cli.progress import stage_progress
from codesim.cli.stderr import Stderr
from codesim.options import (
    DEFAULT_MIN_MATCH_TOKENS,
    VERDICT_DERIVED,
    VERDICT_IDENTICAL,
    VERDICT_PARTIAL,
)
from codesim.read_options import (
    DEFAULT_KGRAM_SIZE,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_FILE_TOKENS,
    DEFAULT_WINDOW_SIZE,
)
from codesim.render import DEFAULT_TOP_PAIRS

if TYPE_CHECKING:
    from rich.console import Console

_APP_HELP = """\
Find source code that was copied and disguised: identifiers renamed,
code reformatted, comments rewritten, statements merged or reordered.

Start with the bundled example:

  codesim compare examples/original examples/suspect
"""

_COMPARE_HELP = f"""\
Is SUSPECT derived from ORIGINAL?  Compare two files, folders or repositories.

Both sides are normalized first: formatting, comments and the names the
code defines itself vanish, while imported and library names (which a
copy cannot rename) stay. Then every file on the left is aligned with the
files on the right it shares fingerprints with, and the matching
fragments are mapped back to line ranges.

score           share of the smaller side's tokens found in the other
                side (containment), from 0 to 1; damped when the
                smaller side is too small to be evidence.
similarity      matched tokens of both sides over all their tokens.
verdict         identical (score >= {VERDICT_IDENTICAL:.2f}), derived (>= {VERDICT_DERIVED:.2f}),
                partial (>= {VERDICT_PARTIAL:.2f}), otherwise independent.
identifier map  which name became which (Resampler -> Projection): a
                consistent one-to-one renaming is the signature of a
                disguised copy.

Exit codes: 0 ok, 1 a score above --fail-above, 2 usage or option
error, 3 input error.

Examples:
  codesim compare examples/original examples/suspect
  codesim compare old.py new.py --json > report.json
  codesim compare upstream/ fork/ --fail-above {VERDICT_DERIVED:.2f} --quiet
"""


class _CommandsOnDemand(MutableMapping[str, Any]):
    """The command group's commands, each made by typer from its ``Typer`` when first looked
    up: making every command's click object (each parameter's type, default and help read
    from the annotations) cost every run 8 ms, where a run uses one (2 ms for ``cross``).
    Listed in the order they were added; listing them with their help makes them all."""

    def __init__(self) -> None:
        self._commands: dict[str, Any] = {}
        """A command's ``Typer`` until it is looked up, then the command typer made of it."""

    def add(self, name: str, made_by: typer.Typer) -> None:
        self._commands[name] = made_by

    def __getitem__(self, name: str) -> Any:
        held = self._commands[name]
        if isinstance(held, typer.Typer):
            held = self._commands[name] = typer.main.get_command(held)
        return held

    def __setitem__(self, name: str, command: Any) -> None:
        self._commands[name] = command

    def __delitem__(self, name: str) -> None:
        del self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)


_COMMANDS = _CommandsOnDemand()


class _Group(typer.core.TyperGroup):
    """The ``codesim`` group, its commands made on demand (``_CommandsOnDemand``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands = _COMMANDS


def _command(name: str, function: Any, help_text: str) -> None:
    """Add ``function`` as the command ``name``, to be made when it is looked up."""
    made_by = typer.Typer(add_completion=False)
    made_by.command(name, help=help_text, no_args_is_help=True)(function)
    _COMMANDS.add(name, made_by)


app = typer.Typer(
    name="codesim",
    cls=_Group,
    help=_APP_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"codesim {__version__}\n{compiled_parts()}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            callback=_print_version,
            is_eager=True,
            help="Print the version and exit.",
        ),
    ] = False,
) -> None:
    """The command group; ``--version`` is handled by its eager callback."""


def compare(
    original: Annotated[
        str,
        typer.Argument(
            metavar="ORIGINAL",
            help="The original: a file, folder, git URL (URL@REV) or archive.",
            show_default=False,
        ),
    ],
    suspect: Annotated[
        str,
        typer.Argument(
            metavar="SUSPECT",
            help="The code that may be derived from ORIGINAL.",
            show_default=False,
        ),
    ],
    json_output: JsonOutput = False,
    html: HtmlFile = None,
    sarif: SarifFile = None,
    min_score: MinScore = 0.0,
    fail_above: FailAbove = None,
    top: Top = DEFAULT_TOP_PAIRS,
    kgram_size: KgramSize = DEFAULT_KGRAM_SIZE,
    window_size: WindowSize = DEFAULT_WINDOW_SIZE,
    min_match_tokens: MinMatchTokens = DEFAULT_MIN_MATCH_TOKENS,
    max_file_bytes: MaxFileBytes = DEFAULT_MAX_FILE_BYTES,
    max_file_tokens: MaxFileTokens = DEFAULT_MAX_FILE_TOKENS,
    time_budget: TimeBudget = 0.0,
    base: Base = None,
    no_gitignore: NoGitignore = False,
    include_generated: IncludeGenerated = False,
    no_history: NoHistory = False,
    no_align: NoAlign = False,
    rev: Rev = None,
    unsafe_pickle: UnsafePickle = False,
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
            no_history=no_history,
            unsafe_pickle=unsafe_pickle,
        )
        with stage_progress(stderr, quiet=quiet) as progress:
            report = compare_paths(
                original,
                suspect,
                base=base,
                options=options,
                progress=progress,
                align=not no_align,
                rev=rev,
            )

        def render(console: Console) -> None:
            from codesim.render.text import render_report

            render_report(report, console, top=top)

        emit_report(
            report,
            render,
            stderr,
            json_output=json_output,
            quiet=quiet,
        )
        write_files(report, stderr, quiet=quiet, html=html, sarif=sarif)
    exit_if_above(report, fail_above, stderr, quiet=quiet)


_command("compare", compare, _COMPARE_HELP)
_command("check", check, CHECK_HELP)
_command("cross", cross_command, CROSS_HELP)
_COMMANDS.add("index", index_app)
_COMMANDS.add("cache", cache_app)
