"""A small hand-made manifest to check the peer drivers end to end, then a run of all four.

    .venv/bin/python -m benchmarks.peers.smoke [DIR]     (default DIR: .cache/peers/smoke)

Pairs, from the standard library of the running interpreter:
- ``identical``: a module and an exact copy (every tool should say 1.0);
- ``format``: the module re-printed by ``ast.unparse`` (comments gone, layout and quotes changed);
- ``rename``: every name bound in the module consistently renamed, layout and comments kept;
- ``rename_format``: both;
- ``py312_syntax``: an exact copy of a file using Python 3.12 syntax (``type`` aliases, generic
  ``def f[T]``, nested f-string quotes) and ``match``: shows which tools choke on new syntax;
- ``tiny``: a 3-line file and its copy; ``empty``: an empty file against a module;
- ``unrelated`` (label 0): two different modules.
Not a benchmark: a sanity check that each score moves the right way.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import io
import json
import keyword
import shutil
import sys
import sysconfig
import tokenize
from pathlib import Path

from benchmarks.peers.runner import PEERS_DIR, main

STDLIB = Path(sysconfig.get_paths()["stdlib"])

PY312 = '''\
"""Shapes, with the newest syntax."""
from dataclasses import dataclass

type Point = tuple[float, float]


@dataclass
class Box[T]:
    items: list[T]
    label: str = "box"

    def first[U](self, default: U) -> T | U:
        return self.items[0] if self.items else default


def describe(shape: object) -> str:
    match shape:
        case {"kind": "circle", "r": r}:
            return f"circle of radius {r:.2f}"
        case [x, y]:
            return f"point at {f'{x}, {y}'}"
        case Box(items=[]):
            return f"{shape.label!r} is empty"
        case _:
            return f"unknown {type(shape).__name__}"


def area(points: list[Point]) -> float:
    total = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1]):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2
'''

TINY = "def add(a, b):\n    return a + b\nprint(add(1, 2))\n"


def bound_names(tree: ast.AST) -> set[str]:
    """Names the module binds itself (safe to rename consistently in a throw-away copy)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.ctx, ast.Store)
            and isinstance(node.value, ast.Name)
            and node.value.id == "self"
        ):
            names.add(node.attr)
    keep = {"self", "cls", *dir(builtins), *keyword.kwlist}
    return {n for n in names if n not in keep and not (n.startswith("__") and n.endswith("__"))}


def rename(source: str) -> str:
    """Consistently rename every bound name (NAME tokens only: comments and strings untouched)."""
    names = bound_names(ast.parse(source))
    mapping = {n: "r" + hashlib.sha1(n.encode()).hexdigest()[:7] for n in names}
    tokens = [
        tok._replace(string=mapping.get(tok.string, tok.string))
        if tok.type == tokenize.NAME
        else tok
        for tok in tokenize.generate_tokens(io.StringIO(source).readline)
    ]
    return tokenize.untokenize(tokens)


def build(directory: Path) -> Path:
    """Write the smoke manifest and its pairs under ``directory``; returns ``directory``."""
    if directory.exists():
        shutil.rmtree(directory)

    def module(name: str) -> str:
        return (STDLIB / name).read_text(encoding="utf-8")

    pairs = [
        ("identical", 1, module("textwrap.py"), module("textwrap.py")),
        ("format", 1, module("shlex.py"), ast.unparse(ast.parse(module("shlex.py"))) + "\n"),
        ("rename", 1, module("getopt.py"), rename(module("getopt.py"))),
        (
            "rename_format",
            1,
            module("heapq.py"),
            ast.unparse(ast.parse(rename(module("heapq.py")))) + "\n",
        ),
        ("py312_syntax", 1, PY312, PY312),
        ("tiny", 1, TINY, TINY),
        ("empty", 0, "", module("colorsys.py")),
        ("unrelated", 0, module("textwrap.py"), module("shlex.py")),
        ("unrelated", 0, module("getopt.py"), module("colorsys.py")),
        ("unrelated", 0, module("heapq.py"), module("fnmatch.py")),
    ]
    lines = []
    for number, (category, label, left, right) in enumerate(pairs):
        pair_id = f"{category}-{number}"
        folder = directory / "pairs" / pair_id
        folder.mkdir(parents=True)
        (folder / "left.py").write_text(left, encoding="utf-8")
        (folder / "right.py").write_text(right, encoding="utf-8")
        lines.append(
            json.dumps(
                {
                    "id": pair_id,
                    "category": category,
                    "label": label,
                    "left": f"pairs/{pair_id}/left.py",
                    "right": f"pairs/{pair_id}/right.py",
                    "origin": "benchmarks/peers/smoke.py",
                }
            )
        )
    (directory / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else PEERS_DIR / "smoke"
    build(target)
    sys.exit(main([str(target), "--scores", *sys.argv[2:]]))
