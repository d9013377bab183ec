"""What git's history says about an input's lines: when, and by which commit, each was introduced.

``work_tree`` tells whether a folder is inside a git work tree (or why its history cannot be
read); ``line_times`` runs ``git blame`` on files under it and keeps, per line, the commit that
introduced it, with a small per-file table of those commits' author times.  Everything here
only reads: no command writes to the repository (``GIT_OPTIONAL_LOCKS=0`` even keeps git from
refreshing the index), and a missing git, a missing repository or a refused one is an answer,
never an exception.
"""

from __future__ import annotations

import os
from array import array
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from codesim.sources.git import run_git

# Asking git where the repository is, and whether it is shallow, is instant; half a minute
# covers a cold network filesystem.
_PROBE_TIMEOUT_SECONDS = 30
# One blame walks a file's whole history; a file edited in thousands of commits can take tens
# of seconds.  A file that takes longer simply has no history rather than stalling the run.
_BLAME_TIMEOUT_SECONDS = 120
# git does the work in its own processes, so threads only wait; more blames at once than cores
# would only compete for them, and a cap keeps a large machine from forking dozens of gits.
_MAX_WORKERS = 8
# -w: a whitespace-only change (reindenting, reformatting) does not introduce the code again.
# -M: lines moved within a file keep their commit.  -C: lines moved or copied from another file
# changed in the same commit keep theirs, so moving a function between modules (what a
# refactoring of the original does, too) does not make it look new.  Measured on 2 cores over
# this project's own history (27,948 lines in 152 files, 132 commits): every file in 1.0-1.1 s
# with -C, 0.8-0.9 s without; 115,128 lines in 1,494 files of a one-commit shallow clone take
# 3.0 s either way (a git process per file dominates).  -C is worth its quarter.
# --root: without it git marks a root commit ``boundary`` as if its history were cut; a root
# commit is where its lines really were introduced.  A shallow clone's cut is read from its
# ``shallow`` file instead (git shows those commits as roots too).
_BLAME_ARGS = ("blame", "--porcelain", "--root", "-w", "-M", "-C")

UNCOMMITTED = -1
"""``LineTimes.line_commits`` value of a line no commit holds (an edit, an untracked file)."""


@dataclass(frozen=True, slots=True)
class WorkTree:
    """The git work tree a folder is in."""

    top: Path
    """The work tree's top folder."""
    head: str | None
    """The commit checked out, or ``None`` in a repository without commits."""
    shallow_commits: frozenset[str]
    """Where a shallow clone's history is cut: these commits' parents are missing, so what they
    show as introduced may be older.  Empty in a full clone."""


@dataclass(frozen=True, slots=True)
class NoHistory:
    """Why a folder's history cannot be read."""

    reason: str
    """One sentence for a report."""


@dataclass(frozen=True, slots=True, eq=False)
class LineTimes:
    """When each line of one file was introduced, as ``git blame`` tells it.

    Lines are stored as indexes into a small per-file commit table (a file's lines come from a
    few dozen commits at most), four bytes a line.
    """

    line_commits: array[int]
    """Per line (index 0 holds line 1): an index into the commit table, or ``UNCOMMITTED``."""
    commit_ids: tuple[str, ...]
    commit_times: tuple[int, ...]
    """Author time, unix seconds: when the change was written, which a rebase or a
    cherry-pick keeps (committer time would move with them)."""
    commit_boundary: tuple[bool, ...]
    """True for a shallow clone's cut commit: its time is when the line existed by, not when it
    was introduced."""

    def __len__(self) -> int:
        return len(self.line_commits)

    def time(self, line: int) -> int | None:
        """Author time of the commit that introduced 1-based ``line``; ``None`` if uncommitted."""
        index = self.line_commits[line - 1]
        return None if index == UNCOMMITTED else self.commit_times[index]

    def commit(self, line: int) -> str | None:
        """Id of the commit that introduced 1-based ``line``; ``None`` if uncommitted."""
        index = self.line_commits[line - 1]
        return None if index == UNCOMMITTED else self.commit_ids[index]

    def is_boundary(self, line: int) -> bool:
        """Whether 1-based ``line`` comes from a shallow clone's cut commit."""
        index = self.line_commits[line - 1]
        return index != UNCOMMITTED and self.commit_boundary[index]


def work_tree(root: Path) -> WorkTree | NoHistory:
    """The git work tree holding ``root`` (a folder, or a file whose folder is used; it may be
    deep inside the tree), or why there is none to read: git not installed, not in a work tree,
    or a repository git refuses because another user owns it (``safe.directory``)."""
    folder = root if root.is_dir() else root.parent
    top = _git(folder, "rev-parse", "--show-toplevel")
    if isinstance(top, NoHistory):
        return top
    head = _git(folder, "rev-parse", "--verify", "--quiet", "HEAD")
    shallow_file = _git(folder, "rev-parse", "--git-path", "shallow")
    shallow: frozenset[str] = frozenset()
    if isinstance(shallow_file, str):
        try:
            # The path is relative to the folder git ran in.
            text = (folder / shallow_file).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            text = ""  # A full clone has no such file.
        shallow = frozenset(text.split())
    return WorkTree(
        top=Path(top),
        head=head if isinstance(head, str) and head else None,
        shallow_commits=shallow,
    )


def tracked(root: Path, paths: Sequence[str]) -> set[str]:
    """Which of ``paths`` (relative to the folder ``root``) git tracks: one ``git ls-files``,
    so that a folder git ignores (a download cache inside a checkout) costs no blame per
    file.  Empty when ``root`` is not in a readable work tree."""
    if not paths:
        return set()
    # Paths are names, not patterns: "[abc].py" is a file name.
    args = ["--literal-pathspecs", "ls-files", "-z", "--", *paths]
    done = run_git(root, args, _PROBE_TIMEOUT_SECONDS)
    if done is None or done.returncode != 0:
        return set()
    listed = done.stdout.decode("utf-8", "surrogateescape").split("\0")
    return {path for path in listed if path} & set(paths)


def line_times(
    root: Path, paths: Sequence[str], *, workers: int | None = None
) -> dict[str, LineTimes]:
    """For each file of ``paths`` (relative to the folder ``root``), when each of its lines was
    introduced, read with ``git blame`` as the file is now in the work tree.

    Lines not committed yet (edits, and every line of an untracked file or of a repository
    without commits) are ``UNCOMMITTED``.  A path that does not exist, or whose blame fails or
    times out, is left out; so is everything when ``root`` is not in a readable work tree
    (``work_tree`` says why).  Blames run ``workers`` at a time (by default one per core, at
    most eight).
    """
    tree = work_tree(root)
    if isinstance(tree, NoHistory) or not paths:
        return {}
    count = workers or min(_MAX_WORKERS, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=max(1, count)) as pool:
        results = pool.map(lambda path: _file_times(root, path, tree), paths)
        found = zip(paths, results, strict=True)
        return {path: times for path, times in found if times is not None}


def _file_times(root: Path, path: str, tree: WorkTree) -> LineTimes | None:
    if tree.head is not None:
        done = run_git(root, [*_BLAME_ARGS, "--", path], _BLAME_TIMEOUT_SECONDS)
        if done is None:
            return None
        if done.returncode == 0:
            try:
                return _parse_porcelain(done.stdout, tree.shallow_commits)
            except ValueError:
                return None  # Not the format expected: no dates rather than wrong ones.
        if b"no such path" not in done.stderr:
            return None
    # Untracked, or no commit exists yet: the file is there, but none of its lines has a date.
    try:
        data = (root / path).read_bytes()
    except OSError:
        return None
    lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    return LineTimes(array("i", [UNCOMMITTED]) * lines, (), (), ())


def _parse_porcelain(out: bytes, shallow: frozenset[str]) -> LineTimes | None:
    """Reads ``git blame --porcelain``: for every line a header ``<commit> <orig> <final>
    [<count>]``, the commit's details the first time it appears, then a tab and the line."""
    table: dict[bytes, int] = {}
    ids: list[str] = []
    times: list[int] = []
    boundary: list[bool] = []
    line_commits = array("i")
    current = UNCOMMITTED
    header = True
    for raw in out.split(b"\n"):
        if header:
            if not raw:
                break  # The output ends with a newline after the last line.
            commit, _, rest = raw.partition(b" ")
            fields = rest.split(b" ")
            if len(fields) < 2 or int(fields[1]) != len(line_commits) + 1:
                return None  # Not the format expected: no dates rather than wrong ones.
            if not commit.strip(b"0"):  # git's all-zero id: a line no commit has yet.
                current = UNCOMMITTED
            else:
                current = table.get(commit, len(ids))
                if current == len(ids):
                    table[commit] = current
                    name = commit.decode("ascii")
                    ids.append(name)
                    times.append(0)
                    boundary.append(name in shallow)
            line_commits.append(current)
            header = False
        elif raw.startswith(b"\t"):
            header = True
        elif current != UNCOMMITTED:
            if raw.startswith(b"author-time "):
                times[current] = int(raw[12:])
            elif raw == b"boundary":
                boundary[current] = True
    return LineTimes(line_commits, tuple(ids), tuple(times), tuple(boundary))


def _git(folder: Path, *args: str) -> str | NoHistory:
    """A one-line answer from git (its trailing newline removed), or why there is none."""
    done = run_git(folder, list(args), _PROBE_TIMEOUT_SECONDS)
    if done is None:
        return NoHistory("git is not installed or did not answer, so history cannot be read.")
    if done.returncode == 0:
        return done.stdout.decode("utf-8", "surrogateescape").removesuffix("\n")
    message = done.stderr.decode("utf-8", "replace")
    if "dubious ownership" in message:
        return NoHistory(
            f"git refuses to read the repository at {folder} because another user owns it "
            "(git's safe.directory setting)."
        )
    if "not a git repository" in message:
        return NoHistory(f"{folder} is not inside a git work tree.")
    first_line = message.strip().splitlines()[0] if message.strip() else "no message"
    return NoHistory(f"git cannot read the history of {folder}: {first_line}")
