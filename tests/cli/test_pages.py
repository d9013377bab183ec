"""The command line's process asks for transparent huge pages for its C heap
(``cli.huge_heap``), and the processes it forks inherit them.

Each check runs in a fresh interpreter: the allocator's settings are the whole process's,
and pytest's own process must keep its own.  What is checked is what the kernel reports in
``/proc/self/smaps``: a heap mapping flagged ``hg`` (advised as huge pages), holding the
end of a 16 MiB block allocated afterwards.  Whether the kernel then backs it with huge pages
depends on the memory it has free, so that is not asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from codesim import compiled

REPO = Path(__file__).resolve().parents[2]

_PROBE = """
import ctypes, os, sys
from codesim.cli import huge_heap

def advised_heap():
    spans, span = [], None
    with open("/proc/self/smaps") as smaps:
        for line in smaps:
            fields = line.split()
            if "-" in fields[0] and not fields[0].endswith(":"):
                span = fields[0] if fields[-1] == "[heap]" else None
            elif fields[0] == "VmFlags:" and span and "hg" in fields[1:]:
                start, end = (int(x, 16) for x in span.split("-"))
                spans.append((start, end))
    return spans

def inside(address, spans):
    return any(start <= address < end for start, end in spans)

done = huge_heap()
block = bytearray(16 << 20)
# Its end: the heap's first bytes may sit below the advised stretch's first whole huge page.
address = ctypes.addressof((ctypes.c_char * len(block)).from_buffer(block)) + len(block) - 1
pid = os.fork()
if pid == 0:
    os._exit(0 if inside(address, advised_heap()) else 1)
_, status = os.waitpid(pid, 0)
print(done, inside(address, advised_heap()), os.waitstatus_to_exitcode(status) == 0)
"""


def _probe(**env: str) -> list[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        capture_output=True,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO), **env},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


needs_huge_pages = pytest.mark.skipif(
    not Path("/sys/kernel/mm/transparent_hugepage/enabled").exists()
    or compiled.PURE_PYTHON
    or compiled.load(compiled.PAGES) is None,
    reason="no transparent huge pages here, or cli._pages is not built",
)


@needs_huge_pages
def test_the_heap_is_advised_as_huge_pages_and_forked_processes_inherit_it() -> None:
    assert _probe() == ["True", "True", "True"]


@needs_huge_pages
def test_pure_python_leaves_the_heap_as_it_was() -> None:
    assert _probe(CODESIM_PURE_PYTHON="1") == ["False", "False", "False"]


def test_the_pad_is_checked() -> None:
    pages = compiled.load(compiled.PAGES)
    if pages is None:
        pytest.skip("cli._pages is not built")
    with pytest.raises(ValueError, match="pad must be at least 2 MiB and under 1 GiB"):
        pages.huge_heap(4096)
    with pytest.raises(ValueError, match="under 1 GiB"):
        pages.huge_heap(1 << 30)
