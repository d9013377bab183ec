"""Worker processes end when the process that forked them is gone.

A process killed with ``SIGKILL`` (``kill -9``, the out-of-memory killer) cannot stop its
workers, and a ``ProcessPoolExecutor`` worker whose parent vanished waits forever: on its
task queue, or writing a result into a pipe that nobody reads, of which it holds the reading
end itself.  Measured before this module: every ``kill -9`` of ``codesim index add`` left its
two workers (each about 185 MB) alive for good.  Every process codesim forks runs
``exit_with_parent`` first, a daemon thread that ends the process once its parent has changed.
"""

from __future__ import annotations

import os
import threading
import time

PARENT_POLL_SECONDS = 0.5
"""How often a worker looks for its parent: an orphan outlives it by at most this long."""


def exit_with_parent(parent: int) -> None:
    """End this process within ``PARENT_POLL_SECONDS`` of ``parent`` (the pid that forked it)
    ending; meant as a pool's ``initializer`` or a child's first call."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        # Nobody is left to take this process's results; no clean-up of ours is owed.
        os._exit(1)

    threading.Thread(target=watch, name="codesim-exit-with-parent", daemon=True).start()
