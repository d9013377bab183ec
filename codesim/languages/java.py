"""Java, through tree-sitter-java (``pip install 'codesim[java]'``)."""

from __future__ import annotations

from codesim.languages.base import Language
from codesim.tokens import Role, UnitKind


def _kinds(names: str) -> frozenset[str]:
    return frozenset(names.split())


_TYPES = _kinds(
    """
    class_declaration interface_declaration enum_declaration record_declaration
    annotation_type_declaration
    """
)
_FUNCTIONS = _kinds("method_declaration constructor_declaration compact_constructor_declaration")

JAVA = Language(
    id="java",
    display_name="Java",
    extensions=(".java",),
    shebangs=(),
    grammar_module="tree_sitter_java",
    extra="java",
    # Type names are names too: a class renamed is renamed where it is used as a type.
    identifiers=_kinds("identifier type_identifier"),
    comments=_kinds("line_comment block_comment"),
    literals={
        "decimal_integer_literal": "INT",
        "hex_integer_literal": "INT",
        "octal_integer_literal": "INT",
        "binary_integer_literal": "INT",
        "decimal_floating_point_literal": "FLOAT",
        "hex_floating_point_literal": "FLOAT",
        "character_literal": "CHAR",
        "string_literal": "STR",
        "text_block": "STR",
    },
    # Spelled like Python's constants: the dead-code pass reads ``False`` as a condition that
    # never holds (``if (false) {...}``).
    constants={"true": "True", "false": "False", "null_literal": "None"},
    operators=_kinds(
        """
        + - * / % == != < > <= >= && || ! ~ & | ^ << >> >>> ++ --
        += -= *= /= %= &= |= ^= <<= >>= >>>= instanceof ...
        """
    ),
    transparent=_kinds(
        """
        program block class_body interface_body constructor_body enum_body_declarations
        annotation_type_body argument_list formal_parameters inferred_parameters
        parenthesized_expression expression_statement modifiers scoped_identifier
        string_fragment escape_sequence multiline_string_fragment string_interpolation ERROR
        """
    ),
    aliases={
        # Augmented assignment is emitted as the plain assignment it abbreviates.
        "+=": "+",
        "-=": "-",
        "*=": "*",
        "/=": "/",
        "%=": "%",
        "&=": "&",
        "|=": "|",
        "^=": "^",
        "<<=": "<<",
        ">>=": ">>",
        ">>>=": ">>>",
        "switch_statement": "switch_expression",
    },
    statements=_TYPES
    | _FUNCTIONS
    | _kinds(
        """
        field_declaration local_variable_declaration expression_statement if_statement
        for_statement enhanced_for_statement while_statement do_statement try_statement
        try_with_resources_statement throw_statement return_statement break_statement
        continue_statement switch_expression labeled_statement synchronized_statement
        assert_statement yield_statement import_declaration package_declaration
        explicit_constructor_invocation static_initializer local_class_declaration
        empty_statement
        """
    ),
    blocks=_kinds(
        """
        program block class_body interface_body constructor_body enum_body_declarations
        annotation_type_body
        """
    ),
    units=dict.fromkeys(_TYPES, UnitKind.CLASS)
    | dict.fromkeys(_FUNCTIONS, UnitKind.FUNCTION)
    # A lambda is a unit when a variable names it, a scope only when passed inline.
    | {"lambda_expression": UnitKind.FUNCTION},
    scopes=frozenset({"lambda_expression"}),
    # A local class declared after a ``return`` is a declaration, not unreachable code.
    hoisted=_TYPES,
    definition_roles=dict.fromkeys(_TYPES, Role.CLASS) | dict.fromkeys(_FUNCTIONS, Role.FUNC),
    target_fields={
        "variable_declarator": "name",
        "assignment_expression": "left",
        "enhanced_for_statement": "name",
        "catch_formal_parameter": "name",
        "resource": "name",
    },
    parameters=_kinds("formal_parameters inferred_parameters"),
    parameter_wrappers=frozenset({"formal_parameter"}),
    parameter_name_field="name",
    attribute="field_access",
    members={"method_invocation": ("name", "object")},
    lone_parameters={"lambda_expression": "parameters"},
    braceless_bodies={
        "if_statement": ("consequence", "alternative"),
        "for_statement": ("body",),
        "enhanced_for_statement": ("body",),
        "while_statement": ("body",),
        "do_statement": ("body",),
        "labeled_statement": (),
    },
    unit_namers={"variable_declarator": "name"},
    imports=_kinds("import_declaration package_declaration"),
    local_declarations=frozenset({"local_variable_declaration"}),
    nested_types_visible=True,
    assignment="assignment_expression",
    # One kind holds ``x = e`` and ``x += e`` alike; the walk tells them by the operator.
    augmented_assignment="assignment_expression",
    expression_statement="expression_statement",
    strings=_kinds("string_literal text_block"),
    noops=frozenset({"empty_statement"}),
    call="method_invocation",
    builtins=_kinds(
        # java.lang's public types (imported implicitly), written out so that normalization
        # does not depend on any JDK, and ``var``, which the grammar reads as a type name.
        """
        Object String Class Enum Record Void Boolean Byte Character Short Integer Long Float
        Double Number Math StrictMath System Runtime Thread ThreadLocal Runnable Iterable
        Comparable CharSequence StringBuilder StringBuffer Process ProcessBuilder
        AutoCloseable Cloneable Appendable Readable Throwable Exception Error
        RuntimeException ArithmeticException ArrayIndexOutOfBoundsException
        ArrayStoreException ClassCastException ClassNotFoundException
        CloneNotSupportedException IllegalArgumentException IllegalMonitorStateException
        IllegalStateException IndexOutOfBoundsException InterruptedException
        NegativeArraySizeException NullPointerException NumberFormatException
        SecurityException StringIndexOutOfBoundsException UnsupportedOperationException
        AssertionError OutOfMemoryError StackOverflowError LinkageError
        ReflectiveOperationException Override Deprecated SuppressWarnings
        FunctionalInterface SafeVarargs var
        """
    ),
    binary_operator="binary_expression",
    pure_expressions=_kinds("binary_expression parenthesized_expression ternary_expression"),
)

LANGUAGES = (JAVA,)
"""The tables this module registers (see ``codesim.languages``)."""
