"""Where a command's result goes: exactly its JSON on stdout, or the text rendering."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from pydantic import BaseModel
from rich.console import Console
from rich.text import Text

from codesim import CheckReport, CrossReport, Report
from codesim.render.json import to_json


def emit(
    result: BaseModel | Sequence[BaseModel],
    json_output: bool,
    render: Callable[[Console], None],
) -> None:
    """With ``--json`` the result's JSON and nothing else on stdout; otherwise ``render`` it
    to a stdout console."""
    if json_output:
        sys.stdout.write(to_json(result) + "\n")
        sys.stdout.flush()
    else:
        render(Console(highlight=False))


def emit_report(
    report: Report | CheckReport | CrossReport,
    render: Callable[[Console], None],
    stderr: Console,
    *,
    json_output: bool,
    quiet: bool,
) -> None:
    """``emit`` a report; with ``--json`` its warnings (which the text rendering shows) go to
    ``stderr`` too, so a person still sees them, unless ``--quiet``."""
    emit(report, json_output, render)
    if json_output and not quiet:
        for warning in report.warnings:
            stderr.print(Text(f"codesim: warning: {warning}"), soft_wrap=True)
