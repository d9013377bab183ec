"""Reading when lines were introduced from real git repositories built in temporary folders."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from codesim.sources.history import NoHistory, WorkTree, line_times, work_tree

# Isolated from the machine's git configuration (a global commit.gpgsign would stop commits).
_GIT_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}


def unix(date: str) -> int:
    """Unix seconds of an ISO date, read as UTC."""
    return int(datetime.fromisoformat(date).replace(tzinfo=UTC).timestamp())


def git(folder: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, **_GIT_ENV}
    if date is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date} +0000"
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.strip()


class GitRepo:
    """A repository whose commits carry the dates the test gives."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True)
        git(path, "init", "--quiet", "--initial-branch", "main")

    def write(self, files: dict[str, str]) -> None:
        for name, text in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")

    def commit(self, date: str, files: dict[str, str] | None = None) -> str:
        """Writes ``files``, commits every change on ``date`` (UTC) and returns the commit."""
        self.write(files or {})
        git(self.path, "add", "--all")
        git(self.path, "commit", "--quiet", "--allow-empty", "-m", date, date=date)
        return git(self.path, "rev-parse", "HEAD")


def test_each_line_has_the_time_and_commit_that_introduced_it(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    first = repo.commit("2020-01-01T00:00:00", {"m.py": "a = 1\nb = 2\nc = 3\n"})
    second = repo.commit("2021-06-01T12:00:00", {"m.py": "a = 1\nb = 20\nc = 3\nd = 4\n"})
    repo.write({"m.py": "a = 1\nb = 20\nc = 30\nd = 4\ne = 5\n"})  # Uncommitted edits.

    times = line_times(repo.path, ["m.py"])["m.py"]

    assert len(times) == 5
    assert [times.time(line) for line in range(1, 6)] == [
        unix("2020-01-01T00:00:00"),
        unix("2021-06-01T12:00:00"),
        None,
        unix("2021-06-01T12:00:00"),
        None,
    ]
    assert [times.commit(line) for line in range(1, 6)] == [first, second, None, second, None]
    assert not any(times.is_boundary(line) for line in range(1, 6))
    assert len(times.commit_ids) == 2  # One table entry per commit, not per line.


def test_whitespace_changes_and_moves_keep_the_original_commit(tmp_path: Path) -> None:
    body = (
        "def interpolate(start, stop, fraction):\n"
        "    distance = stop - start\n"
        "    offset = distance * fraction\n"
        "    return start + offset\n"
    )
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2020-01-01T00:00:00", {"a.py": body, "b.py": "import os\n"})
    # Reindented (whitespace only), then moved to another file in one commit.
    repo.commit("2021-01-01T00:00:00", {"a.py": body.replace("    ", "\t")})
    repo.commit("2022-01-01T00:00:00", {"a.py": "", "b.py": "import os\n\n\n" + body})

    times = line_times(repo.path, ["b.py"])["b.py"]

    assert {times.time(line) for line in range(4, 8)} == {unix("2020-01-01T00:00:00")}
    assert times.time(2) == unix("2022-01-01T00:00:00")  # A blank line the move added.


def test_untracked_empty_missing_and_awkward_paths(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    awkward = ["with space.py", "ünïcode.py", "new\nline.py", "-starts-with-dash.py"]
    repo.commit("2020-01-01T00:00:00", dict.fromkeys(awkward, "x = 1\ny = 2\n"))
    repo.commit("2020-02-01T00:00:00", {"empty.py": ""})
    repo.write({"untracked.py": "a = 1\nb = 2\nno_newline = 3"})

    times = line_times(repo.path, [*awkward, "empty.py", "untracked.py", "gone.py"])

    assert sorted(times) == sorted([*awkward, "empty.py", "untracked.py"])  # Not "gone.py".
    for name in awkward:
        assert [times[name].time(line) for line in (1, 2)] == [unix("2020-01-01T00:00:00")] * 2
    assert len(times["empty.py"]) == 0
    untracked = times["untracked.py"]
    assert len(untracked) == 3
    assert [untracked.time(line) for line in (1, 2, 3)] == [None, None, None]


def test_a_subfolder_root_reads_paths_relative_to_itself(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2020-01-01T00:00:00", {"src/pkg/mod.py": "x = 1\n", "mod.py": "other = 1\n"})

    tree = work_tree(repo.path / "src" / "pkg")
    times = line_times(repo.path / "src" / "pkg", ["mod.py"])

    assert isinstance(tree, WorkTree)
    assert tree.top == repo.path.resolve()
    assert tree.head == git(repo.path, "rev-parse", "HEAD")
    assert tree.shallow_commits == frozenset()
    assert times["mod.py"].time(1) == unix("2020-01-01T00:00:00")
    assert len(times["mod.py"]) == 1


def test_a_shallow_clone_marks_lines_of_its_cut_commit_as_boundary(tmp_path: Path) -> None:
    origin = GitRepo(tmp_path / "origin")
    origin.commit("2019-01-01T00:00:00", {"m.py": "a = 1\n"})
    origin.commit("2020-01-01T00:00:00", {"m.py": "a = 1\nb = 2\n"})
    last = origin.commit("2021-01-01T00:00:00", {"m.py": "a = 1\nb = 2\nc = 3\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth", "2", f"file://{origin.path}", str(clone))

    tree = work_tree(clone)
    times = line_times(clone, ["m.py"])["m.py"]

    assert isinstance(tree, WorkTree)
    assert len(tree.shallow_commits) == 1
    # Lines 1 and 2 are older than the clone's history: it only knows they existed by 2020.
    assert [times.time(line) for line in (1, 2, 3)] == [
        unix("2020-01-01T00:00:00"),
        unix("2020-01-01T00:00:00"),
        unix("2021-01-01T00:00:00"),
    ]
    assert [times.is_boundary(line) for line in (1, 2, 3)] == [True, True, False]
    assert times.commit(3) == last


def test_a_root_commit_of_a_full_clone_is_not_a_boundary(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2020-01-01T00:00:00", {"m.py": "a = 1\n"})

    assert not line_times(repo.path, ["m.py"])["m.py"].is_boundary(1)


def test_a_repository_without_commits_has_no_dates(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write({"m.py": "a = 1\n"})

    tree = work_tree(repo.path)
    times = line_times(repo.path, ["m.py"])

    assert isinstance(tree, WorkTree)
    assert tree.head is None
    assert times["m.py"].time(1) is None


def test_a_folder_outside_git_has_no_history_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "plain").mkdir()
    (tmp_path / "plain" / "m.py").write_text("a = 1\n", encoding="utf-8")
    # The temporary folder may be inside some repository; a ceiling keeps git from finding it.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))

    tree = work_tree(tmp_path / "plain")
    times = line_times(tmp_path / "plain", ["m.py"])

    assert isinstance(tree, NoHistory)
    assert "not inside a git work tree" in tree.reason
    assert times == {}


def test_a_repository_owned_by_another_user_is_refused_with_a_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2020-01-01T00:00:00", {"m.py": "a = 1\n"})
    # git's own test hook for its ownership check, so no second user account is needed.
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")

    tree = work_tree(repo.path)

    assert isinstance(tree, NoHistory)
    assert "another user" in tree.reason and "safe.directory" in tree.reason
    assert line_times(repo.path, ["m.py"]) == {}


def test_git_variables_of_the_caller_do_not_redirect_the_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2020-01-01T00:00:00", {"m.py": "a = 1\n"})
    other = GitRepo(tmp_path / "other")
    other.commit("2023-01-01T00:00:00", {"m.py": "a = 1\n"})
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))

    assert line_times(repo.path, ["m.py"])["m.py"].time(1) == unix("2020-01-01T00:00:00")


def test_reading_history_changes_nothing_in_the_repository(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.commit("2020-01-01T00:00:00", {"m.py": "a = 1\n"})
    repo.write({"m.py": "a = 2\n", "new.py": "b = 1\n"})
    git_dir = repo.path / ".git"
    before = {path: path.stat().st_mtime_ns for path in git_dir.rglob("*")}

    line_times(repo.path, ["m.py", "new.py"], workers=2)

    assert {path: path.stat().st_mtime_ns for path in git_dir.rglob("*")} == before
