"""Disguises a plagiarist applies, one function per benchmark category.

Built on ``ast`` and ``tests/disguise.py`` only, never on codesim's normalizer, so a blind spot
of one cannot hide the same blind spot of the other.  Every function is deterministic from its
``random.Random`` and returns an ``Outcome``: the disguised source (it always compiles) and how
many rewrites of each kind were applied.  A rewrite that cannot be proven safe by the simple
analyses here is skipped: correctness over cleverness.  ``DisguiseError`` means the source
cannot take this disguise at all (nothing applicable, or the result would not compile).

Behaviour-preservation rules the rewrites follow (beyond "it compiles"):

- reads and writes are judged by name (``names_read``/``names_written``); attribute and
  subscript reads, arithmetic and comparisons are assumed free of side effects; any call that
  is not a known side-effect-free builtin is a barrier nothing moves across;
- new names are always fresh (not any identifier or word of the source), so inserted code never
  rebinds or shadows an existing name;
- dead code never contains ``yield``/``await`` (they would turn a function into a generator or
  coroutine) and never stores to an existing name.
"""

from __future__ import annotations

import ast
import builtins
import copy
import keyword
import random
import re
import string
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from tests.disguise import (
    Disguised,
    DisguiseError,
    check_compiles,
    disguise,
    dump_tree,
    parse_module,
    unparse_checked,
)

# --------------------------------------------------------------------------------------------
# basics


@dataclass
class Outcome:
    """A disguised source and the count of each rewrite applied to it."""

    source: str
    applied: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.applied.values())


def unparse(tree: ast.Module) -> str:
    """``ast.unparse`` that proves the text parses back to the same tree and compiles."""
    text, _ = unparse_checked(tree)
    check_compiles(text)
    return text


def canonical(source: str) -> str:
    """The source as ``ast.unparse`` lays it out: comments gone, docstrings kept.

    Single-disguise categories compare this with the disguised copy, so each category measures
    its own disguise and not the reformatting every ``ast`` round trip brings along."""
    return unparse(parse_module(source))


_WORDS = [
    "acc",
    "aux",
    "buf",
    "cache",
    "chunk",
    "count",
    "cur",
    "data",
    "delta",
    "entry",
    "extra",
    "flag",
    "head",
    "item",
    "key",
    "limit",
    "mark",
    "node",
    "offset",
    "part",
    "pos",
    "prev",
    "rest",
    "result",
    "scratch",
    "size",
    "slot",
    "span",
    "state",
    "step",
    "tail",
    "temp",
    "token",
    "total",
    "unit",
    "val",
    "value",
    "width",
]
_VERBS = [
    "apply",
    "build",
    "check",
    "collect",
    "compute",
    "emit",
    "fetch",
    "fill",
    "finish",
    "gather",
    "handle",
    "load",
    "make",
    "merge",
    "prepare",
    "process",
    "read",
    "resolve",
    "run",
    "scan",
    "setup",
    "split",
    "step",
    "update",
    "visit",
    "walk",
    "write",
]


class Fresh:
    """Names that occur nowhere in the source (not even in strings or comments)."""

    def __init__(self, source: str, rng: random.Random) -> None:
        self.taken = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
        self.taken |= set(keyword.kwlist) | set(keyword.softkwlist) | set(dir(builtins))
        self.rng = rng

    def var(self) -> str:
        return self._take(lambda: "_".join(self.rng.sample(_WORDS, self.rng.choice((1, 2)))))

    def private(self) -> str:
        return self._take(lambda: "_" + "_".join(self.rng.sample(_WORDS, 2)))

    def func(self, hint: str = "") -> str:
        def make() -> str:
            verb, noun = self.rng.choice(_VERBS), self.rng.choice(_WORDS)
            base = hint.strip("_") if hint and self.rng.random() < 0.5 else noun
            return f"_{verb}_{base}"

        return self._take(make)

    def _take(self, make: Callable[[], str]) -> str:
        for attempt in range(200):
            name = make()
            if attempt > 20:
                name = f"{name}{self.rng.randrange(10, 99)}"
            if name not in self.taken and name.isidentifier():
                self.taken.add(name)
                return name
        raise DisguiseError("no fresh name found")


def names_read(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and not _is_store(n)}


def _is_store(node: ast.Name) -> bool:
    return isinstance(node.ctx, ast.Store | ast.Del)


def names_written(node: ast.AST) -> set[str]:
    """Names a statement binds in its own scope (nested scopes' bindings excluded)."""
    out: set[str] = set()
    for sub in walk_scope(node):
        if isinstance(sub, ast.Name) and _is_store(sub):
            out.add(sub.id)
        elif isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(sub.name)
        elif isinstance(sub, ast.Import | ast.ImportFrom):
            for alias in sub.names:
                out.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(sub, ast.Global | ast.Nonlocal):
            out.update(sub.names)
        elif (isinstance(sub, ast.ExceptHandler) and sub.name) or (
            isinstance(sub, ast.MatchAs | ast.MatchStar) and sub.name
        ):
            out.add(sub.name)
        elif isinstance(sub, ast.MatchMapping) and sub.rest:
            out.add(sub.rest)
    return out


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)


def walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """``ast.walk`` that stays in ``node``'s scope: nested functions and classes are yielded
    with their eagerly evaluated parts (decorators, defaults, bases) but not their bodies;
    comprehension targets are skipped (they bind in the comprehension's own scope)."""
    stack = [node]
    while stack:
        cur = stack.pop()
        yield cur
        if cur is not node and isinstance(cur, _SCOPES):
            stack.extend(_eager_parts(cur))
            continue
        if isinstance(cur, ast.comprehension):
            stack.extend([cur.iter, *cur.ifs])
            continue
        stack.extend(ast.iter_child_nodes(cur))


def _eager_parts(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        parts: list[ast.AST] = [*node.decorator_list, *_arg_defaults(node.args)]
        parts += [a.annotation for a in _all_args(node.args) if a.annotation]
        if node.returns:
            parts.append(node.returns)
        return parts
    if isinstance(node, ast.Lambda):
        return list(_arg_defaults(node.args))
    if isinstance(node, ast.ClassDef):
        return [*node.decorator_list, *node.bases, *(k.value for k in node.keywords)]
    return []


def _arg_defaults(args: ast.arguments) -> list[ast.expr]:
    return [*args.defaults, *(d for d in args.kw_defaults if d is not None)]


def _all_args(args: ast.arguments) -> list[ast.arg]:
    out = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        out.append(args.vararg)
    if args.kwarg:
        out.append(args.kwarg)
    return out


def function_locals(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    """Parameters and every name the body binds (Python's rule: bound anywhere = local)."""
    out = {a.arg for a in _all_args(fn.args)}
    for stmt in fn.body:
        out |= names_written(stmt)
    return out


def _bodies(node: ast.AST) -> Iterator[list[ast.stmt]]:
    """Statement lists directly owned by ``node`` (not those of nested statements)."""
    for name in ("body", "orelse", "finalbody"):
        value = getattr(node, name, None)
        if isinstance(value, list) and value and isinstance(value[0], ast.stmt):
            yield value
    for handler in getattr(node, "handlers", ()):
        yield handler.body
    for case in getattr(node, "cases", ()):
        yield case.body


def _has_docstring(body: Sequence[ast.stmt]) -> bool:
    return bool(
        body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    )


def _first_free_slot(body: Sequence[ast.stmt], *, module: bool) -> int:
    """First index where a statement may be inserted without displacing a docstring or a
    ``from __future__`` import."""
    index = 1 if _has_docstring(body) else 0
    if module:
        while (
            index < len(body)
            and isinstance(body[index], ast.ImportFrom)
            and body[index].module == "__future__"  # type: ignore[attr-defined]
        ):
            index += 1
    return index


def _contains(node: ast.AST, kinds: tuple[type, ...], *, scope_only: bool = True) -> bool:
    nodes = walk_scope(node) if scope_only else ast.walk(node)
    return any(isinstance(n, kinds) for n in nodes)


# --------------------------------------------------------------------------------------------
# side-effect-free expressions

_INSPECTING_BUILTINS = frozenset(
    [
        "len",
        "isinstance",
        "issubclass",
        "hasattr",
        "type",
        "repr",
        "str",
        "int",
        "float",
        "bool",
        "ord",
        "chr",
        "hex",
        "oct",
        "bin",
        "abs",
        "round",
        "callable",
        "id",
        "hash",
        "divmod",
        "pow",
        "format",
        "getattr",
        "slice",
        "range",
        "complex",
        "ascii",
    ]
)
_CONSUMING_BUILTINS = frozenset(
    [
        "list",
        "tuple",
        "set",
        "frozenset",
        "dict",
        "sorted",
        "sum",
        "min",
        "max",
        "any",
        "all",
        "enumerate",
        "zip",
        "reversed",
        "map",
        "filter",
        "iter",
        "bytearray",
        "bytes",
    ]
)
"""Side-effect-free except that they may consume an iterator argument: their argument names
count as written, so two of them over one iterator never swap."""


_EFFECTFUL = ast.Await | ast.Yield | ast.YieldFrom | ast.NamedExpr


@dataclass(frozen=True)
class Effects:
    reads: frozenset[str]
    writes: frozenset[str]


def pure_effects(expr: ast.AST, shadowed: set[str]) -> Effects | None:
    """Reads and (iterator-consuming) writes of an expression with no side effects, or
    ``None`` when it may have some (a call to anything but a known builtin, ``await``,
    ``yield``, ``:=``)."""
    reads: set[str] = set()
    writes: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Await | ast.Yield | ast.YieldFrom | ast.NamedExpr):
            return None
        if isinstance(node, ast.Call):
            func = node.func
            if not isinstance(func, ast.Name) or func.id in shadowed:
                return None
            if func.id in _CONSUMING_BUILTINS:
                for arg in [*node.args, *(k.value for k in node.keywords)]:
                    writes |= names_read(arg)
            elif func.id not in _INSPECTING_BUILTINS:
                return None
        elif isinstance(node, ast.comprehension):
            writes |= names_read(node.iter)
        elif isinstance(node, ast.Name) and not _is_store(node):
            reads.add(node.id)
    return Effects(frozenset(reads), frozenset(writes))


def module_bindings(tree: ast.Module) -> set[str]:
    """Every name bound anywhere in the module, in any scope (to spot shadowed builtins)."""
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and _is_store(node):
            out.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out.add(node.name)
        elif isinstance(node, ast.arg):
            out.add(node.arg)
        elif isinstance(node, ast.alias):
            out.add((node.asname or node.name).split(".")[0])
    return out


# --------------------------------------------------------------------------------------------
# format and rename: tests/disguise.py


def reformat(source: str, seed: int) -> Outcome:
    """Reformatting only: layout, quotes, wrapping, blank lines; comments and docstrings
    rewritten."""
    out = disguise(
        source,
        seed=seed,
        rename=False,
        reformat=True,
        strip_comments=True,
        tuple_merge=False,
        tuple_split=False,
    )
    return Outcome(out.source, Counter(format=1))


def _renamed(source: str, seed: int) -> Disguised:
    """``source`` with every name bound in it renamed, and nothing else changed."""
    return disguise(
        source,
        seed=seed,
        rename=True,
        reformat=False,
        strip_comments=False,
        tuple_merge=False,
        tuple_split=False,
    )


def rename(source: str, seed: int) -> Outcome:
    """Consistent renaming of every name bound in the module (nothing else changes)."""
    out = _renamed(source, seed)
    if not out.renames:
        raise DisguiseError("nothing to rename")
    return Outcome(out.source, Counter(rename=len(out.renames)))


# --------------------------------------------------------------------------------------------
# reorder

_SAFE_DECORATORS = frozenset(
    [
        "property",
        "staticmethod",
        "classmethod",
        "abstractmethod",
        "abstractproperty",
        "abstractclassmethod",
        "abstractstaticmethod",
        "cached_property",
        "lru_cache",
        "cache",
        "total_ordering",
        "dataclass",
        "final",
        "overload",
        "override",
        "unique",
        "runtime_checkable",
        "contextmanager",
        "asynccontextmanager",
        "setter",
        "getter",
        "deleter",
        "no_type_check",
    ]
)
_CLASS_BODY_CALLS = frozenset({"property", "staticmethod", "classmethod"})


def _decorator_ok(expr: ast.expr, shadowed: set[str]) -> Effects | None:
    target = expr.func if isinstance(expr, ast.Call) else expr
    last = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", None)
    if last not in _SAFE_DECORATORS:
        return None
    reads = names_read(target)
    writes: set[str] = set()
    if isinstance(expr, ast.Call):
        for arg in [*expr.args, *(k.value for k in expr.keywords)]:
            effects = pure_effects(arg, shadowed)
            if effects is None:
                return None
            reads |= effects.reads
            writes |= effects.writes
    return Effects(frozenset(reads), frozenset(writes))


def _merge(parts: Iterable[Effects | None]) -> Effects | None:
    reads: set[str] = set()
    writes: set[str] = set()
    for part in parts:
        if part is None:
            return None
        reads |= part.reads
        writes |= part.writes
    return Effects(frozenset(reads), frozenset(writes))


def statement_effects(stmt: ast.stmt, shadowed: set[str], *, in_class: bool) -> Effects | None:
    """What a movable statement reads and writes when it runs, or ``None`` for a barrier."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
        parts = [_decorator_ok(d, shadowed) for d in stmt.decorator_list]
        parts += [pure_effects(e, shadowed) for e in _eager_parts(stmt)[len(parts) :]]
        merged = _merge(parts)
        if merged is None:
            return None
        return Effects(merged.reads, merged.writes | {stmt.name})
    if in_class:
        return None  # class attributes can be enum members or dataclass fields: order matters
    if isinstance(stmt, ast.ClassDef):
        parts = [_decorator_ok(d, shadowed) for d in stmt.decorator_list]
        parts += [pure_effects(e, shadowed) for e in [*stmt.bases, *stmt.keywords]]
        body_effects = _class_body_effects(stmt, shadowed)
        merged = _merge([*parts, body_effects])
        if merged is None:
            return None
        return Effects(merged.reads, merged.writes | {stmt.name})
    if isinstance(stmt, ast.Import | ast.ImportFrom):
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            return None
        if any(a.name == "*" for a in stmt.names):
            return None
        return Effects(frozenset(), frozenset(names_written(stmt)))
    if isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
        if stmt.value is None or not all(_name_target(t) for t in targets):
            return None
        value = pure_effects(stmt.value, shadowed)
        if value is None:
            return None
        writes = set(value.writes) | set().union(*(names_written(t) for t in targets))
        reads = set(value.reads)
        if isinstance(stmt, ast.AugAssign):
            reads |= writes
        if isinstance(stmt, ast.AnnAssign):
            reads |= names_read(stmt.annotation)
        return Effects(frozenset(reads), frozenset(writes))
    if isinstance(stmt, ast.Pass):
        return Effects(frozenset(), frozenset())
    return None


def _name_target(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return True
    if isinstance(target, ast.Starred):
        return _name_target(target.value)
    if isinstance(target, ast.Tuple | ast.List):
        return all(_name_target(e) for e in target.elts)
    return False


def _class_body_effects(cls: ast.ClassDef, shadowed: set[str]) -> Effects | None:
    """A class body runs when the class is defined: its eager parts must be pure."""
    reads: set[str] = set()
    writes: set[str] = set()
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            effects = statement_effects(stmt, shadowed, in_class=False)
            if effects is None:
                return None
            reads |= effects.reads
            writes |= effects.writes - {stmt.name}
            continue
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                func = node.func
                allowed = _INSPECTING_BUILTINS | _CONSUMING_BUILTINS | _CLASS_BODY_CALLS
                if not isinstance(func, ast.Name) or func.id not in allowed:
                    return None
                if func.id in shadowed:
                    return None
            elif isinstance(
                node, _EFFECTFUL | ast.Global | ast.Nonlocal | ast.Import | ast.ImportFrom
            ):
                return None
            elif isinstance(node, ast.Name) and not _is_store(node):
                reads.add(node.id)
    return Effects(frozenset(reads), frozenset(writes))


def _random_topological(effects: Sequence[Effects], rng: random.Random) -> list[int]:
    n = len(effects)
    preds: list[set[int]] = [set() for _ in range(n)]
    for j in range(n):
        for i in range(j):
            a, b = effects[i], effects[j]
            if a.writes & (b.reads | b.writes) or b.writes & a.reads:
                preds[j].add(i)
    order: list[int] = []
    done: set[int] = set()
    while len(order) < n:
        ready = [k for k in range(n) if k not in done and preds[k] <= done]
        pick = rng.choice(ready)
        order.append(pick)
        done.add(pick)
    return order


def reorder(source: str, rng: random.Random, *, min_moved: int = 3) -> Outcome:
    """Shuffle independent statements within each block, and definitions (functions, methods,
    classes) among themselves, never across a barrier (a statement with side effects)."""
    tree = parse_module(source)
    shadowed = module_bindings(tree)
    applied: Counter[str] = Counter()

    def visit(body: list[ast.stmt], *, in_class: bool, module: bool) -> None:
        start = _first_free_slot(body, module=module)
        run: list[tuple[int, Effects]] = []

        def flush() -> None:
            if len(run) >= 2:
                order = _random_topological([e for _, e in run], rng)
                first = run[0][0]
                block = body[first : first + len(run)]
                moved = sum(1 for k, src in enumerate(order) if k != src)
                if moved:
                    body[first : first + len(run)] = [block[k] for k in order]
                    kinds = {type(s).__name__ for s in block}
                    key = (
                        "definitions"
                        if kinds <= {"FunctionDef", "AsyncFunctionDef"}
                        else ("statements")
                    )
                    applied[key] += moved
            run.clear()

        for index in range(len(body)):
            stmt = body[index]
            effects = None
            if index >= start and not (
                isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
            ):
                effects = statement_effects(stmt, shadowed, in_class=in_class)
            if effects is None:
                flush()
            else:
                run.append((index, effects))
        flush()
        for stmt in body:
            scope = isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
            for inner in _bodies(stmt):
                inner_class = isinstance(stmt, ast.ClassDef) or (in_class and not scope)
                visit(inner, in_class=inner_class, module=False)

    visit(tree.body, in_class=False, module=True)
    if applied.total() < min_moved:
        raise DisguiseError(f"only {applied.total()} statements could move")
    return Outcome(unparse(tree), applied)


# --------------------------------------------------------------------------------------------
# dead code


@dataclass
class _Site:
    body: list[ast.stmt]
    function: ast.FunctionDef | ast.AsyncFunctionDef | None
    module: bool
    readable: list[str]
    params: list[str]


def _sites(tree: ast.Module) -> list[_Site]:
    """Every statement list with what dead code inserted there may read."""
    module_names = sorted(
        {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - set(keyword.kwlist)
    )
    out: list[_Site] = []

    def visit(
        body: list[ast.stmt],
        function: ast.FunctionDef | ast.AsyncFunctionDef | None,
        readable: list[str],
        params: list[str],
        module: bool,
    ) -> None:
        out.append(_Site(body, function, module, readable, params))
        for stmt in body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                declared = {
                    name
                    for node in walk_scope(stmt)
                    if isinstance(node, ast.Global | ast.Nonlocal)
                    for name in node.names
                }
                deleted = {
                    n.id
                    for n in walk_scope(stmt)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Del)
                }
                names = sorted(
                    (function_locals(stmt) | (set(module_names) & set(readable)))
                    - declared
                    - deleted
                )
                ps = sorted({a.arg for a in _all_args(stmt.args)} - deleted - declared)
                visit(stmt.body, stmt, names or ["None"], ps, False)
            elif isinstance(stmt, ast.ClassDef):
                visit(stmt.body, None, readable, [], False)
            else:
                for inner in _bodies(stmt):
                    visit(inner, function, readable, params, False)

    visit(tree.body, None, module_names or ["None"], [], True)
    return out


_LITERALS = ("0", "1", "None", "''", "[]", "{}", "()", "False", "-1", "'utf-8'", "4096", "0.0")


def _dead_statements(site: _Site, fresh: Fresh, rng: random.Random, count: int) -> list[ast.stmt]:
    """Plausible statements for a place that never runs (they may read anything in scope and
    store only to fresh names)."""
    templates = [
        "{f} = {a}",
        "{f} = {a} + 1",
        "{f} = len({a})",
        "{f} = [{a}, {b}]",
        "{f} = {a}.copy()",
        "print({a})",
        "{f} = str({a}) + {lit}",
        "{f} = {{{lit}: {a}}}",
        "{f} = {a} if {b} else {lit}",
        "raise ValueError({a})",
    ]
    if isinstance(site.function, ast.FunctionDef):
        templates += ["return {a}", "return None", "{f} = {a}[0]"]
    out: list[ast.stmt] = []
    for _ in range(count):
        text = rng.choice(templates).format(
            f=fresh.var(),
            a=rng.choice(site.readable),
            b=rng.choice(site.readable),
            lit=rng.choice(_LITERALS),
        )
        out.extend(ast.parse(text).body)
    return out


def _unused_assignment(site: _Site, fresh: Fresh, rng: random.Random) -> ast.stmt:
    """An assignment that runs but changes nothing: a literal, or a parameter (always bound)."""
    value = rng.choice(_LITERALS)
    if site.params and rng.random() < 0.5:
        p = rng.choice(site.params)
        value = rng.choice([p, f"{p} is None", f"({p}, {rng.choice(_LITERALS)})", f"[{p}]"])
    return ast.parse(f"{fresh.var()} = {value}").body[0]


def deadcode(source: str, rng: random.Random, *, density: float = 1.0) -> Outcome:
    """Insert code that never runs or changes nothing: statements after ``return``/``raise``,
    unused assignments of side-effect-free values, ``if False:``/``while False:`` blocks and
    no-op expression statements (``0``, ``None``, ``...``)."""
    tree = parse_module(source)
    fresh = Fresh(source, rng)
    sites = _sites(tree)
    statements = sum(len(s.body) for s in sites)
    budget = max(6, min(60, int(statements * density / 6)))
    applied: Counter[str] = Counter()
    weights = [len(s.body) for s in sites]
    for _ in range(budget * 3):
        if applied.total() >= budget:
            break
        site = rng.choices(sites, weights)[0]
        lo = _first_free_slot(site.body, module=site.module)
        if lo > len(site.body):
            continue
        kinds = ["if_false", "while_false", "noop"]
        if site.function is not None:
            kinds += ["unused_assignment", "unused_assignment"]
            last = site.body[-1]
            if isinstance(last, ast.Return | ast.Raise | ast.Continue | ast.Break):
                kinds += ["unreachable", "unreachable"]
        kind = rng.choice(kinds)
        if kind == "unreachable":
            site.body.extend(_dead_statements(site, fresh, rng, rng.randint(1, 2)))
        else:
            position = rng.randint(lo, len(site.body))
            if kind == "noop":
                new = ast.parse(rng.choice(["0", "None", "...", "1", "()"])).body[0]
            elif kind == "unused_assignment":
                new = _unused_assignment(site, fresh, rng)
            else:
                loop = "if" if kind == "if_false" else "while"
                new = ast.parse(f"{loop} False:\n    pass").body[0]
                new.body = _dead_statements(site, fresh, rng, rng.randint(1, 3))  # type: ignore[attr-defined]
            site.body.insert(position, new)
        applied[kind] += 1
    if applied.total() < 4:
        raise DisguiseError("too few places for dead code")
    return Outcome(unparse(tree), applied)


# --------------------------------------------------------------------------------------------
# restructure: the canonical-form list of issue 3


def restructure(source: str, rng: random.Random, *, rate: float = 0.7) -> Outcome:
    """Rewrite cheap syntactic variants in both directions: tuple assignment vs separate
    statements, augmented vs plain assignment, filling loop vs list, set or dict
    comprehension, ``for`` over a ``range`` vs counting ``while``, ``if``
    statement vs conditional expression, ``elif`` vs nested ``else: if``, redundant
    parentheses, ``pass``, ``not (a == b)`` vs ``a != b``, f-string vs ``.format`` vs ``%``,
    import aliasing, keyword vs positional arguments of module functions."""
    applied: Counter[str] = Counter()
    text = source
    # 1. tuple merge/split (tests/disguise.py), counted by the change in assignment shapes
    before = _assignment_shapes(parse_module(text))
    text = disguise(
        text,
        seed=rng.randrange(2**31),
        rename=False,
        reformat=False,
        strip_comments=False,
        tuple_merge=True,
        tuple_split=True,
    ).source
    after = _assignment_shapes(parse_module(text))
    if before != after:
        applied["tuple_assignment"] += abs(before[0] - after[0]) + abs(before[1] - after[1])
    tree = parse_module(text)
    rewriters: list[Callable[[ast.Module, random.Random, float, Counter[str]], None]] = [
        _rewrite_import_aliases,
        _rewrite_call_arguments,
        _rewrite_statements,
        _rewrite_expressions,
    ]
    for rewrite in rewriters:
        snapshot = copy.deepcopy(tree)
        counts: Counter[str] = Counter()
        rewrite(tree, rng, rate, counts)
        try:
            unparse(tree)
        except DisguiseError:
            tree = snapshot  # a rewrite that breaks the module is dropped whole
            continue
        applied += counts
    nested = _count_nested_else_if(text)
    if nested:
        applied["else_if_to_elif"] += nested
    out = unparse(tree)
    for text_pass in (_else_if_text, _parentheses_text):
        candidate, count = text_pass(out, rng, rate)
        if count and dump_tree(parse_module(candidate)) == dump_tree(parse_module(out)):
            check_compiles(candidate)
            out = candidate
            applied[text_pass.__name__.strip("_").removesuffix("_text")] += count
    if applied.total() < 3:
        raise DisguiseError("fewer than 3 restructurings apply")
    return Outcome(out, applied)


def _assignment_shapes(tree: ast.Module) -> tuple[int, int]:
    tuples = singles = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            if isinstance(node.targets[0], ast.Tuple) and isinstance(node.value, ast.Tuple):
                tuples += 1
            else:
                singles += 1
    return tuples, singles


def _count_nested_else_if(source: str) -> int:
    """``else:`` blocks holding only an ``if`` (``ast.unparse`` writes them as ``elif``)."""
    lines = source.splitlines()
    count = 0
    for node in ast.walk(parse_module(source)):
        if isinstance(node, ast.If) and len(node.orelse) == 1:
            inner = node.orelse[0]
            if isinstance(inner, ast.If) and lines[inner.lineno - 1].lstrip().startswith("if"):
                count += 1
    return count


# -- statements: augmented assignment, append loops, if/else vs conditional expression, pass


def _scope_nodes(tree: ast.Module) -> Iterator[ast.AST]:
    yield tree
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node


def _name_uses(scope: ast.AST) -> Counter[str]:
    """How often each name occurs in a scope, nested scopes included (over-counting is safe)."""
    return Counter(n.id for n in ast.walk(scope) if isinstance(n, ast.Name))


def _rewrite_statements(
    tree: ast.Module, rng: random.Random, rate: float, applied: Counter[str]
) -> None:
    for scope in _scope_nodes(tree):
        in_class = isinstance(scope, ast.ClassDef)
        uses = _name_uses(scope)
        stack: list[list[ast.stmt]] = [scope.body]  # type: ignore[attr-defined]
        while stack:
            body = stack.pop()
            _rewrite_block(body, rng, rate, applied, uses, in_class=in_class)
            for stmt in body:
                if not isinstance(stmt, _SCOPES):
                    stack.extend(_bodies(stmt))


def _rewrite_block(
    body: list[ast.stmt],
    rng: random.Random,
    rate: float,
    applied: Counter[str],
    uses: Counter[str],
    *,
    in_class: bool,
) -> None:
    index = 0
    while index < len(body):
        stmt = body[index]
        nxt = body[index + 1] if index + 1 < len(body) else None
        if not in_class and nxt is not None and rng.random() < rate:
            comp = _loop_to_comprehension(stmt, nxt, uses)
            if comp is not None:
                body[index : index + 2] = [comp]
                applied["loop_to_comprehension"] += 1
                index += 1
                continue
        if not in_class and rng.random() < rate:
            loop = _comprehension_to_loop(stmt, uses)
            if loop is not None:
                body[index : index + 1] = loop
                applied["comprehension_to_loop"] += 1
                index += 2
                continue
        if not in_class and rng.random() < rate:
            loop = _range_loop_to_while(stmt, uses)
            if loop is not None:
                body[index : index + 1] = loop
                applied["range_loop_to_while"] += 1
                index += 2
                continue
        if rng.random() < rate:
            replaced = _if_to_ifexp(stmt)
            if replaced is not None:
                body[index] = replaced
                applied["if_to_conditional_expression"] += 1
                index += 1
                continue
            replaced = _ifexp_to_if(stmt)
            if replaced is not None:
                body[index] = replaced
                applied["conditional_expression_to_if"] += 1
                index += 1
                continue
        if rng.random() < rate:
            replaced = _toggle_augmented(stmt)
            if replaced is not None:
                body[index] = replaced
                applied["augmented_assignment"] += 1
        index += 1
    if rng.random() < rate * 0.2:
        body.append(ast.Pass())
        applied["pass"] += 1
    elif len(body) > 1 and any(isinstance(s, ast.Pass) for s in body) and rng.random() < rate:
        body[:] = [s for s in body if not isinstance(s, ast.Pass)] or [ast.Pass()]
        applied["pass"] += 1


def _simple_target(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) or (
        isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
    )


def _number(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    )


def _toggle_augmented(stmt: ast.stmt) -> ast.stmt | None:
    """``x += 1`` <-> ``x = x + 1`` for a name or ``obj.attr`` and a numeric constant (where
    in-place and plain arithmetic agree)."""
    if isinstance(stmt, ast.AugAssign) and _simple_target(stmt.target) and _number(stmt.value):
        load = copy.deepcopy(stmt.target)
        load.ctx = ast.Load()
        return ast.Assign([stmt.target], ast.BinOp(load, stmt.op, stmt.value))
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and _simple_target(stmt.targets[0])
        and isinstance(stmt.value, ast.BinOp)
        and _number(stmt.value.right)
    ):
        target = stmt.targets[0]
        assert isinstance(target, ast.Name | ast.Attribute)
        load = copy.deepcopy(target)
        load.ctx = ast.Load()
        if dump_tree(stmt.value.left) == dump_tree(load):
            return ast.AugAssign(target, stmt.value.op, stmt.value.right)
    return None


def _empty_collection(value: ast.expr) -> type[ast.expr] | None:
    """The comprehension an empty ``[]``, ``set()``, ``{}`` or ``dict()`` is filled into."""
    if isinstance(value, ast.List) and not value.elts:
        return ast.ListComp
    if isinstance(value, ast.Dict) and not value.keys:
        return ast.DictComp
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in ("set", "dict")
        and not value.args
        and not value.keywords
    ):
        return ast.SetComp if value.func.id == "set" else ast.DictComp
    return None


def _filled_item(inner: ast.stmt, result: str, kind: type[ast.expr]) -> list[ast.expr] | None:
    """What one loop step adds to ``result`` (``r.append(e)``, ``r.add(e)``, ``r[k] = v``)."""
    if kind is ast.DictComp:
        if (
            isinstance(inner, ast.Assign)
            and len(inner.targets) == 1
            and isinstance(inner.targets[0], ast.Subscript)
            and isinstance(inner.targets[0].value, ast.Name)
            and inner.targets[0].value.id == result
            and not isinstance(inner.targets[0].slice, ast.Slice)
        ):
            return [inner.targets[0].slice, inner.value]
        return None
    method = "append" if kind is ast.ListComp else "add"
    if (
        isinstance(inner, ast.Expr)
        and isinstance(inner.value, ast.Call)
        and isinstance(inner.value.func, ast.Attribute)
        and inner.value.func.attr == method
        and isinstance(inner.value.func.value, ast.Name)
        and inner.value.func.value.id == result
        and len(inner.value.args) == 1
        and not inner.value.keywords
        and not isinstance(inner.value.args[0], ast.Starred)
    ):
        return [inner.value.args[0]]
    return None


def _loop_to_comprehension(first: ast.stmt, loop: ast.stmt, uses: Counter[str]) -> ast.stmt | None:
    """``r = []`` + ``for x in it: r.append(e)`` (optionally under one ``if``) -> ``r = [e for
    x in it if c]``, and the same for ``set()`` + ``r.add(e)`` and ``{}`` + ``r[k] = v``, when
    ``x`` is used nowhere else (a comprehension does not leak it)."""
    if not (
        isinstance(first, ast.Assign)
        and len(first.targets) == 1
        and isinstance(first.targets[0], ast.Name)
        and isinstance(loop, ast.For)
        and not loop.orelse
        and len(loop.body) == 1
    ):
        return None
    kind = _empty_collection(first.value)
    if kind is None:
        return None
    result = first.targets[0].id
    inner = loop.body[0]
    conditions: list[ast.expr] = []
    if isinstance(inner, ast.If) and not inner.orelse and len(inner.body) == 1:
        conditions.append(inner.test)
        inner = inner.body[0]
    item = _filled_item(inner, result, kind)
    if item is None:
        return None
    parts: list[ast.AST] = [*item, loop.iter, *conditions]
    if any(result in names_read(p) for p in parts):
        return None
    if any(
        _contains(p, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda))
        for p in parts
    ):
        return None
    if not _name_target(loop.target):
        return None
    targets = names_written(loop.target)
    loop_uses = _name_uses(loop)
    if any(uses[t] != loop_uses[t] for t in targets):
        return None
    generators = [ast.comprehension(loop.target, loop.iter, conditions, 0)]
    comp: ast.expr
    if kind is ast.DictComp:
        comp = ast.DictComp(item[0], item[1], generators)
    elif kind is ast.SetComp:
        comp = ast.SetComp(item[0], generators)
    else:
        comp = ast.ListComp(item[0], generators)
    return ast.Assign([first.targets[0]], comp)


def _comprehension_to_loop(stmt: ast.stmt, uses: Counter[str]) -> list[ast.stmt] | None:
    """``r = [e for x in it if c]`` -> ``r = []`` + ``for x in it: if c: r.append(e)`` (sets
    fill with ``r.add(e)`` from ``set()``, dictionaries with ``r[k] = v`` from ``{}``), when
    ``x`` is used nowhere else (the loop leaks it) and nothing captures it."""
    if not (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and isinstance(stmt.targets[0], ast.Name)
        and isinstance(stmt.value, ast.ListComp | ast.SetComp | ast.DictComp)
        and len(stmt.value.generators) == 1
        and not stmt.value.generators[0].is_async
        and len(stmt.value.generators[0].ifs) <= 1
    ):
        return None
    comp = stmt.value
    gen = comp.generators[0]
    result = stmt.targets[0].id
    if result in names_read(comp) or not _name_target(gen.target):
        return None
    items = [comp.key, comp.value] if isinstance(comp, ast.DictComp) else [comp.elt]
    if any(_contains(e, (ast.Lambda, *_COMPREHENSIONS), scope_only=False) for e in items) or any(
        _contains(c, (ast.Lambda, *_COMPREHENSIONS), scope_only=False) for c in gen.ifs
    ):
        return None
    if _contains(comp, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr), scope_only=False):
        return None
    comp_uses = _name_uses(comp)
    if any(uses[t] != comp_uses[t] for t in names_written(gen.target)):
        return None
    target = ast.Name(result, ast.Load())
    fill: ast.stmt
    empty: ast.expr
    if isinstance(comp, ast.DictComp):
        fill = ast.Assign([ast.Subscript(target, comp.key, ast.Store())], comp.value)
        empty = ast.Dict([], [])
    elif isinstance(comp, ast.SetComp):
        fill = ast.Expr(ast.Call(ast.Attribute(target, "add", ast.Load()), [comp.elt], []))
        empty = ast.Call(ast.Name("set", ast.Load()), [], [])
    else:
        fill = ast.Expr(ast.Call(ast.Attribute(target, "append", ast.Load()), [comp.elt], []))
        empty = ast.List([], ast.Load())
    inner: ast.stmt = fill
    if gen.ifs:
        inner = ast.If(gen.ifs[0], [fill], [])
    return [
        ast.Assign([ast.Name(result, ast.Store())], empty),
        ast.For(gen.target, gen.iter, [inner], []),
    ]


def _range_loop_to_while(stmt: ast.stmt, uses: Counter[str]) -> list[ast.stmt] | None:
    """``for i in range(a, b, s): body`` -> ``i = a`` + ``while i < b: body; i += s``, when the
    loop has no ``else``, nothing in the body can skip the step (``continue``) or assign
    ``i``, ``s`` is a positive literal, ``i`` is used nowhere else (the loops leave it at
    different values), and the body can change nothing ``b`` reads (``while`` re-evaluates it)."""
    if not (
        isinstance(stmt, ast.For)
        and not stmt.orelse
        and isinstance(stmt.target, ast.Name)
        and isinstance(stmt.iter, ast.Call)
        and isinstance(stmt.iter.func, ast.Name)
        and stmt.iter.func.id == "range"
        and 1 <= len(stmt.iter.args) <= 3
        and not stmt.iter.keywords
        and not any(isinstance(a, ast.Starred) for a in stmt.iter.args)
    ):
        return None
    args = stmt.iter.args
    start: ast.expr = args[0] if len(args) > 1 else ast.Constant(0)
    end = args[1] if len(args) > 1 else args[0]
    step = args[2] if len(args) == 3 else ast.Constant(1)
    if not (isinstance(step, ast.Constant) and type(step.value) is int and step.value > 0):
        return None
    counter = stmt.target.id
    body = ast.Module(stmt.body, [])
    if _contains(body, (ast.Continue,), scope_only=False) or counter in names_written(body):
        return None
    if uses[counter] != _name_uses(stmt)[counter]:
        return None
    end_names = names_read(end)
    if counter in end_names or end_names & names_written(body):
        return None
    if any(
        isinstance(node, ast.Attribute | ast.Subscript)
        and isinstance(node.value, ast.Name)
        and node.value.id in end_names
        for node in ast.walk(body)
    ):
        return None  # a method call or item assignment could change what ``b`` evaluates to
    if _contains(end, (ast.Await, ast.Yield, ast.YieldFrom, ast.NamedExpr, ast.Lambda)):
        return None
    step_statement = ast.AugAssign(ast.Name(counter, ast.Store()), ast.Add(), step)
    return [
        ast.Assign([ast.Name(counter, ast.Store())], start),
        ast.While(
            ast.Compare(ast.Name(counter, ast.Load()), [ast.Lt()], [end]),
            [*stmt.body, step_statement],
            [],
        ),
    ]


def _if_to_ifexp(stmt: ast.stmt) -> ast.stmt | None:
    """``if c: x = a`` / ``else: x = b`` -> ``x = a if c else b`` (also for ``return``)."""
    if not (isinstance(stmt, ast.If) and len(stmt.body) == 1 and len(stmt.orelse) == 1):
        return None
    a, b = stmt.body[0], stmt.orelse[0]
    if isinstance(a, ast.Return) and isinstance(b, ast.Return) and a.value and b.value:
        return ast.Return(ast.IfExp(stmt.test, a.value, b.value))
    if (
        isinstance(a, ast.Assign)
        and isinstance(b, ast.Assign)
        and len(a.targets) == len(b.targets) == 1
        and _simple_target(a.targets[0])
        and dump_tree(a.targets[0]) == dump_tree(b.targets[0])
    ):
        return ast.Assign(a.targets, ast.IfExp(stmt.test, a.value, b.value))
    return None


def _ifexp_to_if(stmt: ast.stmt) -> ast.stmt | None:
    """``x = a if c else b`` -> ``if c: x = a`` / ``else: x = b`` (also for ``return``)."""
    if isinstance(stmt, ast.Return) and isinstance(stmt.value, ast.IfExp):
        v = stmt.value
        return ast.If(v.test, [ast.Return(v.body)], [ast.Return(v.orelse)])
    if (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and _simple_target(stmt.targets[0])
        and isinstance(stmt.value, ast.IfExp)
    ):
        v = stmt.value
        target = stmt.targets[0]
        return ast.If(
            v.test,
            [ast.Assign([target], v.body)],
            [ast.Assign([copy.deepcopy(target)], v.orelse)],
        )
    return None


# -- expressions: negated comparisons, string formatting


_NEGATED: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.NotEq: ast.Eq,
    ast.NotIn: ast.In,
    ast.IsNot: ast.Is,
}
_POSITIVE: dict[type[ast.cmpop], type[ast.cmpop]] = {v: k for k, v in _NEGATED.items()}


class _ExpressionRewriter(ast.NodeTransformer):
    def __init__(self, rng: random.Random, rate: float, applied: Counter[str]) -> None:
        self.rng = rng
        self.rate = rate
        self.applied = applied

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        op = type(node.ops[0]) if len(node.ops) == 1 else None
        if op in _NEGATED and self.rng.random() < self.rate:
            self.applied["negated_comparison"] += 1
            positive = ast.Compare(node.left, [_NEGATED[op]()], node.comparators)
            return ast.UnaryOp(ast.Not(), positive)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        operand = node.operand
        if (
            isinstance(node.op, ast.Not)
            and isinstance(operand, ast.Compare)
            and len(operand.ops) == 1
            and type(operand.ops[0]) in _POSITIVE
            and self.rng.random() < self.rate
        ):
            self.applied["negated_comparison"] += 1
            op = _POSITIVE[type(operand.ops[0])]()
            return ast.Compare(operand.left, [op], operand.comparators)
        return node

    def visit_JoinedStr(self, node: ast.JoinedStr) -> ast.AST:
        return self._reformat(node, _template_of_fstring(node))

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        return self._reformat(node, _template_of_format_call(node))

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        return self._reformat(node, _template_of_percent(node))

    def _reformat(self, node: ast.expr, template: _Template | None) -> ast.AST:
        if template is None or not template.fields or self.rng.random() >= self.rate:
            return node
        styles = [s for s in ("fstring", "format", "percent") if s != template.style]
        self.rng.shuffle(styles)
        for style in styles:
            new = template.render(style)
            if new is not None and _expression_round_trips(new):
                self.applied[f"{template.style}_to_{style}"] += 1
                return new
        return node


def _expression_round_trips(node: ast.expr) -> bool:
    try:
        text = ast.unparse(ast.fix_missing_locations(node))
        return dump_tree(ast.parse(text, mode="eval").body) == dump_tree(node)
    except (SyntaxError, ValueError, RecursionError, TypeError, AttributeError):
        return False


@dataclass
class _Field:
    value: ast.expr
    conversion: str  # "", "s", "r" or "a"
    spec: str


@dataclass
class _Template:
    style: str
    parts: list[str | _Field]

    @property
    def fields(self) -> list[_Field]:
        return [p for p in self.parts if isinstance(p, _Field)]

    def render(self, style: str) -> ast.expr | None:
        if style == "fstring":
            values: list[ast.expr] = []
            for part in self.parts:
                if isinstance(part, str):
                    values.append(ast.Constant(part))
                else:
                    spec_node = ast.JoinedStr([ast.Constant(part.spec)]) if part.spec else None
                    conversion = ord(part.conversion) if part.conversion else -1
                    values.append(ast.FormattedValue(part.value, conversion, spec_node))
            return ast.JoinedStr(values)
        if style == "format":
            text = ""
            for part in self.parts:
                if isinstance(part, str):
                    text += part.replace("{", "{{").replace("}", "}}")
                else:
                    conv = f"!{part.conversion}" if part.conversion else ""
                    spec = f":{part.spec}" if part.spec else ""
                    text += "{" + conv + spec + "}"
            func = ast.Attribute(ast.Constant(text), "format", ast.Load())
            return ast.Call(func, [f.value for f in self.fields], [])
        # percent: exact only for explicit str()/repr()/ascii() conversions without a spec
        text = ""
        for part in self.parts:
            if isinstance(part, str):
                text += part.replace("%", "%%")
            elif part.conversion and not part.spec:
                text += "%" + part.conversion
            else:
                return None
        args = ast.Tuple([f.value for f in self.fields], ast.Load())
        return ast.BinOp(ast.Constant(text), ast.Mod(), args)


def _template_of_fstring(node: ast.JoinedStr) -> _Template | None:
    parts: list[str | _Field] = []
    for value in node.values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            parts.append(value.value)
        elif isinstance(value, ast.FormattedValue):
            spec = ""
            if value.format_spec is not None:
                spec_values = value.format_spec.values  # type: ignore[attr-defined]
                if not all(isinstance(v, ast.Constant) for v in spec_values):
                    return None
                spec = "".join(v.value for v in spec_values)
            conversion = chr(value.conversion) if value.conversion != -1 else ""
            parts.append(_Field(value.value, conversion, spec))
        else:
            return None
    return _Template("fstring", parts)


def _template_of_format_call(node: ast.Call) -> _Template | None:
    func = node.func
    if not (
        isinstance(func, ast.Attribute)
        and func.attr == "format"
        and isinstance(func.value, ast.Constant)
        and isinstance(func.value.value, str)
        and not node.keywords
        and not any(isinstance(a, ast.Starred) for a in node.args)
    ):
        return None
    try:
        pieces = list(string.Formatter().parse(func.value.value))
    except ValueError:
        return None
    parts: list[str | _Field] = []
    used: list[int] = []
    auto = 0
    for literal, name, spec, conversion in pieces:
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if name == "":
            index = auto
            auto += 1
        elif name.isdigit():
            index = int(name)
        else:
            return None
        if index >= len(node.args) or (spec and "{" in spec):
            return None
        used.append(index)
        parts.append(_Field(node.args[index], conversion or "", spec or ""))
    if sorted(used) != list(range(len(node.args))) or used != sorted(used):
        return None  # every argument once, in order: evaluation order and count unchanged
    return _Template("format", parts)


_PERCENT = re.compile(r"%(?P<flag>-?)(?P<width>\d*)(?P<conv>[sra%])|%")


def _template_of_percent(node: ast.BinOp) -> _Template | None:
    if not (
        isinstance(node.op, ast.Mod)
        and isinstance(node.left, ast.Constant)
        and isinstance(node.left.value, str)
        and isinstance(node.right, ast.Tuple)
        and not any(isinstance(e, ast.Starred) for e in node.right.elts)
    ):
        return None
    text = node.left.value
    parts: list[str | _Field] = []
    args = list(node.right.elts)
    pos = 0
    for match in _PERCENT.finditer(text):
        literal = text[pos : match.start()]
        pos = match.end()
        if literal:
            parts.append(literal)
        conv = match.group("conv")
        if conv is None:
            return None
        if conv == "%":
            if match.group("flag") or match.group("width"):
                return None
            parts.append("%")
            continue
        if not args:
            return None
        spec = ""
        if match.group("width"):
            spec = ("<" if match.group("flag") else ">") + match.group("width")
        parts.append(_Field(args.pop(0), conv, spec))
    if args:
        return None
    if text[pos:]:
        parts.append(text[pos:])
    return _Template("percent", parts)


def _rewrite_expressions(
    tree: ast.Module, rng: random.Random, rate: float, applied: Counter[str]
) -> None:
    _ExpressionRewriter(rng, rate, applied).visit(tree)


# -- import aliases


def _binding_counts(tree: ast.Module, declarations: int = 0) -> Counter[str]:
    """How often each name is bound in ``tree`` (stores, definitions, parameters, imports);
    ``global``/``nonlocal`` declarations count ``declarations`` times."""
    binders: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and _is_store(node):
            binders[node.id] += 1
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            binders[node.name] += 1
        elif isinstance(node, ast.arg):
            binders[node.arg] += 1
        elif isinstance(node, ast.alias):
            binders[(node.asname or node.name).split(".")[0]] += 1
        elif declarations and isinstance(node, ast.Global | ast.Nonlocal):
            for name in node.names:
                binders[name] += declarations
    return binders


def _rewrite_import_aliases(
    tree: ast.Module, rng: random.Random, rate: float, applied: Counter[str]
) -> None:
    """``import m`` <-> ``import m as alias`` and ``from m import n`` <-> ``from m import n as
    alias`` at module level, replacing every use, when neither name is bound anywhere else."""
    text = ast.unparse(tree)
    fresh = Fresh(text, rng)
    binders = _binding_counts(tree, declarations=2)
    exported = _exported_names(tree)
    words = Counter(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))
    renames: dict[str, ast.expr] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.Import | ast.ImportFrom) or len(stmt.names) != 1:
            continue
        if isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__":
            continue
        alias = stmt.names[0]
        if alias.name == "*":
            continue
        bound = (alias.asname or alias.name).split(".")[0]
        if binders[bound] != 1 or bound in exported or rng.random() >= rate:
            continue
        if alias.asname is None:
            if "." in alias.name:
                continue
            new = (
                fresh.private()
                if isinstance(stmt, ast.ImportFrom)
                else _module_alias(alias.name, fresh)
            )
            alias.asname = new
            renames[bound] = ast.Name(new, ast.Load())
            applied["import_alias_added"] += 1
        else:
            plain = alias.name.split(".")[0] if isinstance(stmt, ast.Import) else alias.name
            here = Counter(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", ast.unparse(stmt)))
            if binders[plain] != 0 or words[plain] != here[plain] or plain in _BUILTIN_NAMES:
                continue
            chain: ast.expr = ast.Name(plain, ast.Load())
            if isinstance(stmt, ast.Import):
                for attr in alias.name.split(".")[1:]:
                    chain = ast.Attribute(chain, attr, ast.Load())
            alias.asname = None
            renames[bound] = chain
            applied["import_alias_removed"] += 1

    class Replace(ast.NodeTransformer):
        def visit_Name(self, node: ast.Name) -> ast.AST:
            if node.id in renames and isinstance(node.ctx, ast.Load):
                return copy.deepcopy(renames[node.id])
            return node

    if renames:
        Replace().visit(tree)


_BUILTIN_NAMES = frozenset(dir(builtins)) | frozenset(keyword.kwlist)


def _module_alias(name: str, fresh: Fresh) -> str:
    for candidate in (f"_{name}", name[:2], f"{name}_mod", f"{name}lib"):
        if candidate not in fresh.taken and candidate.isidentifier():
            fresh.taken.add(candidate)
            return candidate
    return fresh.var()


def _exported_names(tree: ast.Module) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and node.value.isidentifier()
        ):
            out.add(node.value)
    return out


# -- keyword vs positional arguments of module-level functions


def _rewrite_call_arguments(
    tree: ast.Module, rng: random.Random, rate: float, applied: Counter[str]
) -> None:
    binders = _binding_counts(tree)
    functions: dict[str, list[str]] = {}
    for stmt in tree.body:
        if (
            isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef)
            and not stmt.decorator_list
            and not stmt.args.posonlyargs
            and binders[stmt.name] == 1
        ):
            functions[stmt.name] = [a.arg for a in stmt.args.args]
    if not functions:
        return
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in functions
            and not any(isinstance(a, ast.Starred) for a in node.args)
            and all(k.arg is not None for k in node.keywords)
        ):
            continue
        params = functions[node.func.id]
        if len(node.args) > len(params) or rng.random() >= rate:
            continue
        if node.args and not node.keywords:
            # positional -> keyword, for a suffix of the positional arguments
            keep = rng.randrange(len(node.args))
            moved = node.args[keep:]
            node.keywords = [
                ast.keyword(params[keep + k], value) for k, value in enumerate(moved)
            ] + node.keywords
            node.args = node.args[:keep]
            applied["positional_to_keyword"] += len(moved)
        elif node.keywords:
            # keyword -> positional, when the keywords are the next parameters in order
            names = [k.arg for k in node.keywords]
            start = len(node.args)
            if names == params[start : start + len(names)]:
                node.args = node.args + [k.value for k in node.keywords]
                node.keywords = []
                applied["keyword_to_positional"] += len(names)


# -- text passes: nested else-if and redundant parentheses


def _else_if_text(text: str, rng: random.Random, rate: float) -> tuple[str, int]:
    """Write some ``elif c:`` as ``else:`` + an indented ``if c:``."""
    tree = parse_module(text)
    lines = text.splitlines(keepends=True)
    chosen: list[ast.If] = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and len(node.orelse) == 1
            and isinstance(node.orelse[0], ast.If)
        ):
            inner = node.orelse[0]
            multiline = any(
                isinstance(n, ast.Constant | ast.JoinedStr) and n.lineno != n.end_lineno
                for n in ast.walk(inner)
            )
            if (
                not multiline
                and lines[inner.lineno - 1].lstrip().startswith("elif ")
                and rng.random() < rate
            ):
                chosen.append(inner)
    chosen.sort(key=lambda n: n.lineno, reverse=True)
    added: list[int] = []  # original line numbers of conversions already applied (below)
    for node in chosen:
        start = node.lineno - 1
        end = (node.end_lineno or node.lineno) + sum(
            1 for a in added if node.lineno < a <= (node.end_lineno or 0)
        )
        head = lines[start]
        indent = head[: len(head) - len(head.lstrip())]
        body = [head.replace("elif ", "if ", 1), *lines[start + 1 : end]]
        lines[start:end] = [f"{indent}else:\n", *("    " + ln if ln.strip() else ln for ln in body)]
        added.append(node.lineno)
    return "".join(lines), len(chosen)


def _parentheses_text(text: str, rng: random.Random, rate: float) -> tuple[str, int]:
    """Wrap some expressions in redundant parentheses: returned and assigned values,
    conditions, and the operand of ``not``."""
    tree = parse_module(text)
    spans: list[tuple[int, int, int, int]] = []
    for node in ast.walk(tree):
        target: ast.expr | None = None
        if isinstance(node, ast.Return | ast.Assign) and node.value is not None:
            target = node.value
        elif isinstance(node, ast.If | ast.While):
            target = node.test
        elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            target = node.operand
        if target is None or target.end_lineno is None or target.end_col_offset is None:
            continue
        if isinstance(target, ast.Tuple) or rng.random() >= rate * 0.3:
            continue
        spans.append((target.lineno, target.col_offset, target.end_lineno, target.end_col_offset))
    lines = text.splitlines(keepends=True)
    encoded = [ln.encode() for ln in lines]
    edits: list[tuple[int, int, str]] = []
    for line, col, end_line, end_col in spans:
        edits.append((line - 1, col, "("))
        edits.append((end_line - 1, end_col, ")"))
    edits.sort(key=lambda e: (e[0], e[1], e[2] == "("), reverse=True)
    for row, col, paren in edits:
        encoded[row] = encoded[row][:col] + paren.encode() + encoded[row][col:]
    return b"".join(encoded).decode(), len(spans)


# --------------------------------------------------------------------------------------------
# extract / inline


def extract_inline(source: str, rng: random.Random, *, extractions: int = 2) -> Outcome:
    """Extract blocks of functions into new helper functions, and inline small one-expression
    helpers into their callers."""
    tree = parse_module(source)
    fresh = Fresh(source, rng)
    applied: Counter[str] = Counter()
    _inline_helpers(tree, rng, applied)
    candidates = list(_extractable_functions(tree))
    rng.shuffle(candidates)
    for container, fn in candidates:
        if applied["extract"] >= extractions:
            break
        helper = _extract_from(fn, rng, fresh)
        if helper is None:
            continue
        anchor = fn if container is tree.body else _owner_in(tree.body, container)
        container_body = tree.body
        container_body.insert(container_body.index(anchor), helper)
        applied["extract"] += 1
    if applied.total() == 0:
        raise DisguiseError("nothing to extract or inline")
    return Outcome(unparse(tree), applied)


def _owner_in(module_body: list[ast.stmt], container: list[ast.stmt]) -> ast.stmt:
    for stmt in module_body:
        if isinstance(stmt, ast.ClassDef) and stmt.body is container:
            return stmt
    raise DisguiseError("container not found")


def _extractable_functions(
    tree: ast.Module,
) -> Iterator[tuple[list[ast.stmt], ast.FunctionDef]]:
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef):
            yield tree.body, stmt
        elif isinstance(stmt, ast.ClassDef):
            for inner in stmt.body:
                if isinstance(inner, ast.FunctionDef):
                    yield stmt.body, inner


_BANNED_NAMES = frozenset({"super", "locals", "vars", "eval", "exec", "__class__", "globals"})


def _extract_from(fn: ast.FunctionDef, rng: random.Random, fresh: Fresh) -> ast.FunctionDef | None:
    body = fn.body
    start = 1 if _has_docstring(body) else 0
    if len(body) - start < 3:
        return None
    for node in walk_scope(fn):
        if isinstance(node, ast.Global | ast.Nonlocal | ast.Yield | ast.YieldFrom | ast.Await):
            return None
        if isinstance(node, ast.Name) and node.id in _BANNED_NAMES:
            return None
        name = getattr(node, "id", None) or getattr(node, "attr", None) or ""
        if name.startswith("__") and not name.endswith("__"):
            return None  # private names are mangled inside a class body only
    local = function_locals(fn)
    params = {a.arg for a in _all_args(fn.args)}
    for _ in range(6):
        i = rng.randrange(start, len(body) - 1)
        j = rng.randrange(i + 1, min(len(body), i + 8) + 1)
        if j - i < 2 and not (j - i == 1 and _compound(body[i])):
            continue
        helper = _try_extract(fn, i, j, local, params, fresh)
        if helper is not None:
            return helper
    return None


def _compound(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.If | ast.For | ast.While | ast.With | ast.Try)


def _definitely_bound(stmts: Sequence[ast.stmt]) -> set[str]:
    out: set[str] = set()
    for stmt in stmts:
        if isinstance(stmt, ast.Assign | ast.Import | ast.ImportFrom) or (
            isinstance(stmt, ast.AnnAssign) and stmt.value is not None
        ):
            out |= names_written(stmt)
    return out


def _try_extract(
    fn: ast.FunctionDef,
    i: int,
    j: int,
    local: set[str],
    params: set[str],
    fresh: Fresh,
) -> ast.FunctionDef | None:
    body = fn.body
    block = body[i:j]
    for stmt in block:
        for node in walk_scope(stmt):
            if isinstance(node, (ast.Return, ast.Delete, *_SCOPES)):
                return None
        if _loose_jump(stmt):
            return None
    before = body[:i]
    after = body[j:]
    maybe_before = params | set().union(*(names_written(s) for s in before))
    sure_before = params | _definitely_bound(before)
    read_in = set().union(*(names_read(s) for s in block)) & local
    written_in = set().union(*(names_written(s) for s in block))
    read_after = set().union(*(names_read(s) for s in after)) if after else set()
    inputs: set[str] = set()
    for name in read_in | (written_in & read_after):
        if name in maybe_before:
            if name not in sure_before:
                return None
            inputs.add(name)
    outputs = sorted(written_in & read_after)
    sure_in = _definitely_bound(block)
    for name in outputs:
        if name not in sure_before and name not in sure_in:
            return None
    for name in read_in - maybe_before:
        if name not in written_in:
            return None
    name = fresh.func(fn.name)
    ordered_inputs = sorted(inputs)
    helper_body = [*block]
    if outputs:
        value: ast.expr = (
            ast.Name(outputs[0], ast.Load())
            if len(outputs) == 1
            else ast.Tuple([ast.Name(o, ast.Load()) for o in outputs], ast.Load())
        )
        helper_body.append(ast.Return(value))
    helper = ast.FunctionDef(
        name,
        ast.arguments([], [ast.arg(p) for p in ordered_inputs], None, [], [], None, []),
        helper_body,
        [],
        None,
    )
    call = ast.Call(
        ast.Name(name, ast.Load()), [ast.Name(p, ast.Load()) for p in ordered_inputs], []
    )
    site: ast.stmt
    if not outputs:
        site = ast.Expr(call)
    elif len(outputs) == 1:
        site = ast.Assign([ast.Name(outputs[0], ast.Store())], call)
    else:
        site = ast.Assign(
            [ast.Tuple([ast.Name(o, ast.Store()) for o in outputs], ast.Store())], call
        )
    body[i:j] = [site]
    return helper


def _loose_jump(stmt: ast.stmt) -> bool:
    """A ``break``/``continue`` that would leave the extracted block."""
    stack: list[tuple[ast.AST, bool]] = [(stmt, False)]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, ast.Break | ast.Continue) and not in_loop:
            return True
        inner = in_loop or isinstance(node, ast.For | ast.While | ast.AsyncFor)
        for child in ast.iter_child_nodes(node):
            loop_body = (
                isinstance(node, ast.For | ast.While | ast.AsyncFor) and child not in node.orelse
            )
            stack.append((child, in_loop or (inner and loop_body)))
    return False


def _inline_helpers(tree: ast.Module, rng: random.Random, applied: Counter[str]) -> None:
    """Replace calls of ``def h(a, b): return expr`` by ``expr`` with the arguments put in, when
    every argument is a name, constant or attribute chain (evaluating it twice or not at all
    changes nothing) and the caller binds none of ``expr``'s free names."""
    binders: Counter[str] = Counter()
    for node in ast.walk(tree):
        for name in _bound_by(node):
            binders[name] += 1
    exported = _exported_names(tree)
    helpers: dict[str, ast.FunctionDef] = {}
    for stmt in tree.body:
        if not isinstance(stmt, ast.FunctionDef) or stmt.decorator_list:
            continue
        args = stmt.args
        if args.posonlyargs or args.vararg or args.kwarg or args.kwonlyargs or args.defaults:
            continue
        body = stmt.body[1:] if _has_docstring(stmt.body) else stmt.body
        if len(body) != 1 or not isinstance(body[0], ast.Return) or body[0].value is None:
            continue
        if binders[stmt.name] != 1:
            continue
        expr = body[0].value
        banned = (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom, *_COMPREHENSIONS)
        if _contains(expr, banned, scope_only=False) or names_read(expr) & _BANNED_NAMES:
            continue
        helpers[stmt.name] = stmt
    if not helpers:
        return
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node

    def enclosing_scope(node: ast.AST) -> ast.AST:
        cur = parents.get(id(node))
        while cur is not None and not isinstance(cur, (*_SCOPES, ast.Module, *_COMPREHENSIONS)):
            cur = parents.get(id(cur))
        return cur if cur is not None else tree

    inlined: Counter[str] = Counter()

    class Inline(ast.NodeTransformer):
        def visit_Call(self, node: ast.Call) -> ast.AST:
            self.generic_visit(node)
            if not (isinstance(node.func, ast.Name) and node.func.id in helpers):
                return node
            helper = helpers[node.func.id]
            params = [a.arg for a in helper.args.args]
            if node.keywords or len(node.args) != len(params):
                return node
            if not all(_simple_argument(a) for a in node.args):
                return node
            scope = enclosing_scope(node)
            if scope is helper or rng.random() >= 0.85:
                return node
            expr = helper.body[-1].value  # type: ignore[attr-defined]
            free = names_read(expr) - set(params)
            shadow: set[str] = set()
            cur: ast.AST | None = scope
            while cur is not None and cur is not tree:
                shadow |= _scope_bindings(cur)
                cur = enclosing_scope(cur)
            if free & shadow:
                return node
            mapping = dict(zip(params, node.args, strict=True))

            class Substitute(ast.NodeTransformer):
                def visit_Name(self, name: ast.Name) -> ast.AST:
                    if name.id in mapping and isinstance(name.ctx, ast.Load):
                        return copy.deepcopy(mapping[name.id])
                    return name

            inlined[helper.name] += 1
            return Substitute().visit(copy.deepcopy(expr))  # type: ignore[no-any-return]

    Inline().visit(tree)
    for name, count in inlined.items():
        applied["inline"] += count
        still_used = any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(tree))
        if not still_used and name.startswith("_") and name not in exported:
            tree.body.remove(helpers[name])


def _bound_by(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name) and _is_store(node):
        return [node.id]
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [(node.asname or node.name).split(".")[0]]
    return []


def _scope_bindings(scope: ast.AST) -> set[str]:
    out: set[str] = set()
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        out |= {a.arg for a in _all_args(scope.args)}
    for node in walk_scope(scope):
        if node is not scope:
            out.update(_bound_by(node))
    if isinstance(scope, _COMPREHENSIONS):
        for gen in scope.generators:
            out |= names_written(gen.target)
    return out


def _simple_argument(node: ast.expr) -> bool:
    if isinstance(node, ast.Name | ast.Constant):
        return True
    return isinstance(node, ast.Attribute) and _simple_argument(node.value)


# --------------------------------------------------------------------------------------------
# partial copy


def partial_copy(
    original: str, host: str, rng: random.Random, *, seed: int
) -> tuple[Outcome, float]:
    """Copy 20-60% of ``original``'s top-level definitions (lightly renamed), with the imports
    and constants they use, into ``host`` at random top-level positions.  Returns the mixed
    file and the share of ``original``'s lines copied."""
    tree = parse_module(original)
    total_lines = max(1, len(original.splitlines()))
    defs = [
        s for s in tree.body if isinstance(s, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    ]
    if len(defs) < 2:
        raise DisguiseError("fewer than two definitions")

    def span(node: ast.stmt) -> int:
        return (node.end_lineno or node.lineno) - first_line(node) + 1

    chosen: list[ast.stmt] = []
    share = 0.0
    for _ in range(8):
        target = rng.uniform(0.25, 0.55)
        chosen = []
        lines = 0
        order = defs[:]
        rng.shuffle(order)
        for node in order:
            if lines / total_lines >= target:
                break
            if (lines + span(node)) / total_lines <= 0.6:
                chosen.append(node)
                lines += span(node)
        share = lines / total_lines
        if 0.2 <= share <= 0.6:
            break
    else:
        raise DisguiseError(f"cannot pick 20-60% of the definitions (got {share:.0%})")
    chosen.sort(key=lambda n: n.lineno)
    used = set().union(*(names_read(n) for n in chosen))
    imports = [
        s
        for s in tree.body
        if isinstance(s, ast.Import | ast.ImportFrom)
        and not (isinstance(s, ast.ImportFrom) and s.module == "__future__")
        and not any(a.name == "*" for a in s.names)
    ]
    constants = [
        s
        for s in tree.body
        if isinstance(s, ast.Assign | ast.AnnAssign) and names_written(s) & used
    ]
    chunk = ast.Module([*imports, *constants, *chosen], [])
    renamed = _renamed(unparse(chunk), seed)
    chunk_tree = parse_module(renamed.source)
    host_tree = parse_module(host)
    host_names = module_bindings(host_tree) | names_read(host_tree)
    host_imports = {
        dump_tree(s) for s in host_tree.body if isinstance(s, ast.Import | ast.ImportFrom)
    }
    new_imports = [
        s
        for s in chunk_tree.body
        if isinstance(s, ast.Import | ast.ImportFrom) and dump_tree(s) not in host_imports
    ]
    rest = [s for s in chunk_tree.body if not isinstance(s, ast.Import | ast.ImportFrom)]
    bound = set().union(*(_top_level_names(s) for s in rest))
    for imp in new_imports:
        assert isinstance(imp, ast.Import | ast.ImportFrom)
        for alias in imp.names:
            name = alias.asname or alias.name
            if isinstance(imp, ast.ImportFrom) or alias.asname or "." in name:
                bound.add(name.split(".")[0])
    clash = bound & host_names
    if clash:
        raise DisguiseError(f"copied names clash with the host: {sorted(clash)[:3]}")
    host_lines = host.splitlines(keepends=True)
    if host_lines and not host_lines[-1].endswith("\n"):
        host_lines[-1] += "\n"
    slots = [
        first_line(s) - 1 for s in host_tree.body[_first_free_slot(host_tree.body, module=True) :]
    ] + [len(host_lines)]
    import_slot = slots[0]
    positions = sorted(rng.choice(slots) for _ in rest)
    inserts: dict[int, list[str]] = {}
    inserts.setdefault(import_slot, []).append("".join(ast.unparse(s) + "\n" for s in new_imports))
    for position, stmt in zip(positions, rest, strict=True):
        inserts.setdefault(position, []).append("\n\n" + ast.unparse(stmt) + "\n\n\n")
    out: list[str] = []
    for index in range(len(host_lines) + 1):
        out.extend(inserts.get(index, []))
        if index < len(host_lines):
            out.append(host_lines[index])
    text = "".join(out)
    check_compiles(text)
    return Outcome(
        text, Counter(copied_definitions=len(chosen), renamed=len(renamed.renames))
    ), share


def first_line(stmt: ast.stmt) -> int:
    """The first line of a statement, decorators included."""
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _top_level_names(stmt: ast.stmt) -> set[str]:
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return {stmt.name}
    return names_written(stmt)


# --------------------------------------------------------------------------------------------
# mixed


MIXABLE = ("restructure", "extract_inline", "reorder", "deadcode", "rename", "format")


def mixed(source: str, rng: random.Random, *, seed: int) -> Outcome:
    """Three or more disguises stacked, heavy: structure first, then names and layout."""
    want = set(rng.sample(MIXABLE, rng.randint(4, len(MIXABLE))))
    applied: Counter[str] = Counter()
    text = source
    steps: list[tuple[str, Callable[[str], Outcome]]] = [
        ("restructure", lambda s: restructure(s, rng, rate=0.9)),
        ("extract_inline", lambda s: extract_inline(s, rng, extractions=3)),
        ("reorder", lambda s: reorder(s, rng, min_moved=1)),
        ("deadcode", lambda s: deadcode(s, rng, density=1.5)),
    ]
    for name, step in steps:
        if name not in want:
            continue
        try:
            out = step(text)
        except DisguiseError:
            continue
        text = out.source
        applied[name] += 1
    if {"rename", "format"} & want:
        out_d = disguise(
            text,
            seed=seed,
            rename="rename" in want,
            reformat="format" in want,
            strip_comments="format" in want,
            tuple_merge=True,
            tuple_split=True,
        )
        text = out_d.source
        if "rename" in want and out_d.renames:
            applied["rename"] += 1
        if "format" in want:
            applied["format"] += 1
    if len(applied) < 3:
        raise DisguiseError(f"only {len(applied)} disguises applied")
    check_compiles(text)
    return Outcome(text, applied)
