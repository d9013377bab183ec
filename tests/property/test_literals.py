"""Literal values: the fast path for escapes decodes exactly as the codec always does."""

from __future__ import annotations

import contextlib
import warnings

from hypothesis import assume, given
from hypothesis import strategies as st

from codesim.normalize.literals import literal_value

pieces = st.sampled_from(
    ["a", "é", "\\", "\\\\", "\\n", "\\d", "\\x4", "\\x41", "\\777", "\\400", "\\377", "\\0",
     "\\8", "\\u00e9", "\\ud800", "\\U0001F600", "\\N{BULLET}", "\\N{nope}", "\\\n", "'", '"']
)  # fmt: skip


def reference(inner: str) -> str:
    """What a string's escapes decode to: the codec, every warning silenced."""
    with (
        contextlib.suppress(UnicodeDecodeError, UnicodeEncodeError),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", DeprecationWarning)
        return inner.encode("latin-1", "backslashreplace").decode("unicode_escape")
    return inner


@given(st.lists(pieces, max_size=8).map("".join), st.sampled_from(["", "b", "u", "f", "r", "R"]))
def test_escapes_decode_as_the_codec_does(inner: str, prefix: str) -> None:
    text = f'{prefix}"""{inner}"""' if '"' in inner or "\n" in inner else f'{prefix}"{inner}"'
    assume(not text.endswith(('\\"""', '\\"')))  # else the closing quote is escaped
    expected = inner if "r" in prefix.lower() or "\\" not in inner else reference(inner)
    # The suite turns warnings into errors: a warning escaping the fast path would fail here.
    assert literal_value(text) == expected
