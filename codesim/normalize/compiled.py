"""The normalizer's compiled parts, when the install built them.

Each compiled module does what a pure-Python function of the normalizer does, byte for byte
(the tests compare both); the Python code stays the specification and the fallback where no
C compiler was at hand.  ``CODESIM_PURE_PYTHON=1`` makes every process of a run use the
Python code, to compare or to rule the compiled parts out when chasing a problem.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

PURE_PYTHON = os.environ.get("CODESIM_PURE_PYTHON", "") not in ("", "0")
"""Whether the compiled parts are switched off (read once, when codesim is imported)."""


def load(name: str) -> ModuleType | None:
    """The compiled module ``codesim.normalize.<name>``, or None when it was not built or
    ``CODESIM_PURE_PYTHON`` is set."""
    if PURE_PYTHON:
        return None
    try:
        return importlib.import_module(f"codesim.normalize.{name}")
    except ImportError:
        return None
