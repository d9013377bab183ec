"""Go, through tree-sitter-go (``pip install 'codesim[go]'``).

A named type (``type Point struct {...}``) is a class unit whose fields are its members.
Methods are declared outside their type's body, so a method's name binds the role ``ATTR``
itself (``p.Dist()`` then reads as a member of the file, whatever the copy renamed it to).
``a, b := x, y`` binds through its ``expression_list``; ``:=`` reads like ``=``.
"""

from __future__ import annotations

from codesim.languages.base import Language
from codesim.tokens import Role, UnitKind


def _kinds(names: str) -> frozenset[str]:
    return frozenset(names.split())


GO = Language(
    id="go",
    display_name="Go",
    extensions=(".go",),
    shebangs=(),
    grammar_module="tree_sitter_go",
    extra="go",
    identifiers=_kinds("identifier field_identifier type_identifier package_identifier label_name"),
    comments=frozenset({"comment"}),
    literals={
        "int_literal": "INT",
        "float_literal": "FLOAT",
        "imaginary_literal": "FLOAT",
        "rune_literal": "CHAR",
        "interpreted_string_literal": "STR",
        "raw_string_literal": "STR",
    },
    # Spelled like Python's constants: the dead-code pass reads ``False`` as a condition that
    # never holds (``if false {...}``).
    constants={
        "true": "True",
        "false": "False",
        "nil": "None",
        "iota": "iota",
        "blank_identifier": "_",
    },
    operators=_kinds(
        """
        + - * / % << >> & | ^ &^ ! && || == != < > <= >= <- ++ -- += -= *= /= %= <<= >>= &=
        |= ^= &^= ... go defer range
        """
    ),
    transparent=_kinds(
        """
        source_file block statement_list expression_statement parenthesized_expression
        argument_list parameter_list expression_list literal_element field_declaration_list
        import_spec_list var_spec_list var_declaration ERROR escape_sequence
        interpreted_string_literal_content raw_string_literal_content
        """
    ),
    aliases={
        # The symbols the canonical passes know (they were written for Python's tree).
        "assignment_statement": "assignment",
        "short_var_declaration": "assignment",
        # ``var x = e`` declares like ``x := e``.
        "var_spec": "assignment",
        "call_expression": "call",
        "selector_expression": "attribute",
        "index_expression": "subscript",
        "function_declaration": "function_definition",
        "method_declaration": "function_definition",
        "type_declaration": "class_definition",
        # Augmented assignment and increments are emitted as the plain assignment they
        # abbreviate.
        "++": "+",
        "--": "-",
        "+=": "+",
        "-=": "-",
        "*=": "*",
        "/=": "/",
        "%=": "%",
        "<<=": "<<",
        ">>=": ">>",
        "&=": "&",
        "|=": "|",
        "^=": "^",
        "&^=": "&^",
    },
    statements=_kinds(
        """
        expression_statement short_var_declaration assignment_statement inc_statement
        dec_statement var_declaration const_declaration type_declaration return_statement
        if_statement for_statement expression_switch_statement type_switch_statement
        select_statement go_statement defer_statement break_statement continue_statement
        labeled_statement fallthrough_statement goto_statement send_statement
        function_declaration method_declaration import_declaration package_clause
        field_declaration method_elem
        """
    ),
    blocks=_kinds("source_file block field_declaration_list"),
    units={
        "function_declaration": UnitKind.FUNCTION,
        "method_declaration": UnitKind.FUNCTION,
        "type_spec": UnitKind.CLASS,
    },
    scopes=frozenset({"func_literal"}),
    # A type declaration holds its ``type_spec`` units.
    definitions=frozenset({"type_declaration"}),
    definition_roles={
        "function_declaration": Role.FUNC,
        "method_declaration": Role.ATTR,
        "type_spec": Role.CLASS,
    },
    target_fields={
        "short_var_declaration": "left",
        "assignment_statement": "left",
        "var_spec": "name",
        "const_spec": "name",
        "range_clause": "left",
        "field_declaration": "name",
        "method_elem": "name",
        "type_alias": "name",
    },
    patterns=frozenset({"expression_list"}),
    parameters=frozenset({"parameter_list"}),
    parameter_wrappers=_kinds("parameter_declaration variadic_parameter_declaration"),
    parameter_name_field="name",
    attribute="selector_expression",
    imports=frozenset({"import_declaration"}),
    assignment="assignment_statement",
    expression_statement="expression_statement",
    augmented_assignment="assignment_statement",
    increments={"inc_statement": "INT", "dec_statement": "INT"},
    call="call_expression",
    binary_operator="binary_expression",
    builtins=_kinds(
        # The predeclared identifiers of the Go specification, and the standard library's
        # most imported packages (a package is used by the last part of its import path, which
        # the import statement spells only inside a string).
        """
        any bool byte comparable complex64 complex128 error float32 float64 int int8 int16
        int32 int64 rune string uint uint8 uint16 uint32 uint64 uintptr true false iota nil
        append cap clear close complex copy delete imag len make max min new panic print
        println real recover fmt os io ioutil strings strconv errors sort math rand time sync
        atomic bufio bytes context json http url filepath path regexp unicode utf8 log flag
        reflect exec signal runtime testing heap list binary hex base64 sha256 md5 csv
        """
    ),
    pure_expressions=_kinds("binary_expression unary_expression parenthesized_expression"),
)

LANGUAGES = (GO,)
"""The tables this module registers (see ``codesim.languages``)."""
