"""The file outputs (``--html FILE``, ``--sarif FILE``) as a user runs them: written after the
report is made, together in one run, combined with ``--json`` (stdout still holds exactly the
report) and with ``--fail-above`` (the gate's exit code stands, the files are written anyway);
a file that cannot be written is one clear stderr line and exit code 3."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from codesim.results import CheckReport, Report
from tests.cli.test_cli import ORIGINAL, SUSPECT, run_cli


def _sarif(path: Path) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(path.read_text("utf-8"))
    assert log["version"] == "2.1.0"
    return log


def _scanned_uris(log: dict[str, Any]) -> set[str]:
    return {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]
    }


def _index(tmp_path: Path) -> Path:
    index = tmp_path / "oss.idx"
    added = run_cli(
        "index", "add", ORIGINAL, "--name", "demo", "--version", "1.0", "--license", "MIT",
        "--index", index, "--quiet",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    return index


def test_compare_writes_sarif_beside_the_json_on_stdout(tmp_path: Path) -> None:
    out = tmp_path / "out" / "compare.sarif"
    out.parent.mkdir()
    result = run_cli("compare", ORIGINAL, SUSPECT, "--json", "--sarif", out)
    assert result.returncode == 0, result.stderr
    report = Report.model_validate_json(result.stdout)
    log = _sarif(out)
    assert _scanned_uris(log) == {p.right for p in report.pairs if p.verdict != "independent"}
    assert log["runs"][0]["properties"]["score"] == report.score
    assert f"codesim: wrote {out}" in result.stderr


def test_compare_writes_html_and_sarif_in_one_run(tmp_path: Path) -> None:
    html, sarif = tmp_path / "report.html", tmp_path / "report.sarif"
    result = run_cli("compare", ORIGINAL, SUSPECT, "--json", "--html", html, "--sarif", sarif)
    assert result.returncode == 0, result.stderr
    report = Report.model_validate_json(result.stdout)
    page = html.read_text("utf-8")
    assert page.lstrip().lower().startswith("<!doctype html")
    assert all(p.left in page and p.right in page for p in report.pairs)
    # The side-by-side view got the sources: code from both files is on the page.
    assert "Resample grayscale images" in page and "single-channel pictures" in page
    assert _scanned_uris(_sarif(sarif))
    assert f"codesim: wrote {html}" in result.stderr and f"codesim: wrote {sarif}" in result.stderr


def test_compare_text_output_and_sarif_with_quiet(tmp_path: Path) -> None:
    out = tmp_path / "compare.sarif"
    result = run_cli("compare", ORIGINAL, SUSPECT, "--sarif", out, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "DERIVED" in result.stdout and result.stderr == ""
    assert _scanned_uris(_sarif(out)) == {"projection.py", "patches.py"}


def test_check_writes_html_and_sarif_and_still_fails_the_gate(tmp_path: Path) -> None:
    out, html = tmp_path / "check.sarif", tmp_path / "check.html"
    result = run_cli(
        "check", SUSPECT, "--index", _index(tmp_path), "--json", "--sarif", out,
        "--html", html, "--fail-above", "0.2",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    report = CheckReport.model_validate_json(result.stdout)
    log = _sarif(out)
    assert _scanned_uris(log) == {
        p.left for hit in report.hits for p in hit.pairs if p.verdict != "independent"
    }
    assert all("demo 1.0 (licence MIT)" in r["message"]["text"] for r in log["runs"][0]["results"])
    page = html.read_text("utf-8")
    # The checked side's code is read from disk; the index keeps no source of the project's.
    assert "demo" in page and "MIT" in page and "single-channel pictures" in page


@pytest.mark.parametrize("where", ["missing-folder", "a-folder"])
def test_an_unwritable_file_is_an_input_error(tmp_path: Path, where: str) -> None:
    target = tmp_path / "missing" / "x.sarif" if where == "missing-folder" else tmp_path
    html = tmp_path / "report.html"
    result = run_cli(
        "compare", ORIGINAL, SUSPECT, "--json", "--sarif", target, "--html", html, "--quiet"
    )  # fmt: skip
    assert result.returncode == 3
    # The report was made: it is on stdout as asked, the file that could be written is, and
    # the error is one line naming the flag and the path.
    Report.model_validate_json(result.stdout)
    assert html.is_file()
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"codesim: error: cannot write --sarif {target}: ")


@pytest.mark.parametrize("command", ["compare", "check"])
def test_help_lists_the_file_outputs(command: str) -> None:
    result = run_cli(command, "--help")
    assert result.returncode == 0
    assert "--sarif" in result.stdout and "--html" in result.stdout


def test_a_notebooks_html_view_shows_its_code_not_its_json(tmp_path: Path) -> None:
    code = (Path(ORIGINAL) / "resample.py").read_text()
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Notes"]},
        {"cell_type": "code", "metadata": {}, "source": code, "outputs": [],
         "execution_count": 1},
    ]  # fmt: skip
    notebook = tmp_path / "analysis.ipynb"
    notebook.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                    "nbformat_minor": 5}))  # fmt: skip
    page = tmp_path / "page.html"
    done = run_cli("compare", notebook, Path(SUSPECT) / "projection.py", "--html", page, "-q")
    assert done.returncode == 0, done.stderr
    html = page.read_text("utf-8")
    # The side-by-side view reads the notebook's extracted code, whose lines the spans count.
    assert "Resample grayscale images" in html and "cell_type" not in html
