"""What reading one side needs of the options, as a type and as plain data, and their defaults.

``Options`` (a pydantic model) is what callers give and what the stages take.  Reading a side
(finding its files, normalizing and fingerprinting them) needs seven of its fields; the
reading code takes any ``ReadingOptions``, ``Options`` included.  A process that only reads is
sent a ``ReadOptions`` instead of the model (``cross``'s prestarted reading child): it then
never imports pydantic, which with ``Options`` was 65-85 ms of its 140-155 ms of imports
(with and without the model's validator deferred).  The defaults are here, not in
``options`` with the rest, for the same child: ``ReadOptions()`` is what it reads with when it
runs the jobs it expects before it is sent them (``submissions.guessed_reading``).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol

DEFAULT_KGRAM_SIZE = 12
"""Tokens per k-gram.  A canonical Python token is about a sixth of a line, so 12 tokens is
about two lines: long enough that shared k-grams are rarely coincidence, short enough that a
copied three-line helper still yields several."""

DEFAULT_WINDOW_SIZE = 8
"""Winnowing window.  Winnowing guarantees that any match of at least
``kgram_size + window_size - 1`` tokens (19 with the defaults) shares a fingerprint."""

DEFAULT_MAX_FILE_BYTES = 2_000_000
"""Larger files are skipped as ``too_large``: hand-written source is rarely this big, and
generated tables and vendored bundles are."""

DEFAULT_MAX_FILE_TOKENS = 500_000
"""Files whose canonical stream is longer are skipped as ``too_large`` once normalized: the
work and memory of every later stage grow with it (a 6 MB one-line list of 2,000,000 tokens
took 32 s and 1.5 GB to compare with ``max_file_bytes`` raised).  The largest module of the
standard library has 41,000 (``test/test_typing.py``); a file within the byte limit can have
about 670,000 (``1, `` repeated on one line)."""


class ReadingOptions(Protocol):
    """The fields of ``Options`` that reading a side reads (see ``Options`` for each)."""

    @property
    def kgram_size(self) -> int: ...

    @property
    def window_size(self) -> int: ...

    @property
    def max_file_bytes(self) -> int: ...

    @property
    def max_file_tokens(self) -> int: ...

    @property
    def respect_gitignore(self) -> bool: ...

    @property
    def include_generated(self) -> bool: ...

    @property
    def time_budget(self) -> float: ...


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """``ReadingOptions`` as plain data, to send to a process that only reads; made with no
    arguments, ``Options``' defaults."""

    kgram_size: int = DEFAULT_KGRAM_SIZE
    window_size: int = DEFAULT_WINDOW_SIZE
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    max_file_tokens: int = DEFAULT_MAX_FILE_TOKENS
    respect_gitignore: bool = True
    include_generated: bool = False
    time_budget: float = 0.0

    @classmethod
    def of(cls, options: ReadingOptions) -> ReadOptions:
        """The reading fields of ``options`` (an ``Options``, already validated)."""
        return cls(*(getattr(options, field.name) for field in fields(cls)))
