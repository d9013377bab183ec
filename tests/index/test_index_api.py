"""``codesim.Index``: add projects, check code against them, on SQLite and on a real Redis.

The projects are standard-library packages (present on every machine); the checked code is a
disguised copy of one stdlib module (the tests' own generator) beside a module written here.
"""

from __future__ import annotations

import multiprocessing
import shutil
import subprocess
import sysconfig
from pathlib import Path

import pytest

import codesim
from codesim import Index, IndexFormatError
from tests.disguise import disguise

STDLIB = Path(sysconfig.get_paths()["stdlib"])
PROJECTS = ("json", "tomllib", "http", "logging")

WRITTEN_HERE = '''\
"""A run-length codec, written for this test."""


def encode(values):
    out = []
    for value in values:
        if out and out[-1][0] == value:
            out[-1] = (value, out[-1][1] + 1)
        else:
            out.append((value, 1))
    return out


def decode(pairs):
    result = []
    for value, count in pairs:
        result.extend([value] * count)
    return result
'''


@pytest.fixture(params=["sqlite", "redis"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return str(tmp_path / "projects.idx")
    url: str = request.getfixturevalue("redis_clean")
    return url


@pytest.fixture
def filled(location: str) -> str:
    with Index.open(location) as index:
        for name in PROJECTS:
            added = index.add(STDLIB / name, name=name, version="3.11", license="PSF-2.0")
            assert added.files and added.units and not added.replaced
    return location


def checked_repo(tmp_path: Path) -> Path:
    repo = tmp_path / "mine"
    repo.mkdir()
    original = (STDLIB / "json" / "decoder.py").read_text(encoding="utf-8")
    (repo / "parsing.py").write_text(disguise(original, seed=7).source, encoding="utf-8")
    (repo / "codec.py").write_text(WRITTEN_HERE, encoding="utf-8")
    return repo


def test_a_disguised_copy_is_attributed_to_its_project_file_and_licence(filled, tmp_path):
    with Index.open(filled) as index:
        report = index.query(checked_repo(tmp_path))
    assert [hit.project.name for hit in report.hits] == ["json"]
    hit = report.hits[0]
    assert hit.project.license == "PSF-2.0"
    assert 0.3 < hit.share < 1.0
    assert {(p.left, p.right) for p in hit.pairs} == {("parsing.py", "json@3.11:decoder.py")}
    pair = hit.pairs[0]
    assert pair.score > 0.9
    renamed = [m for m in pair.identifier_map if m.left != m.right]
    assert renamed and all(m.consistency == 1.0 for m in renamed)
    # Fragments point at real lines of both files.
    source = (tmp_path / "mine" / "parsing.py").read_text().splitlines()
    assert all(1 <= f.left.start_line <= f.left.end_line <= len(source) for f in pair.fragments)


def test_a_small_project_copied_whole_into_a_big_repo_scores_as_derived(filled, tmp_path):
    # tomllib (about 900 lines) vendored into a repo that is mostly other code (http, about
    # 4,000 lines, itself indexed): tomllib's share of the repo is small, but the repo holds
    # all of tomllib, and the hit's score is measured on the smaller side, as a pair's is.
    repo = tmp_path / "host"
    shutil.copytree(STDLIB / "http", repo / "web", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(
        STDLIB / "tomllib",
        repo / "_vendor" / "tomllib",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    with Index.open(filled) as index:
        report = index.query(repo)
    hits = {hit.project.name: hit for hit in report.hits}
    assert hits["tomllib"].share < 0.25
    assert hits["tomllib"].score > 0.95
    assert hits["tomllib"].verdict == "identical"


def test_code_written_here_matches_no_project(filled, tmp_path):
    repo = tmp_path / "alone"
    repo.mkdir()
    (repo / "codec.py").write_text(WRITTEN_HERE, encoding="utf-8")
    with Index.open(filled) as index:
        report = index.query(repo)
    assert report.hits == [] and report.share == 0.0
    assert report.index.projects == len(PROJECTS)


def test_files_of_other_kinds_are_counted_in_the_warnings(filled, tmp_path):
    repo = tmp_path / "mixed"
    repo.mkdir()
    (repo / "codec.py").write_text(WRITTEN_HERE, encoding="utf-8")
    (repo / "notes.txt").write_text("not code\n", encoding="utf-8")
    with Index.open(filled) as index:
        report = index.query(repo)
    assert report.warnings == ["checked: 1 files or folders of other kinds ignored"]


def test_re_adding_replaces_and_removing_forgets(filled, tmp_path):
    with Index.open(filled) as index:
        again = index.add(STDLIB / "json", name="json", version="3.11")
        assert again.replaced
        assert [p.name for p in index.projects()] == sorted(PROJECTS)
        assert index.remove("json", "3.11")
        assert not index.remove("json", "3.11")
        assert index.query(checked_repo(tmp_path)).hits == []
        assert index.stats().projects == len(PROJECTS) - 1


def test_template_code_given_as_base_is_left_out(filled, tmp_path):
    repo = checked_repo(tmp_path)
    base = tmp_path / "template"
    base.mkdir()
    shutil.copy(STDLIB / "json" / "decoder.py", base / "decoder.py")
    with Index.open(filled) as index:
        assert index.query(repo, base=base).hits == []


def test_a_foreign_file_is_refused_and_left_as_it_was(tmp_path):
    foreign = tmp_path / "notes.idx"
    foreign.write_bytes(b"these are my notes, not an index\n" * 10)
    before = foreign.read_bytes()
    with pytest.raises(IndexFormatError):
        Index.open(foreign)
    assert foreign.read_bytes() == before


def test_an_index_keeps_the_fingerprint_settings_it_was_created_with(location, tmp_path):
    options = codesim.make_options(kgram_size=10, window_size=6)
    with Index.open(location, options=options) as index:
        index.add(STDLIB / "json", name="json", version="3.11")
    with Index.open(location) as index:  # default options: the index's own settings win
        report = index.query(checked_repo(tmp_path))
    assert [hit.project.name for hit in report.hits] == ["json"]
    assert (report.options["kgram_size"], report.options["window_size"]) == (10, 6)


def test_checking_against_a_missing_index_does_not_create_one(tmp_path):
    with pytest.raises(codesim.IndexMissingError):
        Index.open(tmp_path / "absent.idx", create=False)
    assert not (tmp_path / "absent.idx").exists()


def git(folder: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_commit_of_a_git_checkout_is_recorded(tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(STDLIB / "json", checkout)
    git(checkout, "init", "-q")
    git(checkout, "add", ".")
    git(checkout, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "one")
    plain = tmp_path / "plain"
    shutil.copytree(STDLIB / "json", plain)
    with Index.open(tmp_path / "projects.idx") as index:
        assert index.add(checkout, name="a", version="1").project.commit == git(
            checkout, "rev-parse", "HEAD"
        )
        assert index.add(plain, name="b", version="1").project.commit is None
        assert [p.commit for p in index.projects()][1] is None


@pytest.mark.parametrize(("projects", "found"), [(4, True), (5, False)])
def test_code_in_most_projects_is_boilerplate_and_matches_nothing(
    location, tmp_path, projects, found
):
    # The same helper module ships in every project: past COMMON_PROJECT_MIN (4) projects that
    # all have it, its fingerprints say nothing about where a copy came from.
    unique = ["json/decoder.py", "csv.py", "shlex.py", "netrc.py", "glob.py"]
    with Index.open(location) as index:
        for number in range(projects):
            folder = tmp_path / f"project{number}"
            folder.mkdir()
            (folder / "codec.py").write_text(WRITTEN_HERE, encoding="utf-8")
            shutil.copy(STDLIB / unique[number], folder / "own.py")
            index.add(folder, name=f"p{number}", version="1")
        repo = tmp_path / "mine"
        repo.mkdir()
        (repo / "codec.py").write_text(WRITTEN_HERE, encoding="utf-8")
        assert bool(index.query(repo).hits) is found


def test_the_ingest_workers_serve_every_add_and_end_with_the_index(tmp_path):
    def workers() -> set[int]:
        return {c.pid for c in multiprocessing.active_children() if c.pid is not None}

    before = workers()
    with Index.open(tmp_path / "projects.idx") as index:
        index.add(STDLIB / "json", name="json", version="3.11", workers=2)
        first = workers() - before
        index.add(STDLIB / "email", name="email", version="3.11", workers=2)
        assert len(first) == 2 and workers() - before == first
        assert index.stats().projects == 2
    assert workers() - before == set()


def test_only_hits_of_partial_or_more_are_aligned_as_repos(filled, tmp_path):
    # All of tomllib, plus one function of json's decoder: json's hit is a sliver of both.
    repo = tmp_path / "host"
    shutil.copytree(STDLIB / "tomllib", repo / "toml", ignore=shutil.ignore_patterns("__pycache__"))
    decoder = (STDLIB / "json" / "decoder.py").read_text(encoding="utf-8").splitlines()
    (repo / "arrays.py").write_text("\n".join(decoder[216:251]) + "\n", encoding="utf-8")
    with Index.open(filled) as index:
        hits = {hit.project.name: hit for hit in index.query(repo).hits}
    assert hits["tomllib"].verdict == "identical" and hits["tomllib"].alignment is not None
    assert hits["json"].verdict == "independent" and hits["json"].pairs
    assert hits["json"].alignment is None
