"""The language registry: one declarative table per language.

Every module of this package but ``base`` describes one language (or a family sharing a file,
as TypeScript and TSX do) and lists its tables in a module-level ``LANGUAGES`` tuple; the
registry collects them, so adding a language is adding one module.  Tables are registered
whether or not their grammar is installed: files are still told by their extension, and
reported as skipped with the extra to install rather than silently passed over.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping
from functools import cache
from types import MappingProxyType

from codesim.errors import LanguageError
from codesim.languages.base import Language

__all__ = [
    "Language",
    "available_languages",
    "extension_map",
    "get_language",
    "installed_languages",
    "shebang_map",
]


@cache
def _registry() -> dict[str, Language]:
    found: dict[str, Language] = {}
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name == "base":
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for language in module.LANGUAGES:
            if language.id in found:
                raise LanguageError(f"language id {language.id!r} is registered twice")
            found[language.id] = language
    extensions: dict[str, str] = {}
    for language in found.values():
        for extension in language.extensions:
            # One extension, one language: otherwise which one a file is read as would depend
            # on the order the modules are found in.
            owner = extensions.setdefault(extension, language.id)
            if owner != language.id:
                raise LanguageError(
                    f"extension {extension!r} is claimed by {owner!r} and {language.id!r}"
                )
    return dict(sorted(found.items()))


def get_language(language_id: str) -> Language:
    """The language with this id; ``LanguageError`` names the known ids otherwise."""
    languages = _registry()
    try:
        return languages[language_id]
    except KeyError:
        known = ", ".join(languages)
        raise LanguageError(f"unknown language {language_id!r}; known: {known}") from None


def available_languages() -> list[Language]:
    """Every registered language, by id, whether or not its grammar is installed."""
    return list(_registry().values())


def installed_languages() -> list[Language]:
    """The registered languages whose grammar is installed, by id."""
    return [language for language in _registry().values() if language.grammar_installed()]


@cache
def extension_map() -> Mapping[str, str]:
    """File extension (with the dot) -> language id, for source discovery (made once: every
    submission ``cross`` reads asks for it)."""
    return MappingProxyType(
        {ext: lang.id for lang in _registry().values() for ext in lang.extensions}
    )


@cache
def shebang_map() -> Mapping[str, str]:
    """Interpreter name on a ``#!`` line -> language id, for extension-less scripts (made
    once)."""
    return MappingProxyType(
        {name: lang.id for lang in _registry().values() for name in lang.shebangs}
    )
