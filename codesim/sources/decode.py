"""Turn the bytes of a source file into UTF-8 text, whatever it was saved in, without failing.

The order of guesses: a byte-order mark; a PEP 263 coding cookie; UTF-8; cp1252 (what Windows
editors write when they do not write UTF-8); latin-1, which maps every byte to a character and so
never fails.  A file is never lost to its encoding; the codec used is recorded instead.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

BINARY_SNIFF_BYTES = 8192
"""A NUL byte this early means binary: text encodings other than UTF-16/32 (which announce
themselves with a byte-order mark) never produce one, and ``git diff`` uses the same test."""

# Longest first: the UTF-32-LE mark starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# The regular expression PEP 263 itself gives; it also matches Emacs and Vim mode lines.
_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
# PEP 263: the cookie may sit on line 2 only when line 1 is blank or a comment (a shebang).
_BLANK_OR_COMMENT = re.compile(rb"^[ \t\f]*(?:#|\r|\n|$)")

_FALLBACKS = ("utf-8", "cp1252", "latin-1")

# Reported names follow the words people use, not Python's canonical spelling "iso8859-1".
_DISPLAY_NAMES = {"iso8859-1": "latin-1"}


@dataclass(frozen=True, slots=True)
class Decoded:
    """UTF-8 ``data`` (no byte-order mark, newlines as in the file) and the codec it came from."""

    data: bytes
    encoding: str


def decode_source(raw: bytes) -> Decoded | None:
    """Decode ``raw``; ``None`` when it looks binary (a NUL byte in its first 8 KiB)."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                text = raw.decode(codec)
            except UnicodeError:
                break  # a file that merely starts like a BOM: treat it as unmarked bytes
            return Decoded(_to_utf8(text), codec)
    if b"\0" in raw[:BINARY_SNIFF_BYTES]:
        return None
    if raw.isascii():
        return Decoded(raw, "utf-8")  # the common case needs no decoding at all
    cookie = coding_cookie(raw)
    for codec in (cookie, *_FALLBACKS) if cookie else _FALLBACKS:
        try:
            text = raw.decode(codec)
        except UnicodeError:
            continue
        if codec == "utf-8":
            return Decoded(raw, codec)
        return Decoded(_to_utf8(text), _DISPLAY_NAMES.get(codec, codec))
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def coding_cookie(raw: bytes) -> str | None:
    """The canonical codec name of a PEP 263 cookie on line 1 or 2, if it names a usable codec.

    A cookie naming an unknown codec, a bytes-to-bytes codec (``zlib``, ``hex``) or one that is
    not ASCII-compatible (``utf-16``: the cookie itself would not have been readable) is ignored,
    so the file falls back to the ordinary guesses.
    """
    first, _, rest = raw[:512].partition(b"\n")
    match = _COOKIE.match(first)
    if match is None and _BLANK_OR_COMMENT.match(first):
        match = _COOKIE.match(rest.partition(b"\n")[0])
    if match is None:
        return None
    try:
        info = codecs.lookup(match.group(1).decode("ascii"))
        if not getattr(info, "_is_text_encoding", True):
            return None
        if "# coding: x\n".encode(info.name) != b"# coding: x\n":
            return None
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None
    return info.name


def _to_utf8(text: str) -> bytes:
    # Only a few codecs (utf-7, say) can yield a lone surrogate; "replace" keeps the result
    # valid UTF-8 for tree-sitter where "surrogatepass" would not.
    return text.encode("utf-8", "replace")
