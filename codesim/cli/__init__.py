"""The ``codesim`` command line: a thin translator from flags to the API and back to text.

``run`` is the process: the console script (``codesim = "codesim.cli:run"``) and what
``python -m codesim`` runs; ``main`` is what to call from Python.
"""

from __future__ import annotations

import gc
import os
import sys
from typing import NoReturn

from codesim import compiled

# numpy's OpenBLAS starts a thread per core when imported, which spins for about 0.1 s of CPU
# before it sleeps; nothing codesim multiplies needs a second thread (``cross`` at N = 400:
# user CPU 1.67 -> 1.58 s, wall time the same, the other core being idle then).  A value
# the user set is kept.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def main() -> None:
    """Run the command line; exits with the contract's exit code."""
    # The collector stays paused for the whole command, imports included: the command line's
    # modules are all long-lived (its passes over them cost 40-60 ms of every start), and
    # re-enabled after an API call, which pauses it too, its first pass walked everything the
    # call had made and still held (``cross``: 5 ms at N = 100, 17 ms at N = 400, medians of
    # 30 and 10 interleaved runs) while the command was only printing its report.
    collecting = gc.isenabled()
    gc.disable()
    try:
        from codesim.cli.app import app

        app(prog_name="codesim")
    finally:
        # The interpreter's last collection, at exit, walks every object still alive, none
        # of them garbage by then: 50-70 ms of every run.  Frozen objects are left out of
        # it (files are closed and workers joined before this; stdout is flushed at exit).
        gc.freeze()
        if collecting:
            gc.enable()


def run() -> NoReturn:
    """The ``codesim`` process (console script and ``python -m codesim``): ``main``, then
    the process ends without tearing the interpreter down.

    Everything the run wrote is closed by then and its children joined; what the teardown
    would do is free every module's objects one by one (``cross`` at N = 400: 18 ms of a
    1.0 s run, medians of 30 interleaved runs).  An exception ``main`` does not turn into
    an exit code leaves the usual way, with its traceback.  ``main`` is what to call from
    Python: this does not return.
    """
    huge_heap()
    if _command(sys.argv[1:]) == "cross" and not {"-h", "--help"} & set(sys.argv):
        # Its first reading child imports the reading stages, then reads the submissions it
        # expects, while this process parses the flags and imports the rest.
        from codesim.api import prestart_cross

        prestart_cross(_cross_paths(sys.argv[1:]))
    try:
        main()
        code = 0
    except SystemExit as stop:
        code = _exit_code(stop.code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (``codesim ... | head``): Python's own exit code for it
        code = 120
    os._exit(code)


HEAP_PAD = 64 << 20
"""How far ``huge_heap`` grows the heap at once: more than ``cross`` at N = 100 or 400 uses
of it.  64 against 256 MiB at N = 400: 0.763 against 0.775 s (10 interleaved runs)."""


def huge_heap() -> bool:
    """Have this process's C heap, and that of the processes it forks, use transparent huge
    pages where the system has them (``cli._pages.huge_heap``, ``HEAP_PAD``); whether it
    does.  Only for a process of the command line's own (``run``), as the allocator's
    settings are the process's.

    ``cross`` at N = 100 faulted 23,400-24,700 times, most of them in the heap's fresh 4 KB
    pages; with this, about 11,700 (``perf stat``, 20 runs each way).  0.402 -> 0.384 s wall
    and 0.719 -> 0.691 s CPU (medians of 30 interleaved runs); at N = 400, 0.792 -> 0.772 s
    (12 runs); at N = 1,600 and 5,000 the same within noise, with 6% and 4% more memory at
    the peak (the benchmark's, round against round).
    """
    pages = compiled.load(compiled.PAGES)
    return pages is not None and bool(pages.huge_heap(HEAP_PAD))


def _command(arguments: list[str]) -> str | None:
    """The command a command line names: its first argument that is not an option (the
    group's own options take no value)."""
    return next((argument for argument in arguments if not argument.startswith("-")), None)


_CROSS_FLAGS = frozenset(
    {"--json", "--no-gitignore", "--include-generated", "--verbose", "-v", "--quiet", "-q"}
)
"""``cross``'s options that take no value (a test holds this to the command's own)."""


def _cross_paths(arguments: list[str]) -> list[str]:
    """The paths a ``cross`` command line gives, as far as they can be told before its parser
    is imported: the arguments after the command that are neither an option nor an option's
    value.  Only a guess (``api.prestart_cross``): the parser decides."""
    rest = arguments[arguments.index("cross") + 1 :]
    paths: list[str] = []
    value_next = False
    for index, argument in enumerate(rest):
        if value_next:
            value_next = False
        elif argument == "--":
            return paths + rest[index + 1 :]
        elif argument.startswith("-"):
            value_next = argument not in _CROSS_FLAGS and "=" not in argument
        else:
            paths.append(argument)
    return paths


def _exit_code(given: object) -> int:
    """The status ``sys.exit(given)`` ends a process with (a message is printed first)."""
    if given is None:
        return 0
    if isinstance(given, int):
        return given & 0xFF
    print(given, file=sys.stderr)
    return 1
