from _typeshed import ReadableBuffer, WriteableBuffer

def shared_kgrams(
    left_sorted: ReadableBuffer,
    left_order: ReadableBuffer,
    left_sorted_counts: ReadableBuffer,
    right_sorted: ReadableBuffer,
    right_order: ReadableBuffer,
    right_counts: ReadableBuffer,
    right_rank: ReadableBuffer,
    max_occurrences: int,
    /,
) -> tuple[bytearray, bytearray]: ...
def kgram_covers(
    left_sorted: ReadableBuffer,
    left_order: ReadableBuffer,
    right_sorted: ReadableBuffer,
    right_order: ReadableBuffer,
    k: int,
    left_out: WriteableBuffer,
    right_out: WriteableBuffer,
    /,
) -> None: ...
def kgram_cover(
    sorted: ReadableBuffer,
    order: ReadableBuffer,
    values: ReadableBuffer,
    k: int,
    out: WriteableBuffer,
    /,
) -> None: ...
def tiles(
    left_seeds: ReadableBuffer,
    right_seeds: ReadableBuffer,
    left_hashes: ReadableBuffer,
    right_hashes: ReadableBuffer,
    k: int,
    min_length: int,
    /,
) -> tuple[bytearray, bytearray, bytearray]: ...
def kgram_table(
    kgrams: ReadableBuffer,
    order: WriteableBuffer,
    sorted: WriteableBuffer,
    counts: WriteableBuffer,
    rank: WriteableBuffer,
    sorted_counts: WriteableBuffer,
    /,
) -> None: ...
def verify(
    lefts: ReadableBuffer,
    rights: ReadableBuffer,
    lengths: ReadableBuffer,
    literals: ReadableBuffer,
    placeholders: ReadableBuffer,
    definitions: ReadableBuffer,
    left_texts: list[str],
    right_texts: list[str],
    left_names: ReadableBuffer,
    right_names: ReadableBuffer,
    left_size: int,
    right_size: int,
    min_length: int,
    literal_evidence: int,
    literal_agreement: float,
    /,
) -> tuple[bytearray, bytearray, bytearray] | None: ...
def names(
    roles: list[str], scopes: list[int], texts: list[str], out: WriteableBuffer, /
) -> bool: ...
