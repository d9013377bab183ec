"""codesim's compiled parts: C extensions built at install time when a compiler is there
(``hatch_build.py``), each doing exactly what a pure-Python function does, faster; and one
(``PAGES``) that has the command line's process ask for huge pages, where nothing is done
without it.

The Python code stays the specification and the fallback (the tests compare both): a part
that was not built, or all of them under ``CODESIM_PURE_PYTHON=1`` or ``python_only``, leave
the Python code to run.  Callers look their part up on each call with ``load`` (a dictionary
lookup), so switching them off takes effect everywhere at once.  The normalizer's walk has
more glue (its own tree-sitter runtime must match py-tree-sitter's): see
``codesim.normalize.compiled_walk``.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType

PURE_PYTHON = os.environ.get("CODESIM_PURE_PYTHON", "") not in ("", "0")
"""Whether the compiled parts are switched off (read once, when codesim is imported)."""

WALK = "codesim.normalize._cwalk"
RESOLVE = "codesim.normalize._resolve"
PASSES = "codesim.normalize._passes"
ORDER = "codesim.normalize._order"
CANONICAL = "codesim.normalize._canonical"
PRINTS = "codesim.fingerprint._prints"
MINHASH = "codesim.index._minhash"
ALIGN = "codesim.align._align"
COOCCUR = "codesim.pipeline._cooccur"
PAGES = "codesim.cli._pages"
PARTS = (WALK, RESOLVE, PASSES, ORDER, CANONICAL, PRINTS, MINHASH, ALIGN, COOCCUR, PAGES)
"""Every compiled module, in pipeline order, the command line's own last.  No module may be
named as something its package defines: importing a submodule sets the package attribute of
its name (a module ``_stream`` once replaced the normalizer's function ``_stream``)."""

_switched_off = PURE_PYTHON
_loaded: dict[str, ModuleType | None] = {}


def load(module: str) -> ModuleType | None:
    """The compiled ``module`` (one of ``PARTS``), or None when it was not built or the
    compiled parts are switched off (``CODESIM_PURE_PYTHON``, ``python_only``)."""
    if _switched_off:
        return None
    if module not in _loaded:
        try:
            _loaded[module] = importlib.import_module(module)
        except ImportError:
            _loaded[module] = None
    return _loaded[module]


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
