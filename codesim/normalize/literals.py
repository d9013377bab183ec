"""The value of a literal, as far as spelling goes.

Literal values are evidence (a copy keeps its constants), so two spellings of one value must
compare equal: ``0o40000`` and ``16384``, ``'é'`` and ``"\\u00e9"``.  Decoded by hand: nothing
read from a file is ever evaluated.
"""

from __future__ import annotations

import contextlib
import warnings


def literal_value(text: str) -> str:
    """The comparable value of a string or number literal's source text."""
    prefix = text[: len(text) - len(text.lstrip("rRbBuUfF"))]
    body = text[len(prefix) :]
    for quote in ('"""', "'''", '"', "'"):
        if len(body) >= 2 * len(quote) and body.startswith(quote) and body.endswith(quote):
            inner = body[len(quote) : -len(quote)]
            if "\\" in inner and "r" not in prefix.lower():
                with (
                    contextlib.suppress(UnicodeDecodeError, UnicodeEncodeError),
                    warnings.catch_warnings(),
                ):
                    # An invalid escape such as "\d" stays as written, as Python keeps it; the
                    # codec's DeprecationWarning about it is the file's business, not ours.
                    warnings.simplefilter("ignore", DeprecationWarning)
                    inner = inner.encode("latin-1", "backslashreplace").decode("unicode_escape")
            return inner
    number = text.replace("_", "").lower()
    try:
        return str(int(number, 0))
    except ValueError:
        pass
    try:
        return repr(float(number))
    except ValueError:
        return text
