"""What reading one side needs of the options, as a type and as plain data.

``Options`` (a pydantic model) is what callers give and what the stages take.  Reading a side
(finding its files, normalizing and fingerprinting them) needs seven of its fields; the
reading code takes any ``ReadingOptions``, ``Options`` included.  A process that only reads is
sent a ``ReadOptions`` instead of the model (``cross``'s prestarted reading child): it then
never imports pydantic, which with ``Options`` was 65-85 ms of its 140-155 ms of imports
(with and without the model's validator deferred).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Protocol


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
    """``ReadingOptions`` as plain data, to send to a process that only reads."""

    kgram_size: int
    window_size: int
    max_file_bytes: int
    max_file_tokens: int
    respect_gitignore: bool
    include_generated: bool
    time_budget: float

    @classmethod
    def of(cls, options: ReadingOptions) -> ReadOptions:
        """The reading fields of ``options`` (an ``Options``, already validated)."""
        return cls(*(getattr(options, field.name) for field in fields(cls)))
