"""Text meant for a terminal shows control characters from the data as escapes.

File names, paths and messages come from strangers' repositories, and a file name may hold any
byte but ``/`` and NUL: a newline (which breaks a table row in two), a carriage return
(which overwrites what was printed), or an escape sequence (``ESC [ 2 J`` clears the screen,
``ESC ] 0 ;`` retitles the window, ``ESC ] 52 ;`` writes the clipboard on some terminals).
rich strips only a few such characters.  The text renderers take their models through
``terminal_safe``, and every other line written for a person through ``printable``, so each
control character reaches the terminal as ``\\xHH`` (``\\n``, ``\\r``, ``\\t`` for those).
JSON, SARIF and HTML escape by their own rules and keep the data as it is.
"""

from __future__ import annotations

import re
from typing import TypeVar

from pydantic import BaseModel

_Model = TypeVar("_Model", bound=BaseModel)

# C0 controls, DEL and C1 controls (U+009B is a one-character CSI on some terminals).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """``text`` with every control character written as an escape."""
    return _CONTROL.sub(lambda m: _NAMED.get(m.group(), f"\\x{ord(m.group()):02x}"), text)


def terminal_safe(model: _Model) -> _Model:
    """A copy of ``model`` whose strings, at any depth, are ``printable``; ``model`` itself
    when none needed it (the usual case costs one walk over the data)."""
    data = model.model_dump(mode="json")
    cleaned, changed = _clean(data)
    if not changed:
        return model
    return type(model).model_validate(cleaned)


def _clean(value: object) -> tuple[object, bool]:
    if isinstance(value, str):
        safe = printable(value)
        return safe, safe != value
    if isinstance(value, list):
        items = [_clean(item) for item in value]
        return [item for item, _ in items], any(changed for _, changed in items)
    if isinstance(value, dict):
        pairs = {key: _clean(item) for key, item in value.items()}
        return {key: item for key, (item, _) in pairs.items()}, any(
            changed for _, changed in pairs.values()
        )
    return value, False
