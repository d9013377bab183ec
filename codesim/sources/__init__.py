"""Source discovery: find the files under an input path and read them safely.

``discover`` walks a file or folder, honours ``.gitignore``, tells each file's language by its
extension or ``#!`` line, and reads it in whatever encoding it was saved in.  Files it will not
compare (binary, too large, generated, unreadable, behind a symbolic link leading out of the
input, malformed notebooks) are returned as ``SkippedFile`` records with a reason, never raised.
A Jupyter notebook is read as the Python text of its code cells (``notebooks``).
"""

from __future__ import annotations

from codesim.sources.git import checkout_commit
from codesim.sources.history import (
    LineTimes,
    NoHistory,
    WorkTree,
    line_times,
    tracked,
    work_tree,
)
from codesim.sources.model import Discovery, SkippedFile, SourceFile
from codesim.sources.notebooks import CodeCell
from codesim.sources.walk import discover

__all__ = [
    "CodeCell",
    "Discovery",
    "LineTimes",
    "NoHistory",
    "SkippedFile",
    "SourceFile",
    "WorkTree",
    "checkout_commit",
    "discover",
    "line_times",
    "tracked",
    "work_tree",
]
