"""``python -m codesim``: the same command line as the ``codesim`` script."""

from __future__ import annotations

from codesim.cli import run

if __name__ == "__main__":
    run()
