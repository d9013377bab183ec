"""Running git on an input path, read-only, and what it knows of it: the commit checked out."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

_TIMEOUT_SECONDS = 30

# Variables a caller may have set (a git hook sets GIT_DIR) that would point every command at
# their repository instead of the one the input folder is in.
_LOCATING_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_COMMON_DIR",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
)


def run_git(
    folder: Path, args: list[str], timeout: float
) -> subprocess.CompletedProcess[bytes] | None:
    """``git -C folder args...`` with no shell, read-only (no optional locks or index
    refresh) and blind to the caller's repository variables, or None when git is missing,
    fails to start or times out."""
    env = {k: v for k, v in os.environ.items() if k not in _LOCATING_VARIABLES}
    # English messages, which callers recognize.
    env.update(LC_ALL="C", GIT_OPTIONAL_LOCKS="0")
    try:
        return subprocess.run(
            ["git", "-C", str(folder), *args],
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def checkout_commit(path: Path) -> str | None:
    """The commit checked out at ``path`` (a file or folder inside a git work tree), or
    ``None`` when it is not in one or git is not installed.  Reads only; never writes."""
    folder = path if path.is_dir() else path.parent
    done = run_git(folder, ["rev-parse", "--verify", "HEAD"], _TIMEOUT_SECONDS)
    if done is None or done.returncode != 0:
        return None
    commit = done.stdout.decode("ascii", "replace").strip()
    # SHA-1 or SHA-256 object names.
    return commit if len(commit) in (40, 64) else None
