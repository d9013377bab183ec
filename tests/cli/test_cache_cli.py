"""Git URLs, revisions and archives through the commands and the API, and ``codesim cache
list|clear``, on a repository built here holding the bundled example at two revisions."""

from __future__ import annotations

import json
import os
import shutil
import tarfile
from pathlib import Path

import pytest

import codesim
from tests.cli.test_cli import ORIGINAL, SUSPECT, run_cli
from tests.unit.test_history import GitRepo, git


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A cache of the test's own, and the machine's git configuration left out."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("CODESIM_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


class Example:
    """The example's original at tag v1 on main, its disguised copy on branch fork."""

    def __init__(self, root: Path) -> None:
        repo = GitRepo(root / "work")
        shutil.copytree(ORIGINAL, repo.path / "code")
        self.original = repo.commit("2024-01-01T10:00:00")
        git(repo.path, "tag", "v1")
        git(repo.path, "checkout", "--quiet", "-b", "fork")
        shutil.rmtree(repo.path / "code")
        shutil.copytree(SUSPECT, repo.path / "code")
        self.suspect = repo.commit("2024-05-01T10:00:00")
        git(repo.path, "checkout", "--quiet", "main")
        self.bare = root / "example.git"
        git(root, "clone", "--quiet", "--bare", str(repo.path), str(self.bare))
        self.url = self.bare.as_uri()


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Example:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        return Example(tmp_path_factory.mktemp("example"))


def test_compare_two_revisions_of_a_url_and_list_then_clear_the_cache(
    example: Example, isolated: Path
) -> None:
    done = run_cli("compare", f"{example.url}@v1", f"{example.url}@fork", "--json", "--no-align")
    assert done.returncode == 0, done.stderr
    report = codesim.Report.model_validate_json(done.stdout)
    assert (report.left.url, report.left.commit) == (example.url, example.original)
    assert (report.right.url, report.right.commit) == (example.url, example.suspect)
    assert report.right.date == "2024-05-01T10:00:00+00:00"
    assert report.verdict in ("identical", "derived")

    listed = run_cli("cache", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    entries = json.loads(listed.stdout)
    assert {e["commit"] for e in entries} == {example.original, example.suspect}
    assert all(e["source"] == example.url and e["kind"] == "git" for e in entries)

    cleared = run_cli("cache", "clear")
    assert cleared.returncode == 0 and "Removed 2 entries" in cleared.stderr
    assert run_cli("cache", "list", "--json").stdout.strip() == "[]"


def test_an_unreachable_url_is_an_input_error_naming_it(isolated: Path, tmp_path: Path) -> None:
    url = (tmp_path / "gone.git").as_uri()
    done = run_cli("compare", url, ORIGINAL, "--rev", "v1")
    assert done.returncode == 3
    assert f"cannot reach {url}" in done.stderr and "does not appear to be a git" in done.stderr
    assert not [p for p in isolated.rglob("*") if p.name.startswith(".tmp-")]


def test_index_add_and_check_take_urls_and_revisions(example: Example, tmp_path: Path) -> None:
    index = tmp_path / "oss.idx"
    added = run_cli(
        "index", "add", example.bare, "--rev", "v1", "--name", "demo", "--version", "1",
        "--index", index, "--json",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    project = json.loads(added.stdout)["project"]
    assert project["commit"] == example.original and project["url"] == str(example.bare)
    assert project["date"] == "2024-01-01T10:00:00+00:00"
    with codesim.Index.open(index, create=False) as opened:
        checked = opened.query(example.url, rev="fork", align=False)
    assert checked.checked.commit == example.suspect and checked.checked.url == example.url
    assert checked.hits[0].project.commit == example.original


def test_the_api_reuses_the_clone_and_reads_archives(
    example: Example, isolated: Path, tmp_path: Path
) -> None:
    first = codesim.compare(example.url, example.url, rev="fork", align=False)
    assert first.left.commit == first.right.commit == example.suspect
    (entry,) = (isolated / "git").glob("*/*")
    marker = entry / "tree" / ".git" / "still-here"
    marker.touch()
    archive = tmp_path / "original-1.0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(ORIGINAL, arcname="original-1.0")
    second = codesim.compare(archive, f"{example.url}@fork", align=False)
    assert marker.exists() and second.right.commit == example.suspect
    assert second.left.url == str(archive) and second.left.commit is None
    assert second.verdict in ("identical", "derived")


def test_cross_names_fetched_submissions_as_given(example: Example) -> None:
    left, right = f"{example.url}@v1", f"{example.url}@fork"
    report = codesim.cross([left, right], workers=1)
    assert [s.name for s in report.submissions] == [left, right]
    assert [s.commit for s in report.submissions] == [example.original, example.suspect]
    assert {report.pairs[0].left, report.pairs[0].right} == {left, right}
    assert all(p.left.startswith((left, right)) for p in report.pairs[0].pairs)
