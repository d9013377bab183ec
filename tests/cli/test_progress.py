"""Progress bars follow the library's stages and stay off non-terminals."""

from __future__ import annotations

import io

from rich.console import Console

from codesim.cli.progress import StageProgress, stage_progress
from codesim.cli.stderr import Stderr


def test_progress_is_off_when_stderr_is_not_a_terminal() -> None:
    # Under pytest, stderr is captured, so it is not a TTY.
    with stage_progress(Stderr(Console(file=io.StringIO())), quiet=False) as progress:
        assert progress is None


def test_progress_is_off_when_quiet() -> None:
    stderr = Stderr(Console(file=io.StringIO(), force_terminal=True))
    with stage_progress(stderr, quiet=True) as progress:
        assert progress is None


def test_stages_become_bars_and_unknown_totals_are_accepted() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=80)
    with StageProgress(console) as progress:
        for done in range(4):
            progress("parsing left", done, 3)
        progress("aligning pairs", 0, 0)
        progress("aligning pairs", 7, 0)
        progress("[red]x[/red] stage", 1, 2)
    assert "parsing left" in buffer.getvalue()
    assert "[red]x[/red] stage" in buffer.getvalue()


def test_a_stage_with_a_changing_detail_keeps_one_bar() -> None:
    buffer = io.StringIO()
    console = Console(file=buffer, force_terminal=True, width=100)
    with StageProgress(console) as progress:
        for done in range(1, 4):
            progress(f"indexing rich 13.9.2 ({done * 100:,} lines, 5,000 lines/s)", done, 3)
        assert len(progress._tasks) == 1
        progress("indexing rich 13.9.2 (300 lines, 5,000 lines/s)", 3, 3)
        progress("aligning pairs", 0, 0)
        assert len(progress._tasks) == 2
    assert "300 lines" in buffer.getvalue()
