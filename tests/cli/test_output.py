"""``emit_report``: with ``--json`` stdout holds exactly the report, and its warnings reach a
person on stderr unless ``--quiet``; ``compare`` and ``check`` both go through it."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from codesim.cli.output import emit_report
from codesim.cli.stderr import Stderr
from tests.cli.test_exits import report_with_scores


def _never_rendered(console: Console) -> None:
    raise AssertionError("--json must not render text")


@pytest.mark.parametrize("quiet", [False, True])
def test_json_report_warnings_go_to_stderr_unless_quiet(
    quiet: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    report = report_with_scores(0.5, []).model_copy(update={"warnings": ["left: 2 ignored"]})
    stderr = io.StringIO()
    emit_report(
        report,
        _never_rendered,
        Stderr(Console(file=stderr, width=200)),
        json_output=True,
        quiet=quiet,
    )
    assert json.loads(capsys.readouterr().out)["warnings"] == ["left: 2 ignored"]
    assert stderr.getvalue() == ("" if quiet else "codesim: warning: left: 2 ignored\n")
