"""The CSV form of an all-vs-all comparison: one row per reported submission pair, for
spreadsheets and grading scripts."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from codesim.results import CrossReport

COLUMNS = (
    "left",
    "right",
    "score",
    "similarity",
    "left_coverage",
    "right_coverage",
    "longest_fragment",
    "verdict",
    "file_pairs",
    "cluster",
)


def cross_csv(report: CrossReport) -> str:
    """The pairs of ``report`` as CSV text with a header row (``cluster`` is the id of the
    cluster holding the pair, empty when none does)."""
    cluster_of = {member: c.id for c in report.clusters for member in c.members}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for pair in report.pairs:
        writer.writerow(
            (
                _cell(pair.left),
                _cell(pair.right),
                pair.score,
                pair.similarity,
                pair.left_coverage,
                pair.right_coverage,
                pair.longest_fragment,
                pair.verdict,
                len(pair.pairs),
                cluster_of.get(pair.left, ""),
            )
        )
    return out.getvalue()


def write_csv(report: CrossReport, path: Path) -> None:
    """Write ``cross_csv(report)`` to ``path`` (UTF-8)."""
    path.write_text(cross_csv(report), encoding="utf-8")


def _cell(text: str) -> str:
    # A spreadsheet runs a cell starting with =, +, - or @ as a formula: a submission named
    # "=HYPERLINK(...)" must stay text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
