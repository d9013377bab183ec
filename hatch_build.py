"""Build codesim's C parts (``codesim/*/_*.c``) when installing codesim.

Each is optional: whatever fails (no compiler, no network, a checksum that does not match),
the install goes on without it, with a warning, and ``normalize`` runs the pure-Python code,
which produces the same tokens (``codesim.normalize.compiled``).  ``CODESIM_NO_EXTENSION=1``
skips the build.

The compiled walk (``_cwalk.c``, which also includes ``normalize/_common.h``) needs
tree-sitter's C runtime, and reads a node's children through the runtime's internal headers
(``src/``, of the same pinned version): py-tree-sitter's binary hides
its symbols, so it is compiled from the source distribution of the very version
``constraints.txt`` pins (``TREE_SITTER``), fetched with pip into the git-ignored
``.cache/build/`` and checked against its pinned sha256; nobody's source is committed here.
``CODESIM_TREE_SITTER_SDIST`` may name the source tarball to use instead of fetching it.  With
GCC that runtime is optimized by a profile of it parsing codesim's own source
(``_runtime_profile``).  The other modules are single files needing only Python's headers
and codesim's own static headers (``normalize/_common.h``, ``fingerprint/_splitmix.h``),
included by relative path.

An editable install compiles in place; a wheel gets the extensions added.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

TREE_SITTER = "0.26.1"
TREE_SITTER_SHA256 = "9919cbaf02d17fa9a4cd0e6da496aecf901b758e6eacf122eee393e3ef08aacd"
SOURCE = "codesim/normalize/_cwalk.c"
TRAINING = "hatch_build_training.c"
"""A module built and run during the build only, to profile tree-sitter's runtime parsing
(``_runtime_profile``); never installed."""
PARTS = "codesim/*/_*.c"


class CompiledParts(BuildHookInterface):  # type: ignore[misc]
    """Compiles the walk with tree-sitter's runtime, and every other ``_*.c`` on its own."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or os.environ.get("CODESIM_NO_EXTENSION") == "1":
            return
        root = Path(self.root)
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        name = "_cwalk" + suffix
        built = False
        try:
            if version == "editable":
                build(root, root / "codesim" / "normalize" / name)
            else:
                out = root / ".cache" / "build" / "wheel" / name
                build(root, out)
                build_data["force_include"][str(out)] = f"codesim/normalize/{name}"
            built = True
        except Exception as error:  # any failure: install the pure-Python walk
            _warn(f"the compiled walk was not built ({error})")
        for source in sorted(root.glob(PARTS)):
            if source.name == Path(SOURCE).name:
                continue
            target = source.with_name(source.stem + suffix)
            try:
                compile_part(source, target)
            except Exception as error:  # any failure: install the pure-Python function
                _warn(f"{source.name} was not compiled ({error})")
                continue
            build_data["artifacts"].append(str(target.relative_to(root)))
            built = True
        if built:
            build_data["pure_python"] = False
            build_data["infer_tag"] = True


def _warn(text: str) -> None:
    print(f"codesim: {text}; the pure-Python code will run instead", file=sys.stderr)


def compile_part(source: Path, target: Path) -> None:
    """Compile one self-contained C module (it includes only Python's headers and codesim's
    static headers) into the extension ``target``."""
    # A module left from an earlier build would be loaded although it no longer matches its
    # source: a failed build must leave none.
    target.unlink(missing_ok=True)
    compiler = _compiler()
    include = sysconfig.get_paths()["include"]
    flags = ["-O2", "-fPIC", "-shared", "-std=c11", "-Wall", "-Wextra"]
    _run([compiler, *flags, f"-I{include}", str(source), "-o", str(target), *_LINK])


def build(root: Path, out: Path) -> None:
    """Compile ``SOURCE`` and tree-sitter's runtime into the extension ``out``."""
    source = root / SOURCE
    inputs = (source, source.with_name("_common.h"), Path(__file__), root / TRAINING)
    if out.exists() and out.stat().st_mtime > max(path.stat().st_mtime for path in inputs):
        return
    cache = root / ".cache" / "build"
    cache.mkdir(parents=True, exist_ok=True)
    runtime = _runtime(cache)
    compiler = _compiler()
    include = sysconfig.get_paths()["include"]
    # -O3 over -O2: parsing the cross benchmark's 400 files 0.334 -> 0.310 s (best of 5,
    # twice, both with the profile below); the walk is unchanged.  NDEBUG, as Python builds
    # its extensions: the runtime's assertions (every array access is bounds-checked
    # otherwise) are for tree-sitter's own tests.
    flags = ["-O3", "-DNDEBUG", "-fPIC", "-std=c11", "-fvisibility=hidden", "-w"]
    with tempfile.TemporaryDirectory(dir=cache) as scratch:
        lib = Path(scratch) / "lib.o"
        walk = Path(scratch) / "cwalk.o"
        compile_runtime = [
            compiler,
            *flags,
            "-D_POSIX_C_SOURCE=200112L",
            "-D_DEFAULT_SOURCE",
            f"-I{runtime / 'include'}",
            f"-I{runtime / 'src'}",
            "-c",
            str(runtime / "src" / "lib.c"),
            "-o",
            str(lib),
        ]
        _run([*compile_runtime, *_runtime_profile(root, compile_runtime, runtime, lib)])
        _run(
            [
                compiler,
                *flags,
                f'-DCODESIM_TREE_SITTER_VERSION="{TREE_SITTER}"',
                f"-I{include}",
                f"-I{runtime / 'include'}",
                f"-I{runtime / 'src'}",
                "-c",
                str(source),
                "-o",
                str(walk),
            ]
        )
        linked = Path(scratch) / out.name
        _run([compiler, "-shared", str(walk), str(lib), "-o", str(linked), *_LINK])
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(linked), str(out))


def _runtime_profile(root: Path, compile_runtime: list[str], runtime: Path, lib: Path) -> list[str]:
    """The flags that optimize tree-sitter's runtime by a profile of it parsing Python, or
    none where no profile could be made.

    Profile-guided optimization: the runtime, compiled instrumented, parses and walks codesim's
    own source (``TRAINING``), and GCC lays the optimized runtime out by what ran.  With the
    extension this builds, parsing the cross benchmark's 400 files took 0.42 -> 0.37 s and
    4.1 MB of npm's JavaScript 0.44 -> 0.38 s (interleaved with the build without a profile):
    a profile of Python parsing serves other grammars too.  It needs GCC
    and tree-sitter-python in the build environment (a build requirement); otherwise, or if
    any step fails, the runtime is built as before, without a profile.
    """
    compiler = compile_runtime[0]
    try:
        import tree_sitter_python  # noqa: F401 (only whether the build environment has it)
    except ImportError:
        return []
    try:
        version = subprocess.run([compiler, "--version"], capture_output=True, text=True)
        if "Free Software Foundation" not in version.stdout:
            return []  # clang's profiles take another tool to merge: built without one
        instrumented = ["-fprofile-generate", "-fprofile-update=single"]
        _run([*compile_runtime, *instrumented])
        suffix = sysconfig.get_config_var("EXT_SUFFIX") or ".so"
        driver = lib.with_name("_training" + suffix)
        _run(
            [
                compiler,
                "-O2",
                "-fPIC",
                "-shared",
                "-std=c11",
                *instrumented,
                f"-I{sysconfig.get_paths()['include']}",
                f"-I{runtime / 'include'}",
                str(root / TRAINING),
                str(lib),
                "-o",
                str(driver),
                *_LINK,
            ]
        )
        # The build environment's own interpreter and path, which hold tree-sitter-python.
        done = subprocess.run(
            [sys.executable, "-c", _TRAIN, str(driver.parent), str(root / "codesim")],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(done.stderr.strip()[-2000:])
        if not lib.with_suffix(".gcda").exists():
            raise RuntimeError("the training run wrote no profile")
    except Exception as error:  # any failure: the runtime without a profile
        print(
            f"codesim: tree-sitter's runtime is built without a profile ({error})", file=sys.stderr
        )
        return []
    # The profile is found by the object's name: the optimized runtime goes to the same path.
    return ["-fprofile-use", "-fprofile-correction", "-Wno-missing-profile"]


_TRAIN = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
import _training
import tree_sitter_python
sources = [path.read_bytes() for path in sorted(Path(sys.argv[2]).rglob("*.py"))]
for _ in range(3):
    _training.parse(tree_sitter_python.language(), sources)
"""
"""Parses codesim's own source (about 1 MB of Python) three times with the instrumented runtime."""


def _runtime(cache: Path) -> Path:
    """tree-sitter's ``lib`` folder (``src/lib.c``, ``include/``), unpacked from the sdist."""
    unpacked = cache / f"tree-sitter-{TREE_SITTER}-lib"
    if (unpacked / "src" / "lib.c").exists():
        return unpacked
    tarball = _sdist(cache)
    with tempfile.TemporaryDirectory(dir=cache) as scratch, tarfile.open(tarball) as archive:
        prefix = f"tree_sitter-{TREE_SITTER}/tree_sitter/core/lib/"
        members = [
            m
            for m in archive.getmembers()
            if m.name.startswith(prefix) and (m.isfile() or m.isdir())
        ]
        archive.extractall(scratch, members=members, filter="data")
        shutil.move(str(Path(scratch) / prefix), str(unpacked))
    return unpacked


def _sdist(cache: Path) -> Path:
    """The pinned tree-sitter source distribution, checked against its sha256."""
    given = os.environ.get("CODESIM_TREE_SITTER_SDIST")
    tarball = Path(given) if given else cache / f"tree_sitter-{TREE_SITTER}.tar.gz"
    if not tarball.exists():
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            _run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    "-d",
                    scratch,
                    f"tree-sitter=={TREE_SITTER}",
                ]
            )
            found = next(Path(scratch).glob("tree_sitter-*.tar.gz"))
            shutil.move(str(found), str(tarball))
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != TREE_SITTER_SHA256:
        raise RuntimeError(f"{tarball} has sha256 {digest}, not the pinned {TREE_SITTER_SHA256}")
    return tarball


_LINK = ["-undefined", "dynamic_lookup"] if sys.platform == "darwin" else []
"""Python's symbols are resolved when the extension loads (macOS' linker wants it said)."""


def _compiler() -> str:
    """The C compiler: ``$CC``, else ``cc`` or ``gcc`` on the path."""
    compiler = os.environ.get("CC") or shutil.which("cc") or shutil.which("gcc")
    if not compiler:
        raise RuntimeError("no C compiler")
    return compiler


def _run(command: list[str]) -> None:
    # Not the build environment's isolation: the pip of the interpreter installing codesim.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONNOUSERSITE")}
    done = subprocess.run(command, capture_output=True, text=True, check=False, env=env)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command[:3])}... failed: {done.stderr.strip()[-2000:]}")
