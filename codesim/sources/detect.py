"""Tell a file's language from its name, or from the ``#!`` line of an extension-less script."""

from __future__ import annotations

import re
from collections.abc import Mapping

SHEBANG_BYTES = 256
"""How much of an extension-less file is read to look for a ``#!`` line; long enough for the
interpreter paths of Nix and Homebrew."""

_VERSION_SUFFIX = re.compile(r"[\d.]+$")


def language_for_name(name: str, languages: Mapping[str, str]) -> str | None:
    """The language of a file called ``name``, from its extension; ``None`` if unknown.

    Compound extensions are tried longest first (``x.d.ts`` tries ``.d.ts`` before ``.ts``), and
    each exactly before lower-cased (``SETUP.PY``).  A leading dot does not start an extension:
    ``.bashrc`` has none.
    """
    dot = name.find(".", 1)
    while dot != -1:
        extension = name[dot:]
        language = languages.get(extension)
        if language is None and not extension.islower():
            language = languages.get(extension.lower())
        if language is not None:
            return language
        dot = name.find(".", dot + 1)
    return None


def has_extension(name: str) -> bool:
    """Whether ``name`` has an extension (a dot after its first character, not at its end)."""
    dot = name.rfind(".")
    return 0 < dot < len(name) - 1


def interpreter_of(head: bytes) -> str | None:
    """The interpreter a ``#!`` line runs, as a bare name (``python3``), or ``None``.

    ``#!/usr/bin/env -S python3 -u`` and ``#!/usr/bin/env PYTHONPATH=. python`` name ``python3``
    and ``python``: ``env``'s own options and variable assignments are passed over.
    """
    if not head.startswith(b"#!"):
        return None
    line = head[2:].split(b"\n", 1)[0].decode("utf-8", "replace")
    words = line.split()
    if not words:
        return None
    program = _basename(words[0])
    if program == "env":
        program = next((_basename(w) for w in words[1:] if w[0] != "-" and "=" not in w), "")
    return program or None


def language_for_shebang(head: bytes, shebangs: Mapping[str, str]) -> str | None:
    """The language of a script whose first bytes are ``head``; ``None`` without a known ``#!``.

    A versioned interpreter falls back to shorter names: ``python3.12`` tries ``python3.12``,
    ``python3`` and then ``python``, so the map need not list every version.
    """
    program = interpreter_of(head)
    if program is None:
        return None
    if program.lower().endswith(".exe"):
        program = program[:-4]
    for candidate in (program, program.rsplit(".", 1)[0], _VERSION_SUFFIX.sub("", program)):
        language = shebangs.get(candidate)
        if language is not None:
            return language
    return None


def _basename(word: str) -> str:
    return word.replace("\\", "/").rsplit("/", 1)[-1]
