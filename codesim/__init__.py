"""codesim: find source code copied from other projects and disguised.

>>> import codesim
>>> report = codesim.compare("original/", "suspect/")   # doctest: +SKIP
>>> report.verdict, report.score                         # doctest: +SKIP
('derived', 0.97)
"""

from __future__ import annotations

from codesim.api import Index, compare
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
    Fragment,
    Hit,
    IdentifierMapping,
    IndexStats,
    PairResult,
    Project,
    Report,
    Side,
    Skipped,
    Span,
)

__version__ = "0.1.0"

__all__ = [
    "SCHEMA_VERSION",
    "AddResult",
    "CheckReport",
    "CodesimError",
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
    "Report",
    "Side",
    "SkipReason",
    "Skipped",
    "Span",
    "__version__",
    "compare",
    "make_options",
]
