"""Reports built by hand, so the renderers are tested without running the pipeline."""

from __future__ import annotations

from typing import Any

import pytest

from codesim.results import Report


def span(start_line: int, end_line: int, end_col: int = 10) -> dict[str, int]:
    return {
        "start_line": start_line,
        "start_col": 0,
        "end_line": end_line,
        "end_col": end_col,
        "start_byte": start_line * 40,
        "end_byte": end_line * 40 + end_col,
    }


def mapping(
    left: str, right: str, role: str, count: int, consistency: float = 1.0
) -> dict[str, Any]:
    return {"left": left, "right": right, "role": role, "count": count, "consistency": consistency}


def pair(
    left: str,
    right: str,
    score: float,
    verdict: str,
    *,
    fragments: list[dict[str, Any]] | None = None,
    identifier_map: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    fragments = fragments if fragments is not None else []
    return {
        "left": left,
        "right": right,
        "score": score,
        "similarity": round(score * 0.95, 4),
        "left_coverage": score,
        "right_coverage": round(score * 0.9, 4),
        "longest_fragment": max((f["tokens"] for f in fragments), default=0),
        "left_tokens": 900,
        "right_tokens": 1000,
        "verdict": verdict,
        "fragments": fragments,
        "identifier_map": identifier_map if identifier_map is not None else [],
    }


def build_report(**overrides: Any) -> Report:
    renames = [
        mapping("Resampler", "Projection", "class", 14),
        mapping("max_h", "h_max", "attribute", 9),
        mapping("image", "img", "parameter", 22, 0.86),
        mapping("math", "math", "import", 6),
    ]
    data: dict[str, Any] = {
        "score": 0.97,
        "similarity": 0.95,
        "verdict": "derived",
        "left": {"path": "examples/original", "files": 2, "lines": 230, "tokens": 1834},
        "right": {"path": "examples/suspect", "files": 2, "lines": 251, "tokens": 1990},
        "left_coverage": 0.96,
        "right_coverage": 0.9,
        "pairs": [
            pair(
                "tiles.py",
                "patches.py",
                0.71,
                "derived",
                fragments=[{"left": span(10, 30), "right": span(12, 29), "tokens": 120}],
                identifier_map=[mapping("Tile", "Patch", "class", 7)],
            ),
            pair(
                "resample.py",
                "projection.py",
                0.97,
                "identical",
                fragments=[
                    {"left": span(12, 40), "right": span(10, 37), "tokens": 214},
                    {"left": span(44, 61), "right": span(40, 55), "tokens": 96},
                ],
                identifier_map=renames,
            ),
            pair("tiles.py", "projection.py", 0.12, "independent"),
        ],
        "identifier_map": [*renames, mapping("Tile", "Patch", "class", 7)],
        "skipped": [
            {"side": "right", "path": "assets/logo.png", "reason": "binary"},
            {"side": "left", "path": "data/table.py", "reason": "too_large", "detail": "3 MB"},
        ],
        "options": {"kgram_size": 12, "min_score": 0.0},
        "warnings": [],
    }
    data.update(overrides)
    return Report.model_validate(data)


class ReportBuilder:
    """The helpers above, handed to tests as a fixture (conftest modules are not importable
    under ``--import-mode=importlib``)."""

    span = staticmethod(span)
    mapping = staticmethod(mapping)
    pair = staticmethod(pair)
    report = staticmethod(build_report)


@pytest.fixture
def build() -> ReportBuilder:
    return ReportBuilder()


@pytest.fixture
def report() -> Report:
    return build_report()
