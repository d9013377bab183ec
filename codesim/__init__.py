"""codesim: find source code copied from other projects and disguised.

>>> import codesim
>>> report = codesim.compare("original/", "suspect/")   # doctest: +SKIP
>>> report.verdict, report.score                         # doctest: +SKIP
('derived', 0.97)
"""

from __future__ import annotations

import gc as _gc

# Importing codesim builds many long-lived objects (pydantic's schemas, numpy, the grammars)
# and no garbage: with the cycle collector paused meanwhile, its passes over them no longer
# cost a twentieth of it (25 ms of every CLI run).
_collecting = _gc.isenabled()
_gc.disable()
try:
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
finally:
    if _collecting:
        _gc.enable()

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
