"""What every index records about how it was made, and the check both backends make of it.

An index is only readable by code that fingerprints, bands and normalizes exactly as the
code that wrote it: the MinHash and band constants, the canonical form of the token stream
and the backend's own layout version are stored with it, next to the k-gram and window sizes
it was created with, and compared on every open.
"""

from __future__ import annotations

from collections.abc import Mapping

from codesim.errors import IndexFormatError
from codesim.index.bands import BANDS, ROWS
from codesim.index.minhash import NUM_PERM, SCHEME, SEED
from codesim.index.records import IndexSettings
from codesim.tokens import CANONICAL_FORM

FORMAT_NAME = "codesim-index"


def new_meta(version_key: str, version: int, settings: IndexSettings) -> dict[str, str]:
    """The meta a new index stores; ``version_key`` names the backend's layout version."""
    return {
        **fixed_meta(version_key, version),
        "kgram_size": str(settings.kgram_size),
        "window_size": str(settings.window_size),
    }


def fixed_meta(version_key: str, version: int) -> dict[str, str]:
    """What an index must agree on with this code to be read at all."""
    return {
        "format": FORMAT_NAME,
        version_key: str(version),
        "minhash_scheme": SCHEME,
        "minhash_num_perm": str(NUM_PERM),
        "minhash_seed": str(SEED),
        "lsh_bands": str(BANDS),
        "lsh_rows": str(ROWS),
        "canonical_form": str(CANONICAL_FORM),
    }


def read_meta(label: str, meta: Mapping[str, str], fixed: Mapping[str, str]) -> IndexSettings:
    """The settings of an index whose stored ``meta`` agrees with ``fixed``; otherwise
    ``IndexFormatError`` saying what differs (and, for another canonical form, what to do)."""
    _check_canonical_form(label, meta.get("canonical_form"))
    for key, expected in fixed.items():
        if meta.get(key) != expected:
            raise IndexFormatError(
                f"{label}: index {key} is {meta.get(key)!r}; this codesim needs {expected!r}"
            )
    try:
        return IndexSettings(int(meta["kgram_size"]), int(meta["window_size"]))
    except (KeyError, ValueError) as exc:
        raise IndexFormatError(f"{label}: the index settings are damaged") from exc


def _check_canonical_form(label: str, stored: str | None) -> None:
    if stored == str(CANONICAL_FORM):
        return
    built = "an earlier codesim" if stored is None else f"canonical form {stored}"
    raise IndexFormatError(
        f"{label}: the index was built with {built}; this codesim normalizes code as form "
        f"{CANONICAL_FORM}, so their fingerprints cannot match. Create a new index and add "
        "the projects again (codesim index add ...)."
    )
