"""Real vendored copies are found: pip's ``_vendor`` folders against the originals it pins.

Every original that pip's ``vendor.txt`` pins is indexed as its own project in a real SQLite
index; pip's own source is then checked against the index through the public API, as a user
would, and the report's file pairs are summed by folder (``attribution.py``).  Each vendored
folder must be attributed to its original, and no project may claim a sizeable part of any
folder that is not a copy of it.  Needs PyPI on the first run (CI has it); later runs use the
cache in ``.cache/pip-vendor/``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from codesim.options import VERDICT_DERIVED, VERDICT_PARTIAL
from codesim.results import CheckReport
from tests.acceptance.attribution import (
    FolderMatch,
    check_pip,
    folder_matches,
    vendored_folders,
)
from tests.acceptance.pip_vendor import FetchError, Original, PipVendor, fetch

pytestmark = pytest.mark.slow

DATA_FILES = (("certifi", "cacert.pem"),)
"""Mostly-data packages, judged by file hash: the code around certifi's CA bundle is a few
lines, the bundle is what pip ships."""


@pytest.fixture(scope="module")
def vendor() -> PipVendor:
    try:
        return fetch()
    except FetchError as exc:
        pytest.fail(f"cannot fetch pip and its vendored originals from PyPI: {exc}")


@pytest.fixture(scope="module")
def checked(
    vendor: PipVendor, tmp_path_factory: pytest.TempPathFactory
) -> tuple[CheckReport, dict[str, int]]:
    return check_pip(vendor, tmp_path_factory.mktemp("index") / "pip.idx")


@pytest.fixture(scope="module")
def matches(
    vendor: PipVendor, checked: tuple[CheckReport, dict[str, int]]
) -> dict[str, list[FolderMatch]]:
    report, tokens = checked
    return folder_matches(report, tokens, expected=vendored_folders(vendor))


def test_every_pinned_original_has_a_vendored_folder(vendor: PipVendor) -> None:
    # Guards the folder mapping itself: a pin whose copy is not found would be judged on nothing.
    assert len(vendor.originals) >= 15
    assert [o.dist for o in vendor.originals if not vendor.vendored(o)] == []


def test_every_original_is_reported(
    vendor: PipVendor, checked: tuple[CheckReport, dict[str, int]]
) -> None:
    report, _ = checked
    assert {h.project.name for h in report.hits} == {o.dist for o in vendor.originals}
    licences = {h.project.name: h.project.license for h in report.hits}
    assert licences["rich"] == "MIT"
    assert licences["requests"] == "Apache-2.0"


def test_each_vendored_folder_is_attributed_to_its_original(
    vendor: PipVendor, matches: dict[str, list[FolderMatch]]
) -> None:
    wrong = {}
    for folder, original in vendored_folders(vendor).items():
        ranked = matches.get(folder, [])
        top = ranked[0] if ranked else None
        if top is None or top.project != original.dist or top.share < VERDICT_DERIVED:
            wrong[folder] = (original.dist, top)
    assert wrong == {}


def test_no_unrelated_project_claims_a_vendored_folder(
    vendor: PipVendor, matches: dict[str, list[FolderMatch]]
) -> None:
    claims = {
        (folder, m.project): round(m.share, 3)
        for folder, original in vendored_folders(vendor).items()
        for m in matches.get(folder, [])
        if m.project != original.dist and m.share >= VERDICT_PARTIAL
    }
    assert claims == {}


def test_no_project_claims_pips_own_code(
    vendor: PipVendor, matches: dict[str, list[FolderMatch]]
) -> None:
    vendored = vendored_folders(vendor)
    own = [f for f in matches if f not in vendored]
    assert "pip/_internal/utils" in own  # glibc.py shares code with packaging's _manylinux.py
    claims = {
        (folder, m.project): round(m.share, 3)
        for folder in own
        for m in matches[folder]
        if m.share >= VERDICT_PARTIAL
    }
    assert claims == {}


@pytest.mark.parametrize(("dist", "data_file"), DATA_FILES)
def test_data_files_are_the_originals(vendor: PipVendor, dist: str, data_file: str) -> None:
    original = next(o for o in vendor.originals if o.dist == dist)
    (copy,) = vendor.vendored(original)
    assert _sha256(copy / data_file) == _sha256(_source_of(original, copy.name) / data_file)


def _source_of(original: Original, package: str) -> Path:
    return original.root / package


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
