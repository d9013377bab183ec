"""C, through tree-sitter-c (``pip install 'codesim[c]'``), and C++ built from its table.

C names what it declares inside declarators: ``int *f(void)`` binds ``f`` inside a
``pointer_declarator`` inside a ``function_declarator``, so the table lists those kinds as
``declarators`` (the walk looks a definition's name up through them) and as ``patterns`` (a
declaration binds the identifier they hold).  A ``struct`` with a body is a class unit whose
fields are its members; ``struct S`` used as a type is not.
"""

from __future__ import annotations

from dataclasses import replace

from codesim.languages.base import Language
from codesim.tokens import Role, UnitKind


def _kinds(names: str) -> frozenset[str]:
    return frozenset(names.split())


C = Language(
    id="c",
    display_name="C",
    extensions=(".c", ".h"),
    shebangs=(),
    grammar_module="tree_sitter_c",
    extra="c",
    # A C++ header is often named ``.h``: one that only C++ parses is read as C++.
    dialects={".h": "cpp"},
    identifiers=_kinds(
        """
        identifier field_identifier type_identifier statement_identifier primitive_type
        """
    ),
    comments=frozenset({"comment"}),
    literals={
        "number_literal": "INT",
        "string_literal": "STR",
        "concatenated_string": "STR",
        "char_literal": "CHAR",
        "system_lib_string": "STR",
    },
    # Spelled like Python's constants: the dead-code pass reads ``False`` as a condition that
    # never holds (``if (false) {...}``).
    constants={"true": "True", "false": "False", "null": "None"},
    operators=_kinds(
        """
        + - * / % << >> & | ^ ~ ! && || == != < > <= >= ++ -- += -= *= /= %= <<= >>= &= |= ^=
        sizeof
        """
    ),
    transparent=_kinds(
        """
        translation_unit compound_statement expression_statement parenthesized_expression
        argument_list parameter_list field_declaration_list enumerator_list initializer_list
        ERROR string_content escape_sequence preproc_arg type_descriptor
        """
    ),
    aliases={
        # The symbols the canonical passes know (they were written for Python's tree).
        "assignment_expression": "assignment",
        "call_expression": "call",
        "field_expression": "attribute",
        "subscript_expression": "subscript",
        "union_specifier": "struct_specifier",
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
        while_statement do_statement switch_statement case_statement break_statement
        continue_statement goto_statement labeled_statement function_definition
        type_definition field_declaration preproc_include preproc_def preproc_function_def
        preproc_call preproc_if preproc_ifdef enum_specifier
        """
    ),
    blocks=_kinds("translation_unit compound_statement field_declaration_list"),
    units={
        "function_definition": UnitKind.FUNCTION,
        "struct_specifier": UnitKind.CLASS,
        "union_specifier": UnitKind.CLASS,
    },
    unit_body="body",
    # Types declared in a function body after its ``return`` are still declared.
    hoisted=_kinds("struct_specifier union_specifier enum_specifier type_definition"),
    definition_roles={
        "function_definition": Role.FUNC,
        "struct_specifier": Role.CLASS,
        "union_specifier": Role.CLASS,
    },
    # A prototype (``int f(void);``) names the function its definition defines.
    target_roles={"function_declarator": Role.FUNC},
    name_fields=("name", "declarator"),
    declarators=_kinds("function_declarator pointer_declarator parenthesized_declarator"),
    target_fields={
        "declaration": "declarator",
        "init_declarator": "declarator",
        "array_declarator": "declarator",
        "function_declarator": "declarator",
        "field_declaration": "declarator",
        "type_definition": "declarator",
        "assignment_expression": "left",
        "enumerator": "name",
        "preproc_def": "name",
        "preproc_function_def": "name",
    },
    patterns=_kinds("pointer_declarator parenthesized_declarator"),
    braceless_bodies={
        "if_statement": ("consequence",),
        "else_clause": (),
        "for_statement": ("body",),
        "while_statement": ("body",),
        "do_statement": ("body",),
    },
    parameters=frozenset({"parameter_list"}),
    parameter_wrappers=_kinds("parameter_declaration pointer_declarator array_declarator"),
    parameter_name_field="declarator",
    attribute="field_expression",
    # ``{.x = 1}`` names the member ``x``, as ``p.x`` does (the member is the last child).
    members={"field_designator": ("", "")},
    imports=frozenset({"preproc_include"}),
    local_declarations=frozenset({"declaration"}),
    assignment="assignment_expression",
    expression_statement="expression_statement",
    augmented_assignment="assignment_expression",
    increments={"update_expression": "INT"},
    call="call_expression",
    binary_operator="binary_expression",
    builtins=_kinds(
        # The standard library's types, macros and most used functions, kept as evidence
        # (a copy keeps its ``memcpy``); written out so normalization depends on no headers.
        """
        void char short int long float double signed unsigned bool _Bool size_t ssize_t
        ptrdiff_t intptr_t uintptr_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t
        uint64_t off_t time_t clock_t FILE va_list NULL EOF stdin stdout stderr errno
        CHAR_BIT INT_MAX INT_MIN UINT_MAX LONG_MAX LONG_MIN SIZE_MAX EXIT_SUCCESS EXIT_FAILURE
        RAND_MAX printf fprintf sprintf snprintf vprintf vfprintf vsnprintf scanf fscanf sscanf
        puts fputs putchar fputc putc getchar fgetc getc fgets fopen fclose fread fwrite fseek
        ftell rewind fflush feof ferror perror remove rename malloc calloc realloc free abort
        exit atexit atoi atol atof strtol strtoul strtod qsort bsearch abs labs rand srand
        getenv system memcpy memmove memset memcmp memchr strlen strcpy strncpy strcat strncat
        strcmp strncmp strchr strrchr strstr strtok strdup strerror isalpha isdigit isalnum
        isspace isupper islower isprint ispunct isxdigit toupper tolower sqrt pow exp log
        log10 sin cos tan atan atan2 floor ceil fabs fmod round assert time clock difftime
        va_start va_end va_arg
        """
    ),
    pure_expressions=_kinds(
        """
        binary_expression unary_expression parenthesized_expression conditional_expression
        """
    ),
)


CPP = replace(
    C,
    id="cpp",
    display_name="C++",
    extensions=(".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h++", ".ipp", ".tpp"),
    grammar_module="tree_sitter_cpp",
    extra="cpp",
    dialects={},
    identifiers=C.identifiers | {"namespace_identifier"},
    literals={**C.literals, "raw_string_literal": "STR"},
    constants={**C.constants, "this": "this", "auto": "auto"},
    operators=C.operators | _kinds("<=> co_await co_return co_yield delete new throw"),
    transparent=C.transparent
    | _kinds(
        """
        access_specifier condition_clause declaration_list raw_string_content
        raw_string_delimiter template_argument_list
        """
    ),
    # A class is a struct whose members default to private; a throw is a raise.
    aliases={
        **C.aliases,
        "class_specifier": "struct_specifier",
        "throw_statement": "raise_statement",
    },
    statements=C.statements
    | _kinds(
        """
        alias_declaration co_return_statement for_range_loop namespace_definition
        static_assert_declaration template_declaration throw_statement try_statement
        using_declaration
        """
    ),
    blocks=C.blocks | {"declaration_list"},
    units={**C.units, "class_specifier": UnitKind.CLASS},
    # Lambdas open a scope.
    scopes=C.scopes | {"lambda_expression"},
    definitions=C.definitions | {"template_declaration"},
    hoisted=C.hoisted | _kinds("alias_declaration class_specifier"),
    definition_roles={**C.definition_roles, "class_specifier": Role.CLASS},
    target_fields={**C.target_fields, "alias_declaration": "name", "for_range_loop": "declarator"},
    # A method defined outside its class (``int Shape::area()``) is named through its
    # ``qualified_identifier``; references (``const T &x``) declare like pointers.
    declarators=C.declarators | _kinds("qualified_identifier reference_declarator"),
    patterns=C.patterns | _kinds("reference_declarator structured_binding_declarator"),
    parameter_wrappers=C.parameter_wrappers
    | _kinds("optional_parameter_declaration reference_declarator variadic_parameter_declaration"),
    braceless_bodies={**C.braceless_bodies, "for_range_loop": ("body",)},
    imports=C.imports | {"using_declaration"},
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
)
"""C++, through tree-sitter-cpp (``pip install 'codesim[cpp]'``): C's table plus what C++ adds;
the standard library's names (``std``, ``vector``, ``cout``) stay as evidence."""

LANGUAGES = (C, CPP)
"""The tables this module registers (see ``codesim.languages``)."""
