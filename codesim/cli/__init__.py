"""The ``codesim`` command line: a thin translator from flags to the API and back to text.

``main`` is the console-script entry point (``codesim = "codesim.cli:main"``) and what
``python -m codesim`` runs.
"""

from __future__ import annotations

import gc
import os

# numpy's OpenBLAS starts a thread per core when imported, which spins for about 0.1 s of CPU
# before it sleeps; nothing codesim multiplies needs a second thread (``cross`` at N = 400:
# user CPU 1.67 -> 1.58 s, wall time the same, the other core being idle then).  A value
# the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# The command line imports everything it may run, at once and for the whole process: the
# cycle collector's passes over those objects (all long-lived) cost 40-60 ms of every start,
# so it pauses meanwhile and they are frozen out of its later passes.
_collecting = gc.isenabled()
gc.disable()
try:
    from codesim.cli.app import app
finally:
    gc.freeze()
    if _collecting:
        gc.enable()


def main() -> None:
    """Run the command line; exits with the contract's exit code."""
    try:
        app(prog_name="codesim")
    finally:
        # The interpreter's last collection, at exit, walks every object still alive, none
        # of them garbage by then: 50-70 ms of every run.  Frozen objects are left out of
        # it (files are closed and workers joined before this; stdout is flushed at exit).
        gc.freeze()
