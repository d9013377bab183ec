"""The language registry: one declarative table per language."""

from __future__ import annotations

from codesim.errors import LanguageError
from codesim.languages.base import Language
from codesim.languages.python import PYTHON

__all__ = ["Language", "available_languages", "extension_map", "get_language", "shebang_map"]

_LANGUAGES: dict[str, Language] = {language.id: language for language in (PYTHON,)}


def get_language(language_id: str) -> Language:
    """The language with this id; ``LanguageError`` names the known ids otherwise."""
    try:
        return _LANGUAGES[language_id]
    except KeyError:
        known = ", ".join(sorted(_LANGUAGES))
        raise LanguageError(f"unknown language {language_id!r}; known: {known}") from None


def available_languages() -> list[Language]:
    """Every registered language, by id."""
    return [_LANGUAGES[key] for key in sorted(_LANGUAGES)]


def extension_map() -> dict[str, str]:
    """File extension (with the dot) -> language id, for source discovery."""
    return {ext: lang.id for lang in _LANGUAGES.values() for ext in lang.extensions}


def shebang_map() -> dict[str, str]:
    """Interpreter name on a ``#!`` line -> language id, for extension-less scripts."""
    return {name: lang.id for lang in _LANGUAGES.values() for name in lang.shebangs}
