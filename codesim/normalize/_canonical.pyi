from _typeshed import ReadableBuffer

from codesim.normalize.ir import Block, Statement
from codesim.tokens import Unit, UnitKind

def canonical_stream(
    root: Block,
    statement_type: type[Statement],
    dropped: ReadableBuffer,
    symbols: list[str],
    binders: list[int],
    texts: list[str],
    owners: list[int],
    start_bytes: list[int],
    end_bytes: list[int],
    unit_count: int,
    /,
) -> tuple[
    list[str], list[str], list[int], list[int], list[int], list[int], list[int], list[int]
]: ...
def make_units(
    unit_type: type[Unit],
    kinds: dict[str, UnitKind],
    names: list[str],
    unit_kinds: list[str],
    parents: list[int],
    spans: list[tuple[int, int]],
    counts: list[int],
    /,
) -> list[Unit]: ...
