"""The normalizer's compiled parts give exactly what the pure-Python code gives.

The Python code is the specification: every file here is normalized with the compiled parts
and again with all of them switched off (``compiled.python_only``), and the two token streams
must be equal, field by field.  The files are a fixed sample of this Python's standard
library, every language's fixtures and inputs chosen to reach the edges (deep nesting, lone
surrogates, long blocks, every shape the canonicalization passes rewrite, in every
language).
"""

from __future__ import annotations

import dataclasses
import shlex
import shutil
import sysconfig
from array import array
from pathlib import Path

import pytest

from codesim import compiled
from codesim.languages import get_language
from codesim.normalize import ir, normalize, passes
from codesim.tokens import TokenStream

FIXTURES = Path(__file__).resolve().parents[1] / "languages" / "fixtures"
EXTENSIONS = {
    ".py": "python",
    ".js": "javascript",
    ".ts": "typescript",
    ".tsx": "tsx",
    ".java": "java",
    ".c": "c",
    ".cpp": "cpp",
    ".go": "go",
    ".rs": "rust",
}
ORDER = compiled.load(compiled.ORDER)


def _has_compiler() -> bool:
    command = shlex.split(sysconfig.get_config_var("CC") or "cc")
    return bool(command) and shutil.which(command[0]) is not None


def _stdlib_sample() -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    return files[::6]


def _both(data: bytes, language_id: str) -> list[TokenStream]:
    language = get_language(language_id)
    if not language.grammar_installed():
        pytest.skip(language.missing_grammar())
    found = [normalize(data, language)]
    with compiled.python_only():
        found.append(normalize(data, language))
    return found


@pytest.mark.parametrize("module", compiled.PARTS)
def test_compiled_where_a_compiler_is(module: str) -> None:
    if compiled.PURE_PYTHON:
        pytest.skip("CODESIM_PURE_PYTHON is set")
    if not _has_compiler():
        pytest.skip("no C compiler here: the pure-Python code runs")
    assert compiled.load(module) is not None, f"{module} is not built: pip install -e ."


needs_parts = pytest.mark.skipif(
    any(compiled.load(part) is None for part in compiled.PARTS),
    reason="the compiled parts are not built",
)


@needs_parts
def test_standard_library_orders_alike() -> None:
    files = _stdlib_sample()
    assert len(files) > 200
    for path in files:
        compiled_stream, python_stream = _both(path.read_bytes(), "python")
        assert compiled_stream == python_stream, path


@needs_parts
@pytest.mark.parametrize(
    "path", sorted(p for p in FIXTURES.rglob("*") if p.suffix in EXTENSIONS), ids=str
)
def test_language_fixtures_order_alike(path: Path) -> None:
    compiled_stream, python_stream = _both(path.read_bytes(), EXTENSIONS[path.suffix])
    assert compiled_stream == python_stream


def _else_ifs(depth: int) -> str:
    """``if``/``else: if`` nested ``depth`` deep: flatten_else_if splices every level."""
    lines = []
    for level in range(depth):
        pad = "    " * (2 * level)
        lines += [f"{pad}if c{level}:", f"{pad}    x = {level}", f"{pad}else:"]
    lines.append("    " * (2 * depth) + "x = -1")
    return "\n".join(lines) + "\n"


_PASSES_IN_PYTHON = """\
def f(a, b=1, *rest):
    a, b = b, a
    x, y = 1, 2
    p.x, p.y = y, x
    c, d = e, c
    m, m = 1, 2
    f(a, b=2)
    if x:
        pass
    else:
        if y:
            z = 1
        else:
            if w:
                q = 2
    if False:
        g()
    while 0:
        g()
    if  0 :
        h()
    if None:
        h()
    else:
        k()
    unused = 1 + 2
    other = -x
    table = [1, 2]
    called = f(1)
    if c:
        x = 1
    else:
        x = 2
    if c:
        p.x = 1
    else:
        p.y = 2
    i = 0
    while i < n:
        s += i
        i += 1
    j = 2
    while j < n:
        t(j)
        j = j + 3
    k = 0
    while k < n:
        if k:
            continue
        k += 1
    out = []
    for t in it:
        out.append(t * 2)
    seen = set()
    for t in it:
        if t:
            seen.add(t)
    d = {}
    for k in it:
        d[k] = k + 1
    counts = dict()
    for k, v in it:
        counts[k] = counts.get(k, 0) + v
    if c:
        return a
    return b
    after = 1


def g(c):
    if c:
        return 1
    else:
        return 2
    raise E
"""


def _deeply_nested(depth: int) -> str:
    lines = []
    for level in range(depth):
        pad = "    " * level
        lines += [f"{pad}a{level} = b + {level}", f"{pad}c = a{level}", f"{pad}if c:"]
    lines.append("    " * depth + "pass")
    return "\n".join(lines) + "\n"


EDGES = {
    "deep nesting": _deeply_nested(90),
    "lone surrogate in a literal": 'x = "\\ud800"\ny = "\\udfff" + x\nz = 1\n',
    "long block": "".join(f"v{i} = {i}\n" for i in range(450)),
    "block at the reorder limit": "".join(f"v{i} = {i % 7}\n" for i in range(400)),
    "shuffled definitions": "def b():\n    return 2\ndef a():\n    return 1\nclass C:\n    pass\n",
    "calls for effect": "f(1)\ng(2)\nx = 3\nf(x)\nh()\n",
    "barriers": "def f():\n    x = 1\n    yield x\n    y = 2\n    return y\n",
    "syntax error": "def f(:\n    x = = 2\n  y = 3\nz = 4\n",
    "non-ascii names and values": "données = 'é'\nπ = 3.14\nrésultat = données * 2\n",
    "empty": "",
    "every pass's shapes": _PASSES_IN_PYTHON,
    "every pass's shapes in a syntax error": _PASSES_IN_PYTHON.replace("out = []", "out = [("),
    "else-if chain 300 deep": _else_ifs(300),
}

_FUNCTION_BODY = {
    "c": "int f(int a, int b) {\n%s\n}\n",
    "cpp": "int f(int a, int b) {\n%s\n}\n",
    "go": "package p\nfunc f(a int, b int) int {\n%s\n}\n",
    "java": "class K { int f(int a, int b) {\n%s\n} }\n",
    "javascript": "function f(a, b) {\n%s\n}\nfunction h() {}\n",
    "typescript": "function f(a: number, b: number) {\n%s\n}\nfunction h() {}\n",
    "tsx": "function f(a, b) {\n%s\n}\nfunction h() {}\n",
    "rust": "fn f(a: i32, b: i32) -> i32 {\n%s\n}\n",
}
_BRACES = """\
int x = 1;
int y;
int unused = 1 + 2;
if (c) x = 1; else x = 2;
if (c) { return a; } else { return b; }
if (a) { } else if (b) { x = 1; } else { y = 2; }
if (0) { f(); }
while (0) g();
i = 0;
while (i < n) { s += i; i++; }
{ { { z = 1; } } }
if (c) return a;
return b;
x = 2;
"""
_BRACELESS = """\
x := 1
var unused int = 2
if c { x = 1 } else { x = 2 }
if c { return a } else { return b }
if a { } else if b { x = 1 }
if false { f() }
a, b = b, a
i := 0
for i < n { s += i; i++ }
if c { return a }
return b
x = 2
"""
_PASS_SHAPES = {
    "c": _BRACES,
    "cpp": _BRACES + "auto q = 1;\nfor (auto t : it) { v.push_back(t); }\n",
    "go": _BRACELESS,
    "java": _BRACES.replace("{ { { z = 1; } } }", "throw new E();"),
    "javascript": _BRACES.replace("int ", "let ") + "const out = [];\nvar late = 1;\n",
    "typescript": _BRACES.replace("int ", "let ") + "let t: number = 1;\n",
    "tsx": _BRACES.replace("int ", "var "),
    "rust": """\
let x = 1;
let unused = 1 + 2;
if c { x = 1; } else { x = 2; }
if c { return a; } else { return b; }
if a { } else if b { x = 1; }
if false { f(); }
let (p, q) = (b, a);
let mut i = 0;
while i < n { s += i; i += 1; }
if c { return a; }
return b;
x = 2;
""",
}


@needs_parts
@pytest.mark.parametrize("source", list(EDGES.values()), ids=list(EDGES))
def test_edge_cases_order_alike(source: str) -> None:
    compiled_stream, python_stream = _both(source.encode(), "python")
    assert compiled_stream == python_stream


@needs_parts
@pytest.mark.parametrize("language_id", sorted(_PASS_SHAPES))
def test_every_languages_pass_shapes_alike(language_id: str) -> None:
    body = _PASS_SHAPES[language_id]
    source = _FUNCTION_BODY[language_id] % body
    for variant in (source, source[: len(source) // 2], source + body):
        compiled_stream, python_stream = _both(variant.encode(), language_id)
        assert compiled_stream == python_stream


@needs_parts
def test_blocks_opening_statements_deeply_nested_alike() -> None:
    # C blocks inside blocks: statements whose first segment is a block, 3,000 deep.
    source = "void f() {" + "{" * 3000 + "x = 1; if (0) { y = 2; }" + "}" * 3000 + "}\n"
    compiled_stream, python_stream = _both(source.encode(), "c")
    assert compiled_stream == python_stream


@needs_parts
def test_bad_arguments_are_refused_not_crashed() -> None:
    assert ORDER is not None
    sets = (frozenset[str](), frozenset[str](), (2,), (1,))
    with pytest.raises(ValueError, match="differ in length"):
        ORDER.order_blocks([], ["x"], {}, [0], [], [1], *sets, b"\x00")
    with pytest.raises(ValueError, match="dropped holds"):
        ORDER.order_blocks([], ["x"], {}, [0], ["x"], [1], *sets, b"")
    with pytest.raises(ValueError, match="out of range"):
        ORDER.order_blocks([], ["x"], {5: "LOCAL"}, [0], ["x"], [1], *sets, b"\x00")
    with pytest.raises(ValueError, match="out of range"):
        ORDER.order_blocks([], ["x"], {}, [0], ["x"], [999], *sets, b"\x00")


@needs_parts
def test_bad_stream_arguments_are_refused_not_crashed() -> None:
    from codesim.normalize.ir import Block, Statement

    stream = compiled.load(compiled.CANONICAL)
    assert stream is not None
    root = Block([Statement("expression_statement", segments=[range(1)])])
    lists = (["x"], [-2], ["x"], [0], array("q", [0]), array("q", [1]))
    with pytest.raises(ValueError, match="differ in length"):
        stream.canonical_stream(
            root, Statement, b"\x00", ["x"], [], ["x"], [0], array("q", [0]), array("q", [1]), 1
        )
    with pytest.raises(TypeError, match="64-bit integers"):
        stream.canonical_stream(root, Statement, b"\x00", *lists[:4], [0], [1], 1)
    narrow = array("i", [0])
    with pytest.raises(TypeError, match="64-bit integers"):
        stream.canonical_stream(root, Statement, b"\x00", *lists[:4], narrow, narrow, 1)
    with pytest.raises(ValueError, match="dropped holds"):
        stream.canonical_stream(root, Statement, b"", *lists, 1)
    with pytest.raises(ValueError, match="out of range"):
        stream.canonical_stream(root, Statement, b"\x00", *lists, 0)
    outside = Block([Statement("expression_statement", segments=[range(5)])])
    with pytest.raises(ValueError, match="outside the tokens"):
        stream.canonical_stream(outside, Statement, b"\x00", *lists, 1)


@needs_parts
def test_units_are_made_as_their_class_makes_them() -> None:
    import dataclasses

    from codesim.normalize import _UNIT_KINDS
    from codesim.tokens import Unit

    stream = compiled.load(compiled.CANONICAL)
    assert stream is not None
    lists = (["<module>", "f"], ["module", "function"], [-1, 0], [(0, 9), (2, 9)], [1, 3])
    made = stream.make_units(Unit, _UNIT_KINDS, *lists)
    expected = [
        Unit("<module>", _UNIT_KINDS["module"], -1, 0, 9, 1),
        Unit("f", _UNIT_KINDS["function"], 0, 2, 9, 3),
    ]
    assert made == expected and all(type(unit) is Unit for unit in made)
    # A class whose __init__ does more than store its fields is called.
    called: list[object] = []

    @dataclasses.dataclass(frozen=True, slots=True)
    class Counted(Unit):
        def __post_init__(self) -> None:
            called.append(self)

    counted = stream.make_units(Counted, _UNIT_KINDS, *lists)
    assert called == counted and [type(unit) for unit in counted] == [Counted, Counted]
    assert stream.make_units(Unit, _UNIT_KINDS, *lists) == expected
    with pytest.raises(ValueError, match="differ in length"):
        stream.make_units(Unit, _UNIT_KINDS, *lists[:4], [1])
    with pytest.raises(KeyError, match="method"):
        stream.make_units(Unit, _UNIT_KINDS, ["m"], ["method"], [-1], [(0, 1)], [0])
    with pytest.raises(TypeError, match="span"):
        stream.make_units(Unit, _UNIT_KINDS, ["m"], ["module"], [-1], [(0, 1, 2)], [0])


@needs_parts
def test_bad_resolve_arguments_are_refused_not_crashed() -> None:
    from codesim.normalize.ir import Scope

    module = compiled.load(compiled.RESOLVE)
    assert module is not None
    roles = ("ATTR", "PARAM", "CLASS", "FUNC", "LOCAL")
    modes = (0, 5, 6, 7, 4)
    good = [Scope("module", -1, False)]
    with pytest.raises(ValueError, match="differ in length"):
        module.resolve(["x"], [], [1], [0], good, {}, frozenset(), "call", False, roles, modes)
    looped = [Scope("module", 0, False)]
    with pytest.raises(ValueError, match="scope chain"):
        module.resolve(["x"], ["x"], [1], [0], looped, {}, frozenset(), "call", False, roles, modes)
    with pytest.raises(ValueError, match="scope chain"):
        module.resolve(["x"], ["x"], [1], [7], good, {}, frozenset(), "call", False, roles, modes)
    assert module.resolve(
        ["x"], ["x"], [1], [0], good, {}, frozenset(), "call", False, roles, modes
    ) == (
        ["LOCAL"],
        [0],
        {},
    )


@needs_parts
def test_bad_passes_arguments_are_refused_not_crashed() -> None:
    from codesim.normalize.ir import Block, Scope, Statement, TupleParts

    module = compiled.load(compiled.PASSES)
    assert module is not None
    kinds = (frozenset[str](),) * 7
    modes = ((2,), (0, 1, 2, 7))
    scopes = [Scope("module", -1, False)]

    def run(
        root: object, *lists: object, dropped: object = None, tail: tuple[object, ...] = modes
    ) -> object:
        given = lists or (["x"], [0], ["x"], [1])
        return module.run_passes(
            root,
            Block,
            Statement,
            *given,
            scopes,
            bytearray(1) if dropped is None else dropped,
            True,
            *kinds,
            *tail,
        )

    statement = Statement("assignment", segments=[range(1)])
    assert run(Block([statement])) == [Block([statement])]
    with pytest.raises(ValueError, match="differ in length"):
        run(Block(), ["x"], [0], [], [1])
    with pytest.raises(ValueError, match="dropped holds"):
        run(Block(), dropped=bytearray(2))
    with pytest.raises(BufferError):
        run(Block(), dropped=b"\x00")  # read-only: the passes write to it
    with pytest.raises(ValueError, match="outside the tokens"):
        run(Block([Statement("assignment", segments=[range(5)])]))
    with pytest.raises(TypeError, match="must be a list"):
        run(Block(statements=None))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="must be a range"):
        parts = TupleParts(0, [range(1), "x"], [range(1), range(1)])  # type: ignore[list-item]
        run(Block([Statement("assignment", segments=[range(1)], parts=parts)]))
    with pytest.raises(TypeError, match="modes_used"):
        run(Block(), tail=((2,), (0, 1)))
    with pytest.raises(ValueError, match="out of range"):
        run(Block(), tail=((999,), (0, 1, 2, 7)))
    with pytest.raises(TypeError):
        run(Block(), ["x"], ["not a scope"], ["x"], [1])
    with pytest.raises(TypeError, match="must be sets"):
        module.run_passes(
            Block(),
            Block,
            Statement,
            ["x"],
            [0],
            ["x"],
            [1],
            scopes,
            bytearray(1),
            True,
            None,
            *kinds[1:],
            *modes,
        )


def test_the_passes_call_a_statement_class_that_does_more_than_store_its_fields(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The passes make the statements they split off without calling the class only when its
    # __init__ just stores the fields (a plain dataclass); any other class is called.
    if compiled.load(compiled.PASSES) is None:
        pytest.skip("the passes are not compiled here")
    made: list[object] = []

    @dataclasses.dataclass(slots=True)
    class Counted(ir.Statement):
        def __post_init__(self) -> None:
            made.append(self)

    # Tuple assignments are split into one statement per target, made by the passes.
    source = b"def f(a, b):\n    x, y = a, b\n    p, q, r = 1, 2, 3\n    return x + y + p + q + r\n"
    language = get_language("python")
    expected = normalize(source, language)
    monkeypatch.setattr(passes, "Statement", Counted)
    assert normalize(source, language) == expected
    assert len(made) == 5
