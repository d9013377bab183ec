"""The standard-library modules the behaviour tests disguise and compare, in one place.

Every module here is pure Python, mid-size and present on every CPython 3.11+, so the tests
run anywhere without fixtures checked into the repo.  Modules are named by import name and
located with ``importlib`` (``string`` or ``zipfile`` may be a module or a package depending on
the version); importing a package to find a submodule is harmless for these.
"""

from __future__ import annotations

import importlib.util
import tokenize
from pathlib import Path

POSITIVE_MODULES: tuple[str, ...] = (
    "argparse",
    "textwrap",
    "configparser",
    "csv",
    "difflib",
    "fractions",
    "heapq",
    "bisect",
    "calendar",
    "shlex",
    "string",
    "json.decoder",
    "json.encoder",
    "tomllib._parser",
    "ipaddress",
    "statistics",
    "pprint",
    "dataclasses",
    "functools",
    "colorsys",
    "glob",
    "fnmatch",
    "html.parser",
    "base64",
    "gettext",
)
"""Disguised and compared with their originals: detection must see through the disguise."""

NEGATIVE_MODULES: tuple[str, ...] = (
    *POSITIVE_MODULES,
    "shutil",
    "tempfile",
    "queue",
    "sched",
    "getopt",
    "netrc",
    "mimetypes",
    "quopri",
    "reprlib",
    "graphlib",
)
"""Independent modules: every pair of them must score as independent."""

SAME_PURPOSE_PAIRS: tuple[tuple[str, str], ...] = (
    ("json.decoder", "tomllib._parser"),
    ("configparser", "tomllib._parser"),
    ("csv", "configparser"),
    ("argparse", "getopt"),
    ("json.encoder", "pprint"),
    ("glob", "fnmatch"),
)
"""Modules written independently for the same job: shared idioms, no shared code."""


def module_path(name: str) -> Path:
    """The source file of a standard-library module, by import name."""
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        raise LookupError(f"{name} has no Python source on this interpreter")
    return Path(spec.origin)


def read_module(name: str) -> str:
    """The source text of a standard-library module (honouring its coding cookie)."""
    with tokenize.open(module_path(name)) as handle:
        return handle.read()


def file_stem(name: str) -> str:
    """A file name that keeps dotted module names apart: ``json.decoder`` -> ``json_decoder``."""
    return name.replace(".", "_")
