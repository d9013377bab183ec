"""The compiled parts, C extensions built at install time when a compiler is there: the
normalizer's walk (``_cwalk``), ``resolve`` (``_resolve``), ``order_statements`` (``_order``)
and the reading of the canonical stream off the IR (``_canonical``), and the index's MinHash
signatures (``codesim.index._minhash``).

Each does exactly what a pure-Python function of the normalizer does (the tests compare
both); the Python code stays the specification and the fallback.  ``CODESIM_PURE_PYTHON=1``
makes every process of a run use the Python code, to compare or to rule the compiled parts
out when chasing a problem.  The compiled walk parses with its own copy of the tree-sitter
runtime (py-tree-sitter's symbols are hidden), built from the version py-tree-sitter is; for a
file it cannot walk exactly (``_cwalk.Fallback``: a tree the Python walk would fail on too)
the Python walk runs instead.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import TYPE_CHECKING

from codesim.normalize import ir
from codesim.normalize.literals import literal_value
from codesim.normalize.tables import Tables
from codesim.normalize.walk import alias_path, first_party_depth

if TYPE_CHECKING:
    from codesim.normalize import _cwalk

PURE_PYTHON = os.environ.get("CODESIM_PURE_PYTHON", "") not in ("", "0")
"""Whether the compiled parts are switched off (read once, when codesim is imported)."""

MINHASH = ("_minhash", "codesim.index")
"""MinHash signatures in C (``index/_minhash.c``), the one compiled part outside the
normalizer."""
PARTS = (
    ("_cwalk", "codesim.normalize"),
    ("_resolve", "codesim.normalize"),
    ("_order", "codesim.normalize"),
    ("_canonical", "codesim.normalize"),
    MINHASH,
)
"""Every compiled module, ``(name, package)``, in pipeline order.  No name may be a name its
package defines: importing a submodule sets the package attribute of its name."""


_switched_off = PURE_PYTHON
_parts: dict[str, ModuleType | None] = {}


def load(name: str, package: str = "codesim.normalize") -> ModuleType | None:
    """The compiled module ``<package>.<name>``, or None when it was not built or the
    compiled parts are switched off (``CODESIM_PURE_PYTHON``, ``python_only``)."""
    if _switched_off:
        return None
    module = f"{package}.{name}"
    if module not in _parts:
        try:
            _parts[module] = importlib.import_module(module)
        except ImportError:
            _parts[module] = None
    return _parts[module]


@contextmanager
def python_only() -> Iterator[None]:
    """Run the block with every compiled part switched off in this process (all threads):
    for comparing the compiled code with the Python code, as the tests and the fuzz target
    do."""
    global _switched_off
    previous = _switched_off
    _switched_off = True
    try:
        yield
    finally:
        _switched_off = previous


def _load_walk() -> tuple[ModuleType | None, str]:
    """The compiled walk if it can be used, else None and why not."""
    if PURE_PYTHON:
        return None, "CODESIM_PURE_PYTHON=1"
    loaded = load("_cwalk")
    if loaded is None:  # not built: no compiler, or no network to fetch tree-sitter's source
        return None, "the compiled walk is not built"
    # Its runtime must be the one py-tree-sitter parses with, or the trees could differ.
    installed = importlib.metadata.version("tree-sitter")
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


def describe() -> str:
    """Which parts of the normalizer run compiled, for ``codesim --version``."""
    if PURE_PYTHON:
        return "pure Python (CODESIM_PURE_PYTHON=1)"
    built = [name.lstrip("_") for name, package in PARTS[1:] if load(name, package) is not None]
    if _extension is not None:
        built.insert(0, "walk")
    if not built:
        return f"pure Python ({_unused})"
    missing = "" if _extension is not None else f"; {_unused}"
    return f"compiled: {', '.join(built)}{missing}"


def walker(tables: Tables) -> _cwalk.Walker | None:
    """The compiled walker for ``tables`` (made once per process and language), or None."""
    if _extension is None or _switched_off:
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
