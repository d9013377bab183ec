"""The source material: this machine's standard library and pinned pure-Python PyPI packages.

Every file is a ``Module`` with a stable ``key`` (``stdlib/json/decoder.py``,
``pypi/toml/toml/decoder.py``) that names it in manifests and decides which half of the pool it
belongs to (``module_half``): the tuning seed takes its positives from one half and the
held-out seed from the other, so held-out positives come from modules never seen in tuning.

PyPI packages are fetched with ``pip download --no-deps`` into the git-ignored ``.cache/pypi/``
and unpacked there.  They are never installed and never committed.

The look-alike groups (different code doing the same job) and the known derivatives (real
copies that must never be called negatives) are curated here, in one place.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import re
import subprocess
import sys
import sysconfig
import tarfile
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from benchmarks.accuracy.config import MAX_LINES, MIN_LINES, PYPI_DIR

PYPI_PINS: tuple[tuple[str, str], ...] = (
    # (distribution, exact version): pure-Python packages with look-alike value.  None is a fork
    # or backport of a stdlib module, except tomli, which *is* stdlib tomllib (vendored): it is
    # kept as look-alike material for other TOML/INI parsers and listed in KNOWN_DERIVATIVES.
    ("attrs", "23.2.0"),
    ("click", "8.1.7"),
    ("configobj", "5.0.8"),
    ("docopt", "0.6.2"),
    ("isodate", "0.6.1"),
    ("jmespath", "1.0.1"),
    ("json5", "0.9.25"),
    ("markdown", "3.6"),
    ("mistune", "3.0.2"),
    ("ply", "3.11"),
    ("python-dateutil", "2.9.0.post0"),
    ("rfc3986", "2.0.0"),
    ("sqlparse", "0.5.0"),
    ("tabulate", "0.9.0"),
    ("texttable", "1.7.0"),
    ("toml", "0.10.2"),
    ("tomli", "2.0.1"),
    ("tomli-w", "1.0.0"),
)

# --------------------------------------------------------------------------------------------
# curated groups: one job each; negatives are pairs within a group from different packages

LOOKALIKE_GROUPS: dict[str, tuple[str, ...]] = {
    "data-format parsers": (
        "stdlib/json/decoder.py",
        "stdlib/json/scanner.py",
        "stdlib/tomllib/_parser.py",
        "stdlib/configparser.py",
        "stdlib/netrc.py",
        "stdlib/csv.py",
        "stdlib/shlex.py",
        "stdlib/plistlib.py",
        "stdlib/xdrlib.py",
        "stdlib/mailcap.py",
        "stdlib/email/feedparser.py",
        "stdlib/html/parser.py",
        "stdlib/_markupbase.py",
        "stdlib/xml/dom/expatbuilder.py",
        "stdlib/xml/dom/pulldom.py",
        "stdlib/email/_parseaddr.py",
        "pypi/toml/toml/decoder.py",
        "pypi/tomli/tomli/_parser.py",
        "pypi/json5/json5/lib.py",
        "pypi/configobj/configobj/__init__.py",
        "pypi/jmespath/jmespath/lexer.py",
        "pypi/markdown/markdown/htmlparser.py",
    ),
    "serializers": (
        "stdlib/json/encoder.py",
        "stdlib/plistlib.py",
        "stdlib/pprint.py",
        "stdlib/reprlib.py",
        "stdlib/xml/sax/saxutils.py",
        "stdlib/email/generator.py",
        "stdlib/xdrlib.py",
        "stdlib/pickle.py",
        "stdlib/copyreg.py",
        "stdlib/shelve.py",
        "stdlib/xml/etree/ElementTree.py",
        "stdlib/xml/dom/minidom.py",
        "pypi/toml/toml/encoder.py",
        "pypi/tomli-w/tomli_w/_writer.py",
        "pypi/markdown/markdown/serializers.py",
        "pypi/json5/json5/lib.py",
        "pypi/mistune/mistune/renderers/*.py",
        "pypi/sqlparse/sqlparse/filters/output.py",
    ),
    "CLI front ends": (
        "stdlib/argparse.py",
        "stdlib/optparse.py",
        "stdlib/getopt.py",
        "stdlib/cmd.py",
        "stdlib/json/tool.py",
        "stdlib/zipapp.py",
        "stdlib/py_compile.py",
        "stdlib/compileall.py",
        "stdlib/timeit.py",
        "stdlib/trace.py",
        "stdlib/pydoc.py",
        "stdlib/webbrowser.py",
        "stdlib/unittest/main.py",
        "stdlib/venv/__init__.py",
        "stdlib/ensurepip/__init__.py",
        "pypi/docopt/docopt.py",
        "pypi/click/click/parser.py",
        "pypi/click/click/decorators.py",
        "pypi/json5/json5/arg_parser.py",
        "pypi/json5/json5/tool.py",
        "pypi/sqlparse/sqlparse/cli.py",
        "pypi/markdown/markdown/__main__.py",
        "pypi/mistune/mistune/__main__.py",
        "pypi/jmespath/*/scripts/jp.py",
    ),
    "lexers and tokenizers": (
        "stdlib/tokenize.py",
        "stdlib/shlex.py",
        "stdlib/re/_parser.py",
        "stdlib/lib2to3/pgen2/tokenize.py",
        "stdlib/lib2to3/pgen2/pgen.py",
        "stdlib/json/scanner.py",
        "stdlib/tomllib/_re.py",
        "pypi/jmespath/jmespath/lexer.py",
        "pypi/sqlparse/sqlparse/lexer.py",
        "pypi/sqlparse/sqlparse/engine/statement_splitter.py",
        "pypi/ply/ply/lex.py",
        "pypi/ply/ply/cpp.py",
        "pypi/tomli/tomli/_re.py",
        "pypi/mistune/mistune/inline_parser.py",
    ),
    "expression and document parsers": (
        "stdlib/ast.py",
        "stdlib/lib2to3/pgen2/driver.py",
        "stdlib/email/parser.py",
        "stdlib/html/parser.py",
        "stdlib/xml/etree/ElementPath.py",
        "stdlib/string.py",
        "stdlib/fnmatch.py",
        "stdlib/glob.py",
        "stdlib/gettext.py",
        "pypi/jmespath/jmespath/parser.py",
        "pypi/jmespath/jmespath/visitor.py",
        "pypi/sqlparse/sqlparse/engine/grouping.py",
        "pypi/sqlparse/sqlparse/sql.py",
        "pypi/mistune/mistune/block_parser.py",
        "pypi/mistune/mistune/list_parser.py",
        "pypi/markdown/markdown/blockprocessors.py",
        "pypi/markdown/markdown/inlinepatterns.py",
        "pypi/markdown/markdown/blockparser.py",
        "pypi/markdown/markdown/treeprocessors.py",
    ),
    "date and time": (
        "stdlib/_strptime.py",
        "stdlib/datetime.py",
        "stdlib/calendar.py",
        "stdlib/email/utils.py",
        "stdlib/email/_parseaddr.py",
        "stdlib/http/cookiejar.py",
        "stdlib/zoneinfo/_zoneinfo.py",
        "stdlib/zoneinfo/_common.py",
        "stdlib/imaplib.py",
        "pypi/python-dateutil/dateutil/parser/_parser.py",
        "pypi/python-dateutil/dateutil/parser/isoparser.py",
        "pypi/python-dateutil/dateutil/relativedelta.py",
        "pypi/python-dateutil/dateutil/tz/_common.py",
        "pypi/python-dateutil/dateutil/tz/tz.py",
        "pypi/python-dateutil/dateutil/rrule.py",
        "pypi/python-dateutil/dateutil/easter.py",
        "pypi/isodate/isodate/*.py",
    ),
    "URL and HTTP helpers": (
        "stdlib/urllib/parse.py",
        "stdlib/urllib/request.py",
        "stdlib/urllib/response.py",
        "stdlib/urllib/robotparser.py",
        "stdlib/http/client.py",
        "stdlib/http/cookies.py",
        "stdlib/http/server.py",
        "stdlib/nturl2path.py",
        "stdlib/wsgiref/util.py",
        "stdlib/wsgiref/headers.py",
        "stdlib/wsgiref/simple_server.py",
        "stdlib/wsgiref/handlers.py",
        "stdlib/mimetypes.py",
        "stdlib/ipaddress.py",
        "stdlib/webbrowser.py",
        "pypi/rfc3986/rfc3986/*.py",
    ),
    "tables and text layout": (
        "stdlib/textwrap.py",
        "stdlib/pprint.py",
        "stdlib/string.py",
        "stdlib/difflib.py",
        "stdlib/calendar.py",
        "stdlib/pstats.py",
        "stdlib/cgitb.py",
        "pypi/tabulate/tabulate/__init__.py",
        "pypi/texttable/texttable.py",
        "pypi/click/click/formatting.py",
        "pypi/click/click/_textwrap.py",
        "pypi/click/click/termui.py",
        "pypi/markdown/markdown/extensions/tables.py",
        "pypi/mistune/mistune/plugins/table.py",
        "pypi/sqlparse/sqlparse/filters/reindent.py",
        "pypi/sqlparse/sqlparse/filters/aligned_indent.py",
        "pypi/sqlparse/sqlparse/formatter.py",
    ),
    "record and class builders": (
        "stdlib/dataclasses.py",
        "stdlib/enum.py",
        "stdlib/collections/__init__.py",
        "stdlib/functools.py",
        "stdlib/abc.py",
        "stdlib/_py_abc.py",
        "stdlib/types.py",
        "stdlib/copy.py",
        "pypi/attrs/attr/_next_gen.py",
        "pypi/attrs/attr/_funcs.py",
        "pypi/attrs/attr/validators.py",
        "pypi/attrs/attr/converters.py",
        "pypi/attrs/attr/_cmp.py",
        "pypi/attrs/attr/setters.py",
        "pypi/attrs/attr/filters.py",
    ),
    "encoders and checksums": (
        "stdlib/base64.py",
        "stdlib/quopri.py",
        "stdlib/uu.py",
        "stdlib/encodings/idna.py",
        "stdlib/encodings/punycode.py",
        "stdlib/email/base64mime.py",
        "stdlib/email/quoprimime.py",
        "stdlib/email/encoders.py",
        "stdlib/email/charset.py",
        "stdlib/codecs.py",
        "stdlib/hashlib.py",
        "stdlib/hmac.py",
        "stdlib/secrets.py",
        "stdlib/uuid.py",
    ),
    "archives and compression": (
        "stdlib/gzip.py",
        "stdlib/bz2.py",
        "stdlib/lzma.py",
        "stdlib/zipfile.py",
        "stdlib/tarfile.py",
        "stdlib/_compression.py",
        "stdlib/zipapp.py",
        "stdlib/zipimport.py",
        "stdlib/shutil.py",
        "stdlib/chunk.py",
        "stdlib/aifc.py",
        "stdlib/sunau.py",
        "stdlib/wave.py",
        "stdlib/sndhdr.py",
        "stdlib/imghdr.py",
    ),
    "protocol clients and servers": (
        "stdlib/ftplib.py",
        "stdlib/poplib.py",
        "stdlib/imaplib.py",
        "stdlib/smtplib.py",
        "stdlib/nntplib.py",
        "stdlib/telnetlib.py",
        "stdlib/smtpd.py",
        "stdlib/asynchat.py",
        "stdlib/asyncore.py",
        "stdlib/socketserver.py",
        "stdlib/xmlrpc/client.py",
        "stdlib/xmlrpc/server.py",
        "stdlib/http/client.py",
        "stdlib/http/server.py",
        "stdlib/wsgiref/simple_server.py",
        "stdlib/multiprocessing/connection.py",
    ),
    "paths and files": (
        "stdlib/posixpath.py",
        "stdlib/ntpath.py",
        "stdlib/genericpath.py",
        "stdlib/pathlib.py",
        "stdlib/glob.py",
        "stdlib/fnmatch.py",
        "stdlib/os.py",
        "stdlib/shutil.py",
        "stdlib/tempfile.py",
        "stdlib/filecmp.py",
        "stdlib/fileinput.py",
        "stdlib/linecache.py",
        "stdlib/pkgutil.py",
        "stdlib/modulefinder.py",
        "stdlib/importlib/resources/_common.py",
        "stdlib/importlib/_bootstrap_external.py",
        "stdlib/zipimport.py",
    ),
    "debuggers, profilers, runners": (
        "stdlib/bdb.py",
        "stdlib/pdb.py",
        "stdlib/profile.py",
        "stdlib/cProfile.py",
        "stdlib/trace.py",
        "stdlib/timeit.py",
        "stdlib/tracemalloc.py",
        "stdlib/pstats.py",
        "stdlib/doctest.py",
        "stdlib/unittest/runner.py",
        "stdlib/unittest/loader.py",
        "stdlib/unittest/case.py",
        "stdlib/unittest/suite.py",
        "stdlib/code.py",
        "stdlib/codeop.py",
        "stdlib/runpy.py",
        "stdlib/traceback.py",
    ),
    "containers and scheduling": (
        "stdlib/heapq.py",
        "stdlib/bisect.py",
        "stdlib/queue.py",
        "stdlib/sched.py",
        "stdlib/graphlib.py",
        "stdlib/weakref.py",
        "stdlib/_weakrefset.py",
        "stdlib/_collections_abc.py",
        "stdlib/collections/__init__.py",
        "stdlib/functools.py",
        "stdlib/statistics.py",
        "stdlib/fractions.py",
        "stdlib/random.py",
        "stdlib/_threading_local.py",
        "stdlib/contextlib.py",
        "stdlib/threading.py",
        "stdlib/concurrent/futures/_base.py",
        "stdlib/concurrent/futures/thread.py",
        "stdlib/multiprocessing/pool.py",
        "stdlib/asyncio/queues.py",
        "stdlib/asyncio/locks.py",
    ),
    "markup renderers and extensions": (
        "pypi/markdown/markdown/extensions/*.py",
        "pypi/mistune/mistune/plugins/*.py",
        "pypi/mistune/mistune/directives/*.py",
        "stdlib/xml/sax/handler.py",
        "stdlib/xml/sax/expatreader.py",
        "stdlib/pydoc.py",
    ),
}

KNOWN_DERIVATIVES: tuple[tuple[str, str], ...] = (
    # Real copies: never a negative pair.
    ("stdlib/tomllib/*", "pypi/tomli/*"),  # tomllib is tomli 2.0.1, vendored
    ("stdlib/lib2to3/pgen2/tokenize.py", "stdlib/tokenize.py"),  # lib2to3 forked tokenize
    ("stdlib/sre_parse.py", "stdlib/re/_parser.py"),  # sre_parse re-exports re._parser
    ("stdlib/html/parser.py", "pypi/markdown/markdown/htmlparser.py"),  # overrides copied
    ("stdlib/_markupbase.py", "pypi/markdown/markdown/htmlparser.py"),
    ("stdlib/_py_abc.py", "stdlib/abc.py"),  # the pure-Python twin of the C abc
    ("stdlib/encodings/*", "stdlib/encodings/*"),  # generated from one template
)

# --------------------------------------------------------------------------------------------
# the corpus

_SKIP_DIRS = frozenset(
    {
        "site-packages",
        "dist-packages",
        "__pycache__",
        "pydoc_data",
        "lib-dynload",
        "__phello__",
        "_bundled",
        "tokenizedata",
        "data",
        "badsyntax",
    }
)
_TEST_DIRS = frozenset({"test", "tests", "idle_test"})
_GENERATED_HEADER = re.compile(r"(?i)generated\b|do not edit|autogenerated")


@dataclass(frozen=True)
class Module:
    """One source file of the corpus."""

    key: str
    """``stdlib/<path>`` or ``pypi/<dist>/<path>``: stable across machines of one Python."""
    path: Path
    corpus: str
    """``stdlib`` or ``pypi``."""
    package: str
    """What counts as "the same project": ``stdlib:json``, ``stdlib:argparse``, ``pypi:toml``."""
    lines: int
    is_test: bool
    """A unittest file (boilerplate material; never a positive)."""
    version: str = ""
    tree_size: int = field(default=0, compare=False)

    @property
    def origin(self) -> str:
        """The key, with the exact version for PyPI files."""
        if self.corpus == "pypi":
            dist = self.key.split("/")[1]
            return f"{self.key} ({dist}=={self.version})"
        return self.key

    def source(self) -> str:
        return read_source(self.path)


def read_source(path: Path) -> str:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.removeprefix("\ufeff")


def stable_hash(text: str) -> int:
    """A hash that is the same in every process and on every machine."""
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def module_half(key: str) -> int:
    """Which half of the pool a module belongs to (0: tuning, 1: held-out)."""
    return stable_hash(f"codesim-accuracy-split:{key}") % 2


def stdlib_root() -> Path:
    return Path(sysconfig.get_paths()["stdlib"])


def _parse(source: str) -> ast.Module | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return ast.parse(source)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None


def _is_data_table(tree: ast.Module) -> bool:
    """Mostly literals (codec tables, keyword lists, Unicode data): not code anyone disguises."""
    constants = total = 0
    for node in ast.walk(tree):
        if isinstance(node, ast.expr):
            total += 1
            constants += isinstance(node, ast.Constant)
    return total == 0 or constants / total > 0.55


def _make_module(key: str, path: Path, corpus: str, package: str, version: str) -> Module | None:
    try:
        source = read_source(path)
    except OSError:
        return None
    lines = source.count("\n") + 1
    if not MIN_LINES <= lines <= MAX_LINES:
        return None
    head = "\n".join(source.splitlines()[:5])
    if _GENERATED_HEADER.search(head):
        return None
    tree = _parse(source)
    if tree is None or _is_data_table(tree):
        return None
    try:
        compile(tree, str(path), "exec")
    except (SyntaxError, ValueError):
        return None
    parts = PurePosixPath(key).parts
    is_test = any(p in _TEST_DIRS for p in parts[:-1]) or parts[-1].startswith("test_")
    size = sum(1 for _ in ast.walk(tree))
    return Module(key, path, corpus, package, lines, is_test, version, size)


def stdlib_modules(root: Path | None = None) -> Iterator[Module]:
    """Parseable standard-library files of pair size; ``encodings/`` (generated codec tables)
    and data folders are left out, unittest files are marked ``is_test``."""
    root = root or stdlib_root()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        parts = rel.parts
        if any(p in _SKIP_DIRS or p.startswith("config-") for p in parts[:-1]):
            continue
        if parts[0] == "encodings" and parts[-1] not in {"idna.py", "punycode.py"}:
            continue
        if parts[-1].startswith(("_sysconfigdata", "badsyntax_", "bad_coding")):
            continue
        if "lib2to3" in parts and ("tests" in parts or "fixes" in parts):
            continue
        if path.is_symlink():
            continue
        stem = parts[0] if len(parts) > 1 else rel.stem
        key = "stdlib/" + rel.as_posix()
        module = _make_module(key, path, "stdlib", f"stdlib:{stem}", "")
        if module is not None:
            yield module


def pypi_modules(cache: Path = PYPI_DIR) -> Iterator[Module]:
    """The unpacked pinned packages (call ``fetch_pypi`` first)."""
    for dist, version in PYPI_PINS:
        root = _unpacked_dir(cache, dist, version)
        if not root.is_dir():
            continue
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            module = _make_module(f"pypi/{dist}/{rel}", path, "pypi", f"pypi:{dist}", version)
            if module is not None and not module.is_test:
                yield module


def load_corpus(*, fetch: bool = True, log: bool = True) -> list[Module]:
    if fetch:
        fetch_pypi(log=log)
    modules = [*stdlib_modules(), *pypi_modules()]
    if log:
        counts = Counter((m.corpus, m.is_test) for m in modules)
        print(
            f"corpus: {counts[('stdlib', False)]} stdlib modules, {counts[('stdlib', True)]} "
            f"stdlib test files, {counts[('pypi', False)]} PyPI modules "
            f"({len(PYPI_PINS)} packages)",
            file=sys.stderr,
        )
    return modules


# --------------------------------------------------------------------------------------------
# PyPI: download and unpack, never install


def _unpacked_dir(cache: Path, dist: str, version: str) -> Path:
    return cache / "src" / f"{dist}-{version}"


def fetch_pypi(cache: Path = PYPI_DIR, *, log: bool = True) -> None:
    """Download each pinned package (wheel, else sdist) and unpack its ``.py`` files."""
    for dist, version in PYPI_PINS:
        target = _unpacked_dir(cache, dist, version)
        marker = target / ".complete"
        if marker.exists():
            continue
        download = cache / "dl" / f"{dist}-{version}"
        download.mkdir(parents=True, exist_ok=True)
        archives = _archives(download)
        if not archives:
            if log:
                print(f"pypi: downloading {dist}=={version}", file=sys.stderr)
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--disable-pip-version-check",
                    "--quiet",
                    "--dest",
                    str(download),
                    f"{dist}=={version}",
                ],
                check=False,
                capture_output=True,
                text=True,
            )
            if done.returncode != 0:
                raise RuntimeError(f"pip download {dist}=={version} failed:\n{done.stderr}")
            archives = _archives(download)
        if not archives:
            raise RuntimeError(f"pip download gave no archive for {dist}=={version}")
        target.mkdir(parents=True, exist_ok=True)
        _unpack(archives[0], target)
        marker.write_text(archives[0].name + "\n")


def _archives(folder: Path) -> list[Path]:
    return sorted(
        (p for p in folder.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip"))),
        key=lambda p: (not p.name.endswith(".whl"), p.name),
    )


def _wanted(member: str, *, sdist: bool) -> str | None:
    """The path to unpack a member to, or ``None``: only ``.py`` files, no tests or docs."""
    parts = PurePosixPath(member).parts
    if sdist:
        parts = parts[1:]  # the ``name-version/`` folder
    if not parts or not parts[-1].endswith(".py") or ".." in parts:
        return None
    if any(p.endswith(".dist-info") or p in {"tests", "test", "docs", "examples"} for p in parts):
        return None
    if sdist and parts[-1] in {"setup.py", "conftest.py"}:
        return None
    if parts[-1].startswith("test_"):
        return None
    return "/".join(parts)


def _unpack(archive: Path, target: Path) -> None:
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                rel = _wanted(info.filename, sdist=archive.name.endswith(".zip"))
                if rel is not None and not info.is_dir():
                    out = target / rel
                    out.parent.mkdir(parents=True, exist_ok=True)
                    out.write_bytes(zf.read(info))
        return
    with tarfile.open(archive) as tf:
        for member in tf.getmembers():
            rel = _wanted(member.name, sdist=True)
            if rel is None or not member.isfile():
                continue
            handle = tf.extractfile(member)
            if handle is not None:
                out = target / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(handle.read())


# --------------------------------------------------------------------------------------------
# curation helpers


def match_patterns(modules: Iterable[Module], patterns: Iterable[str]) -> list[Module]:
    """Modules whose key matches any of the glob patterns, each once, in corpus order."""
    pats = tuple(patterns)
    return [m for m in modules if any(fnmatch.fnmatchcase(m.key, p) for p in pats)]


def known_derivatives(a: str, b: str) -> bool:
    """Whether two keys are listed as copies of each other (in either order)."""
    for left, right in KNOWN_DERIVATIVES:
        if fnmatch.fnmatchcase(a, left) and fnmatch.fnmatchcase(b, right):
            return True
        if fnmatch.fnmatchcase(b, left) and fnmatch.fnmatchcase(a, right):
            return True
    return False


_COMMENT_OR_BLANK = re.compile(r"^\s*(#.*)?$")


def _substantial_lines(source: str) -> list[str]:
    out = []
    for line in source.splitlines():
        if _COMMENT_OR_BLANK.match(line):
            continue
        text = " ".join(line.split())
        if len(text) >= 24:
            out.append(text)
    return out


@dataclass(frozen=True)
class CopyEvidence:
    """How much literal text two files share: a guard against negatives that are copies."""

    shared_share: float
    """Shared substantial lines (a multiset) over the smaller file's substantial lines."""
    longest_run: int
    """Longest run of consecutive shared substantial lines, in the same order on both sides."""

    @property
    def looks_copied(self) -> bool:
        return self.shared_share > 0.30 or self.longest_run >= 6


def copy_evidence(left: str, right: str) -> CopyEvidence:
    """Literal line overlap (whitespace collapsed, comments and short lines ignored)."""
    a, b = _substantial_lines(left), _substantial_lines(right)
    if not a or not b:
        return CopyEvidence(0.0, 0)
    shared = sum((Counter(a) & Counter(b)).values())
    share = shared / min(len(a), len(b))
    longest = 0
    if shared:
        positions: dict[str, list[int]] = {}
        for j, line in enumerate(b):
            positions.setdefault(line, []).append(j)
        run_at: dict[int, int] = {}
        for line in a:
            nxt: dict[int, int] = {}
            for j in positions.get(line, ()):
                nxt[j] = run_at.get(j - 1, 0) + 1
                longest = max(longest, nxt[j])
            run_at = nxt
    return CopyEvidence(share, longest)
