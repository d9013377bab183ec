"""The public Python API: ``compare`` (and, as later stages land, ``cross`` and ``Index``)."""

from __future__ import annotations

import os

from codesim import pipeline
from codesim.options import Options
from codesim.pipeline import ProgressCallback
from codesim.results import Report


def compare(
    left: str | os.PathLike[str],
    right: str | os.PathLike[str],
    *,
    options: Options | None = None,
    progress: ProgressCallback | None = None,
) -> Report:
    """Compare two files or folders: is ``right`` derived from ``left``?

    Returns a ``Report`` whose ``score`` is the share of the smaller side's canonical tokens
    found in the other side, with the matched file pairs, their fragments and the identifier
    map.  Files that cannot be compared are listed in ``Report.skipped``.

    Raises ``InputError`` when a path does not exist or holds no source file.
    """
    options = options or Options()
    left_side = pipeline.read_side(os.fspath(left), "left", options, progress)
    pipeline.require_files(left_side)
    right_side = pipeline.read_side(os.fspath(right), "right", options, progress)
    pipeline.require_files(right_side)
    return pipeline.compare_sides(left_side, right_side, options, progress)
