"""The glue of the compiled walk (``_cwalk``, see ``codesim.compiled``): the same
``Program`` as ``walk.walk``, several times faster.

The extension parses with its own copy of the tree-sitter runtime (py-tree-sitter's symbols
are hidden), built from the version py-tree-sitter is, and is used only when that version is
the one installed; for a file it cannot walk exactly (``_cwalk.Fallback``: a tree the Python
walk would fail on too) the Python walk runs instead.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

import tree_sitter

from codesim import compiled
from codesim.normalize import ir
from codesim.normalize.literals import literal_value
from codesim.normalize.tables import Tables
from codesim.normalize.walk import alias_path, first_party_depth

if TYPE_CHECKING:
    from codesim.normalize import _cwalk


def _load_walk() -> tuple[ModuleType | None, str]:
    """The compiled walk if it can be used, else None and why not."""
    if compiled.PURE_PYTHON:
        return None, "CODESIM_PURE_PYTHON=1"
    loaded = compiled.load(compiled.WALK)
    if loaded is None:  # not built: no compiler, or no network to fetch tree-sitter's source
        return None, "the compiled walk is not built"
    # Its runtime must be the one py-tree-sitter parses with, or the trees could differ.  The
    # binding's own version, not the distribution's metadata: reading that cost 3 ms of
    # every start.
    installed = tree_sitter.__version__
    if installed != loaded.TREE_SITTER:
        built_for = loaded.TREE_SITTER
        return (
            None,
            f"the compiled walk is built for tree-sitter {built_for}, {installed} is installed",
        )
    return loaded, ""


_extension, _unused = _load_walk()
_walkers: dict[int, tuple[Tables, _cwalk.Walker]] = {}


def available() -> bool:
    """Whether ``normalize`` walks with the compiled walk."""
    return _extension is not None


def unavailable_reason() -> str:
    """Why ``normalize`` walks in Python ("" when the compiled walk is in use)."""
    return _unused


def walker(tables: Tables) -> _cwalk.Walker | None:
    """The compiled walker for ``tables`` (made once per process and language), or None."""
    if _extension is None or compiled.load(compiled.WALK) is None:
        return None
    found = _walkers.get(id(tables))
    if found is not None and found[0] is tables:
        return found[1]
    made: _cwalk.Walker = _extension.Walker(
        tables.grammar_pointer,
        tables,
        literal_value,
        first_party_depth,
        alias_path,
        (ir.Block, ir.Statement, ir.Scope, ir.TupleParts, ir.RawTokens, ir.Program),
    )
    _walkers[id(tables)] = (tables, made)
    return made


def walk(made: _cwalk.Walker, tree: _cwalk.Tree, package: tuple[str, ...]) -> ir.Program | None:
    """The compiled walk of a tree ``made`` parsed; None when the Python walk must run
    because the extension cannot walk this tree exactly (``Fallback``)."""
    assert _extension is not None, "a walker exists only where the extension loaded"
    try:
        return made.walk(tree, package)
    except _extension.Fallback:
        return None
