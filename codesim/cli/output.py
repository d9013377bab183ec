"""Where a command's result goes: exactly its JSON on stdout, or the text rendering; and the
files a run asked for (``--html``, ``--sarif``), written after the report is made."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel

from codesim.cli.stderr import Stderr
from codesim.errors import InputError
from codesim.render.terminal import printable

if TYPE_CHECKING:
    from rich.console import Console

    from codesim.results import CheckReport, CrossReport, Report


def emit(
    result: BaseModel | Sequence[BaseModel],
    json_output: bool,
    render: Callable[[Console], None],
) -> None:
    """With ``--json`` the result's JSON and nothing else on stdout; otherwise ``render`` it
    to a stdout console."""
    if json_output:
        from codesim.render.json import to_json

        sys.stdout.write(to_json(result) + "\n")
        sys.stdout.flush()
    else:
        from rich.console import Console

        render(Console(highlight=False))


def emit_report(
    report: Report | CheckReport | CrossReport,
    render: Callable[[Console], None],
    stderr: Stderr,
    *,
    json_output: bool,
    quiet: bool,
) -> None:
    """``emit`` a report; with ``--json`` its warnings (which the text rendering shows) go to
    ``stderr`` too, so a person still sees them, unless ``--quiet``."""
    emit(report, json_output, render)
    if json_output and not quiet and report.warnings:
        from rich.text import Text

        for warning in report.warnings:
            stderr.print(Text(f"codesim: warning: {printable(warning)}"), soft_wrap=True)


def write_files(
    report: Report | CheckReport | CrossReport,
    stderr: Stderr,
    *,
    quiet: bool,
    html: Path | None = None,
    sarif: Path | None = None,
    csv: Path | None = None,
) -> None:
    """Write every file the run asked for (``--sarif`` for a comparison or a check, ``--csv``
    for a cross, ``--html`` for all), each named on ``stderr`` unless ``quiet``.

    A file that cannot be written raises ``InputError`` naming its flag, path and the reason
    (exit code 3) once the files before it are written: the report itself was made, so the
    other outputs are still worth having.
    """
    # The report models are imported once a report exists, and each writer when its file is
    # asked for: the command line starts without them (``pipeline.submissions``), and Jinja2
    # and Pygments take about a tenth of a second to import.
    from codesim.results import CrossReport

    writers: list[tuple[str, Path, Callable[[Path], None]]] = []
    if html is not None:
        from codesim.render.html import write_html

        writers.append(("--html", html, lambda path: write_html(report, path, sources=read_source)))
    if sarif is not None and not isinstance(report, CrossReport):
        from codesim.render.sarif import write_sarif

        writers.append(("--sarif", sarif, lambda path: write_sarif(report, path)))
    if csv is not None and isinstance(report, CrossReport):
        from codesim.render.csv import write_csv

        writers.append(("--csv", csv, lambda path: write_csv(report, path)))
    failed: list[str] = []
    for flag, path, write in writers:
        try:
            write(path)
        except OSError as error:
            failed.append(f"cannot write {flag} {path}: {error.strerror or error}")
            continue
        if not quiet:
            from rich.text import Text

            stderr.print(Text(f"codesim: wrote {path}"), soft_wrap=True)
    if failed:
        raise InputError("; ".join(failed))


def read_source(root: str, path: str) -> str | None:
    """The text of a compared file for the HTML page's side-by-side view: ``path`` under the
    side's ``root``, or ``root`` itself when a file was compared; ``None`` when it cannot be
    read (a git URL or archive side, a file gone since).

    Decoded as UTF-8 with undecodable bytes replaced one for one and a BOM dropped, so the
    report's line and code-point columns still land on the same characters.
    """
    # Only the HTML page reads sources: the notebook reader is imported here, not at start.
    from codesim.sources.notebooks import extract_notebook, is_notebook

    base = Path(root)
    try:
        file = base if base.is_file() else base / path
        raw = file.read_bytes()
        if is_notebook(file.name):
            # Spans of a notebook count lines of its extracted code, not of its JSON.
            return extract_notebook(raw).data.decode("utf-8", errors="replace")
        return raw.decode("utf-8-sig", errors="replace")
    except (OSError, ValueError):
        return None
