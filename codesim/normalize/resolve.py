"""Decide what each identifier token is: a role placeholder or a name kept as evidence.

Names bound in the code under comparison become their role (``LOCAL``, ``PARAM``, ``FUNC``,
``CLASS``, ``ATTR``), since a copier can rename them at no cost.  Everything else (imports,
builtins, members of outside objects such as ``np.einsum``) stays itself: renaming it would
break the program, so it is strong evidence.  An import alias is read as what it aliases
(``np.max`` is ``numpy.max``), so renaming the alias changes nothing either.

A name used but neither bound, imported nor built in is a dangling reference: code copied
without the helpers it calls (``ZoneInfoFile(stream())`` pasted without ``ZoneInfoFile`` or
``stream``).  In the original the same name is bound, so it becomes the placeholder it would
be there: a called capitalized name is a class, another called name a function, an uncalled
CamelCase name a class (``except ParseError``), anything else a module-level variable.
"""

from __future__ import annotations

from dataclasses import dataclass

from codesim import compiled
from codesim.normalize import ir
from codesim.normalize.ir import Program
from codesim.normalize.tables import Tables
from codesim.tokens import Role

_ATTR = Role.ATTR.value
_PARAM = Role.PARAM.value
_CLASS = Role.CLASS.value
_FUNC = Role.FUNC.value
_LOCAL = Role.LOCAL.value
_MODULE_SCOPE = 0
ATTRIBUTE_SCOPE = -1
"""The binding scope recorded for attribute members: one namespace per file."""

_COMPILED_ROLES = (_ATTR, _PARAM, _CLASS, _FUNC, _LOCAL)
_COMPILED_MODES = (
    ir.MODE_NONE,
    ir.MODE_ATTR_USE,
    ir.MODE_ATTR_BIND,
    ir.MODE_KWARG,
    ir.MODE_EXTERNAL,
)


@dataclass(slots=True)
class Resolved:
    """What ``resolve`` decides for the raw tokens of one file."""

    symbols: list[str]
    binders: list[int]
    """The scope that binds each placeholder; -2 for tokens that are not placeholders."""
    kept_roles: dict[int, str]
    """For each unbound name kept as evidence (an import, a builtin), the placeholder it would
    be if dangling: code pasted without its imports has exactly those placeholders, so an
    ordering that reads these instead of the names is the same in the copy and the original."""


def resolve(program: Program, tables: Tables) -> Resolved:
    """Final symbols for all raw tokens, and the scope that binds each placeholder.

    Python's rules, simplified where it does not change what a copier can rename: a use looks
    in its own scope, then in enclosing function scopes (class bodies are skipped, as Python
    skips them), then in the module; ``global`` sends a name to the module scope.  Dangling
    references are bound to the module scope (see the module docstring).
    """
    tokens = program.tokens
    compiled_resolve = compiled.load(compiled.RESOLVE)
    if compiled_resolve is not None:
        return Resolved(
            *compiled_resolve.resolve(
                tokens.symbols,
                tokens.texts,
                tokens.modes,
                tokens.scopes,
                program.scopes,
                program.aliases,
                tables.builtins,
                tables.call_symbol,
                tables.nested_types_visible,
                _COMPILED_ROLES,
                _COMPILED_MODES,
            )
        )
    scopes = program.scopes
    symbols = list(tokens.symbols)
    binders = [-2] * len(symbols)
    attr_names: set[str] = set()
    param_names: set[str] = set()
    for scope in scopes:
        if scope.is_class:
            attr_names.update(scope.binds)
        # A member defined outside its type's body (a Go method) binds the role ATTR itself.
        attr_names.update(name for name, role in scope.binds.items() if role == _ATTR)
        param_names.update(name for name, role in scope.binds.items() if role == _PARAM)
    for index, mode in enumerate(tokens.modes):
        if mode == ir.MODE_ATTR_BIND:
            attr_names.add(tokens.texts[index])

    texts = tokens.texts
    token_scopes = tokens.scopes
    aliases = program.aliases
    raw = tokens.symbols
    kept = _kept_unbound(program, tables)
    kept_roles: dict[int, str] = {}
    lookup = _binding_scope_with_types if tables.nested_types_visible else _binding_scope
    for index, mode in enumerate(tokens.modes):
        if mode <= ir.MODE_NONE:
            continue
        name = texts[index]
        if mode in (ir.MODE_ATTR_USE, ir.MODE_ATTR_BIND):
            if name in attr_names:
                symbols[index] = _ATTR
                binders[index] = ATTRIBUTE_SCOPE
            else:
                symbols[index] = name
            continue
        if mode == ir.MODE_KWARG:
            symbols[index] = _PARAM if name in param_names else name
            continue
        if mode == ir.MODE_EXTERNAL:
            symbols[index] = name
            continue
        scope_id = lookup(scopes, token_scopes[index], name)
        if scope_id < 0:
            called = index > 0 and raw[index - 1] == tables.call_symbol
            if name in kept or name in aliases:
                # The role of what an alias stands for: ``Base as _b`` is read as ``Base``.
                target = aliases.get(name, name)
                symbols[index] = target
                kept_roles[index] = _dangling_role(target.rpartition(".")[2], called)
            else:
                symbols[index] = _dangling_role(name, called)
                binders[index] = _MODULE_SCOPE
        else:
            symbols[index] = scopes[scope_id].binds[name]
            binders[index] = scope_id
    return Resolved(symbols, binders, kept_roles)


def _binding_scope(scopes: list[ir.Scope], start: int, name: str) -> int:
    scope_id = start
    first = True
    while scope_id >= 0:
        scope = scopes[scope_id]
        if name in scope.globals:
            return 0 if name in scopes[0].binds else -1
        if (first or not scope.is_class) and name in scope.binds:
            return scope_id
        first = False
        scope_id = scope.parent
    return -1


def _binding_scope_with_types(scopes: list[ir.Scope], start: int, name: str) -> int:
    """``_binding_scope`` where the types a class body defines are visible in its methods
    (Java's nested class named from a method of the outer class)."""
    scope_id = start
    first = True
    while scope_id >= 0:
        scope = scopes[scope_id]
        role = scope.binds.get(name)
        if role is not None and (first or not scope.is_class or role == _CLASS):
            return scope_id
        first = False
        scope_id = scope.parent
    return -1


def _kept_unbound(program: Program, tables: Tables) -> frozenset[str]:
    """The unbound names that stay evidence: builtins and every name an import statement
    mentions.  A wildcard import (``from turtle import *``) binds names nobody can list here:
    they count as dangling, the same placeholders they get in code pasted without that line."""
    tokens = program.tokens
    imported = {
        text
        for text, mode in zip(tokens.texts, tokens.modes, strict=True)
        if mode == ir.MODE_EXTERNAL
    }
    return tables.builtins | imported


def _dangling_role(name: str, called: bool) -> str:
    capitalized = name[:1].isupper()
    if called:
        return _CLASS if capitalized else _FUNC
    if capitalized and not name.isupper():
        return _CLASS
    return _LOCAL
