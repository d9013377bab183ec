"""What a walk passes over: tool folders, lock files, and whatever ``.gitignore`` files say.

Only committed ``.gitignore`` files count; ``.git/info/exclude`` and the user's global excludes
do not, so two people discovering the same checkout get the same files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pathspec

ALWAYS_IGNORED_DIRS = frozenset(
    {
        # version control
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        "_darcs",
        "CVS",
        # caches and tool state: copies or by-products of the code, never its source
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".hypothesis",
        ".ipynb_checkpoints",
        ".tox",
        ".nox",
        ".eggs",
        ".venv",
        ".direnv",
        "__pypackages__",
        "node_modules",
    }
)
"""Folders never walked.  ``venv`` is not here: it is also the name of a standard-library
package.  Virtual environments of any name are recognised by their ``pyvenv.cfg`` instead."""

VIRTUALENV_MARKER = "pyvenv.cfg"

LOCK_FILES = frozenset(
    {
        "Cargo.lock",
        "Gemfile.lock",
        "Pipfile.lock",
        "composer.lock",
        "go.sum",
        "package-lock.json",
        "pdm.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "uv.lock",
        "yarn.lock",
    }
)
"""Machine-written dependency pins: identical across unrelated projects that share a stack."""


def is_always_ignored_dir(name: str) -> bool:
    """Whether a folder called ``name`` is never walked (VCS, caches, build metadata)."""
    return name in ALWAYS_IGNORED_DIRS or name.endswith(".egg-info")


@dataclass(frozen=True, slots=True)
class IgnoreFile:
    """The patterns of one ``.gitignore``; ``prefix`` is its folder relative to the root, with a
    trailing slash (``""`` for the root), because its patterns are relative to that folder."""

    prefix: str
    spec: pathspec.GitIgnoreSpec


IgnoreRules = tuple[IgnoreFile, ...]
"""The ``.gitignore`` files that apply in a folder, outermost first."""


def parse_gitignore(prefix: str, text: str) -> IgnoreFile | None:
    """The patterns in ``text``; lines git would reject are dropped rather than failing the
    walk.  ``None`` when no pattern remains."""
    # Imported here: most runs meet no .gitignore, and pathspec costs 9 ms to import.
    import pathspec

    lines = text.splitlines()
    try:
        spec = pathspec.GitIgnoreSpec.from_lines(lines)
    except ValueError:
        spec = pathspec.GitIgnoreSpec.from_lines([line for line in lines if _is_valid(line)])
    if not any(pattern.include is not None for pattern in spec.patterns):
        return None
    return IgnoreFile(prefix, spec)


def is_ignored(rules: Sequence[IgnoreFile], path: str) -> bool:
    """Whether ``path`` (relative to the root; a folder ends with ``/``) is gitignored.

    Git's precedence: within a file the last matching pattern wins (pathspec's
    ``GitIgnoreSpec`` does that), and a deeper ``.gitignore`` overrides a shallower one, so
    the deepest file with any matching pattern decides.  A file inside an ignored folder is
    never asked about: the walk does not enter that folder, which is also why git cannot
    re-include it with a negation.
    """
    for rule in reversed(rules):
        verdict = rule.spec.check_file(path[len(rule.prefix) :]).include
        if verdict is not None:
            return bool(verdict)
    return False


def _is_valid(line: str) -> bool:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except ValueError:
        return False
    return True
