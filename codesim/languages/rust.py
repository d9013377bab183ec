"""Rust, through tree-sitter-rust (``pip install 'codesim[rust]'``).

Structs, enums, traits and ``impl`` blocks are class units (an ``impl`` is named by the type it
implements), so a method defined in an ``impl`` is a member like a struct's field.  ``let``,
``for`` and ``if let`` bind through their patterns; a pattern naming an enum variant
(``Some(x)``) keeps the variant as evidence.  Rust's expression forms (``if``, ``while``,
``return``) read as the statements the canonical passes know.
"""

from __future__ import annotations

from codesim.languages.base import Language
from codesim.tokens import Role, UnitKind


def _kinds(names: str) -> frozenset[str]:
    return frozenset(names.split())


RUST = Language(
    id="rust",
    display_name="Rust",
    extensions=(".rs",),
    shebangs=(),
    grammar_module="tree_sitter_rust",
    extra="rust",
    identifiers=_kinds(
        "identifier field_identifier type_identifier shorthand_field_identifier primitive_type"
    ),
    comments=_kinds("line_comment block_comment"),
    literals={
        "integer_literal": "INT",
        "float_literal": "FLOAT",
        "string_literal": "STR",
        "raw_string_literal": "STR",
        "char_literal": "CHAR",
    },
    constants={"self": "self", "crate": "crate", "super": "super"},
    operators=_kinds(
        """
        + - * / % << >> & | ^ ! && || == != < > <= >= += -= *= /= %= <<= >>= &= |= ^= .. ..=
        ? as true false
        """
    ),
    transparent=_kinds(
        """
        source_file block declaration_list field_declaration_list expression_statement
        parenthesized_expression arguments parameters closure_parameters token_tree
        boolean_literal enum_variant_list field_initializer_list ERROR string_content
        escape_sequence
        """
    ),
    aliases={
        # The symbols the canonical passes know (they were written for Python's tree).
        "assignment_expression": "assignment",
        "call_expression": "call",
        "field_expression": "attribute",
        "index_expression": "subscript",
        "function_item": "function_definition",
        "if_expression": "if_statement",
        "while_expression": "while_statement",
        "for_expression": "for_statement",
        "return_expression": "return_statement",
        "break_expression": "break_statement",
        "continue_expression": "continue_statement",
        "true": "True",
        "false": "False",
        # Augmented assignment is emitted as the plain assignment it abbreviates.
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
        expression_statement let_declaration function_item function_signature_item struct_item
        enum_item union_item trait_item impl_item mod_item use_declaration const_item
        static_item type_item macro_definition extern_crate_declaration attribute_item
        inner_attribute_item field_declaration enum_variant
        """
    ),
    blocks=_kinds("source_file block declaration_list field_declaration_list"),
    units={
        "function_item": UnitKind.FUNCTION,
        "struct_item": UnitKind.CLASS,
        "enum_item": UnitKind.CLASS,
        "union_item": UnitKind.CLASS,
        "trait_item": UnitKind.CLASS,
        "impl_item": UnitKind.CLASS,
        "mod_item": UnitKind.CLASS,
    },
    scopes=frozenset({"closure_expression"}),
    # Items in a block are visible in the whole block: a ``fn`` after ``return`` is reachable.
    # (``macro_rules!`` is not an item in that sense: its scope starts where it is written.)
    hoisted=_kinds(
        """
        function_item function_signature_item struct_item enum_item union_item trait_item
        impl_item mod_item use_declaration const_item static_item type_item
        extern_crate_declaration attribute_item
        """
    ),
    definition_roles={
        "function_item": Role.FUNC,
        "struct_item": Role.CLASS,
        "enum_item": Role.CLASS,
        "union_item": Role.CLASS,
        "trait_item": Role.CLASS,
        "impl_item": Role.CLASS,
        "mod_item": Role.CLASS,
    },
    # An ``impl`` has no name of its own: it is named by its type (``impl<T> Stack<T>``).
    name_fields=("name", "type"),
    declarators=_kinds("generic_type scoped_type_identifier"),
    target_fields={
        "let_declaration": "pattern",
        "let_condition": "pattern",
        "for_expression": "pattern",
        "assignment_expression": "left",
        "compound_assignment_expr": "left",
        "field_declaration": "name",
        "function_signature_item": "name",
        "enum_variant": "name",
        "const_item": "name",
        "static_item": "name",
        "type_item": "name",
    },
    patterns=_kinds("tuple_pattern mut_pattern ref_pattern reference_pattern slice_pattern"),
    parameters=_kinds("parameters closure_parameters"),
    parameter_wrappers=frozenset({"parameter"}),
    parameter_name_field="pattern",
    attribute="field_expression",
    # A struct literal's ``Point { x: 1 }`` names the member ``x``, as ``p.x`` does, and a
    # path's last segment is a member of what precedes it (``Self::new``, ``Shape::Circle``).
    members={"field_initializer": ("field", ""), "scoped_identifier": ("name", "path")},
    imports=_kinds("use_declaration extern_crate_declaration"),
    local_declarations=frozenset({"let_declaration"}),
    assignment="assignment_expression",
    expression_statement="expression_statement",
    augmented_assignment="compound_assignment_expr",
    call="call_expression",
    binary_operator="binary_expression",
    builtins=_kinds(
        # The primitive types, the standard prelude, the standard macros and derivable traits,
        # and the most used standard modules and types: evidence a copy keeps.  Method and
        # associated function names (``new``, ``len``) are left out: a program defines its own.
        """
        bool char str i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize f32 f64 Self
        String Vec Option Some None Result Ok Err Box Rc Arc RefCell Cell Mutex RwLock
        HashMap HashSet BTreeMap BTreeSet VecDeque BinaryHeap Ordering Iterator IntoIterator
        DoubleEndedIterator ExactSizeIterator Extend FromIterator Display Debug Clone Copy
        PartialEq Eq PartialOrd Ord Hash Hasher Default Drop From Into TryFrom TryInto
        AsRef AsMut ToString ToOwned Borrow Fn FnMut FnOnce Send Sync Sized Unpin Error
        Read Write BufRead BufReader BufWriter Path PathBuf File Duration Instant std core
        alloc collections fmt io fs mem cmp iter ops env process thread sync time path
        println print eprintln eprint format write writeln vec panic assert assert_eq
        assert_ne debug_assert debug_assert_eq unreachable unimplemented todo matches dbg
        derive cfg test allow deny warn inline must_use
        """
    ),
    pure_expressions=_kinds(
        """
        binary_expression unary_expression parenthesized_expression tuple_expression
        array_expression
        """
    ),
)

LANGUAGES = (RUST,)
"""The tables this module registers (see ``codesim.languages``)."""
