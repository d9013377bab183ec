"""Progress bars on stderr, fed by the library's ``progress(stage, done, total)`` callback.

The library only reports numbers; this module owns the terminal.  A stage may end in a live
detail in parentheses (``indexing rich 13.9.2 (26,596 lines, 41,000 lines/s)``): it updates
that stage's bar instead of starting a new one.  Bars are drawn only for a
person watching (stderr is a TTY and ``--quiet`` was not given), so logs, pipes and CI output
stay clean, and they are transient so the report that follows starts on a clean screen.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from codesim.cli.stderr import Stderr

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

ProgressCallback = Callable[[str, int, int], None]


class StageProgress:
    """One bar per stage; a new stage description finishes the previous bar."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(),
            # Stage descriptions can contain paths: shown literally, never as markup.
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._tasks: dict[str, TaskID] = {}
        self._current: TaskID | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        # total == 0 means "unknown": rich shows a pulsing bar for total=None.
        known_total = total if total > 0 else None
        name = stage.split(" (", 1)[0] if stage.endswith(")") else stage
        task = self._tasks.get(name)
        if task is None:
            self._finish_current()
            task = self._progress.add_task(stage, total=known_total)
            self._tasks[name] = task
            self._current = task
        self._progress.update(task, completed=done, total=known_total, description=stage)

    def _finish_current(self) -> None:
        if self._current is None:
            return
        total = self._progress.tasks[self._current].total
        if total is not None:
            self._progress.update(self._current, completed=total)
        self._progress.stop_task(self._current)

    def __enter__(self) -> StageProgress:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()


@contextmanager
def stage_progress(stderr: Stderr, *, quiet: bool) -> Iterator[ProgressCallback | None]:
    """Yield a progress callback for the API, or ``None`` when nobody is watching."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    with StageProgress(stderr.console) as progress:
        yield progress
