"""One iterative walk over a tree-sitter tree: raw tokens plus the statement IR.

The walk is the hot loop of codesim (every node of every file passes through it once), so it
is one function with local aliases and an explicit stack rather than a visitor: explicit, so
that deeply nested code cannot overflow Python's recursion limit; one function, because a
method call per node would cost more than the work done for most nodes.
"""

from __future__ import annotations

from typing import Any

import tree_sitter

from codesim.normalize import ir
from codesim.normalize.ir import Block, Program, RawTokens, Scope, Statement, TupleParts
from codesim.normalize.literals import literal_value
from codesim.normalize.tables import (
    ACT_CONST,
    ACT_IDENT,
    ACT_LITERAL,
    ACT_OP,
    ACT_SKIP,
    ACT_STRING,
    ACT_STRUCT,
    ACT_TRANSPARENT,
    F_ALIASED_IMPORT,
    F_ASSIGNMENT,
    F_ATTRIBUTE,
    F_AUGMENTED,
    F_BINARY,
    F_BINDING_CONTAINER,
    F_BLOCK,
    F_CALL,
    F_COMPARISON,
    F_DECLARATOR,
    F_EXPR_STATEMENT,
    F_GLOBAL,
    F_IMPORT,
    F_INCREMENT,
    F_INTERPOLATION,
    F_KWARG,
    F_MEMBER_DEFINITION,
    F_MODULE_PATH,
    F_NEGATION,
    F_NONLOCAL,
    F_PARAM_WRAPPER,
    F_PARAMS,
    F_PATTERN,
    F_SCOPE,
    F_SPLAT,
    F_STATEMENT,
    F_STRING,
    F_TARGET,
    F_TUPLE_TARGET,
    F_TUPLE_VALUE,
    F_UNIT,
    Tables,
    by_kind_id,
)
from codesim.tokens import Role

# Control entries share the stack with nodes: (None, code, payload).
_EXIT_STATEMENT = 1
_EXIT_BLOCK = 2
_EXIT_SCOPE = 3
_EXIT_UNIT = 4
_MARK = 5
_TUPLE_DONE = 6
_HEAD = 7
_ONE = 8

_NEGATE = "negate"
"""Payload of an operator whose comparison sits under a ``not``: emit the negated operator."""

_MAX_LITERAL_TEXT = 200
"""Longer literal texts are cut in the side channel: they are evidence by their start alone,
and a file of huge string tables must not double its memory."""
_PARAM_CHILD = F_PARAM_WRAPPER | F_PATTERN
"""A parameter list's children that bind parameters besides bare names: wrappers (``x=1``)
and patterns (JavaScript's destructured ``{ a, b }``)."""

_MODULE_UNIT = "<module>"


def walk(
    tree: tree_sitter.Tree, data: bytes, tables: Tables, package: tuple[str, ...] = ()
) -> Program:
    """Emit the raw tokens of ``tree`` (parsed from ``data``) and group them into statements.

    ``package`` names the folders the file lives in, outermost first: first-party module paths
    in imports are emitted relative to them (see ``first_party_depth``).
    """
    tables = by_kind_id(tables)
    action = tables.action
    symbol = tables.symbol
    negated = tables.negated_operators
    assignment_symbol = tables.assignment_symbol
    binary_symbol = tables.binary_symbol
    aliases: dict[str, str] = {}
    flags_of = tables.flags
    target_field = tables.target_field

    tokens = RawTokens()
    t_sym = tokens.symbols.append
    t_text = tokens.texts.append
    t_mode = tokens.modes.append
    t_scope = tokens.scopes.append
    t_start = tokens.start_bytes.append
    t_end = tokens.end_bytes.append
    t_owner = tokens.owners.append
    symbols = tokens.symbols

    scopes = [Scope("module", -1, False)]
    scope_stack = [0]
    unit_names = [_MODULE_UNIT]
    unit_kinds = ["module"]
    unit_parents = [-1]
    unit_spans = [(0, len(data))]
    unit_stack = [0]
    root = Block()
    containers: list[Statement | Block] = [root]
    at_block = True

    def open_implicit() -> None:
        nonlocal at_block
        block = containers[-1]
        assert isinstance(block, Block)
        statement = Statement("loose", open_start=len(symbols), implicit=True)
        block.statements.append(statement)
        containers.append(statement)
        at_block = False

    def close_implicit() -> None:
        nonlocal at_block
        top = containers[-1]
        if isinstance(top, Statement) and top.implicit:
            _close_own_range(top, len(symbols))
            containers.pop()
            at_block = True

    def emit(node: tree_sitter.Node, sym: str, text: str, mode: int) -> None:
        if at_block:
            open_implicit()
        t_sym(sym)
        t_text(text)
        t_mode(mode)
        t_scope(scope_stack[-1])
        t_start(node.start_byte)
        t_end(node.end_byte)
        t_owner(unit_stack[-1])

    def emit_head(node: tree_sitter.Node, sym: str) -> None:
        # A structural token stands for where its construct begins, not for all of it: a
        # fragment that ends at a ``class_definition`` token must not claim the whole class.
        if at_block:
            open_implicit()
        start = node.start_byte
        t_sym(sym)
        t_text("")
        t_mode(ir.MODE_NONE)
        t_scope(scope_stack[-1])
        t_start(start)
        t_end(start)
        t_owner(unit_stack[-1])

    def emit_string(node: tree_sitter.Node) -> None:
        parts = [c for c in node.children if flags_of[c.kind_id] & F_STRING] or [node]
        value = "".join(literal_value(_template(part, data, flags_of)) for part in parts)
        emit(node, "STR", value[:_MAX_LITERAL_TEXT], 0)
        for interpolation in reversed(_interpolations(node, flags_of)):
            push((interpolation, use, None))

    def bind(name: str, role: str) -> None:
        scope = scopes[scope_stack[-1]]
        if name in scope.globals:
            scopes[0].binds.setdefault(name, role)
        elif name not in scope.nonlocals:
            scope.binds.setdefault(name, role)

    use = ir.MODE_USE
    mode_bind = ir.MODE_BIND
    mode_param = ir.MODE_PARAM
    local_role = Role.LOCAL.value
    param_role = Role.PARAM.value
    attr_role = Role.ATTR.value
    root_node = tree.root_node
    stack: list[tuple[Any, int, Any]] = [(root_node, use, None)]
    pop = stack.pop
    push = stack.append
    extend = stack.extend
    while stack:
        node, mode, payload = pop()
        if node is None:
            if mode == _EXIT_STATEMENT:
                statement = containers.pop()
                assert isinstance(statement, Statement)
                _close_own_range(statement, len(symbols))
                at_block = True
            elif mode == _EXIT_BLOCK:
                close_implicit()
                containers.pop()
                parent = containers[-1]
                assert isinstance(parent, Statement)
                parent.open_start = len(symbols)
                at_block = False
            elif mode == _EXIT_SCOPE:
                scope_stack.pop()
            elif mode == _EXIT_UNIT:
                unit_stack.pop()
            elif mode == _MARK:
                payload.append(len(symbols))
            elif mode == _HEAD:
                emit_head(*payload)
            elif mode == _ONE:
                step, literal = payload
                emit(step, literal, "1", 0)
            else:  # _TUPLE_DONE
                statement, head, marks = payload
                half = len(marks) // 2
                statement.parts = TupleParts(
                    head,
                    [range(marks[i], marks[i + 1]) for i in range(half)],
                    [range(marks[half + i], marks[half + i + 1]) for i in range(half)],
                )
            continue

        kid = node.kind_id
        act = action[kid]
        if act == ACT_SKIP:
            continue
        # Identifiers and operators are most of the tokens: their emission is written out
        # here rather than calling ``emit``.
        if act == ACT_IDENT:
            name = node.text.decode("utf-8", "replace")
            if mode == mode_bind:
                bind(name, local_role)
            elif mode == mode_param:
                bind(name, param_role)
            if at_block:
                open_implicit()
            t_sym("")
            t_text(name)
            t_mode(mode or use)
            t_scope(scope_stack[-1])
            t_start(node.start_byte)
            t_end(node.end_byte)
            t_owner(unit_stack[-1])
            continue
        if act == ACT_OP:
            sym = symbol[kid]
            if payload is _NEGATE:
                sym = negated.get(sym, sym)
            if at_block:
                open_implicit()
            t_sym(sym)
            t_text("")
            t_mode(0)
            t_scope(scope_stack[-1])
            t_start(node.start_byte)
            t_end(node.end_byte)
            t_owner(unit_stack[-1])
            continue
        if act == ACT_LITERAL:
            emit(node, symbol[kid], literal_value(_text(node))[:_MAX_LITERAL_TEXT], 0)
            continue
        if act == ACT_CONST:
            emit(node, symbol[kid], "", ir.MODE_NONE)
            continue

        flags = flags_of[kid]
        child_mode = ir.MODE_EXTERNAL if mode == ir.MODE_EXTERNAL else use
        if flags:
            if flags & F_STATEMENT:
                if flags & F_EXPR_STATEMENT and _is_noop(node, tables):
                    continue
                top = containers[-1]
                if isinstance(top, Statement) and top.implicit:
                    close_implicit()
                    top = containers[-1]
                elif isinstance(top, Statement) and _is_braceless_body(node, tables):
                    # ``if (c) return;`` reads as ``if (c) { return; }``: a block of one.
                    _close_own_range(top, len(symbols))
                    top.segments.append(block := Block())
                    containers.append(block)
                    push((None, _EXIT_BLOCK, None))
                    top = block
                if isinstance(top, Block):
                    statement = Statement(symbol[kid], open_start=len(symbols))
                    top.statements.append(statement)
                    containers.append(statement)
                    at_block = False
                    push((None, _EXIT_STATEMENT, None))
            if flags & F_BLOCK and node != root_node:
                top = containers[-1]
                if isinstance(top, Block):
                    open_implicit()
                    top = containers[-1]
                assert isinstance(top, Statement)
                _close_own_range(top, len(symbols))
                block = Block()
                top.segments.append(block)
                containers.append(block)
                at_block = True
                push((None, _EXIT_BLOCK, None))
            if flags & F_UNIT and _opens_unit(node, flags, tables):
                name_node, path = _definition_name(node, tables)
                name = _text(name_node) if name_node else _held_name(node, tables) or "<anonymous>"
                outer = unit_stack[-1]
                unit_names.append(name if outer == 0 else f"{unit_names[outer]}.{name}")
                unit_kinds.append(tables.unit_kind[kid])
                unit_parents.append(outer)
                unit_spans.append((node.start_byte, node.end_byte))
                unit_stack.append(len(unit_names) - 1)
                emit_head(node, symbol[kid])
                if name_node is not None:
                    # The name is bound in the enclosing scope, so emit it before entering.
                    bind(name, tables.definition_role[kid])
                    emit(name_node, "", name, ir.MODE_DEF)
                scopes.append(Scope(symbol[kid], scope_stack[-1], tables.unit_kind[kid] == "class"))
                scope_stack.append(len(scopes) - 1)
                push((None, _EXIT_UNIT, None))
                push((None, _EXIT_SCOPE, None))
                lone = _lone_parameter(node, tables)
                for child in reversed(_around(node, path, name_node) if path else node.children):
                    if child != name_node and action[child.kind_id] != ACT_SKIP:
                        push((child, ir.MODE_PARAM if child == lone else use, None))
                continue
            elif flags & F_SCOPE:
                scopes.append(Scope(symbol[kid], scope_stack[-1], False))
                scope_stack.append(len(scopes) - 1)
                push((None, _EXIT_SCOPE, None))
                lone = _lone_parameter(node, tables)
                if lone is not None:
                    emit_head(node, symbol[kid])
                    for child in reversed(node.children):
                        if action[child.kind_id] != ACT_SKIP:
                            push((child, ir.MODE_PARAM if child == lone else child_mode, None))
                    continue
            elif flags & F_IMPORT:
                child_mode = ir.MODE_EXTERNAL
            elif flags & F_STRING and act == ACT_STRING:
                emit_string(node)
                continue
            elif flags & F_CALL and (receiver := _format_receiver(node, tables)) is not None:
                # "{}".format(x) is emitted like f"{x}": the string, then the arguments.
                emit_string(receiver)
                push((node.children[-1], use, None))
                continue
            elif flags & F_BINARY:
                children = node.children
                if (
                    len(children) == 3
                    and action[children[0].kind_id] == ACT_STRING
                    and symbol[children[1].kind_id] == tables.format_operator
                ):
                    # "%s" % x is emitted like f"{x}" too.
                    emit_string(children[0])
                    for item in reversed(_tuple_items(children[2], tables)):
                        push((item, use, None))
                    continue
            elif (
                flags & F_INCREMENT
                and node.named_child_count == 1
                and not _holds_rewrite(node.named_children[0], flags_of)
            ):
                # i++ and ++i are emitted as i = i + 1, the operator read once as + and
                # once as the literal 1: the stream of i += 1.
                operand = node.named_children[0]
                step = next(c for c in node.children if not c.is_named)
                emit_head(node, assignment_symbol)
                push((None, _ONE, (step, tables.increment_literal[kid])))
                push((step, use, None))
                push((operand, use, None))
                push((None, _HEAD, (node, binary_symbol)))
                push((operand, ir.MODE_BIND, None))
                continue
            elif (
                flags & F_AUGMENTED
                and symbol[node.children[1].kind_id] != "="
                and not _holds_rewrite(node.children[0], flags_of)
            ):
                # x += e is emitted as x = x + e (the operator is tested because one kind may
                # hold both forms, as C's ``assignment_expression`` does).
                emit_head(node, assignment_symbol)
                left, operator, right = node.children[0], node.children[1], node.children[-1]
                push((right, use, None))
                push((operator, use, None))
                push((left, use, None))
                push((None, _HEAD, (node, binary_symbol)))
                push((left, ir.MODE_BIND, None))
                continue
            elif flags & F_NEGATION:
                argument = _unwrap(node.children[-1], tables)
                if flags_of[argument.kind_id] & F_COMPARISON and argument.child_count == 3:
                    push((argument, mode, _NEGATE))
                    continue
            elif flags & F_COMPARISON and payload is _NEGATE:
                emit_head(node, symbol[kid])
                for child in reversed(node.children):
                    push((child, use, _NEGATE if action[child.kind_id] == ACT_OP else None))
                continue
            elif flags & F_ALIASED_IMPORT:
                # import numpy as np: later uses of np are emitted as numpy.
                original, alias = node.children[0], node.children[-1]
                aliases[alias.text.decode("utf-8", "replace")] = alias_path(
                    original.text.decode("utf-8", "replace"), package
                )
                push((original, ir.MODE_EXTERNAL, None))
                continue
            elif flags & F_MODULE_PATH and mode == ir.MODE_EXTERNAL and package:
                parts = [c for c in node.children if action[c.kind_id] == ACT_IDENT]
                depth = first_party_depth([_text(c) for c in parts], package)
                extend([(part, mode, None) for part in reversed(parts[depth:])])
                continue
            elif flags & F_PARAMS:
                for child in reversed(node.children):
                    if action[child.kind_id] == ACT_IDENT or flags_of[child.kind_id] & _PARAM_CHILD:
                        push((child, ir.MODE_PARAM, None))
                    else:
                        push((child, use, None))
                continue
            elif flags & F_PARAM_WRAPPER and mode == ir.MODE_PARAM:
                if act != ACT_TRANSPARENT:
                    # A transparent wrapper adds nothing: TypeScript's ``(x) => x`` wraps
                    # ``x`` in a ``required_parameter`` that ``x => x`` does not have.
                    emit_head(node, symbol[kid])
                children = node.children
                if tables.parameter_name_field:
                    named = _parameter_names(node, tables)
                    owner = scopes[scope_stack[-1]].parent
                    if (
                        tables.parameter_properties
                        and owner >= 0
                        and any(child.type in tables.parameter_properties for child in children)
                    ):
                        # ``constructor(private x)`` also defines the member ``x`` of the
                        # class, whose scope holds the constructor's.
                        for name_node in named:
                            if action[name_node.kind_id] == ACT_IDENT:
                                scopes[owner].binds.setdefault(_text(name_node), attr_role)
                    extend(
                        [(c, ir.MODE_PARAM if c in named else use, None) for c in children[::-1]]
                    )
                    continue
                first = True
                pending: list[tuple[Any, int, Any]] = []
                for child in children:
                    if first and child.is_named:
                        pending.append((child, ir.MODE_PARAM, None))
                        first = False
                    else:
                        pending.append((child, use, None))
                stack.extend(reversed(pending))
                continue
            elif flags & F_ATTRIBUTE and (
                not tables.member_field[kid] or _has_qualified_member(node, tables)
            ):
                emit_head(node, symbol[kid])
                children = node.children
                member_mode = ir.MODE_ATTR_BIND if mode == ir.MODE_BIND else ir.MODE_ATTR_USE
                if mode == ir.MODE_EXTERNAL:
                    member_mode = ir.MODE_EXTERNAL
                if tables.member_field[kid]:
                    member = node.child_by_field_name(tables.member_field[kid])
                    if flags & F_MEMBER_DEFINITION and member_mode == ir.MODE_ATTR_USE:
                        member_mode = ir.MODE_ATTR_BIND
                    for child in reversed(children):
                        push((child, member_mode if child == member else child_mode, None))
                    continue
                push((children[-1], member_mode, None))
                for child in reversed(children[:-1]):
                    push((child, child_mode, None))
                continue
            elif flags & F_KWARG and mode != ir.MODE_EXTERNAL:
                emit_head(node, symbol[kid])
                children = node.children
                for child in reversed(children[1:]):
                    push((child, use, None))
                push((children[0], ir.MODE_KWARG, None))
                continue
            elif flags & F_TARGET:
                emit_head(node, symbol[kid])
                targets = node.children_by_field_name(target_field[kid])
                left = targets[0] if targets else None
                if flags & F_ASSIGNMENT and left is not None:
                    top = containers[-1]
                    head = len(symbols) - 1
                    if (
                        isinstance(top, Statement)
                        and top.parts is None
                        and top.open_start == head
                        and _push_tuple_parts(node, left, top, head, tables, push)
                    ):
                        continue
                if tables.target_role[kid]:
                    # Bound first with its own role: the binding it then gets as a target
                    # (``LOCAL``) does not replace it.
                    for target in targets:
                        if action[target.kind_id] == ACT_IDENT:
                            bind(_text(target), tables.target_role[kid])
                for child in reversed(node.children):
                    push((child, ir.MODE_BIND if child in targets else use, None))
                continue
            elif flags & (F_GLOBAL | F_NONLOCAL):
                emit_head(node, symbol[kid])
                declared = scopes[scope_stack[-1]]
                names = declared.globals if flags & F_GLOBAL else declared.nonlocals
                for child in node.children:
                    if action[child.kind_id] == ACT_IDENT:
                        name = child.text.decode("utf-8", "replace")
                        names.add(name)
                        emit(child, "", name, use)
                continue
            elif flags & F_BINDING_CONTAINER or (
                flags & F_PATTERN and (mode == ir.MODE_BIND or mode == ir.MODE_PARAM)
            ):
                # A pattern binds what its context binds: locals, or parameters where it
                # destructures one (JavaScript's ``function f({ a, b })``).
                child_mode = ir.MODE_PARAM if mode == ir.MODE_PARAM else ir.MODE_BIND

        if act == ACT_STRUCT:
            if at_block:
                open_implicit()
            start = node.start_byte
            t_sym(symbol[kid])
            t_text("")
            t_mode(0)
            t_scope(scope_stack[-1])
            t_start(start)
            t_end(start)
            t_owner(unit_stack[-1])
        extend(
            [(child, child_mode, None) for child in node.children[::-1] if action[child.kind_id]]
        )

    close_implicit()
    syntax_errors = _syntax_errors(tree) if root_node.has_error else (0, 0)
    return Program(
        tokens=tokens,
        root=root,
        scopes=scopes,
        unit_names=unit_names,
        unit_kinds=unit_kinds,
        unit_parents=unit_parents,
        unit_spans=unit_spans,
        syntax_errors=syntax_errors,
        aliases=aliases,
    )


def _opens_unit(node: tree_sitter.Node, flags: int, tables: Tables) -> bool:
    """Whether a node of a unit kind opens a unit here: not when the language needs a body
    it lacks (C's ``struct S`` as a type), nor when it is a nameless function that is also a
    scope and nothing names it (a callback written inline)."""
    if tables.unit_body and node.child_by_field_name(tables.unit_body) is None:
        return False
    if not flags & F_SCOPE:
        return True
    return _definition_name(node, tables)[0] is not None or _held_name(node, tables) is not None


def _held_name(node: tree_sitter.Node, tables: Tables) -> str | None:
    """The name a nameless unit gets from what holds it (``const f = () => ...``: ``f``),
    read through the language's ``unit_namers``; None when nothing names it."""
    parent = node.parent
    if parent is None or not tables.unit_namer[parent.kind_id]:
        return None
    holder = parent.child_by_field_name(tables.unit_namer[parent.kind_id])
    if holder is None or holder == node:
        return None
    if tables.flags[holder.kind_id] & F_ATTRIBUTE and holder.child_count:
        # ``exports.parse = function (...)``: named after the member.
        holder = holder.children[-1]
    return _text(holder) if tables.action[holder.kind_id] == ACT_IDENT else None


def _is_braceless_body(node: tree_sitter.Node, tables: Tables) -> bool:
    """Whether a statement is the body of a control statement written without braces, read
    through the language's ``braceless_bodies``."""
    parent = node.parent
    if parent is None:
        return False
    fields = tables.braceless_body[parent.kind_id]
    if fields is None:
        return False
    return not fields or any(parent.child_by_field_name(f) == node for f in fields)


def _lone_parameter(node: tree_sitter.Node, tables: Tables) -> tree_sitter.Node | None:
    """The parameter of a function written without a parameter list (``x => x + 1``)."""
    field_name = tables.lone_parameter[node.kind_id]
    return node.child_by_field_name(field_name) if field_name else None


def _has_qualified_member(node: tree_sitter.Node, tables: Tables) -> bool:
    """Whether a member-access node has its member and what it is a member of (``a.f(x)``;
    Java's unqualified ``f(x)`` is a ``method_invocation`` too)."""
    owner = tables.member_object[node.kind_id]
    if owner and node.child_by_field_name(owner) is None:
        return False
    return node.child_by_field_name(tables.member_field[node.kind_id]) is not None


def _definition_name(
    node: tree_sitter.Node, tables: Tables
) -> tuple[tree_sitter.Node | None, list[tree_sitter.Node]]:
    """The node naming a definition, and the declarators it is nested in (outermost first):
    C's ``int *f(void)`` names ``f`` inside a ``pointer_declarator`` and a
    ``function_declarator``.  A declarator without a name field holds what it declares as
    its last named child (C++'s ``int &f()``: a ``reference_declarator``)."""
    path: list[tree_sitter.Node] = []
    current = node
    while True:
        name = None
        for field_name in tables.name_fields:
            name = current.child_by_field_name(field_name)
            if name is not None:
                break
        if name is None and path and current.named_child_count:
            name = current.named_children[-1]
        if name is None or not tables.flags[name.kind_id] & F_DECLARATOR:
            return name, path
        path.append(name)
        current = name


def _around(
    node: tree_sitter.Node, path: list[tree_sitter.Node], name: tree_sitter.Node | None
) -> list[tree_sitter.Node]:
    """The children of ``node`` with the declarators on ``path`` replaced by their own
    children, in source order: what a definition holds besides its name (C's parameters sit
    in the ``function_declarator`` around the name).  Iterative: a declarator may be nested
    thousands of parentheses deep."""
    found: list[tree_sitter.Node] = []
    pending = list(reversed(node.children))
    depth = 0
    while pending:
        child = pending.pop()
        if depth < len(path) and child == path[depth]:
            # Its children come before the siblings that follow it, so they go on top.
            depth += 1
            pending.extend(reversed(child.children))
        elif child != name:
            found.append(child)
    return found


def _parameter_names(node: tree_sitter.Node, tables: Tables) -> list[tree_sitter.Node]:
    """The children of a parameter wrapper that name parameters: those in the language's
    ``parameter_name_field`` (Go's ``a, b int`` has two), else the identifiers in no field
    (C++'s ``&x`` in a ``reference_declarator``)."""
    names = node.children_by_field_name(tables.parameter_name_field)
    if names:
        return names
    return [
        child
        for index, child in enumerate(node.children)
        if tables.action[child.kind_id] == ACT_IDENT and node.field_name_for_child(index) is None
    ]


def _holds_rewrite(node: tree_sitter.Node, flags_of: tuple[int, ...]) -> bool:
    """Whether ``node`` or a node inside it is an increment or an augmented assignment.

    Their rewrites (``x = x + 1``) emit the operand twice; an operand holding another one
    is emitted as written instead, or ``x----`` (C parses it, nested as deep as a file
    likes) would double the stream at every level.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if flags_of[current.kind_id] & (F_INCREMENT | F_AUGMENTED):
            return True
        stack.extend(current.children)
    return False


def _close_own_range(statement: Statement, end: int) -> None:
    if end > statement.open_start:
        statement.segments.append(range(statement.open_start, end))
    statement.open_start = end


_NOOP_ACTIONS = frozenset({ACT_STRING, ACT_LITERAL, ACT_CONST, ACT_IDENT})


def _is_noop(node: tree_sitter.Node, tables: Tables) -> bool:
    """A statement that computes something and throws it away without side effects: a
    docstring, a comment in disguise, or inserted noise such as ``0``, ``()`` or ``x + 1``."""
    # An empty statement (C's lone ``;``) has no child: ``named_child(0)`` raises then.
    first = node.named_child(0) if node.named_child_count else None
    if first is None:
        return False
    if node.named_child_count > 1 and any(
        tables.action[c.kind_id] != ACT_SKIP for c in node.named_children[1:]
    ):
        return False
    if tables.action[first.kind_id] in _NOOP_ACTIONS:
        return True
    if tables.symbol[first.kind_id] not in tables.pure_expressions:
        return False
    stack = [first]
    while stack:
        current = stack.pop()
        action = tables.action[current.kind_id]
        if action == ACT_STRUCT and tables.symbol[current.kind_id] not in tables.pure_expressions:
            return False
        if action != ACT_SKIP and action not in _NOOP_ACTIONS:
            stack.extend(current.children)
    return True


def _text(node: tree_sitter.Node) -> str:
    return (node.text or b"").decode("utf-8", "replace")


def _template(node: tree_sitter.Node, data: bytes, flags_of: tuple[int, ...]) -> str:
    """A string literal's text with each ``{...}`` of an f-string reduced to ``{}``: the
    expressions inside are code, normalized as code, and a renamed name must not make the
    string's value differ."""
    pieces: list[bytes] = []
    start = node.start_byte
    for child in node.children:
        if flags_of[child.kind_id] & F_INTERPOLATION:
            pieces.append(data[start : child.start_byte] + b"{}")
            start = child.end_byte
    pieces.append(data[start : node.end_byte])
    return b"".join(pieces).decode("utf-8", "replace")


def _unwrap(node: tree_sitter.Node, tables: Tables) -> tree_sitter.Node:
    """The expression inside redundant parentheses."""
    while tables.action[node.kind_id] == ACT_TRANSPARENT and node.named_child_count == 1:
        inner = node.named_child(0)
        if inner is None:
            break
        node = inner
    return node


def _tuple_items(node: tree_sitter.Node, tables: Tables) -> list[tree_sitter.Node]:
    """The elements of a (parenthesized) tuple, or the expression itself."""
    node = _unwrap(node, tables)
    if tables.flags[node.kind_id] & F_TUPLE_VALUE and tables.symbol[node.kind_id] == "tuple":
        return [c for c in node.named_children if tables.action[c.kind_id] != ACT_SKIP]
    return [node]


def _format_receiver(node: tree_sitter.Node, tables: Tables) -> tree_sitter.Node | None:
    """The string literal of ``"...".format(...)``, if ``node`` is such a call."""
    function = node.children[0]
    if not tables.flags[function.kind_id] & F_ATTRIBUTE:
        return None
    parts = function.children
    if tables.action[parts[0].kind_id] != ACT_STRING:
        return None
    if parts[-1].text != tables.format_method:
        return None
    return parts[0]


def _interpolations(node: tree_sitter.Node, flags_of: tuple[int, ...]) -> list[tree_sitter.Node]:
    """The ``{...}`` parts of an f-string (or of the f-strings in a concatenation), in order."""
    found: list[tree_sitter.Node] = []
    parts = node.children if flags_of[node.kind_id] & F_STRING and node.child_count else []
    for part in [node, *parts]:
        for child in part.children:
            if flags_of[child.kind_id] & F_INTERPOLATION:
                found.append(child)
    return found


def _push_tuple_parts(
    node: tree_sitter.Node,
    left: tree_sitter.Node,
    statement: Statement,
    head: int,
    tables: Tables,
    push: Any,
) -> bool:
    """Schedule an assignment so that the walk records where each target and value sits.

    Two shapes are recorded, the ones later passes rewrite: ``a, b = x, y`` (plain tuples of
    one length, no starred item: split into one assignment per target) and ``x = e`` (one
    target, one value: merged with its twin in the other branch of an ``if`` into a
    conditional expression).  Returns False and schedules nothing for any other shape.
    """
    flags_of = tables.flags
    right = node.child_by_field_name("right")
    if right is None or node.child_by_field_name("type") is not None:
        return False
    left_tuple = bool(flags_of[left.kind_id] & F_TUPLE_TARGET)
    right_tuple = bool(flags_of[right.kind_id] & F_TUPLE_VALUE)
    if left_tuple and right_tuple:
        targets = [c for c in left.named_children if tables.action[c.kind_id] != ACT_SKIP]
        values = [c for c in right.named_children if tables.action[c.kind_id] != ACT_SKIP]
        if len(targets) != len(values) or len(targets) < 2:
            return False
    elif left_tuple or flags_of[right.kind_id] & F_ASSIGNMENT:
        return False
    else:
        targets, values = [left], [right]
    if any(flags_of[c.kind_id] & F_SPLAT for c in (*targets, *values)):
        return False
    marks: list[int] = []
    push((None, _TUPLE_DONE, (statement, head, marks)))
    push((None, _MARK, marks))
    for item, mode in reversed(
        [(t, ir.MODE_BIND) for t in targets] + [(v, ir.MODE_USE) for v in values]
    ):
        push((item, mode, None))
        push((None, _MARK, marks))
    return True


def _syntax_errors(tree: tree_sitter.Tree) -> tuple[int, int]:
    """``(count, bytes)`` of syntax errors: outermost error nodes (whose bytes the parser could
    not make sense of) and missing tokens the parser had to assume (zero bytes each)."""
    count = size = 0
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.is_error:
            count += 1
            size += node.end_byte - node.start_byte
        elif node.is_missing:
            count += 1
        elif node.has_error:
            stack.extend(node.children)
    return count, size


def alias_path(text: str, package: tuple[str, ...]) -> str:
    """What ``import a.b as c`` makes ``c`` read as: the module path ``text`` with its
    first-party head cut as ``first_party_depth`` says."""
    path = text.split(".")
    return ".".join(path[first_party_depth(path, package) :])


def first_party_depth(path: list[str], package: tuple[str, ...]) -> int:
    """How many leading parts of the module ``path`` name folders of ``package``.

    A path whose head is one of the folders the importing file lives in is first-party: it
    names code of the same project, and is read relative to the deepest folder both share.
    ``pip._vendor.rich.segment`` imported from ``pip/_vendor/rich/console.py`` and
    ``rich.segment`` imported from ``rich/console.py`` both become ``segment``, as the
    relative ``from .segment import ...`` does; ``pip._vendor.urllib3`` imported from
    ``pip/_vendor/requests/`` becomes ``urllib3``, as the original's third-party import is.
    The last part always stays, so an import never vanishes.
    """
    best = 0
    for start, folder in enumerate(package):
        if folder != path[0]:
            continue
        shared = 0
        for mine, theirs in zip(package[start:], path, strict=False):
            if mine != theirs:
                break
            shared += 1
        best = max(best, shared)
    return min(best, len(path) - 1)
