"""Canonicalization passes over the statement IR.

Each pass rewrites the IR in place so that two spellings of the same program end as one
canonical statement sequence.  Passes reorder, split or drop statements, drop tokens, repeat
existing tokens and relabel a token's symbol; they never invent tokens, so every token of the
canonical stream keeps its exact source span.

The passes run in this order, each on the output of the one before:

1. ``split_tuple_assignments``: ``a, b = x, y`` becomes ``a = x; b = y``;
2. ``drop_local_keywords``: ``f(a, b=2)`` reads as ``f(a, 2)`` when ``f`` is defined here;
3. ``flatten_else_if``: ``else: if c: ...`` reads as ``elif c: ...``;
4. ``drop_dead_code``: unreachable statements, ``if False:`` blocks, unused pure assignments
   (first, so that inserted noise cannot hide the patterns the next passes look for);
5. ``merge_conditionals``: ``if c: x = a`` / ``else: x = b`` reads as ``x = a if c else b``
   (and the same for ``return``);
6. ``rewrite_loops``: ``i = 0`` + ``while i < n: ...; i += 1`` reads as
   ``for i in range(n): ...``, and ``out = []`` + ``for t in it: out.append(e)`` as
   ``out = [e for t in it]`` (with an ``if`` filter too; sets and dictionaries alike);
7. ``order_statements``: independent statements of a block in a canonical order.
"""

from __future__ import annotations

import heapq
import operator
import zlib
from dataclasses import dataclass
from itertools import compress

from codesim import compiled
from codesim.normalize import ir
from codesim.normalize.ir import Block, Program, Statement, flatten
from codesim.normalize.resolve import Resolved
from codesim.normalize.tables import Tables


@dataclass(slots=True)
class Canon:
    """What the passes read and write: the program, resolved symbols, binding scopes and the
    set of dropped tokens (a byte per token, 1 = dropped)."""

    program: Program
    symbols: list[str]
    binders: list[int]
    dropped: bytearray
    kept_roles: dict[int, str]
    """See ``Resolved.kept_roles``."""
    blocks: list[Block]
    """Every block, outermost first, listed once before the passes run: passes that remove
    or merge statements may leave a listed block unreachable, which is harmless."""
    definitions: frozenset[str]
    """See ``Tables.definitions``."""
    hoisted: frozenset[str]
    """See ``Tables.hoisted``."""
    declarations: frozenset[str]
    """See ``Tables.declarations``."""
    functions: frozenset[str]
    """See ``Tables.functions``."""
    pure: frozenset[str]
    """Symbols without side effects: Python's, and the language's literals, constants and
    ``pure_expressions``."""


def run_passes(program: Program, resolved: Resolved, dropped: bytearray, tables: Tables) -> None:
    """Apply every pass, in order, to the whole program of ``tables``' language."""
    pure = _PURE | tables.pure_values
    compiled_passes = compiled.load(compiled.PASSES)
    if compiled_passes is not None:
        # The passes before ordering, in one call; it lists the blocks as ``_blocks`` does.
        blocks = compiled_passes.run_passes(
            program.root,
            Block,
            Statement,
            resolved.symbols,
            resolved.binders,
            program.tokens.texts,
            program.tokens.modes,
            program.scopes,
            dropped,
            program.syntax_errors[0] == 0,
            tables.hoisted,
            tables.declarations,
            tables.functions,
            pure,
            _CONDITIONALS,
            _TERMINATORS,
            _FALSE,
            tuple(_WRITES),
            _COMPILED_MODES,
        )
    else:
        blocks = _blocks(program.root)
    canon = Canon(
        program,
        resolved.symbols,
        resolved.binders,
        dropped,
        resolved.kept_roles,
        blocks,
        tables.definitions,
        tables.hoisted,
        tables.declarations,
        tables.functions,
        pure,
    )
    if compiled_passes is None:
        split_tuple_assignments(canon)
        drop_local_keywords(canon)
        flatten_else_if(canon)
        drop_dead_code(canon)
        merge_conditionals(canon)
        rewrite_loops(canon)
    order_statements(canon)


_COMPILED_MODES = (ir.MODE_NONE, ir.MODE_USE, ir.MODE_BIND, ir.MODE_KWARG)
"""The ``ir.MODE_*`` values the compiled passes test for, passed in so they cannot drift."""


def split_tuple_assignments(canon: Canon) -> None:
    """``a, b = x, y`` becomes ``a = x`` then ``b = y`` where that means the same.

    The canonical form is the split one, so a copier merging statements into tuple assignments
    and one splitting tuple assignments both land on it.  Splitting is sound when no value reads
    a target assigned before it (``a, b = b, a`` stays a swap).
    """
    texts = canon.program.tokens.texts
    modes = canon.program.tokens.modes
    for block in canon.blocks:
        rewritten: list[Statement] = []
        changed = False
        for statement in block.statements:
            parts = statement.parts
            if parts is None or len(parts.targets) < 2 or not _split_is_sound(parts, texts, modes):
                rewritten.append(statement)
                continue
            changed = True
            head = range(parts.head, parts.head + 1)
            for target, value in zip(parts.targets, parts.values, strict=True):
                rewritten.append(Statement(statement.kind, segments=[head, target, value]))
        if changed:
            block.statements = rewritten


def _split_is_sound(parts: ir.TupleParts, texts: list[str], modes: list[int]) -> bool:
    target_names: list[str] = []
    for target in parts.targets:
        # The last identifier of a target is what it writes (``x`` of ``self.x``).
        written = [texts[i] for i in target if modes[i] > ir.MODE_NONE]
        if not written:
            return False
        target_names.append(written[-1])
    if len(set(target_names)) != len(target_names):
        return False
    for later, value in enumerate(parts.values):
        read = {texts[i] for i in value if modes[i] > ir.MODE_NONE}
        if any(name in read for name in target_names[:later]):
            return False
    return True


def drop_local_keywords(canon: Canon) -> None:
    """Keyword arguments naming a parameter defined in this file read as positional ones.

    ``f(a, b=2)`` and ``f(a, 2)`` differ only in how the call is spelled when ``f`` is ours;
    the keyword's name token and the keyword-argument token are dropped.
    """
    modes = canon.program.tokens.modes
    for index, mode in enumerate(modes):
        if mode == ir.MODE_KWARG and canon.symbols[index] == "PARAM":
            canon.dropped[index] = 1
            canon.dropped[index - 1] = 1


def flatten_else_if(canon: Canon) -> None:
    """``else:`` holding only an ``if`` reads as ``elif``: both spell the same chain."""
    symbols = canon.symbols
    for block in canon.blocks:
        for statement in block.statements:
            if not statement.segments or symbols[_first(statement)] != "if_statement":
                continue
            _splice_else_ifs(statement, canon)


def _splice_else_ifs(statement: Statement, canon: Canon) -> None:
    segments = statement.segments
    index = 0
    while index + 1 < len(segments):
        head, body = segments[index], segments[index + 1]
        if (
            isinstance(head, range)
            and len(head)
            and canon.symbols[head[-1]] == "else_clause"
            and isinstance(body, Block)
            and len(body.statements) == 1
            and canon.symbols[_first(body.statements[0])] == "if_statement"
        ):
            nested = body.statements[0]
            canon.dropped[head[-1]] = 1
            canon.symbols[_first(nested)] = "elif_clause"
            segments[index + 1 : index + 2] = nested.segments
            continue
        index += 1


def merge_conditionals(canon: Canon) -> None:
    """An ``if``/``else`` whose branches only assign one target, or only return, reads as the
    conditional expression that says the same: ``[assignment x conditional_expression a c b]``.

    ``if c: return a`` followed by ``return b`` counts as an ``if``/``else`` of returns.
    """
    for block in canon.blocks:
        rewritten: list[Statement] = []
        statements = block.statements
        index = 0
        while index < len(statements):
            statement = statements[index]
            following = statements[index + 1] if index + 1 < len(statements) else None
            merged, consumed = _conditional(statement, following, canon)
            rewritten.append(merged or statement)
            index += 1 + consumed
        block.statements = rewritten


def _conditional(
    statement: Statement, following: Statement | None, canon: Canon
) -> tuple[Statement | None, int]:
    """The conditional-expression form of ``statement`` (and how many following statements it
    absorbed), or ``(None, 0)``."""
    symbols = canon.symbols
    segments = statement.segments
    if not segments or not isinstance(segments[0], range) or len(segments[0]) < 2:
        return None, 0
    head = segments[0]
    if symbols[head[0]] != "if_statement":
        return None, 0
    condition = range(head[0] + 1, head.stop)
    first = _only_statement(segments[1]) if len(segments) > 1 else None
    second: Statement | None = None
    consumed = 0
    if len(segments) == 4 and _is_token(segments[2], "else_clause", symbols):
        second = _only_statement(segments[3])
    elif len(segments) == 2 and following is not None and _is_return(following, symbols):
        second, consumed = following, 1
    if first is None or second is None:
        return None, 0
    if _is_return(first, symbols) and _is_return(second, symbols):
        a, b = _simple_range(first), _simple_range(second)
        if len(a) < 2 or len(b) < 2:
            return None, 0
        _drop_range(range(b[0], b[0] + 1), canon)
        if len(segments) == 4:
            _drop_range(segments[2], canon)
        symbols[head[0]] = "conditional_expression"
        merged: list[range | Block] = [
            range(a[0], a[0] + 1),
            range(head[0], head[0] + 1),
            range(a[0] + 1, a.stop),
            condition,
            range(b[0] + 1, b.stop),
        ]
        return Statement(first.kind, segments=merged), consumed
    one, two = first.parts, second.parts
    if (
        consumed
        or one is None
        or two is None
        or len(one.targets) != 1
        or len(two.targets) != 1
        or _spelling(one.targets[0], canon) != _spelling(two.targets[0], canon)
    ):
        return None, 0
    _drop_range(segments[2], canon)
    _drop_range(range(two.head, two.head + 1), canon)
    _drop_range(two.targets[0], canon)
    symbols[head[0]] = "conditional_expression"
    assignment: list[range | Block] = [
        range(one.head, one.head + 1),
        one.targets[0],
        range(head[0], head[0] + 1),
        one.values[0],
        condition,
        two.values[0],
    ]
    return Statement(first.kind, segments=assignment), 0


def rewrite_loops(canon: Canon) -> None:
    """Two loop shapes read as what they compute, each an initialization followed by a loop:

    - ``i = a`` + ``while i < b: ...; i += s`` reads as ``for i in range(a, b, s): ...``
      (``range(b)`` when ``a`` is 0 and ``s`` is 1), token for token in the ``for`` order: the
      ``while`` keyword, the comparison and the counter in it become ``in``, ``call`` and
      ``range``.  Only when nothing else in the body assigns the counter and no ``continue``
      skips the step, the two cases where the loops would count differently.
    - A loop that only fills an empty collection reads as the comprehension that builds it,
      in the comprehension's order (optionally under one ``if c:`` filter): ``out = []`` +
      ``out.append(e)``, ``out = set()`` + ``out.add(e)``, ``out = {}`` (or ``dict()``) +
      ``out[k] = v``.
    """
    symbols = canon.symbols
    for block in canon.blocks:
        statements = block.statements
        rewritten: list[Statement] = []
        index = 0
        while index < len(statements):
            merged = None
            if index + 1 < len(statements):
                loop = statements[index + 1]
                head = loop.segments[0] if loop.segments else None
                if isinstance(head, range) and head:
                    keyword = symbols[head[0]]
                    if keyword == "while_statement":
                        merged = _counting_loop(statements[index], loop, canon)
                    elif keyword == "for_statement":
                        merged = _comprehension(statements[index], loop, canon)
            if merged is None:
                rewritten.append(statements[index])
                index += 1
            else:
                rewritten.append(merged)
                index += 2
        block.statements = rewritten


def _counting_loop(start: Statement, loop: Statement, canon: Canon) -> Statement | None:
    symbols = canon.symbols
    tokens = canon.program.tokens
    texts = tokens.texts
    binders = canon.binders
    init = _name_assignment(start, canon)
    if not init:
        return None
    segments = loop.segments
    if len(segments) != 2:
        return None
    header, body = segments
    if not isinstance(header, range) or not isinstance(body, Block) or not body.statements:
        return None
    counter = (texts[init[1]], binders[init[1]])

    def is_counter(index: int) -> bool:
        return (texts[index], binders[index]) == counter

    # while_statement comparison_operator COUNTER < END...
    if (
        len(header) < 5
        or symbols[header[0]] != "while_statement"
        or symbols[header[1]] != "comparison_operator"
        or not is_counter(header[2])
        or symbols[header[3]] != "<"
    ):
        return None
    # assignment COUNTER binary_operator COUNTER + INT (``i += s`` is emitted like this too)
    step = _simple_range(body.statements[-1])
    if (
        len(step) != 6
        or [symbols[i] for i in (step[0], step[2], step[4], step[5])]
        != ["assignment", "binary_operator", "+", "INT"]
        or not (is_counter(step[1]) and is_counter(step[3]))
    ):
        return None
    for statement in body.statements[:-1]:
        for index in flatten(statement):
            if symbols[index] == "continue_statement" or (
                is_counter(index) and tokens.modes[index] in _WRITES
            ):
                return None
    body.statements = body.statements[:-1]
    symbols[init[0]] = "for_statement"
    symbols[header[0]], symbols[header[1]] = "in", "call"
    symbols[header[2]] = "range"
    binders[header[2]] = -2
    merged: list[range | Block] = [range(init[0], init[1] + 1), range(header[0], header[3])]
    unit_step = texts[step[5]] == "1"
    if not (unit_step and len(init) == 3 and symbols[init[2]] == "INT" and texts[init[2]] == "0"):
        merged.append(range(init[2], init.stop))
    merged.append(range(header[4], header.stop))
    if not unit_step:
        merged.append(range(step[5], step.stop))
    merged.append(body)
    return Statement("for_statement", segments=merged)


_EMPTY_COLLECTIONS = {
    ("list",): "list_comprehension",
    ("call", "set"): "set_comprehension",
    ("dictionary",): "dictionary_comprehension",
    ("call", "dict"): "dictionary_comprehension",
}
"""How an empty collection is spelled (after ``assignment NAME``) and the comprehension that
replaces its head token."""
_FILLERS = {"list_comprehension": "append", "set_comprehension": "add"}
"""The method a loop calls to fill each kind (dictionaries are filled by item assignment)."""


def _comprehension(start: Statement, loop: Statement, canon: Canon) -> Statement | None:
    symbols = canon.symbols
    init = _name_assignment(start, canon)
    if not init or len(init) > 4:
        return None
    kind = _EMPTY_COLLECTIONS.get(tuple(symbols[i] for i in init[2:]))
    if kind is None:
        return None
    segments = loop.segments
    if len(segments) != 2 or not isinstance(segments[0], range) or not segments[0]:
        return None
    header = segments[0]
    if symbols[header[0]] != "for_statement":
        return None
    body = _only_statement(segments[1])
    guard: range | None = None
    if body is not None and body.segments and isinstance(body.segments[0], range):
        first = body.segments[0]
        if len(first) and symbols[first[0]] == "if_statement" and len(body.segments) == 2:
            guard = first
            body = _only_statement(body.segments[1])
    if body is None:
        return None
    element = _element(_simple_range(body), init[1], kind, canon)
    if element is None:
        return None
    symbols[init[2]] = kind
    _drop_range(init[3:], canon)
    symbols[header[0]] = "for_in_clause"
    merged: list[range | Block] = [init, *element, header]
    if guard is not None:
        symbols[guard[0]] = "if_clause"
        merged.append(guard)
    return Statement(start.kind, segments=merged)


def _element(fill: range, target: int, kind: str, canon: Canon) -> list[range] | None:
    """The tokens of what one step of the loop adds to the collection at ``target`` (dropping
    the tokens that add it), or None if ``fill`` does not just add to it."""
    symbols = canon.symbols
    texts = canon.program.tokens.texts
    binders = canon.binders
    name, scope = texts[target], binders[target]
    method = _FILLERS.get(kind)
    shape: tuple[str, ...]
    if method is not None:
        # call attribute NAME method ARGUMENT
        head = range(fill.start, fill.start + 4)
        shape = ("call", "attribute", "", method)
        element = range(fill.start + 4, fill.stop)
    else:
        # assignment subscript NAME KEY VALUE: the subscript stands for the item's pair
        head = range(fill.start, fill.start + 3)
        shape = ("assignment", "subscript", "")
        element = range(fill.start + 1, fill.stop)
    if len(fill) <= len(head) or any(
        expected and symbols[i] != expected for i, expected in zip(head, shape, strict=True)
    ):
        return None
    owner = head[2]
    if texts[owner] != name or binders[owner] != scope:
        return None
    # An element that reads the collection being built (out[k] = out.get(k, 0) + 1) is not a
    # comprehension.
    if any(texts[i] == name and binders[i] == scope for i in element if i != owner):
        return None
    if method is not None:
        _drop_range(head, canon)
        return [element]
    symbols[head[1]] = "pair"
    canon.dropped[head[0]] = 1
    canon.dropped[owner] = 1
    return [range(head[1], owner), range(owner + 1, fill.stop)]


def _name_assignment(statement: Statement, canon: Canon) -> range:
    """The tokens of ``NAME = value`` (the loops' initializations), or an empty range."""
    tokens = _simple_range(statement)
    if (
        len(tokens) < 3
        or canon.symbols[tokens[0]] != "assignment"
        or canon.program.tokens.modes[tokens[1]] != ir.MODE_BIND
    ):
        return range(0)
    return tokens


def _only_statement(segment: range | Block) -> Statement | None:
    if isinstance(segment, Block) and len(segment.statements) == 1:
        return segment.statements[0]
    return None


def _simple_range(statement: Statement) -> range:
    """The tokens of a statement without nested blocks, or an empty range."""
    if len(statement.segments) == 1 and isinstance(statement.segments[0], range):
        return statement.segments[0]
    return range(0)


def _is_token(segment: range | Block, symbol: str, symbols: list[str]) -> bool:
    return isinstance(segment, range) and len(segment) == 1 and symbols[segment[0]] == symbol


def _is_return(statement: Statement, symbols: list[str]) -> bool:
    tokens = _simple_range(statement)
    return len(tokens) > 0 and symbols[tokens[0]] == "return_statement"


def _spelling(tokens: range, canon: Canon) -> list[tuple[str, str]]:
    return [(canon.symbols[i], canon.program.tokens.texts[i]) for i in tokens]


def _drop_range(tokens: range | Block, canon: Canon) -> None:
    if isinstance(tokens, range):
        for index in tokens:
            canon.dropped[index] = 1


_TERMINATORS = frozenset(
    {"return_statement", "raise_statement", "continue_statement", "break_statement"}
)
_FALSE = frozenset({"False", "None"})
_PURE = frozenset({
    "binary_operator", "unary_operator", "boolean_operator", "comparison_operator",
    "not_operator", "tuple", "list", "set", "dictionary", "pair", "conditional_expression",
    "STR", "INT", "FLOAT", "True", "False", "None", "...",
})  # fmt: skip


def drop_dead_code(canon: Canon) -> None:
    """Drop what cannot run or cannot matter: statements after ``return``/``raise``/``break``/
    ``continue`` in the same block (but the language's ``hoisted`` declarations, which are
    reachable there), ``if False:``/``while False:`` blocks without ``else``, and assignments
    of side-effect-free values to function locals that are never read."""
    program = canon.program
    symbols = canon.symbols
    hoisted = canon.hoisted
    unused = _unused_locals(canon)
    # With syntax errors the block structure is a guess: a ``return`` may appear to stand at
    # module level, and truncating after it would drop real code.
    trust_structure = program.syntax_errors[0] == 0
    for block in canon.blocks:
        kept: list[Statement] = []
        for position, statement in enumerate(block.statements):
            if not statement.segments:
                continue
            symbol = symbols[_first(statement)]
            if (symbol in _CONDITIONALS and _never_runs(statement, canon)) or (
                (symbol == "assignment" or symbol in canon.declarations)
                and _is_unused_assignment(statement, canon, unused)
            ):
                _drop(statement, canon)
                continue
            kept.append(statement)
            if trust_structure and symbol in _TERMINATORS:
                for rest in block.statements[position + 1 :]:
                    if hoisted and rest.segments and symbols[_first(rest)] in hoisted:
                        kept.append(rest)
                    else:
                        _drop(rest, canon)
                break
        block.statements = kept


_CONDITIONALS = frozenset({"if_statement", "while_statement"})


def _drop(statement: Statement, canon: Canon) -> None:
    for index in flatten(statement):
        canon.dropped[index] = 1


def _never_runs(statement: Statement, canon: Canon) -> bool:
    if len(statement.segments) != 2 or not isinstance(statement.segments[0], range):
        return False
    condition = [i for i in statement.segments[0] if not canon.dropped[i]][1:]
    if len(condition) != 1:
        return False
    symbol = canon.symbols[condition[0]]
    text = canon.program.tokens.texts[condition[0]]
    return symbol in _FALSE or (symbol == "INT" and text.strip() == "0")


def _unused_locals(canon: Canon) -> set[tuple[int, str]]:
    """Function-local names that are bound but never read anywhere in the file."""
    program = canon.program
    functions = {i for i, scope in enumerate(program.scopes) if scope.kind in canon.functions}
    bound: set[tuple[int, str]] = set()
    read: set[tuple[int, str]] = set()
    tokens = program.tokens
    for mode, scope, text in zip(tokens.modes, canon.binders, tokens.texts, strict=True):
        if scope in functions:
            if mode == ir.MODE_BIND:
                bound.add((scope, text))
            elif mode == ir.MODE_USE:
                read.add((scope, text))
    return bound - read


def _is_unused_assignment(statement: Statement, canon: Canon, unused: set[tuple[int, str]]) -> bool:
    if not all(isinstance(segment, range) for segment in statement.segments):
        return False
    tokens = [i for segment in statement.segments if isinstance(segment, range) for i in segment]
    symbols = canon.symbols
    modes = canon.program.tokens.modes
    if symbols[tokens[0]] in canon.declarations:
        # The declared type (``int`` of ``int x = 1;``) and declarator have no effect: read
        # the declaration from its first name on, as the assignment it is.
        first = next((i for i in tokens if modes[i] == ir.MODE_BIND), tokens[0])
        tokens = [tokens[0], *tokens[tokens.index(first) :]]
    if len(tokens) < 3 or modes[tokens[1]] != ir.MODE_BIND:
        return False
    target = tokens[1]
    if (canon.binders[target], canon.program.tokens.texts[target]) not in unused:
        return False
    return all(
        modes[i] != ir.MODE_NONE or symbols[i] in canon.pure or _is_operator(symbols[i])
        for i in tokens[2:]
    )


def _is_operator(symbol: str) -> bool:
    return not symbol[:1].isalnum() and symbol[:1] != "_"


_BARRIERS = _TERMINATORS | {"yield", "await", "global_statement", "nonlocal_statement", "loose"}
"""Symbols (and the statement kind ``loose``: tokens in a syntax error) that pin a statement
in place."""
_MAX_REORDERED = 400
"""Blocks longer than this keep their order: the dependency graph is quadratic in the block
length, and such blocks are generated tables rather than hand-written code."""


def order_statements(canon: Canon) -> None:
    """Put the independent statements of every block into a canonical order.

    Two statements depend on each other when one writes a name the other reads or writes
    (names are keyed by their binding scope, members by name); ``return``, ``raise``, ``break``,
    ``continue``, ``yield`` and ``await`` keep their place, and calls made for their effects
    (a bare ``f(x)`` statement) keep their order among themselves.  Among the statements whose
    predecessors are placed, the one whose canonical content hashes lowest goes first, so any
    reordering that keeps the dependencies (what a copier can do without breaking the code)
    yields the same sequence; the content hash reads kept names (imports, builtins) as the
    placeholders they would be if dangling, so a copy pasted without its imports orders alike.
    A definition (function, class) writes only its name, since its body runs later, so
    definitions order freely.

    Blocks are visited innermost first, and each statement's facts are built from its own
    tokens plus the facts of the statements nested in it (a Merkle-style digest), so the pass
    reads every token once however deep the nesting.
    """
    compiled_order = compiled.load(compiled.ORDER)
    if compiled_order is not None:
        compiled_order.order_blocks(
            canon.blocks,
            canon.symbols,
            canon.kept_roles,
            canon.binders,
            canon.program.tokens.texts,
            canon.program.tokens.modes,
            canon.definitions,
            _BARRIERS,
            tuple(_WRITES),
            tuple(_READS),
            canon.dropped,
        )
        return
    tokens = _token_facts(canon)
    facts: dict[int, _Facts] = {}
    for block in reversed(canon.blocks):
        for statement in block.statements:
            facts[id(statement)] = _facts_of(statement, canon, facts, tokens)
        statements = block.statements
        if 2 <= len(statements) <= _MAX_REORDERED:
            block.statements = _canonical_order(statements, [facts[id(s)] for s in statements])


@dataclass(slots=True)
class _Facts:
    """What ordering needs to know of one statement."""

    writes: set[int]
    reads: set[int]
    barrier: bool
    content: int
    """Digest of the canonical shapes, own and nested (names are placeholders here)."""
    values: int
    """Digest of the literal values and kept names, own and nested."""
    sort_key: tuple[int, ...]
    """Stable CRC-32 digests (the order must not change between processes, and a collision
    only falls back to source order).  For a definition: its header's digest first, then its
    content's (a copy that edits a method's body must not move the method past methods of
    other signatures); for other statements the content's.  Literal values and kept names
    come last, so a shuffled table of constants of one shape is put back in one order too."""


@dataclass(slots=True)
class _TokenFacts:
    """Per-token lookups prepared once per file (with C-level ``map``/``zip``), so that a
    statement's facts are read with slices and ``itertools.compress`` instead of a Python loop
    per token.  ``keys[i]`` is only meaningful where ``writes[i]`` or ``reads[i]`` is set."""

    keys: list[int]
    """Each token's name as a small integer: ``(binding scope, text)`` interned per file."""
    writes: bytearray
    reads: bytearray
    barriers: bytearray
    shapes: list[str]
    """The symbols with kept unbound names replaced by their ``kept_roles``: what the
    content digests read, so that a copy pasted without its imports orders the same."""
    valued: bytearray
    """1 for tokens whose texts the value digests read: literal values (texts of the tokens
    that are not names, often empty) and the kept unbound names the shapes leave out."""


def _token_facts(canon: Canon) -> _TokenFacts:
    modes = canon.program.tokens.modes
    interned: dict[tuple[int, str], int] = {}
    intern = interned.setdefault
    shapes = list(canon.symbols)
    valued = bytearray(map(operator.not_, modes))
    for index, role in canon.kept_roles.items():
        shapes[index] = role
        valued[index] = 1
    return _TokenFacts(
        keys=[
            intern(key, len(interned))
            for key in zip(canon.binders, canon.program.tokens.texts, strict=True)
        ],
        writes=bytearray(map(_WRITES.__contains__, modes)),
        reads=bytearray(map(_READS.__contains__, modes)),
        barriers=bytearray(map(_BARRIERS.__contains__, canon.symbols)),
        shapes=shapes,
        valued=valued,
    )


def _facts_of(
    statement: Statement, canon: Canon, known: dict[int, _Facts], tokens: _TokenFacts
) -> _Facts:
    symbols = tokens.shapes
    texts = canon.program.tokens.texts
    dropped = canon.dropped
    definition = statement.kind in canon.definitions
    writes: set[int] = set()
    reads: set[int] = set()
    barrier = statement.kind in _BARRIERS
    # The digests must not depend on how the statement's own tokens are cut into segments (a
    # split tuple assignment has three, the same assignment written out has one): own tokens
    # are hashed in runs between nested blocks.
    content = 0
    own_values: list[str] = []
    run: list[str] = []
    header = 0
    for position, segment in enumerate(statement.segments):
        if isinstance(segment, range):
            if dropped.find(1, segment.start, segment.stop) == -1:
                kept: range | list[int] = segment
                own = symbols[segment.start : segment.stop]
                own_values.extend(
                    compress(
                        texts[segment.start : segment.stop],
                        tokens.valued[segment.start : segment.stop],
                    )
                )
            else:
                kept = [i for i in segment if not dropped[i]]
                own = [symbols[i] for i in kept]
                own_values.extend(texts[i] for i in kept if tokens.valued[i])
            run.extend(own)
            if definition and position == 0:
                header = zlib.crc32(_encode("\x1f".join(own)))
            if not definition or position == 0:
                barrier = _note_names(kept, tokens, writes, reads) or barrier
            continue
        content = zlib.crc32(_encode("\x1f".join(run)), content)
        run = []
        for inner in segment.statements:
            facts = known[id(inner)]
            # Symbols and values are chained separately, so that a renamed name inside an
            # f-string of a nested statement cannot reorder the definitions around it.
            content = zlib.crc32(facts.content.to_bytes(4, "little"), content)
            own_values.append(str(facts.values))
            if not definition:
                writes |= facts.writes
                reads |= facts.reads
                barrier = barrier or facts.barrier
    content = zlib.crc32(_encode("\x1f".join(run)), content)
    if statement.kind == "expression_statement" and run[:1] == ["call"]:
        # A call whose result is thrown away runs for its effects (``left(90)`` then
        # ``forward(10)``): such calls keep their order among themselves.
        writes.add(_EFFECTS)
    values = zlib.crc32(_encode("\x1f".join(own_values)))
    sort_key = (header, content, values) if definition else (content, values)
    return _Facts(writes, reads, barrier and not definition, content, values, sort_key)


def _note_names(
    kept: range | list[int], tokens: _TokenFacts, writes: set[int], reads: set[int]
) -> bool:
    """Add the names ``kept`` writes and reads; True if one of its tokens pins its statement."""
    if isinstance(kept, range):
        start, stop = kept.start, kept.stop
        keys = tokens.keys[start:stop]
        writes.update(compress(keys, tokens.writes[start:stop]))
        reads.update(compress(keys, tokens.reads[start:stop]))
        return tokens.barriers.find(1, start, stop) != -1
    barrier = False
    for index in kept:
        if tokens.barriers[index]:
            barrier = True
        if tokens.writes[index]:
            writes.add(tokens.keys[index])
        elif tokens.reads[index]:
            reads.add(tokens.keys[index])
    return barrier


_EFFECTS = -1
"""The name key every bare call statement writes (real keys count up from 0)."""
_WRITES = frozenset({ir.MODE_BIND, ir.MODE_PARAM, ir.MODE_DEF, ir.MODE_ATTR_BIND})
_READS = frozenset({ir.MODE_USE, ir.MODE_ATTR_USE})


def _encode(text: str) -> bytes:
    # Literal values may hold lone surrogates (a "\\ud800" escape): hash them, do not fail.
    return text.encode("utf-8", "surrogatepass") + b"\x1e"


def _canonical_order(statements: list[Statement], facts: list[_Facts]) -> list[Statement]:
    count = len(statements)
    successors: list[list[int]] = [[] for _ in range(count)]
    waiting = [0] * count
    # Edges only to the latest conflicting statements (last writer of a name, readers since
    # that write, the last barrier): the transitive closure, and so the order Kahn's algorithm
    # yields, is the same as with an edge for every conflicting pair, in linear time.
    last_write: dict[int, int] = {}
    readers: dict[int, list[int]] = {}
    last_barrier = -1
    since_barrier: list[int] = []
    for index, fact in enumerate(facts):
        before: set[int] = set()
        if last_barrier >= 0:
            before.add(last_barrier)
        if fact.barrier:
            before.update(since_barrier)
        for name in fact.reads:
            if name in last_write:
                before.add(last_write[name])
        for name in fact.writes:
            if name in last_write:
                before.add(last_write[name])
            before.update(readers.get(name, ()))
        for earlier in before:
            successors[earlier].append(index)
        waiting[index] = len(before)
        for name in fact.reads:
            readers.setdefault(name, []).append(index)
        for name in fact.writes:
            last_write[name] = index
            readers[name] = []
        if fact.barrier:
            last_barrier = index
            since_barrier = []
        else:
            since_barrier.append(index)
    ready = [(facts[i].sort_key, i) for i in range(count) if waiting[i] == 0]
    heapq.heapify(ready)
    order: list[Statement] = []
    while ready:
        _, index = heapq.heappop(ready)
        order.append(statements[index])
        for later in successors[index]:
            waiting[later] -= 1
            if waiting[later] == 0:
                heapq.heappush(ready, (facts[later].sort_key, later))
    return order


def _first(statement: Statement) -> int:
    """The index of a statement's first token (0 when it has none).

    Iterative: a statement may open with a block whose first statement opens with a block, as
    deep as the file nests them (C's ``{{{ x; }}}``), which recursion would fail on.
    """
    current = statement
    while True:
        for segment in current.segments:
            if isinstance(segment, range):
                if len(segment):
                    return segment[0]
            elif segment.statements:
                current = segment.statements[0]
                break
        else:
            return 0


def _blocks(root: Block) -> list[Block]:
    """Every block of the program, outermost first (iterative)."""
    found = [root]
    stack: list[Block] = [root]
    while stack:
        block = stack.pop()
        for statement in block.statements:
            for segment in statement.segments:
                if isinstance(segment, Block):
                    found.append(segment)
                    stack.append(segment)
    return found
