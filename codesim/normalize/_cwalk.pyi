"""The compiled walk (``_cwalk.c``); see ``codesim.normalize.compiled_walk``."""

from collections.abc import Callable

from codesim.normalize import ir

TREE_SITTER: str
"""The tree-sitter runtime version the extension was built from."""

class Fallback(Exception):
    """A tree the compiled walk cannot walk exactly as the Python walk does."""

class Tree:
    """A tree parsed by ``Walker.parse``."""

    @property
    def has_error(self) -> bool: ...
    @property
    def data(self) -> bytes: ...

class Walker:
    """One language's compiled tables, parser and walk."""

    def __init__(
        self,
        grammar: object,
        tables: object,
        literal_value: Callable[[str], str],
        first_party_depth: Callable[[list[str], tuple[str, ...]], int],
        alias_path: Callable[[str, tuple[str, ...]], str],
        classes: tuple[type, type, type, type, type, type],
        /,
    ) -> None: ...
    def parse(self, data: bytes, /) -> Tree: ...
    def walk(self, tree: Tree, package: tuple[str, ...], /) -> ir.Program: ...

def fast_literal(text: str, /) -> str | None:
    """``literals.literal_value(text)`` where the walk computes it in C, else None."""
