"""How C, C++, Go and Rust code reads: names nested in declarators, members bound outside
their type, units that need a body, and the forms that must read alike."""

from __future__ import annotations

from pathlib import Path

import pytest

import codesim
from codesim.languages import get_language
from codesim.options import Options
from codesim.pipeline.streams import discover_code
from tests.languages.streams import roles_of, stream_of


def test_c_names_a_function_through_its_declarators_and_a_struct_only_with_a_body() -> None:
    stream = stream_of(
        "c",
        """
        struct node { int value; struct node *next; };
        static char *label_of(struct node *item, int *count, size_t n) {
            int total = 0, scratch[4];
            total += item->value;
            *count = (int)n;
            return item->next ? "more" : "last";
        }
        """,
    )
    assert [(u.name, u.kind.value) for u in stream.units[1:]] == [
        ("node", "class"),
        ("label_of", "function"),
    ]
    roles = roles_of(stream)
    assert roles["label_of"] == {"FUNC"}
    assert roles["item"] == roles["count"] == roles["n"] == {"PARAM"}
    assert roles["total"] == roles["scratch"] == {"LOCAL"}
    # Fields are members of the file, whatever object they are read through.
    assert {"ATTR"} <= roles["value"] and {"ATTR"} <= roles["next"]
    assert roles["size_t"] == {"size_t"}


@pytest.mark.parametrize(
    ("language_id", "augmented", "plain"),
    [
        ("c", "void f(int x) { x += 2; }", "void f(int x) { x = x + 2; }"),
        ("cpp", "void f(int x) { x *= 2; }", "void f(int x) { x = x * 2; }"),
        ("go", "func f(x int) { x -= 2 }", "func f(x int) { x = x - 2 }"),
        ("rust", "fn f(mut x: i32) { x += 2; }", "fn f(mut x: i32) { x = x + 2; }"),
    ],
)
def test_augmented_assignment_reads_as_the_assignment_it_abbreviates(
    language_id: str, augmented: str, plain: str
) -> None:
    assert stream_of(language_id, augmented).symbols == stream_of(language_id, plain).symbols


@pytest.mark.parametrize(
    ("language_id", "forms"),
    [
        ("c", ["i++;", "++i;", "i += 1;", "i = i + 1;"]),
        ("cpp", ["--i;", "i--;", "i -= 1;"]),
    ],
)
def test_c_increments_read_as_the_assignment_they_abbreviate(
    language_id: str, forms: list[str]
) -> None:
    streams = [stream_of(language_id, f"void f(int i) {{ {form} g(i); }}") for form in forms]
    assert all(s.symbols == streams[0].symbols for s in streams)
    assert all(s.texts == streams[0].texts for s in streams)


def test_go_increment_statements_read_as_assignments() -> None:
    counted = stream_of("go", "package m\nfunc f(n int) int {\n\tn++\n\treturn n\n}\n")
    added = stream_of("go", "package m\nfunc f(n int) int {\n\tn += 1\n\treturn n\n}\n")
    assert counted.symbols == added.symbols


def test_c_bodies_without_braces_read_as_blocks_and_an_empty_statement_is_harmless() -> None:
    braceless = stream_of(
        "c", "int f(int x) { ; if (x) return 1; else if (x > 2) x = 3; return x; }"
    )
    braced = stream_of(
        "c", "int f(int x) {\n  if (x) { return 1; } else { if (x > 2) { x = 3; } }\n  return x;\n}"
    )
    assert braceless.symbols == braced.symbols


def test_cpp_methods_are_members_wherever_they_are_defined() -> None:
    stream = stream_of(
        "cpp",
        """
        class Counter {
         public:
          int bump(const int &step);
          int peek() const { return hits_; }
         private:
          int hits_ = 0;
        };
        int Counter::bump(const int &step) { hits_ += step; return this->peek(); }
        """,
    )
    names = [u.name for u in stream.units]
    assert "Counter.peek" in names and "bump" in names
    roles = roles_of(stream)
    assert roles["step"] == {"PARAM"}
    assert "ATTR" in roles["peek"]


def test_go_methods_bind_as_members_and_short_declarations_bind_every_name() -> None:
    stream = stream_of(
        "go",
        """
        package shapes
        import "math"
        type Point struct { X, Y float64 }
        func (p Point) Norm() float64 { return math.Sqrt(p.X*p.X + p.Y*p.Y) }
        func Far(points []Point, limit float64) int {
            count, seen := 0, 0
            for _, q := range points {
                if q.Norm() > limit { count++ }
                seen++
            }
            return count + seen
        }
        """,
    )
    roles = roles_of(stream)
    assert roles["Norm"] == {"ATTR"}
    # A field reads as a member where it is used; declared in its type's body it is a local
    # of that body, as a Python class attribute is.
    assert "ATTR" in roles["X"] and "ATTR" in roles["Y"]
    assert roles["count"] == roles["seen"] == roles["q"] == {"LOCAL"}
    assert roles["points"] == roles["limit"] == {"PARAM"}
    assert roles["Sqrt"] == {"Sqrt"} and roles["float64"] == {"float64"}
    assert [u.name for u in stream.units[1:]] == ["Point", "Norm", "Far"]


def test_rust_impl_blocks_are_named_by_their_type_and_hold_members() -> None:
    stream = stream_of(
        "rust",
        """
        use std::collections::HashMap;
        struct Tally { counts: HashMap<String, u32> }
        impl Tally {
            fn add(&mut self, word: &str) -> u32 {
                let (slot, extra) = (self.counts.entry(word.to_string()).or_insert(0), 1);
                *slot += extra;
                *slot
            }
            fn total(&self) -> u32 { self.counts.values().sum() }
        }
        """,
    )
    assert [u.name for u in stream.units[1:]] == ["Tally", "Tally", "Tally.add", "Tally.total"]
    roles = roles_of(stream)
    assert "ATTR" in roles["counts"]
    assert roles["slot"] == {"LOCAL"} and roles["extra"] == {"LOCAL"}
    assert roles["word"] == {"PARAM"}
    assert roles["HashMap"] == {"HashMap"}


def test_go_var_declarations_read_like_short_ones() -> None:
    declared = stream_of("go", "package m\nfunc f(y int) int {\n\tvar x = y + 1\n\treturn x\n}\n")
    short = stream_of("go", "package m\nfunc f(y int) int { x := y + 1; return x }\n")
    assert declared.symbols == short.symbols


def test_rust_struct_literal_fields_are_members() -> None:
    stream = stream_of("rust", "struct P { x: i32 }\nfn f(v: i32) -> P { P { x: v } }\n")
    literal = stream.symbols.index("field_initializer")
    assert stream.symbols[literal + 1] == "ATTR"


def test_a_name_nested_thousands_of_declarators_deep_is_found_without_recursion() -> None:
    source = "int " + "(" * 3000 + "f" + ")" * 3000 + "(int a) { return a; }"
    stream = stream_of("c", source)
    assert [u.name for u in stream.units] == ["<module>", "f"]
    assert "PARAM" in stream.symbols


def test_a_c_prototype_names_the_function_its_definition_defines() -> None:
    # Without the rule the prototype bound ``twice`` first, as a LOCAL, and every call to it
    # read differently from the same code without a prototype.
    declared = stream_of(
        "c",
        "static int twice(int x);\n"
        "int main(void) { return twice(2); }\n"
        "static int twice(int x) { return x * 2; }\n",
    )
    undeclared = stream_of(
        "c", "static int twice(int x) { return x * 2; }\nint main(void) { return twice(2); }\n"
    )
    assert roles_of(declared)["twice"] == roles_of(undeclared)["twice"] == {"FUNC"}


def test_c_designated_initializers_name_members() -> None:
    stream = stream_of(
        "c",
        "struct P { int x; int y; };\n"
        "struct P f(int v) { struct P p = {.x = v, .y = 2}; return p; }\n",
    )
    designated = [s for s, t in zip(stream.symbols, stream.texts, strict=True) if t in "xy" and t]
    assert designated == ["LOCAL", "LOCAL", "ATTR", "ATTR"]


_CPP_HEADER = """
#pragma once
#include <string>

namespace shapes {
class Rectangle {
 public:
  Rectangle(double width, double height) : width_(width), height_(height) {}
  double area() const { return width_ * height_; }
  double perimeter() const { return 2 * (width_ + height_); }
  std::string describe() const {
    std::string text = "rectangle ";
    text += std::to_string(width_) + "x" + std::to_string(height_);
    return text;
  }
  bool is_square() const { return width_ == height_; }

 private:
  double width_;
  double height_;
};
}  // namespace shapes
"""

_C_HEADER = """
#ifndef POINT_H
#define POINT_H
struct point { double x; double y; };
double point_distance(const struct point *a, const struct point *b);
#endif
"""


def _languages(tmp_path: Path, name: str, text: str) -> list[str]:
    for language_id in ("c", "cpp"):
        if not get_language(language_id).grammar_installed():
            pytest.skip(get_language(language_id).missing_grammar())
    tmp_path.mkdir()
    (tmp_path / name).write_text(text)
    return [source.language for source in discover_code(tmp_path, Options()).files]


def test_a_cpp_header_named_h_is_read_as_cpp_and_a_c_header_as_c(tmp_path: Path) -> None:
    assert _languages(tmp_path / "cpp", "shapes.h", _CPP_HEADER) == ["cpp"]
    assert _languages(tmp_path / "c", "point.h", _C_HEADER) == ["c"]


def test_a_cpp_header_named_h_pairs_with_its_cpp_copy(tmp_path: Path) -> None:
    for language_id in ("c", "cpp"):
        if not get_language(language_id).grammar_installed():
            pytest.skip(get_language(language_id).missing_grammar())
    header, copy = tmp_path / "shapes.h", tmp_path / "shapes.hpp"
    header.write_text(_CPP_HEADER)
    copy.write_text(_CPP_HEADER.replace("Rectangle", "Box"))
    report = codesim.compare(header, copy)
    assert report.languages == ["cpp"]
    assert report.similarity == 1.0


def test_rust_paths_name_members_of_what_precedes_them() -> None:
    roles = roles_of(
        stream_of(
            "rust",
            """
            struct Stack { items: Vec<u32> }
            impl Stack {
                fn empty() -> Self { Stack { items: Vec::with_capacity(8) } }
                fn fresh() -> Self { Self::empty() }
            }
            """,
        )
    )
    # ``Self::empty`` names the method the file defines; a library's path stays itself.
    assert roles["empty"] == {"FUNC", "ATTR"}
    assert roles["with_capacity"] == {"with_capacity"}
