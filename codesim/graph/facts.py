"""Per-file facts for the repo graph, read in one pass over a token stream.

The stream keeps every token's exact byte span, so the source around a name says how it is
used: a name followed by ``(`` is called, a name after ``.`` is a member, and the names that
close each positional argument of a class header are its bases.  This reads the same on a
stream in canonical order as in source order, and needs no tree of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from codesim.tokens import ImportRef, TokenStream, UnitKind

_SPACE = b" \t\r\n\\"
_SPACE_BYTES = np.frombuffer(_SPACE, dtype=np.uint8)
_CALL_OR_ARGUMENT_END = np.frombuffer(b"(,)", dtype=np.uint8).astype(np.int64)
_SELF = frozenset({"self", "cls"})


class Call(NamedTuple):
    """A call site: the called name, and whether it is a member (``x.name(...)``) and of
    ``self``/``cls`` (``self.name(...)``)."""

    name: str
    member: bool
    on_self: bool


@dataclass(frozen=True, slots=True)
class UnitFacts:
    """One unit (module body, class or function) as the graph sees it."""

    name: str
    """Qualified within its file (``Child.run``); ``<module>`` for the module body."""
    kind: UnitKind
    parent: int
    """Index of the enclosing unit in the file, -1 for the module."""
    lines: tuple[int, int]
    """First and last source line, 1-based, inclusive."""
    tokens: int
    """Tokens whose innermost unit this is (before folding small units)."""
    signature: npt.NDArray[np.uint32] | None
    """The unit's MinHash row; None when the unit was too small to be fingerprinted on its
    own and was folded into its parent."""
    calls: tuple[Call, ...]
    bases: tuple[str, ...]
    """For a class, the last name of each positional base (``pkg.Base`` -> ``Base``)."""


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What one file contributes to its repo's graph."""

    path: str
    """POSIX path relative to the repo root."""
    units: list[UnitFacts]
    imports: list[ImportRef]
    owners: npt.NDArray[np.int32]
    """Each token's innermost unit (an index into ``units``), so that matched tokens can be
    credited to the unit they belong to."""
    ids: list[str] = field(init=False)
    """Each unit's node id (``node_ids``), made once: every aligned file pair reads them."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "ids", node_ids(self))


def unit_references(
    stream: TokenStream, data: bytes, definition_heads: Collection[str]
) -> tuple[list[list[Call]], list[list[str]]]:
    """``(calls, bases)`` of each unit of ``stream``, indexed like ``stream.units``.

    ``definition_heads`` are the symbols that open a definition (``function_definition``,
    ``class_definition``): the name token right after one is defined, not called.
    """
    calls: list[list[Call]] = [[] for _ in stream.units]
    bases: list[list[str]] = [[] for _ in stream.units]
    count = len(stream.symbols)
    if not count:
        return calls, bases
    # Byte range inside the parentheses of each class header, by unit index.
    headers: dict[int, tuple[int, int]] = {}
    units = stream.units
    starts, ends = stream.start_bytes, stream.end_bytes
    following = _following_bytes(data, np.asarray(ends, dtype=np.int64))
    heads = np.fromiter((s in definition_heads for s in stream.symbols), dtype=bool, count=count)
    defined = np.zeros(count, dtype=bool)
    defined[1:] = heads[:-1]
    # Only a defined name, a called name or a name closing an argument (a base) matters:
    # most tokens are none of these, and a Python look at each costs more than all the rest.
    wanted = defined | np.isin(following, _CALL_OR_ARGUMENT_END)
    for i in np.flatnonzero(wanted).tolist():
        owner, start, end = stream.owners[i], starts[i], ends[i]
        if end <= start:
            continue
        if defined[i]:
            if units[owner].kind is UnitKind.CLASS:
                opening = _skip_space(data, end)
                if opening < len(data) and data[opening] == ord("("):
                    headers[owner] = (opening + 1, _closing(data, opening))
            continue
        name = data[start:end].decode("utf-8", "replace")
        if not name.isidentifier():
            continue
        header = headers.get(owner)
        if header is not None and header[0] <= start < header[1]:
            if _is_base(data, start, end):
                bases[owner].append(name)
            continue
        if following[i] != ord("("):
            continue
        dot = _previous_index(data, start)
        member = dot >= 0 and data[dot] == ord(".")
        calls[owner].append(Call(name, member, member and _receiver(data, dot) in _SELF))
    return calls, bases


def _following_bytes(data: bytes, ends: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The first byte after each offset that is not a space or line break (-1 at the end)."""
    text = np.frombuffer(data, dtype=np.uint8)
    solid = np.flatnonzero(~np.isin(text, _SPACE_BYTES))
    at = np.searchsorted(solid, ends)
    found = np.full(len(ends), -1, dtype=np.int64)
    inside = at < len(solid)
    found[inside] = text[solid[at[inside]]]
    return found


def _is_base(data: bytes, start: int, end: int) -> bool:
    """Whether the name at ``[start, end)`` closes a positional argument: followed by ``,`` or
    ``)`` and not part of ``keyword=value``."""
    after = _next_byte(data, end)
    if after not in (ord(","), ord(")")):
        return False
    argument = max(data.rfind(b",", 0, start), data.rfind(b"(", 0, start))
    return b"=" not in data[argument + 1 : start]


def _closing(data: bytes, opening: int) -> int:
    depth = 0
    for at in range(opening, len(data)):
        byte = data[at]
        if byte in b"([{":
            depth += 1
        elif byte in b")]}":
            depth -= 1
            if depth == 0:
                return at
    return len(data)


def _skip_space(data: bytes, at: int) -> int:
    while at < len(data) and data[at] in _SPACE:
        at += 1
    return at


def _next_byte(data: bytes, end: int) -> int:
    at = _skip_space(data, end)
    return data[at] if at < len(data) else -1


def _previous_index(data: bytes, start: int) -> int:
    at = start - 1
    while at >= 0 and data[at] in _SPACE:
        at -= 1
    return at


def _receiver(data: bytes, dot: int) -> str:
    """The simple name right before the ``.`` at ``dot`` (``""`` if it is not a name)."""
    end = _previous_index(data, dot) + 1
    begin = end
    while begin > 0 and (chr(data[begin - 1]).isalnum() or data[begin - 1] == ord("_")):
        begin -= 1
    before = _previous_index(data, begin)
    if before >= 0 and data[before] == ord("."):
        return ""
    return data[begin:end].decode("ascii", "replace")


def node_ids(facts: FileFacts) -> list[str]:
    """``path`` for the module, ``path:Qual.name`` for the others; a name defined twice in
    one file (a property's getter and setter, ``if``/``else`` variants) gets ``#2``, ``#3``."""
    ids = []
    seen: dict[str, int] = defaultdict(int)
    for unit in facts.units:
        node = facts.path if unit.kind is UnitKind.MODULE else f"{facts.path}:{unit.name}"
        seen[node] += 1
        ids.append(node if seen[node] == 1 else f"{node}#{seen[node]}")
    return ids
