"""What discovery hands to the pipeline: the files to compare and the files it left out."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from codesim.errors import SkipReason
from codesim.sources.notebooks import CodeCell


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One source file, read and decoded, ready to parse.

    ``path`` is the POSIX path relative to the input root (for a single-file input, the file
    name); it is what reports show.  ``data`` is the text re-encoded as UTF-8 with the original
    newlines kept and any byte-order mark dropped: every byte offset downstream refers to it, not
    to the bytes on disk.  ``encoding`` names the codec the bytes were decoded with.  ``lines``
    counts ``\\n``-terminated lines plus a final unterminated one, as tree-sitter counts rows.
    For a Jupyter notebook, ``data`` is the code of its code cells and ``cells`` says which
    lines of it each cell fills (see ``codesim.sources.notebooks``); ``None`` for other files.
    """

    path: str
    abspath: Path
    language: str
    data: bytes
    encoding: str
    lines: int
    cells: tuple[CodeCell, ...] | None = None


@dataclass(frozen=True, slots=True)
class SkippedFile:
    """A file (or an unlistable folder) that would have been compared but was left out.

    ``detail`` is a sentence for humans, e.g. "3.2 MB is over the 2.0 MB limit (max_file_bytes)".
    """

    path: str
    reason: SkipReason
    detail: str


@dataclass(frozen=True, slots=True)
class Discovery:
    """Everything found under one input path.

    ``files`` and ``skipped`` are sorted by ``path``.  ``ignored`` counts entries passed over
    silently: files of no known language, lock files, entries matched by ``.gitignore``,
    duplicates reached through a symbolic link, and pruned folders (VCS, caches, virtual
    environments, gitignored folders), each pruned folder counting once since it is not walked.
    """

    root: Path
    files: list[SourceFile]
    skipped: list[SkippedFile]
    ignored: int
