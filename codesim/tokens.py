"""Leaf types handed from ``normalize`` to ``units``, ``fingerprint`` and ``align``.

Units used throughout codesim: lines are 1-based, columns are 0-based and count code points,
byte offsets are 0-based into the UTF-8 text of the file, and every ``end`` is exclusive.

A normalized file is a struct of parallel lists rather than a list of token objects: a large
repository has millions of tokens, and parallel lists keep the normalizer and the k-gram hasher
fast (one append per field instead of one object per token).
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from enum import StrEnum

CANONICAL_FORM = 2
"""The version of the canonical token stream ``normalize`` emits, stored in every index:
fingerprints of another form cannot match, so an index built with one is refused, not
silently blind.  Bump it with any change that alters the tokens, units or fingerprints of
some file (a new pass, a new placeholder rule, other k-gram hashing)."""


class Role(StrEnum):
    """What a bound name is.  The value is the placeholder symbol that k-grams hash.

    Hashing the role alone (not a per-scope number) keeps one inserted variable from
    renumbering, and so changing, every k-gram after it.
    """

    LOCAL = "LOCAL"
    PARAM = "PARAM"
    ATTR = "ATTR"
    FUNC = "FUNC"
    CLASS = "CLASS"


class UnitKind(StrEnum):
    """The granularity at which code is matched and indexed."""

    MODULE = "module"
    CLASS = "class"
    FUNCTION = "function"


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file.

    ``start_line``/``end_line`` are 1-based, ``start_col``/``end_col`` are 0-based code points,
    ``start_byte``/``end_byte`` are 0-based UTF-8 offsets; ends are exclusive.
    """

    start_line: int
    start_col: int
    end_line: int
    end_col: int
    start_byte: int
    end_byte: int


@dataclass(frozen=True, slots=True)
class Unit:
    """A module body, class body or function of one file.

    ``tokens`` counts the tokens whose innermost owner is this unit (nested definitions are
    units of their own).  ``parent`` is the index of the enclosing unit, -1 for the module.
    """

    name: str
    kind: UnitKind
    parent: int
    start_byte: int
    end_byte: int
    tokens: int

    def __reduce__(self) -> tuple[type[Unit], tuple[str, UnitKind, int, int, int, int]]:
        # Pickled as the arguments that make it: a slotted dataclass's state is otherwise set
        # back one field at a time in Python (the 2,685 units cross's reading process sends
        # at N = 100: 11.4 -> 4.0 ms to pickle and unpickle).
        fields = (self.name, self.kind, self.parent, self.start_byte, self.end_byte, self.tokens)
        return (Unit, fields)


@dataclass(slots=True)
class TokenStream:
    """The canonical token stream of one file, in canonical (not always source) order.

    For token ``i``:

    - ``symbols[i]`` is what k-grams hash: a node kind (``call``), an operator (``+``), a kept
      external name (``np``, ``einsum``, ``len``), a role placeholder (``LOCAL``) or a literal
      type (``STR``);
    - ``texts[i]`` is the original text of a placeholder identifier or literal (the side
      channel read by the identifier map and by constant evidence), ``""`` otherwise;
    - ``numbers[i]`` numbers bound names by first use within their scope, -1 elsewhere;
    - ``scopes[i]`` is the scope that binds a placeholder (-1: the file's attribute
      namespace), -2 for tokens that are not placeholders;
    - ``start_bytes[i]``/``end_bytes[i]`` locate the token in the UTF-8 source (each an
      ``array("q")``: a list would hold an int object per token, made and freed with every
      stream and read back one by one by numpy);
    - ``owners[i]`` is the index in ``units`` of the token's innermost unit.
    """

    symbols: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)
    scopes: list[int] = field(default_factory=list)
    start_bytes: array[int] = field(default_factory=lambda: array("q"))
    end_bytes: array[int] = field(default_factory=lambda: array("q"))
    owners: list[int] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    error_count: int = 0
    """Syntax errors: regions the parser skipped plus tokens it had to assume were there."""
    error_bytes: int = 0
    """Bytes of the source inside the regions the parser skipped."""

    def __len__(self) -> int:
        return len(self.symbols)


@dataclass(frozen=True, slots=True)
class ImportRef:
    """One module an import statement names, as written (before any normalization).

    ``import a.b`` gives ``ImportRef("a.b", 0, ())``; ``from ..c import d, e`` gives
    ``ImportRef("c", 2, ("d", "e"))``; ``from . import f`` gives ``ImportRef("", 1, ("f",))``.
    A wildcard import has no names.
    """

    module: str
    level: int
    names: tuple[str, ...]
