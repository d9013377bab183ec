"""Inputs that are not folders yet: git URLs at a revision, local repositories, archives.

``resolve_input`` turns what a user typed into a local folder or file to read, plus where it
came from.  An existing local path always wins (``pkg@1.2/`` folders are common); otherwise
``https://``, ``http://``, ``ssh://``, ``git://``, ``file://`` and ``user@host:path`` are git
URLs, and ``URL@rev`` names a revision (a branch, tag or commit; only the part after the URL's
path is read, so ``https://user@host/x`` is not a revision).  A local bare repository is a git
URL too, and so is a work tree when a revision is asked for.  ``.zip``/``.tar.*`` files are
extracted (``archives``).

Everything fetched or extracted lives in a cache folder (``cache_root``): one entry per
repository and commit (``git/<hash of URL>/<commit>/``) or per archive content
(``archives/<hash>/``), each holding ``tree/`` (the files; for git a real clone, so history
is there for ``git blame``), ``meta.json`` and ``lock``.  An entry is built in a temporary
folder beside its final place and renamed into it, so a run killed half-way never leaves an
entry that looks whole; the temporary folders of dead runs are swept on the next run.
Entries are reused while the remote ref still points at their commit, and evicted least
recently used first once the cache is larger than its cap (``CODESIM_CACHE_MAX``, 2 GB);
an entry another run is reading is never evicted (it holds a shared ``flock`` on ``lock``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal
from urllib.parse import unquote, urlsplit, urlunsplit

from codesim.errors import InputError, OptionsError
from codesim.sources.archives import archive_root, extract_archive, is_archive
from codesim.sources.git import run_git, run_git_writer

CACHE_ENV = "CODESIM_CACHE"
"""Environment variable naming the cache folder (default ``~/.cache/codesim``)."""
CACHE_MAX_ENV = "CODESIM_CACHE_MAX"
"""Environment variable capping the cache's size: bytes, or with a K, M or G suffix."""
TIMEOUT_ENV = "CODESIM_GIT_TIMEOUT"
"""Environment variable: seconds a network git command may take (default 600)."""
DEFAULT_CACHE_MAX_BYTES = 2 * 1000**3
DEFAULT_TIMEOUT_SECONDS = 600.0

_URL_SCHEME = re.compile(r"^(?:https?|ssh|git|file)://", re.IGNORECASE)
# git's "scp-like" syntax; the user is required so that a local "c:/x" or "a:b" is not a URL.
_SCP_LIKE = re.compile(r"^[\w.+-]+@[\w.-]+:(?!//)")
_FULL_COMMIT = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_HEX = re.compile(r"^[0-9a-f]{4,64}$")
_TEMP_PREFIX = ".tmp-"
_TRASH_PREFIX = ".trash-"
# A temporary folder without a lock file yet is at most this old in a live run.
_ORPHAN_SECONDS = 600.0
_LOCAL_TIMEOUT_SECONDS = 60.0


def _nothing() -> None:
    """The cleanup of an input that holds no resource."""


@dataclass(frozen=True, slots=True)
class ResolvedInput:
    """A local path to read for one input, and where it came from."""

    path: Path
    """The folder or file to read: the input itself, or inside the cache."""
    url: str | None = None
    """The git URL or archive it came from (a password in the URL left out); None for a
    plain path."""
    commit: str | None = None
    """The commit checked out, for a git input."""
    date: str | None = None
    """That commit's date, ISO 8601 with its offset (committer date)."""
    cleanup: Callable[[], None] = field(default=_nothing, compare=False)
    """Releases the cache entry (which may then be evicted); call when done with ``path``."""


def cache_root() -> Path:
    """The cache folder: ``$CODESIM_CACHE``, else ``$XDG_CACHE_HOME/codesim``, else
    ``~/.cache/codesim``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "codesim"


def cache_max_bytes() -> int:
    """The cache's size cap from ``$CODESIM_CACHE_MAX`` (``500M``, ``2G``, bytes), else 2 GB."""
    text = os.environ.get(CACHE_MAX_ENV, "").strip()
    if not text:
        return DEFAULT_CACHE_MAX_BYTES
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?", text, re.IGNORECASE)
    if match is None:
        raise OptionsError(f"{CACHE_MAX_ENV} must be a size such as 500M or 2G, not {text!r}")
    unit = match.group(2).lower()
    scale = 1000 ** ("kmgt".find(unit) + 1) if unit else 1
    return int(float(match.group(1)) * scale)


def is_git_source(text: str) -> bool:
    """Whether ``text`` names a git repository to fetch (a URL, a local bare repository or a
    work tree), as opposed to a plain file, folder or archive."""
    if Path(text).exists():
        return _is_bare_repository(Path(text)) or _work_tree_top(Path(text)) is not None
    return _looks_like_url(text) or _split_local_rev(text) is not None


def resolve_input(text: str, rev: str | None, cache: Path) -> ResolvedInput:
    """The local path to read for ``text``, fetching or extracting it into ``cache`` first
    when it is a git URL, a repository at a revision or an archive (see the module).

    ``rev`` (a branch, tag or commit) applies to a git input; ``URL@rev`` in ``text`` says
    the same.  Raises ``OptionsError`` for a revision given twice or given for a plain path,
    and ``InputError`` naming the URL and the cause when fetching or extracting fails.  A
    path that does not exist is returned as it is, for the reader to report.
    """
    path = Path(text)
    if path.exists():
        if _is_bare_repository(path):
            return _resolve_git(str(path.resolve()), rev, cache)
        if is_archive(path):
            if rev is not None:
                raise OptionsError(f"a revision (--rev {rev}) does not apply to an archive: {text}")
            return _resolve_archive(path, cache)
        if rev is not None:
            top = _work_tree_top(path)
            if top is None:
                raise OptionsError(
                    f"a revision (--rev {rev}) needs a git URL or repository; {text} is not one"
                )
            found = _resolve_git(str(top), rev, cache)
            inside = path.resolve().relative_to(top)
            return _replace_path(found, found.path / inside)
        return ResolvedInput(path)
    if _looks_like_url(text):
        url, own_rev = _split_url_rev(text)
        return _resolve_git(url, _one_rev(text, own_rev, rev), cache)
    local = _split_local_rev(text)
    if local is not None:
        repository, own_rev = local
        return resolve_input(repository, _one_rev(text, own_rev, rev), cache)
    if rev is not None:
        raise OptionsError(f"a revision (--rev {rev}) needs a git URL or repository: {text}")
    return ResolvedInput(path)


def deepen(found: ResolvedInput) -> bool:
    """Fetch the whole history behind a fetched git input's commit (clones are one commit
    deep), so that ``git blame`` can date its lines.  False when the input is not a cached
    clone, is complete already, or the fetch fails: the clone then stays as it was, and
    history calls its lines' order unknown."""
    if found.url is None or found.commit is None:
        return False
    top = run_git(found.path, ["rev-parse", "--show-toplevel"], _LOCAL_TIMEOUT_SECONDS)
    if top is None or top.returncode != 0:
        return False
    tree = Path(top.stdout.decode("utf-8", "surrogateescape").strip())
    if not (tree / ".git" / "shallow").exists():
        return False
    unshallow = ["fetch", "--quiet", "--unshallow", "--no-tags", "--", found.url, found.commit]
    try:
        _git(tree, unshallow, found.url, "fetch the history of")
    except InputError:
        return False
    return True


def _replace_path(found: ResolvedInput, path: Path) -> ResolvedInput:
    return ResolvedInput(path, found.url, found.commit, found.date, found.cleanup)


def _one_rev(text: str, own: str | None, given: str | None) -> str | None:
    if own is not None and given is not None and own != given:
        raise OptionsError(f"two revisions for {text}: @{own} and --rev {given}")
    return own if own is not None else given


def _looks_like_url(text: str) -> bool:
    return bool(_URL_SCHEME.match(text) or _SCP_LIKE.match(text))


def _split_url_rev(text: str) -> tuple[str, str | None]:
    """``URL@rev`` -> ``(URL, rev)``: an ``@`` counts only in the URL's path, after the host
    (``https://user@host/x`` has a user, not a revision), and not in a ``file://`` URL whose
    path exists with it."""
    if _URL_SCHEME.match(text):
        host_start = text.index("://") + 3
        slash = text.find("/", host_start)
        path_start = len(text) if slash < 0 else slash
        if text.lower().startswith("file://") and Path(unquote(urlsplit(text).path)).exists():
            return text, None
    else:
        path_start = text.index(":") + 1
    at = text.rfind("@")
    if at < path_start:
        return text, None
    rev = text[at + 1 :]
    if not rev:
        raise OptionsError(f"an empty revision after @ in {text}")
    return text[:at], rev


def _split_local_rev(text: str) -> tuple[str, str] | None:
    """``repo@rev`` for a local repository ``repo`` (bare or a work tree's top), when
    ``text`` itself does not exist."""
    repository, at, rev = text.rpartition("@")
    if not at or not repository or not rev:
        return None
    path = Path(repository)
    if not path.is_dir():
        return None
    if _is_bare_repository(path) or (path / ".git").exists():
        return repository, rev
    return None


def _is_bare_repository(path: Path) -> bool:
    """What git itself checks before treating a folder as a repository: ``HEAD``, ``objects``
    and ``refs``.  Files only, so a plain folder costs no git process."""
    return (
        path.is_dir()
        and (path / "HEAD").is_file()
        and (path / "objects").is_dir()
        and (path / "refs").is_dir()
    )


def _work_tree_top(path: Path) -> Path | None:
    folder = path if path.is_dir() else path.parent
    done = run_git(folder, ["rev-parse", "--show-toplevel"], _LOCAL_TIMEOUT_SECONDS)
    if done is None or done.returncode != 0:
        return None
    return Path(done.stdout.decode("utf-8", "surrogateescape").strip()).resolve()


def redact(url: str) -> str:
    """``url`` without a password or token (``https://user:secret@host`` -> ``https://user@host``),
    for reports, messages and the cache's records."""
    if not _URL_SCHEME.match(url):
        return url
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


# --- git -------------------------------------------------------------------------------------


def _timeout() -> float:
    text = os.environ.get(TIMEOUT_ENV)
    if not text:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        return max(1.0, float(text))
    except ValueError:
        raise OptionsError(f"{TIMEOUT_ENV} must be a number of seconds, not {text!r}") from None


def _git(folder: Path, args: list[str], url: str, what: str) -> bytes:
    """Run a writing git command and return its output, or raise ``InputError`` naming the
    URL and git's own reason."""
    timeout = _timeout()
    try:
        done = run_git_writer(folder, args, timeout)
    except subprocess.TimeoutExpired:
        raise InputError(f"cannot {what} {url}: no answer within {timeout:g} s") from None
    except OSError as error:
        raise InputError(f"cannot {what} {url}: git cannot run ({error})") from error
    if done.returncode != 0:
        raise InputError(f"cannot {what} {url}: {_git_reason(done.stderr)}")
    return done.stdout


def _git_reason(stderr: bytes) -> str:
    lines = [line.strip() for line in stderr.decode("utf-8", "replace").splitlines()]
    reasons = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return "; ".join(reasons or [line for line in lines if line][-1:]) or "git failed"


def _remote_commit(folder: Path, url: str, shown: str, rev: str | None) -> tuple[str, str] | None:
    """``(ref, commit)`` that ``rev`` (None: the remote's HEAD) names on the remote, asked
    with ``git ls-remote``; None for a commit id no ref points at (fetched the slow way)."""
    wanted = rev or "HEAD"
    out = _git(folder, ["ls-remote", "--", url, wanted], shown, "reach")
    refs: dict[str, str] = {}
    for line in out.decode("utf-8", "replace").splitlines():
        listed, _, name = line.partition("\t")
        refs[name] = listed
    # git's own order for a short name: the name itself, then tags, then branches; an
    # annotated tag's commit is its peeled "^{}" line.
    for ref in (wanted, f"refs/tags/{wanted}", f"refs/heads/{wanted}"):
        commit = refs.get(f"{ref}^{{}}") or refs.get(ref)
        if commit:
            return ref, commit
    if _HEX.match(wanted):
        return None
    raise InputError(f"{shown} has no branch or tag {wanted}")


def _resolve_git(url: str, rev: str | None, cache: Path) -> ResolvedInput:
    shown = redact(url)
    if rev is not None and (rev.startswith("-") or not rev.strip() or "\0" in rev):
        raise OptionsError(f"not a revision: {rev!r}")
    folder = cache / "git" / hashlib.sha256(shown.encode()).hexdigest()[:20]
    cache.mkdir(parents=True, exist_ok=True)
    if rev is not None and _FULL_COMMIT.match(rev):
        remote: tuple[str, str] | None = (rev, rev)
    else:
        remote = _remote_commit(cache, url, shown, rev)
    if remote is not None:
        reused = _open_entry(folder / remote[1])
        if reused is not None:
            return reused
    folder.mkdir(parents=True, exist_ok=True)
    _sweep(cache)

    def build(tree: Path) -> dict[str, object]:
        _git(tree, ["init", "--quiet"], shown, "fetch")
        commit = _fetch(tree, url, shown, rev, remote)
        # advice off: the detached-HEAD essay would be noise in a captured stderr.
        checkout = ["-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit]
        _git(tree, checkout, shown, "check out")
        date = run_git(tree, ["show", "-s", "--format=%cI", commit], _LOCAL_TIMEOUT_SECONDS)
        return {
            "kind": "git",
            "source": shown,
            "rev": rev,
            "commit": commit,
            "date": date.stdout.decode().strip() if date and date.returncode == 0 else None,
        }

    return _build_entry(cache, folder, build, lambda meta: str(meta["commit"]))


def _fetch(
    tree: Path, url: str, shown: str, rev: str | None, remote: tuple[str, str] | None
) -> str:
    """Fetch what ``rev`` names into the empty repository ``tree`` and return its commit:
    one commit deep when the server allows it, else everything."""
    if remote is not None:
        ref, _ = remote
        # Into a ref of our own, so the commit stays reachable whatever git's gc decides.
        refspec = f"{ref}:refs/codesim"
        shallow = ["fetch", "--quiet", "--depth", "1", "--no-tags", "--", url, refspec]
        with contextlib.suppress(InputError):
            # A server may refuse a commit no ref advertises, or shallow fetches (the dumb
            # HTTP transport): the full fetch below is the fallback, and reports its error.
            _git(tree, shallow, shown, "fetch")
            found = _rev_parse(tree, "refs/codesim^{commit}")
            if found is not None:
                return found
    everything = ["fetch", "--quiet", "--tags", "--", url, "+refs/heads/*:refs/remotes/origin/*"]
    _git(tree, everything, shown, "fetch")
    wanted = remote[1] if remote is not None else rev or "HEAD"
    for name in (wanted, f"refs/remotes/origin/{wanted}"):
        found = _rev_parse(tree, f"{name}^{{commit}}")
        if found is not None:
            return found
    raise InputError(f"{shown} has no revision {rev or 'HEAD'}")


def _rev_parse(tree: Path, name: str) -> str | None:
    done = run_git(tree, ["rev-parse", "--verify", "--quiet", name], _LOCAL_TIMEOUT_SECONDS)
    if done is None or done.returncode != 0:
        return None
    return done.stdout.decode().strip()


# --- archives --------------------------------------------------------------------------------


def _resolve_archive(path: Path, cache: Path) -> ResolvedInput:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
    except OSError as error:
        raise InputError(f"cannot read archive {path}: {error}") from error
    folder = cache / "archives"
    name = digest.hexdigest()[:32]
    found = _open_entry(folder / name)
    if found is None:
        folder.mkdir(parents=True, exist_ok=True)
        _sweep(cache)

        def build(tree: Path) -> dict[str, object]:
            tree.rmdir()  # extract_archive makes it, and removes it when it refuses the archive.
            extract_archive(path, tree)
            return {"kind": "archive", "source": str(path.resolve())}

        found = _build_entry(cache, folder, build, lambda _: name)
    return _replace_path(found, archive_root(found.path))


# --- the cache's entries ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """One complete entry of the cache, as ``codesim cache list`` shows it."""

    path: Path
    kind: Literal["git", "archive"]
    source: str
    """The URL (password left out) or the archive's path."""
    commit: str | None
    date: str | None
    bytes: int
    last_used: float
    """Unix time of the last run that read it."""


def _open_entry(entry: Path) -> ResolvedInput | None:
    """The complete entry at ``entry``, marked as used and locked for reading, or None."""
    meta = _read_meta(entry)
    if meta is None:
        return None
    lock = _lock(entry / "lock", shared=True)
    if lock is None:
        return None  # Being evicted right now.
    with contextlib.suppress(OSError):
        os.utime(entry / "meta.json")  # Least recently used is read off this time.
    return ResolvedInput(entry / "tree", meta.source, meta.commit, meta.date, lock.close)


def _build_entry(
    cache: Path,
    folder: Path,
    build: Callable[[Path], dict[str, object]],
    name: Callable[[dict[str, object]], str],
) -> ResolvedInput:
    """Build an entry in a temporary folder inside ``folder`` and rename it into place; on
    any failure or interruption the temporary folder is removed."""
    temporary = Path(tempfile.mkdtemp(prefix=_TEMP_PREFIX, dir=folder))
    # Held until the rename: a sweep by another run sees a live build and leaves it alone.
    building = _lock(temporary / "lock", shared=False)
    try:
        tree = temporary / "tree"
        tree.mkdir()
        meta = build(tree)
        meta["bytes"] = _size(tree)
        (temporary / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        entry = folder / name(meta)
        with contextlib.suppress(OSError):
            # Fails when another run finished the same entry first: theirs is as good.
            temporary.rename(entry)
    finally:
        if building is not None:
            building.close()
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    found = _open_entry(entry)
    if found is None:
        raise InputError(f"cannot store {meta['source']} in the cache folder {folder}")
    _evict(cache, keep=entry)
    return found


def _lock(path: Path, *, shared: bool) -> IO[bytes] | None:
    """An open lock file holding a ``flock``, or None when another process holds a
    conflicting one (shared locks never conflict with each other)."""
    try:
        handle = path.open("ab")
    except OSError:
        return None
    try:
        fcntl.flock(handle, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _read_meta(entry: Path) -> CacheEntry | None:
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        used = (entry / "meta.json").stat().st_mtime
        kind = meta["kind"]
        if kind not in ("git", "archive") or not (entry / "tree").is_dir():
            return None
        return CacheEntry(
            path=entry,
            kind=kind,
            source=str(meta["source"]),
            commit=meta.get("commit"),
            date=meta.get("date"),
            bytes=int(meta["bytes"]),
            last_used=used,
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _size(folder: Path) -> int:
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += (Path(root) / name).lstat().st_size
    return total


def _entry_folders(cache: Path) -> list[Path]:
    """Every folder that is, or may be, an entry: complete ones and leftovers alike."""
    found = []
    for parent in [cache / "archives", *_subfolders(cache / "git")]:
        found.extend(_subfolders(parent))
    return found


def _subfolders(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.is_dir() and not p.is_symlink())
    except OSError:
        return []


def cache_entries(cache: Path) -> list[CacheEntry]:
    """The complete entries of the cache, least recently used first."""
    entries = [
        meta
        for folder in _entry_folders(cache)
        if not folder.name.startswith((_TEMP_PREFIX, _TRASH_PREFIX))
        and (meta := _read_meta(folder)) is not None
    ]
    return sorted(entries, key=lambda e: e.last_used)


def _remove(folder: Path) -> bool:
    """Remove an entry unless a run is reading it.  It is renamed first, so a removal cut
    short leaves a leftover to sweep, never an entry that looks whole."""
    lock = _lock(folder / "lock", shared=False)
    if lock is None:
        return False
    trash = folder.with_name(f"{_TRASH_PREFIX}{folder.name}-{os.getpid()}")
    try:
        folder.rename(trash)
    except OSError:
        return False
    finally:
        lock.close()
    shutil.rmtree(trash, ignore_errors=True)
    return True


def clear_cache(cache: Path) -> tuple[int, int]:
    """Remove every entry no run is reading, and every leftover; returns ``(entries removed,
    bytes freed)``."""
    removed = freed = 0
    for entry in cache_entries(cache):
        if _remove(entry.path):
            removed += 1
            freed += entry.bytes
    _sweep(cache)
    return removed, freed


def _sweep(cache: Path) -> None:
    """Remove the leftovers of runs that died: temporary folders whose builder no longer
    holds their lock, half-removed entries, and entries whose metadata is unreadable."""
    now = time.time()
    for folder in _entry_folders(cache):
        if folder.name.startswith(_TRASH_PREFIX):
            shutil.rmtree(folder, ignore_errors=True)
        elif folder.name.startswith(_TEMP_PREFIX):
            lock_file = folder / "lock"
            if lock_file.exists():
                lock = _lock(lock_file, shared=False)
                if lock is not None:
                    lock.close()
                    shutil.rmtree(folder, ignore_errors=True)
            elif now - _mtime(folder) > _ORPHAN_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
        elif _read_meta(folder) is None and now - _mtime(folder) > _ORPHAN_SECONDS:
            _remove(folder)


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _evict(cache: Path, keep: Path) -> None:
    """Remove least recently used entries until the cache is under its cap; ``keep`` (the
    entry this run just made) and entries other runs are reading stay."""
    cap = cache_max_bytes()
    entries = cache_entries(cache)
    total = sum(entry.bytes for entry in entries)
    for entry in entries:
        if total <= cap:
            break
        if entry.path != keep and _remove(entry.path):
            total -= entry.bytes
