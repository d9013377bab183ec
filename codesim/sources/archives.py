"""Extracting ``.zip``, ``.tar``, ``.tar.gz``/``.tgz``, ``.tar.bz2`` and ``.tar.xz`` archives
safely.

An archive is a stranger's file: a member may be named ``../../.bashrc`` or ``/etc/passwd``,
be a link to somewhere outside, or decompress to terabytes from a few kilobytes (a zip bomb).
``extract_archive`` writes nothing outside its target folder and refuses, with an
``InputError`` naming the archive and the member, any member that would: names that are
absolute or climb with ``..``, symbolic links leading out of the folder, hard links (a hard
link to a file outside would alias it, and none is needed to read code), devices and pipes,
and archives whose files, counted or summed, exceed the caps.  Sizes are checked twice: the
sizes the archive declares before anything is written, and the bytes actually produced while
streaming, since a zip's declared sizes can lie.
"""

from __future__ import annotations

import shutil
import stat
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from codesim.errors import InputError

if TYPE_CHECKING:
    import tarfile
    import zipfile

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
"""File names ending in one of these are read as archives."""

DEFAULT_MAX_BYTES = 1 << 30
"""The most an archive may extract to (1 GiB): far above any source tree, far below a bomb."""
DEFAULT_MAX_FILES = 100_000
"""The most members an archive may hold; a source tree of that many files is already rare."""

_CHUNK = 1 << 20


def is_archive(path: Path) -> bool:
    """Whether ``path`` names a file codesim reads as an archive (by its name)."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES) and path.is_file()


def extract_archive(
    archive: Path,
    target: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_files: int = DEFAULT_MAX_FILES,
) -> None:
    """Extract ``archive`` into the folder ``target`` (created; it must not exist yet).

    Raises ``InputError`` naming the archive and the cause when the archive cannot be read or
    holds a member that is refused (see the module); ``target`` is then removed, so a refused
    archive leaves nothing behind.
    """
    # The archive modules and their codecs are imported when an archive is extracted:
    # resolving plain paths, which every command does first, does not need them (2-3 ms).
    import lzma
    import tarfile
    import zipfile
    import zlib

    target.mkdir(parents=True)
    try:
        if archive.name.lower().endswith(".zip"):
            _extract_zip(archive, target, max_bytes, max_files)
        else:
            _extract_tar(archive, target, max_bytes, max_files)
    except BaseException as error:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(error, InputError):
            raise
        if isinstance(
            error,
            zipfile.BadZipFile
            | tarfile.TarError
            | EOFError
            | zlib.error
            | lzma.LZMAError
            | RuntimeError
            | OSError,
        ):
            # RuntimeError: zipfile's "encrypted, password required"; OSError: gzip's bad header.
            raise InputError(f"cannot extract archive {archive}: {error}") from error
        raise


def archive_root(folder: Path) -> Path:
    """The folder holding an extracted archive's code: the one folder at its top when it has
    nothing else (``project-1.2/`` in release archives), so that two releases' files have the
    same relative paths; else ``folder`` itself."""
    entries = list(folder.iterdir())
    if len(entries) == 1 and entries[0].is_dir() and not entries[0].is_symlink():
        return entries[0]
    return folder


def _member_path(archive: Path, name: str) -> PurePosixPath:
    """The relative path a member is written to, or an ``InputError`` for a name that is
    absolute or climbs out of the folder (both separators count: zips made on Windows use
    backslashes)."""
    parts = PurePosixPath(name.replace("\\", "/"))
    if parts.is_absolute() or (parts.parts and parts.parts[0].endswith(":")) or ".." in parts.parts:
        raise InputError(f"archive {archive} has a member outside its folder: {name!r}")
    return parts


class _Budget:
    """The files and bytes an archive may still produce."""

    def __init__(self, archive: Path, max_bytes: int, max_files: int) -> None:
        self.archive = archive
        self.bytes_left = max_bytes
        self.files_left = max_files
        self.max_bytes = max_bytes
        self.max_files = max_files

    def file(self) -> None:
        self.files_left -= 1
        if self.files_left < 0:
            raise InputError(
                f"archive {self.archive} holds more than {self.max_files:,} files; refused"
            )

    def spend(self, size: int, name: str) -> None:
        self.bytes_left -= size
        if self.bytes_left < 0:
            raise InputError(
                f"archive {self.archive} extracts to more than {self.max_bytes:,} bytes "
                f"(at {name!r}); refused as a possible archive bomb"
            )


def _extract_zip(archive: Path, target: Path, max_bytes: int, max_files: int) -> None:
    import zipfile

    with zipfile.ZipFile(archive) as zipped:
        members = zipped.infolist()
        # Declared sizes first: a bomb that says what it is costs nothing to refuse.
        declared = _Budget(archive, max_bytes, max_files)
        for info in members:
            declared.file()
            declared.spend(info.file_size, info.filename)
        actual = _Budget(archive, max_bytes, max_files)
        for info in members:
            relative = _member_path(archive, info.filename)
            destination = target.joinpath(*relative.parts)
            if info.is_dir():
                destination.mkdir(parents=True, exist_ok=True)
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                _check_zip_link(archive, zipped, info, relative)
                # zipfile would write a link as a file holding its target's name, which is not
                # the code it points to; the target is in the archive anyway.
                continue
            destination.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(info) as source, destination.open("wb") as sink:
                produced = 0
                while chunk := source.read(_CHUNK):
                    produced += len(chunk)
                    if produced > info.file_size:
                        raise InputError(
                            f"archive {archive} member {info.filename!r} extracts to more "
                            f"than the {info.file_size:,} bytes it declares; refused"
                        )
                    actual.spend(len(chunk), info.filename)
                    sink.write(chunk)


def _check_zip_link(
    archive: Path, zipped: zipfile.ZipFile, info: zipfile.ZipInfo, relative: PurePosixPath
) -> None:
    """Refuse a link whose target is absolute or climbs above the folder.  Reading its target
    by name is enough: no link is ever written, so no folder on the way can be one."""
    if info.file_size > 4096:
        raise InputError(f"archive {archive} has a malformed link: {info.filename!r}")
    link = zipped.read(info).decode("utf-8", "replace").replace("\\", "/")
    depth = len(relative.parent.parts)
    escapes = link.startswith("/")
    for part in PurePosixPath(link).parts:
        depth += -1 if part == ".." else 0 if part == "." else 1
        escapes = escapes or depth < 0
    if escapes:
        raise InputError(
            f"archive {archive} has a link leading out of its folder: {info.filename!r} -> {link!r}"
        )


def _extract_tar(archive: Path, target: Path, max_bytes: int, max_files: int) -> None:
    import tarfile

    budget = _Budget(archive, max_bytes, max_files)

    def checked(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo:
        _member_path(archive, member.name)
        if member.islnk():
            raise InputError(f"archive {archive} has a hard link: {member.name!r}; refused")
        try:
            # The standard library's own rules for untrusted archives (PEP 706): no absolute
            # or climbing names, no links leading out, no devices or pipes, sane permissions.
            filtered = tarfile.data_filter(member, path)
        except tarfile.FilterError as error:
            raise InputError(f"archive {archive} has a refused member: {error}") from error
        budget.file()
        # A tar member's size is the bytes it holds, so checking it before extraction checks
        # what will be written.
        budget.spend(filtered.size, member.name)
        return filtered

    # "r:*" streams through the compression; members are checked one by one as they come.
    with tarfile.open(archive, "r:*") as tar:
        tar.extractall(target, filter=checked)
