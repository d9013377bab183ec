"""pip's vendored packages and their originals, fetched from PyPI into the git-ignored cache.

pip copies its dependencies into ``pip/_vendor/`` (with imports rewritten to
``pip._vendor.<name>``) and pins each copy's version in ``pip/_vendor/vendor.txt``: a real,
public case of code copied from other projects, with the answer written down.  ``fetch()``
downloads pip itself at ``PIP_VERSION`` and every original that file pins, each with
``pip download --no-deps``, and unpacks them under ``.cache/pip-vendor/``.  Nothing is
installed, nothing is committed, and a second call finds everything unpacked and does not touch
the network.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from email.parser import BytesHeaderParser
from pathlib import Path, PurePosixPath

PIP_VERSION = "26.2.1"
"""Pinned: its ``vendor.txt`` pins the originals.  (26.3, the newest in 2026-11, pins a certifi
release the package index does not serve.)"""

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "pip-vendor"

_NATIVE = (".so", ".pyd", ".dll", ".dylib", ".exe")
"""Compiled files are not source and are left in the archive."""

_MAX_LICENSE_CHARS = 60
"""A ``License:`` field longer than this is the licence's full text, not its name."""


class FetchError(RuntimeError):
    """A download or an archive failed; the message says which and why."""


@dataclass(frozen=True)
class Original:
    """An unpacked original: the distribution pinned by ``vendor.txt`` and where it lies."""

    dist: str
    version: str
    root: Path
    license: str | None
    top_level: tuple[str, ...]
    """The importable names at the archive's top (``pkg_resources`` among setuptools')."""


@dataclass(frozen=True)
class PipVendor:
    """pip's unpacked wheel (``root / "pip"`` is its source) and the originals of its copies."""

    root: Path
    originals: tuple[Original, ...]

    def vendored(self, original: Original) -> list[Path]:
        """The entries of ``pip/_vendor/`` that are copies of ``original`` (package folders
        or single modules named like one of its top-level names)."""
        vendor = self.root / "pip" / "_vendor"
        found = []
        for name in original.top_level:
            for candidate in (vendor / name, vendor / f"{name}.py"):
                if candidate.exists():
                    found.append(candidate)
        return found


def fetch(cache: Path = CACHE) -> PipVendor:
    """pip at ``PIP_VERSION`` and every original its ``vendor.txt`` pins, unpacked in ``cache``."""
    pip = _unpacked(cache, "pip", PIP_VERSION)
    pins = vendor_pins((pip.root / "pip" / "_vendor" / "vendor.txt").read_text("utf-8"))
    return PipVendor(pip.root, tuple(_unpacked(cache, d, v) for d, v in pins))


_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s#;]+)")


def vendor_pins(text: str) -> list[tuple[str, str]]:
    """``(distribution, version)`` for every ``name==version`` line (indented ones too: they are
    dependencies of the line above, vendored as well)."""
    return [(m[1], m[2]) for line in text.splitlines() if (m := _PIN.match(line))]


def _unpacked(cache: Path, dist: str, version: str) -> Original:
    slug = f"{re.sub(r'[-_.]+', '-', dist).lower()}-{version}"
    target, about = cache / "src" / slug, cache / "src" / f"{slug}.json"
    if not about.exists():
        archive = _download(cache / "dl" / slug, dist, version)
        shutil.rmtree(target, ignore_errors=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as scratch:
            staged = Path(scratch) / "tree"
            staged.mkdir()
            metadata = _unpack(archive, staged)
            staged.rename(target)
        top = sorted(p.name.removesuffix(".py") for p in target.iterdir() if _importable(p))
        fields = {"archive": archive.name, "license": _license(metadata), "top_level": top}
        # Written last: its presence means the tree beside it is complete.
        about.write_text(json.dumps(fields, indent=1) + "\n", "utf-8")
    fields = json.loads(about.read_text("utf-8"))
    return Original(dist, version, target, fields["license"], tuple(fields["top_level"]))


def _importable(path: Path) -> bool:
    if path.is_dir():
        return path.name.isidentifier()
    return path.suffix == ".py" and path.stem.isidentifier()


def _download(folder: Path, dist: str, version: str) -> Path:
    archives = _archives(folder) if folder.exists() else []
    if not archives:
        folder.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet"]
        command += ["--disable-pip-version-check", "--dest", str(folder), f"{dist}=={version}"]
        done = subprocess.run(command, check=False, capture_output=True, text=True)
        archives = _archives(folder)
        if done.returncode != 0 or not archives:
            raise FetchError(
                f"`pip download --no-deps {dist}=={version}` failed (is PyPI reachable?):\n"
                f"{done.stderr.strip()}"
            )
    return archives[0]


def _archives(folder: Path) -> list[Path]:
    """Downloaded archives, wheels first: a wheel holds the sources as installed."""
    found = [p for p in folder.iterdir() if p.name.endswith((".whl", ".tar.gz", ".zip"))]
    return sorted(found, key=lambda p: (not p.name.endswith(".whl"), p.name))


def _unpack(archive: Path, target: Path) -> bytes:
    """Write the archive's files (no metadata, no compiled files) under ``target``; return
    the distribution's core metadata."""
    wheel = archive.name.endswith(".whl")
    metadata = b""
    for name, data in _members(archive):
        parts = PurePosixPath(name).parts
        if not wheel:
            parts = parts[1:]  # an sdist's one ``name-version/`` folder
        if not parts:
            continue
        if parts[-1] in ("METADATA", "PKG-INFO") and len(parts) == 2:
            metadata = data
        if parts[0].endswith((".dist-info", ".egg-info")) or parts[-1].endswith(_NATIVE):
            continue
        out = target.joinpath(*parts)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)
    return metadata


def _members(archive: Path) -> Iterator[tuple[str, bytes]]:
    """Regular files of a zip or tar archive whose names stay inside the target folder
    (no absolute paths, no ``..``, no links, no devices)."""
    if archive.name.endswith((".whl", ".zip")):
        with zipfile.ZipFile(archive) as zf:
            for info in zf.infolist():
                if not info.is_dir() and _safe(info.filename):
                    yield info.filename, zf.read(info)
        return
    with tarfile.open(archive) as tf:
        for member in tf.getmembers():
            handle = tf.extractfile(member) if member.isfile() and _safe(member.name) else None
            if handle is not None:
                yield member.name, handle.read()


def _safe(name: str) -> bool:
    path = PurePosixPath(name.replace("\\", "/"))
    return not path.is_absolute() and ".." not in path.parts and ":" not in name


def _license(metadata: bytes) -> str | None:
    """The licence's name from core metadata: ``License-Expression``, a short ``License``,
    else the last OSI classifier."""
    if not metadata:
        return None
    fields = BytesHeaderParser().parsebytes(metadata)
    expression = fields.get("License-Expression")
    if expression:
        return str(expression).strip()
    text = str(fields.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= _MAX_LICENSE_CHARS:
        return text
    classifiers = [str(c) for c in fields.get_all("Classifier") or []]
    licences = [c.rsplit("::", 1)[-1].strip() for c in classifiers if c.startswith("License ::")]
    return licences[-1] if licences else None
