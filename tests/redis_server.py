"""A throw-away ``redis-server`` for the index tests and the index scale benchmark."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator


def installed() -> bool:
    """Whether the ``redis-server`` binary is on the path (``.ci/run`` installs it)."""
    return shutil.which("redis-server") is not None


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def redis_server(
    timeout: float = 10.0, *, port: int | None = None, folder: str | None = None
) -> Iterator[str]:
    """A ``redis-server`` on a free loopback port, without persistence, in a temporary
    folder; yields its ``redis://`` URL and stops it on exit.

    Given a ``port`` and a ``folder``, it listens there and keeps its data in the folder's
    append-only file, so a server started again the same way has the data back (the
    hardening tests stop and restart it).
    """
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    port = port or free_port()
    with contextlib.ExitStack() as stack:
        persist = folder is not None
        if folder is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder]
        command += ["--save", ""]
        command += (
            ["--appendonly", "yes", "--appendfsync", "always"]
            if persist
            else ["--appendonly", "no"]
        )
        with subprocess.Popen(command, stdout=subprocess.DEVNULL) as server:
            client = redis.Redis(host="127.0.0.1", port=port)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"redis-server did not start on port {port}") from None
                    time.sleep(0.05)
            client.close()
            try:
                yield f"redis://127.0.0.1:{port}/0"
            finally:
                server.terminate()
