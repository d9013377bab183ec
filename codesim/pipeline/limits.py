"""The limits of one run: the per-file token cap and the global time budget.

``max_file_bytes`` is enforced where files are read (``sources``); the two limits here need
the pipeline: a file's token count is known only once it is normalized, and the time budget
runs from the start of an API call (``compare``, ``cross``, ``Index.query``) across every
stage.  The budget is held in a context variable set by ``time_budget`` so the stages need no
extra parameter; forked workers inherit it with the rest of the process (the monotonic clock
is the same in every process).  What a limit stops is reported, never dropped silently:
a file over the token cap is skipped as ``too_large``, a file not read in time as
``time_budget``, and pairs not aligned in time are counted in the report's warnings.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from codesim.read_options import ReadingOptions

_DEADLINE: ContextVar[float | None] = ContextVar("codesim_deadline", default=None)


@contextmanager
def time_budget(seconds: float) -> Iterator[None]:
    """Within the block, ``expired()`` tells whether ``seconds`` have passed since it began
    (0: no budget).  Nested blocks keep the earlier deadline."""
    outer = deadline()
    own = time.monotonic() + seconds if seconds > 0 else None
    with until(outer if outer is not None and (own is None or outer < own) else own):
        yield


def deadline() -> float | None:
    """The current call's deadline (``time.monotonic``), None without a budget."""
    return _DEADLINE.get()


@contextmanager
def until(at: float | None) -> Iterator[None]:
    """Within the block, the deadline is ``at``: one passed to another process, whose
    monotonic clock is the same (forked children inherit it without this)."""
    token = _DEADLINE.set(at)
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def expired() -> bool:
    """Whether the time budget of the current call has run out."""
    at = deadline()
    return at is not None and time.monotonic() >= at


def budget_detail(options: ReadingOptions) -> str:
    """The skip detail of a file the time budget left unread."""
    return f"the {options.time_budget:g} s time budget ran out before it was read (time_budget)"


def stage_warning(options: ReadingOptions, stage: str) -> str:
    """The report's word on a stage the time budget left out (``stage`` says what was not
    done and what the report lacks for it)."""
    return f"the {options.time_budget:g} s time budget (time_budget) ran out before {stage}"


def token_cap_detail(tokens: int, options: ReadingOptions) -> str | None:
    """The skip detail of a file over the token cap, or None when it is within it."""
    if tokens <= options.max_file_tokens:
        return None
    return (
        f"{tokens:,} canonical tokens are over the {options.max_file_tokens:,} limit "
        "(max_file_tokens)"
    )
