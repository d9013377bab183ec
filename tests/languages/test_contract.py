"""The contract every registered language meets, run on hand-written fixtures.

Each language has a folder ``fixtures/<id>/`` holding three programs written for these tests:

| file         | what it is                                                        | must score |
|--------------|-------------------------------------------------------------------|------------|
| `original`   | a program of 80-150 lines using the language's common constructs   |            |
| `disguised`  | the original with every local name renamed, reformatted, comments  | identical  |
|              | rewritten (what a copier changes for free)                         |            |
| `unrelated`  | another program of similar size doing something else               | < partial  |

Adding a language is its table (``codesim/languages/<id>.py``) and that folder: the tests below
are parametrized over the registry, so they pick it up, and a registered language without
fixtures fails ``test_every_language_has_fixtures``.  A language whose grammar is not
installed is skipped (CI installs every grammar).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import codesim
from codesim.languages import Language, available_languages
from codesim.normalize import normalize
from codesim.options import VERDICT_IDENTICAL, VERDICT_PARTIAL
from codesim.tokens import Role

FIXTURES = Path(__file__).parent / "fixtures"
NAMES = ("original", "disguised", "unrelated")
MIN_TOKENS = 300
"""A fixture shorter than this proves little: most of a real file's constructs must be in it."""


def _param(language: Language) -> object:
    skip = pytest.mark.skipif(not language.grammar_installed(), reason=language.missing_grammar())
    return pytest.param(language, id=language.id, marks=skip)


LANGUAGES = [_param(language) for language in available_languages()]


def fixture(language: Language, name: str) -> Path:
    """The fixture ``name`` of ``language``: ``fixtures/<id>/<name>.<one of its extensions>``."""
    found = [
        path
        for path in (FIXTURES / language.id).glob(f"{name}.*")
        if path.suffix in language.extensions
    ]
    assert len(found) == 1, f"want one {name}.* of {language.extensions} in fixtures/{language.id}"
    return found[0]


@pytest.mark.parametrize("language", available_languages(), ids=lambda lang: lang.id)
def test_every_language_has_fixtures(language: Language) -> None:
    for name in NAMES:
        assert fixture(language, name).stat().st_size > 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_fixtures_parse_without_errors_and_are_substantial(language: Language) -> None:
    for name in NAMES:
        stream = normalize(fixture(language, name).read_bytes(), language)
        assert stream.error_count == 0, f"{name}: syntax errors"
        assert len(stream.symbols) >= MIN_TOKENS, f"{name}: {len(stream.symbols)} tokens"
        assert len(stream.units) >= 4, f"{name}: {[u.name for u in stream.units]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_fixtures_keep_names_from_outside_and_hide_bound_ones(language: Language) -> None:
    # Placeholders stand for the names a copier renames; at least a few names (builtins,
    # imports, library members) must stay as evidence.
    stream = normalize(fixture(language, "original").read_bytes(), language)
    roles = {role.value for role in Role}
    placeholders = [s for s in stream.symbols if s in roles]
    named = [
        s for s, t in zip(stream.symbols, stream.texts, strict=True) if t and s == t and s.isalpha()
    ]
    assert len(placeholders) >= 50
    assert len(set(named)) >= 3, named


@pytest.mark.parametrize("language", LANGUAGES)
def test_renaming_and_reformatting_leave_the_canonical_stream_unchanged(
    language: Language,
) -> None:
    original = normalize(fixture(language, "original").read_bytes(), language)
    disguised = normalize(fixture(language, "disguised").read_bytes(), language)
    assert disguised.symbols == original.symbols
    assert [u.kind for u in disguised.units] == [u.kind for u in original.units]
    # The spelling of the names did change: the fixture really is disguised.
    assert {u.name for u in disguised.units} != {u.name for u in original.units}


@pytest.mark.parametrize("language", LANGUAGES)
def test_disguised_copy_scores_identical_with_its_renames_mapped(language: Language) -> None:
    report = codesim.compare(fixture(language, "original"), fixture(language, "disguised"))
    assert report.score >= VERDICT_IDENTICAL
    assert report.verdict == "identical"
    assert report.languages == [language.id]
    renamed = [m for m in report.identifier_map if m.left != m.right]
    assert len(renamed) >= 5
    assert all(m.consistency == 1.0 for m in renamed)


@pytest.mark.parametrize("language", LANGUAGES)
def test_unrelated_program_scores_below_partial(language: Language) -> None:
    report = codesim.compare(fixture(language, "original"), fixture(language, "unrelated"))
    assert report.score < VERDICT_PARTIAL
    assert report.verdict == "independent"
