"""Disguise Python source the way a plagiarist would, to test codesim against it.

The generator belongs to the tests, not to codesim: it is built on the standard library's
``ast`` and ``tokenize`` only and shares nothing with codesim's normalizer, so a bug in one
cannot hide the same bug in the other.  Every change is deterministic from ``seed``:

- **rename**: names bound in the module (functions, classes, methods, parameters, local and
  global variables, attributes set on ``self``/``cls`` and in class bodies) get new names,
  consistently across the whole module.  One identifier string maps to one new string in every
  namespace at once (variables, attributes, ``global`` lists, ``__all__`` entries), which is
  what keeps the program working without a full type analysis.  The price is conservatism:
  a name is left alone when any use of it might reach outside the module (see
  ``_renamable_names``).  Renamed ``__all__`` entries are renamed together with the names.
- **reformat**: ``ast.unparse`` re-lays the whole file; on top of that, indentation width,
  quote style, blank lines, wrapping of long bracketed lines and trailing commas vary.
- **strip comments**: ``ast`` drops every comment (whatever the flag says); with the flag set,
  docstrings are replaced or deleted and a few new comments are written.
- **tuple merge**: ``a = x`` / ``b = y`` become ``a, b = x, y`` when evaluating ``y`` before
  ``a`` is stored cannot be observed.
- **tuple split**: ``a, b = x, y`` becomes ``a = x`` / ``b = y`` under the same condition.

Self-checks: every rewritten statement must round-trip through ``ast.unparse``/``ast.parse``
unchanged or it is left as it was; token-level reformatting must leave the syntax tree
unchanged or it is dropped; the result must ``compile()``.  A source that cannot be parsed
or unparsed raises ``DisguiseError``.
"""

from __future__ import annotations

import array
import ast
import builtins
import codecs
import collections
import collections.abc
import datetime
import decimal
import enum
import importlib
import inspect
import io
import keyword
import os
import pathlib
import random
import re
import struct
import threading
import tokenize
import types
import warnings
import weakref
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DisguiseError",
    "Disguised",
    "check_compiles",
    "disguise",
    "dump_tree",
    "parse_module",
    "unparse_checked",
]


class DisguiseError(ValueError):
    """The source cannot be disguised (it does not parse, or ``ast`` cannot round-trip it)."""


@dataclass(frozen=True)
class Disguised:
    """A disguised copy of a module."""

    source: str
    """Valid Python that compiles."""
    renames: dict[str, str] = field(default_factory=dict)
    """Original name -> new name, for every name renamed."""


def disguise(
    source: str,
    *,
    seed: int,
    rename: bool = True,
    reformat: bool = True,
    strip_comments: bool = True,
    tuple_merge: bool = True,
    tuple_split: bool = True,
    keep: Collection[str] = (),
) -> Disguised:
    """Return a disguised copy of ``source``; the same arguments always give the same copy.

    ``keep`` lists names never to rename (e.g. the public names a test suite calls).
    """
    source = source.removeprefix("\ufeff")
    tree = parse_module(source)
    check_compiles(source, what="source")
    renames: dict[str, str] = {}
    if rename:
        survey = _Survey.of(tree)
        renamable = [name for name in _renamable_names(survey, source) if name not in keep]
        renames = _new_names(renamable, survey, source, random.Random(f"{seed}:names"))
        _Renamer(renames).visit(tree)
    if strip_comments:
        _rewrite_docstrings(tree, random.Random(f"{seed}:docstrings"), "__doc__" in source)
    if tuple_split or tuple_merge:
        _TupleRewriter(
            random.Random(f"{seed}:tuples"), split=tuple_split, merge=tuple_merge
        ).rewrite_module(tree)
    ast.fix_missing_locations(tree)
    plain, reference = unparse_checked(tree)
    text = plain
    if reformat or strip_comments:
        text = _restyle(
            plain,
            reference,
            random.Random(f"{seed}:style"),
            reformat=reformat,
            comments=strip_comments,
        )
    check_compiles(text, what="disguised output")
    return Disguised(source=text, renames=renames)


# --------------------------------------------------------------------------------------------
# parsing helpers


def parse_module(source: str) -> ast.Module:
    """``ast.parse``, with every way it can fail as a ``DisguiseError``."""
    # Old sources have invalid escape sequences; the warning they raise is not our business.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            raise DisguiseError(f"cannot parse: {exc}") from exc


def dump_tree(node: ast.AST) -> str:
    """The tree without positions: equal dumps, equal programs."""
    return ast.dump(node, include_attributes=False)


def unparse_checked(tree: ast.Module) -> tuple[str, str]:
    """``ast.unparse`` the tree and prove it parses back to the same tree (text, tree dump)."""
    ast.fix_missing_locations(tree)
    try:
        text = ast.unparse(tree)
    except (RecursionError, ValueError, TypeError, AttributeError) as exc:
        raise DisguiseError(f"cannot unparse: {exc}") from exc
    reference = dump_tree(tree)
    if dump_tree(parse_module(text)) != reference:
        raise DisguiseError("ast.unparse does not round-trip this module")
    return text + "\n", reference


def check_compiles(text: str, *, what: str = "result") -> None:
    """A module that parses can still fail to compile (a misplaced ``from __future__``,
    ``return`` outside a function): such a source cannot be disguised into valid code."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(text, "<disguised>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            raise DisguiseError(f"{what} does not compile: {exc}") from exc


# --------------------------------------------------------------------------------------------
# which names may be renamed


def _external_attribute_names() -> frozenset[str]:
    """Attribute names of the objects a module most often receives from outside.

    A name in this set is never renamed when it is used as an attribute or defined on a class:
    ``self.items`` or a method ``write`` may be reached by code outside the module
    (``dict(obj)``, ``print(file=obj)``) or be an attribute of a parameter we cannot type.
    """
    # fmt: off
    kinds: list[object] = [
        object, type, str, bytes, bytearray, memoryview, int, float, complex, bool, list,
        tuple, dict, set, frozenset, range, slice, property, staticmethod, classmethod,
        super, BaseException, OSError, SyntaxError, UnicodeDecodeError, StopIteration,
        types.FunctionType, types.MethodType, types.ModuleType, types.GeneratorType,
        types.CoroutineType, types.CodeType, types.FrameType, types.TracebackType,
        types.SimpleNamespace, types.MappingProxyType,
        io.TextIOWrapper, io.BufferedReader, io.BufferedWriter, io.BufferedRandom, io.FileIO,
        io.BytesIO, io.StringIO, io.IOBase, re.Pattern, re.Match,
        collections.deque, collections.OrderedDict, collections.defaultdict,
        collections.Counter, collections.ChainMap, collections.namedtuple("_Probe", "x"),
        threading.Thread, threading.Condition, threading.Event, threading.Semaphore,
        type(threading.Lock()), type(threading.RLock()),
        datetime.datetime, datetime.date, datetime.time, datetime.timedelta, datetime.tzinfo,
        decimal.Decimal, decimal.Context, pathlib.Path, os.stat_result, os.DirEntry,
        weakref.ref, weakref.WeakKeyDictionary, weakref.WeakValueDictionary,
        inspect.Parameter, inspect.Signature, inspect.BoundArguments, enum.Enum, enum.Flag,
        struct.Struct, array.array, codecs.CodecInfo, codecs.StreamReader,
        codecs.StreamWriter, codecs.IncrementalDecoder, codecs.IncrementalEncoder,
    ]
    # fmt: on
    kinds.extend(getattr(collections.abc, name) for name in collections.abc.__all__)
    kinds.extend(_optional_kinds())
    names = {name for kind in kinds for name in dir(kind)}
    for node_class in _all_subclasses(ast.AST):
        names.update(getattr(node_class, "_fields", ()))
        names.update(getattr(node_class, "_attributes", ()))
    return frozenset(names)


def _optional_kinds() -> list[object]:
    """Objects of C modules that in-module classes often imitate (a decompressor, a hash)."""
    probes: dict[str, Callable[[Any], list[object]]] = {
        "zlib": lambda m: [m.decompressobj(), m.compressobj()],
        "bz2": lambda m: [m.BZ2Decompressor, m.BZ2Compressor],
        "lzma": lambda m: [m.LZMADecompressor, m.LZMACompressor],
        "hashlib": lambda m: [m.sha256()],
        "socket": lambda m: [m.socket],
        "mmap": lambda m: [m.mmap],
        "sqlite3": lambda m: [m.Connection, m.Cursor],
        "select": lambda m: [m.poll()] if hasattr(m, "poll") else [],
        "pickle": lambda m: [m.Pickler, m.Unpickler],
        "time": lambda m: [m.struct_time],
        "csv": lambda m: [m.reader([]), m.writer(io.StringIO()), m.Dialect],
    }
    found: list[object] = []
    for module_name, probe in probes.items():
        try:
            found.extend(probe(importlib.import_module(module_name)))
        except ImportError:  # pragma: no cover - a build without the module
            continue
    return found


def _all_subclasses(base: type) -> Iterator[type]:
    subclasses: list[type] = base.__subclasses__()
    for sub in subclasses:
        yield sub
        yield from _all_subclasses(sub)


_EXTERNAL_ATTRIBUTES = _external_attribute_names()
_BUILTINS = frozenset(dir(builtins))
_KEYWORDS = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
_NEVER_RENAMED = frozenset({"self", "cls", "_"})
_TYPE_PARAM_CLASSES = tuple(
    getattr(ast, name) for name in ("TypeVar", "ParamSpec", "TypeVarTuple") if hasattr(ast, name)
)
_NAMED_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, *_TYPE_PARAM_CLASSES)
_IDENTIFIER_LIST = re.compile(r"\s*[A-Za-z_]\w*(?:[\s,.:]+[A-Za-z_]\w*)*[\s,]*")
_FORMAT_FIELD = re.compile(r"%\((\w+)\)|\{(\w+)")
# ``getattr(self, "_handle_%s" % kind)``, ``"visit_" + name``, ``f"do_{cmd}"``: a name is
# built from a prefix at run time, so names with that prefix are left alone.
_NAME_PREFIX = re.compile(r"(?<![%\w])([A-Za-z_]\w{2,})(?:%[-#0 +]*\w|\{)|^([A-Za-z_]\w+_)$")
_WORD = re.compile(r"[A-Za-z_]\w*")


@dataclass
class _Scope:
    kind: str  # "module", "class", "function", "comprehension"
    parent: _Scope | None
    bound: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


@dataclass
class _ClassFacts:
    bases: list[ast.expr]
    names: set[str] = field(default_factory=set)
    """Names bound in the class body and attributes set on its instances or itself."""


class _Survey(ast.NodeVisitor):
    """One pass over a module collecting everything the rename decision needs."""

    def __init__(self) -> None:
        self.module = _Scope("module", None)
        self.scope = self.module
        self.order: dict[str, int] = {}  # identifier -> first-occurrence rank
        self.bound: set[str] = set()
        self.imported: set[str] = set()
        self.params: set[str] = set()
        self.kwarg_names: set[str] = set()
        self.attr_used: set[str] = set()
        self.attr_defined: set[str] = set()
        self.class_bound: set[str] = set()
        self.string_words: set[str] = set()
        self.name_prefixes: set[str] = set()
        self.external_chain_attrs: list[tuple[str, list[str]]] = []
        self.loads: list[tuple[_Scope, str]] = []
        self.classes: dict[str, list[_ClassFacts]] = {}
        self.class_stack: list[_ClassFacts] = []
        self.method_self: list[str | None] = []
        self.skip_strings: set[int] = set()  # ids of docstring and __all__ constants
        self.star_import = False
        self.unconditional: set[str] = set()  # bound by a top-level statement of the module

    @classmethod
    def of(cls, tree: ast.Module) -> _Survey:
        survey = cls()
        survey._mark_docstring(tree)
        survey._mark_all_entries(tree)
        survey.visit(tree)
        survey.unconditional = _unconditional_bindings(tree)
        return survey

    # -- bookkeeping -------------------------------------------------------------------------

    def _see(self, name: str) -> None:
        self.order.setdefault(name, len(self.order))

    def _bind(self, name: str, scope: _Scope | None = None) -> None:
        scope = scope or self.scope
        self._see(name)
        self.bound.add(name)
        if name in scope.globals:
            self.module.bound.add(name)
        elif name not in scope.nonlocals:
            scope.bound.add(name)
        if scope.kind == "class" and self.class_stack:
            self.class_bound.add(name)
            self.class_stack[-1].names.add(name)

    def _mark_docstring(self, node: ast.AST) -> None:
        body = getattr(node, "body", None)
        if isinstance(body, list) and body:
            first = body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                self.skip_strings.add(id(first.value))

    def _mark_all_entries(self, tree: ast.Module) -> None:
        for node in ast.walk(tree):
            for entry in _all_entries(node):
                self.skip_strings.add(id(entry))

    # -- scopes ------------------------------------------------------------------------------

    def _visit_in(self, scope: _Scope, nodes: Iterable[ast.AST | None]) -> None:
        saved, self.scope = self.scope, scope
        try:
            for node in nodes:
                if node is not None:
                    self.visit(node)
        finally:
            self.scope = saved

    def _visit_arguments_outside(self, args: ast.arguments) -> None:
        for default in [*args.defaults, *args.kw_defaults]:
            if default is not None:
                self.visit(default)
        for arg in _all_args(args):
            if arg.annotation is not None:
                self.visit(arg.annotation)

    def _bind_arguments(self, args: ast.arguments, scope: _Scope) -> None:
        for arg in _all_args(args):
            self.params.add(arg.arg)
            self._bind(arg.arg, scope)

    def _visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        for decorator in node.decorator_list:
            self.visit(decorator)
        self._visit_arguments_outside(node.args)
        if node.returns is not None:
            self.visit(node.returns)
        self._bind(node.name)
        inner = _Scope("function", self.scope)
        for param in getattr(node, "type_params", []):
            self._visit_in(inner, [param])
        self._bind_arguments(node.args, inner)
        positional = [*node.args.posonlyargs, *node.args.args]
        in_class = self.scope.kind == "class"
        self.method_self.append(positional[0].arg if in_class and positional else None)
        self._mark_docstring(node)
        try:
            self._visit_in(inner, node.body)
        finally:
            self.method_self.pop()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._visit_function(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self._visit_function(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._visit_arguments_outside(node.args)
        inner = _Scope("function", self.scope)
        self._bind_arguments(node.args, inner)
        self.method_self.append(None)
        try:
            self._visit_in(inner, [node.body])
        finally:
            self.method_self.pop()

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        for expr in [*node.decorator_list, *node.bases, *node.keywords]:
            self.visit(expr)
        self._bind(node.name)
        facts = _ClassFacts(bases=list(node.bases))
        self.classes.setdefault(node.name, []).append(facts)
        inner = _Scope("class", self.scope)
        for param in getattr(node, "type_params", []):
            self._visit_in(inner, [param])
        self._mark_docstring(node)
        self.class_stack.append(facts)
        self.method_self.append(None)
        try:
            self._visit_in(inner, node.body)
        finally:
            self.class_stack.pop()
            self.method_self.pop()

    def _visit_comprehension(
        self, node: ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
    ) -> None:
        generators = node.generators
        self.visit(generators[0].iter)
        inner = _Scope("comprehension", self.scope)
        rest: list[ast.AST] = []
        for index, generator in enumerate(generators):
            rest.append(generator.target)
            if index:
                rest.append(generator.iter)
            rest.extend(generator.ifs)
        if isinstance(node, ast.DictComp):
            rest.extend([node.key, node.value])
        else:
            rest.append(node.elt)
        self._visit_in(inner, rest)

    visit_ListComp = _visit_comprehension
    visit_SetComp = _visit_comprehension
    visit_GeneratorExp = _visit_comprehension
    visit_DictComp = _visit_comprehension

    def visit_NamedExpr(self, node: ast.NamedExpr) -> None:
        self.visit(node.value)
        scope = self.scope
        while scope.kind == "comprehension" and scope.parent is not None:
            scope = scope.parent
        if isinstance(node.target, ast.Name):
            self._bind(node.target.id, scope)

    # -- names -------------------------------------------------------------------------------

    def visit_Name(self, node: ast.Name) -> None:
        if isinstance(node.ctx, ast.Load):
            self._see(node.id)
            self.loads.append((self.scope, node.id))
        else:
            self._bind(node.id)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            self._see(name)
            self.scope.globals.add(name)

    def visit_Nonlocal(self, node: ast.Nonlocal) -> None:
        for name in node.names:
            self._see(name)
            self.scope.nonlocals.add(name)

    def _visit_import(self, node: ast.Import | ast.ImportFrom) -> None:
        for alias in node.names:
            if alias.name == "*":
                self.star_import = True
                continue
            self.imported.update(alias.name.split("."))
            if alias.asname:
                self.imported.add(alias.asname)
            bound = alias.asname or alias.name.split(".")[0]
            self._see(bound)
            self.scope.bound.add(bound)
        if isinstance(node, ast.ImportFrom) and node.module:
            self.imported.update(node.module.split("."))

    visit_Import = _visit_import
    visit_ImportFrom = _visit_import

    def visit_ExceptHandler(self, node: ast.ExceptHandler) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchAs(self, node: ast.MatchAs) -> None:
        if node.name:
            self._bind(node.name)
        self.generic_visit(node)

    def visit_MatchStar(self, node: ast.MatchStar) -> None:
        if node.name:
            self._bind(node.name)

    def visit_MatchMapping(self, node: ast.MatchMapping) -> None:
        if node.rest:
            self._bind(node.rest)
        self.generic_visit(node)

    def visit_MatchClass(self, node: ast.MatchClass) -> None:
        for attr in node.kwd_attrs:
            self._see(attr)
            self.attr_used.add(attr)
        self.generic_visit(node)

    def visit_keyword(self, node: ast.keyword) -> None:
        if node.arg:
            self.kwarg_names.add(node.arg)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        self._see(node.attr)
        self.attr_used.add(node.attr)
        if not isinstance(node.ctx, ast.Load) and isinstance(node.value, ast.Name):
            owner = node.value.id
            method_self = self.method_self[-1] if self.method_self else None
            if owner in {"self", "cls", method_self}:
                self.attr_defined.add(node.attr)
                if self.class_stack:
                    self.class_stack[-1].names.add(node.attr)
        chain: list[str] = [node.attr]
        root: ast.expr = node.value
        while isinstance(root, ast.Attribute):
            chain.append(root.attr)
            root = root.value
        if isinstance(root, ast.Name):
            self.external_chain_attrs.append((root.id, chain))
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and id(node) not in self.skip_strings:
            text = node.value
            if _IDENTIFIER_LIST.fullmatch(text):
                self.string_words.update(_WORD.findall(text))
            for match in _FORMAT_FIELD.finditer(text):
                self.string_words.add(match.group(1) or match.group(2))
            for match in _NAME_PREFIX.finditer(text):
                self.name_prefixes.add(match.group(1) or match.group(2))

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, _TYPE_PARAM_CLASSES):
            self._bind(node.name)
        super().generic_visit(node)

    # -- results -----------------------------------------------------------------------------

    def unresolved_loads(self) -> set[str]:
        """Names loaded somewhere no binding in the module can reach (star imports, injected
        globals): renaming another binding of the same string would capture them."""
        return {name for scope, name in self.loads if not _resolves(scope, name, self.module)}


def _unconditional_bindings(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for stmt in tree.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(stmt.name)
        elif isinstance(stmt, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                names.update(
                    n.id
                    for n in ast.walk(target)
                    if isinstance(n, ast.Name) and not isinstance(n.ctx, ast.Load)
                )
    return names


def _resolves(scope: _Scope, name: str, module: _Scope) -> bool:
    current: _Scope | None = scope
    first = True
    while current is not None:
        # A class body's names are visible in the body itself, not in functions nested in it.
        if current.kind == "class" and not first:
            current = current.parent
            continue
        if name in current.globals:
            return name in module.bound
        if name in current.bound or name in current.nonlocals:
            return True
        first = False
        current = current.parent
    return False


def _all_args(args: ast.arguments) -> list[ast.arg]:
    found = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg is not None:
        found.append(args.vararg)
    if args.kwarg is not None:
        found.append(args.kwarg)
    return found


def _all_entries(node: ast.AST) -> list[ast.Constant]:
    """String constants listing ``__all__``: ``__all__ = [...]``, ``+= [...]``, ``.extend``."""
    values: list[ast.expr] = []
    if (
        isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets)
    ) or (
        isinstance(node, ast.AugAssign | ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "__all__"
        and node.value is not None
    ):
        assert node.value is not None
        values.append(node.value)
    elif (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "__all__"
        and node.func.attr in {"append", "extend", "remove"}
    ):
        values.extend(node.args)
    entries: list[ast.Constant] = []
    for value in values:
        elements = value.elts if isinstance(value, ast.List | ast.Tuple | ast.Set) else [value]
        entries.extend(
            e for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
    return entries


def _has_external_ancestry(
    name: str, classes: dict[str, list[_ClassFacts]], seen: frozenset[str] = frozenset()
) -> bool:
    """True when a class (by name) inherits from anything not defined in the module."""
    if name in seen:
        return True
    for facts in classes.get(name, []):
        for base in facts.bases:
            if isinstance(base, ast.Name) and base.id == "object":
                continue
            if isinstance(base, ast.Name) and base.id in classes:
                if _has_external_ancestry(base.id, classes, seen | {name}):
                    return True
                continue
            if isinstance(base, ast.Name) and base.id in _BUILTINS:
                # Attributes of builtin types are in _EXTERNAL_ATTRIBUTES already.
                continue
            return True
    return False


def _renamable_names(survey: _Survey, source: str) -> list[str]:
    """The names that can be renamed everywhere at once without changing behaviour."""
    excluded = set(_BUILTINS | _KEYWORDS | _NEVER_RENAMED)
    excluded |= survey.imported
    excluded |= survey.unresolved_loads()
    if survey.star_import:
        # ``try: from _accel import * / except ImportError: NAME = ...``: the star import may
        # provide a name the module binds only conditionally, under its original spelling.
        excluded |= survey.module.bound - survey.unconditional
    excluded |= survey.string_words
    prefixes = tuple(sorted(survey.name_prefixes))
    excluded |= {name for name in survey.order if name.startswith(prefixes)}
    # A parameter or field passed by keyword would need its call sites renamed too.
    excluded |= survey.kwarg_names & (survey.params | survey.class_bound | survey.attr_defined)
    defined_attrs = survey.attr_defined | survey.class_bound
    excluded |= survey.attr_used - defined_attrs
    excluded |= (survey.attr_used | defined_attrs) & _EXTERNAL_ATTRIBUTES
    for root, chain in survey.external_chain_attrs:
        if root in survey.imported or (root in _BUILTINS and root not in survey.bound):
            excluded.update(chain)
    for class_name, facts_list in survey.classes.items():
        if _has_external_ancestry(class_name, survey.classes):
            for facts in facts_list:
                excluded |= facts.names
        # Explicitly mangled names (``_Spam__eggs``) spell the class name out.
        if f"_{class_name.lstrip('_')}__" in source:
            excluded.add(class_name)
    candidates = survey.bound | survey.attr_defined | survey.class_bound
    chosen = [
        name
        for name in candidates
        if name not in excluded and not name.startswith("__") and name.isidentifier()
    ]
    return sorted(chosen, key=lambda name: survey.order.get(name, 0))


# --------------------------------------------------------------------------------------------
# new names


def _word_list(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_WORDS = _word_list(
    "acc alpha anchor arc batch beam bin block bound box bucket buf cache cell chain chunk "
    "clip coeff col cursor delta depth dim edge elem entry epoch feat field frame gate grid "
    "group hidden hop idx input kernel knot label lane layer leaf level limit link load lo "
    "hi mark mask meta mode net node norm num offset origin pane patch path peak phase pivot "
    "pool pos ptr query rank rate ref region row run scale seg shard shift size slot span "
    "stage state step store stride tag tail term tick tile token total track unit vec view "
    "weight width win zone probe scratch spool ledger cue latch trace proj fold"
)
_QUALIFIERS = _word_list(
    "max min cur next prev new old raw tmp base main aux top low high inner outer first last "
    "full part local shared sub src dst out in all any hot cold fast slow flat deep"
)


def _new_names(
    names: Sequence[str], survey: _Survey, source: str, rng: random.Random
) -> dict[str, str]:
    taken = set(_BUILTINS | _KEYWORDS | _EXTERNAL_ATTRIBUTES | _NEVER_RENAMED)
    taken |= set(_WORD.findall(source))
    taken |= set(survey.order)
    mapping: dict[str, str] = {}
    for name in names:
        new = _make_name(name, rng, taken)
        taken.add(new)
        mapping[name] = new
    return mapping


def _make_name(old: str, rng: random.Random, taken: set[str]) -> str:
    prefix = "_" if old.startswith("_") else ""
    core = old.lstrip("_")
    for attempt in range(200):
        words = [rng.choice(_WORDS)]
        if rng.random() < 0.6 or attempt > 20:
            words.insert(0, rng.choice(_QUALIFIERS))
        if attempt > 60:
            words.append(rng.choice(_WORDS))
        if core[:1].isupper() and not core.isupper():
            candidate = "".join(w.capitalize() for w in words)
        elif core.isupper():
            candidate = "_".join(w.upper() for w in words)
        else:
            candidate = "_".join(words)
        if attempt > 100:
            candidate += str(rng.randrange(10, 1000))
        candidate = prefix + candidate
        if candidate not in taken and candidate != old:
            return candidate
    raise DisguiseError(f"no free name for {old!r}")  # pragma: no cover - 200 draws


class _Renamer(ast.NodeVisitor):
    """Apply one old -> new mapping to every identifier field, in every namespace."""

    def __init__(self, mapping: dict[str, str]) -> None:
        self.mapping = mapping

    def _new(self, name: str) -> str:
        return self.mapping.get(name, name)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.Name):
            node.id = self._new(node.id)
        elif isinstance(node, _NAMED_DEFINITIONS):
            node.name = self._new(node.name)
        elif isinstance(node, ast.arg):
            node.arg = self._new(node.arg)
        elif isinstance(node, ast.Attribute):
            node.attr = self._new(node.attr)
        elif isinstance(node, ast.Global | ast.Nonlocal):
            node.names = [self._new(name) for name in node.names]
        elif isinstance(node, ast.ExceptHandler | ast.MatchAs | ast.MatchStar):
            if node.name:
                node.name = self._new(node.name)
        elif isinstance(node, ast.MatchMapping):
            if node.rest:
                node.rest = self._new(node.rest)
        elif isinstance(node, ast.MatchClass):
            node.kwd_attrs = [self._new(name) for name in node.kwd_attrs]
        for entry in _all_entries(node):
            entry.value = self._new(str(entry.value))
        super().generic_visit(node)


# --------------------------------------------------------------------------------------------
# docstrings

_SENTENCES = (
    "Compute the {a} for the given {b}.",
    "Return the {a} of this {b}, or None when it is empty.",
    "Helper that updates the {a} in place.",
    "Build a {a} from a {b} and validate it.",
    "Internal: keeps the {a} and the {b} in sync.",
    "Apply one step of the {a} to the {b}.",
    "Convert a {a} into its {b} form.",
)


def _sentence(rng: random.Random) -> str:
    return rng.choice(_SENTENCES).format(a=rng.choice(_WORDS), b=rng.choice(_WORDS))


def _rewrite_docstrings(tree: ast.Module, rng: random.Random, doc_is_read: bool) -> None:
    """Replace or delete docstrings.  When the module reads ``__doc__`` none is deleted."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        body = node.body
        first = body[0] if body else None
        if not (
            isinstance(first, ast.Expr)
            and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)
        ):
            continue
        if len(body) > 1 and not doc_is_read and rng.random() < 0.45:
            del body[0]
        else:
            lines = [_sentence(rng) for _ in range(rng.randint(1, 2))]
            first.value.value = " ".join(lines)


# --------------------------------------------------------------------------------------------
# tuple merge and split


@dataclass
class _BlockContext:
    """What decides whether evaluating a value before a store can be observed."""

    kind: str  # "module", "class" or "function"
    captured: frozenset[str] = frozenset()
    """Names a function shares with other code: global/nonlocal, used in nested scopes."""
    in_try: bool = False
    dynamic: bool = False
    """The function reads its own frame (locals(), vars(), exec, eval)."""


_SIMPLE_VALUE = (ast.Constant, ast.Name, ast.Tuple, ast.List, ast.Set, ast.Dict)
_SUSPENDS = (ast.Yield, ast.YieldFrom, ast.Await, ast.NamedExpr)


def _is_inert(expr: ast.expr) -> bool:
    """Evaluating ``expr`` runs no user code and cannot raise (bar an unbound name)."""
    for node in ast.walk(expr):
        if isinstance(node, ast.expr_context):
            continue
        if not isinstance(node, _SIMPLE_VALUE):
            return False
        if isinstance(node, ast.Dict) and None in node.keys:
            return False  # ``{**mapping}`` calls mapping.keys()
    return True


def _store_target_ok(target: ast.expr) -> bool:
    if isinstance(target, ast.Name):
        return not target.id.startswith("__")
    if isinstance(target, ast.Attribute):
        base = target.value
        while isinstance(base, ast.Attribute):
            base = base.value
        return isinstance(base, ast.Name)
    return False


def _names_read(expr: ast.expr) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name):
            found.add(node.id)
        elif isinstance(node, ast.Attribute):
            found.add(node.attr)
    return found


def _can_evaluate_before_store(target: ast.expr, value: ast.expr, ctx: _BlockContext) -> bool:
    """Whether evaluating ``value`` before storing ``target`` (instead of after) is invisible."""
    if any(isinstance(node, _SUSPENDS) for node in ast.walk(value)):
        return False
    if isinstance(target, ast.Attribute):
        # Storing an attribute may run a setter; only a value that runs no code is safe.
        return _is_inert(value) and target.attr not in _names_read(value)
    if not isinstance(target, ast.Name) or target.id in _names_read(value):
        return False
    if _is_inert(value):
        return True
    # A value that runs code may observe the variable (module and class namespaces, closures)
    # or raise where a handler in the same function could see the half-done assignments.
    return (
        ctx.kind == "function"
        and target.id not in ctx.captured
        and not ctx.in_try
        and not ctx.dynamic
    )


def _distinct_targets(targets: Sequence[ast.expr]) -> bool:
    dumps = [dump_tree(t) for t in targets]
    roots = set()
    for target in targets:
        if isinstance(target, ast.Name):
            roots.add(target.id)
    # ``a, a.x = ...`` is left alone: the second store reads the first.
    for target in targets:
        if isinstance(target, ast.Attribute) and _names_read(target.value) & roots:
            return False
    return len(set(dumps)) == len(dumps)


def _sequence_is_safe(
    targets: Sequence[ast.expr], values: Sequence[ast.expr], ctx: _BlockContext
) -> bool:
    if not all(_store_target_ok(t) for t in targets) or not _distinct_targets(targets):
        return False
    if any(isinstance(v, ast.Starred) for v in values):
        return False
    return all(
        _can_evaluate_before_store(targets[i], values[j], ctx)
        for j in range(len(values))
        for i in range(j)
    )


def _round_trips(stmt: ast.stmt) -> bool:
    try:
        text = ast.unparse(stmt)
        reparsed = parse_module(text).body
    except (DisguiseError, RecursionError, ValueError, TypeError):
        return False
    return len(reparsed) == 1 and dump_tree(reparsed[0]) == dump_tree(stmt)


def _function_context(node: ast.FunctionDef | ast.AsyncFunctionDef) -> _BlockContext:
    captured: set[str] = set()
    dynamic = False
    todo: list[ast.AST] = list(node.body)
    while todo:
        current = todo.pop()
        if isinstance(current, ast.Global | ast.Nonlocal):
            captured.update(current.names)
        if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            captured.update(n.id for n in ast.walk(current) if isinstance(n, ast.Name))
            continue
        if isinstance(current, ast.Name) and current.id in {"locals", "vars", "exec", "eval"}:
            dynamic = True
        todo.extend(ast.iter_child_nodes(current))
    return _BlockContext("function", frozenset(captured), dynamic=dynamic)


class _TupleRewriter:
    """Split tuple assignments and merge neighbouring assignments where it is safe."""

    def __init__(self, rng: random.Random, *, split: bool, merge: bool) -> None:
        self.rng = rng
        self.split = split
        self.merge = merge

    def rewrite_module(self, tree: ast.Module) -> None:
        tree.body = self._block(tree.body, _BlockContext("module"))

    def _block(self, stmts: list[ast.stmt], ctx: _BlockContext) -> list[ast.stmt]:
        for stmt in stmts:
            self._nested(stmt, ctx)
        produced: list[tuple[ast.stmt, bool]] = []  # (statement, came from a split)
        for stmt in stmts:
            pieces = self._split(stmt, ctx) if self.split else None
            if pieces:
                produced.extend((piece, True) for piece in pieces)
            else:
                produced.append((stmt, False))
        if not self.merge:
            return [stmt for stmt, _ in produced]
        result: list[ast.stmt] = []
        index = 0
        while index < len(produced):
            run = self._mergeable_run(produced, index)
            merged = (
                self._merge([s for s, _ in produced[index : index + run]], ctx) if run > 1 else None
            )
            if merged is not None:
                result.append(merged)
                index += run
            else:
                result.append(produced[index][0])
                index += 1
        return result

    def _mergeable_run(self, produced: list[tuple[ast.stmt, bool]], index: int) -> int:
        """How many neighbouring plain assignments from ``index`` on to try merging (1-3)."""
        run = 0
        while (
            index + run < len(produced)
            and run < 3
            and not produced[index + run][1]
            and _single_assign(produced[index + run][0])
            and (run < 2 or self.rng.random() < 0.3)
        ):
            run += 1
        return max(run, 1)

    def _nested(self, stmt: ast.stmt, ctx: _BlockContext) -> None:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
            stmt.body = self._block(stmt.body, _function_context(stmt))
            return
        if isinstance(stmt, ast.ClassDef):
            stmt.body = self._block(stmt.body, _BlockContext("class"))
            return
        inner = ctx
        # Inside try and with blocks a handler or __exit__ may swallow an exception raised
        # between two stores, and the code after it would see a half-done assignment.
        if isinstance(stmt, ast.Try | ast.With | ast.AsyncWith) or type(stmt).__name__ == "TryStar":
            inner = _BlockContext(ctx.kind, ctx.captured, in_try=True, dynamic=ctx.dynamic)
        for field_name in ("body", "orelse", "finalbody"):
            block = getattr(stmt, field_name, None)
            if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
                setattr(stmt, field_name, self._block(block, inner))
        for handler in getattr(stmt, "handlers", []):
            handler.body = self._block(handler.body, inner)
        for case in getattr(stmt, "cases", []):
            case.body = self._block(case.body, inner)

    def _split(self, stmt: ast.stmt, ctx: _BlockContext) -> list[ast.stmt] | None:
        if not (
            isinstance(stmt, ast.Assign)
            and len(stmt.targets) == 1
            and isinstance(stmt.targets[0], ast.Tuple | ast.List)
            and isinstance(stmt.value, ast.Tuple | ast.List)
        ):
            return None
        targets, values = stmt.targets[0].elts, stmt.value.elts
        if len(targets) != len(values) or len(targets) < 2:
            return None
        if not _sequence_is_safe(targets, values, ctx) or self.rng.random() >= 0.7:
            return None
        pieces: list[ast.stmt] = [
            ast.copy_location(ast.Assign(targets=[t], value=v), stmt)
            for t, v in zip(targets, values, strict=True)
        ]
        return pieces if all(_round_trips(p) for p in pieces) else None

    def _merge(self, stmts: list[ast.stmt], ctx: _BlockContext) -> ast.stmt | None:
        if self.rng.random() >= 0.5:
            return None
        assigns = [s for s in stmts if isinstance(s, ast.Assign)]
        targets = [a.targets[0] for a in assigns]
        values = [a.value for a in assigns]
        if not _sequence_is_safe(targets, values, ctx):
            return None
        merged = ast.copy_location(
            ast.Assign(
                targets=[ast.Tuple(elts=targets, ctx=ast.Store())],
                value=ast.Tuple(elts=values, ctx=ast.Load()),
            ),
            stmts[0],
        )
        ast.fix_missing_locations(merged)
        return merged if _round_trips(merged) else None


def _single_assign(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Assign)
        and len(stmt.targets) == 1
        and _store_target_ok(stmt.targets[0])
        and stmt.type_comment is None
    )


# --------------------------------------------------------------------------------------------
# token-level restyling


_FSTRING_START = getattr(tokenize, "FSTRING_START", None)
_FSTRING_END = getattr(tokenize, "FSTRING_END", None)
_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {")", "]", "}"}


def _tokens(text: str) -> list[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(text).readline))


class _Editor:
    """Collect insertions and replacements by (row, col) and apply them in one go."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0]
        for line in text.splitlines(keepends=True):
            self.line_starts.append(self.line_starts[-1] + len(line))
        self.edits: list[tuple[int, int, int, str]] = []  # (start, end, order, replacement)

    def offset(self, position: tuple[int, int]) -> int:
        row, col = position
        return self.line_starts[row - 1] + col

    def insert(self, position: tuple[int, int], text: str) -> None:
        at = self.offset(position)
        self.edits.append((at, at, len(self.edits), text))

    def replace(self, start: tuple[int, int], end: tuple[int, int], text: str) -> None:
        self.edits.append((self.offset(start), self.offset(end), len(self.edits), text))

    def apply(self) -> str:
        out: list[str] = []
        last = 0
        for start, end, _, replacement in sorted(self.edits):
            if start < last:
                continue  # overlapping edit: keep the first
            out.append(self.text[last:start])
            out.append(replacement)
            last = end
        out.append(self.text[last:])
        return "".join(out)


def _restyle(
    text: str, reference: str, rng: random.Random, *, reformat: bool, comments: bool
) -> str:
    """Apply the layout passes in turn; they must leave the syntax tree exactly as it was.

    Comparing tree dumps is the expensive part, so the passes run first and are checked once;
    only when the result differs is each pass checked on its own and the faulty ones dropped.
    """
    passes: list[Callable[[str, random.Random], str]] = []
    if reformat:
        passes += [
            _restore_multiline_strings,
            _drop_tuple_parentheses,
            _reindent,
            _switch_quotes,
            _add_trailing_commas,
            _wrap_long_lines,
            _blank_lines,
        ]
    if comments:
        passes.append(_add_comments)
    state = rng.getstate()
    fast = _run_passes(text, passes, rng, reference=None)
    if fast is not None and _same_tree(fast, reference):
        return fast
    rng.setstate(state)
    careful = _run_passes(text, passes, rng, reference=reference)
    assert careful is not None
    return careful


def _same_tree(text: str, reference: str) -> bool:
    try:
        return dump_tree(parse_module(text)) == reference
    except DisguiseError:
        return False


def _run_passes(
    text: str,
    passes: Sequence[Callable[[str, random.Random], str]],
    rng: random.Random,
    *,
    reference: str | None,
) -> str | None:
    """Run ``passes`` in order; with a ``reference`` a pass that changes the tree is skipped,
    without one the first failing pass aborts (``None``)."""
    for restyle_pass in passes:
        try:
            candidate = restyle_pass(text, rng)
        except (tokenize.TokenError, IndentationError, SyntaxError):
            if reference is None:
                return None
            continue
        if reference is None or _same_tree(candidate, reference):
            text = candidate
    return text


@dataclass(frozen=True)
class _LineStart:
    depth: int
    """Indentation depth (blocks, not columns)."""
    token: tokenize.TokenInfo
    """The first token of the logical line."""
    opens_block: bool
    """The line is the first of an indented block."""


def _logical_line_starts(tokens: Sequence[tokenize.TokenInfo]) -> Iterator[_LineStart]:
    depth = 0
    at_start = True
    indented = False
    for token in tokens:
        if token.type == tokenize.INDENT:
            depth += 1
            indented = True
            continue
        if token.type == tokenize.DEDENT:
            depth -= 1
            continue
        if token.type in (tokenize.NL, tokenize.COMMENT, tokenize.ENCODING):
            continue
        if token.type == tokenize.NEWLINE:
            at_start = True
            continue
        if token.type == tokenize.ENDMARKER:
            return
        if at_start:
            yield _LineStart(depth, token, indented)
            at_start = False
            indented = False


def _reindent(text: str, rng: random.Random) -> str:
    unit = rng.choice(["  ", "   ", "    ", "    ", "    ", "\t"])
    if unit == "    ":
        return text
    editor = _Editor(text)
    for start in _logical_line_starts(_tokens(text)):
        row, col = start.token.start
        editor.replace((row, 0), (row, col), unit * start.depth)
    return editor.apply()


def _switch_quotes(text: str, rng: random.Random) -> str:
    prefer_double = rng.random() < 0.6
    editor = _Editor(text)
    for token in _tokens(text):
        if token.type != tokenize.STRING:
            continue
        body_start = len(token.string) - len(token.string.lstrip("rRbBuUfF"))
        prefix, rest = token.string[:body_start], token.string[body_start:]
        if "f" in prefix.lower() or rest[:3] in ('"""', "'''") or len(rest) < 2:
            continue
        body = rest[1:-1]
        if "'" in body or '"' in body or rng.random() < 0.1:
            continue
        quote = '"' if prefer_double else "'"
        editor.replace(token.start, token.end, f"{prefix}{quote}{body}{quote}")
    return editor.apply()


@dataclass
class _Bracket:
    opener: tokenize.TokenInfo
    is_subscript: bool
    commas: list[tokenize.TokenInfo] = field(default_factory=list)
    has_for: bool = False
    has_lambda_colon: bool = False
    last_inner: tokenize.TokenInfo | None = None


def _brackets(
    tokens: Sequence[tokenize.TokenInfo],
) -> Iterator[tuple[_Bracket, tokenize.TokenInfo]]:
    """Every closed bracket pair outside f-strings, with its top-level commas."""
    stack: list[_Bracket] = []
    previous: tokenize.TokenInfo | None = None
    fstring_depth = 0
    for token in tokens:
        if token.type == _FSTRING_START:
            fstring_depth += 1
        elif token.type == _FSTRING_END:
            fstring_depth -= 1
        if fstring_depth or token.type in (tokenize.NL, tokenize.COMMENT):
            previous = token if fstring_depth == 0 else previous
            continue
        if token.type == tokenize.OP and token.string in _OPENERS:
            is_subscript = (
                token.string == "["
                and previous is not None
                and (
                    (previous.type == tokenize.NAME and not keyword.iskeyword(previous.string))
                    or previous.string in (")", "]", "}")
                    or previous.type == tokenize.STRING
                )
            )
            if (
                token.string == "["
                and previous is not None
                and previous.string in keyword.softkwlist
            ):
                is_subscript = True
            if stack:
                stack[-1].last_inner = token
            stack.append(_Bracket(token, is_subscript))
        elif token.type == tokenize.OP and token.string in _CLOSERS and stack:
            yield stack.pop(), token
            if stack:
                stack[-1].last_inner = token
        elif stack:
            top = stack[-1]
            if token.type == tokenize.OP and token.string == ",":
                top.commas.append(token)
            elif token.type == tokenize.NAME and token.string in ("for", "async", "lambda"):
                top.has_for = True
            top.last_inner = token
        previous = token


def _add_trailing_commas(text: str, rng: random.Random) -> str:
    chance = rng.choice([0.0, 0.05, 0.2])
    editor = _Editor(text)
    for bracket, _closer in _brackets(_tokens(text)):
        last = bracket.last_inner
        if (
            bracket.is_subscript
            or bracket.has_for
            or not bracket.commas
            or last is None
            or last.string == ","
            or rng.random() >= chance
        ):
            continue
        editor.insert(last.end, ",")
    return editor.apply()


def _restore_multiline_strings(text: str, rng: random.Random) -> str:
    """``ast.unparse`` writes every string on one line (``'a\\nb'``); people write long
    multi-line strings triple-quoted, and one-line megabyte literals look generated."""
    editor = _Editor(text)
    for token in _tokens(text):
        if token.type != tokenize.STRING or len(token.string) < 60:
            continue
        prefix = token.string[: len(token.string) - len(token.string.lstrip("rRbBuUfF"))]
        if set(prefix.lower()) & {"r", "b", "f"}:
            continue
        try:
            value = ast.literal_eval(token.string)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            continue
        if not isinstance(value, str) or value.count("\n") < 2:
            continue
        if len(token.string) < 400 and rng.random() < 0.1:
            continue  # a short one may stay as it is
        if "\r" in value or not all(c.isprintable() or c in "\n\t" for c in value):
            continue
        body = value.replace("\\", "\\\\")
        for quote in ('"""', "'''"):
            if quote not in body and not body.endswith(quote[0]):
                editor.replace(token.start, token.end, f"{prefix}{quote}{body}{quote}")
                break
    return editor.apply()


def _drop_tuple_parentheses(text: str, rng: random.Random) -> str:
    """``a, b = (x, y)`` and ``return (x, y)`` as people write them: ``a, b = x, y``."""
    tokens = [t for t in _tokens(text) if t.type not in (tokenize.NL, tokenize.COMMENT)]
    chance = rng.choice([0.5, 0.9, 1.0])
    editor = _Editor(text)
    stack: list[int] = []
    top_level_commas: list[int] = []  # per open bracket
    unsafe: list[bool] = []
    for index, token in enumerate(tokens):
        if token.type != tokenize.OP and not (token.type == tokenize.NAME and stack):
            continue
        if token.string in _OPENERS:
            stack.append(index)
            top_level_commas.append(0)
            unsafe.append(False)
        elif token.string in _CLOSERS and stack:
            opener = stack.pop()
            commas = top_level_commas.pop()
            risky = unsafe.pop()
            before = tokens[opener - 1] if opener else None
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if (
                tokens[opener].string == "("
                and commas
                and not risky
                and not stack
                and before is not None
                and (before.string == "=" or before.string in ("return", "yield"))
                and after is not None
                and after.type == tokenize.NEWLINE
                and rng.random() < chance
            ):
                editor.replace(tokens[opener].start, tokens[opener].end, "")
                editor.replace(token.start, token.end, "")
        elif stack and token.string == ",":
            if len(stack) == len(top_level_commas):
                top_level_commas[-1] += 1
        elif stack and token.string in (":=", "for", "lambda", "async"):
            unsafe[-1] = True
    return editor.apply()


def _wrap_long_lines(text: str, rng: random.Random) -> str:
    """Break long lines after the commas of their outermost bracket, as people do by hand."""
    limit = rng.choice([72, 79, 88, 99, 120])
    hanging = rng.random() < 0.5
    lines = text.splitlines()
    tokens = _tokens(text)
    indents = {
        token.start[0]: len(lines[token.start[0] - 1]) - len(lines[token.start[0] - 1].lstrip())
        for token in (start.token for start in _logical_line_starts(tokens))
    }
    outermost: dict[int, tuple[_Bracket, tokenize.TokenInfo]] = {}
    for bracket, closer in _brackets(tokens):
        row = bracket.opener.start[0]
        if (
            closer.start[0] == row
            and row in indents
            and len(lines[row - 1]) > limit
            and bracket.commas
            and not bracket.is_subscript
            and (
                row not in outermost or bracket.opener.start[1] < outermost[row][0].opener.start[1]
            )
        ):
            outermost[row] = (bracket, closer)
    editor = _Editor(text)
    for row, (bracket, closer) in outermost.items():
        base = indents[row]
        commas = bracket.commas
        if hanging:
            inner = " " * (base + 4)
            editor.insert(bracket.opener.end, "\n" + inner)
            trailing = bracket.last_inner is not None and bracket.last_inner.string == ","
            for comma in commas[:-1] if trailing else commas:
                editor.replace(comma.end, _next_col(lines, comma.end), "\n" + inner)
            last = bracket.last_inner
            if not trailing and not bracket.has_for and last is not None:
                editor.insert(last.end, ",")  # the "magic trailing comma" of exploded brackets
            editor.insert(closer.start, "\n" + " " * base)
        else:
            inner = " " * bracket.opener.end[1]
            for comma in commas:
                editor.replace(comma.end, _next_col(lines, comma.end), "\n" + inner)
    return editor.apply()


def _next_col(lines: list[str], position: tuple[int, int]) -> tuple[int, int]:
    """The position after the spaces following ``position`` on its line."""
    row, col = position
    line = lines[row - 1]
    while col < len(line) and line[col] == " ":
        col += 1
    return row, col


def _blank_lines(text: str, rng: random.Random) -> str:
    top_gap = rng.choice([1, 2, 2, 3])
    inner_chance = rng.choice([0.0, 0.05, 0.15])
    editor = _Editor(text)
    after_decorator = False
    for start in _logical_line_starts(_tokens(text)):
        token = start.token
        row = token.start[0]
        is_def = token.string in ("def", "class", "async", "@")
        if row > 1 and not after_decorator and not start.opens_block:
            if start.depth == 0 and is_def:
                editor.insert((row, 0), "\n" * top_gap)
            elif (
                (start.depth == 0 and rng.random() < 0.3)
                or (is_def and rng.random() < 0.7)
                or rng.random() < inner_chance
            ):
                editor.insert((row, 0), "\n")
        after_decorator = token.string == "@"
    return editor.apply()


_COMMENTS = (
    "keep the {a} and the {b} consistent",
    "TODO: cache the {a} here",
    "the {a} may be empty",
    "fast path for the common {a}",
    "{a} first, then {b}",
    "NOTE: order matters for the {a}",
    "update {a} before {b}",
)


def _add_comments(text: str, rng: random.Random) -> str:
    starts = list(_logical_line_starts(_tokens(text)))
    if not starts:
        return text
    count = max(1, len(starts) // 30)
    lines = text.splitlines()
    editor = _Editor(text)
    for start in sorted(rng.sample(starts, min(count, len(starts))), key=lambda s: s.token.start):
        row = start.token.start[0]
        indent = lines[row - 1][: len(lines[row - 1]) - len(lines[row - 1].lstrip())]
        words = rng.choice(_COMMENTS).format(a=rng.choice(_WORDS), b=rng.choice(_WORDS))
        editor.insert((row, 0), f"{indent}# {words}\n")
    return editor.apply()
