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
    base: str | os.PathLike[str] | None = None,
    options: Options | None = None,
    progress: ProgressCallback | None = None,
) -> Report:
    """Compare two files or folders: is ``right`` derived from ``left``?

    Returns a ``Report`` whose ``score`` is the share of the smaller side's canonical tokens
    found in the other side, with the matched file pairs, their fragments and the identifier
    map.  Files that cannot be compared are listed in ``Report.skipped``.

    ``base`` names template code (a course skeleton, a project template, generated code)
    that both sides may share legitimately: code matching it is left out of every score.

    Raises ``InputError`` when a path does not exist or holds no source file.
    """
    options = options or Options()
    left_side = pipeline.read_side(os.fspath(left), "left", options, progress)
    pipeline.require_files(left_side)
    right_side = pipeline.read_side(os.fspath(right), "right", options, progress)
    pipeline.require_files(right_side)
    base_side = None
    if base is not None:
        base_side = pipeline.read_side(os.fspath(base), "base", options, progress)
        pipeline.require_files(base_side)
    return pipeline.compare_sides(left_side, right_side, options, progress, base_side)
