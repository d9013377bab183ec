from _typeshed import WriteableBuffer

from codesim.normalize.ir import Block, Scope, Statement

def run_passes(
    root: Block,
    block_type: type[Block],
    statement_type: type[Statement],
    symbols: list[str],
    binders: list[int],
    texts: list[str],
    modes: list[int],
    scopes: list[Scope],
    dropped: WriteableBuffer,
    trust_structure: bool,
    hoisted: frozenset[str],
    declarations: frozenset[str],
    functions: frozenset[str],
    pure: frozenset[str],
    conditionals: frozenset[str],
    terminators: frozenset[str],
    false_values: frozenset[str],
    write_modes: tuple[int, ...],
    modes_used: tuple[int, int, int, int],
    /,
) -> list[Block]: ...
