"""The compiled walk (``normalize/_cwalk.c``) gives exactly the Python walk's ``Program``.

Both walks run on the same bytes and every field of the two programs is compared as plain
data: the raw tokens' seven lists, the block and statement tree (segments, tuple parts,
open starts), the scopes with their bindings, the units, the syntax errors and the aliases.
Inputs: a deterministic slice of the standard library, every language's fixtures, every
string written in the language tests (as source of every language: snippets of one language
are syntax errors in another, which is a test too), and hostile inputs.
"""

from __future__ import annotations

import ast
import dataclasses
import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Any

import pytest
import tree_sitter

from codesim import compiled
from codesim.languages import Language, available_languages, get_language
from codesim.normalize import _compiled_program, _parse, compiled_walk, ir, normalize
from codesim.normalize.literals import literal_value
from codesim.normalize.tables import by_kind_id, compile_tables
from codesim.normalize.walk import alias_path, first_party_depth, walk

pytestmark = pytest.mark.skipif(
    not compiled_walk.available(),
    reason=f"the compiled walk is not in use: {compiled_walk.unavailable_reason()}",
)

TESTS = Path(__file__).resolve().parents[1]
FIXTURES = TESTS / "languages" / "fixtures"
STDLIB = Path(sysconfig.get_paths()["stdlib"])
STDLIB_STEP = 2
"""Every other file of the sorted standard library (about 900 files): the whole of it takes
minutes, and a slice spread over it meets every construct the whole does."""


def program_data(program: ir.Program) -> dict[str, Any]:
    """Every field of ``program`` as plain data (iteratively: nesting may be deep)."""
    tokens = program.tokens
    tree: list[Any] = []
    stack: list[ir.Block | ir.Statement] = [program.root]
    while stack:
        item = stack.pop()
        if isinstance(item, ir.Block):
            tree.append(("block", len(item.statements)))
            stack.extend(reversed(item.statements))
            continue
        parts = item.parts
        tree.append(
            (
                "statement",
                item.kind,
                item.open_start,
                item.implicit,
                None
                if parts is None
                else (
                    parts.head,
                    [(r.start, r.stop) for r in parts.targets],
                    [(r.start, r.stop) for r in parts.values],
                ),
                [(s.start, s.stop) if isinstance(s, range) else "block" for s in item.segments],
            )
        )
        stack.extend(reversed([s for s in item.segments if isinstance(s, ir.Block)]))
    return {
        "tokens": (
            tokens.symbols,
            tokens.texts,
            tokens.modes,
            tokens.scopes,
            tokens.start_bytes,
            tokens.end_bytes,
            tokens.owners,
        ),
        "tree": tree,
        "scopes": [
            (
                s.kind,
                s.parent,
                s.is_class,
                list(s.binds.items()),
                sorted(s.globals),
                sorted(s.nonlocals),
            )
            for s in program.scopes
        ],
        "units": (program.unit_names, program.unit_kinds, program.unit_parents, program.unit_spans),
        "syntax_errors": program.syntax_errors,
        "aliases": list(program.aliases.items()),
    }


def assert_same_walk(data: bytes, language: Language, package: tuple[str, ...] = ()) -> None:
    tables = compile_tables(language)
    fast = _compiled_program(data, tables, package)
    assert fast is not None, "the compiled walk fell back to the Python walk"
    tree, parsed = _parse(data, tables)
    reference = walk(tree, parsed, tables, package)
    fast_data, reference_data = program_data(fast), program_data(reference)
    for key, value in reference_data.items():
        assert fast_data[key] == value, f"{language.id}: {key} differs"


def installed() -> list[Language]:
    return [language for language in available_languages() if language.grammar_installed()]


def stdlib_files() -> list[Path]:
    files = sorted(p for p in STDLIB.rglob("*.py") if "site-packages" not in p.parts)
    return files[::STDLIB_STEP]


def test_the_standard_library_walks_the_same() -> None:
    python = get_language("python")
    files = stdlib_files()
    assert len(files) > 600
    for path in files:
        assert_same_walk(path.read_bytes(), python, path.relative_to(STDLIB).parent.parts)


@pytest.mark.parametrize("folder", sorted(p.name for p in FIXTURES.iterdir()))
def test_every_fixture_walks_the_same(folder: str) -> None:
    language = get_language(folder)
    if not language.grammar_installed():
        pytest.skip(language.missing_grammar())
    for path in sorted((FIXTURES / folder).iterdir()):
        assert_same_walk(path.read_bytes(), language, ("pkg", folder))


def snippets() -> list[str]:
    """Every string of three lines or more written in the language and normalize tests
    (markdown tables in docstrings included: read as C, ``x------`` is nested increments)."""
    found: set[str] = set()
    paths = [*sorted((TESTS / "languages").glob("test_*.py")), TESTS / "unit" / "test_normalize.py"]
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            text = node.value if isinstance(node, ast.Constant) else None
            if isinstance(text, str) and text.count("\n") >= 2:
                found.add(text)
    return sorted(found)


@pytest.mark.parametrize("language_id", sorted(lang.id for lang in available_languages()))
def test_every_test_snippet_walks_the_same_in_every_language(language_id: str) -> None:
    language = get_language(language_id)
    if not language.grammar_installed():
        pytest.skip(language.missing_grammar())
    texts = snippets()
    assert len(texts) > 100
    for text in texts:
        assert_same_walk(text.encode(), language)
        assert_same_walk(text.encode(), language, ("a", "b"))


def hostile() -> dict[str, bytes]:
    deep = 100_000
    return {
        "empty": b"",
        "parentheses": b"x = " + b"(" * deep + b"1" + b")" * deep + b"\n",
        "brackets": b"x = " + b"[" * deep + b"]" * deep + b";\n",
        "braces": b"int f() " + b"{" * deep + b"}" * deep + b"\n",
        "calls": b"f(" * deep + b")" * deep + b"\n",
        "invalid_utf8": b"def f(\xff\xfe):\n    return '\xc3\x28' + x\xe2\x82\n",
        "nul": b"a = 1\x00\nb = a\x00 + 2\n\x00",
        "errors": b"def f(:\n  return ]]\nclass {\n  x = = 3\nint main( { return; }\n",
        "tabs": (
            b"def f():\n\tx = foo(1,\n\t    2)\n\tif x:\n\t\ty = (x +\n              1)\n"
            b"\t\treturn y\n\treturn x\n"
        ),
        "crlf": b"def f(a):\r\n    b = a + 1\r\n    return b\r\n",
        "huge_string": b'x = "' + b"a" * 1_000_000 + b'"\n',
        "huge_fstring": b'x = f"' + b"{y}" * 50_000 + b'"\n',
        "long_line": b"x = " + b" + ".join(b"a%d" % i for i in range(50_000)) + b"\n",
        "unclosed": b'"""' + b"x\n" * 1000,
        "literals": (
            b'a = ["""x"""", \'\', "", """a", rb"\\d", f\'x{y}\', u"\xc3\xa9", "\\x41", \'\\q\']\n'
            b"b = [0, 00, 007, 1_000, 0x1F, 1e3, 12345678901234567890123, 9" + b"9" * 5000 + b"]\n"
            b'c = ["a" "b", b"\\n" f"{z!r:>{w}}", "%s-%d" % (p, q), "{}{}".format(r, s)]\n'
        ),
    }


@pytest.mark.parametrize("name", sorted(hostile()))
def test_hostile_inputs_walk_the_same_in_every_language(name: str) -> None:
    data = hostile()[name]
    for language in installed():
        assert_same_walk(data, language)


def test_hidden_nodes_nested_deep_are_listed_as_the_cursor_lists_them() -> None:
    # tree-sitter holds a long repetition in hidden nodes nested more than 64 deep (300,000
    # arguments): the compiled walk's own stack of frames grows past its first allocation
    # (16) several times while frames are being listed, and the children still come out as
    # the cursor's.
    assert_same_walk(b"f(" + b"a, " * 300_000 + b")\n", get_language("python"))


def test_the_tabs_file_is_retried_with_spaces_by_both_walks() -> None:
    python = get_language("python")
    data = hostile()["tabs"]
    tables = compile_tables(python)
    assert _parse(data, tables)[1] != data  # the retry is taken
    assert_same_walk(data, python)


STREAM_SCRIPT = """
import json, sys
from pathlib import Path
from codesim.languages import get_language
from codesim.api import compiled_parts
from codesim.normalize import normalize
out = {"walk": compiled_parts(), "streams": []}
for language_id, path in json.loads(sys.argv[1]):
    stream = normalize(Path(path).read_bytes(), get_language(language_id), Path(path).name)
    out["streams"].append(stream.model_dump(mode="json") if hasattr(stream, "model_dump")
                          else [stream.symbols, stream.texts, stream.numbers, stream.scopes,
                                list(stream.start_bytes), list(stream.end_bytes), stream.owners,
                                stream.error_count, stream.error_bytes])
print(json.dumps(out))
"""


def test_normalize_gives_the_same_streams_with_codesim_pure_python() -> None:
    files = [(p.parent.name, str(p)) for p in sorted(FIXTURES.glob("*/*"))]
    files = [(f, p) for f, p in files if get_language(f).grammar_installed()]
    files += [("python", str(p)) for p in stdlib_files()[::10]]
    runs = {}
    for pure in ("1", "0"):
        env = {**os.environ, "CODESIM_PURE_PYTHON": pure}
        done = subprocess.run(
            [sys.executable, "-c", STREAM_SCRIPT, json.dumps(files)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        runs[pure] = json.loads(done.stdout)
    assert runs["1"]["walk"].startswith("pure Python")
    # Every part by its module's name, the walk first ("compiled: walk, resolve, ...").
    names = ["walk", *(part.rpartition("._")[2] for part in compiled.PARTS[1:])]
    assert runs["0"]["walk"] == "compiled: " + ", ".join(names)
    assert runs["1"]["streams"] == runs["0"]["streams"]
    assert len(runs["0"]["streams"]) == len(files)


def test_normalize_in_process_uses_the_compiled_walk() -> None:
    stream = normalize(b"def f(a):\n    return a\n", get_language("python"))
    assert stream.symbols[:3] == ["function_definition", "FUNC", "PARAM"]


def test_the_tables_hold_a_slot_per_kind_and_one_for_error_nodes() -> None:
    # The compiled walk reads the compact tuples; the Python walk indexes them spread over
    # the whole id space by node.kind_id, error nodes (0xFFFF) included.
    python = get_language("python")
    tables = compile_tables(python)
    kinds = tree_sitter.Language(tables.grammar_pointer).node_kind_count
    assert len(tables.action) == len(tables.symbol) == len(tables.braceless_body) == kinds + 1
    assert tables.symbol[kinds] == "ERROR"
    spread = by_kind_id(tables)
    assert spread is by_kind_id(tables)
    tree = tree_sitter.Parser(tables.parser_language).parse(b"x = = 1\n")
    nodes = [tree.root_node]
    while nodes[-1].type != "ERROR":
        node = nodes.pop()
        nodes.extend(node.children)
    error = nodes[-1]
    assert spread.symbol[error.kind_id] == "ERROR" and len(spread.symbol) == 0x10000
    assert spread.action[:kinds] == tables.action[:kinds]
    assert spread.action[kinds:0xFFFF] == (0,) * (0xFFFF - kinds)
    assert spread.braceless_body[kinds:0xFFFF] == (None,) * (0xFFFF - kinds)


def test_the_walker_refuses_tables_not_made_for_its_grammar() -> None:
    assert compiled_walk._extension is not None
    tables = compile_tables(get_language("python"))
    short = dataclasses.replace(tables, symbol=tables.symbol[:-1])
    with pytest.raises(TypeError, match=r"tables\.symbol is not a tuple of"):
        compiled_walk._extension.Walker(
            tables.grammar_pointer,
            short,
            literal_value,
            first_party_depth,
            alias_path,
            (ir.Block, ir.Statement, ir.Scope, ir.TupleParts, ir.RawTokens, ir.Program),
        )


def test_a_statement_or_scope_class_that_does_more_than_store_its_fields_is_called() -> None:
    # The walk makes statements, blocks and scopes without calling their classes only when
    # their __init__ just stores the fields (a plain dataclass); any other class is called.
    made: list[object] = []

    @dataclasses.dataclass(slots=True)
    class Counted(ir.Statement):
        def __post_init__(self) -> None:
            made.append(self)

    @dataclasses.dataclass(slots=True)
    class CountedScope(ir.Scope):
        def __post_init__(self) -> None:
            made.append(self)

    assert compiled_walk._extension is not None
    tables = compile_tables(get_language("python"))
    plain = compiled_walk.walker(tables)
    assert plain is not None
    counting = compiled_walk._extension.Walker(
        tables.grammar_pointer,
        tables,
        literal_value,
        first_party_depth,
        alias_path,
        (ir.Block, Counted, CountedScope, ir.TupleParts, ir.RawTokens, ir.Program),
    )
    data = Path(json.__file__).read_bytes()
    expected = compiled_walk.walk(plain, plain.parse(data), ())
    counted = compiled_walk.walk(counting, counting.parse(data), ())
    assert expected is not None and counted is not None
    assert program_data(counted) == program_data(expected)
    statements = [s for s in program_data(expected)["tree"] if s[0] == "statement"]
    scopes = [s for s in made if type(s) is CountedScope]
    assert len(made) - len(scopes) == len(statements) > 10
    assert all(type(s) in (Counted, CountedScope) for s in made)
    assert scopes == counted.scopes and len(scopes) > 5
    assert all(type(s) is ir.Scope for s in expected.scopes)


def test_the_walk_is_not_used_with_another_tree_sitter_than_it_was_built_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its runtime must be the one py-tree-sitter parses with: another installed version
    # leaves the Python walk in use, and says why.
    monkeypatch.setattr(tree_sitter, "__version__", "0.0.1")
    assert compiled_walk._extension is not None
    built = compiled_walk._extension.TREE_SITTER
    loaded, reason = compiled_walk._load_walk()
    assert loaded is None
    assert reason == f"the compiled walk is built for tree-sitter {built}, 0.0.1 is installed"
