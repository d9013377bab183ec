from _typeshed import ReadableBuffer, WriteableBuffer

def fill(
    values: ReadableBuffer,
    counts: ReadableBuffer,
    a: ReadableBuffer,
    b: ReadableBuffer,
    out: WriteableBuffer,
    /,
) -> None: ...
