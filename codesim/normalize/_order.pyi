from _typeshed import ReadableBuffer as Buffer

from codesim.normalize.ir import Block

def order_blocks(
    blocks: list[Block],
    shapes: list[str],
    texts: list[str],
    definitions: frozenset[str] | set[str],
    barrier_kinds: frozenset[str] | set[str],
    keys: Buffer,
    writes: Buffer,
    reads: Buffer,
    barriers: Buffer,
    valued: Buffer,
    dropped: Buffer,
    name_count: int,
    /,
) -> None: ...
