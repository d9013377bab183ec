from _typeshed import ReadableBuffer

from codesim.normalize.ir import Block

def order_blocks(
    blocks: list[Block],
    symbols: list[str],
    kept_roles: dict[int, str],
    binders: list[int],
    texts: list[str],
    modes: list[int],
    definitions: frozenset[str],
    barrier_kinds: frozenset[str],
    write_modes: tuple[int, ...],
    read_modes: tuple[int, ...],
    dropped: ReadableBuffer,
    /,
) -> None: ...
