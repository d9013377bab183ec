"""Reading a snippet of any registered language, for the per-language tests."""

from __future__ import annotations

import pytest

from codesim.languages import get_language
from codesim.normalize import normalize
from codesim.tokens import TokenStream


def stream_of(language_id: str, source: str) -> TokenStream:
    """``source`` normalized as ``language_id``; the test is skipped without its grammar."""
    language = get_language(language_id)
    if not language.grammar_installed():
        pytest.skip(language.missing_grammar())
    return normalize(source.encode(), language)


def roles_of(stream: TokenStream) -> dict[str, set[str]]:
    """Each name's symbols in the stream (a placeholder role, or the name kept); names may
    hold dashes, as JSX attribute names do."""
    found: dict[str, set[str]] = {}
    for symbol, text in zip(stream.symbols, stream.texts, strict=True):
        if text and text.replace("-", "_").isidentifier():
            found.setdefault(text, set()).add(symbol)
    return found
