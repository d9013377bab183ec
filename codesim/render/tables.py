"""What every terminal rendering shares: the table style and counted nouns."""

from __future__ import annotations

from rich import box
from rich.table import Table


def new_table() -> Table:
    """The tables of every rendering: a rule under the header, no outer border."""
    return Table(box=box.SIMPLE_HEAD, padding=(0, 1, 0, 0), pad_edge=False, show_edge=False)


def count(n: int, noun: str) -> str:
    """``1 file``, ``2 files``, ``1,024 files``."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
