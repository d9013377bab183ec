"""Running git on an input path, read-only, and what it knows of it: the commit checked out;
and the one runner that writes, for the clones in codesim's cache."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Mapping
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
    env = _environment()
    env.update(GIT_OPTIONAL_LOCKS="0")
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


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _LOCATING_VARIABLES}
    # English messages, which callers recognize.
    env["LC_ALL"] = "C"
    return env


# Configuration for commands that fetch a stranger's repository: no hook may run (a hooks
# path in the user's configuration would otherwise run on checkout), no submodule is fetched
# (each is another URL, fetched with the user's credentials), no fsmonitor daemon is started,
# and the ``ext::`` transport, which runs a command named in the URL, stays forbidden.
_SAFE_CONFIG = (
    "-c",
    f"core.hooksPath={os.devnull}",
    "-c",
    "submodule.recurse=false",
    "-c",
    "fetch.recurseSubmodules=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "protocol.ext.allow=never",
)


def run_git_writer(
    folder: Path, args: list[str], timeout: float, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """``git -C folder args...`` for commands that write (init, fetch, checkout) in a folder
    codesim owns: hooks, submodules and the ``ext::`` transport off, no prompt for credentials
    (a prompt would hang a run in CI), ssh in batch mode unless the user chose an ssh command.

    Git runs in its own process group, so a timeout or an interrupt also ends the helpers it
    started (``git-remote-https``, ``ssh``).  Raises ``OSError`` when git cannot start and
    ``subprocess.TimeoutExpired`` after ``timeout`` seconds; a failing command is returned with
    its exit status and messages."""
    full_env = _environment()
    full_env.update(GIT_TERMINAL_PROMPT="0", GCM_INTERACTIVE="never")
    if "GIT_SSH_COMMAND" not in full_env and "GIT_SSH" not in full_env:
        full_env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    full_env.update(env or {})
    command = ["git", *_SAFE_CONFIG, "-C", str(folder), *args]
    with subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=full_env,
        start_new_session=True,
    ) as process:
        try:
            out, err = process.communicate(timeout=timeout)
        except BaseException:
            # Whatever stops the wait (a timeout, Ctrl-C) must not leave git fetching alone.
            _kill_group(process)
            raise
    return subprocess.CompletedProcess(command, process.returncode, out, err)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()
    process.wait()


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
