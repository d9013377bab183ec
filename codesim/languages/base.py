"""The declarative description of a language: which tree-sitter node kinds mean what.

The normalizer reads nothing but this table, so adding a language is one file that fills it in.
Every field names node kinds of the language's tree-sitter grammar.

A grammar is a separate PyPI package (``tree-sitter-java``), optional for every language but
Python: the table names the module and the extra that installs it, and the module is imported
only when a file of that language is parsed, so a language is known (its files are found and
reported) even where its grammar is not installed.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

from codesim.errors import LanguageError
from codesim.tokens import Role, UnitKind


@dataclass(frozen=True, slots=True, eq=False)
class Language:
    """A language codesim can normalize.

    ``id`` is the short name used on the command line; ``display_name`` is for people.
    """

    id: str
    display_name: str
    extensions: tuple[str, ...]
    shebangs: tuple[str, ...]
    grammar_module: str
    """The grammar package's module (``tree_sitter_java``), imported on first use."""

    identifiers: frozenset[str]
    comments: frozenset[str]
    literals: Mapping[str, str]
    """Literal kind -> the typed placeholder it becomes (its text goes to the side channel)."""
    constants: Mapping[str, str]
    """Keyword constants kept as themselves (``True``, ``None``)."""
    operators: frozenset[str]
    """Anonymous leaves that carry meaning beyond their parent's kind (``+``, ``not in``)."""
    transparent: frozenset[str]
    """Kinds that emit no token of their own (wrappers, redundant parentheses)."""
    aliases: Mapping[str, str] = field(default_factory=dict)
    """Kinds that emit another kind's symbol because they mean the same (``pattern_list``)."""
    statements: frozenset[str] = frozenset()
    blocks: frozenset[str] = frozenset()
    units: Mapping[str, UnitKind] = field(default_factory=dict)
    """Definition kinds that open a unit (and a scope) -> the unit's kind."""
    scopes: frozenset[str] = frozenset()
    """Kinds that open a name scope without being a unit (lambdas, comprehensions)."""
    definitions: frozenset[str] = frozenset()
    """Statement kinds, besides ``units``, that only define what runs later (Python's
    ``decorated_definition``, Go's ``type_declaration``): reordering reads a definition as
    writing its name alone, so definitions order freely among themselves."""
    hoisted: frozenset[str] = frozenset()
    """Statement kinds the dead-code pass keeps after a ``return``: declarations the language
    hoists (a JavaScript ``function``) or that are items rather than code run in order (a Rust
    ``fn`` or ``struct`` in a function body, a local class)."""
    definition_roles: Mapping[str, Role] = field(default_factory=dict)
    """Definition kind -> the role its ``name`` field binds in the enclosing scope."""
    target_fields: Mapping[str, str] = field(default_factory=dict)
    """Kind -> the field whose names it binds (``assignment`` -> ``left``); every child in
    that field binds (C's ``int a = 1, b;`` has two ``declarator`` children)."""
    target_roles: Mapping[str, Role] = field(default_factory=dict)
    """Target kind -> the role a name it binds directly takes instead of ``LOCAL`` (C's
    prototype ``int f(void);`` binds a function, as its definition does)."""
    name_fields: tuple[str, ...] = ("name",)
    """The fields a definition's name may sit in, tried in order (C: ``declarator``)."""
    declarators: frozenset[str] = frozenset()
    """Kinds a definition's name is nested in (C's ``int *f(void)``: ``pointer_declarator``,
    then ``function_declarator``); the name is looked up through them by ``name_fields``."""
    unit_body: str = ""
    """When set, a unit kind opens a unit only when it has this field: C's ``struct S { ... }``
    defines a class, while the type ``struct S`` only names it."""
    binding_containers: frozenset[str] = frozenset()
    """Kinds whose identifier children are all bindings (``as_pattern_target``)."""
    patterns: frozenset[str] = frozenset()
    """Kinds through which binding propagates to nested identifiers (``tuple_pattern``)."""
    parameters: frozenset[str] = frozenset()
    """Kinds that hold a definition's parameters."""
    parameter_wrappers: frozenset[str] = frozenset()
    """Kinds inside a parameter list whose first identifier is the parameter name."""
    parameter_name_field: str = ""
    """When set, the field of a parameter wrapper that holds its name (C's ``declarator``,
    whose first named child is the type); every child in that field is a parameter (Go's
    ``a, b int``)."""
    nested_types_visible: bool = False
    """Whether the types a class body defines are visible unqualified in its methods (Java's
    nested ``class Node`` named from a method of the outer class), where Python's methods skip
    the class body."""
    global_declarations: frozenset[str] = frozenset()
    nonlocal_declarations: frozenset[str] = frozenset()
    attribute: str = ""
    """The member-access kind; its ``attribute`` field is the member name."""
    members: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    """More member-access kinds -> the field holding the member's name and the field holding
    what it is a member of, read like ``attribute`` (Java's ``method_invocation`` -> ``("name",
    "object")``); a node without that object is a plain use (Java's unqualified ``f(x)``).  An
    empty object field: always a member (a JavaScript object's ``pair`` -> ``("key", "")``)."""
    member_definitions: frozenset[str] = frozenset()
    """``members`` kinds that define their member rather than read it (TypeScript's
    ``property_signature`` in an interface or object type): the member is one of the file's,
    as a field assigned in a constructor is."""
    parameter_properties: frozenset[str] = frozenset()
    """Kinds of the modifiers that make a parameter a member too (TypeScript's
    ``constructor(private x: number)``: ``accessibility_modifier``, ``readonly``): the
    parameter's name is also a member of its class.  Read only with ``parameter_name_field``."""
    lone_parameters: Mapping[str, str] = field(default_factory=dict)
    """Kind -> the field holding a parameter written without a parameter list (JavaScript's
    ``x => x + 1``: ``arrow_function`` -> ``parameter``)."""
    braceless_bodies: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Control-statement kind -> the fields whose statement, written without braces, reads as
    a block of one (``if (c) return;`` as ``if (c) { return; }``); no fields: any statement
    child (JavaScript's ``else_clause``)."""
    unit_namers: Mapping[str, str] = field(default_factory=dict)
    """Kind -> the field that names a nameless unit held as its value (``const f = () => ...``:
    ``variable_declarator`` -> ``name``).  A nameless unit kind that is also a scope and has
    no such holder (a callback passed inline) is a scope only, not a unit."""
    keyword_argument: str = ""
    """The keyword-argument kind; its ``name`` field is the parameter name."""
    imports: frozenset[str] = frozenset()
    """Statements whose names always come from outside the code under comparison."""
    local_declarations: frozenset[str] = frozenset()
    """Statement kinds that declare names with a type or keyword before them (Java's ``int x =
    1;``, JavaScript's ``let x = 1``): the dead-code pass reads them as assignments, so a
    declared local never read, holding a side-effect-free value, is dropped."""
    assignment: str = ""
    """The plain assignment kind (tuple assignments of it are split into one per target)."""
    tuple_targets: frozenset[str] = frozenset()
    tuple_values: frozenset[str] = frozenset()
    expression_statement: str = ""
    """A statement that holds a bare expression (a bare string there is a docstring)."""
    strings: frozenset[str] = frozenset()
    string_interpolation: str = ""
    noops: frozenset[str] = frozenset()
    """Statements that do nothing (``pass``): they emit no token at all."""
    augmented_assignment: str = ""
    """``x += e``; emitted as the plain ``x = x + e`` (aliases map ``+=`` to ``+``)."""
    increments: Mapping[str, str] = field(default_factory=dict)
    """Kind of ``i++`` and ``--i`` -> the placeholder of an integer literal: emitted as
    ``i = i + 1``, as ``i += 1`` is (aliases map ``++`` to ``+``; the ``1`` is the operator
    token read a second time)."""
    negation: str = ""
    """The logical-not kind: ``not (a == b)`` is emitted as ``a != b``."""
    comparison: str = ""
    negated_operators: Mapping[str, str] = field(default_factory=dict)
    aliased_import: str = ""
    """``import numpy as np``: uses of ``np`` are emitted as ``numpy``."""
    module_path: str = ""
    """A dotted module path in an import (``pip._vendor.rich.console``): a first-party path,
    one whose head is a folder the file lives in, is emitted relative to that folder, so a
    vendored copy whose imports were rewritten reads like the original."""
    call: str = ""
    builtins: frozenset[str] = frozenset()
    """Names every program may use without binding or importing them (``len``, ``ValueError``):
    kept as evidence.  Any other name a file uses without binding or importing it is a
    dangling reference to code of the same project (a function copied without its helpers)
    and becomes a placeholder like the name it refers to."""
    binary_operator: str = ""
    format_method: str = ""
    """``"{}".format(x)`` and ``"%s" % x`` are emitted like the f-string ``f"{x}"``."""
    format_operator: str = ""
    pure_expressions: frozenset[str] = frozenset()
    """Expression kinds without side effects: a statement made only of them is a no-op."""
    grammar_function: str = "language"
    """The grammar module's function returning its language pointer (``language_tsx``)."""
    extra: str = ""
    """The ``codesim[...]`` extra that installs the grammar; empty when the core install has
    it."""
    dialects: Mapping[str, str] = field(default_factory=dict)
    """Extension -> the id of another language a file with that extension may be written in
    (C's ``.h`` -> ``cpp``): such a file that parses with syntax errors as this language but
    without any as the other, whose grammar is installed, is read as the other."""

    def grammar_installed(self) -> bool:
        """Whether the grammar package can be imported (looked up, not imported)."""
        return _importable(self.grammar_module)

    def missing_grammar(self) -> str:
        """What to tell a user whose grammar for this language is not installed."""
        install = f"pip install 'codesim[{self.extra}]'" if self.extra else "reinstall codesim"
        return (
            f"the {self.display_name} grammar ({self.grammar_module}) is not installed; "
            f"to compare {self.display_name} files: {install}"
        )

    def grammar(self) -> object:
        """The grammar's language pointer; ``LanguageError`` (naming the extra to install)
        when the grammar package is missing."""
        try:
            module = importlib.import_module(self.grammar_module)
        except ImportError:
            raise LanguageError(self.missing_grammar()) from None
        loader: Callable[[], object] = getattr(module, self.grammar_function)
        return loader()


@cache
def _importable(module: str) -> bool:
    # Looked up once a process: a lookup walks the import path (four find_spec calls), and
    # ``cross`` asks again for each of its submissions.
    return importlib.util.find_spec(module) is not None
