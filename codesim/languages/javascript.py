"""JavaScript (and JSX), through tree-sitter-javascript (``pip install 'codesim[javascript]'``),
and TypeScript and TSX, through tree-sitter-typescript (``pip install 'codesim[typescript]'``):
one module, so that TypeScript's table is JavaScript's plus what TypeScript adds."""

from __future__ import annotations

from dataclasses import replace

from codesim.languages.base import Language
from codesim.tokens import Role, UnitKind


def _kinds(names: str) -> frozenset[str]:
    return frozenset(names.split())


JAVASCRIPT = Language(
    id="javascript",
    display_name="JavaScript",
    extensions=(".js", ".mjs", ".cjs", ".jsx"),
    shebangs=("node", "nodejs"),
    grammar_module="tree_sitter_javascript",
    extra="javascript",
    identifiers=_kinds(
        """
        identifier property_identifier shorthand_property_identifier
        shorthand_property_identifier_pattern private_property_identifier statement_identifier
        """
    ),
    comments=_kinds("comment html_comment hash_bang_line"),
    literals={
        "number": "NUM",
        "string": "STR",
        "template_string": "STR",
        "regex": "REGEX",
    },
    # Spelled like Python's constants: the dead-code pass reads ``False`` and ``None`` as a
    # condition that never holds (``if (false) {...}``).
    constants={"true": "True", "false": "False", "null": "None", "undefined": "undefined"},
    operators=_kinds(
        """
        + - * / % ** == != === !== < > <= >= && || ?? & | ^ ~ << >> >>> ! ++ --
        += -= *= /= %= **= &&= ||= ??= &= |= ^= <<= >>= >>>= typeof instanceof in void
        delete async await yield ... of
        """
    ),
    transparent=_kinds(
        """
        program statement_block expression_statement parenthesized_expression arguments
        formal_parameters class_body template_substitution string_fragment escape_sequence
        regex_pattern regex_flags ERROR import_clause named_imports export_clause
        class_heritage switch_body
        """
    ),
    aliases={
        # ``var``, ``let`` and ``const`` declare alike as far as copying goes.
        "variable_declaration": "lexical_declaration",
        "generator_function_declaration": "function_declaration",
        "generator_function": "function_expression",
        # Augmented assignment is emitted as the plain assignment it abbreviates.
        "+=": "+",
        "-=": "-",
        "*=": "*",
        "/=": "/",
        "%=": "%",
        "**=": "**",
        "&&=": "&&",
        "||=": "||",
        "??=": "??",
        "&=": "&",
        "|=": "|",
        "^=": "^",
        "<<=": "<<",
        ">>=": ">>",
        ">>>=": ">>>",
    },
    statements=_kinds(
        """
        expression_statement lexical_declaration variable_declaration return_statement
        if_statement for_statement for_in_statement while_statement do_statement
        try_statement throw_statement break_statement continue_statement switch_statement
        function_declaration generator_function_declaration class_declaration
        import_statement export_statement empty_statement labeled_statement
        debugger_statement with_statement method_definition field_definition
        class_static_block using_declaration
        """
    ),
    blocks=_kinds("program statement_block class_body"),
    units={
        "function_declaration": UnitKind.FUNCTION,
        "generator_function_declaration": UnitKind.FUNCTION,
        "method_definition": UnitKind.FUNCTION,
        "class_declaration": UnitKind.CLASS,
        # Function values are units when something names them (``const f = () => ...``) and
        # scopes only otherwise (callbacks).
        "arrow_function": UnitKind.FUNCTION,
        "function_expression": UnitKind.FUNCTION,
        "generator_function": UnitKind.FUNCTION,
        "class": UnitKind.CLASS,
    },
    scopes=_kinds("arrow_function function_expression generator_function class"),
    # Function declarations are hoisted: one written after a ``return`` is reachable.
    hoisted=_kinds("function_declaration generator_function_declaration"),
    definition_roles={
        "function_declaration": Role.FUNC,
        "generator_function_declaration": Role.FUNC,
        "method_definition": Role.FUNC,
        "class_declaration": Role.CLASS,
    },
    target_fields={
        "variable_declarator": "name",
        "assignment_expression": "left",
        "augmented_assignment_expression": "left",
        "for_in_statement": "left",
        "field_definition": "property",
        "catch_clause": "parameter",
    },
    patterns=_kinds(
        """
        array_pattern object_pattern pair_pattern assignment_pattern rest_pattern
        object_assignment_pattern
        """
    ),
    parameters=frozenset({"formal_parameters"}),
    parameter_wrappers=_kinds("assignment_pattern rest_pattern"),
    attribute="member_expression",
    # An object literal's keys are member names, as ``obj.key`` spells them.
    members={"pair": ("key", "")},
    lone_parameters={"arrow_function": "parameter"},
    braceless_bodies={
        "if_statement": ("consequence",),
        "else_clause": (),
        "for_statement": ("body",),
        "for_in_statement": ("body",),
        "while_statement": ("body",),
        "do_statement": ("body",),
        "with_statement": ("body",),
        "labeled_statement": ("body",),
    },
    unit_namers={
        "variable_declarator": "name",
        "assignment_expression": "left",
        "pair": "key",
        "field_definition": "property",
    },
    imports=frozenset({"import_statement"}),
    local_declarations=_kinds("lexical_declaration variable_declaration"),
    assignment="assignment_expression",
    expression_statement="expression_statement",
    # A JSX attribute names a property of the element, as a keyword argument names a
    # parameter: ``className`` stays itself, and a prop of a component defined in the file
    # reads as its parameter.
    keyword_argument="jsx_attribute",
    strings=frozenset({"string", "template_string"}),
    string_interpolation="template_substitution",
    noops=frozenset({"empty_statement"}),
    augmented_assignment="augmented_assignment_expression",
    call="call_expression",
    builtins=_kinds(
        # The global objects and functions of ECMAScript and of its two common hosts (browsers
        # and Node.js), written out so that normalization does not depend on any runtime.
        """
        globalThis Infinity NaN undefined eval isFinite isNaN parseFloat parseInt decodeURI
        decodeURIComponent encodeURI encodeURIComponent escape unescape Object Function
        Boolean Symbol Error AggregateError EvalError RangeError ReferenceError SyntaxError
        TypeError URIError Number BigInt Math Date String RegExp Array Int8Array Uint8Array
        Uint8ClampedArray Int16Array Uint16Array Int32Array Uint32Array Float32Array
        Float64Array BigInt64Array BigUint64Array Map Set WeakMap WeakSet WeakRef
        FinalizationRegistry ArrayBuffer SharedArrayBuffer DataView Atomics JSON Promise
        Reflect Proxy Intl arguments require module exports __dirname __filename process
        console Buffer setTimeout clearTimeout setInterval clearInterval setImmediate
        clearImmediate queueMicrotask structuredClone fetch window document navigator
        globalThis self URL URLSearchParams TextEncoder TextDecoder AbortController Event
        EventTarget
        """
    ),
    binary_operator="binary_expression",
    pure_expressions=_kinds(
        """
        binary_expression parenthesized_expression array object pair ternary_expression
        """
    ),
)


def _typescript(
    language_id: str, display_name: str, extensions: tuple[str, ...], grammar_function: str
) -> Language:
    """TypeScript's table: JavaScript's plus its declarations and parameters.  Type
    annotations stay in the stream (a copy keeps its types), with user-defined type names as
    placeholders like any other name."""
    js = JAVASCRIPT
    return replace(
        js,
        id=language_id,
        display_name=display_name,
        extensions=extensions,
        shebangs=("ts-node", "tsx", "deno", "bun") if language_id == "typescript" else (),
        grammar_module="tree_sitter_typescript",
        grammar_function=grammar_function,
        extra="typescript",
        identifiers=js.identifiers | {"type_identifier"},
        literals={**js.literals, "jsx_text": "STR"},
        transparent=js.transparent
        | _kinds(
            """
            accessibility_modifier override_modifier required_parameter type_annotation
            enum_body interface_body
            """
        ),
        # TypeScript's grammar names a class field ``public_field_definition`` and has no
        # ``using`` declaration.
        statements=js.statements - {"field_definition", "using_declaration"}
        | _kinds(
            """
            public_field_definition interface_declaration type_alias_declaration
            enum_declaration abstract_class_declaration ambient_declaration function_signature
            method_signature abstract_method_signature property_signature
            """
        ),
        blocks=js.blocks | {"interface_body"},
        units={
            **js.units,
            "abstract_class_declaration": UnitKind.CLASS,
            "interface_declaration": UnitKind.CLASS,
            "enum_declaration": UnitKind.CLASS,
        },
        # Types are declarations, not statements that run: one after a ``return`` is kept.
        hoisted=js.hoisted
        | _kinds("function_signature interface_declaration type_alias_declaration"),
        definition_roles={
            **js.definition_roles,
            "abstract_class_declaration": Role.CLASS,
            "interface_declaration": Role.CLASS,
            "enum_declaration": Role.CLASS,
        },
        target_fields={
            **{k: v for k, v in js.target_fields.items() if k != "field_definition"},
            "public_field_definition": "name",
            "type_alias_declaration": "name",
        },
        # ``(x) => x`` wraps ``x`` in a ``required_parameter`` whose ``pattern`` is the name.
        parameter_wrappers=js.parameter_wrappers - {"assignment_pattern", "rest_pattern"}
        | {"required_parameter", "optional_parameter"},
        parameter_name_field="pattern",
        # Names a type declares are members of the file, read where values of the type are used.
        members={
            **js.members,
            "property_signature": ("name", ""),
            "method_signature": ("name", ""),
            "abstract_method_signature": ("name", ""),
        },
        member_definitions=js.member_definitions
        | _kinds("property_signature method_signature abstract_method_signature"),
        # ``constructor(private x)`` declares a member ``x`` too.
        parameter_properties=js.parameter_properties
        | _kinds("accessibility_modifier override_modifier readonly"),
        unit_namers={
            **{k: v for k, v in js.unit_namers.items() if k != "field_definition"},
            "public_field_definition": "name",
        },
        builtins=js.builtins
        | _kinds(
            """
            Partial Required Readonly Record Pick Omit Exclude Extract NonNullable ReturnType
            Parameters InstanceType Awaited ReadonlyArray Iterable Iterator AsyncIterable
            PromiseLike ArrayLike PropertyKey React JSX
            """
        ),
    )


TYPESCRIPT = _typescript("typescript", "TypeScript", (".ts", ".mts", ".cts"), "language_typescript")
"""The two grammars of tree-sitter-typescript differ only in JSX (and in the ``<T>x`` cast,
which JSX takes for a tag), so TypeScript and TSX share one table."""
TSX = _typescript("tsx", "TSX", (".tsx",), "language_tsx")

LANGUAGES = (JAVASCRIPT, TYPESCRIPT, TSX)
"""The tables this module registers (see ``codesim.languages``)."""
