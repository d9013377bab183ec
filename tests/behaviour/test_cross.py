"""All-vs-all comparison: a copied submission stands out among independent ones, template and
widely shared code is not evidence, and the codec-table trap stays shut.

The "class" is made of standard-library modules standing in for independent solutions, one
of them copied by another student through ``tests/disguise.py``, all of them handed a course
skeleton.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import codesim
from codesim.cli.app import app
from codesim.errors import InputError
from codesim.options import CROSS_MIN_SCORE
from codesim.pipeline import cross as cross_module
from codesim.pipeline.forking import map_shared
from tests.disguise import disguise
from tests.stdlib_corpus import module_path

STUDENTS = {
    "alice": "textwrap",
    "bob": "shlex",
    "carol": "netrc",
    "dave": "fnmatch",
    "erin": "glob",
    "frank": "getopt",
    "grace": "calendar",
}

SKELETON = '''
"""Course skeleton: every submission starts from this file."""

import sys


def read_lines(path):
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\\n") for line in handle if line.strip()]


def report(results, stream=sys.stdout):
    for name, value in sorted(results.items()):
        stream.write(f"{name:<20} {value:>10.3f}\\n")
    stream.write(f"{len(results)} results\\n")


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        sys.stderr.write("usage: solution.py INPUT\\n")
        return 2
    report({line: float(len(line)) for line in read_lines(argv[0])})
    return 0
'''


@pytest.fixture(scope="module")
def classroom(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("classroom")
    (root / "skeleton").mkdir()
    (root / "skeleton" / "skeleton.py").write_text(SKELETON)
    for student, module in STUDENTS.items():
        folder = root / "submissions" / student
        folder.mkdir(parents=True)
        shutil.copyfile(module_path(module), folder / "solution.py")
        (folder / "skeleton.py").write_text(SKELETON)
    copied = disguise(module_path("textwrap").read_text(), seed=7)
    (root / "submissions" / "mallory").mkdir()
    (root / "submissions" / "mallory" / "solution.py").write_text(copied.source)
    (root / "submissions" / "mallory" / "skeleton.py").write_text(SKELETON)
    return root


def test_the_copied_submission_is_the_only_pair_and_cluster(classroom: Path) -> None:
    report = codesim.cross([classroom / "submissions"], base=classroom / "skeleton")
    assert [(p.left, p.right) for p in report.pairs] == [("alice", "mallory")]
    (pair,) = report.pairs
    assert pair.score >= 0.9 and pair.verdict in ("derived", "identical")
    assert [p.left for p in pair.pairs] == ["alice/solution.py"]
    assert [c.members for c in report.clusters] == [["alice", "mallory"]]
    template = {(s.submission, s.kind) for s in report.shared if s.path.endswith("skeleton.py")}
    assert template == {(name, "template") for name in [*STUDENTS, "mallory"]}
    assert len(report.submissions) == 8
    assert report.candidate_pairs < 8 * 7 // 2


def test_code_in_most_submissions_is_shared_without_a_base(classroom: Path) -> None:
    report = codesim.cross([classroom / "submissions"])
    assert [(p.left, p.right) for p in report.pairs] == [("alice", "mallory")]
    kinds = {s.kind for s in report.shared if s.path.endswith("skeleton.py")}
    assert kinds == {"shared"}
    assert all(s.submissions == 8 for s in report.shared if s.path.endswith("skeleton.py"))


def test_submissions_can_be_given_one_by_one(classroom: Path) -> None:
    names = ["alice", "bob", "mallory"]
    report = codesim.cross([classroom / "submissions" / name for name in names])
    assert [s.name for s in report.submissions] == [
        str(classroom / "submissions" / name) for name in names
    ]
    assert len(report.pairs) == 1 and report.pairs[0].right.endswith("mallory")


def test_codecs_generated_from_one_template_are_shared_not_copies() -> None:
    encodings = module_path("encodings").parent
    report = codesim.cross([encodings])
    codecs = [s for s in report.submissions if s.name.startswith(("cp", "mac_", "iso8859"))]
    assert len(codecs) > 60
    assert not [p for p in report.pairs if p.left.startswith("cp") and p.right.startswith("cp")]
    shared = {s.submission for s in report.shared if s.kind == "shared"}
    assert {c.name for c in codecs} <= shared
    # Dolos and copydetect score every pair of these 1.0; none is reported as derived here.
    assert all(p.verdict not in ("derived", "identical") for p in report.pairs)


def test_fewer_than_two_submissions_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "a.py").write_text("x = 1\n")
    with pytest.raises(InputError, match="fewer than two submissions"):
        codesim.cross([tmp_path / "only"])
    with pytest.raises(InputError, match="does not exist"):
        codesim.cross([tmp_path / "only" / "a.py", tmp_path / "missing.py"])


def test_the_command_writes_json_and_csv_and_gates(classroom: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    table = tmp_path / "pairs.csv"
    submissions = str(classroom / "submissions")
    skeleton = str(classroom / "skeleton")
    page = tmp_path / "pairs.html"
    outputs = ["--json", "--csv", str(table), "--html", str(page), "-q"]
    done = runner.invoke(app, ["cross", submissions, "--base", skeleton, *outputs])
    assert done.exit_code == 0, done.output
    # The page shows the pair's code side by side, read from the submissions' folders.
    html = page.read_text()
    # A docstring: on the page only if the code was read (names also show in identifier maps).
    assert "mallory" in html and "Object for wrapping/filling text" in html
    data = json.loads(done.stdout)
    assert [(p["left"], p["right"]) for p in data["pairs"]] == [("alice", "mallory")]
    with table.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["left"], r["right"], r["cluster"]) for r in rows] == [("alice", "mallory", "1")]
    gated = runner.invoke(app, ["cross", submissions, "--fail-above", "0.5", "-q"])
    assert gated.exit_code == 1
    text = runner.invoke(app, ["cross", submissions, "--base", skeleton])
    assert text.exit_code == 0
    assert "alice" in text.stdout and "Clusters" in text.stdout and "template" in text.stdout


def test_csv_cells_cannot_become_spreadsheet_formulas(tmp_path: Path) -> None:
    for name in ("=HYPERLINK(1)", "plain"):
        (tmp_path / name).mkdir()
        shutil.copyfile(module_path("textwrap"), tmp_path / name / "a.py")
    report = codesim.cross([tmp_path])
    table = tmp_path / "out.csv"
    from codesim.render.csv import write_csv

    write_csv(report, table)
    with table.open(encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["left"] == "'=HYPERLINK(1)"


def test_few_candidate_pairs_are_aligned_without_forking(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A forked aligning child costs about what it saves below ALIGN_ALONE_BELOW pairs.
    # Five pairs: each module handed in twice, once disguised (code in two submissions is
    # copying, not shared code).
    for module in ("textwrap", "shlex", "netrc", "fnmatch", "glob"):
        for copy in range(2):
            folder = tmp_path / f"{module}{copy}"
            folder.mkdir()
            source = module_path(module).read_text()
            (folder / "solution.py").write_text(
                disguise(source, seed=copy).source if copy else source
            )
    used: list[int] = []

    def recording(function: Any, jobs: Any, workers: int, **options: Any) -> Any:
        used.append(workers)
        return map_shared(function, jobs, workers, **options)

    monkeypatch.setattr(cross_module, "map_shared", recording)
    alone = codesim.cross([tmp_path], workers=2)
    assert 4 <= alone.candidate_pairs < cross_module.ALIGN_ALONE_BELOW
    monkeypatch.setattr(cross_module, "ALIGN_ALONE_BELOW", 0)
    shared = codesim.cross([tmp_path], workers=2)
    assert used == [1, 2]
    assert alone == shared


def test_pairs_bounded_under_min_score_are_left_out_as_aligning_would(
    classroom: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The codecs (one file a submission) share most of their code with each other, masked as
    # shared, so most of their candidate pairs are bounded under min_score and never aligned;
    # the classroom's submissions are two files each.
    encodings = module_path("encodings").parent
    real_bound = cross_module._score_bound
    bounds: dict[tuple[str, str], float] = {}

    def recording(left: Any, right: Any, *rest: Any) -> float:
        bounds[left.name, right.name] = real_bound(left, right, *rest)
        return bounds[left.name, right.name]

    monkeypatch.setattr(cross_module, "_score_bound", recording)
    bounded = codesim.cross([encodings], workers=1)
    assert len(bounds) == bounded.candidate_pairs
    assert sum(bound < CROSS_MIN_SCORE for bound in bounds.values()) > len(bounds) // 2
    assert bounded.pairs
    assert all(bounds[pair.left, pair.right] >= pair.score for pair in bounded.pairs)
    two_files = codesim.cross([classroom / "submissions"], workers=1)
    monkeypatch.setattr(cross_module, "_score_bound", lambda *args: 1.0)
    assert codesim.cross([encodings], workers=1) == bounded
    assert codesim.cross([classroom / "submissions"], workers=1) == two_files
