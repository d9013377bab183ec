"""What git knows of an input path: the commit checked out there."""

from __future__ import annotations

import subprocess
from pathlib import Path

_TIMEOUT_SECONDS = 30


def checkout_commit(path: Path) -> str | None:
    """The commit checked out at ``path`` (a file or folder inside a git work tree), or
    ``None`` when it is not in one or git is not installed.  Reads only; never writes."""
    folder = path if path.is_dir() else path.parent
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--verify", "HEAD"],
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    # SHA-1 or SHA-256 object names.
    return commit if done.returncode == 0 and len(commit) in (40, 64) else None
