"""C++, through tree-sitter-cpp (``pip install 'codesim[cpp]'``).

The table reads C++'s tree as the C table reads C's (names inside declarators, a ``struct`` or
``class`` with a body as a class unit), plus what C++ adds: methods defined in a class body are
its members, a method defined outside (``int Shape::area()``) is named through its
``qualified_identifier``, references (``const T &x``) declare like pointers, lambdas open a
scope, and the standard library's names (``std``, ``vector``, ``cout``) stay as evidence.
"""

from __future__ import annotations

from codesim.languages.base import Language
from codesim.tokens import Role, UnitKind


def _kinds(names: str) -> frozenset[str]:
    return frozenset(names.split())


CPP = Language(
    id="cpp",
    display_name="C++",
    extensions=(".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tpp"),
    shebangs=(),
    grammar_module="tree_sitter_cpp",
    extra="cpp",
    identifiers=_kinds(
        """
        identifier field_identifier type_identifier namespace_identifier statement_identifier
        primitive_type
        """
    ),
    comments=frozenset({"comment"}),
    literals={
        "number_literal": "INT",
        "string_literal": "STR",
        "raw_string_literal": "STR",
        "concatenated_string": "STR",
        "char_literal": "CHAR",
        "system_lib_string": "STR",
    },
    # Spelled like Python's constants: the dead-code pass reads ``False`` as a condition that
    # never holds (``if (false) {...}``).
    constants={"true": "True", "false": "False", "null": "None", "this": "this", "auto": "auto"},
    operators=_kinds(
        """
        + - * / % << >> & | ^ ~ ! && || == != < > <= >= <=> ++ -- += -= *= /= %= <<= >>= &=
        |= ^= sizeof new delete throw co_await co_yield co_return
        """
    ),
    transparent=_kinds(
        """
        translation_unit compound_statement expression_statement parenthesized_expression
        argument_list parameter_list field_declaration_list declaration_list enumerator_list
        initializer_list ERROR string_content escape_sequence raw_string_content
        raw_string_delimiter preproc_arg type_descriptor access_specifier
        template_argument_list condition_clause
        """
    ),
    aliases={
        # The symbols the canonical passes know (they were written for Python's tree).
        "assignment_expression": "assignment",
        "call_expression": "call",
        "field_expression": "attribute",
        "subscript_expression": "subscript",
        "class_specifier": "struct_specifier",
        "union_specifier": "struct_specifier",
        "throw_statement": "raise_statement",
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
    },
    statements=_kinds(
        """
        declaration expression_statement return_statement if_statement for_statement
        for_range_loop while_statement do_statement switch_statement case_statement
        break_statement continue_statement goto_statement labeled_statement throw_statement
        try_statement function_definition type_definition field_declaration alias_declaration
        using_declaration namespace_definition template_declaration static_assert_declaration
        preproc_include preproc_def preproc_function_def preproc_call preproc_if preproc_ifdef
        enum_specifier co_return_statement
        """
    ),
    blocks=_kinds("translation_unit compound_statement field_declaration_list declaration_list"),
    units={
        "function_definition": UnitKind.FUNCTION,
        "struct_specifier": UnitKind.CLASS,
        "class_specifier": UnitKind.CLASS,
        "union_specifier": UnitKind.CLASS,
    },
    unit_body="body",
    scopes=frozenset({"lambda_expression"}),
    # A template declaration holds the function or class it makes generic.
    definitions=frozenset({"template_declaration"}),
    # Types declared in a function body after its ``return`` are still declared.
    hoisted=_kinds(
        """
        struct_specifier class_specifier union_specifier enum_specifier type_definition
        alias_declaration
        """
    ),
    definition_roles={
        "function_definition": Role.FUNC,
        "struct_specifier": Role.CLASS,
        "class_specifier": Role.CLASS,
        "union_specifier": Role.CLASS,
    },
    # A prototype (``int f(void);``) names the function its definition defines.
    target_roles={"function_declarator": Role.FUNC},
    name_fields=("name", "declarator"),
    declarators=_kinds(
        """
        function_declarator pointer_declarator reference_declarator parenthesized_declarator
        qualified_identifier
        """
    ),
    target_fields={
        "declaration": "declarator",
        "init_declarator": "declarator",
        "array_declarator": "declarator",
        "function_declarator": "declarator",
        "field_declaration": "declarator",
        "type_definition": "declarator",
        "alias_declaration": "name",
        "for_range_loop": "declarator",
        "assignment_expression": "left",
        "enumerator": "name",
        "preproc_def": "name",
        "preproc_function_def": "name",
    },
    patterns=_kinds(
        """
        pointer_declarator reference_declarator parenthesized_declarator
        structured_binding_declarator
        """
    ),
    braceless_bodies={
        "if_statement": ("consequence",),
        "else_clause": (),
        "for_statement": ("body",),
        "for_range_loop": ("body",),
        "while_statement": ("body",),
        "do_statement": ("body",),
    },
    parameters=frozenset({"parameter_list"}),
    parameter_wrappers=_kinds(
        """
        parameter_declaration optional_parameter_declaration variadic_parameter_declaration
        pointer_declarator reference_declarator array_declarator
        """
    ),
    parameter_name_field="declarator",
    attribute="field_expression",
    # ``{.x = 1}`` names the member ``x``, as ``p.x`` does (the member is the last child).
    members={"field_designator": ("", "")},
    imports=_kinds("preproc_include using_declaration"),
    local_declarations=frozenset({"declaration"}),
    assignment="assignment_expression",
    expression_statement="expression_statement",
    augmented_assignment="assignment_expression",
    increments={"update_expression": "INT"},
    call="call_expression",
    binary_operator="binary_expression",
    builtins=_kinds(
        # The standard library's namespace, types, objects and most used functions, and C's,
        # kept as evidence (a copy keeps its ``std::sort``); written out so normalization
        # depends on no headers.
        """
        std void char short int long float double signed unsigned bool wchar_t char8_t
        char16_t char32_t size_t ssize_t ptrdiff_t intptr_t uintptr_t int8_t int16_t int32_t
        int64_t uint8_t uint16_t uint32_t uint64_t nullptr_t FILE NULL EOF errno string
        string_view wstring vector array deque list forward_list map multimap set multiset
        unordered_map unordered_multimap unordered_set unordered_multiset stack queue
        priority_queue pair tuple optional variant any function shared_ptr unique_ptr
        weak_ptr make_shared make_unique make_pair make_tuple move forward swap tie get
        begin end size empty sort stable_sort reverse find find_if count count_if accumulate
        min max min_element max_element transform copy fill unique lower_bound upper_bound
        binary_search for_each all_of any_of none_of iota distance advance next prev
        back_inserter numeric_limits cout cin cerr clog endl flush getline to_string stoi
        stol stod ostream istream iostream ostringstream istringstream stringstream
        ifstream ofstream fstream runtime_error logic_error invalid_argument out_of_range
        exception bad_alloc abs sqrt pow exp log floor ceil round printf fprintf sprintf
        snprintf puts malloc calloc realloc free memcpy memset memcmp strlen strcmp exit
        assert thread mutex lock_guard unique_lock atomic chrono
        """
    ),
    pure_expressions=_kinds(
        """
        binary_expression unary_expression parenthesized_expression conditional_expression
        """
    ),
)

LANGUAGES = (CPP,)
"""The tables this module registers (see ``codesim.languages``)."""
