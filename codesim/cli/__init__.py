"""The ``codesim`` command line: a thin translator from flags to the API and back to text.

``main`` is the console-script entry point (``codesim = "codesim.cli:main"``) and what
``python -m codesim`` runs.
"""

from __future__ import annotations

from codesim.cli.app import app


def main() -> None:
    """Run the command line; exits with the contract's exit code."""
    app(prog_name="codesim")
