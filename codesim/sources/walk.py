"""Walk an input path and read every source file under it, safely.

Safety rules, each with its reason:

- Folders are walked with an explicit stack, so depth is bounded by memory, not recursion.
- Symbolic links to folders are never entered: one pointing at an ancestor would loop, and one
  inside the root only repeats files the walk reaches anyway.  A symbolic link to a file is read
  only when its target lies inside the root and was not reached directly, so no file is compared
  with itself and nothing outside the input is read.
- Each file is opened once, non-blocking (a FIFO that slipped past the entry type cannot hang
  the walk), and its size is taken from that open file before any content is read: the checks
  apply to what is read, with no window for the file to be swapped between check and read.
- Nothing is written: no cache, no bytecode; files are only ever opened for reading.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping
from functools import cached_property
from operator import attrgetter
from pathlib import Path

from codesim.errors import InputError, SkipReason
from codesim.read_options import ReadingOptions
from codesim.sources.decode import BINARY_SNIFF_BYTES, decode_source
from codesim.sources.detect import (
    SHEBANG_BYTES,
    has_extension,
    language_for_name,
    language_for_shebang,
)
from codesim.sources.generated import generated_reason
from codesim.sources.ignore import (
    LOCK_FILES,
    VIRTUALENV_MARKER,
    IgnoreRules,
    is_always_ignored_dir,
    is_ignored,
    parse_gitignore,
)
from codesim.sources.model import Discovery, SkippedFile, SourceFile
from codesim.sources.notebooks import (
    NOTEBOOK_SIZE_FACTOR,
    PYTHON,
    CodeCell,
    MalformedNotebook,
    extract_notebook,
    is_notebook,
)

_NOTEBOOK = "ipynb"
"""The language a notebook is read as until its JSON tells its kernel's language."""

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)


def discover(
    path: Path | str,
    options: ReadingOptions,
    languages: Mapping[str, str],
    shebangs: Mapping[str, str],
) -> Discovery:
    """Find and read the source files at ``path``, a file or a folder.

    ``languages`` maps an extension with its dot (``".py"``) to a language id; ``shebangs`` maps
    an interpreter name (``"python3"``) to a language id, for extension-less scripts.

    Raises ``InputError`` when ``path`` does not exist, cannot be read, or is a single file whose
    language cannot be told.  A folder with nothing comparable in it is not an error: the
    ``Discovery`` is empty and the caller decides.  Files that are binary, too large, generated,
    unreadable or behind a symbolic link leading out of the root are listed in ``skipped``; a
    file named on its own is read even if it looks generated: the user asked for it.
    """
    given = Path(path)
    try:
        mode = given.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            if os.path.lexists(given):
                raise InputError(f"{given} is a broken symbolic link") from None
            raise InputError(f"no such file or folder: {given}") from None
        raise InputError(f"cannot read {given}: {_describe(exc)}") from None
    if stat.S_ISDIR(mode):
        walker = _Walker(given.absolute(), options, languages, shebangs)
        walker.walk()
        return walker.discovery()
    if stat.S_ISREG(mode):
        absolute = given.absolute()
        walker = _Walker(absolute.parent, options, languages, shebangs)
        walker.read_named_file(absolute)
        return walker.discovery()
    raise InputError(f"{given} is neither a file nor a folder")


class _Walker:
    """The state of one discovery; its lists are in walk order until ``discovery`` sorts them."""

    def __init__(
        self,
        root: Path,
        options: ReadingOptions,
        languages: Mapping[str, str],
        shebangs: Mapping[str, str],
    ) -> None:
        self.root = root
        self.options = options
        self.languages = languages
        self.shebangs = shebangs
        self.files: list[SourceFile] = []
        self.skipped: list[SkippedFile] = []
        self.ignored = 0
        # Root-relative real paths of every file already taken (read or skipped), so that a
        # symbolic link to one of them is recognised as a duplicate.  Folders reached by the walk
        # are never links, so a walked file's real path is the root's real path plus its own.
        self.taken: set[str] = set()
        self.links: list[tuple[str, str]] = []

    @cached_property
    def real_root(self) -> str:
        """The root's real path: only symbolic links are checked against it, so a walk
        without any (every file ``cross`` reads as a submission) never resolves it."""
        return os.path.realpath(self.root)

    def discovery(self) -> Discovery:
        by_path = attrgetter("path")
        return Discovery(
            root=self.root,
            files=sorted(self.files, key=by_path),
            skipped=sorted(self.skipped, key=by_path),
            ignored=self.ignored,
        )

    def walk(self) -> None:
        stack: list[tuple[str, str, IgnoreRules]] = [(str(self.root), "", ())]
        while stack:
            folder, prefix, rules = stack.pop()
            try:
                with os.scandir(folder) as scan:
                    entries = sorted(scan, key=attrgetter("name"))
            except OSError as exc:
                if not prefix:
                    raise InputError(f"cannot list {self.root}: {_describe(exc)}") from None
                self._skip(prefix[:-1], SkipReason.UNREADABLE, f"cannot list it: {_describe(exc)}")
                continue
            if prefix and any(entry.name == VIRTUALENV_MARKER for entry in entries):
                self.ignored += 1  # a virtual environment, whatever its name
                continue
            if self.options.respect_gitignore:
                rules = self._add_gitignore(rules, prefix, entries)
            subfolders: list[tuple[str, str, IgnoreRules]] = []
            for entry in entries:
                relpath = prefix + entry.name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                    is_link = not is_dir and entry.is_symlink()
                except OSError:
                    # A folder listable but not searchable hides its entries' types; treat
                    # each as a file, and opening it will tell the reason it cannot be read.
                    is_dir = is_link = False
                if is_dir:
                    if is_always_ignored_dir(entry.name) or is_ignored(rules, relpath + "/"):
                        self.ignored += 1
                    else:
                        subfolders.append((entry.path, relpath + "/", rules))
                elif is_link:
                    # Git never follows a link, so it is matched as a file, even to a folder.
                    # A ".venv" link to a shared environment elsewhere is routine, not news.
                    if is_always_ignored_dir(entry.name) or is_ignored(rules, relpath):
                        self.ignored += 1
                    else:
                        self.links.append((relpath, entry.path))
                else:
                    self._consider(relpath, entry.path, entry.name, rules)
            stack.extend(reversed(subfolders))
        # Links last: only once every directly reachable file is known can a link to one of
        # them be told apart from a link to a file the walk passed over.
        for relpath, path in sorted(self.links):
            self._follow_link(relpath, path)

    def read_named_file(self, path: Path) -> None:
        """Read a file the user named: its language must be known, and failing to open it is an
        input error, not a skipped file."""
        name = path.name
        language = self._language_for(name)
        if not self._read(name, str(path), language, named=True):
            extensions = ", ".join(sorted(self.languages)) or "none"
            interpreters = ", ".join(sorted(self.shebangs)) or "none"
            raise InputError(
                f"cannot tell the language of {path}; supported extensions: {extensions} "
                f"(or a #! line running one of: {interpreters})"
            )

    def _add_gitignore(
        self, rules: IgnoreRules, prefix: str, entries: list[os.DirEntry[str]]
    ) -> IgnoreRules:
        for entry in entries:
            if entry.name != ".gitignore":
                continue
            try:
                if not entry.is_file(follow_symlinks=False):
                    return rules  # git does not follow a symbolic link here either
                text = Path(entry.path).read_bytes().decode("utf-8", "replace")
            except OSError:
                return rules  # unreadable: git could not honour it either
            patterns = parse_gitignore(prefix, text)
            return rules if patterns is None else (*rules, patterns)
        return rules

    def _consider(self, relpath: str, path: str, name: str, rules: IgnoreRules) -> None:
        """A directory entry that is neither a folder nor a symbolic link."""
        language = self._language_for(name)
        if (
            name in LOCK_FILES
            or (language is None and has_extension(name))
            or is_ignored(rules, relpath)
        ):
            self.ignored += 1
            return
        self.taken.add(relpath)
        self._read(relpath, path, language)

    def _follow_link(self, relpath: str, path: str) -> None:
        name = relpath.rpartition("/")[2]
        language = self._language_for(name)
        may_be_code = language is not None or not has_extension(name)
        real = os.path.realpath(path)  # never raises, even on a loop: it stops resolving there
        prefix = self.real_root.rstrip(os.sep) + os.sep
        if real != self.real_root and not real.startswith(prefix):
            if may_be_code:
                detail = f"links to {real}, outside the input folder; not followed"
                self._skip(relpath, SkipReason.SYMLINK_OUTSIDE_ROOT, detail)
            else:
                self.ignored += 1
            return
        try:
            mode = Path(path).stat().st_mode
        except OSError as exc:
            if may_be_code:
                self._skip(relpath, SkipReason.UNREADABLE, _describe_link_error(path, exc))
            else:
                self.ignored += 1
            return
        target = real[len(prefix) :].replace(os.sep, "/")
        if stat.S_ISDIR(mode) or target in self.taken:
            self.ignored += 1
            return
        if language is None and not has_extension(name):
            language = self._language_for(target.rpartition("/")[2])
        if name in LOCK_FILES or (language is None and has_extension(name)):
            self.ignored += 1
            return
        self.taken.add(target)
        self._read(relpath, path, language)

    def _language_for(self, name: str) -> str | None:
        return _NOTEBOOK if is_notebook(name) else language_for_name(name, self.languages)

    def _read(self, relpath: str, path: str, language: str | None, *, named: bool = False) -> bool:
        """Read one file and record it as a source file or a skipped one.

        With ``language`` unknown, the file counts only if it starts with a known ``#!`` line.
        Returns False when its language stayed unknown, so it was passed over, not recorded.
        """
        limit = self.options.max_file_bytes
        if language == _NOTEBOOK:
            limit *= NOTEBOOK_SIZE_FACTOR
        try:
            fd = os.open(path, _OPEN_FLAGS)
        except OSError as exc:
            if named:
                raise InputError(f"cannot read {path}: {_describe(exc)}") from None
            return self._unreadable(relpath, language, _describe(exc))
        try:
            with os.fdopen(fd, "rb") as file:
                info = os.fstat(fd)
                if not stat.S_ISREG(info.st_mode):
                    return self._unreadable(relpath, language, "not a regular file")
                head = b""
                if language is None:
                    head = file.read(SHEBANG_BYTES)
                    language = language_for_shebang(head, self.shebangs)
                    if language is None:
                        if not named:
                            self.ignored += 1
                        return False
                if info.st_size > limit:
                    self._skip_too_large(relpath, info.st_size, language)
                    return True
                # A byte more than the size taken tells a file that grew meanwhile; only then
                # is it read on to the limit.  Asking for the limit at once allocated and
                # released that much for every file: 2 MB, 26 us a file.
                wanted = info.st_size + 1
                raw = head + file.read(wanted - len(head))
                if len(raw) == wanted:
                    raw += file.read(limit + 1 - len(raw))
        except OSError as exc:
            if named:
                raise InputError(f"cannot read {path}: {_describe(exc)}") from None
            return self._unreadable(relpath, language, _describe(exc))
        if len(raw) > limit:  # it grew after the size was taken
            self._skip_too_large(relpath, len(raw), language)
            return True
        if language == _NOTEBOOK:
            return self._read_notebook(relpath, path, raw, named=named)
        decoded = decode_source(raw)
        if decoded is None:
            detail = f"a NUL byte in its first {BINARY_SNIFF_BYTES // 1024} KiB: looks binary"
            self._skip(relpath, SkipReason.BINARY, detail)
            return True
        self._accept(relpath, path, language, decoded.data, decoded.encoding, named=named)
        return True

    def _read_notebook(self, relpath: str, path: str, raw: bytes, *, named: bool) -> bool:
        """Record a notebook's code cells as a Python source, or why they cannot be compared.

        A notebook of another kernel's language is passed over like a file of no known one
        (and is an input error when the user named it).
        """
        try:
            notebook = extract_notebook(raw)
        except MalformedNotebook as exc:
            self._skip(relpath, SkipReason.MALFORMED_NOTEBOOK, str(exc))
            return True
        if notebook.language != PYTHON or PYTHON not in self.languages.values():
            if named:
                raise InputError(
                    f"{path} is a notebook of {notebook.language!r} code; only Python "
                    "notebooks are compared"
                )
            self.ignored += 1
            return False
        size = len(notebook.data)
        if size > self.options.max_file_bytes:
            limit = _format_size(self.options.max_file_bytes)
            detail = f"its code cells hold {_format_size(size)}, over the {limit} limit"
            self._skip(relpath, SkipReason.TOO_LARGE, f"{detail} (max_file_bytes)")
            return True
        self._accept(relpath, path, PYTHON, notebook.data, "utf-8", notebook.cells, named=named)
        return True

    def _accept(
        self,
        relpath: str,
        path: str,
        language: str,
        data: bytes,
        encoding: str,
        cells: tuple[CodeCell, ...] | None = None,
        *,
        named: bool = False,
    ) -> None:
        """Record decoded text as a source file unless it looks generated (and was not
        named on its own)."""
        lines = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
        if not (named or self.options.include_generated):
            reason = generated_reason(data, lines)
            if reason is not None:
                detail = f"{reason}; generated (include_generated compares it anyway)"
                self._skip(relpath, SkipReason.GENERATED, detail)
                return
        self.files.append(
            SourceFile(_printable(relpath), Path(path), language, data, encoding, lines, cells)
        )

    def _unreadable(self, relpath: str, language: str | None, detail: str) -> bool:
        # A file that cannot be opened and has no telling extension may not be code at all
        # (a private key, a socket): pass over it rather than report it.
        if language is None:
            self.ignored += 1
            return False
        self._skip(relpath, SkipReason.UNREADABLE, detail)
        return True

    def _skip_too_large(self, relpath: str, size: int, language: str | None) -> None:
        limit = self.options.max_file_bytes
        rule = "max_file_bytes"
        if language == _NOTEBOOK:
            limit *= NOTEBOOK_SIZE_FACTOR
            rule = f"a notebook's: {NOTEBOOK_SIZE_FACTOR} x max_file_bytes"
        detail = f"{_format_size(size)} is over the {_format_size(limit)} limit ({rule})"
        self._skip(relpath, SkipReason.TOO_LARGE, detail)

    def _skip(self, relpath: str, reason: SkipReason, detail: str) -> None:
        self.skipped.append(SkippedFile(_printable(relpath), reason, detail))


def _describe(exc: OSError) -> str:
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return (exc.strerror or str(exc)).lower()


def _describe_link_error(path: str, exc: OSError) -> str:
    if exc.errno == errno.ENOENT:
        try:
            return f"broken symbolic link to {str(Path(path).readlink())!r}"
        except OSError:
            return "broken symbolic link"
    return _describe(exc)


def _format_size(size: int) -> str:
    if size >= 1_000_000:
        return f"{size / 1_000_000:.1f} MB"
    if size >= 1_000:
        return f"{size / 1_000:.1f} kB"
    return f"{size} B"


def _printable(relpath: str) -> str:
    """``relpath`` as valid Unicode: a file name that is not UTF-8 would break JSON reports."""
    try:
        relpath.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(relpath).decode("utf-8", "replace")
    return relpath
