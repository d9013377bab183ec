"""Python, through tree-sitter-python."""

from __future__ import annotations

from codesim.languages.base import Language
from codesim.tokens import Role, UnitKind


def _kinds(names: str) -> frozenset[str]:
    return frozenset(names.split())


PYTHON = Language(
    id="python",
    display_name="Python",
    extensions=(".py", ".pyi", ".pyw"),
    shebangs=("python", "python3", "python2", "pypy", "pypy3"),
    grammar_module="tree_sitter_python",
    identifiers=frozenset({"identifier"}),
    comments=frozenset({"comment", "line_continuation"}),
    literals={
        "integer": "INT",
        "float": "FLOAT",
        "string": "STR",
        "concatenated_string": "STR",
    },
    constants={"true": "True", "false": "False", "none": "None", "ellipsis": "..."},
    operators=_kinds(
        """
        + - * / // % ** @ << >> & | ^ ~ == != <> < > <= >= in is and or not
        += -= *= /= //= %= **= @= <<= >>= &= |= ^= async
        """
    )
    | {"not in", "is not"},
    transparent=_kinds(
        """
        module block expression_statement parenthesized_expression argument_list
        parameters lambda_parameters type as_pattern_target with_clause with_item
        decorated_definition interpolation format_specifier type_conversion
        keyword_separator positional_separator ERROR dotted_name import_prefix
        relative_import string_start string_content string_end escape_sequence
        escape_interpolation
        """
    ),
    aliases={
        "expression_list": "tuple",
        "pattern_list": "tuple",
        "tuple_pattern": "tuple",
        "list_pattern": "list",
        "default_parameter": "parameter",
        "typed_parameter": "parameter",
        "typed_default_parameter": "parameter",
        # Augmented assignment is emitted as the plain assignment it abbreviates.
        "+=": "+",
        "-=": "-",
        "*=": "*",
        "/=": "/",
        "//=": "//",
        "%=": "%",
        "**=": "**",
        "@=": "@",
        "<<=": "<<",
        ">>=": ">>",
        "&=": "&",
        "|=": "|",
        "^=": "^",
    },
    statements=_kinds(
        """
        expression_statement return_statement pass_statement break_statement
        continue_statement raise_statement assert_statement delete_statement
        global_statement nonlocal_statement import_statement import_from_statement
        future_import_statement print_statement exec_statement type_alias_statement
        if_statement for_statement while_statement try_statement with_statement
        match_statement function_definition class_definition decorated_definition
        """
    ),
    blocks=frozenset({"block", "module"}),
    units={"function_definition": UnitKind.FUNCTION, "class_definition": UnitKind.CLASS},
    definitions=frozenset({"decorated_definition"}),
    scopes=_kinds(
        """
        lambda list_comprehension set_comprehension dictionary_comprehension
        generator_expression
        """
    ),
    definition_roles={"function_definition": Role.FUNC, "class_definition": Role.CLASS},
    target_fields={
        "assignment": "left",
        "augmented_assignment": "left",
        "for_statement": "left",
        "for_in_clause": "left",
        "named_expression": "name",
    },
    binding_containers=frozenset({"as_pattern_target"}),
    patterns=_kinds(
        """
        pattern_list tuple_pattern list_pattern list_splat_pattern tuple list
        parenthesized_expression expression_list list_splat
        """
    ),
    parameters=frozenset({"parameters", "lambda_parameters"}),
    parameter_wrappers=_kinds(
        """
        default_parameter typed_parameter typed_default_parameter list_splat_pattern
        dictionary_splat_pattern
        """
    ),
    global_declarations=frozenset({"global_statement"}),
    nonlocal_declarations=frozenset({"nonlocal_statement"}),
    attribute="attribute",
    keyword_argument="keyword_argument",
    imports=frozenset({"import_statement", "import_from_statement", "future_import_statement"}),
    assignment="assignment",
    tuple_targets=frozenset({"pattern_list", "tuple_pattern", "list_pattern"}),
    tuple_values=frozenset({"expression_list", "tuple", "list"}),
    expression_statement="expression_statement",
    strings=frozenset({"string", "concatenated_string"}),
    string_interpolation="interpolation",
    noops=frozenset({"pass_statement"}),
    augmented_assignment="augmented_assignment",
    negation="not_operator",
    comparison="comparison_operator",
    negated_operators={
        "==": "!=",
        "!=": "==",
        "<": ">=",
        ">=": "<",
        ">": "<=",
        "<=": ">",
        "in": "not in",
        "not in": "in",
        "is": "is not",
        "is not": "is",
    },
    aliased_import="aliased_import",
    module_path="dotted_name",
    call="call",
    builtins=_kinds(
        # The public names of Python 3.11's builtins module, the names later versions add, the
        # module-level dunders, and Python 2's builtins (old code is compared too).  Written
        # out rather than read from the running interpreter: an index built under one Python
        # version must normalize like a query run under another.
        """
        ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup
        BlockingIOError BrokenPipeError BufferError BytesWarning ChildProcessError
        ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError
        DeprecationWarning EOFError Ellipsis EncodingWarning EnvironmentError Exception
        ExceptionGroup False FileExistsError FileNotFoundError FloatingPointError FutureWarning
        GeneratorExit IOError ImportError ImportWarning IndentationError IndexError
        InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError MemoryError
        ModuleNotFoundError NameError None NotADirectoryError NotImplemented NotImplementedError
        OSError OverflowError PendingDeprecationWarning PermissionError ProcessLookupError
        PythonFinalizationError RecursionError ReferenceError ResourceWarning RuntimeError
        RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError
        SystemExit TabError TimeoutError True TypeError UnboundLocalError UnicodeDecodeError
        UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning
        ValueError Warning ZeroDivisionError abs aiter all anext any ascii bin bool breakpoint
        bytearray bytes callable chr classmethod compile complex copyright credits delattr dict
        dir divmod enumerate eval exec exit filter float format frozenset getattr globals
        hasattr hash help hex id input int isinstance issubclass iter len license list locals
        map max memoryview min next object oct open ord pow print property quit range repr
        reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip
        __name__ __file__ __doc__ __spec__ __loader__ __package__ __builtins__ __debug__
        __path__ __cached__ __annotations__ __dict__ __import__ __build_class__ __class__
        WindowsError basestring buffer cmp coerce execfile file intern long raw_input reduce
        reload unichr unicode xrange apply
        """
    ),
    binary_operator="binary_operator",
    format_method="format",
    format_operator="%",
    pure_expressions=_kinds(
        """
        tuple expression_list list set dictionary pair binary_operator unary_operator
        comparison_operator boolean_operator not_operator parenthesized_expression
        conditional_expression
        """
    ),
)

LANGUAGES = (PYTHON,)
"""The tables this module registers (see ``codesim.languages``)."""
