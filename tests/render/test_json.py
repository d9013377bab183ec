"""The JSON form of a report is the pydantic model's own, and reads back to an equal report."""

from __future__ import annotations

import json

import pytest

from codesim.render.json import from_json, to_json
from codesim.results import SCHEMA_VERSION, Report


def test_json_is_exactly_the_models_indented_dump(report: Report) -> None:
    assert to_json(report) == report.model_dump_json(indent=2)


def test_json_round_trips_to_an_equal_report(report: Report) -> None:
    assert from_json(to_json(report)) == report


def test_json_round_trip_accepts_bytes(report: Report) -> None:
    assert from_json(to_json(report).encode("utf-8")) == report


def test_json_carries_the_schema_version(report: Report) -> None:
    assert json.loads(to_json(report))["schema_version"] == SCHEMA_VERSION


def test_json_keeps_markup_and_unicode_in_paths_verbatim(report: Report) -> None:
    data = report.model_dump()
    data["left"]["path"] = "[red]ünïcode[/red] dir"
    odd = Report.model_validate(data)
    assert from_json(to_json(odd)).left.path == "[red]ünïcode[/red] dir"


def test_reading_json_that_is_not_a_report_raises_value_error() -> None:
    with pytest.raises(ValueError):
        from_json('{"score": 2.0}')


def test_reading_json_with_unknown_fields_raises_value_error(report: Report) -> None:
    data = json.loads(to_json(report))
    data["surprise"] = 1
    with pytest.raises(ValueError):
        from_json(json.dumps(data))
