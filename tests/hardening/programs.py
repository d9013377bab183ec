"""Random Python programs and hostile variants of them, for the hardening tests and the fuzzer.

The programs are built as ``ast`` trees from a seeded ``random.Random`` and written out with
``ast.unparse``, so every one parses and covers the statement and expression kinds codesim's
normalizer rewrites (assignments and tuple assignments, loops and comprehensions, conditionals,
nested functions and classes, decorators, ``match``, ``async``, f-strings, ``global``).  Nothing
here is copied from a corpus: the fuzzer's seeds are these programs and the byte-level
variants below (``hostile_variants``), generated afresh by ``seed_corpus``.
"""

from __future__ import annotations

import ast
import codecs
import json
import random
from collections.abc import Iterator
from pathlib import Path

_NAMES = ("a", "b", "count", "items", "total", "value", "data", "node", "self", "i", "j", "x")
_MODULES = ("os", "re", "json", "math", "numpy", "torch", "itertools")
_ATTRS = ("append", "get", "shape", "items", "join", "max", "reshape", "path", "sub")
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.BitAnd)
_CMPOPS = (ast.Lt, ast.Gt, ast.Eq, ast.NotEq, ast.In, ast.Is, ast.LtE)


class ProgramGenerator:
    """One random module per call of ``module``; ``depth`` bounds statement nesting."""

    def __init__(self, rng: random.Random, *, depth: int = 4, width: int = 5) -> None:
        self.rng = rng
        self.depth = depth
        self.width = width
        self.in_function = False

    def module(self) -> str:
        """A random module's source text (it parses: ``ast.unparse`` of a valid tree)."""
        body: list[ast.stmt] = [self._import() for _ in range(self.rng.randint(0, 3))]
        body += [self._statement(0) for _ in range(self.rng.randint(1, self.width * 2))]
        tree = ast.fix_missing_locations(ast.Module(body=body, type_ignores=[]))
        return ast.unparse(tree) + "\n"

    def _name(self) -> str:
        return self.rng.choice(_NAMES)

    def _import(self) -> ast.stmt:
        module = self.rng.choice(_MODULES)
        if self.rng.random() < 0.5:
            return ast.Import(names=[ast.alias(name=module)])
        return ast.ImportFrom(
            module=module, names=[ast.alias(name=self.rng.choice(_ATTRS))], level=0
        )

    def _block(self, depth: int) -> list[ast.stmt]:
        return [self._statement(depth + 1) for _ in range(self.rng.randint(1, self.width))]

    def _statement(self, depth: int) -> ast.stmt:
        rng = self.rng
        simple = depth >= self.depth
        kind = rng.randrange(6 if simple else 16)
        if kind == 0:
            return ast.Assign(targets=[self._target()], value=self._expr(0))
        if kind == 1:
            names = [self._name() for _ in range(rng.randint(2, 3))]
            return ast.Assign(
                targets=[ast.Tuple([ast.Name(n, ast.Store()) for n in names], ast.Store())],
                value=ast.Tuple([self._expr(1) for _ in names], ast.Load()),
            )
        if kind == 2:
            return ast.AugAssign(self._target(), rng.choice(_BINOPS)(), self._expr(0))
        if kind == 3:
            return ast.Expr(self._call(0))
        if kind == 4:
            return ast.Return(self._expr(0)) if self.in_function else ast.Pass()
        if kind == 5:
            # A name no other statement binds, so no use can come before the declaration.
            return ast.Global(names=["registry"]) if self.in_function else ast.Pass()
        if kind == 6:
            orelse = self._block(depth) if rng.random() < 0.4 else []
            return ast.If(self._expr(0), self._block(depth), orelse)
        if kind == 7:
            return ast.For(self._target(), self._expr(0), self._block(depth), [])
        if kind == 8:
            return ast.While(self._compare(0), self._block(depth), [])
        if kind in (9, 10):
            return self._function(depth)
        if kind == 11:
            bases: list[ast.expr] = (
                [ast.Name(rng.choice(_NAMES), ast.Load())] if rng.random() < 0.5 else []
            )
            return ast.ClassDef(
                name=f"C{rng.randrange(50)}",
                bases=bases,
                keywords=[],
                body=[self._function(depth + 1) for _ in range(rng.randint(1, 3))],
                decorator_list=[],
            )
        if kind == 12:
            handler = ast.ExceptHandler(ast.Name("ValueError", ast.Load()), "e", self._block(depth))
            return ast.Try(self._block(depth), [handler], [], self._block(depth)[:1])
        if kind == 13:
            item = ast.withitem(self._call(0), ast.Name(self._name(), ast.Store()))
            return ast.With([item], self._block(depth))
        if kind == 14:
            cases = [
                ast.match_case(
                    ast.MatchValue(ast.Constant(rng.randrange(9))), None, self._block(depth)
                ),
                ast.match_case(ast.MatchAs(None, None), None, self._block(depth)),
            ]
            return ast.Match(self._expr(0), cases)
        return ast.If(ast.Constant(False), self._block(depth), [])  # dead code

    def _function(self, depth: int) -> ast.stmt:
        rng = self.rng
        args = ast.arguments(
            posonlyargs=[],
            args=[
                ast.arg(n) for n in dict.fromkeys(self._name() for _ in range(rng.randint(0, 3)))
            ],
            vararg=None,
            kwonlyargs=[],
            kw_defaults=[],
            kwarg=None,
            defaults=[],
        )
        decorators: list[ast.expr] = (
            [ast.Name("staticmethod", ast.Load())] if rng.random() < 0.2 else []
        )
        kind = ast.AsyncFunctionDef if rng.random() < 0.15 else ast.FunctionDef
        outer, self.in_function = self.in_function, True
        body = self._block(depth)
        self.in_function = outer
        if rng.random() < 0.5:
            body.insert(0, ast.Expr(ast.Constant("A docstring.")))
        return kind(name=f"f{rng.randrange(50)}", args=args, body=body, decorator_list=decorators)

    def _target(self) -> ast.Name | ast.Attribute:
        if self.rng.random() < 0.2:
            return ast.Attribute(ast.Name("self", ast.Load()), self._name(), ast.Store())
        return ast.Name(self._name(), ast.Store())

    def _compare(self, depth: int) -> ast.expr:
        return ast.Compare(
            self._expr(depth + 1), [self.rng.choice(_CMPOPS)()], [self._expr(depth + 1)]
        )

    def _call(self, depth: int) -> ast.expr:
        rng = self.rng
        func: ast.expr = ast.Name(self._name(), ast.Load())
        if rng.random() < 0.5:
            func = ast.Attribute(
                ast.Name(rng.choice(_MODULES), ast.Load()), rng.choice(_ATTRS), ast.Load()
            )
        args = [self._expr(depth + 1) for _ in range(rng.randint(0, 3))]
        return ast.Call(func, args, [])

    def _expr(self, depth: int) -> ast.expr:
        rng = self.rng
        kind = rng.randrange(3) if depth >= 3 else rng.randrange(13)
        if kind == 0:
            return ast.Name(self._name(), ast.Load())
        if kind == 1:
            value = rng.choice(
                [0, 1, 3407, 1e-6, -2, "hw,d->hwd", "", "é\u4e2d", b"\x00", None, True]
            )
            return ast.Constant(value)
        if kind == 2:
            return ast.Attribute(ast.Name(self._name(), ast.Load()), rng.choice(_ATTRS), ast.Load())
        if kind == 3:
            return ast.BinOp(self._expr(depth + 1), rng.choice(_BINOPS)(), self._expr(depth + 1))
        if kind == 4:
            return self._call(depth)
        if kind == 5:
            return self._compare(depth)
        if kind == 6:
            return ast.IfExp(self._compare(depth), self._expr(depth + 1), self._expr(depth + 1))
        if kind == 7:
            generator = ast.comprehension(
                ast.Name("i", ast.Store()), self._expr(depth + 1), [], is_async=0
            )
            return rng.choice([ast.ListComp, ast.SetComp, ast.GeneratorExp])(
                self._expr(depth + 1), [generator]
            )
        if kind == 8:
            return ast.List([self._expr(depth + 1) for _ in range(rng.randint(0, 4))], ast.Load())
        if kind == 9:
            keys: list[ast.expr | None] = [
                ast.Constant(self._name()) for _ in range(rng.randint(0, 3))
            ]
            return ast.Dict(keys, [self._expr(depth + 1) for _ in keys])
        if kind == 10:
            args = ast.arguments([], [ast.arg("x")], None, [], [], None, [])
            return ast.Lambda(args, self._expr(depth + 1))
        if kind == 11:
            # Python 3.11 cannot write a backslash inside an f-string's braces: names only.
            inner = ast.Attribute(ast.Name(self._name(), ast.Load()), "shape", ast.Load())
            return ast.JoinedStr([ast.Constant("v="), ast.FormattedValue(inner, -1, None)])
        return ast.Subscript(
            self._expr(depth + 1), ast.Slice(None, self._expr(depth + 1)), ast.Load()
        )


def random_program(rng: random.Random, *, depth: int = 4, width: int = 5) -> str:
    """One random, parseable Python module."""
    return ProgramGenerator(rng, depth=depth, width=width).module()


def deep_nesting(levels: int, kind: str) -> bytes:
    """A file nesting ``levels`` deep: ``brackets``, ``calls``, ``binops`` or ``blocks``
    (blocks are indented one space per level, so ``levels`` stays in the low thousands to keep
    the file small)."""
    if kind == "brackets":
        return b"x = " + b"[" * levels + b"]" * levels + b"\n"
    if kind == "calls":
        return b"x = " + b"f(" * levels + b"1" + b")" * levels + b"\n"
    if kind == "binops":
        return b"x = " + b"-(1 + " * levels + b"1" + b")" * levels + b"\n"
    if kind == "blocks":
        lines = [b" " * i + b"if x%d:\n" % i for i in range(levels)]
        return b"".join(lines) + b" " * levels + b"y = 1\n"
    raise ValueError(kind)


def notebook(cells: list[str], *, language: str = "python") -> bytes:
    """An nbformat 4 notebook holding ``cells`` as code cells."""
    document = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {"kernelspec": {"language": language, "name": "python3"}},
        "cells": [
            {"cell_type": "code", "id": f"c{i}", "metadata": {}, "source": cell, "outputs": []}
            for i, cell in enumerate(cells)
        ],
    }
    return json.dumps(document).encode()


def hostile_variants(source: bytes, rng: random.Random) -> Iterator[bytes]:
    """Byte-level variants of one program that reading and parsing must survive: other
    encodings, broken encodings, stray NUL bytes, truncation, CRLF and tabs, and junk."""
    text = source.decode("utf-8")
    yield codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    yield codecs.BOM_UTF8 + source
    yield b"# -*- coding: latin-1 -*-\n" + text.encode("latin-1", "replace")
    yield b"# coding: utf-16\n" + source  # a cookie naming a codec it cannot be written in
    cut = rng.randrange(len(source) + 1)
    yield source[:cut] + b"\xff\xfe\xc3(" + source[cut:]  # invalid UTF-8 in the middle
    yield source[:cut] + b"\x00" + source[cut:]
    yield source[:cut]
    yield source.replace(b"\n", b"\r\n").replace(b"    ", b"\t")
    yield bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) + source


def seed_corpus(folder: Path, count: int, seed: int) -> int:
    """Write ``count`` generated programs and their hostile variants into ``folder`` as the
    fuzzer's starting corpus; returns the number of files written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    written = 0
    for n in range(count):
        program = random_program(rng, depth=rng.randint(1, 4), width=rng.randint(1, 5)).encode()
        inputs = [program, *hostile_variants(program, rng)]
        for m, data in enumerate(inputs):
            (folder / f"seed-{n:04d}-{m}").write_bytes(data)
            written += 1
    for levels, kind in ((200, "brackets"), (200, "calls"), (100, "binops"), (60, "blocks")):
        (folder / f"seed-nesting-{kind}").write_bytes(deep_nesting(levels, kind))
        written += 1
    return written
