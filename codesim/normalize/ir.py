"""The statement-level intermediate form the canonical passes work on.

The walk emits every token once into ``RawTokens`` (in source order) and records how the
tokens group into statements and blocks.  A statement's content is a list of *segments*:
ranges of its own tokens interleaved with the blocks nested in it (an ``if`` has its condition,
then a block, then maybe an ``else`` token and another block).  Passes rearrange, split and
drop statements; ``flatten`` then reads the canonical token order off the tree.  Tokens are
never copied or rewritten, so every token of the canonical stream keeps its exact source span.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field

# What an identifier token is, as the walk saw it; ``resolve`` turns it into a symbol.
MODE_NONE = 0
MODE_USE = 1
MODE_BIND = 2
MODE_PARAM = 3
MODE_EXTERNAL = 4
MODE_ATTR_USE = 5
MODE_ATTR_BIND = 6
MODE_KWARG = 7
MODE_DEF = 8


@dataclass(slots=True)
class Scope:
    """A name scope: module, class, function, lambda or comprehension."""

    kind: str
    parent: int
    is_class: bool
    binds: dict[str, str] = field(default_factory=dict)
    """Name -> role (``Role`` value) of its first binding in this scope."""
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


@dataclass(slots=True)
class RawTokens:
    """Tokens in source order, as emitted by the walk (parallel sequences, see ``TokenStream``;
    the byte offsets are ``array("q")``, as there).

    ``symbols`` holds the final symbol for everything but identifiers, whose symbol is
    decided by ``resolve`` from ``modes`` and ``scopes``.
    """

    symbols: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    modes: list[int] = field(default_factory=list)
    scopes: list[int] = field(default_factory=list)
    start_bytes: array[int] = field(default_factory=lambda: array("q"))
    end_bytes: array[int] = field(default_factory=lambda: array("q"))
    owners: list[int] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.symbols)


@dataclass(slots=True)
class TupleParts:
    """Where the targets and values of an assignment sit in the tokens: several for a tuple
    assignment ``a, b = x, y``, one for ``x = e``."""

    head: int
    """The index of the assignment's own token, repeated before each split-off assignment."""
    targets: list[range]
    values: list[range]


@dataclass(slots=True)
class Statement:
    """One statement: its segments, and for tuple assignments where their parts are."""

    kind: str
    segments: list[range | Block] = field(default_factory=list)
    parts: TupleParts | None = None
    open_start: int = -1
    implicit: bool = False
    """Tokens found outside any statement (inside a syntax error) grouped as one."""


@dataclass(slots=True)
class Block:
    """A sequence of statements (a module body, a function body, an ``else`` branch)."""

    statements: list[Statement] = field(default_factory=list)


@dataclass(slots=True)
class Program:
    """Everything the walk learned about one file."""

    tokens: RawTokens
    root: Block
    scopes: list[Scope]
    unit_names: list[str]
    unit_kinds: list[str]
    unit_parents: list[int]
    unit_spans: list[tuple[int, int]]
    aliases: dict[str, str]
    """Import alias -> the imported name (``np`` -> ``numpy``)."""
    syntax_errors: tuple[int, int]
    """``(count, bytes)``: see ``TokenStream.error_count`` and ``error_bytes``."""


def flatten(item: Block | Statement) -> list[int]:
    """The token indices of a block or statement in canonical order.

    Iterative, so deeply nested code cannot hit the recursion limit.
    """
    order: list[int] = []
    stack: list[range | Block | Statement] = [item]
    while stack:
        top = stack.pop()
        if isinstance(top, range):
            order.extend(top)
        elif isinstance(top, Block):
            stack.extend(reversed(top.statements))
        else:
            stack.extend(reversed(top.segments))
    return order
