from collections.abc import Callable

from _typeshed import ReadableBuffer, WriteableBuffer

def fingerprint(
    symbols: list[str],
    cache: dict[str, int],
    hash_symbol: Callable[[str], int],
    k: int,
    window: int,
    hashes: WriteableBuffer,
    kgrams: WriteableBuffer,
    positions: WriteableBuffer,
    /,
) -> int: ...
def kgram_hashes(hashes: ReadableBuffer, k: int, out: WriteableBuffer, /) -> None: ...
