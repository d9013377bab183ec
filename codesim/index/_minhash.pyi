from _typeshed import ReadableBuffer, WriteableBuffer

def fill(
    values: ReadableBuffer,
    counts: ReadableBuffer,
    a: ReadableBuffer,
    b: ReadableBuffer,
    out: WriteableBuffer,
    /,
) -> None: ...
def band_ids(
    signatures: ReadableBuffer,
    perms: int,
    bands: int,
    rows: int,
    out: WriteableBuffer,
    /,
) -> None: ...
