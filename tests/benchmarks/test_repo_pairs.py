"""The repo-pair generator (``benchmarks/repos/derive.py``) on the standard library's ``json``
and ``email``: what it writes compiles, its truth names units that exist, the operations it
reports happened, imports follow the moves, and a seed always gives the same repo.

Units are read back with a small ``ast`` walk of this file's own, not the generator's.
"""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path, PurePosixPath

import pytest

from benchmarks.accuracy.corpus import stdlib_root
from benchmarks.repos.derive import OPERATIONS, Truth, derive_repo, material_files

JSON = stdlib_root() / "json"
EMAIL = stdlib_root() / "email"


def _qualnames(node: ast.AST, outer: str = "") -> list[str]:
    """Classes and functions in source order, ``outer.inner`` when nested."""
    out = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            qual = f"{outer}.{child.name}" if outer else child.name
            out += [qual, *_qualnames(child, qual)]
        else:
            out += _qualnames(child, outer)
    return out


def _unit_ids(root: Path) -> set[str]:
    ids: set[str] = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        ids.add(rel)
        counts: Counter[str] = Counter()
        for qual in _qualnames(ast.parse(path.read_text(encoding="utf-8"))):
            counts[qual] += 1
            ids.add(f"{rel}:{qual}" if counts[qual] == 1 else f"{rel}:{qual}#{counts[qual]}")
    return ids


def _files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*.py"))}


@pytest.fixture(scope="module")
def email_all(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    out = tmp_path_factory.mktemp("email") / "email"
    return out, derive_repo(EMAIL, out, seed=3, operations=OPERATIONS)


@pytest.fixture(scope="module")
def json_all(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Truth]:
    out = tmp_path_factory.mktemp("json") / "json"
    return out, derive_repo(JSON, out, seed=11, operations=OPERATIONS)


@pytest.mark.parametrize("case", ["json_all", "email_all"])
def test_every_file_compiles_and_every_truth_unit_exists(
    case: str, request: pytest.FixtureRequest
) -> None:
    out, truth = request.getfixturevalue(case)
    for path in out.rglob("*.py"):
        compile(path.read_text(encoding="utf-8"), str(path), "exec")
    existing = _unit_ids(out)
    source = JSON if case == "json_all" else EMAIL
    material = set(material_files(source))
    assert set(truth.units) == {u for u in _unit_ids(source) if u.split(":")[0] in material}
    missing = [derived for derived in truth.units.values() if derived not in existing]
    assert not missing
    for derived_file, sources in truth.files.items():
        assert (out / derived_file).is_file()
        assert all((source / s).is_file() for s in sources)


@pytest.mark.parametrize("case", ["json_all", "email_all"])
def test_structural_operations_happened(case: str, request: pytest.FixtureRequest) -> None:
    out, truth = request.getfixturevalue(case)
    assert {"merge", "split", "move_defs", "move_files", "rename_public"} <= set(truth.operations)
    files = {p.relative_to(out).as_posix() for p in out.rglob("*.py")}
    # merge: two original modules now live in one file, and the merged one's file is gone
    for merge in truth.details["merge"]:
        assert truth.units[merge["merged"]] == truth.units[merge["into"]]
        assert sorted(truth.files[truth.units[merge["into"]]]).count(merge["merged"]) == 1
    # split: a module's definitions went to new files that hold only its code
    for split in truth.details["split"]:
        assert len(split["into"]) in (1, 2)
        for new_file, names in split["into"].items():
            final = truth.details.get("move_files", {}).get(new_file, new_file)
            assert final in files and names
            assert split["module"] in truth.files[final]
    # move_files: renamed files, some in new folders
    moved = truth.details["move_files"]
    assert moved and any(
        PurePosixPath(new).parent != PurePosixPath(old).parent for old, new in moved.items()
    )
    # moved definitions end up in another file than their module's
    for move in truth.details["move_defs"]:
        old_id = f"{move['from']}:{move['name']}"
        assert truth.units[old_id].split(":")[0] != truth.units[move["from"]]
    # renamed public names: no longer defined under their old names (``rename_local`` may
    # rename them once more when no other module uses them)
    text = "\n".join(_files(out).values())
    for old in truth.details["rename_public"]:
        assert f"def {old}(" not in text and f"class {old}" not in text
        renamed = [d for o, d in truth.units.items() if o.endswith(f":{old}")]
        assert renamed and all(not d.endswith(f":{old}") for d in renamed)


def _top_level_names(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
    return names


@pytest.mark.parametrize(("case", "package"), [("json_all", "json"), ("email_all", "email")])
def test_imports_inside_the_repo_reach_what_they_import(
    case: str, package: str, request: pytest.FixtureRequest
) -> None:
    out, _ = request.getfixturevalue(case)
    modules: dict[str, ast.Module] = {}
    packages: set[str] = set()
    for path in out.rglob("*.py"):
        parts = [package, *path.relative_to(out).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
            packages.add(".".join(parts))
        modules[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"))
    checked = 0
    for dotted, tree in modules.items():
        base = dotted.split(".") if dotted in packages else dotted.split(".")[:-1]
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                up = base[: len(base) - node.level + 1]
                target = ".".join([*up, *([node.module] if node.module else [])])
            elif (node.module or "").split(".")[0] == package:
                target = str(node.module)
            else:
                continue
            where = f"{dotted}: {ast.unparse(node)}"
            assert target in modules, where
            bound = _top_level_names(modules[target])
            for alias in node.names:
                assert alias.name in bound or f"{target}.{alias.name}" in modules, where
                checked += 1
    assert checked > 5


def test_same_seed_same_repo_other_seed_other_repo(tmp_path: Path) -> None:
    first = derive_repo(JSON, tmp_path / "a" / "json", seed=5)
    again = derive_repo(JSON, tmp_path / "b" / "json", seed=5)
    other = derive_repo(JSON, tmp_path / "c" / "json", seed=6)
    assert first == again
    assert _files(tmp_path / "a" / "json") == _files(tmp_path / "b" / "json")
    assert _files(tmp_path / "c" / "json") != _files(tmp_path / "a" / "json")
    assert other.units != first.units or other.operations != first.operations


def test_left_alone_when_no_operation_is_asked(tmp_path: Path) -> None:
    truth = derive_repo(JSON, tmp_path / "json", seed=1, operations=[])
    assert truth.operations == []
    assert all(original == derived for original, derived in truth.units.items())
    for rel in material_files(JSON):
        assert ast.dump(ast.parse((tmp_path / "json" / rel).read_text())) == ast.dump(
            ast.parse((JSON / rel).read_text())
        )
