"""How JavaScript, TypeScript and TSX name members and parameters: members a type declares,
constructor parameter properties, destructured parameters and JSX attributes."""

from __future__ import annotations

import pytest

from tests.languages.streams import roles_of, stream_of

_SHAPES = """
interface Shape {
  corners: number;
  label(prefix: string): string;
}
abstract class Base {
  abstract area(): number;
}
class Square extends Base implements Shape {
  constructor(private readonly side: number, public corners: number, scale: number) {
    super();
    this.side = side * scale;
  }
  area(): number { return this.side * this.side; }
  label(prefix: string): string { return prefix + this.corners + this.area(); }
}
function describe(shape: Shape): string { return shape.label("#") + shape.corners; }
"""

_SHAPES_RENAMED = """
interface Polygon {
  vertexCount: number;
  caption(head: string): string;
}
abstract class Root {
  abstract surface(): number;
}
class Tile extends Root implements Polygon {
  constructor(private readonly edge: number, public vertexCount: number, factor: number) {
    super();
    this.edge = edge * factor;
  }
  surface(): number { return this.edge * this.edge; }
  caption(head: string): string { return head + this.vertexCount + this.surface(); }
}
function describe(poly: Polygon): string { return poly.caption("#") + poly.vertexCount; }
"""


def test_typescript_members_declared_by_types_and_parameter_properties_are_members() -> None:
    roles = roles_of(stream_of("typescript", _SHAPES))
    # Declared by an interface, read through a parameter of that type.
    assert roles["corners"] <= {"ATTR", "PARAM"} and "ATTR" in roles["corners"]
    assert roles["label"] == {"ATTR", "FUNC"}
    # ``private readonly side`` is a parameter and a member of the class.
    assert roles["side"] == {"ATTR", "PARAM"}
    # A parameter without a modifier is a parameter only.
    assert roles["scale"] == {"PARAM"}


def test_typescript_members_renamed_read_as_the_original() -> None:
    original = stream_of("typescript", _SHAPES)
    renamed = stream_of("typescript", _SHAPES_RENAMED)
    assert original.symbols == renamed.symbols


_BADGE = """
function Badge({ label, tone }) {
  return <span className="badge" data-tone={tone} hidden>{label}</span>;
}
"""


@pytest.mark.parametrize("language_id", ["javascript", "tsx"])
def test_jsx_attribute_names_stay_themselves_and_destructured_props_are_parameters(
    language_id: str,
) -> None:
    roles = roles_of(stream_of(language_id, _BADGE))
    assert roles["className"] == {"className"}
    assert roles["data-tone"] == {"data-tone"}
    assert roles["hidden"] == {"hidden"}
    assert roles["label"] == roles["tone"] == {"PARAM"}


def test_a_destructured_parameter_renamed_reads_alike() -> None:
    first = stream_of("javascript", "function f({ a, b }) { return a + b; }")
    second = stream_of("javascript", "function g({ x, y }) { return x + y; }")
    assert first.symbols == second.symbols
    assert set(first.symbols) >= {"PARAM"} and "LOCAL" not in first.symbols
