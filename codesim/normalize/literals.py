"""The value of a literal, as far as spelling goes.

Literal values are evidence (a copy keeps its constants), so two spellings of one value must
compare equal: ``0o40000`` and ``16384``, ``'é'`` and ``"\\u00e9"``.  Decoded by hand: nothing
read from a file is ever evaluated.
"""

from __future__ import annotations

import contextlib
import re
import warnings

_QUOTES = ('"""', "'''", '"', "'")
_PREFIX_LETTERS = "rRbBuUfF"
_MAY_WARN = re.compile(r"\\(?:[^\n\\'\"abfnrtv0-7xNuU]|[4-7][0-7][0-7]|\Z)")
"""An escape the ``unicode_escape`` codec warns about (an unknown escape, an octal escape
above 0o377, a trailing backslash), so that only such texts pay for catching the warning."""


def literal_value(text: str) -> str:
    """The comparable value of a string or number literal's source text."""
    head = text[:1]
    if head == '"' or head == "'":
        prefix = ""
        body = text
    else:
        body = text.lstrip(_PREFIX_LETTERS)
        prefix = text[: len(text) - len(body)]
    for quote in _QUOTES:
        if len(body) >= 2 * len(quote) and body.startswith(quote) and body.endswith(quote):
            inner = body[len(quote) : -len(quote)]
            if "\\" in inner and "r" not in prefix.lower():
                inner = _unescaped(inner)
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


def _unescaped(inner: str) -> str:
    """``inner`` with its backslash escapes decoded as Python decodes them; unchanged if one
    cannot be decoded (a truncated ``\\x``)."""
    with contextlib.suppress(UnicodeDecodeError, UnicodeEncodeError):
        raw = inner.encode("latin-1", "backslashreplace")
        if _MAY_WARN.search(inner) is None:
            return raw.decode("unicode_escape")
        with warnings.catch_warnings():
            # An invalid escape such as "\d" stays as written, as Python keeps it; the
            # codec's DeprecationWarning about it is the file's business, not ours.
            warnings.simplefilter("ignore", DeprecationWarning)
            return raw.decode("unicode_escape")
    return inner
