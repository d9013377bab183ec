"""Literal values: the fast path for escapes decodes exactly as the codec always does, and
the compiled walk's own fast path (``_cwalk.fast_literal``) gives what ``literal_value``
gives wherever it answers."""

from __future__ import annotations

import contextlib
import warnings

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from codesim import compiled
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


walk = compiled.load(compiled.WALK)
needs_walk = pytest.mark.skipif(walk is None, reason="the compiled walk is not built")
prefixes = st.sampled_from(["", "b", "u", "f", "r", "R", "rb", "Br", "F"])
quotes = st.sampled_from(['"', "'", '"""', "'''"])
number_pieces = st.sampled_from(
    ["0", "1", "7", "9", "_", "x", "X", "o", "O", "b", "B", "e", "E", "a", "F", ".", "+", "-",
     "j", "L", "u", "n"]
)  # fmt: skip


@needs_walk
@settings(max_examples=500)
@given(
    prefixes, quotes, st.lists(pieces | st.sampled_from(["\\r", "\\t", "\\u12", "ő"]), max_size=8)
)
def test_compiled_fast_path_reads_strings_as_python_does(
    prefix: str, quote: str, parts: list[str]
) -> None:
    assert walk is not None
    text = f"{prefix}{quote}{''.join(parts)}{quote}"
    found = walk.fast_literal(text)
    assert found is None or found == literal_value(text)


@needs_walk
@settings(max_examples=500)
@given(st.lists(number_pieces, min_size=1, max_size=20).map("".join))
def test_compiled_fast_path_reads_numbers_as_python_does(text: str) -> None:
    assert walk is not None
    found = walk.fast_literal(text)
    assert found is None or found == literal_value(text)


@needs_walk
def test_compiled_fast_path_answers_the_common_spellings() -> None:
    # Where it answers, the walk does not call back into Python.
    assert walk is not None
    common = ['"a\\n"', "'\\x41\\u00e9'", "b'\\0\\1'", "1.0", "0x00a0", "1_000", "1e5", "0o17"]
    assert [walk.fast_literal(text) for text in common] == [literal_value(t) for t in common]
    with pytest.raises(TypeError):
        walk.fast_literal(b"1")
