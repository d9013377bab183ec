"""A vendored copy whose imports were rewritten to name its new home is still an exact copy.

Vendoring tools (pip's ``vendoring``, hand-made ``_vendor`` folders) move a package under the
host project and rewrite its absolute imports: ``from email.utils import x`` becomes
``from myapp._vendor.email.utils import x``.  The standard library's ``email`` package, which
imports itself absolutely in dozens of places, is copied that way here.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import codesim
from tests.stdlib_corpus import module_path

_ABSOLUTE_IMPORT = re.compile(r"^(\s*)from email([. ])", re.MULTILINE)


def vendor_email(target: Path) -> tuple[Path, Path]:
    """The ``email`` package under ``target/original`` and vendored under
    ``target/host/myapp/_vendor``, with its ``from email...`` imports rewritten."""
    package = module_path("email").parent
    original = target / "original"
    shutil.copytree(package, original / "email", ignore=shutil.ignore_patterns("__pycache__"))
    vendored = target / "host" / "myapp" / "_vendor" / "email"
    rewritten = 0
    for source in (original / "email").rglob("*.py"):
        copy = vendored / source.relative_to(original / "email")
        copy.parent.mkdir(parents=True, exist_ok=True)
        text, count = _ABSOLUTE_IMPORT.subn(r"\1from myapp._vendor.email\2", source.read_text())
        copy.write_text(text)
        rewritten += count
    assert rewritten >= 20, "the email package no longer imports itself absolutely"
    return original, target / "host"


def test_a_vendored_package_with_rewritten_imports_is_identical_to_its_original(
    tmp_path: Path,
) -> None:
    original, host = vendor_email(tmp_path)
    report = codesim.compare(original, host)
    assert report.score == 1.0
    assert report.verdict == "identical"
    # The package moved as a whole: no file of it moved on its own.
    assert report.alignment is not None
    assert report.alignment.relocation == ["", "myapp/_vendor"]
    assert report.alignment.files == []


def test_without_the_folders_that_name_it_the_rewritten_import_is_a_difference(
    tmp_path: Path,
) -> None:
    # Compared from inside the package folders, nothing says that ``myapp._vendor.email`` is
    # the package itself: the rewritten imports stay what they say, and the copy is not exact.
    original, host = vendor_email(tmp_path)
    report = codesim.compare(original / "email", host / "myapp" / "_vendor" / "email")
    assert 0.9 < report.score < 1.0
