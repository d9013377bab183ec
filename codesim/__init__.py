"""codesim: find source code copied from other projects and disguised.

>>> import codesim
>>> report = codesim.compare("original/", "suspect/")   # doctest: +SKIP
>>> report.verdict, report.score                         # doctest: +SKIP
('derived', 0.97)
"""

from __future__ import annotations

import typing as _typing
from importlib import import_module as _import_module

if _typing.TYPE_CHECKING:
    from codesim.api import Index, compare, cross
    from codesim.errors import (
        CodesimError,
        IndexBackendError,
        IndexBusyError,
        IndexFormatError,
        IndexMissingError,
        InputError,
        LanguageError,
        OptionsError,
        SkipReason,
    )
    from codesim.options import Options, make_options
    from codesim.results import (
        SCHEMA_VERSION,
        AddResult,
        CheckReport,
        Cluster,
        CrossPair,
        CrossReport,
        Fragment,
        Hit,
        IdentifierMapping,
        IndexStats,
        PairResult,
        Project,
        RepoAlignment,
        Report,
        SharedCode,
        Side,
        Skipped,
        Span,
        Submission,
    )

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "AddResult",
    "CheckReport",
    "Cluster",
    "CodesimError",
    "CrossPair",
    "CrossReport",
    "Fragment",
    "Hit",
    "IdentifierMapping",
    "Index",
    "IndexBackendError",
    "IndexBusyError",
    "IndexFormatError",
    "IndexMissingError",
    "IndexStats",
    "InputError",
    "LanguageError",
    "Options",
    "OptionsError",
    "PairResult",
    "Project",
    "RepoAlignment",
    "Report",
    "SharedCode",
    "Side",
    "SkipReason",
    "Skipped",
    "Span",
    "Submission",
    "__version__",
    "compare",
    "cross",
    "make_options",
]

_EXPORTS = {
    "Index": "codesim.api",
    "compare": "codesim.api",
    "cross": "codesim.api",
    "CodesimError": "codesim.errors",
    "IndexBackendError": "codesim.errors",
    "IndexBusyError": "codesim.errors",
    "IndexFormatError": "codesim.errors",
    "IndexMissingError": "codesim.errors",
    "InputError": "codesim.errors",
    "LanguageError": "codesim.errors",
    "OptionsError": "codesim.errors",
    "SkipReason": "codesim.errors",
    "Options": "codesim.options",
    "make_options": "codesim.options",
    "SCHEMA_VERSION": "codesim.results",
    "AddResult": "codesim.results",
    "CheckReport": "codesim.results",
    "Cluster": "codesim.results",
    "CrossPair": "codesim.results",
    "CrossReport": "codesim.results",
    "Fragment": "codesim.results",
    "Hit": "codesim.results",
    "IdentifierMapping": "codesim.results",
    "IndexStats": "codesim.results",
    "PairResult": "codesim.results",
    "Project": "codesim.results",
    "RepoAlignment": "codesim.results",
    "Report": "codesim.results",
    "SharedCode": "codesim.results",
    "Side": "codesim.results",
    "Skipped": "codesim.results",
    "Span": "codesim.results",
    "Submission": "codesim.results",
}
"""Where each public name lives: imported on first use (PEP 562), so that ``import codesim``
and the command line's start do not pay for what they do not touch, and the command line can
import the rest its own way (``codesim.cli``)."""


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'codesim' has no attribute {name!r}")
    value = getattr(_import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
