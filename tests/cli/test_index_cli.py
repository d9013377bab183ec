"""``codesim index ...`` and ``codesim check`` as a user runs them, with the contract's exit
codes: 0 ok, 1 a score above --fail-above, 2 usage error, 3 input error."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import ORIGINAL, SUSPECT, UNRELATED, run_cli


def test_add_list_stats_check_and_remove(tmp_path: Path) -> None:
    index = tmp_path / "oss.idx"
    added = run_cli(
        "index", "add", ORIGINAL, "--name", "demo", "--version", "1.0", "--license", "MIT",
        "--index", index, "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    result = json.loads(added.stdout)
    assert result["project"]["name"] == "demo" and result["files"] == 2

    listed = run_cli("index", "list", "--index", index, "--json")
    assert [p["name"] for p in json.loads(listed.stdout)] == ["demo"]
    stats = run_cli("index", "stats", "--index", index, "--json")
    assert json.loads(stats.stdout)["projects"] == 1

    checked = run_cli("check", SUSPECT, "--index", index, "--json")
    assert checked.returncode == 0, checked.stderr
    report = json.loads(checked.stdout)
    project = report["hits"][0]["project"]
    assert (project["name"], project["version"], project["license"]) == ("demo", "1.0", "MIT")
    assert project["commit"] == result["project"]["commit"]
    assert report["hits"][0]["share"] > 0.3

    text = run_cli("check", SUSPECT, "--index", index)
    assert "demo 1.0" in text.stdout and "MIT" in text.stdout

    gate = run_cli("check", SUSPECT, "--index", index, "--fail-above", "0.2", "--quiet")
    assert gate.returncode == 1

    removed = run_cli("index", "remove", "demo", "1.0", "--index", index)
    assert removed.returncode == 0
    again = run_cli("index", "remove", "demo", "1.0", "--index", index)
    assert again.returncode == 3 and "no project demo 1.0" in again.stderr


def test_unrelated_code_has_no_hit_and_passes_the_gate(tmp_path: Path) -> None:
    index = tmp_path / "oss.idx"
    run_cli("index", "add", ORIGINAL, "--name", "demo", "--version", "1.0", "--index", index)
    mine = tmp_path / "mine.py"
    mine.write_text(UNRELATED, encoding="utf-8")
    checked = run_cli("check", mine, "--index", index, "--fail-above", "0.2", "--json")
    assert checked.returncode == 0
    assert json.loads(checked.stdout)["hits"] == []


def test_the_index_comes_from_the_environment_or_a_usage_error(tmp_path: Path) -> None:
    missing = run_cli("check", SUSPECT)
    assert missing.returncode == 2 and "CODESIM_INDEX" in missing.stderr
    absent = run_cli("check", SUSPECT, "--index", tmp_path / "absent.idx")
    assert absent.returncode == 3 and "no index there" in absent.stderr
    foreign = tmp_path / "foreign.idx"
    foreign.write_text("not an index\n", encoding="utf-8")
    refused = run_cli("index", "stats", "--index", foreign)
    assert refused.returncode == 3 and "foreign.idx" in refused.stderr


def test_top_limits_the_projects_reported(tmp_path: Path) -> None:
    index = tmp_path / "oss.idx"
    for version in ("1.0", "2.0"):
        run_cli("index", "add", ORIGINAL, "--name", "demo", "--version", version, "--index", index)
    both = json.loads(run_cli("check", SUSPECT, "--index", index, "--json").stdout)
    best = json.loads(run_cli("check", SUSPECT, "--index", index, "--json", "--top", "1").stdout)
    assert len(both["hits"]) == 2 and len(best["hits"]) == 1
    assert best["hits"][0] == both["hits"][0]
