"""Declarations across the canonical passes in the languages beyond Python: what the
dead-code pass keeps after a ``return`` (hoisted functions, items, local types) and which
statements reordering reads as definitions (methods, whose order does not matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

import codesim
from codesim.languages import get_language
from codesim.tokens import TokenStream
from tests.languages.streams import stream_of


def _texts(stream: TokenStream) -> set[str]:
    return set(stream.texts)


_JS_HELPERS_AFTER_RETURN = """
function summarize(orders, currency) {
  const paid = orders.filter((order) => order.status === "paid");
  return {
    count: paid.length,
    total: formatMoney(totalOf(paid), currency),
    largest: formatMoney(largest(paid), currency),
    customers: byCustomer(paid),
  };

  function totalOf(list) {
    let sum = 0;
    for (const order of list) {
      sum += order.amount * (1 - order.discount);
    }
    return sum;
  }

  function largest(list) {
    let best = 0;
    for (const order of list) {
      if (order.amount > best) {
        best = order.amount;
      }
    }
    return best;
  }

  function byCustomer(list) {
    const seen = new Map();
    for (const order of list) {
      const previous = seen.get(order.customer) || 0;
      seen.set(order.customer, previous + order.amount);
    }
    return Array.from(seen.entries()).sort((a, b) => b[1] - a[1]);
  }

  function formatMoney(value, code) {
    const rounded = Math.round(value * 100) / 100;
    return code + " " + rounded.toFixed(2);
  }
  console.log("never printed");
}
"""

_JS_HELPERS_FIRST = """
function amountOf(entries) {
  let acc = 0;
  for (const entry of entries) {
    acc += entry.amount * (1 - entry.discount);
  }
  return acc;
}

function biggest(entries) {
  let top = 0;
  for (const entry of entries) {
    if (entry.amount > top) {
      top = entry.amount;
    }
  }
  return top;
}

function perClient(entries) {
  const totals = new Map();
  for (const entry of entries) {
    const before = totals.get(entry.customer) || 0;
    totals.set(entry.customer, before + entry.amount);
  }
  return Array.from(totals.entries()).sort((x, y) => y[1] - x[1]);
}

function money(amount, unit) {
  const cents = Math.round(amount * 100) / 100;
  return unit + " " + cents.toFixed(2);
}

function digest(sales, unit) {
  const settled = sales.filter((sale) => sale.status === "paid");
  return {
    count: settled.length,
    total: money(amountOf(settled), unit),
    largest: money(biggest(settled), unit),
    customers: perClient(settled),
  };
}
"""


def test_a_javascript_function_declared_after_return_is_kept_but_other_code_is_not() -> None:
    stream = stream_of("javascript", _JS_HELPERS_AFTER_RETURN)
    # The hoisted helpers are reachable: their loops and names are in the stream.
    assert stream.symbols.count("for_in_statement") == 3
    assert {"totalOf", "largest", "byCustomer", "formatMoney", "rounded"} <= _texts(stream)
    # A statement after the return is still dead.
    assert "console" not in _texts(stream)


def test_javascript_helpers_declared_after_return_match_a_copy_declaring_them_first(
    tmp_path: Path,
) -> None:
    if not get_language("javascript").grammar_installed():
        pytest.skip(get_language("javascript").missing_grammar())
    nested = tmp_path / "nested.js"
    nested.write_text(_JS_HELPERS_AFTER_RETURN)
    flat = tmp_path / "flat.js"
    flat.write_text(_JS_HELPERS_FIRST)
    report = codesim.compare(nested, flat)
    assert report.score >= 0.8


@pytest.mark.parametrize(
    ("language_id", "source", "kept", "dropped"),
    [
        (
            "rust",
            """
            fn area(w: u32, h: u32) -> u32 {
                return scale(w * h);
                fn scale(x: u32) -> u32 { x * 2 }
                let unused = 3;
            }
            """,
            {"scale", "x"},
            {"unused"},
        ),
        (
            "java",
            """
            class Shapes {
                Object make() {
                    return null;
                    class Square { int side; }
                    int leftover = 1;
                }
            }
            """,
            {"Square", "side"},
            {"leftover"},
        ),
        (
            "c",
            """
            int width(void) {
                return 4;
                struct box { int edge; };
                int later = 2;
            }
            """,
            {"box", "edge"},
            {"later"},
        ),
        (
            "typescript",
            """
            function label(n: number): string {
                return pad(n);
                function pad(k: number): string { return "#" + k; }
                interface Shape { corners: number }
                const tail = 5;
            }
            """,
            {"pad", "k", "Shape", "corners"},
            {"tail"},
        ),
    ],
)
def test_items_and_local_types_after_return_are_kept(
    language_id: str, source: str, kept: set[str], dropped: set[str]
) -> None:
    texts = _texts(stream_of(language_id, source))
    assert kept <= texts
    assert not dropped & texts


def test_python_code_after_return_is_still_dropped_even_a_function() -> None:
    # Python binds a ``def`` when it runs: one after ``return`` never exists.
    stream = stream_of("python", "def f():\n    return 1\n    def g():\n        return 2\n")
    assert "g" not in _texts(stream)


_JAVA_CLASS = """
class Counter {
    private int count;
    private int step = 1;

    int current() { return count; }

    void reset() { count = 0; }

    void advance() { count += step; }

    boolean isZero() { return count == 0; }

    void setStep(int value) { step = value; }

    String describe() { return "count " + count; }
}
"""

_JAVA_SHUFFLED = """
class Counter {
    private int count;
    private int step = 1;

    String describe() { return "count " + count; }

    void setStep(int value) { step = value; }

    void advance() { count += step; }

    int current() { return count; }

    boolean isZero() { return count == 0; }

    void reset() { count = 0; }
}
"""


def test_java_methods_shuffled_read_as_the_original(tmp_path: Path) -> None:
    original = stream_of("java", _JAVA_CLASS)
    shuffled = stream_of("java", _JAVA_SHUFFLED)
    assert original.symbols == shuffled.symbols
    left, right = tmp_path / "Counter.java", tmp_path / "Shuffled.java"
    left.write_text(_JAVA_CLASS)
    right.write_text(_JAVA_SHUFFLED)
    # Identical streams; the score of a file this small is damped, its similarity is not.
    assert codesim.compare(left, right).similarity == 1.0


@pytest.mark.parametrize(
    ("language_id", "first", "second"),
    [
        (
            "javascript",
            "class A {\n  one() { return this.x; }\n  two(y) { this.x = y; }\n}\n",
            "class A {\n  two(y) { this.x = y; }\n  one() { return this.x; }\n}\n",
        ),
        (
            "typescript",
            "class A {\n  one(): number { return this.x; }\n  two(y: number) { this.x = y; }\n}\n",
            "class A {\n  two(y: number) { this.x = y; }\n  one(): number { return this.x; }\n}\n",
        ),
    ],
)
def test_methods_reading_and_writing_one_member_order_freely(
    language_id: str, first: str, second: str
) -> None:
    assert stream_of(language_id, first).symbols == stream_of(language_id, second).symbols


@pytest.mark.parametrize(
    ("language_id", "source"),
    [
        ("java", 'class A { int f() { int unused = 410; String note = "x"; return 1; } }'),
        ("c", "int f(void) { int unused = 3; char c = 'x'; return 1; }"),
        ("cpp", "int f() { auto unused = 3; return 1; }"),
        ("javascript", "function f() { let unused = 3; var note = 'x'; return 1; }"),
        ("typescript", "function f(): number { const unused = 3; return 1; }"),
        ("rust", "fn f() -> i32 { let unused = 3; return 1; }"),
    ],
)
def test_a_declared_local_never_read_holding_a_literal_is_dead_code(
    language_id: str, source: str
) -> None:
    texts = _texts(stream_of(language_id, source))
    assert "unused" not in texts and "note" not in texts and "c" not in texts
    assert "return_statement" in stream_of(language_id, source).symbols


def test_a_declared_local_holding_a_call_is_kept() -> None:
    # The call may have effects even when its result is never read.
    texts = _texts(stream_of("java", "class A { void f() { int unused = compute(); } }"))
    assert "unused" in texts


def test_a_java_nested_class_named_from_a_method_is_a_class_whatever_its_spelling() -> None:
    source = """
    class Outer {
        static class %s { int v; }
        %s make() { return new %s(); }
    }
    """
    short = stream_of("java", source % ("B", "B", "B"))
    spelled = stream_of("java", source % ("Builder", "Builder", "Builder"))
    # Found in the class body, not guessed from the spelling of a dangling name (``B`` is
    # all capitals, which reads as a constant).
    assert short.symbols == spelled.symbols
    assert short.symbols.count("CLASS") == 4
