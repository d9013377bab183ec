"""The normalizer's compiled parts give exactly what the pure-Python code gives.

The Python code is the specification: every file here is normalized with the compiled parts
and again with all of them switched off (``compiled.python_only``), and the two token streams
must be equal, field by field.  The files are a fixed sample of this Python's standard
library, every language's fixtures and inputs chosen to reach the edges (deep nesting, lone
surrogates, long blocks).
"""

from __future__ import annotations

import shlex
import shutil
import sysconfig
from pathlib import Path

import pytest

from codesim import compiled
from codesim.languages import get_language
from codesim.normalize import normalize
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
ORDER = compiled.load("codesim.normalize._order")


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
}


@needs_parts
@pytest.mark.parametrize("source", list(EDGES.values()), ids=list(EDGES))
def test_edge_cases_order_alike(source: str) -> None:
    compiled_stream, python_stream = _both(source.encode(), "python")
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

    stream = compiled.load("codesim.normalize._canonical")
    assert stream is not None
    root = Block([Statement("expression_statement", segments=[range(1)])])
    lists = (["x"], [-2], ["x"], [0], [0], [1])
    with pytest.raises(ValueError, match="differ in length"):
        stream.canonical_stream(root, Statement, b"\x00", ["x"], [], ["x"], [0], [0], [1], 1)
    with pytest.raises(ValueError, match="dropped holds"):
        stream.canonical_stream(root, Statement, b"", *lists, 1)
    with pytest.raises(ValueError, match="out of range"):
        stream.canonical_stream(root, Statement, b"\x00", *lists, 0)
    outside = Block([Statement("expression_statement", segments=[range(5)])])
    with pytest.raises(ValueError, match="outside the tokens"):
        stream.canonical_stream(outside, Statement, b"\x00", *lists, 1)


@needs_parts
def test_bad_resolve_arguments_are_refused_not_crashed() -> None:
    from codesim.normalize.ir import Scope

    module = compiled.load("codesim.normalize._resolve")
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
