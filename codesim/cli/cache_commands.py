"""``codesim cache list|clear``: the clones and extracted archives codesim keeps, and the
``--rev`` option of the commands that take git URLs."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from codesim.cli.exits import errors_to_exit_codes
from codesim.cli.params import JsonOutput, Quiet, Verbose
from codesim.cli.stderr import Stderr
from codesim.sources.remote import CACHE_MAX_ENV, cache_entries, cache_root, clear_cache

Rev = Annotated[
    str | None,
    typer.Option(
        "--rev",
        metavar="REV",
        help="The branch, tag or commit to read of a git URL or repository (URL@REV says the "
        "same for one input).",
        rich_help_panel="Input",
        show_default=False,
    ),
]

_CACHE_HELP = f"""\
The git clones and extracted archives codesim keeps between runs.

Inputs given as git URLs (https://, ssh://, git@host:path, file://, a bare
repository; URL@REV or --rev for a revision) and archives (.zip, .tar.gz,
.tgz, .tar.xz) are fetched or extracted once into $CODESIM_CACHE (default
~/.cache/codesim) and reused.  Past {CACHE_MAX_ENV} (default 2G) the least
recently used entries are removed.

Examples:
  codesim cache list
  codesim cache clear
"""

cache_app = typer.Typer(
    name="cache",
    help=_CACHE_HELP,
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@cache_app.command("list")
def list_entries(json_output: JsonOutput = False, verbose: Verbose = False) -> None:
    """List the cached clones and archives, least recently used first."""
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        root = cache_root()
        entries = cache_entries(root)
        if json_output:
            rows = [
                {
                    "kind": e.kind,
                    "source": e.source,
                    "commit": e.commit,
                    "date": e.date,
                    "bytes": e.bytes,
                    "last_used": _iso(e.last_used),
                    "path": str(e.path),
                }
                for e in entries
            ]
            sys.stdout.write(json.dumps(rows, indent=2) + "\n")
            return
        from rich.console import Console
        from rich.table import Table

        console = Console(highlight=False)
        console.print(
            f"{len(entries)} entries, {_size(sum(e.bytes for e in entries))} in {root}",
            markup=False,
        )
        if not entries:
            return
        table = Table(box=None, pad_edge=False)
        for column in ("kind", "source", "commit", "date", "size", "last used"):
            table.add_column(column, justify="right" if column == "size" else "left")
        for e in entries:
            table.add_row(
                e.kind,
                e.source,
                (e.commit or "")[:12],
                (e.date or "")[:10],
                _size(e.bytes),
                _iso(e.last_used)[:16].replace("T", " "),
            )
        console.print(table)


@cache_app.command("clear")
def clear(verbose: Verbose = False, quiet: Quiet = False) -> None:
    """Remove every cached clone and archive (those another run is reading stay)."""
    stderr = Stderr()
    with errors_to_exit_codes(stderr, verbose=verbose):
        root = cache_root()
        removed, freed = clear_cache(root)
        left = len(cache_entries(root))
        if not quiet:
            note = f"; {left} in use by another run kept" if left else ""
            stderr.print(f"Removed {removed} entries ({_size(freed)}){note}.", markup=False)


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{count} B" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    raise AssertionError("unreachable: GB returns")


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")
