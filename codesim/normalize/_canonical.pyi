from _typeshed import ReadableBuffer

from codesim.normalize.ir import Block, Statement

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
