"""Stable 64-bit hashes of symbols and k-grams.

Symbol hashes must be the same in every process and on every machine, because an index built
today is queried tomorrow: Python's ``hash()`` is salted per process, so symbols are hashed with
BLAKE2b and cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from codesim import compiled

HashArray = npt.NDArray[np.uint64]

_BASE = np.uint64(0x100000001B3)
"""The 64-bit FNV prime: odd, so multiplication by it is a bijection mod 2**64, and with
enough set bits that neighbouring k-grams differ in every bit after a few steps."""

_symbol_cache: dict[str, int] = {}

HASHED_AS = {"PARAM": "LOCAL"}
"""Symbols that hash as another: to a copier a parameter and a local variable are one thing
(extracting a helper turns the locals it reads into parameters, inlining does the reverse).
The stream keeps the distinction for the identifier map."""


def symbol_hash(symbol: str) -> int:
    """A stable 64-bit hash of one symbol (see ``HASHED_AS``)."""
    value = _symbol_cache.get(symbol)
    if value is None:
        hashed = HASHED_AS.get(symbol, symbol)
        digest = hashlib.blake2b(hashed.encode("utf-8"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        _symbol_cache[symbol] = value
    return value


def symbol_cache() -> dict[str, int]:
    """The symbols hashed so far in this process and their hashes (for the compiled
    ``fingerprint``, which looks symbols up in it)."""
    return _symbol_cache


def cache_symbols(symbols: Sequence[str]) -> dict[str, int]:
    """``symbol_cache`` once every one of ``symbols`` is in it (each new one hashed once)."""
    for symbol in set(symbols).difference(_symbol_cache):
        symbol_hash(symbol)
    return _symbol_cache


def symbol_hashes(symbols: Sequence[str]) -> HashArray:
    """Stable hashes of a token stream's symbols, as a uint64 array."""
    cache = cache_symbols(symbols)
    return np.fromiter(map(cache.__getitem__, symbols), dtype=np.uint64, count=len(symbols))


def kgram_hashes(hashes: HashArray, k: int) -> HashArray:
    """Hash of every k-gram: ``out[i]`` covers tokens ``i .. i+k-1``; empty if fewer than k.

    Polynomial hashing mod 2**64 (uint64 arithmetic wraps), computed as k vectorized
    multiply-adds over the whole stream rather than a Python-level rolling loop (or in C,
    ``_prints``), then mixed with a 64-bit finalizer so that low bits are as good as high
    bits.
    """
    n = len(hashes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    compiled_prints = compiled.load(compiled.PRINTS)
    if compiled_prints is not None:
        made = np.empty(n, dtype=np.uint64)
        compiled_prints.kgram_hashes(np.ascontiguousarray(hashes, dtype=np.uint64), k, made)
        return made
    out = hashes[:n].copy()
    with np.errstate(over="ignore"):
        for offset in range(1, k):
            out *= _BASE
            out += hashes[offset : offset + n]
        return splitmix64(out)


def splitmix64(values: HashArray) -> HashArray:
    """The splitmix64 finalizer of each value (``_splitmix.h`` in C): every input bit reaches
    every output bit, where a polynomial hash's low bits depend on few inputs."""
    values = values ^ (values >> np.uint64(30))
    values = values * np.uint64(0xBF58476D1CE4E5B9)
    values = values ^ (values >> np.uint64(27))
    values = values * np.uint64(0x94D049BB133111EB)
    return values ^ (values >> np.uint64(31))
