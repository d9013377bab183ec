"""A language's declarative table compiled to per-kind-id arrays for the walk's inner loop."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache

import tree_sitter

from codesim.languages import Language
from codesim.tokens import UnitKind

ACT_SKIP = 0  # falsy on purpose: the walk tests actions for truth
ACT_TRANSPARENT = 1
ACT_STRUCT = 2
ACT_IDENT = 3
ACT_LITERAL = 4
ACT_STRING = 5
ACT_CONST = 6
ACT_OP = 7

F_STATEMENT = 1 << 0
F_BLOCK = 1 << 1
F_UNIT = 1 << 2
F_SCOPE = 1 << 3
F_TARGET = 1 << 4
F_BINDING_CONTAINER = 1 << 5
F_PATTERN = 1 << 6
F_PARAMS = 1 << 7
F_PARAM_WRAPPER = 1 << 8
F_GLOBAL = 1 << 9
F_NONLOCAL = 1 << 10
F_ATTRIBUTE = 1 << 11
F_KWARG = 1 << 12
F_IMPORT = 1 << 13
F_ASSIGNMENT = 1 << 14
F_TUPLE_TARGET = 1 << 15
F_TUPLE_VALUE = 1 << 16
F_EXPR_STATEMENT = 1 << 17
F_INTERPOLATION = 1 << 18
F_STRING = 1 << 19
F_SPLAT = 1 << 20
F_AUGMENTED = 1 << 21
F_NEGATION = 1 << 22
F_COMPARISON = 1 << 23
F_ALIASED_IMPORT = 1 << 24
F_CALL = 1 << 25
F_BINARY = 1 << 26
F_MODULE_PATH = 1 << 27
F_DECLARATOR = 1 << 28
F_INCREMENT = 1 << 29
F_MEMBER_DEFINITION = 1 << 30

_ERROR_KIND_ID = 0xFFFF
_SPLATS = frozenset({"list_splat", "list_splat_pattern", "parenthesized_list_splat"})


@dataclass(frozen=True, slots=True, eq=False)
class Tables:
    """Per node-kind-id actions, symbols and flags for one language.

    Each per-kind tuple has a slot for each of the grammar's kind ids and a last one for
    error nodes, whose id is 0xFFFF (``by_kind_id`` spreads them over the whole id space).
    Compared by identity: there is one per language and process.
    """

    parser_language: tree_sitter.Language
    action: tuple[int, ...]
    symbol: tuple[str, ...]
    flags: tuple[int, ...]
    target_field: tuple[str, ...]
    unit_kind: tuple[str, ...]
    definition_role: tuple[str, ...]
    negated_operators: Mapping[str, str]
    assignment_symbol: str
    binary_symbol: str
    format_method: bytes
    format_operator: str
    pure_expressions: frozenset[str]
    call_symbol: str
    builtins: frozenset[str]
    name_fields: tuple[str, ...]
    unit_body: str
    parameter_name_field: str
    increment_literal: tuple[str, ...]
    target_role: tuple[str, ...]
    """Per kind: the role its target names bind ("": ``LOCAL``, as any binding)."""
    """Per kind: the literal placeholder an increment's implied ``1`` reads as ("": none)."""
    member_field: tuple[str, ...]
    """Per kind: the field of a member access holding the member ("" for ``attribute``, whose
    member is its last child)."""
    member_object: tuple[str, ...]
    """Per kind: the field a member access needs to be one ("": none)."""
    lone_parameter: tuple[str, ...]
    unit_namer: tuple[str, ...]
    braceless_body: tuple[tuple[str, ...] | None, ...]
    definitions: frozenset[str]
    """The symbols of the statements that only define: the units' and ``definitions``'."""
    hoisted: frozenset[str]
    """The symbols of ``hoisted`` statements."""
    parameter_properties: frozenset[str]
    declarations: frozenset[str]
    """The symbols of ``local_declarations``."""
    functions: frozenset[str]
    """The symbols of the unit kinds that are functions (their locals can be dead)."""
    pure_values: frozenset[str]
    nested_types_visible: bool
    """The placeholders of literals, the constants and the ``pure_expressions`` symbols."""
    grammar_pointer: object
    """The grammar package's language pointer (a capsule), for the compiled walk."""


@cache
def compile_tables(language: Language) -> Tables:
    """Compile ``language``'s table against its grammar's node-kind ids (once per process)."""
    pointer = language.grammar()
    grammar = tree_sitter.Language(pointer)
    count = grammar.node_kind_count
    # One slot per kind id and a last one for error nodes (id 0xFFFF).  Spanning the whole id
    # space instead cost 8 ms and 3,400 page faults per process and language, at the start
    # of every reading process.
    size = count + 1
    action = [ACT_SKIP] * size
    symbol = [""] * size
    flags = [0] * size
    target_field = [""] * size
    unit_kind = [""] * size
    definition_role = [""] * size
    member_field = [""] * size
    member_object = [""] * size
    lone_parameter = [""] * size
    unit_namer = [""] * size
    braceless_body: list[tuple[str, ...] | None] = [None] * size
    kinds = [
        (i, grammar.node_kind_for_id(i) or "", grammar.node_kind_is_named(i)) for i in range(count)
    ]
    increment_literal = [""] * size
    target_role = [""] * size
    for kind_id, name, named in [*kinds, (count, "ERROR", True)]:
        action[kind_id] = _action_for(language, name, named)
        increment_literal[kind_id] = language.increments.get(name, "") if named else ""
        bound_role = language.target_roles.get(name) if named else None
        target_role[kind_id] = bound_role.value if bound_role else ""
        symbol[kind_id] = _symbol_for(language, name)
        flags[kind_id] = _flags_for(language, name, named)
        target_field[kind_id] = language.target_fields.get(name, "")
        unit = language.units.get(name)
        unit_kind[kind_id] = unit.value if unit else ""
        role = language.definition_roles.get(name)
        definition_role[kind_id] = role.value if role else ""
        member_field[kind_id], member_object[kind_id] = language.members.get(name, ("", ""))
        lone_parameter[kind_id] = language.lone_parameters.get(name, "")
        unit_namer[kind_id] = language.unit_namers.get(name, "")
        braceless_body[kind_id] = language.braceless_bodies.get(name)
    return Tables(
        grammar,
        tuple(action),
        tuple(symbol),
        tuple(flags),
        tuple(target_field),
        tuple(unit_kind),
        tuple(definition_role),
        dict(language.negated_operators),
        _symbol_for(language, language.assignment),
        _symbol_for(language, language.binary_operator),
        language.format_method.encode(),
        language.format_operator,
        frozenset(language.aliases.get(k, k) for k in language.pure_expressions),
        _symbol_for(language, language.call),
        language.builtins,
        language.name_fields,
        language.unit_body,
        language.parameter_name_field,
        tuple(increment_literal),
        tuple(target_role),
        tuple(member_field),
        tuple(member_object),
        tuple(lone_parameter),
        tuple(unit_namer),
        tuple(braceless_body),
        frozenset(_symbol_for(language, k) for k in (*language.units, *language.definitions)),
        frozenset(_symbol_for(language, k) for k in language.hoisted),
        language.parameter_properties,
        frozenset(_symbol_for(language, k) for k in language.local_declarations),
        frozenset(
            _symbol_for(language, kind)
            for kind, unit in language.units.items()
            if unit is UnitKind.FUNCTION
        ),
        frozenset(
            {*language.literals.values(), *language.constants.values()}
            | {language.aliases.get(k, k) for k in language.pure_expressions}
        ),
        language.nested_types_visible,
        pointer,
    )


_PER_KIND_DEFAULTS: dict[str, object] = {
    "action": ACT_SKIP,
    "symbol": "",
    "flags": 0,
    "target_field": "",
    "unit_kind": "",
    "definition_role": "",
    "member_field": "",
    "member_object": "",
    "lone_parameter": "",
    "unit_namer": "",
    "braceless_body": None,
    "increment_literal": "",
    "target_role": "",
}
"""The per-kind tuples of ``Tables``, with what a kind id the grammar does not have holds."""


@cache
def by_kind_id(tables: Tables) -> Tables:
    """``tables`` with each per-kind tuple spread over the whole id space, 0 to 0xFFFF, so
    that the Python walk indexes it by ``node.kind_id`` as it is (made once per process)."""
    spread: dict[str, object] = {}
    for name, default in _PER_KIND_DEFAULTS.items():
        compact: tuple[object, ...] = getattr(tables, name)
        whole = [default] * (_ERROR_KIND_ID + 1)
        whole[: len(compact) - 1] = compact[:-1]
        whole[_ERROR_KIND_ID] = compact[-1]
        spread[name] = tuple(whole)
    return replace(tables, **spread)  # type: ignore[arg-type]


def _symbol_for(language: Language, name: str) -> str:
    if name in language.literals:
        return language.literals[name]
    if name in language.constants:
        return language.constants[name]
    return language.aliases.get(name, name)


def _action_for(language: Language, name: str, named: bool) -> int:
    if not named:
        return ACT_OP if name in language.operators else ACT_SKIP
    if name in language.comments or name in language.noops:
        return ACT_SKIP
    if name in language.identifiers:
        return ACT_IDENT
    if name in language.strings:
        return ACT_STRING
    if name in language.literals:
        return ACT_LITERAL
    if name in language.constants:
        return ACT_CONST
    if name in language.transparent:
        return ACT_TRANSPARENT
    return ACT_STRUCT


def _flags_for(language: Language, name: str, named: bool) -> int:
    if not named:
        return 0
    checks = (
        (language.statements, F_STATEMENT),
        (language.blocks, F_BLOCK),
        (frozenset(language.units), F_UNIT),
        (language.scopes, F_SCOPE),
        (frozenset(language.target_fields), F_TARGET),
        (language.binding_containers, F_BINDING_CONTAINER),
        (language.patterns, F_PATTERN),
        (language.parameters, F_PARAMS),
        (language.parameter_wrappers, F_PARAM_WRAPPER),
        (language.global_declarations, F_GLOBAL),
        (language.nonlocal_declarations, F_NONLOCAL),
        (frozenset({language.attribute, *language.members}), F_ATTRIBUTE),
        (frozenset({language.keyword_argument}), F_KWARG),
        (language.imports, F_IMPORT),
        (frozenset({language.assignment}), F_ASSIGNMENT),
        (language.tuple_targets, F_TUPLE_TARGET),
        (language.tuple_values, F_TUPLE_VALUE),
        (frozenset({language.expression_statement}), F_EXPR_STATEMENT),
        (frozenset({language.string_interpolation}), F_INTERPOLATION),
        (language.strings, F_STRING),
        (_SPLATS, F_SPLAT),
        (frozenset({language.augmented_assignment}), F_AUGMENTED),
        (frozenset({language.negation}), F_NEGATION),
        (frozenset({language.comparison}), F_COMPARISON),
        (frozenset({language.aliased_import}), F_ALIASED_IMPORT),
        (frozenset({language.call}), F_CALL),
        (frozenset({language.binary_operator}), F_BINARY),
        (frozenset({language.module_path}), F_MODULE_PATH),
        (language.declarators, F_DECLARATOR),
        (frozenset(language.increments), F_INCREMENT),
        (language.member_definitions, F_MEMBER_DEFINITION),
    )
    value = 0
    for kinds, flag in checks:
        if name in kinds:
            value |= flag
    return value
