"""The JSON form of a report: exactly the pydantic model's own serialization.

``to_json`` is what ``codesim compare --json`` prints, and ``from_json`` reads it back, so
scripts and later tools (the HTML viewer, CI gates) share one schema (``SCHEMA_VERSION``).
"""

from __future__ import annotations

from collections.abc import Sequence

import pydantic_core
from pydantic import BaseModel

from codesim.results import Report


def to_json(value: BaseModel | Sequence[BaseModel]) -> str:
    """Serialize a report, any result model or a list of them as indented JSON (no trailing
    newline)."""
    return pydantic_core.to_json(value, indent=2).decode()


def from_json(text: str | bytes) -> Report:
    """Read a report back from its JSON.

    Raises pydantic's ``ValidationError`` (a ``ValueError``) when the text is not a valid report.
    """
    return Report.model_validate_json(text)
