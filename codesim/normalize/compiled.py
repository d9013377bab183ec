"""The compiled walk (``_cwalk``, a C extension built at install time when a compiler is
there): the same ``Program`` as ``walk.walk``, several times faster.

``walk.walk`` stays the reference and the fallback: the compiled walk is used when the
extension imports and ``CODESIM_PURE_PYTHON=1`` is not set (read once, at import), and for a
file it cannot walk exactly (``_cwalk.Fallback``: a tree the Python walk would fail on too)
the Python walk runs instead.  The extension parses with its own copy of the tree-sitter
runtime (py-tree-sitter's symbols are hidden), built from the version py-tree-sitter is.
"""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable
from typing import TYPE_CHECKING

from codesim.normalize import ir
from codesim.normalize.literals import literal_value
from codesim.normalize.tables import Tables
from codesim.normalize.walk import first_party_depth

if TYPE_CHECKING:
    from codesim.normalize import _cwalk

PURE_PYTHON = os.environ.get("CODESIM_PURE_PYTHON", "") == "1"
"""``CODESIM_PURE_PYTHON=1`` in the environment (read once): always the Python walk."""

_extension: object = None
_fallback: type[Exception] = LookupError  # never raised by the extension: replaced below
_unused = "the compiled walk is not built"
if PURE_PYTHON:
    _unused = "CODESIM_PURE_PYTHON=1"
else:
    try:
        from codesim.normalize import _cwalk as _loaded
    except ImportError:  # not built: no compiler, or no network to fetch tree-sitter's source
        pass
    else:
        # Its runtime must be the one py-tree-sitter parses with, or the trees could differ.
        _installed = importlib.metadata.version("tree-sitter")
        if _installed == _loaded.TREE_SITTER:
            _extension = _loaded
            _fallback = _loaded.Fallback
        else:
            _unused = (
                f"the compiled walk is built for tree-sitter {_loaded.TREE_SITTER}, "
                f"{_installed} is installed"
            )

_walkers: dict[int, tuple[Tables, _cwalk.Walker]] = {}


def available() -> bool:
    """Whether ``normalize`` walks with the compiled walk."""
    return _extension is not None


def describe() -> str:
    """Which walk ``normalize`` uses, for ``codesim --version``."""
    if _extension is None:
        return f"pure Python ({_unused})"
    return "compiled"


def walker(tables: Tables) -> _cwalk.Walker | None:
    """The compiled walker for ``tables`` (made once per process and language), or None."""
    if _extension is None:
        return None
    found = _walkers.get(id(tables))
    if found is not None and found[0] is tables:
        return found[1]
    from codesim.normalize import _cwalk

    made = _cwalk.Walker(
        tables.grammar_pointer,
        tables,
        literal_value,
        first_party_depth,
        _alias_path,
        (ir.Block, ir.Statement, ir.Scope, ir.TupleParts, ir.RawTokens, ir.Program),
    )
    _walkers[id(tables)] = (tables, made)
    return made


def _alias_path(text: str, package: tuple[str, ...]) -> str:
    """What ``import a.b as c`` makes ``c`` read as (the aliased-import branch of the walk)."""
    path = text.split(".")
    return ".".join(path[first_party_depth(path, package) :])


def walk(
    tables: Tables, data: bytes, package: tuple[str, ...], spaced: Callable[[bytes], bytes]
) -> ir.Program | None:
    """The compiled walk of ``data`` parsed with ``tables``' grammar (retried with
    ``spaced(data)`` as ``normalize._parse`` does); None when the Python walk must run: the
    extension is not in use, or cannot walk this tree exactly."""
    made = walker(tables)
    if made is None:
        return None
    tree = made.parse(data)
    if tree.has_error and b"\t" in data:
        retry = made.parse(spaced(data))
        if not retry.has_error:
            tree = retry
    try:
        return made.walk(tree, package)
    except _fallback:
        return None
