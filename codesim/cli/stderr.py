"""The command's stderr: a rich console, made when something is first printed.

Most runs print nothing there (``--json``, ``--quiet``, no error), and those never import
rich: about 27 ms of every start (``import typer, pydantic, numpy`` timed with and without
rich's modules).  For the same reason the text renderers are imported by the commands that
render text, when they do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console


class Stderr:
    """Where a command's messages, warnings and progress bars go."""

    def __init__(self, console: Console | None = None) -> None:
        self._console = console

    @property
    def console(self) -> Console:
        """The console itself (made now if nothing was printed yet)."""
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=True, highlight=False)
        return self._console

    def print(self, *objects: Any, **options: Any) -> None:
        """``Console.print`` on stderr."""
        self.console.print(*objects, **options)
