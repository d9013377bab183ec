"""Repos derived from real standard-library packages align unit by unit, and independent
packages of the same purpose do not.

The derived repos come from ``benchmarks/repos/derive.py`` (test-owned, ``ast``-based, nothing
shared with codesim's normalizer) with every operation on: files renamed and moved into new
folders, definitions moved across files, two modules merged, one split, public and local
names renamed, dead code and reformatting.  Its ground truth names, for every original unit,
the derived unit it became; units of three lines or more are scored, as in the benchmark.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import codesim
from benchmarks.accuracy.corpus import stdlib_root
from benchmarks.repos.derive import (
    OPERATIONS,
    Truth,
    copy_repo,
    derive_repo,
    iter_truth_units,
)
from benchmarks.repos.derive import material_files as material

STDLIB = stdlib_root()
NO_HISTORY = codesim.Options(history=False)


def _original(tmp_path: Path, package: str) -> Path:
    out = tmp_path / "original" / package
    copy_repo(STDLIB / package, out, material(STDLIB / package))
    return out


@pytest.mark.parametrize(("package", "seed"), [("json", 11), ("email", 3), ("http", 5)])
def test_a_derived_package_is_aligned_and_judged_derived(
    tmp_path: Path, package: str, seed: int
) -> None:
    original = _original(tmp_path, package)
    derived = tmp_path / "derived" / f"{package}_fork"
    truth = derive_repo(original, derived, seed=seed, operations=OPERATIONS)
    # http has too few modules for the generator to merge two of them.
    assert {"split", "move_defs", "move_files"} <= set(truth.operations)
    report = codesim.compare(original, derived, options=NO_HISTORY)
    assert report.alignment is not None
    found = {u.left: u.right for u in report.alignment.units}
    expected = dict(iter_truth_units(truth))
    correct = sum(found.get(left) == right for left, right in expected.items())
    assert correct >= 0.9 * len(expected), f"{correct} of {len(expected)} units aligned"
    assert report.verdict == "derived"
    changes = {(c.kind, tuple(c.left), tuple(c.right)) for c in report.alignment.files}
    merged = [set(c[1]) for c in changes if c[0] == "merged"]
    for merge in truth.details.get("merge", []):
        assert any({merge["into"], merge["merged"]} <= group for group in merged), merge
    # A moved file that kept most of its code (by the truth's lines) is reported as moved or
    # renamed; a small file with edited imports may leave too little shared code to tell.
    moves = [
        (before, after)
        for before, after in truth.details.get("move_files", {}).items()
        if truth.files.get(after) == [before] and _kept(truth, before, after) >= 0.5
    ]
    reported = [
        move
        for move in moves
        if {("moved", (move[0],), (move[1],)), ("renamed", (move[0],), (move[1],))} & changes
    ]
    assert len(reported) >= 0.8 * len(moves), sorted(set(moves) - set(reported))


def _kept(truth: Truth, before: str, after: str) -> float:
    """Share of the lines of ``before``'s units that went to ``after``."""
    lines = {u: n for u, n in truth.unit_lines.items() if u.partition(":")[0] == before}
    went = sum(n for u, n in lines.items() if truth.units[u].partition(":")[0] == after)
    return went / max(1, sum(lines.values()))


@pytest.mark.parametrize(
    ("left", "right"),
    [("json", "tomllib"), ("configparser.py", "tomllib"), ("http", "xmlrpc")],
)
def test_independent_packages_of_one_purpose_are_independent(
    tmp_path: Path, left: str, right: str
) -> None:
    sides = []
    for name in (left, right):
        folder = tmp_path / name.removesuffix(".py")
        if name.endswith(".py"):
            copy_repo(STDLIB, folder, [name])
        else:
            copy_repo(STDLIB / name, folder, material(STDLIB / name))
        sides.append(folder)
    report = codesim.compare(*sides, options=NO_HISTORY)
    assert report.verdict == "independent", report.score
    assert report.alignment is not None
    assert report.alignment.left_aligned < 0.1 and report.alignment.right_aligned < 0.1
