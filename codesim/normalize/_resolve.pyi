from codesim.normalize.ir import Scope

def resolve(
    raw_symbols: list[str],
    texts: list[str],
    modes: list[int],
    token_scopes: list[int],
    scopes: list[Scope],
    aliases: dict[str, str],
    builtins: frozenset[str],
    call_symbol: str,
    nested_types_visible: bool,
    roles: tuple[str, str, str, str, str],
    modes_used: tuple[int, int, int, int, int],
    /,
) -> tuple[list[str], list[int], dict[int, str]]: ...
