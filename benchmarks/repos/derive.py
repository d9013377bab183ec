"""Derive a disguised copy of a whole package, with the ground truth of where every unit went.

``derive_repo(src, out, seed)`` reads the ``.py`` files of a package folder, restructures it
the way someone hiding a copy of a project would, writes the result to ``out`` and returns a
``Truth``: which derived unit each original unit became (ids as codesim's graph spells them:
``path`` for a module, ``path:Qual.name`` for a class or function, ``#2`` for a second unit of
the same name in one file).

Structural operations work on the syntax trees of the whole repo at once:

- ``merge``: two modules become one (the second's statements join the first's module);
- ``split``: some top-level classes and functions of one module go to one or two new modules;
- ``move_defs``: top-level classes and functions move to other existing modules;
- ``move_files``: modules get new file names and some move into new folders;
- ``rename_public``: public top-level functions and classes are renamed everywhere the repo
  uses them (definitions, imports, module attributes, ``__all__``).

Then per-module disguises from the accuracy benchmark's toolbox run on the derived files:

- ``rename_local``: ``tests/disguise.py`` renames the names private to one module (a name that
  any other module spells is kept, so cross-module uses keep working);
- ``deadcode``: ``transforms.deadcode`` inserts code that never runs;
- ``reformat``: ``transforms.reformat`` re-lays the file out and rewrites comments.

Imports inside the repo follow every move (absolute and relative, ``from m import x`` and
module objects): an import is resolved against where the importing code *was* and written for
where the imported code *is now*.  A moved definition brings the imports it needs and imports
the names of its old module it reads; its old module imports it back where it is still used.
What cannot be moved safely stays put: a definition bound twice, read as an attribute of its
module object, living in a star-imported module, or declaring ``global``; a move that would make
one name mean two things in its new module is not made.  Every file written compiles; the
derived repo is plausible code, not proven to import (a new cycle between two modules that
import each other at the top is possible).

Like the accuracy generator, this uses ``ast``, ``tests/disguise.py`` and
``benchmarks/accuracy/transforms.py`` only, never codesim, so a blind spot of codesim cannot be
reproduced by its own benchmark.
"""

from __future__ import annotations

import ast
import builtins
import random
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from benchmarks.accuracy import transforms
from benchmarks.accuracy.corpus import read_source
from benchmarks.accuracy.transforms import Fresh, names_read, names_written, walk_scope
from tests.disguise import DisguiseError, check_compiles, disguise, parse_module

STRUCTURAL = ("merge", "split", "move_defs", "move_files", "rename_public")
PER_MODULE = ("rename_local", "deadcode", "reformat")
OPERATIONS = STRUCTURAL + PER_MODULE

_SKIP_PARTS = frozenset({"__pycache__", "test", "tests", "idle_test"})

Sig = tuple[str, ...]
"""What a module-level name means: ``("stmt", path, name)`` for a name a module binds itself,
``("import", module, name)`` for one from outside the repo, ``("module", path)`` for a repo
module object, ``("free", name)`` for a builtin or unbound name."""


@dataclass
class Truth:
    """Where the original repo's code went in the derived one."""

    units: dict[str, str]
    """Original unit id -> derived unit id (every module, class and function)."""
    files: dict[str, list[str]]
    """Derived file -> the original files it holds code from."""
    operations: list[str]
    """The operations that changed something, in the order applied."""
    details: dict[str, Any]
    """Per operation, what it did (merged modules, moved definitions, renamed names...)."""
    unit_lines: dict[str, int]
    """Original unit id -> its length in lines (the runner scores units of >= 3 lines)."""

    def to_json(self) -> dict[str, Any]:
        return {
            "units": self.units,
            "files": self.files,
            "operations": self.operations,
            "details": self.details,
            "unit_lines": self.unit_lines,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Truth:
        return cls(
            data["units"], data["files"], data["operations"], data["details"], data["unit_lines"]
        )


def material_files(root: Path) -> list[str]:
    """The ``.py`` files of a package folder that are material (no tests, no caches), as POSIX
    paths relative to ``root``, sorted."""
    out = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if any(p in _SKIP_PARTS for p in rel.parts[:-1]) or rel.name.startswith("test_"):
            continue
        if not path.is_symlink():
            out.append(rel.as_posix())
    return out


def copy_repo(src: Path, out: Path, files: Iterable[str]) -> None:
    """The left side of a pair: the material files as they are."""
    for rel in files:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, target)


def package_prefix(root: Path) -> str:
    """The dotted name the folder's own code imports it by (``xml.etree`` for
    ``.../xml/etree``), or ``""`` when the folder is not a package."""
    parts: list[str] = []
    folder = root
    while (folder / "__init__.py").is_file():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


# --------------------------------------------------------------------------------------------
# units, as codesim's graph names them


def unit_nodes(tree: ast.AST) -> list[tuple[str, ast.AST]]:
    """(qualified name, node) of every class and function, in source order; nested units are
    ``outer.inner`` whatever block (``if``, ``try``) they sit in."""
    out: list[tuple[str, ast.AST]] = []

    def visit(node: ast.AST, outer: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                qual = f"{outer}.{child.name}" if outer else child.name
                out.append((qual, child))
                visit(child, qual)
            else:
                visit(child, outer)

    visit(tree, "")
    return out


def unit_ids(path: str, quals: Iterable[str]) -> list[str]:
    """``path:qual``; the second unit of one name in a file is ``#2``, as codesim numbers it."""
    seen: dict[str, int] = defaultdict(int)
    out = []
    for qual in quals:
        node = f"{path}:{qual}"
        seen[node] += 1
        out.append(node if seen[node] == 1 else f"{node}#{seen[node]}")
    return out


# --------------------------------------------------------------------------------------------
# the original repo


@dataclass
class _Module:
    path: str
    dotted: str
    tree: ast.Module
    bindings: dict[str, list[int]] = field(default_factory=dict)
    """Module-level name -> indices of the top-level statements binding it."""

    @property
    def is_package(self) -> bool:
        return PurePosixPath(self.path).name == "__init__.py"

    @property
    def package_parts(self) -> list[str]:
        parts = self.dotted.split(".") if self.dotted else []
        return parts if self.is_package else parts[:-1]


def _dotted(prefix: str, path: str) -> str:
    parts = list(PurePosixPath(path).with_suffix("").parts)
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join([*([prefix] if prefix else []), *parts])


def _is_def(stmt: ast.AST) -> bool:
    return isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)


def _docstring(stmt: ast.stmt) -> bool:
    return (
        isinstance(stmt, ast.Expr)
        and isinstance(stmt.value, ast.Constant)
        and isinstance(stmt.value.value, str)
    )


def _future(stmt: ast.stmt) -> bool:
    return isinstance(stmt, ast.ImportFrom) and stmt.module == "__future__"


def _chain(node: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a name, else ``None``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _chain(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _free_names(stmt: ast.stmt) -> set[str]:
    """Names a statement reads that no scope inside it binds: module globals or builtins."""
    inner: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            inner |= transforms.function_locals(node)
        elif isinstance(node, ast.Lambda):
            inner |= {a.arg for a in (*node.args.posonlyargs, *node.args.args)}
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                inner |= names_written(sub)
        elif isinstance(node, ast.comprehension):
            inner |= {n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}
    names = names_read(stmt) - inner
    if isinstance(stmt, ast.Assign) and any(_chain(t) == "__all__" for t in stmt.targets):
        names |= {
            c.value
            for c in ast.walk(stmt.value)
            if isinstance(c, ast.Constant) and isinstance(c.value, str)
        }
    return names


def _eager_reads(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement reads while the module is imported."""
    return {n.id for n in walk_scope(stmt) if isinstance(n, ast.Name)}


class _Repo:
    """The original package: its modules, what their names mean, what may move."""

    def __init__(self, root: Path, files: Sequence[str]) -> None:
        self.prefix = package_prefix(root)
        self.modules: dict[str, _Module] = {}
        for rel in files:
            tree = parse_module(read_source(root / rel))
            module = _Module(rel, _dotted(self.prefix, rel), tree)
            for index, stmt in enumerate(tree.body):
                for name in names_written(stmt):
                    module.bindings.setdefault(name, []).append(index)
            self.modules[rel] = module
        self.by_dotted = {m.dotted: m.path for m in self.modules.values()}
        self._sigs: dict[tuple[str, str], Sig] = {}
        self.module_aliases: dict[str, dict[str, str]] = {}
        self.pinned: set[tuple[str, str]] = set()
        self.star_imported: set[str] = set()
        self.spellings: dict[str, list[tuple[_Module, ast.AST]]] = defaultdict(list)
        """Identifier -> the nodes spelling it (definitions, names, parameters, keywords,
        attributes, ``global``), for ``rename_public``'s check."""
        for module in self.modules.values():
            self._survey(module)
            for node in ast.walk(module.tree):
                for spelled in _spelled(node):
                    self.spellings[spelled].append((module, node))

    def resolve(self, module: _Module, node: ast.ImportFrom) -> str | None:
        """The absolute module an ``ImportFrom`` names (relative ones read from ``module``)."""
        if not node.level:
            return node.module
        base = module.package_parts
        if node.level - 1 > len(base):
            return None
        base = base[: len(base) - (node.level - 1)]
        return ".".join([*base, *([node.module] if node.module else [])])

    def submodule(self, dotted: str | None, name: str) -> str | None:
        """The repo module ``dotted.name`` (``from pkg import mod``), if there is one."""
        if dotted is None:
            return None
        return self.by_dotted.get(f"{dotted}.{name}" if dotted else name)

    def _survey(self, module: _Module) -> None:
        """Module objects bound by imports, the attributes read on them (pinned: such a
        definition cannot leave its module), and star-imported modules."""
        aliases: dict[str, str] = {}
        for node in ast.walk(module.tree):
            if isinstance(node, ast.ImportFrom):
                target = self.resolve(module, node)
                for alias in node.names:
                    sub = self.submodule(target, alias.name)
                    if sub is not None:
                        aliases[alias.asname or alias.name] = sub
                    elif alias.name == "*" and target in self.by_dotted:
                        self.star_imported.add(self.by_dotted[target])
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname and alias.name in self.by_dotted:
                        aliases[alias.asname] = self.by_dotted[alias.name]
        self.module_aliases[module.path] = aliases
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Attribute):
                owner = self.attribute_owner(module, node)
                if owner is not None:
                    self.pinned.add((owner, node.attr))

    def attribute_owner(self, module: _Module, node: ast.Attribute) -> str | None:
        """The repo module whose attribute ``node`` reads (``mod.x``, ``pkg.mod.x``)."""
        head = _chain(node.value)
        if head is None:
            return None
        if head in self.module_aliases.get(module.path, {}):
            return self.module_aliases[module.path][head]
        if head in self.by_dotted:
            return self.by_dotted[head]
        return None

    def sig(self, path: str, name: str, depth: int = 0) -> Sig:
        """What ``name`` means at the top level of module ``path`` (see ``Sig``)."""
        key = (path, name)
        if key not in self._sigs:
            self._sigs[key] = self._sig(self.modules[path], name, depth)
        return self._sigs[key]

    def _sig(self, module: _Module, name: str, depth: int) -> Sig:
        indices = module.bindings.get(name)
        if not indices:
            return ("free", name)
        stmt = module.tree.body[indices[0]]
        if len(indices) == 1 and isinstance(stmt, ast.ImportFrom):
            target = self.resolve(module, stmt)
            for alias in stmt.names:
                if (alias.asname or alias.name) != name:
                    continue
                sub = self.submodule(target, alias.name)
                if sub is not None:
                    return ("module", sub)
                if target in self.by_dotted and depth < 8:
                    return self.sig(self.by_dotted[target], alias.name, depth + 1)
                return ("import", str(target), alias.name)
        if len(indices) == 1 and isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname == name:
                    return ("import", alias.name)
                if alias.asname is None and alias.name.split(".")[0] == name:
                    return ("import", name)
        return ("stmt", module.path, name)

    def import_binding(self, path: str, name: str) -> tuple[ast.stmt, ast.alias] | None:
        """The top-level import statement alone binding ``name`` in module ``path``."""
        module = self.modules[path]
        indices = module.bindings.get(name, [])
        if len(indices) != 1:
            return None
        stmt = module.tree.body[indices[0]]
        if isinstance(stmt, ast.Import | ast.ImportFrom):
            for alias in stmt.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound == name:
                    return stmt, alias
        return None

    def relocatable(self, path: str) -> list[int]:
        """Indices of the top-level definitions of ``path`` that may move to another module."""
        module = self.modules[path]
        if path in self.star_imported:
            return []
        out = []
        for index, stmt in enumerate(module.tree.body):
            if not _is_def(stmt):
                continue
            name = stmt.name  # type: ignore[attr-defined]
            if (
                module.bindings.get(name) == [index]
                and (path, name) not in self.pinned
                and not name.startswith("__")
                and not any(isinstance(n, ast.Global | ast.Nonlocal) for n in ast.walk(stmt))
            ):
                out.append(index)
        return out


# --------------------------------------------------------------------------------------------
# the plan: where every top-level statement goes


@dataclass
class _Namespace:
    """The top-level names of one derived module and what each means, to refuse a move that
    would make one name mean two things."""

    binds: dict[str, Sig] = field(default_factory=dict)
    free: set[str] = field(default_factory=set)
    """Names read as builtins (or unbound) here: nothing may bind them."""

    def wants(self, repo: _Repo, origin: str, stmt: ast.stmt) -> tuple[dict[str, Sig], set[str]]:
        binds = {name: repo.sig(origin, name) for name in names_written(stmt)}
        free: set[str] = set()
        for name in _free_names(stmt):
            meaning = repo.sig(origin, name)
            if meaning[0] == "free":
                free.add(name)
            else:
                binds.setdefault(name, meaning)
        return binds, free

    def fits(self, binds: dict[str, Sig], free: set[str]) -> bool:
        return all(self.binds.get(n, s) == s and n not in self.free for n, s in binds.items()) and (
            not free & self.binds.keys()
        )

    def add(self, binds: dict[str, Sig], free: set[str]) -> None:
        self.binds.update(binds)
        self.free |= free


@dataclass
class _Plan:
    home: dict[str, str]
    """Original module -> the derived module its statements live in (unless moved)."""
    moved: dict[tuple[str, int], str] = field(default_factory=dict)
    """(original module, statement index) -> derived module, for moved definitions."""
    dropped: set[tuple[str, int]] = field(default_factory=set)
    """Statements a merge makes redundant (the second docstring, a second ``__all__``)."""
    all_extra: dict[str, list[ast.expr]] = field(default_factory=dict)
    """Derived module -> ``__all__`` entries a merge adds to its first module's list."""
    first: dict[str, list[str]] = field(default_factory=dict)
    """Derived module -> original modules in the order their statements appear."""
    renamed: dict[str, str] = field(default_factory=dict)
    spaces: dict[str, _Namespace] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)

    def where(self, origin: str, index: int) -> str:
        return self.moved.get((origin, index), self.home[origin])


class _Planner:
    def __init__(self, repo: _Repo, rng: random.Random, fresh: Fresh) -> None:
        self.repo = repo
        self.rng = rng
        self.fresh = fresh
        self.plan = _Plan(home={p: p for p in repo.modules})
        self.plan.first = {p: [p] for p in repo.modules}
        for path, module in repo.modules.items():
            space = self.plan.spaces.setdefault(path, _Namespace())
            for stmt in module.tree.body:
                space.add(*space.wants(repo, path, stmt))

    def _ordinary(self, path: str) -> bool:
        return PurePosixPath(path).name not in {"__init__.py", "__main__.py"}

    # merge ------------------------------------------------------------------------------

    def merge(self) -> bool:
        repo, plan = self.repo, self.plan
        paths = [p for p in sorted(repo.modules) if self._ordinary(p) and plan.home[p] == p]
        pairs = [(a, b) for a in paths for b in paths if a < b]
        self.rng.shuffle(pairs)
        for a, b in pairs[:40]:
            if self.rng.random() < 0.5:
                a, b = b, a
            if self._merge(a, b):
                plan.details.setdefault("merge", []).append({"into": a, "merged": b})
                return True
        return False

    def _imports_from(self, a: str, b: str) -> bool:
        module = self.repo.modules[a]
        for stmt in module.tree.body:
            if isinstance(stmt, ast.ImportFrom):
                target = self.repo.resolve(module, stmt)
                if self.repo.by_dotted.get(str(target)) == b:
                    return True
                if any(self.repo.submodule(target, al.name) == b for al in stmt.names):
                    return True
            elif isinstance(stmt, ast.Import) and any(
                self.repo.by_dotted.get(al.name) == b for al in stmt.names
            ):
                return True
        return False

    def _merge(self, a: str, b: str) -> bool:
        """Statements of ``b`` join ``a``'s module (``b``'s first when ``a`` imports ``b``)."""
        repo, plan = self.repo, self.plan
        if b in repo.star_imported or a in repo.star_imported:
            return False
        a_imports_b, b_imports_a = self._imports_from(a, b), self._imports_from(b, a)
        if a_imports_b and b_imports_a:
            return False
        if any(
            repo.module_aliases[x].get(n) == y
            for x, y in ((a, b), (b, a))
            for n in repo.module_aliases[x]
        ):
            return False
        module_b = repo.modules[b]
        space = _Namespace(dict(plan.spaces[a].binds), set(plan.spaces[a].free))
        dropped: set[tuple[str, int]] = set()
        all_extra: list[ast.expr] = []
        for index, stmt in enumerate(module_b.tree.body):
            if (b, index) in plan.moved:
                continue
            if index == 0 and _docstring(stmt):
                dropped.add((b, index))
                continue
            binds, free = space.wants(repo, b, stmt)
            dunders = {n for n in binds if n.startswith("__") and n.endswith("__")}
            if dunders and dunders <= space.binds.keys() and isinstance(stmt, ast.Assign):
                if "__all__" in dunders:
                    if not isinstance(stmt.value, ast.List | ast.Tuple):
                        return False
                    all_extra += stmt.value.elts
                dropped.add((b, index))
                continue
            # Names ``b`` imports from ``a`` are ``a``'s own names once merged.
            binds = {n: s for n, s in binds.items() if not (s[0] == "stmt" and s[1] == a)}
            if not space.fits(binds, free):
                return False
            space.add(binds, free)
        if all_extra and not self._all_list(a):
            return False
        plan.home[b] = a
        plan.spaces[a] = space
        plan.spaces.pop(b)
        plan.dropped |= dropped
        if all_extra:
            plan.all_extra.setdefault(a, []).extend(all_extra)
        before, after = plan.first[a], plan.first.pop(b)
        plan.first[a] = [*after, *before] if a_imports_b else [*before, *after]
        return True

    def _all_list(self, path: str) -> bool:
        module = self.repo.modules[path]
        return any(
            isinstance(s, ast.Assign)
            and any(_chain(t) == "__all__" for t in s.targets)
            and isinstance(s.value, ast.List | ast.Tuple)
            for s in module.tree.body
        )

    # split and move_defs ----------------------------------------------------------------

    def _movable(self, path: str) -> list[int]:
        return [i for i in self.repo.relocatable(path) if (path, i) not in self.plan.moved]

    def _move(self, origin: str, index: int, target: str) -> bool:
        repo, plan = self.repo, self.plan
        stmt = repo.modules[origin].tree.body[index]
        if self._load_cycle(origin, index, target):
            return False
        space = plan.spaces.setdefault(target, _Namespace())
        binds, free = space.wants(repo, origin, stmt)
        if not space.fits(binds, free):
            return False
        space.add(binds, free)
        plan.moved[(origin, index)] = target
        return True

    def _load_cycle(self, origin: str, index: int, target: str) -> bool:
        """Whether the definition needs, while its new module loads, a name its old module
        keeps, and the old module needs the definition while it loads: two modules importing
        each other at load time cannot both finish."""
        module, plan = self.repo.modules[origin], self.plan
        stmt = module.tree.body[index]
        kept = {
            name
            for name in _eager_reads(stmt)
            for i in module.bindings.get(name, [])
            if plan.where(origin, i) != target and self.repo.import_binding(origin, name) is None
        }
        name = stmt.name  # type: ignore[attr-defined]
        return bool(kept) and any(
            name in _eager_reads(other)
            for i, other in enumerate(module.tree.body)
            if i != index and plan.where(origin, i) != target
        )

    def new_module_path(self, near: str) -> str:
        """A fresh file next to ``near`` or in a new folder."""
        folder = PurePosixPath(near).parent
        if self.rng.random() < 0.4:
            folder = folder / self._fresh_name()
        taken = set(self.plan.spaces) | set(self.plan.home.values())
        while True:
            path = (folder / f"{self._fresh_name()}.py").as_posix()
            if path not in taken:
                return path

    def _fresh_name(self) -> str:
        while True:
            name = self.fresh.var()
            if name not in sys.stdlib_module_names:
                return name

    def split(self) -> bool:
        """Some definitions of one module go to one or two new modules (the first module
        where any of them can go without clashing names or load cycles)."""
        candidates = [p for p in sorted(self.repo.modules) if len(self._movable(p)) >= 3]
        self.rng.shuffle(candidates)
        return any(self._split(origin) for origin in candidates[:8])

    def _split(self, origin: str) -> bool:
        repo, plan = self.repo, self.plan
        movable = self._movable(origin)
        parts = 2 if len(movable) < 6 or self.rng.random() < 0.5 else 3
        chosen = self.rng.sample(
            movable, self.rng.randint(parts - 1, max(parts - 1, len(movable) // 2))
        )
        targets = [self.new_module_path(plan.home[origin]) for _ in range(parts - 1)]
        made: dict[str, list[str]] = defaultdict(list)
        for number, index in enumerate(sorted(chosen)):
            target = targets[number % len(targets)]
            if self._move(origin, index, target):
                made[target].append(repo.modules[origin].tree.body[index].name)  # type: ignore[attr-defined]
        if not made:
            return False
        for target in made:
            plan.first[target] = [origin]
        plan.details.setdefault("split", []).append({"module": origin, "into": dict(made)})
        return True

    def move_defs(self) -> bool:
        repo, plan = self.repo, self.plan
        sources = [(p, i) for p in sorted(repo.modules) for i in self._movable(p)]
        self.rng.shuffle(sources)
        want = self.rng.randint(2, 6)
        done: list[dict[str, str]] = []
        for origin, index in sources:
            if len(done) >= want:
                break
            current = plan.where(origin, index)
            targets = sorted(({plan.home[p] for p in repo.modules} | set(plan.first)) - {current})
            targets = [t for t in targets if self._ordinary(t)]
            if not targets:
                continue
            target = self.rng.choice(targets)
            if self._move(origin, index, target):
                name = repo.modules[origin].tree.body[index].name  # type: ignore[attr-defined]
                plan.first.setdefault(target, [origin])
                done.append({"name": name, "from": origin, "to": target})
        if done:
            plan.details["move_defs"] = done
        return bool(done)

    # move_files -------------------------------------------------------------------------

    def move_files(self) -> dict[str, str]:
        """New paths for derived modules (``__init__``/``__main__`` keep theirs)."""
        plan = self.plan
        modules = sorted({*plan.home.values(), *plan.first})
        movable = [m for m in modules if self._ordinary(m)]
        if not movable:
            return {}
        chosen = self.rng.sample(movable, max(1, round(len(movable) * self.rng.uniform(0.4, 0.9))))
        folders = sorted({PurePosixPath(m).parent.as_posix() for m in modules})
        new_folders = [
            (PurePosixPath(self.rng.choice(folders)) / self._fresh_name()).as_posix()
            for _ in range(self.rng.randint(1, 2))
        ]
        taken = set(modules)
        renames: dict[str, str] = {}
        for old in sorted(chosen):
            stem = PurePosixPath(old).stem
            for _ in range(50):
                folder = (
                    self.rng.choice(new_folders)
                    if self.rng.random() < 0.6
                    else PurePosixPath(old).parent.as_posix()
                )
                name = self._fresh_name() if self.rng.random() < 0.7 else stem
                new = (PurePosixPath(folder) / f"{name}.py").as_posix()
                if new not in taken and new != old:
                    break
            else:
                continue
            taken.add(new)
            renames[old] = new
        return renames

    # rename_public ----------------------------------------------------------------------

    def rename_public(self) -> bool:
        repo = self.repo
        candidates = []
        for path, module in sorted(repo.modules.items()):
            for stmt in module.tree.body:
                if _is_def(stmt):
                    name = stmt.name  # type: ignore[attr-defined]
                    if not name.startswith("_") and len(name) >= 3 and self._renamable(path, name):
                        candidates.append(name)
        if not candidates:
            return False
        chosen = self.rng.sample(candidates, min(len(candidates), self.rng.randint(1, 4)))
        for name in sorted(chosen):
            new = self._fresh_name()
            if name[:1].isupper():
                new = "".join(word.capitalize() for word in new.split("_"))
            self.plan.renamed[name] = new
        self.plan.details["rename_public"] = dict(self.plan.renamed)
        return True

    def _renamable(self, path: str, name: str) -> bool:
        """Whether every spelling of ``name`` in the repo means the definition in ``path``,
        so renaming the string everywhere renames exactly that definition."""
        repo = self.repo
        if name in _BUILTIN_NAMES or len(repo.modules[path].bindings.get(name, [])) != 1:
            return False
        meaning = repo.sig(path, name)
        for other in repo.modules.values():
            if (
                other.path != path
                and name in other.bindings
                and repo.sig(other.path, name) != meaning
            ):
                return False
        # Imports of it are checked through the bindings above.
        for other, node in repo.spellings.get(name, []):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                if not (other.path == path and node in other.tree.body):
                    return False
            elif isinstance(node, ast.Name):
                if not isinstance(node.ctx, ast.Load) or name not in other.bindings:
                    return False
            elif isinstance(node, ast.Attribute):
                owner = repo.attribute_owner(other, node)
                if owner is None or repo.sig(owner, name) != meaning:
                    return False
            else:
                return False
        return True


_BUILTIN_NAMES = frozenset(dir(builtins))


def _spelled(node: ast.AST) -> list[str]:
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [node.name]
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.arg | ast.keyword):
        return [node.arg] if node.arg else []
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.Global | ast.Nonlocal):
        return list(node.names)
    return []


# --------------------------------------------------------------------------------------------
# building the derived modules


class _Builder:
    """Assembles the derived modules from the plan and rewrites their imports."""

    def __init__(self, repo: _Repo, plan: _Plan, paths: dict[str, str]) -> None:
        self.repo = repo
        self.plan = plan
        self.paths = paths
        """Derived module (plan name) -> final file path."""
        self.origin: dict[int, str] = {}
        """id() of every import statement -> the original module it was written in."""
        for module in repo.modules.values():
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    self.origin[id(node)] = module.path
        self.sources: dict[str, set[str]] = defaultdict(set)

    def final(self, path: str) -> str:
        return self.paths.get(path, path)

    def dotted(self, final_path: str) -> str:
        return _dotted(self.repo.prefix, final_path)

    def build(self) -> dict[str, ast.Module]:
        plan, repo = self.plan, self.repo
        pieces: dict[str, list[tuple[str, int]]] = {p: [] for p in plan.home.values()}
        for path, module in repo.modules.items():
            for index in range(len(module.tree.body)):
                if (path, index) not in plan.dropped:
                    pieces.setdefault(plan.where(path, index), []).append((path, index))
        out = {}
        for target in sorted(pieces):
            out[self.final(target)] = self._module(target, pieces[target])
        return out

    def _module(self, target: str, pieces: list[tuple[str, int]]) -> ast.Module:
        plan, repo = self.plan, self.repo
        order = {origin: rank for rank, origin in enumerate(plan.first.get(target, []))}
        home = [p for p in pieces if plan.home[p[0]] == target and p not in plan.moved]
        arrived = [p for p in pieces if p not in home]
        home.sort(key=lambda p: (order.get(p[0], len(order)), p[0], p[1]))
        body = [repo.modules[o].tree.body[i] for o, i in home]
        owners = [o for o, _ in home]
        for origin, index in sorted(arrived):
            stmt = repo.modules[origin].tree.body[index]
            at = self._slot(body, stmt)
            body.insert(at, stmt)
            owners.insert(at, origin)
        for origin in owners:
            self.sources[self.final(target)].add(origin)
        body = self._arrange(body, *self._needed_imports(target, body, owners))
        extra = plan.all_extra.get(target)
        if extra:
            for stmt in body:
                if isinstance(stmt, ast.Assign) and any(
                    _chain(t) == "__all__" for t in stmt.targets
                ):
                    assert isinstance(stmt.value, ast.List | ast.Tuple)
                    stmt.value.elts = [*stmt.value.elts, *extra]
                    break
        tree = ast.Module(body=body, type_ignores=[])
        self._rewrite_imports(tree, target)
        return tree

    def _slot(self, body: list[ast.stmt], stmt: ast.stmt) -> int:
        """Where a moved definition goes: after the imports, after what it reads while the
        module loads, before the first statement reading it then."""
        name = stmt.name  # type: ignore[attr-defined]
        reads = _eager_reads(stmt)
        lo = 0
        while lo < len(body) and (
            _docstring(body[lo]) or isinstance(body[lo], ast.Import | ast.ImportFrom)
        ):
            lo += 1
        for index, other in enumerate(body):
            if names_written(other) & reads:
                lo = max(lo, index + 1)
        for index, other in enumerate(body):
            if index >= lo and name in _eager_reads(other):
                return index
        return len(body)

    def _needed_imports(
        self, target: str, body: list[ast.stmt], owners: list[str]
    ) -> tuple[list[ast.stmt], list[ast.stmt]]:
        """Imports for the module-level names the statements of ``target`` read from their
        original modules that now live elsewhere: (at the top, at the bottom).

        A moved definition and its old module usually import each other; an import of names
        read only when functions run goes to the bottom of the module, as people break such
        cycles, so that each module is complete before the other asks it for a name."""
        plan, repo = self.plan, self.repo
        eager: dict[tuple[str, str], bool] = {}
        for stmt, origin in zip(body, owners, strict=True):
            module = repo.modules[origin]
            loaded = _eager_reads(stmt)
            for name in sorted(_free_names(stmt) - names_written(stmt)):
                indices = module.bindings.get(name)
                if not indices or any((origin, i) in plan.dropped for i in indices):
                    continue
                if target not in {plan.where(origin, i) for i in indices}:
                    eager[(origin, name)] = eager.get((origin, name), False) or name in loaded
        top: list[ast.stmt] = []
        wanted: dict[tuple[bool, str], list[str]] = defaultdict(list)
        for (origin, name), at_load in eager.items():
            binding = repo.import_binding(origin, name)
            if binding is not None:
                copied = _copy_import(binding[0], binding[1])
                self.origin[id(copied)] = origin
                top.append(copied)
                continue
            (location,) = {plan.where(origin, i) for i in repo.modules[origin].bindings[name]}
            new = plan.renamed.get(name, name) if repo.sig(origin, name)[0] == "stmt" else name
            wanted[(at_load, location)].append(new)
        bottom: list[ast.stmt] = []
        for (at_load, location), names in sorted(wanted.items()):
            stmt = self._from_import(target, location, [(n, None) for n in names], relative=True)
            (top if at_load else bottom).append(stmt)
        return top, bottom

    def _arrange(
        self, body: list[ast.stmt], top: list[ast.stmt], bottom: list[ast.stmt]
    ) -> list[ast.stmt]:
        """Docstring, ``__future__`` imports, the module's leading imports, the added ones,
        the rest, then the imports deferred to the bottom."""
        head: list[ast.stmt] = []
        if body and _docstring(body[0]):
            head.append(body.pop(0))
        futures = [s for s in body if _future(s)]
        rest = [s for s in body if not _future(s)]
        lead = 0
        while lead < len(rest) and isinstance(rest[lead], ast.Import | ast.ImportFrom):
            lead += 1
        if futures:
            names = dict.fromkeys(a.name for f in futures for a in f.names)  # type: ignore[attr-defined]
            head.append(
                ast.ImportFrom(module="__future__", names=[ast.alias(n) for n in names], level=0)
            )
        return [*head, *rest[:lead], *top, *rest[lead:], *bottom]

    # imports ----------------------------------------------------------------------------

    def _from_import(
        self, target: str, location: str, names: list[tuple[str, str | None]], *, relative: bool
    ) -> ast.stmt:
        """``from <location> import names``, written from module ``target``'s new place."""
        here = self.final(target)
        there = self.dotted(self.final(location)).split(".")
        node = self._from(here, there, names, relative)
        self.origin[id(node)] = ""
        return node

    def _from(
        self, here: str, there: list[str], names: list[tuple[str, str | None]], relative: bool
    ) -> ast.stmt:
        aliases = [ast.alias(n, a if a != n else None) for n, a in names]
        if not self.repo.prefix or not relative:
            if not there or there == [""]:
                return ast.Import(names=aliases)
            return ast.ImportFrom(module=".".join(there), names=aliases, level=0)
        parts = self.dotted(here).split(".")
        package = parts if PurePosixPath(here).name == "__init__.py" else parts[:-1]
        common = 0
        while common < min(len(package), len(there)) and package[common] == there[common]:
            common += 1
        module = ".".join(there[common:]) or None
        return ast.ImportFrom(module=module, names=aliases, level=len(package) - common + 1)

    def _rewrite_imports(self, tree: ast.Module, target: str) -> None:
        chains: dict[str, str] = {}
        _ImportRewriter(self, target, chains).visit(tree)
        if chains:
            _ChainRewriter(chains).visit(tree)
        for node in ast.walk(tree):
            # An import that became a self-import is gone; its block must not be empty.
            if not isinstance(node, ast.Module) and getattr(node, "body", None) == []:
                node.body = [ast.Pass()]  # type: ignore[attr-defined]
        seen: set[str] = set()
        body = []
        for stmt in tree.body:
            if isinstance(stmt, ast.Import | ast.ImportFrom):
                text = ast.dump(stmt)
                if text in seen:
                    continue
                seen.add(text)
            body.append(stmt)
        tree.body = body

    def rewrite_from(self, node: ast.ImportFrom, target: str) -> list[ast.stmt]:
        origin = self.origin.get(id(node))
        if not origin:
            return [node]
        repo, plan = self.repo, self.plan
        module = repo.modules[origin]
        dotted = repo.resolve(module, node)
        if dotted not in repo.by_dotted and not any(
            repo.submodule(dotted, a.name) for a in node.names
        ):
            return [node]
        relative = node.level > 0
        here = self.final(target)
        out: list[ast.stmt] = []
        for alias in node.names:
            sub = repo.submodule(dotted, alias.name)
            if sub is not None:
                there = self.dotted(self.final(plan.home[sub])).split(".")
                bind = alias.asname or alias.name
                if len(there) == 1:
                    out.append(
                        ast.Import(names=[ast.alias(there[0], bind if bind != there[0] else None)])
                    )
                else:
                    out.append(self._from(here, there[:-1], [(there[-1], bind)], relative))
                continue
            source = repo.by_dotted.get(str(dotted))
            if source is None:  # a namespace package: only its submodules are in the repo
                out.append(ast.ImportFrom(module=node.module, names=[alias], level=node.level))
                continue
            if alias.name == "*":
                there = self.dotted(self.final(plan.home[source])).split(".")
                out.append(self._from(here, there, [("*", None)], relative))
                continue
            indices = repo.modules[source].bindings.get(alias.name, [])
            location = plan.where(source, indices[0]) if len(indices) == 1 else plan.home[source]
            new = plan.renamed.get(alias.name, alias.name)
            if location == target:
                if alias.asname and alias.asname != new:
                    out.append(
                        ast.Assign(
                            targets=[ast.Name(alias.asname, ast.Store())],
                            value=ast.Name(new, ast.Load()),
                        )
                    )
                continue
            there = self.dotted(self.final(location)).split(".")
            out.append(self._from(here, there, [(new, alias.asname or new)], relative))
        return _group(out)

    def rewrite_import(self, node: ast.Import, target: str, chains: dict[str, str]) -> ast.stmt:
        if not self.origin.get(id(node)):
            return node
        repo, plan = self.repo, self.plan
        names = []
        for alias in node.names:
            path = repo.by_dotted.get(alias.name)
            if path is None:
                names.append(alias)
                continue
            new = self.dotted(self.final(plan.home[path]))
            if alias.asname is None and new != alias.name:
                chains[alias.name] = new
            names.append(ast.alias(new, alias.asname))
        return ast.Import(names=names)


def _group(stmts: list[ast.stmt]) -> list[ast.stmt]:
    """Consecutive ``from m import`` of one module as one statement."""
    out: list[ast.stmt] = []
    for stmt in stmts:
        last = out[-1] if out else None
        if (
            isinstance(stmt, ast.ImportFrom)
            and isinstance(last, ast.ImportFrom)
            and (last.module, last.level) == (stmt.module, stmt.level)
            and "*" not in {a.name for a in [*last.names, *stmt.names]}
        ):
            last.names.extend(stmt.names)
        else:
            out.append(stmt)
    return out


def _copy_import(stmt: ast.stmt, alias: ast.alias) -> ast.stmt:
    if isinstance(stmt, ast.ImportFrom):
        return ast.ImportFrom(
            module=stmt.module, names=[ast.alias(alias.name, alias.asname)], level=stmt.level
        )
    return ast.Import(names=[ast.alias(alias.name, alias.asname)])


class _ImportRewriter(ast.NodeTransformer):
    def __init__(self, builder: _Builder, target: str, chains: dict[str, str]) -> None:
        self.builder = builder
        self.target = target
        self.chains = chains

    def visit_ImportFrom(self, node: ast.ImportFrom) -> list[ast.stmt]:
        return self.builder.rewrite_from(node, self.target)

    def visit_Import(self, node: ast.Import) -> ast.stmt:
        return self.builder.rewrite_import(node, self.target, self.chains)


class _ChainRewriter(ast.NodeTransformer):
    """``pkg.old.mod.x`` -> ``pkg.new.place.x`` after ``import pkg.old.mod`` moved."""

    def __init__(self, chains: dict[str, str]) -> None:
        self.chains = chains

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        dotted = _chain(node)
        if dotted is not None and isinstance(node.ctx, ast.Load):
            parts = dotted.split(".")
            for cut in range(len(parts) - 1, 0, -1):
                new = self.chains.get(".".join(parts[:cut]))
                if new is not None:
                    return _chain_node([*new.split("."), *parts[cut:]])
        self.generic_visit(node)
        return node


def _chain_node(parts: list[str]) -> ast.expr:
    node: ast.expr = ast.Name(parts[0], ast.Load())
    for part in parts[1:]:
        node = ast.Attribute(node, part, ast.Load())
    return node


class _PublicRenamer(ast.NodeTransformer):
    """Renames the chosen public names in every spelling but imports (``_Builder`` writes
    those with the new names): definitions, names, module attributes, ``__all__`` entries."""

    def __init__(self, renamed: dict[str, str]) -> None:
        self.renamed = renamed

    def generic_visit(self, node: ast.AST) -> ast.AST:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            node.name = self.renamed.get(node.name, node.name)
        elif isinstance(node, ast.Name):
            node.id = self.renamed.get(node.id, node.id)
        elif isinstance(node, ast.Attribute):
            node.attr = self.renamed.get(node.attr, node.attr)
        elif isinstance(node, ast.Assign) and any(_chain(t) == "__all__" for t in node.targets):
            for entry in ast.walk(node.value):
                if isinstance(entry, ast.Constant) and isinstance(entry.value, str):
                    entry.value = self.renamed.get(entry.value, entry.value)
        return super().generic_visit(node)


# --------------------------------------------------------------------------------------------
# per-module disguises


def _identifiers(tree: ast.AST) -> set[str]:
    out: set[str] = set()
    for node in ast.walk(tree):
        for name in ("id", "attr", "name", "arg", "asname"):
            value = getattr(node, name, None)
            if isinstance(value, str):
                out.update(value.split("."))
    return out


def _disguise_modules(
    texts: dict[str, str], trees: dict[str, ast.Module], ops: Sequence[str], seed: int
) -> dict[str, list[str]]:
    """Apply the per-module operations in ``ops`` to some of the modules (always at least one
    when any module takes it); returns operation -> modules changed.  A result whose units no
    longer line up with the input's (it never should) is discarded."""
    done: dict[str, list[str]] = {}
    everywhere: dict[str, set[str]] = {path: _identifiers(tree) for path, tree in trees.items()}
    for op in ops:
        rng = random.Random(f"{seed}:{op}")
        # Dead code goes into functions and blocks: a module without any has no place for it.
        paths = sorted(p for p in texts if op != "deadcode" or unit_nodes(trees[p]))
        if not paths:
            continue
        chosen = [p for p in paths if rng.random() < 0.6] or [rng.choice(paths)]
        for path in chosen:
            text = texts[path]
            try:
                if op == "rename_local":
                    # A name any other module spells may be how it reaches this one.
                    keep = set().union(*(ids for p, ids in everywhere.items() if p != path))
                    new = disguise(
                        text,
                        seed=rng.randrange(2**31),
                        rename=True,
                        reformat=False,
                        strip_comments=False,
                        tuple_merge=False,
                        tuple_split=False,
                        keep=keep,
                    ).source
                elif op == "deadcode":
                    new = transforms.deadcode(text, rng, density=0.3).source
                else:
                    new = transforms.reformat(text, rng.randrange(2**31)).source
            except DisguiseError:
                continue
            if new == text or not _same_shape(text, new):
                continue
            texts[path] = new
            done.setdefault(op, []).append(path)
    return done


def _same_shape(before: str, after: str) -> bool:
    """Same units, same nesting, in the same order (names may differ)."""

    def shape(text: str) -> list[int]:
        return [q.count(".") for q, _ in unit_nodes(parse_module(text))]

    return shape(before) == shape(after)


# --------------------------------------------------------------------------------------------
# the whole derivation


def choose_operations(rng: random.Random) -> list[str]:
    """A random mix: three to five structural operations and each per-module one with
    probability one half."""
    structural = rng.sample(STRUCTURAL, rng.randint(3, len(STRUCTURAL)))
    return [
        op for op in OPERATIONS if op in structural or (op in PER_MODULE and rng.random() < 0.5)
    ]


def derive_repo(
    src: Path,
    out: Path,
    seed: int,
    operations: Sequence[str] | None = None,
    files: Sequence[str] | None = None,
) -> Truth:
    """Write a derived copy of the package folder ``src`` to ``out`` (emptied first).

    ``operations`` (default: a random mix drawn from ``seed``) names what to try, from
    ``OPERATIONS``; the returned ``Truth`` lists those that changed something.  ``files`` are
    the material files relative to ``src`` (default: ``material_files(src)``).
    """
    rng = random.Random(f"derive:{seed}")
    ops = list(operations) if operations is not None else choose_operations(rng)
    unknown = set(ops) - set(OPERATIONS)
    if unknown:
        raise ValueError(f"unknown operations: {sorted(unknown)}")
    files = list(files) if files is not None else material_files(src)
    repo = _Repo(src, files)
    original_ids: dict[int, str] = {}
    unit_lines: dict[str, int] = {}
    for path, module in repo.modules.items():
        nodes = unit_nodes(module.tree)
        unit_lines[path] = len(read_source(src / path).splitlines())
        for uid, (_, node) in zip(unit_ids(path, (q for q, _ in nodes)), nodes, strict=True):
            original_ids[id(node)] = uid
            unit_lines[uid] = node.end_lineno - node.lineno + 1  # type: ignore[attr-defined]

    corpus_text = "\n".join(read_source(src / p) for p in files)
    fresh = Fresh(corpus_text, rng)
    # New files and folders must not take the name of an existing file or folder.
    fresh.taken |= {PurePosixPath(p).with_suffix("").as_posix() for p in files}
    fresh.taken |= {part for p in files for part in PurePosixPath(p).with_suffix("").parts}
    planner = _Planner(repo, rng, fresh)
    applied: list[str] = []
    for op in ("merge", "split", "move_defs"):
        if op in ops:
            changed = False
            for _ in range(2 if op == "merge" and len(repo.modules) > 6 else 1):
                changed = getattr(planner, op)() or changed
            if changed:
                applied.append(op)
    paths = planner.move_files() if "move_files" in ops else {}
    if paths:
        applied.append("move_files")
        planner.plan.details["move_files"] = paths
    if "rename_public" in ops and planner.rename_public():
        applied.append("rename_public")

    builder = _Builder(repo, planner.plan, paths)
    trees = builder.build()
    if planner.plan.renamed:
        for tree in trees.values():
            _PublicRenamer(planner.plan.renamed).visit(tree)
    texts: dict[str, str] = {}
    derived_of: dict[str, list[str]] = {}
    for path, tree in trees.items():
        ast.fix_missing_locations(tree)
        texts[path] = ast.unparse(tree) + "\n"
        check_compiles(texts[path], what=f"derived {path}")
        derived_of[path] = [original_ids.get(id(node), "") for _, node in unit_nodes(tree)]
    per_module = [op for op in PER_MODULE if op in ops]
    disguised = _disguise_modules(texts, trees, per_module, seed)
    applied += [op for op in per_module if op in disguised]
    for op, modules in disguised.items():
        planner.plan.details[op] = modules

    if out.exists():
        shutil.rmtree(out)
    units: dict[str, str] = {}
    for path, text in texts.items():
        check_compiles(text, what=f"derived {path}")
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        nodes = unit_nodes(parse_module(text))
        for origin, uid in zip(
            derived_of[path], unit_ids(path, (q for q, _ in nodes)), strict=True
        ):
            if origin:
                units[origin] = uid
    for original in repo.modules:
        units[original] = builder.final(planner.plan.home[original])
    if repo.prefix:
        for folder in {PurePosixPath(p).parent for p in texts}:
            if folder != PurePosixPath(".") and not (out / folder / "__init__.py").exists():
                (out / folder / "__init__.py").write_text("")
    return Truth(
        units=dict(sorted(units.items())),
        files={p: sorted(builder.sources[p]) for p in sorted(texts)},
        operations=applied,
        details=planner.plan.details,
        unit_lines=unit_lines,
    )


def iter_truth_units(truth: Truth, min_lines: int = 3) -> Iterator[tuple[str, str]]:
    """(original id, derived id) of the units of at least ``min_lines`` lines."""
    for original, derived in truth.units.items():
        if truth.unit_lines.get(original, 0) >= min_lines:
            yield original, derived
