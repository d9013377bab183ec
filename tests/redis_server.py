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


@contextlib.contextmanager
def redis_server(timeout: float = 10.0) -> Iterator[str]:
    """A ``redis-server`` on a free loopback port, without persistence, in a temporary
    folder; yields its ``redis://`` URL and stops it on exit."""
    import redis

    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory() as folder:
        command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", folder]
        command += ["--save", "", "--appendonly", "no"]
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
