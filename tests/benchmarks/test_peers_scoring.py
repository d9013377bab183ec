"""The peer benchmark's own logic: pair scores, the driver protocol, the manifest and the cache.

The peer tools themselves are not needed (they live outside CI, in .cache/peers): the runner is
exercised with a stand-in driver.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from benchmarks.peers import runner
from benchmarks.peers.scoring import (
    Job,
    Result,
    code_lines,
    copydetect_pair_score,
    count_covered,
    coverage_similarity,
    job_line,
    jscpd_pair_score,
    merge_intervals,
    parse_result,
    read_jobs,
    result_line,
)

# --------------------------------------------------------------------------- scores


def test_merge_intervals_unions_overlapping_and_touching_spans() -> None:
    assert merge_intervals([(5, 8), (1, 3), (2, 4), (8, 9), (7, 7), (12, 10)]) == [(1, 4), (5, 9)]
    assert merge_intervals([]) == []


def test_count_covered_counts_each_line_once() -> None:
    lines = [1, 2, 3, 5, 8, 8, 13]
    assert count_covered(lines, [(1, 4), (2, 6)]) == 4  # 1, 2, 3, 5
    assert count_covered(lines, [(8, 9), (8, 14)]) == 2  # 8 (once), 13
    assert count_covered(lines, []) == 0
    assert count_covered(lines, [(0, 100)]) == 6


def test_coverage_similarity_is_the_symmetric_share() -> None:
    assert coverage_similarity(10, 10, 10, 10) == 1.0
    assert coverage_similarity(0, 10, 0, 30) == 0.0
    assert coverage_similarity(5, 10, 5, 30) == pytest.approx(10 / 40)
    assert coverage_similarity(0, 0, 0, 0) == 0.0  # two empty files: no evidence
    assert coverage_similarity(5, 10, 5, 10) == coverage_similarity(5, 10, 5, 10)


def test_copydetect_score_is_the_larger_share() -> None:
    assert copydetect_pair_score(0.2, 0.9) == 0.9
    assert copydetect_pair_score(0.0, 0.0) == 0.0
    assert copydetect_pair_score(1.2, 0.1) == 1.0


def test_code_lines_skip_blank_and_comment_lines() -> None:
    text = "# header\n\nimport os\n    # note\nx = 1  # trailing\n   \n"
    assert code_lines(text) == [3, 5]


def _clone(first: str, first_span: tuple[int, int], second: str, second_span: tuple[int, int]):
    return {
        "firstFile": {"name": first, "start": first_span[0], "end": first_span[1]},
        "secondFile": {"name": second, "start": second_span[0], "end": second_span[1]},
    }


def test_jscpd_score_counts_cross_file_clones_in_either_order(tmp_path: Path) -> None:
    left, right = str(tmp_path / "left.py"), str(tmp_path / "right.py")
    left_text = "a = 1\nb = 2\nc = 3\n\nd = 4\n"  # code lines 1, 2, 3, 5
    right_text = "# copied\na = 1\nb = 2\nc = 3\nd = 4\ne = 5\n"  # code lines 2..6
    report = {
        "duplicates": [
            _clone(left, (1, 3), right, (2, 4)),  # left 1-3, right 2-4
            _clone(right, (4, 5), left, (3, 5)),  # reversed order: right 4-5, left 3-5
            _clone(left, (1, 2), left, (4, 5)),  # inside one file: ignored
        ]
    }
    score, detail = jscpd_pair_score(report, left, right, left_text, right_text)
    assert detail == {
        "clones": 2,
        "covered_left": 4,
        "covered_right": 4,
        "lines_left": 4,
        "lines_right": 5,
    }
    assert score == pytest.approx(8 / 9)


def test_jscpd_score_without_clones_is_zero(tmp_path: Path) -> None:
    score, detail = jscpd_pair_score({}, str(tmp_path / "a.py"), str(tmp_path / "b.py"), "x", "")
    assert score == 0.0
    assert detail["clones"] == 0


# --------------------------------------------------------------------------- protocol


def test_jobs_and_results_round_trip() -> None:
    import io

    job = Job(id="p-1", left="/a/left.py", right="/a/right.py")
    assert list(read_jobs(io.StringIO(job_line(job) + "\n" + job_line(job)))) == [job, job]
    result = Result(id="p-1", score=0.25, detail={"blocks": 2})
    assert parse_result(result_line(result)) == result
    failed = Result(id="p-2", score=None, error="boom")
    assert parse_result(result_line(failed)) == failed


@pytest.mark.parametrize("bad", [1.5, -0.1, float("nan")])
def test_parse_result_rejects_scores_outside_the_unit_interval(bad: float) -> None:
    with pytest.raises(ValueError, match="not in"):
        parse_result(json.dumps({"id": "p", "score": bad, "error": None}))


# --------------------------------------------------------------------------- runner


def _manifest(directory: Path, pairs: dict[str, tuple[str, str]]) -> Path:
    lines = []
    for pair_id, (left, right) in pairs.items():
        folder = directory / "pairs" / pair_id
        folder.mkdir(parents=True)
        (folder / "left.py").write_text(left, encoding="utf-8")
        (folder / "right.py").write_text(right, encoding="utf-8")
        record = {
            "id": pair_id,
            "category": "rename" if left == right else "unrelated",
            "label": int(left == right),
            "left": f"pairs/{pair_id}/left.py",
            "right": f"pairs/{pair_id}/right.py",
            "origin": "test",
        }
        lines.append(json.dumps(record))
    (directory / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


# A stand-in driver: score 1.0 when both files are equal, 0.0 otherwise; pair "bad" fails.
FAKE_DRIVER = """
import json, sys
for line in sys.stdin:
    job = json.loads(line)
    same = open(job["left"]).read() == open(job["right"]).read()
    if job["id"] == "bad":
        out = {"id": job["id"], "score": None, "error": "cannot parse", "detail": None}
    else:
        out = {"id": job["id"], "score": float(same), "error": None, "detail": {"same": same}}
    print(json.dumps(out))
"""


@pytest.fixture
def fake_tool(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make every tool 'installed' at version 9.9 and run by FAKE_DRIVER; counts the runs."""
    runs: list[int] = []

    def command(tool: str) -> list[str]:
        runs.append(1)
        return [sys.executable, "-c", FAKE_DRIVER]

    monkeypatch.setattr(runner, "check_installed", lambda tool: "9.9")
    monkeypatch.setattr(runner, "driver_command", command)
    return runs


def test_run_peers_scores_every_pair_and_caches(tmp_path: Path, fake_tool: list[int]) -> None:
    manifest_dir = _manifest(tmp_path, {"a": ("x = 1\n", "x = 1\n"), "b": ("x = 1\n", "y = 2\n")})
    scores = runner.run_peers(manifest_dir, ["dolos"])
    assert scores == {"dolos": {"a": 1.0, "b": 0.0}}
    assert len(fake_tool) == 1
    cache = manifest_dir / "peer_scores_dolos.csv"
    text = cache.read_text(encoding="utf-8")
    assert "# tool=dolos" in text and "# version=9.9" in text and "# seconds=" in text

    again = runner.run_peer(manifest_dir, "dolos")  # same inputs: from the cache
    assert again.cached and again.scores == scores["dolos"] and len(fake_tool) == 1
    assert again.seconds > 0 and json.loads(again.details["a"]) == {"same": True}

    (manifest_dir / "pairs" / "b" / "right.py").write_text("x = 1\n", encoding="utf-8")
    changed = runner.run_peer(manifest_dir, "dolos")  # an input changed: run again
    assert not changed.cached and changed.scores == {"a": 1.0, "b": 1.0} and len(fake_tool) == 2

    runner.run_peer(manifest_dir, "dolos", refresh=True)
    assert len(fake_tool) == 3


def test_a_failed_pair_scores_zero_and_keeps_its_error(
    tmp_path: Path, fake_tool: list[int]
) -> None:
    manifest_dir = _manifest(tmp_path, {"ok": ("x = 1\n", "x = 1\n"), "bad": ("x\n", "x\n")})
    result = runner.run_peer(manifest_dir, "symilar")
    assert result.scores == {"ok": 1.0, "bad": 0.0}
    assert result.errors == {"bad": "cannot parse"}
    cached = runner.run_peer(manifest_dir, "symilar")
    assert cached.cached and cached.errors == {"bad": "cannot parse"}


def test_a_driver_that_loses_pairs_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    manifest_dir = _manifest(tmp_path, {"a": ("x\n", "x\n"), "b": ("x\n", "y\n")})
    monkeypatch.setattr(runner, "check_installed", lambda tool: "9.9")
    monkeypatch.setattr(
        runner,
        "driver_command",
        lambda tool: [sys.executable, "-c", 'print(\'{"id": "a", "score": 1.0}\')'],
    )
    with pytest.raises(runner.PeerError, match="missing"):
        runner.run_peer(manifest_dir, "jscpd")
    assert not (manifest_dir / "peer_scores_jscpd.csv").exists()


def test_a_missing_tool_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner, "PEERS_DIR", tmp_path / "nothing")
    monkeypatch.setattr(runner, "VENV_PYTHON", tmp_path / "nothing" / "python")
    monkeypatch.setattr(runner, "NODE_MODULES", tmp_path / "nothing" / "node_modules")
    for tool in runner.TOOLS:
        with pytest.raises(runner.PeerNotInstalledError, match=r"benchmarks/peers/install\.sh"):
            runner.check_installed(tool)


def test_unknown_tools_and_broken_manifests_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown peer tool"):
        runner.run_peers(tmp_path, ["moss"])
    with pytest.raises(FileNotFoundError, match="no manifest"):
        runner.read_manifest(tmp_path)
    (tmp_path / "manifest.jsonl").write_text(
        json.dumps({"id": "p", "left": "pairs/p/left.py", "right": "pairs/p/right.py"}) + "\n",
        encoding="utf-8",
    )
    with pytest.raises(FileNotFoundError, match="no file"):
        runner.read_manifest(tmp_path)
