"""The repos pairs are made of: standard-library packages and modules, pinned PyPI packages.

A ``Repo`` is a folder of material files: a package (``stdlib/json``, ``pypi/click``) or a
single module given a folder of its own (``stdlib/configparser.py`` -> ``configparser/``).
PyPI packages are the accuracy benchmark's pins (``corpus.PYPI_PINS``), fetched with
``corpus.fetch_pypi`` into the git-ignored ``.cache/pypi/``.

``REPO_GROUPS`` lists repos doing the same job (independent pairs are drawn within a group);
``corpus.KNOWN_DERIVATIVES`` and ``corpus.copy_evidence`` keep copies out of them.
"""

from __future__ import annotations

import ast
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from benchmarks.accuracy import config, corpus
from benchmarks.repos.derive import material_files

STDLIB_PACKAGES: tuple[str, ...] = (
    # Multi-file pure-Python packages; ctypes, curses, tkinter, idlelib (C wrappers, GUI) and
    # encodings (generated tables) are poor material and left out.
    "json",
    "email",
    "http",
    "urllib",
    "xml/etree",
    "xml/dom",
    "xml/sax",
    "xmlrpc",
    "html",
    "logging",
    "unittest",
    "importlib",
    "concurrent/futures",
    "wsgiref",
    "dbm",
    "sqlite3",
    "tomllib",
    "asyncio",
    "multiprocessing",
    "collections",
    "re",
    "zoneinfo",
)
STDLIB_MODULES: tuple[str, ...] = (
    # Single modules big enough to split and move things around in.
    "argparse.py",
    "optparse.py",
    "getopt.py",
    "cmd.py",
    "configparser.py",
    "plistlib.py",
    "csv.py",
    "netrc.py",
    "shlex.py",
    "tokenize.py",
    "pickle.py",
    "pprint.py",
    "textwrap.py",
    "difflib.py",
    "calendar.py",
    "datetime.py",
    "_strptime.py",
    "dataclasses.py",
    "enum.py",
    "ast.py",
    "string.py",
    "threading.py",
    "queue.py",
    "sched.py",
    "doctest.py",
    "pdb.py",
    "bdb.py",
    "trace.py",
    "timeit.py",
    "profile.py",
    "pstats.py",
    "smtplib.py",
    "ftplib.py",
    "imaplib.py",
    "poplib.py",
    "nntplib.py",
    "tarfile.py",
    "zipfile.py",
    "gzip.py",
    "mimetypes.py",
    "ipaddress.py",
    "fractions.py",
    "statistics.py",
    "shutil.py",
    "pathlib.py",
)
PYPI_FOLDERS: dict[str, str] = {
    # distribution -> the folder (or single module) inside the unpacked wheel
    "attrs": "attr",
    "click": "click",
    "configobj": "configobj",
    "docopt": "docopt.py",
    "isodate": "isodate",
    "jmespath": "jmespath",
    "json5": "json5",
    "markdown": "markdown",
    "mistune": "mistune",
    "ply": "ply",
    "python-dateutil": "dateutil",
    "rfc3986": "rfc3986",
    "sqlparse": "sqlparse",
    "tabulate": "tabulate",
    "texttable": "texttable.py",
    "toml": "toml",
    "tomli": "tomli",
    "tomli-w": "tomli_w",
}

REPO_GROUPS: dict[str, tuple[str, ...]] = {
    # Same job, different code; extends corpus.LOOKALIKE_GROUPS to whole packages.
    "data formats": (
        "stdlib/json",
        "stdlib/tomllib",
        "stdlib/configparser.py",
        "stdlib/plistlib.py",
        "stdlib/csv.py",
        "stdlib/netrc.py",
        "stdlib/pickle.py",
        "stdlib/xml/etree",
        "stdlib/xml/dom",
        "stdlib/xml/sax",
        "pypi/toml",
        "pypi/tomli",
        "pypi/tomli-w",
        "pypi/json5",
        "pypi/configobj",
    ),
    "CLI front ends": (
        "stdlib/argparse.py",
        "stdlib/optparse.py",
        "stdlib/getopt.py",
        "stdlib/cmd.py",
        "pypi/click",
        "pypi/docopt",
    ),
    "markup": ("pypi/markdown", "pypi/mistune", "stdlib/html", "stdlib/xml/sax"),
    "date and time": (
        "pypi/python-dateutil",
        "pypi/isodate",
        "stdlib/datetime.py",
        "stdlib/calendar.py",
        "stdlib/_strptime.py",
        "stdlib/zoneinfo",
    ),
    "URL and HTTP": (
        "pypi/rfc3986",
        "stdlib/urllib",
        "stdlib/http",
        "stdlib/wsgiref",
        "stdlib/mimetypes.py",
        "stdlib/xmlrpc",
    ),
    "tables and text layout": (
        "pypi/tabulate",
        "pypi/texttable",
        "stdlib/textwrap.py",
        "stdlib/pprint.py",
        "stdlib/difflib.py",
    ),
    "parsers and lexers": (
        "pypi/ply",
        "pypi/sqlparse",
        "pypi/jmespath",
        "stdlib/tokenize.py",
        "stdlib/shlex.py",
        "stdlib/re",
        "stdlib/ast.py",
        "stdlib/string.py",
    ),
    "record and class builders": (
        "pypi/attrs",
        "stdlib/dataclasses.py",
        "stdlib/enum.py",
        "stdlib/collections",
    ),
    "concurrency": (
        "stdlib/asyncio",
        "stdlib/concurrent/futures",
        "stdlib/multiprocessing",
        "stdlib/threading.py",
        "stdlib/queue.py",
        "stdlib/sched.py",
    ),
    "test and debug tools": (
        "stdlib/unittest",
        "stdlib/doctest.py",
        "stdlib/pdb.py",
        "stdlib/bdb.py",
        "stdlib/trace.py",
        "stdlib/timeit.py",
        "stdlib/profile.py",
        "stdlib/pstats.py",
    ),
    "protocol clients": (
        "stdlib/smtplib.py",
        "stdlib/ftplib.py",
        "stdlib/imaplib.py",
        "stdlib/poplib.py",
        "stdlib/nntplib.py",
        "stdlib/http",
        "stdlib/xmlrpc",
    ),
    "archives and files": (
        "stdlib/tarfile.py",
        "stdlib/zipfile.py",
        "stdlib/gzip.py",
        "stdlib/shutil.py",
        "stdlib/pathlib.py",
    ),
    "storage": ("stdlib/dbm", "stdlib/sqlite3", "stdlib/pickle.py"),
}


@dataclass(frozen=True)
class Repo:
    """One repo of material."""

    key: str
    """``stdlib/json``, ``stdlib/configparser.py``, ``pypi/click``: names it in manifests."""
    root: Path
    """The folder holding the material (a single module's own folder is its parent)."""
    files: tuple[str, ...]
    """The material files, POSIX paths relative to ``root``."""
    name: str
    """The folder name the pair's sides are written under (``json``, ``configparser``)."""
    corpus_keys: tuple[str, ...]
    """The files as ``corpus`` keys (``stdlib/json/decoder.py``), for ``known_derivatives``."""
    version: str = ""

    @cached_property
    def lines(self) -> int:
        return sum(len(corpus.read_source(self.root / f).splitlines()) for f in self.files)

    def text(self) -> str:
        """Every file, in order: what ``copy_evidence`` compares."""
        return "\n".join(corpus.read_source(self.root / f) for f in self.files)

    @property
    def origin(self) -> str:
        if self.key.startswith("pypi/"):
            dist = self.key.split("/")[1]
            return f"{self.key} ({dist}=={self.version})"
        return self.key

    @property
    def half(self) -> int:
        """Which half of the material this repo belongs to (``config.partition_of``)."""
        return corpus.module_half(f"repo:{self.key}")


def _usable(root: Path, files: list[str]) -> list[str]:
    """Files that parse and compile (a package must survive ``ast`` round trips)."""
    out = []
    for rel in files:
        source = corpus.read_source(root / rel)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                compile(ast.parse(source), rel, "exec")
            except (SyntaxError, ValueError):
                continue
        out.append(rel)
    return out


def _repo(key: str, path: Path, corpus_prefix: str, version: str = "") -> Repo | None:
    if path.is_file():
        root, files = path.parent, [path.name]
        name = path.stem
    elif path.is_dir():
        root, files = path, material_files(path)
        name = path.name
    else:
        return None
    files = _usable(root, files)
    if not files:
        return None
    keys = tuple(f"{corpus_prefix}/{f}" for f in files)
    return Repo(key, root, tuple(files), name, keys, version)


def load_repos(*, fetch: bool = True) -> list[Repo]:
    """Every repo of material on this machine (fetching the pinned PyPI packages first)."""
    if fetch:
        corpus.fetch_pypi()
    stdlib = corpus.stdlib_root()
    repos: list[Repo | None] = []
    for rel in (*STDLIB_PACKAGES, *STDLIB_MODULES):
        prefix = "stdlib" if rel.endswith(".py") else f"stdlib/{rel}"
        repos.append(_repo(f"stdlib/{rel}", stdlib / rel, prefix))
    versions = dict(corpus.PYPI_PINS)
    for dist, folder in PYPI_FOLDERS.items():
        version = versions[dist]
        unpacked = config.PYPI_DIR / "src" / f"{dist}-{version}"
        prefix = f"pypi/{dist}" if folder.endswith(".py") else f"pypi/{dist}/{folder}"
        repos.append(_repo(f"pypi/{dist}", unpacked / folder, prefix, version))
    return [r for r in repos if r is not None]


def same_project(a: Repo, b: Repo) -> bool:
    """Two sub-packages of one package (``xml/etree``, ``xml/dom``) are one author's work."""

    def top(repo: Repo) -> str:
        parts = repo.key.split("/")
        return "/".join(parts[:2])

    return top(a) == top(b)


def known_derivative(a: Repo, b: Repo) -> bool:
    """Whether any file of one is listed as a copy of a file of the other."""
    return any(corpus.known_derivatives(x, y) for x in a.corpus_keys for y in b.corpus_keys)
