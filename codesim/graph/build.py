"""A repo's graph from the facts of its files, every name resolved inside the repo.

The graph is a ``networkx.MultiDiGraph`` whose edge key is the edge's kind, so two nodes are
linked at most once per kind and parallel edges of different kinds stay apart.

Nodes (id: ``path`` for a module, ``path:Qual.name`` for a class or function, as reports
show them) carry ``kind`` (``module``/``class``/``function``), ``qualname`` (dotted module
path plus the unit's name), ``path``, ``lines`` (first and last, 1-based), ``tokens`` and
``signature`` (MinHash row, or None for a unit folded into its parent).

Edges carry ``kind`` and ``weight``:

- ``contains``: module -> its top-level classes and functions, class -> methods, function
  -> nested functions; weight 1.  Every node but a module has exactly one container.
- ``imports``: module -> module, weight = the number of imports reaching it (``import a, b``
  and ``from . import a, b`` are one per name, ``from m import x, y`` one).
- ``calls``: unit -> class or function, from each call site ``name(...)``; a site with
  ``n`` candidates adds ``1/n`` to each (see ``_callees`` for which candidates).
- ``inherits``: class -> class, per positional base resolved by name, ``1/n`` per candidate
  (never the class itself).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Literal, TypeAlias

import networkx as nx

from codesim.graph.facts import Call, FileFacts
from codesim.tokens import ImportRef, UnitKind

__all__ = ["RepoGraph", "build_graph", "module_name"]

RepoGraph: TypeAlias = nx.MultiDiGraph

EdgeKind = Literal["contains", "calls", "imports", "inherits"]
CONTAINS: EdgeKind = "contains"
CALLS: EdgeKind = "calls"
IMPORTS: EdgeKind = "imports"
INHERITS: EdgeKind = "inherits"

_Weights = defaultdict[tuple[str, str, EdgeKind], float]


def module_name(path: str, package: str = "") -> str:
    """The dotted module of a file: ``pkg/sub/mod.py`` -> ``pkg.sub.mod``, ``pkg/__init__.py``
    -> ``pkg``; ``package`` (the root folder's name, when the root is itself a package)
    is prepended."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([package, *parts] if package else parts)


def build_graph(files: Sequence[FileFacts], package: str = "") -> RepoGraph:
    """The graph of one repo (see the module docstring for what it holds).

    ``package`` names the root folder when it is a package itself (holds ``__init__.py``),
    so that ``email/mime/text.py`` read from ``email/`` is ``email.mime.text``, as its
    absolute imports spell it.
    """
    graph = nx.MultiDiGraph()
    # Weights are summed here and the edges added at once: networkx's per-edge lookups
    # cost more than the rest of the build.
    weights: _Weights = defaultdict(float)
    modules = {module_name(facts.path, package): facts.path for facts in files}
    by_name: dict[str, list[str]] = defaultdict(list)
    methods: set[str] = set()
    all_ids = []
    for facts in files:
        module = module_name(facts.path, package)
        ids = facts.ids
        all_ids.append(ids)
        for node, unit in zip(ids, facts.units, strict=True):
            graph.add_node(
                node,
                kind=unit.kind.value,
                qualname=module if unit.kind is UnitKind.MODULE else f"{module}.{unit.name}",
                path=facts.path,
                lines=unit.lines,
                tokens=unit.tokens,
                signature=unit.signature,
            )
            if unit.parent >= 0:
                weights[ids[unit.parent], node, CONTAINS] += 1.0
                if facts.units[unit.parent].kind is UnitKind.CLASS:
                    methods.add(node)
            if unit.kind is not UnitKind.MODULE:
                by_name[unit.name.rsplit(".", 1)[-1]].append(node)
    for facts, ids in zip(files, all_ids, strict=True):
        module = module_name(facts.path, package)
        is_package = PurePosixPath(facts.path).stem == "__init__"
        for ref in facts.imports:
            for target in _imported_modules(ref, module, is_package, modules):
                if target != facts.path:
                    weights[facts.path, target, IMPORTS] += 1.0
        _link_units(graph, weights, facts, ids, by_name, methods)
    graph.add_edges_from(
        (source, target, kind, {"kind": kind, "weight": weight})
        for (source, target, kind), weight in weights.items()
    )
    return graph


def _link_units(
    graph: nx.MultiDiGraph,
    weights: _Weights,
    facts: FileFacts,
    ids: list[str],
    by_name: dict[str, list[str]],
    methods: set[str],
) -> None:
    local: dict[str, list[str]] = defaultdict(list)
    for node, unit in zip(ids, facts.units, strict=True):
        local[unit.name].append(node)
    for index, unit in enumerate(facts.units):
        for call in unit.calls:
            callees = _callees(call, facts, index, local, by_name, methods)
            for callee in callees:
                weights[ids[index], callee, CALLS] += 1 / len(callees)
        for base in unit.bases:
            # A class is never its own base: ``class Message(email.message.Message)``.
            classes = [
                c
                for c in by_name.get(base, ())
                if c != ids[index] and graph.nodes[c]["kind"] == "class"
            ]
            for target in classes:
                weights[ids[index], target, INHERITS] += 1 / len(classes)


def _callees(
    call: Call,
    facts: FileFacts,
    index: int,
    local: dict[str, list[str]],
    by_name: dict[str, list[str]],
    methods: set[str],
) -> list[str]:
    """The repo's units a call site may reach, by name.

    ``self.f()``/``cls.f()`` in a method: the method ``f`` of the enclosing class when it has
    one.  A bare ``f()``: the ``f`` defined in the nearest enclosing function or the module
    body of the same file, else every function or class ``f`` of the repo that is not a
    method (it was imported).  ``x.f()``: every function or class named ``f`` (methods and
    module members alike: ``x`` may be an instance or an imported module).  Names defined
    nowhere in the repo reach nothing.
    """
    candidates = by_name.get(call.name, [])
    if not candidates:
        return []
    if call.member:
        owner = _enclosing_class(facts, index) if call.on_self else -1
        own = local.get(f"{facts.units[owner].name}.{call.name}") if owner >= 0 else None
        return own if own else list(candidates)
    scope = index
    while scope >= 0:
        unit = facts.units[scope]
        if unit.kind is not UnitKind.CLASS:
            prefix = "" if unit.kind is UnitKind.MODULE else f"{unit.name}."
            found = local.get(prefix + call.name)
            if found:
                return found
        scope = unit.parent
    return [c for c in candidates if c not in methods]


def _enclosing_class(facts: FileFacts, index: int) -> int:
    parent = facts.units[index].parent
    while parent >= 0 and facts.units[parent].kind is not UnitKind.CLASS:
        parent = facts.units[parent].parent
    return parent


def _imported_modules(
    ref: ImportRef, module: str, is_package: bool, modules: dict[str, str]
) -> list[str]:
    """The repo files an import reaches: ``from M import a`` reaches ``M.a`` when that is a
    module of the repo, else ``M`` itself."""
    base = _absolute(ref, module, is_package, modules)
    if base is None:
        return []
    if not ref.names:
        return [modules[base]] if base in modules else []
    found = []
    for name in ref.names:
        child = f"{base}.{name}" if base else name
        if child in modules:
            found.append(modules[child])
        elif base in modules:
            found.append(modules[base])
    return list(dict.fromkeys(found))


def _absolute(ref: ImportRef, module: str, is_package: bool, modules: dict[str, str]) -> str | None:
    """The dotted module an import's path names, or None when it names none of the repo.

    A relative path goes up from the importing module's package.  An absolute path is taken
    as is when the repo has it, else as the one module of the repo whose name ends with it
    (``pkg.mod`` in a ``src/`` layout, where the file is ``src.pkg.mod``); an unrelated
    absolute import (``os``) finds nothing.
    """
    if ref.level:
        parts = module.split(".") if module else []
        keep = len(parts) - ref.level + (1 if is_package else 0)
        if keep < 0:
            return None
        base = ".".join(parts[:keep])
        return f"{base}.{ref.module}".strip(".") if ref.module else base
    if ref.module in modules or any(f"{ref.module}.{n}" in modules for n in ref.names):
        return ref.module
    suffixes = [m for m in modules if m.endswith("." + ref.module)]
    if len(suffixes) == 1:
        return suffixes[0]
    return None
