"""Repo graphs built from real parses: exact nodes and edges on hand-written repos, and
invariants on the standard library's ``email`` package."""

from __future__ import annotations

import ast
import email
import textwrap
from pathlib import Path

import pytest

from codesim.graph.build import RepoGraph, module_name
from codesim.options import Options
from codesim.pipeline.reading import SideData, read_side, repo_graph

FILES = {
    "app/__init__.py": """
        from .core import Engine
    """,
    "app/core.py": """
        import os
        from app.util import helper, Base
        from . import util


        class Engine(Base):
            def __init__(self, n):
                self.n = n
                self.start()

            def start(self):
                return helper(self.n) + util.helper(2) + len(os.sep)


        def make():
            return Engine(3)
    """,
    "app/util.py": """
        class Base:
            def start(self):
                return 0


        def helper(x):
            return x * 2


        def twice(x):
            def inner(y):
                return helper(y)

            return inner(x) + inner(x)
    """,
    "app/sub/__init__.py": "",
    "app/sub/leaf.py": """
        from ..util import helper
        from .. import core


        class Leaf(core.Engine, metaclass=type):
            def start(self):
                return helper(1)

            def stop(self):
                return self.start() + self.missing()
    """,
}

NODES = {
    "app/__init__.py": "module",
    "app/core.py": "module",
    "app/core.py:Engine": "class",
    "app/core.py:Engine.__init__": "function",
    "app/core.py:Engine.start": "function",
    "app/core.py:make": "function",
    "app/util.py": "module",
    "app/util.py:Base": "class",
    "app/util.py:Base.start": "function",
    "app/util.py:helper": "function",
    "app/util.py:twice": "function",
    "app/util.py:twice.inner": "function",
    "app/sub/__init__.py": "module",
    "app/sub/leaf.py": "module",
    "app/sub/leaf.py:Leaf": "class",
    "app/sub/leaf.py:Leaf.start": "function",
    "app/sub/leaf.py:Leaf.stop": "function",
}

CONTAINS = {
    ("app/core.py", "app/core.py:Engine"),
    ("app/core.py:Engine", "app/core.py:Engine.__init__"),
    ("app/core.py:Engine", "app/core.py:Engine.start"),
    ("app/core.py", "app/core.py:make"),
    ("app/util.py", "app/util.py:Base"),
    ("app/util.py:Base", "app/util.py:Base.start"),
    ("app/util.py", "app/util.py:helper"),
    ("app/util.py", "app/util.py:twice"),
    ("app/util.py:twice", "app/util.py:twice.inner"),
    ("app/sub/leaf.py", "app/sub/leaf.py:Leaf"),
    ("app/sub/leaf.py:Leaf", "app/sub/leaf.py:Leaf.start"),
    ("app/sub/leaf.py:Leaf", "app/sub/leaf.py:Leaf.stop"),
}

IMPORTS = {
    ("app/__init__.py", "app/core.py"),  # relative, from a package's __init__
    ("app/core.py", "app/util.py"),  # absolute and `from . import util`, one edge
    ("app/sub/leaf.py", "app/util.py"),  # `from ..util import`
    ("app/sub/leaf.py", "app/core.py"),  # `from .. import core`: a module named in names
}

CALLS = {
    # self.start() in Engine: Engine's own start, not Base's or Leaf's.
    ("app/core.py:Engine.__init__", "app/core.py:Engine.start"),
    # A bare helper(): the one non-method helper of the repo; util.helper(): by member name.
    ("app/core.py:Engine.start", "app/util.py:helper"),
    # Calling a class reaches the class.
    ("app/core.py:make", "app/core.py:Engine"),
    ("app/util.py:twice.inner", "app/util.py:helper"),
    # A bare call resolves to the nested function of the enclosing function first.
    ("app/util.py:twice", "app/util.py:twice.inner"),
    ("app/sub/leaf.py:Leaf.start", "app/util.py:helper"),
    ("app/sub/leaf.py:Leaf.stop", "app/sub/leaf.py:Leaf.start"),
}

INHERITS = {
    ("app/core.py:Engine", "app/util.py:Base"),
    # core.Engine resolves by its last name; metaclass=type is not a base.
    ("app/sub/leaf.py:Leaf", "app/core.py:Engine"),
}


def write_repo(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    return root


def graph_of(path: Path) -> tuple[SideData, RepoGraph]:
    # units=True too: the per-unit prints an index would store are the signatures to expect.
    side = read_side(path, "left", Options(), units=True, graph=True)
    return side, repo_graph(side)


def graph_from(root: Path, files: dict[str, str]) -> RepoGraph:
    return graph_of(write_repo(root, files))[1]


def edges(graph: RepoGraph, kind: str) -> set[tuple[str, str]]:
    return {(u, v) for u, v, key in graph.edges(keys=True) if key == kind}


@pytest.fixture(scope="module")
def hand_written(tmp_path_factory: pytest.TempPathFactory) -> RepoGraph:
    return graph_from(tmp_path_factory.mktemp("repo"), FILES)


def test_nodes_are_every_module_class_and_function(hand_written: RepoGraph) -> None:
    assert {node: data["kind"] for node, data in hand_written.nodes(data=True)} == NODES


def test_node_attributes(hand_written: RepoGraph) -> None:
    engine = hand_written.nodes["app/core.py:Engine.start"]
    assert engine["qualname"] == "app.core.Engine.start"
    assert engine["path"] == "app/core.py"
    assert engine["lines"] == (11, 12)
    assert engine["tokens"] > 12
    assert engine["signature"].shape == (128,)
    assert hand_written.nodes["app/core.py"]["qualname"] == "app.core"
    assert hand_written.nodes["app/sub/__init__.py"]["qualname"] == "app.sub"
    # Too small for a fingerprint of its own: folded into its class, no signature.
    assert hand_written.nodes["app/util.py:Base.start"]["signature"] is None


def test_contains_edges(hand_written: RepoGraph) -> None:
    assert edges(hand_written, "contains") == CONTAINS


def test_imports_edges_absolute_and_relative(hand_written: RepoGraph) -> None:
    assert edges(hand_written, "imports") == IMPORTS
    assert hand_written.edges["app/core.py", "app/util.py", "imports"]["weight"] == 2


def test_calls_edges_by_name_inside_the_repo(hand_written: RepoGraph) -> None:
    assert edges(hand_written, "calls") == CALLS
    # Two call sites of helper in Engine.start add up; inner is called twice.
    assert hand_written.edges["app/core.py:Engine.start", "app/util.py:helper", "calls"][
        "weight"
    ] == pytest.approx(2.0)
    assert hand_written.edges["app/util.py:twice", "app/util.py:twice.inner", "calls"][
        "weight"
    ] == pytest.approx(2.0)


def test_inherits_edges(hand_written: RepoGraph) -> None:
    assert edges(hand_written, "inherits") == INHERITS


def test_every_edge_kind_is_its_key(hand_written: RepoGraph) -> None:
    assert all(key == data["kind"] for _, _, key, data in hand_written.edges(keys=True, data=True))


def test_ambiguous_member_call_splits_its_weight(tmp_path: Path) -> None:
    graph = graph_from(
        tmp_path,
        {
            "a.py": """
                class A:
                    def run(self, x):
                        return x + 1 + x * 2 + x * 3 + x * 4 + x * 5
            """,
            "b.py": """
                class B:
                    def run(self, x):
                        return x - 1 - x * 2 - x * 3 - x * 4 - x * 5


                def drive(thing):
                    return thing.run(1)
            """,
        },
    )
    drive = "b.py:drive"
    assert {v: d["weight"] for _, v, d in graph.out_edges(drive, data=True)} == {
        "a.py:A.run": pytest.approx(0.5),
        "b.py:B.run": pytest.approx(0.5),
    }


def test_a_subclass_of_the_same_name_inherits_with_full_weight(tmp_path: Path) -> None:
    """The subclass itself is no candidate base, so it does not take half the weight."""
    graph = graph_from(
        tmp_path,
        {
            "a.py": "class Base:\n    pass\n",
            "b.py": "import a\n\n\nclass Base(a.Base):\n    pass\n",
        },
    )
    assert graph.edges["b.py:Base", "a.py:Base", "inherits"]["weight"] == 1.0
    assert edges(graph, "inherits") == {("b.py:Base", "a.py:Base")}


def test_a_bare_call_never_reaches_a_method(tmp_path: Path) -> None:
    """``run()`` outside a class is an imported function, not some class's method ``run``."""
    graph = graph_from(
        tmp_path,
        {
            "a.py": """
                class A:
                    def run(self, x):
                        return x + 1 + x * 2 + x * 3 + x * 4 + x * 5
            """,
            "b.py": """
                from c import run


                def drive():
                    return run(1)
            """,
            "c.py": """
                def run(x):
                    return x - 1 - x * 2 - x * 3 - x * 4 - x * 5
            """,
        },
    )
    assert set(graph.successors("b.py:drive")) == {"c.py:run"}


def test_a_name_defined_twice_in_a_file_is_two_nodes(tmp_path: Path) -> None:
    graph = graph_from(
        tmp_path,
        {
            "box.py": """
                class Box:
                    @property
                    def size(self):
                        return self._size

                    @size.setter
                    def size(self, value):
                        self._size = value
            """
        },
    )
    assert set(graph.successors("box.py:Box")) == {"box.py:Box.size", "box.py:Box.size#2"}


def test_a_package_root_names_its_modules(tmp_path: Path) -> None:
    """Reading ``app/`` itself (it holds ``__init__.py``) gives the modules the names its
    absolute imports use, so those still resolve."""
    write_repo(tmp_path, FILES)
    _, graph = graph_of(tmp_path / "app")
    assert graph.nodes["core.py"]["qualname"] == "app.core"
    assert ("core.py", "util.py") in edges(graph, "imports")
    assert len(edges(graph, "imports")) == len(IMPORTS)


def test_module_names() -> None:
    assert module_name("pkg/sub/mod.py") == "pkg.sub.mod"
    assert module_name("pkg/__init__.py") == "pkg"
    assert module_name("mime/text.py", "email") == "email.mime.text"
    assert module_name("__init__.py", "email") == "email"


# The standard library's email package, read from the running interpreter.

EMAIL = Path(email.__file__).parent


@pytest.fixture(scope="module")
def email_graph() -> tuple[SideData, RepoGraph]:
    return graph_of(EMAIL)


def test_email_every_unit_is_a_node(email_graph: tuple[SideData, RepoGraph]) -> None:
    side, graph = email_graph
    units = [u for f in side.files if f.graph is not None for u in f.graph.units]
    assert len(side.files) > 20
    assert graph.number_of_nodes() == len(units)
    fingerprinted = sum(len(f.units.signatures) for f in side.files if f.units is not None)
    signed = [n for n, d in graph.nodes(data=True) if d["signature"] is not None]
    assert len(signed) == fingerprinted
    assert sum(d["tokens"] for _, d in graph.nodes(data=True)) == sum(f.tokens for f in side.files)


def test_email_every_node_but_modules_has_one_container(
    email_graph: tuple[SideData, RepoGraph],
) -> None:
    _, graph = email_graph
    for node, data in graph.nodes(data=True):
        containers = [u for u, _, key in graph.in_edges(node, keys=True) if key == "contains"]
        assert len(containers) == (0 if data["kind"] == "module" else 1), node


def test_email_import_edges_match_an_independent_count(
    email_graph: tuple[SideData, RepoGraph],
) -> None:
    _, graph = email_graph
    assert edges(graph, "imports") == ast_imports(EMAIL)


def test_email_known_edges(email_graph: tuple[SideData, RepoGraph]) -> None:
    _, graph = email_graph
    assert ("mime/text.py:MIMEText", "mime/nonmultipart.py:MIMENonMultipart") in edges(
        graph, "inherits"
    )
    # message_from_string imports the parser inside its body and calls the class.
    assert ("__init__.py:message_from_string", "parser.py:Parser") in edges(graph, "calls")
    assert ("__init__.py", "parser.py") in edges(graph, "imports")
    assert len(edges(graph, "calls")) > 300


def ast_imports(root: Path) -> set[tuple[str, str]]:
    """Module-to-module imports inside the package at ``root``, counted with ``ast``: ``from
    M import a`` reaches ``M.a`` when that is a module, else ``M``."""
    package = root.name
    files = {p.relative_to(root).as_posix(): p for p in root.rglob("*.py")}
    modules = {module_name(path, package): path for path in files}
    found: set[tuple[str, str]] = set()
    for path, file in files.items():
        module = module_name(path, package)
        own_package = module if file.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(file.read_bytes())):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = own_package.split(".")
                    anchor = ".".join(parts[: len(parts) - node.level + 1])
                    base = f"{anchor}.{base}" if base else anchor
                for alias in node.names:
                    child = f"{base}.{alias.name}"
                    targets.append(child if child in modules else base)
            found.update((path, modules[t]) for t in targets if t in modules and modules[t] != path)
    return found


def test_an_absolute_import_resolves_in_a_src_layout(tmp_path: Path) -> None:
    graph = graph_from(
        tmp_path,
        {
            "src/pkg/__init__.py": "",
            "src/pkg/a.py": "from pkg.b import f\nimport pkg.b\nimport os\n",
            "src/pkg/b.py": "def f():\n    return 1\n",
        },
    )
    assert edges(graph, "imports") == {("src/pkg/a.py", "src/pkg/b.py")}
    assert graph.edges["src/pkg/a.py", "src/pkg/b.py", "imports"]["weight"] == 2
