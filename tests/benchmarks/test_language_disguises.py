"""The token-stream disguises of the accuracy benchmark's language section do what they claim.

Run on the contract tests' own programs (``tests/languages/fixtures``), so no download is
needed: every disguise parses without errors, changes the text, and changes only what its
category says.
"""

from __future__ import annotations

import importlib.util
import random
import re
from collections import Counter

import pytest

from benchmarks.accuracy import languages
from benchmarks.accuracy.languages import SPECS, Spec

SPEC_PARAMS = [
    pytest.param(
        spec,
        id=spec.id,
        marks=pytest.mark.skipif(
            importlib.util.find_spec(spec.grammar) is None, reason=f"{spec.grammar} missing"
        ),
    )
    for spec in SPECS.values()
]


def _original(spec: Spec) -> str:
    return (languages.FIXTURES / spec.id / f"original{spec.extension}").read_text()


def _code_lines(text: str) -> Counter[str]:
    return Counter(" ".join(line.split()) for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("spec", SPEC_PARAMS)
@pytest.mark.parametrize("category", [c for c in languages.CATEGORIES if c != "partial"])
def test_every_disguise_parses_cleanly_and_changes_the_text(spec: Spec, category: str) -> None:
    parser = languages._parser(spec)
    text = _original(spec)
    disguised = languages.disguise(spec, parser, text, category, random.Random(7))
    if disguised is None and category == "restructure":
        # It needs two places to rewrite; Rust's fixture has one (``count += 1``).
        assert (
            len(languages.restructure_sites(spec, text.encode(), parser.parse(text.encode()))) < 2
        )
        pytest.skip("fewer than two places to restructure")
    assert disguised is not None
    assert disguised != text
    assert not parser.parse(disguised.encode()).root_node.has_error


@pytest.mark.parametrize("spec", SPEC_PARAMS)
def test_rename_replaces_every_defined_name_and_keeps_the_rest(spec: Spec) -> None:
    parser = languages._parser(spec)
    text = _original(spec)
    tree = parser.parse(text.encode())
    found = languages.atoms(tree, text.encode())
    defined = languages.defined_names(spec, found)
    assert len(defined) >= 10
    renamed = languages.rename(spec, text, tree, random.Random(3))
    names_after = {
        a.text
        for a in languages.atoms(parser.parse(renamed.encode()), renamed.encode())
        if a.kind in spec.names
    }
    assert not defined & names_after
    # Names the file only uses (library calls, builtin types) are still there.
    used_only = {a.text for a in found if a.kind in spec.names} - defined
    assert used_only and used_only <= names_after


@pytest.mark.parametrize("spec", SPEC_PARAMS)
def test_reorder_moves_whole_definitions(spec: Spec) -> None:
    parser = languages._parser(spec)
    text = _original(spec)
    reordered = languages.reorder(spec, text, parser.parse(text.encode()), random.Random(5))
    assert reordered != text
    before, after = _code_lines(text), _code_lines(reordered)
    # Every line survives; C and C++ may add one prototype line per moved function.
    assert not before - after
    assert all(line.endswith(";") for line in after - before)


@pytest.mark.parametrize("spec", SPEC_PARAMS)
def test_comment_disguise_leaves_no_original_comment(spec: Spec) -> None:
    parser = languages._parser(spec)
    text = _original(spec)

    def comments(source: str) -> set[str]:
        tree = parser.parse(source.encode())
        return {a.text for a in languages.atoms(tree, source.encode()) if "comment" in a.kind}

    rewritten = languages.comments(spec, text, parser.parse(text.encode()), random.Random(11))
    assert comments(text)
    assert not comments(text) & comments(rewritten)
    code = re.compile(r"//.*|/\*.*?\*/", re.S)
    assert _code_lines(code.sub("", rewritten)) - _code_lines(code.sub("", text)) == Counter()


@pytest.mark.parametrize("spec", SPEC_PARAMS)
def test_dead_code_only_adds_statements(spec: Spec) -> None:
    parser = languages._parser(spec)
    text = _original(spec)
    padded = languages.deadcode(spec, text, parser.parse(text.encode()), random.Random(2))
    before, after = _code_lines(text), _code_lines(padded)
    assert not before - after
    added = after - before
    assert added
    assert all(re.search(r"\b(if|let|int|var)\b", line) for line in added)


@pytest.mark.parametrize(
    ("language_id", "before", "after"),
    [
        ("c", "void f(int i) { i++; }", "void f(int i) { i += 1; }"),
        ("c", "void f(int x) { x = x + 2; }", "void f(int x) { x += 2; }"),
        ("c", "void f(int x) { if (x) { x = 1; } }", "void f(int x) { if (x) x = 1; }"),
        ("java", "class A { void f(int i) { while (i > 0) i--; } }", None),
        ("go", "package m\nfunc f(x int) { x -= 3 }", "package m\nfunc f(x int) { x = x - 3 }"),
        ("rust", "fn f(mut x: i32) { x *= y + 1; }", "fn f(mut x: i32) { x = x * (y + 1); }"),
    ],
)
def test_restructure_sites_rewrite_to_the_form_that_means_the_same(
    language_id: str, before: str, after: str | None
) -> None:
    spec = SPECS[language_id]
    if importlib.util.find_spec(spec.grammar) is None:
        pytest.skip(f"{spec.grammar} missing")
    parser = languages._parser(spec)
    data = before.encode()
    sites = languages.restructure_sites(spec, data, parser.parse(data))
    rewritten = {languages._rebuild(data, [site]) for site in sites}
    if after is None:
        # A braceless loop body gets braces, and its decrement becomes ``-= 1``.
        assert "class A { void f(int i) { while (i > 0) { i--; } } }" in rewritten
        assert "class A { void f(int i) { while (i > 0) i -= 1; } }" in rewritten
    else:
        assert after in rewritten


@pytest.mark.parametrize("spec", SPEC_PARAMS)
def test_partial_pastes_some_definitions_into_another_program(spec: Spec) -> None:
    parser = languages._parser(spec)
    text = _original(spec)
    host = (languages.FIXTURES / spec.id / f"unrelated{spec.extension}").read_text()
    pasted = languages.paste(spec, parser, text, host, random.Random(4))
    assert pasted is not None
    assert not parser.parse(pasted.encode()).root_node.has_error
    added = len(pasted.splitlines()) - len(host.splitlines())
    # 20-60% of the original's lines (the last definition may overshoot), and no more.
    assert 0.15 * len(text.splitlines()) <= added <= len(text.splitlines())
