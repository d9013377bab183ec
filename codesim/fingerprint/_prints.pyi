from _typeshed import WriteableBuffer

def fingerprint(
    symbols: list[str],
    cache: dict[str, int],
    k: int,
    window: int,
    hashes: WriteableBuffer,
    kgrams: WriteableBuffer,
    positions: WriteableBuffer,
    /,
) -> int | None: ...
