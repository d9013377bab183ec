"""The language registry and what the pipeline does with languages: files pair only within
their language, and a missing grammar is reported with the extra to install, never lost."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

import codesim
import codesim.languages
from codesim.errors import LanguageError, SkipReason
from codesim.languages import Language, available_languages, extension_map, get_language

FIXTURES = Path(__file__).parent / "fixtures"


def test_every_extension_belongs_to_one_language() -> None:
    owners: dict[str, str] = {}
    for language in available_languages():
        for extension in language.extensions:
            assert owners.setdefault(extension, language.id) == language.id
    assert extension_map() == owners


def test_languages_are_registered_with_an_extra_naming_their_grammar() -> None:
    ids = {language.id for language in available_languages()}
    assert {"python", "javascript", "java"} <= ids
    for language in available_languages():
        if language.id != "python":
            assert language.extra, f"{language.id} needs an extra to install its grammar"
            assert f"codesim[{language.extra}]" in language.missing_grammar()


def _without_grammar(monkeypatch: pytest.MonkeyPatch, language_id: str) -> Language:
    """Make ``language_id``'s grammar look uninstalled (its module does not exist)."""
    registry = dict(codesim.languages._registry())
    missing = dataclasses.replace(
        registry[language_id], grammar_module="tree_sitter_codesim_not_installed"
    )
    registry[language_id] = missing
    monkeypatch.setattr(codesim.languages, "_registry", lambda: registry)
    return missing


def test_a_missing_grammar_names_the_extra_when_loaded(monkeypatch: pytest.MonkeyPatch) -> None:
    language = _without_grammar(monkeypatch, "java")
    assert not language.grammar_installed()
    with pytest.raises(LanguageError, match=r"pip install 'codesim\[java\]'"):
        language.grammar()


def test_a_folder_records_files_of_a_missing_grammar_as_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for side in ("left", "right"):
        (tmp_path / side).mkdir()
        shutil.copy(FIXTURES / "python" / "original.py", tmp_path / side / "ledger.py")
        shutil.copy(FIXTURES / "java" / "original.java", tmp_path / side / "Router.java")
    _without_grammar(monkeypatch, "java")
    report = codesim.compare(tmp_path / "left", tmp_path / "right", align=False)
    skipped = {(s.side, s.path): s for s in report.skipped}
    assert set(skipped) == {("left", "Router.java"), ("right", "Router.java")}
    assert all(s.reason == SkipReason.MISSING_GRAMMAR for s in skipped.values())
    assert "codesim[java]" in skipped["left", "Router.java"].detail
    assert report.languages == ["python"]
    assert report.left.languages == {"python": 1}
    assert report.score == 1.0


def test_a_single_file_of_a_missing_grammar_is_an_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _without_grammar(monkeypatch, "java")
    original = FIXTURES / "java" / "original.java"
    with pytest.raises(LanguageError, match=r"codesim\[java\]"):
        codesim.compare(original, FIXTURES / "java" / "disguised.java")


@pytest.mark.skipif(
    not all(get_language(i).grammar_installed() for i in ("javascript", "java")),
    reason="needs the JavaScript and Java grammars",
)
def test_mixed_repos_compare_each_language_with_itself(tmp_path: Path) -> None:
    # | left             | right            | pairs          |
    # | ledger.py        | stock.py (copy)  | python only    |
    # | queue.js         | backlog.js (copy)| javascript only|
    # | Router.java      | (none)           | nothing: warned|
    left, right = tmp_path / "left", tmp_path / "right"
    left.mkdir()
    right.mkdir()
    shutil.copy(FIXTURES / "python" / "original.py", left / "ledger.py")
    shutil.copy(FIXTURES / "python" / "disguised.py", right / "stock.py")
    shutil.copy(FIXTURES / "javascript" / "original.js", left / "queue.js")
    shutil.copy(FIXTURES / "javascript" / "disguised.js", right / "backlog.js")
    shutil.copy(FIXTURES / "java" / "original.java", left / "Router.java")
    report = codesim.compare(left, right, align=False)
    assert {(p.left, p.right) for p in report.pairs} == {
        ("ledger.py", "stock.py"),
        ("queue.js", "backlog.js"),
    }
    assert report.languages == ["javascript", "python"]
    assert report.left.languages == {"java": 1, "javascript": 1, "python": 1}
    assert any("Java file not compared" in warning for warning in report.warnings)
