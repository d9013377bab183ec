"""codesim: find source code copied from other projects and disguised."""

from __future__ import annotations

__version__ = "0.1.0"
