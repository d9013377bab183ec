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


def resolve(program: Program, tables: Tables) -> tuple[list[str], list[int]]:
    """Final symbols for all raw tokens, and the scope that binds each placeholder (-2: none).

    Python's rules, simplified where it does not change what a copier can rename: a use looks
    in its own scope, then in enclosing function scopes (class bodies are skipped, as Python
    skips them), then in the module; ``global`` sends a name to the module scope.  Dangling
    references are bound to the module scope (see the module docstring).
    """
    tokens = program.tokens
    scopes = program.scopes
    symbols = list(tokens.symbols)
    binders = [-2] * len(symbols)
    attr_names: set[str] = set()
    param_names: set[str] = set()
    for scope in scopes:
        if scope.is_class:
            attr_names.update(scope.binds)
        param_names.update(name for name, role in scope.binds.items() if role == _PARAM)
    for index, mode in enumerate(tokens.modes):
        if mode == ir.MODE_ATTR_BIND:
            attr_names.add(tokens.texts[index])

    texts = tokens.texts
    token_scopes = tokens.scopes
    aliases = program.aliases
    raw = tokens.symbols
    kept = _kept_unbound(program, tables)
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
        scope_id = _binding_scope(scopes, token_scopes[index], name)
        if scope_id < 0:
            if kept is None or name in kept or name in aliases:
                symbols[index] = aliases.get(name, name)
            else:
                called = index > 0 and raw[index - 1] == tables.call_symbol
                symbols[index] = _dangling_role(name, called)
                binders[index] = _MODULE_SCOPE
        else:
            symbols[index] = scopes[scope_id].binds[name]
            binders[index] = scope_id
    return symbols, binders


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


def _kept_unbound(program: Program, tables: Tables) -> frozenset[str] | None:
    """The unbound names that stay evidence: builtins and every name an import statement
    mentions.  ``None`` when the file has a wildcard import (any unbound name may be one)."""
    tokens = program.tokens
    if tables.wildcard_symbol and tables.wildcard_symbol in tokens.symbols:
        return None
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
