"""The exception tree of codesim.

::

    CodesimError                 base of everything codesim raises on purpose
    ├── OptionsError (ValueError) a bad option value or combination (CLI exit code 2)
    ├── InputError               a missing path, or one with nothing to compare (exit code 3)
    ├── LanguageError            an unknown language id or a grammar that is not installed
    └── IndexBackendError        a storage backend failed (wraps the backend's own exception)
        ├── IndexFormatError     not a codesim index, a newer format, or corrupt data
        └── IndexBusyError       another process is writing and did not finish in time

Problems with a single file (binary, undecodable, too large, unparseable) are not exceptions:
they are recorded in the report's ``skipped`` list with a ``SkipReason`` and the run goes on.
"""

from __future__ import annotations

from enum import StrEnum


class SkipReason(StrEnum):
    """Why a file found under an input path was not compared (data in the report, not an error)."""

    BINARY = "binary"
    TOO_LARGE = "too_large"
    GENERATED = "generated"
    UNDECODABLE = "undecodable"
    UNREADABLE = "unreadable"
    SYMLINK_OUTSIDE_ROOT = "symlink_outside_root"
    PARSE_ERROR = "parse_error"
    MALFORMED_NOTEBOOK = "malformed_notebook"
    """A ``.ipynb`` file whose code cells cannot be read: not JSON, or not nbformat 3/4."""
    MISSING_GRAMMAR = "missing_grammar"
    """A file of a known language whose tree-sitter grammar is not installed; the detail names
    the ``codesim[...]`` extra that installs it."""
    TIME_BUDGET = "time_budget"
    """Not read: the run's time budget (``Options.time_budget``) had run out."""


class CodesimError(Exception):
    """Base class of every error codesim raises on purpose."""


class OptionsError(CodesimError, ValueError):
    """An option has a bad value or a bad combination; the message names field, rule and value."""


class InputError(CodesimError):
    """An input path is missing, unreadable, or holds nothing codesim can compare."""


class LanguageError(CodesimError):
    """A language id is unknown or its grammar is not installed."""


class IndexBackendError(CodesimError):
    """A storage backend failed; the backend's own exception is the ``__cause__``."""


class IndexFormatError(IndexBackendError):
    """A file, server or record is not a codesim index of a supported format version, or its
    data is corrupt.  Raised before anything is written, so the data is left as it was."""


class IndexMissingError(IndexFormatError):
    """There is no index at that location (and it was opened without creating one)."""


class IndexBusyError(IndexBackendError):
    """Another process holds the index's write lock and did not release it within the timeout."""
