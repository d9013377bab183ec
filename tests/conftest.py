"""Shared test set-up.

pytest runs with ``--import-mode=importlib``, which does not put the repository on
``sys.path``; the line below makes ``codesim`` (a flat package at the root) and the test
helpers (``tests.disguise``, ``tests.stdlib_corpus``) importable from any test file without
installing the package.
"""

from __future__ import annotations

import sys
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)
