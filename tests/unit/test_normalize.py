"""The normalizer: what a copier changes cheaply vanishes, what they cannot change stays."""

from __future__ import annotations

import textwrap

from codesim.languages import get_language
from codesim.normalize import normalize
from codesim.tokens import TokenStream
from codesim.units import fold_small_units

PYTHON = get_language("python")


def norm(source: str) -> TokenStream:
    return normalize(textwrap.dedent(source).encode(), PYTHON)


def symbols(source: str) -> list[str]:
    return norm(source).symbols


ORIGINAL = """
    import numpy as np

    class Resampler:
        '''Resample images.'''

        def __init__(self, max_h, max_w):
            self.max_h = max_h  # tallest tile
            self.max_w = max_w

        def forward(self, image):
            scale = np.max(image) + 1e-6
            return np.einsum("hw,d->hwd", image / scale, self.max_h)
"""

RENAMED_REFORMATTED = """
    import numpy as np
    class Projection:
        def __init__(self,
                     h_max,   max_w):
            # a different comment
            self.h_max = h_max
            self.w_max = max_w
        def forward(self, img):
            '''A new docstring.'''
            factor = (np.max(img) + 1e-6)
            return np.einsum('hw,d->hwd', img / factor, self.h_max)
"""


def test_renaming_reformatting_and_comments_leave_the_stream_unchanged() -> None:
    assert symbols(ORIGINAL) == symbols(RENAMED_REFORMATTED)


def test_names_from_outside_stay_as_evidence() -> None:
    stream = symbols(ORIGINAL)
    for kept in ("numpy", "max", "einsum"):
        assert kept in stream
    for renamed in ("Resampler", "max_h", "scale", "image"):
        assert renamed not in stream


def test_bound_names_become_their_role() -> None:
    stream = norm(ORIGINAL)
    roles = {text: sym for sym, text in zip(stream.symbols, stream.texts, strict=True) if text}
    assert roles["Resampler"] == "CLASS"
    assert roles["forward"] == "FUNC"
    assert roles["image"] == "PARAM"
    assert roles["scale"] == "LOCAL"
    assert roles["max_h"] in {"PARAM", "ATTR"}
    assert "ATTR" in stream.symbols


def test_builtins_and_imported_names_are_kept() -> None:
    source = "from os import path\ndef f(x):\n    return len(x) + path.sep\n"
    out = symbols(source)
    start = out.index("call")
    assert out[start : start + 7] == ["call", "len", "PARAM", "+", "attribute", "path", "sep"]


def test_a_dangling_reference_becomes_the_placeholder_of_what_it_refers_to() -> None:
    # A function pasted without the class, helper and constant it uses: they are bound in
    # the original, so in the copy they become the placeholders they are there.
    original = """
        LIMIT = 3
        class Zone:
            pass
        def load():
            return None
        def get(name):
            if len(name) > LIMIT:
                raise Error(name)
            return Zone(load())
        class Error(Exception):
            pass
    """
    pasted = """
        def get(name):
            if len(name) > LIMIT:
                raise Error(name)
            return Zone(load())
    """
    get = symbols(original)
    start = get.index("function_definition", get.index("FUNC") + 1)
    tail = get[start : start + len(symbols(pasted))]
    assert symbols(pasted) == tail
    assert "Zone" not in symbols(pasted) and "LIMIT" not in symbols(pasted)


def _without_first_line(source: str) -> list[str]:
    """The symbols of ``source`` minus those of its first line, in canonical order."""
    stream = norm(source)
    first = source.index("\n")
    return [s for s, b in zip(stream.symbols, stream.start_bytes, strict=True) if b > first]


def test_names_from_a_wildcard_import_read_as_in_code_pasted_without_it() -> None:
    body = "def draw(size):\n    pen = Turtle()\n    pen.forward(size)\n    done()\n"
    assert _without_first_line("from turtle import *\n" + body) == symbols(body)


def test_a_copy_missing_its_imports_keeps_the_statement_order_of_the_original() -> None:
    body = """\
        class Lexer:
            def __init__(self, text):
                self.pending = deque()
                self.chars = {}
    """
    original = _without_first_line("from collections import deque\n" + textwrap.dedent(body))
    pasted = symbols(body)
    assert [(a, b) for a, b in zip(original, pasted, strict=True) if a != b] == [("deque", "FUNC")]


def test_aliasing_an_import_does_not_change_the_order_of_statements() -> None:
    body = """\
        SEPARATOR = "\\n"


        class Breaks(Base):
            def extend(self, md):
                tag = Processor(SEPARATOR, "br")
                md.patterns.register(tag, "nl", 5)
    """
    plain = "from . import Base\nfrom .patterns import Processor\n" + textwrap.dedent(body)
    aliased = plain.replace("Base\n", "Base as _b\n").replace("Processor\n", "Processor as _p\n")
    aliased = aliased.replace("(Base)", "(_b)").replace("Processor(", "_p(")
    assert symbols(aliased) == symbols(plain)


def in_file(source: str, path: str) -> list[str]:
    return normalize(textwrap.dedent(source).encode(), PYTHON, path).symbols


def test_a_vendored_copy_whose_imports_name_its_new_home_reads_like_the_original() -> None:
    original = """\
        from rich.segment import Segment
        from urllib3.util import retry
        import rich.console as con
        con.render(Segment(retry))
    """
    vendored = original.replace("rich.", "pip._vendor.rich.").replace(
        "urllib3.", "pip._vendor.urllib3."
    )
    assert in_file(vendored, "src/pip/_vendor/rich/markdown.py") == in_file(
        original, "rich/markdown.py"
    )
    # Relative imports are the same form.
    relative = original.replace("from rich.segment", "from .segment")
    assert in_file(relative, "rich/markdown.py") == in_file(original, "rich/markdown.py")


def test_only_imports_of_the_files_own_folders_are_first_party() -> None:
    source = "from rich.segment import Segment\nimport json.decoder\n"
    assert "rich" in in_file(source, "tools/report.py")
    assert "json" in in_file(source, "app/rich/report.py")
    assert "rich" not in in_file(source, "app/rich/report.py")
    # An import of the file's own package keeps its last part.
    assert "rich" in in_file("import pip._vendor.rich\n", "pip/_vendor/rich/x.py")


def test_literals_become_typed_placeholders_with_values_on_the_side() -> None:
    stream = norm('x = 3\ny = 2.5\nz = "hw,d->hwd"\nw = None\n')
    literals = sorted(s for s in stream.symbols if s in {"INT", "FLOAT", "STR", "None"})
    assert literals == ["FLOAT", "INT", "None", "STR"]
    assert "hw,d->hwd" in stream.texts and "3" in stream.texts


def test_tuple_assignment_and_separate_assignments_are_one_form() -> None:
    merged = "def f(p, q):\n    a, b = p + 1, q * 2\n    return a - b\n"
    separate = "def f(p, q):\n    a = p + 1\n    b = q * 2\n    return a - b\n"
    assert symbols(merged) == symbols(separate)


def test_a_swap_is_not_split_because_that_would_change_its_meaning() -> None:
    swap = "def f(a, b):\n    a, b = b, a\n    return a\n"
    split = "def f(a, b):\n    a = b\n    b = a\n    return a\n"
    assert symbols(swap) != symbols(split)


def test_attribute_tuple_targets_split_too() -> None:
    merged = "class C:\n    def f(self, x, y):\n        self.a, self.b = x, y\n"
    separate = "class C:\n    def f(self, x, y):\n        self.a = x\n        self.b = y\n"
    assert symbols(merged) == symbols(separate)


def test_identifier_tokens_point_at_their_exact_source_text() -> None:
    source = textwrap.dedent(ORIGINAL).encode()
    stream = normalize(source, PYTHON)
    for text, start, end, number in zip(
        stream.texts, stream.start_bytes, stream.end_bytes, stream.numbers, strict=True
    ):
        if number >= 0:
            assert source[start:end].decode() == text


def test_placeholders_are_numbered_by_first_use_within_their_scope() -> None:
    stream = norm("def f(a, b):\n    c = b\n    return a + c\n")
    numbered = [(t, n) for t, n in zip(stream.texts, stream.numbers, strict=True) if n >= 0]
    assert numbered == [("f", 0), ("a", 0), ("b", 1), ("c", 2), ("b", 1), ("a", 0), ("c", 2)]


def test_deeply_nested_code_does_not_hit_the_recursion_limit() -> None:
    depth = 5000
    source = "x = " + "(" * depth + "1" + ")" * depth + "\n"
    nested_ifs = "".join("    " * i + "if x:\n" for i in range(400)) + "    " * 400 + "y = 1\n"
    assert norm(source).symbols[:2] == ["assignment", "LOCAL"]
    assert "if_statement" in norm(nested_ifs).symbols
    # C blocks inside blocks are statements opening with a block: the passes look through
    # them for the first token.
    braces = "void f() {" + "{" * 3000 + "x = 1;" + "}" * 3000 + "}\n"
    assert normalize(braces.encode(), get_language("c")).symbols


def test_syntax_errors_still_yield_tokens_and_are_measured() -> None:
    stream = norm("def ok(a):\n    return a + 1\n\ndef broken(:\n    x = = 2\n")
    assert stream.error_bytes > 0
    assert "FUNC" in stream.symbols


def test_every_token_has_exactly_one_innermost_unit() -> None:
    stream = norm(ORIGINAL)
    names = [stream.units[o].name for o in stream.owners]
    assert len(names) == len(stream)
    assert names.count("Resampler.forward") > 10
    assert sum(u.tokens for u in stream.units) == len(stream)


def test_small_units_fold_into_their_parent() -> None:
    stream = norm(
        "class C:\n    def tiny(self):\n        pass\n\n    def big(self, a, b, c):\n"
        "        return [a + b * c for _ in range(a)] + [b, c, a, b, c]\n"
    )
    folded = fold_small_units(stream, 12)
    names = [u.name for u in folded.units]
    assert "C.tiny" not in names and "C.big" in names
    assert sum(u.tokens for u in folded.units) == len(folded)
    assert all(0 <= owner < len(folded.units) for owner in folded.owners)


def test_f_string_expressions_are_normalized_like_code() -> None:
    one = symbols('def f(name):\n    return f"hi {name.upper()}"\n')
    two = symbols('def f(who):\n    return f"hi {who.upper()}"\n')
    assert one == two
    assert "upper" in one


def test_imports_keep_their_names_and_aliases_read_as_what_they_alias() -> None:
    aliased = symbols("import numpy as np\n\ndef f(x):\n    return np.max(x)\n")
    plain = symbols("import numpy\n\ndef f(x):\n    return numpy.max(x)\n")
    assert aliased == plain
    assert "numpy" in aliased and "np" not in aliased


def test_augmented_and_plain_assignment_are_one_form() -> None:
    assert symbols("def f(x, y):\n    x += y * 2\n    return x\n") == symbols(
        "def f(x, y):\n    x = x + y * 2\n    return x\n"
    )
    assert symbols("def f(o):\n    o.n -= 1\n") == symbols("def f(o):\n    o.n = o.n - 1\n")


def test_a_negated_comparison_reads_as_the_opposite_comparison() -> None:
    for negated, direct in [
        ("not (a == b)", "a != b"),
        ("not a in b", "a not in b"),
        ("not (a < b)", "a >= b"),
        ("not a is b", "a is not b"),
    ]:
        template = "def f(a, b):\n    return {}\n"
        assert symbols(template.format(negated)) == symbols(template.format(direct))
    assert "not_operator" in symbols("def f(a, b):\n    return not (a and b)\n")


def test_format_calls_percent_formatting_and_f_strings_are_one_form() -> None:
    forms = [
        'def f(a, b):\n    return f"{a} and {b}"\n',
        'def f(a, b):\n    return "{} and {}".format(a, b)\n',
        'def f(a, b):\n    return "%s and %s" % (a, b)\n',
    ]
    assert len({tuple(symbols(form)) for form in forms}) == 1


def test_elif_and_else_if_are_one_form() -> None:
    chained = (
        "def f(a):\n    if a > 1:\n        g(1)\n    elif a > 0:\n        g(2)\n"
        "    else:\n        g(3)\n"
    )
    nested = (
        "def f(a):\n    if a > 1:\n        g(1)\n    else:\n        if a > 0:\n            g(2)\n"
        "        else:\n            g(3)\n"
    )
    assert symbols(chained) == symbols(nested)


def test_pass_noop_expressions_and_dead_code_vanish() -> None:
    clean = "def f(a):\n    b = a * 2\n    return b\n"
    noisy = (
        "def f(a):\n    pass\n    unused = 3 + 4\n    0\n    b = a * 2\n    if False:\n"
        "        print('never')\n    while 0:\n        b = 1\n    return b\n"
        "    print('unreachable')\n"
    )
    assert symbols(noisy) == symbols(clean)


def test_assignments_with_side_effects_are_not_dead_even_if_unused() -> None:
    assert "call" in symbols("def f(a):\n    unused = g(a)\n    return a\n")


def test_keyword_arguments_to_local_functions_read_as_positional() -> None:
    keyword = "def g(a, b):\n    return a - b\n\ndef f(x):\n    return g(x, b=2)\n"
    positional = "def g(a, b):\n    return a - b\n\ndef f(x):\n    return g(x, 2)\n"
    assert symbols(keyword) == symbols(positional)
    assert "keyword_argument" in symbols("def f(x):\n    return open(x, mode='r')\n")


def test_independent_statements_and_definitions_are_put_in_one_order() -> None:
    one = (
        "import os\nimport sys\n\ndef first(p):\n    a = p + 1\n    b = p * 2\n    c = a - b\n"
        "    return c\n\ndef second(q):\n    return q[0]\n"
    )
    two = (
        "import sys\nimport os\n\ndef second(q):\n    return q[0]\n\ndef first(p):\n"
        "    b = p * 2\n    a = p + 1\n    c = a - b\n    return c\n"
    )
    assert symbols(one) == symbols(two)


def test_calls_made_for_their_effects_keep_their_order() -> None:
    # Drawing commands: swapping two of them draws something else, so a copy cannot, and the
    # order must survive whatever else moves around them.
    def body(first: str, second: str) -> str:
        return f"def f(pen):\n    size = 3\n    {first}\n    {second}\n    pen.up()\n"

    def calls(source: str) -> list[str]:
        return [t for t in norm(source).texts if t in {"left", "forward", "up"}]

    assert calls(body("left(90)", "forward(10)")) == ["left", "forward", "up"]
    assert calls(body("forward(10)", "left(90)")) == ["forward", "left", "up"]
    moved = "def f(pen):\n    left(90)\n    forward(10)\n    size = 3\n    pen.up()\n"
    assert norm(moved).texts == norm(body("left(90)", "forward(10)")).texts


def test_dependent_statements_keep_their_order() -> None:
    one = "def f(p):\n    a = p + 1\n    a = a * 2\n    return a\n"
    two = "def f(p):\n    a = p * 2\n    a = a + 1\n    return a\n"
    assert symbols(one) != symbols(two)


def test_blocks_indented_with_tabs_and_space_continuations_still_parse() -> None:
    tabbed = "def f(a, b):\n\tif a:\n\t\tc = sum((\n  a, b\n  ))\n\t\treturn c\n\treturn 0\n"
    stream = normalize(tabbed.encode(), PYTHON)
    assert stream.error_count == 0
    spaced = symbols(
        "def f(a, b):\n    if a:\n        c = sum((a, b))\n        return c\n    return 0\n"
    )
    assert stream.symbols == spaced


def test_an_if_else_of_assignments_reads_as_a_conditional_expression() -> None:
    statement = (
        "def f(c, a, b):\n    if c:\n        x = a + 1\n    else:\n        x = b\n    return x\n"
    )
    expression = "def f(c, a, b):\n    x = a + 1 if c else b\n    return x\n"
    assert symbols(statement) == symbols(expression)


def test_an_if_else_of_returns_reads_as_a_conditional_expression() -> None:
    expression = "def f(c, a):\n    return a * 2 if c else -a\n"
    with_else = "def f(c, a):\n    if c:\n        return a * 2\n    else:\n        return -a\n"
    early_return = "def f(c, a):\n    if c:\n        return a * 2\n    return -a\n"
    assert symbols(with_else) == symbols(expression) == symbols(early_return)


def test_an_appending_loop_reads_as_a_list_comprehension() -> None:
    loop = (
        "def f(items):\n    out = []\n    for item in items:\n        if item > 0:\n"
        "            out.append(item * 2)\n    return out\n"
    )
    comprehension = (
        "def f(items):\n    out = [item * 2 for item in items if item > 0]\n    return out\n"
    )
    assert symbols(loop) == symbols(comprehension)


def test_loops_filling_a_set_or_a_dictionary_read_as_their_comprehensions() -> None:
    set_loop = "def f(xs):\n    out = set()\n    for x in xs:\n        out.add(x * 2)\n"
    assert symbols(set_loop) == symbols("def f(xs):\n    out = {x * 2 for x in xs}\n")
    dict_loop = (
        "def f(xs):\n    out = {}\n    for x in xs:\n        if x:\n            out[x] = x * 2\n"
    )
    comprehension = "def f(xs):\n    out = {x: x * 2 for x in xs if x}\n"
    assert symbols(dict_loop) == symbols(comprehension)
    assert symbols(dict_loop.replace("{}", "dict()")) == symbols(comprehension)


def test_a_loop_that_reads_what_it_fills_is_not_a_comprehension() -> None:
    counting = "def f(xs):\n    out = {}\n    for x in xs:\n        out[x] = out.get(x, 0) + 1\n"
    assert "dictionary_comprehension" not in symbols(counting)


def test_a_counting_while_loop_reads_as_a_for_loop_over_a_range() -> None:
    for_loop = "def f(xs):\n    for i in range(len(xs)):\n        print(xs[i])\n"
    while_loop = (
        "def f(xs):\n    k = 0\n    while k < len(xs):\n        print(xs[k])\n        k += 1\n"
    )
    assert symbols(while_loop) == symbols(for_loop)
    stepped = "def f(a, b):\n    for i in range(a, b, 3):\n        print(i)\n"
    stepping = "def f(a, b):\n    i = a\n    while i < b:\n        print(i)\n        i = i + 3\n"
    assert symbols(stepping) == symbols(stepped)


def test_a_while_loop_that_may_skip_its_step_stays_a_while_loop() -> None:
    skipping = (
        "def f(n):\n    i = 0\n    while i < n:\n        if i == 3:\n            continue\n"
        "        i += 1\n"
    )
    moving = "def f(n):\n    i = 0\n    while i < n:\n        i = i * 2\n        i += 1\n"
    assert "while_statement" in symbols(skipping)
    assert "while_statement" in symbols(moving)


def test_literal_values_are_compared_by_meaning_not_spelling() -> None:
    one = norm("A = 0o40000\nB = 'caf\\u00e9'\nC = 1_000\n").texts
    two = norm('A = 16384\nB = "café"\nC = 1000\n').texts
    assert sorted(one) == sorted(two)


def test_a_shuffled_table_of_constants_is_put_back_in_one_order() -> None:
    names = [f"K{i}" for i in range(12)]
    forward = "".join(f"{name} = {i!r}\n" for i, name in enumerate(names))
    backward = "".join(f"{name} = {i!r}\n" for i, name in reversed(list(enumerate(names))))
    assert norm(forward).texts == norm(backward).texts


def test_names_inside_f_strings_do_not_change_values_or_order() -> None:
    one = "def show(item):\n    return f'<{item}>'\n\ndef size(item):\n    return len(item) + 1\n"
    two = (
        "def measure(thing):\n    return len(thing) + 1\n\n"
        "def render(thing):\n    return f'<{thing}>'\n"
    )
    assert norm(one).symbols == norm(two).symbols
    assert [t for t in norm(one).texts if "<" in t] == ["<{}>"]


def test_an_invalid_escape_is_kept_as_written_without_a_warning() -> None:
    # pytest turns warnings into errors here: decoding "\d" must not raise one.
    stream = norm('pattern = "\\d+\\.\\d"\n')
    assert "\\d+\\.\\d" in stream.texts
