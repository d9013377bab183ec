"""Git URLs, revisions and the clone cache, on real repositories built in temporary folders
and reached through ``file://`` URLs, bare repositories and plain paths."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from codesim.errors import InputError, OptionsError
from codesim.sources.history import WorkTree, line_times, work_tree
from codesim.sources.remote import (
    cache_entries,
    cache_max_bytes,
    clear_cache,
    redact,
    resolve_input,
)
from tests.unit.test_history import GitRepo, git

_FIRST = "def first(values):\n    return [v * 2 for v in values]\n"
_SECOND = "def second(values):\n    return sum(values) / len(values)\n"
_FEATURE = "def feature(x):\n    return x + 1\n"


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    """The machine's git configuration stays out (a global hooks path or signing key)."""
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)


class Upstream:
    """A repository with three commits on main (tags v1, annotated v2), a branch and a bare
    clone of it."""

    def __init__(self, root: Path) -> None:
        repo = GitRepo(root / "work")
        self.path = repo.path
        self.c1 = repo.commit("2024-01-01T10:00:00", {"pkg/a.py": _FIRST})
        git(repo.path, "tag", "v1")
        self.c2 = repo.commit("2024-02-01T10:00:00", {"pkg/b.py": _SECOND})
        git(repo.path, "tag", "-a", "v2", "-m", "release 2")
        git(repo.path, "checkout", "--quiet", "-b", "feature")
        self.feature = repo.commit("2024-03-01T10:00:00", {"pkg/c.py": _FEATURE})
        git(repo.path, "checkout", "--quiet", "main")
        self.c3 = repo.commit("2024-04-01T10:00:00", {"pkg/a.py": _FIRST + "\n# edited\n"})
        self.bare = root / "bare.git"
        git(root, "clone", "--quiet", "--bare", str(repo.path), str(self.bare))
        self.url = self.bare.as_uri()


@pytest.fixture(scope="module")
def upstream(tmp_path_factory: pytest.TempPathFactory) -> Upstream:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        patch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
        return Upstream(tmp_path_factory.mktemp("upstream"))


def files(folder: Path) -> set[str]:
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*.py")
        if ".git" not in p.relative_to(folder).parts
    }


def test_the_revision_asked_for_is_checked_out(upstream: Upstream, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    head = resolve_input(upstream.url, None, cache)
    assert head.commit == upstream.c3 and head.url == upstream.url
    assert head.date == "2024-04-01T10:00:00+00:00"
    assert "# edited" in (head.path / "pkg/a.py").read_text()
    tag = resolve_input(upstream.url, "v1", cache)
    assert (tag.commit, files(tag.path)) == (upstream.c1, {"pkg/a.py"})
    annotated = resolve_input(f"{upstream.url}@v2", None, cache)
    assert annotated.commit == upstream.c2
    branch = resolve_input(upstream.url, "feature", cache)
    assert branch.commit == upstream.feature and "pkg/c.py" in files(branch.path)
    commit = resolve_input(upstream.url, upstream.c2, cache)
    assert commit.commit == upstream.c2 and files(commit.path) == {"pkg/a.py", "pkg/b.py"}
    # A commit no ref points at, abbreviated: fetched whole, then found.
    short = resolve_input(str(upstream.bare), upstream.c1[:10], cache)
    assert short.commit == upstream.c1
    for found in (head, tag, annotated, branch, commit, short):
        found.cleanup()


def test_a_bare_repository_and_a_work_tree_at_a_revision(
    upstream: Upstream, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    bare = resolve_input(str(upstream.bare), None, cache)
    assert bare.commit == upstream.c3 and bare.url == str(upstream.bare.resolve())
    at = resolve_input(f"{upstream.bare}@v1", None, cache)
    assert at.commit == upstream.c1
    # The work tree itself is read as it is; with a revision, that commit is cloned.
    plain = resolve_input(str(upstream.path), None, cache)
    assert plain.path == upstream.path and plain.commit is None
    sub = resolve_input(str(upstream.path / "pkg"), "v1", cache)
    assert sub.commit == upstream.c1 and sub.path.name == "pkg"
    assert {p.name for p in sub.path.iterdir()} == {"a.py"}
    for found in (bare, at, plain, sub):
        found.cleanup()


def test_an_existing_path_wins_over_a_revision(tmp_path: Path) -> None:
    folder = tmp_path / "pkg@1.2"
    folder.mkdir()
    assert resolve_input(str(folder), None, tmp_path / "cache").path == folder
    with pytest.raises(OptionsError, match="needs a git URL"):
        resolve_input(str(folder), "v1", tmp_path / "cache")
    missing = tmp_path / "nothing@1.2"
    assert resolve_input(str(missing), None, tmp_path / "cache").path == missing
    assert not (tmp_path / "cache").exists()


def test_a_file_url_whose_path_has_an_at_sign(upstream: Upstream, tmp_path: Path) -> None:
    odd = tmp_path / "repo@2.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(upstream.bare), str(odd))
    found = resolve_input(odd.as_uri(), None, tmp_path / "cache")
    assert found.commit == upstream.c3
    found.cleanup()


def test_user_at_host_is_not_a_revision_and_passwords_stay_out() -> None:
    assert redact("https://me:s3cret@example.com/x.git") == "https://me@example.com/x.git"
    assert redact("https://token@example.com/x.git") == "https://token@example.com/x.git"
    with pytest.raises(OptionsError, match="two revisions"):
        resolve_input("https://example.com/x.git@v1", "v2", Path("unused"))


def test_the_cache_is_reused_and_listed(upstream: Upstream, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = resolve_input(upstream.url, "v1", cache)
    first.cleanup()
    marker = first.path / ".git" / "codesim-test-marker"
    marker.write_text("still the same clone")
    again = resolve_input(upstream.url, "v1", cache)
    assert again.path == first.path and marker.exists()
    again.cleanup()
    (entry,) = cache_entries(cache)
    assert (entry.kind, entry.source, entry.commit) == ("git", upstream.url, upstream.c1)
    assert entry.bytes > 0
    assert clear_cache(cache)[0] == 1
    assert cache_entries(cache) == []
    assert not first.path.exists()


def test_an_entry_in_use_is_not_cleared(upstream: Upstream, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    held = resolve_input(upstream.url, "v1", cache)
    assert clear_cache(cache) == (0, 0)
    held.cleanup()
    assert clear_cache(cache)[0] == 1


def test_least_recently_used_entries_are_evicted_past_the_cap(
    upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    old = resolve_input(upstream.url, "v1", cache)
    old.cleanup()
    monkeypatch.setenv("CODESIM_CACHE_MAX", "1")
    new = resolve_input(upstream.url, "v2", cache)
    new.cleanup()
    assert [e.commit for e in cache_entries(cache)] == [upstream.c2]
    monkeypatch.setenv("CODESIM_CACHE_MAX", "2G")
    assert cache_max_bytes() == 2 * 1000**3
    monkeypatch.setenv("CODESIM_CACHE_MAX", "lots")
    with pytest.raises(OptionsError, match="CODESIM_CACHE_MAX"):
        cache_max_bytes()


def test_a_failed_fetch_names_the_url_and_leaves_nothing(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    url = (tmp_path / "no-such-repo.git").as_uri()
    with pytest.raises(InputError, match=r"cannot reach file://.*no-such-repo\.git: fatal"):
        resolve_input(url, None, cache)
    assert list(cache.iterdir()) == []


def test_an_unknown_revision_leaves_no_half_written_entry(
    upstream: Upstream, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(InputError, match="has no branch or tag no-such-tag"):
        resolve_input(upstream.url, "no-such-tag", cache)
    with pytest.raises(InputError, match="has no revision 0123abcd"):
        resolve_input(upstream.url, "0123abcd", cache)
    leftovers = [p for p in cache.rglob("*") if p.name.startswith((".tmp-", ".trash-"))]
    assert leftovers == [] and cache_entries(cache) == []


def test_a_dead_runs_temporary_folder_is_swept(upstream: Upstream, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    resolve_input(upstream.url, "v1", cache).cleanup()
    (url_folder,) = (cache / "git").iterdir()
    dead = url_folder / ".tmp-dead"
    (dead / "tree").mkdir(parents=True)
    (dead / "lock").touch()  # Nobody holds it: its builder is gone.
    resolve_input(upstream.url, "v2", cache).cleanup()
    assert not dead.exists()


def test_hooks_do_not_run_on_checkout(
    upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    proof = tmp_path / "hook-ran"
    hook = hooks / "post-checkout"
    hook.write_text(f"#!/bin/sh\ntouch {proof}\n")
    hook.chmod(0o755)
    config = tmp_path / "gitconfig"
    config.write_text(f"[core]\n\thooksPath = {hooks}\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    resolve_input(upstream.url, "v1", tmp_path / "cache").cleanup()
    assert not proof.exists()


def test_history_is_readable_in_a_cached_clone(upstream: Upstream, tmp_path: Path) -> None:
    found = resolve_input(upstream.url, "v2", tmp_path / "cache")
    tree = work_tree(found.path)
    assert isinstance(tree, WorkTree) and tree.head == upstream.c2
    # One commit deep: the cut commit is marked, so no date is mistaken for an introduction.
    assert tree.shallow_commits == {upstream.c2}
    times = line_times(found.path, ["pkg/a.py"])["pkg/a.py"]
    assert times.commit(1) == upstream.c2 and times.is_boundary(1)
    found.cleanup()


def test_a_timeout_is_reported(
    upstream: Upstream, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def slow(*_: object, **__: object) -> None:
        raise subprocess.TimeoutExpired("git", 1)

    monkeypatch.setattr("codesim.sources.remote.run_git_writer", slow)
    with pytest.raises(InputError, match=r"cannot reach .*: no answer within"):
        resolve_input(upstream.url, None, tmp_path / "cache")
