"""The corpus of the index scale benchmark: many real projects to index, and query repos.

Indexed: the interpreter's standard library, one project per top-level package (``stdlib-json``,
``stdlib-test``, ...) plus one for the top-level modules, and the pinned PyPI wheels of
``PYPI_PINS``, one project each: together over a million lines.  Not indexed: the accuracy
benchmark's pinned packages (``benchmarks.accuracy.corpus``), real code nobody indexed.

Wheels are fetched with ``pip download --no-deps`` into the git-ignored ``.cache/pypi/dl/``
(the accuracy benchmark's download folder) and never installed.  Every file is copied into
``.cache/benchmarks/index-scale-<key>/projects/<project>/`` so that each project is a folder
``Index.add`` takes as a user would.  Query repos (``queries/<size>-<n>/``) mix whole files
of indexed projects with whole not-indexed files, half the lines each, drawn with a seeded
generator: the same repos on every run and machine of one Python version.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import subprocess
import sys
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from benchmarks._corpus import CACHE, STDLIB, count_lines
from benchmarks.accuracy.config import PYPI_DIR
from benchmarks.accuracy.corpus import fetch_pypi, pypi_modules

PYPI_PINS: tuple[tuple[str, str], ...] = (
    # Pure-Python wheels of well-known projects, about 610,000 lines of .py files together.
    ("Django", "4.2.16"),
    ("networkx", "3.3"),
    ("Pygments", "2.18.0"),
    ("Sphinx", "7.4.7"),
    ("docutils", "0.21.2"),
    ("rich", "13.9.2"),
    ("Jinja2", "3.1.4"),
)

INDEXED_SHARE = 0.5
"""Share of a query repo's lines taken from indexed projects; the rest is not indexed."""

CORPUS_VERSION = 1
"""Bump when the layout below changes, to rebuild cached corpora."""

_SKIP_PARTS = frozenset({"site-packages", "dist-packages", "__pycache__"})


@dataclass(frozen=True)
class Project:
    """One project to index: a folder under ``projects/``."""

    name: str
    version: str
    files: int
    lines: int


@dataclass(frozen=True)
class IndexCorpus:
    """Where the projects and query repos are, and how big they are."""

    root: Path
    projects: list[Project]
    queries: dict[int, list[str]]
    """Query size -> folder names under ``queries/``."""

    @property
    def lines(self) -> int:
        return sum(project.lines for project in self.projects)

    def project_path(self, project: Project) -> Path:
        return self.root / "projects" / project.name

    def query_path(self, name: str) -> Path:
        return self.root / "queries" / name


def build(queries_per_size: dict[int, int]) -> IndexCorpus:
    """The corpus under ``.cache/benchmarks/``, built on first use and reused afterwards."""
    wheels = [_download(dist, version) for dist, version in PYPI_PINS]
    fetch_pypi(log=True)
    stdlib = _stdlib_files()
    key = hashlib.sha256(
        f"{CORPUS_VERSION}|{sys.version}|{sorted(queries_per_size.items())}|".encode()
    )
    for relative, path in stdlib:
        key.update(f"{relative}|{path.stat().st_size}|".encode())
    for wheel in wheels:
        key.update(f"{wheel.name}|{wheel.stat().st_size}|".encode())
    root = CACHE / f"index-scale-{key.hexdigest()[:12]}"
    manifest = root / "manifest.json"
    if manifest.exists():
        return load(root)
    if root.exists():
        shutil.rmtree(root)  # a build that did not finish
    print(f"index corpus: building {root}", file=sys.stderr)
    projects = _write_stdlib(root / "projects", stdlib)
    projects += [_write_wheel(root / "projects", wheel) for wheel in wheels]
    corpus = IndexCorpus(root, projects, {})
    corpus.queries.update(_write_queries(corpus, queries_per_size))
    manifest.write_text(
        json.dumps(
            {"projects": [asdict(p) for p in corpus.projects], "queries": corpus.queries}, indent=1
        )
    )
    return corpus


def load(root: Path) -> IndexCorpus:
    """A corpus ``build`` made earlier."""
    data = json.loads((root / "manifest.json").read_text())
    return IndexCorpus(
        root,
        [Project(**p) for p in data["projects"]],
        {int(size): names for size, names in data["queries"].items()},
    )


def _download(dist: str, version: str) -> Path:
    folder = PYPI_DIR / "dl" / f"{dist.lower()}-{version}"
    folder.mkdir(parents=True, exist_ok=True)
    found = sorted(folder.glob("*.whl"))
    if not found:
        print(f"pypi: downloading {dist}=={version}", file=sys.stderr)
        command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        command += ["--disable-pip-version-check", "--quiet", "--dest", str(folder)]
        done = subprocess.run(
            [*command, f"{dist}=={version}"], capture_output=True, text=True, check=False
        )
        found = sorted(folder.glob("*.whl"))
        if done.returncode != 0 or not found:
            raise RuntimeError(f"pip download {dist}=={version} failed:\n{done.stderr}")
    return found[0]


def _stdlib_files() -> list[tuple[str, Path]]:
    files = []
    for path in sorted(STDLIB.rglob("*.py")):
        relative = path.relative_to(STDLIB)
        if _SKIP_PARTS.intersection(relative.parts) or path.is_symlink() or not path.is_file():
            continue
        files.append((relative.as_posix(), path))
    return files


def _write_stdlib(target: Path, files: list[tuple[str, Path]]) -> list[Project]:
    """One project per top-level package, and one for the top-level modules."""
    grouped: dict[str, list[tuple[str, Path]]] = {}
    for relative, path in files:
        parts = PurePosixPath(relative).parts
        grouped.setdefault(parts[0] if len(parts) > 1 else "", []).append((relative, path))
    version = f"{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}"
    projects = []
    for group, members in sorted(grouped.items()):
        name = f"stdlib-{group}" if group else "stdlib"
        lines = sum(
            _copy(path.read_bytes(), target / name / relative) for relative, path in members
        )
        projects.append(Project(name, version, len(members), lines))
    return projects


def _write_wheel(target: Path, wheel: Path) -> Project:
    dist, version = wheel.name.split("-")[:2]
    files = lines = 0
    with zipfile.ZipFile(wheel) as archive:
        for info in archive.infolist():
            parts = PurePosixPath(info.filename).parts
            if info.is_dir() or not info.filename.endswith(".py") or ".." in parts:
                continue
            if any(part.endswith((".dist-info", ".data")) for part in parts):
                continue
            lines += _copy(archive.read(info), target / dist.lower() / info.filename)
            files += 1
    return Project(dist.lower(), version, files, lines)


def _copy(data: bytes, path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return count_lines(data)


def _write_queries(corpus: IndexCorpus, counts: dict[int, int]) -> dict[int, list[str]]:
    indexed = [
        (f"{project.name}/{path.relative_to(corpus.project_path(project)).as_posix()}", path)
        for project in corpus.projects
        for path in sorted(corpus.project_path(project).rglob("*.py"))
    ]
    foreign = [(module.key, module.path) for module in pypi_modules()]
    names: dict[int, list[str]] = {}
    for size, count in sorted(counts.items()):
        names[size] = []
        for n in range(count):
            name = f"{size}-{n}"
            draw = random.Random(f"codesim-index-scale:{name}")
            folder = corpus.query_path(name)
            share = round(size * INDEXED_SHARE)
            _fill(folder / "vendored", indexed, share, draw)
            _fill(folder / "own", foreign, size - share, draw)
            names[size].append(name)
    return names


def _fill(folder: Path, pool: list[tuple[str, Path]], lines: int, draw: random.Random) -> None:
    """Copy whole files drawn from ``pool`` into ``folder`` until they hold ``lines`` lines;
    a file is taken only if it fits in what is left (within 10%), so small repos get small
    files."""
    left = lines
    order = draw.sample(range(len(pool)), len(pool))
    for index in order:
        if left <= 0:
            break
        key, path = pool[index]
        data = path.read_bytes()
        size = count_lines(data)
        if size < 20 or size > left + max(50, lines // 10):
            continue
        left -= _copy(data, folder / key.replace("/", "__"))
