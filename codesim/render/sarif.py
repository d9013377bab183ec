"""SARIF 2.1.0 from a comparison or a check, for code-scanning UIs in CI.

One result per matched fragment, located on the side being scanned, so a code-scanning UI
draws each copied region inline in that side's files:

- ``check``: the checked code (each pair's left); the indexed project's file is the related
  location, named as ``name@version`` plus its path there;
- ``compare``: the suspect (each pair's right); the original's file is the related location.

Pairs whose verdict is ``independent`` make no results: their fragments are coincidence by
the calibrated thresholds, and a CI gate that flagged them would be noise.  The JSON report
keeps them.

Codesim spans have 1-based lines and 0-based code-point columns with exclusive ends; SARIF
regions have 1-based columns whose ``endColumn`` is also exclusive, counted in the unit
``run.columnKind`` names, so columns shift by one and the run says ``unicodeCodePoints``.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path
from typing import Any
from urllib.parse import quote

from codesim.results import CheckReport, Fragment, Hit, PairResult, Report, Span

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
RULE_ID = "codesim/copied-code"
SRCROOT = "%SRCROOT%"
"""The base of every scanned file's URI: the folder given as the scanned side."""
ORIGINAL_ROOT = "ORIGINALROOT"
"""The base of the original's file URIs in ``compare`` results' related locations."""
FINGERPRINT_KEY = "codesimFragment/v1"

_LEVELS = {"identical": "error", "derived": "warning", "partial": "note"}
"""SARIF level per verdict; ``independent`` pairs are not reported."""

_RULE: dict[str, Any] = {
    "id": RULE_ID,
    "name": "CopiedCode",
    "shortDescription": {"text": "Code copied from elsewhere, possibly disguised"},
    "fullDescription": {
        "text": "This region matches code in another project or file after formatting, "
        "comments and the names the code defines itself are normalized away: it was copied, "
        "possibly renamed, reformatted or reordered."
    },
    "help": {
        "text": "Check where the code came from and whether its licence allows the copy. "
        "The level follows the verdict of the file pair: error for identical, warning for "
        "derived, note for partial. Run `codesim compare` on the two files to see the "
        "fragments side by side and the identifier map (which name became which).",
        "markdown": "Check where the code came from and whether its licence allows the copy. "
        "The level follows the verdict of the file pair: **error** for identical, "
        "**warning** for derived, **note** for partial. Run `codesim compare` on the two "
        "files to see the fragments side by side and the identifier map (which name "
        "became which).",
    },
    "defaultConfiguration": {"level": "warning"},
    "properties": {"tags": ["plagiarism", "licensing", "maintainability"]},
}


def to_sarif(report: Report | CheckReport) -> dict[str, Any]:
    """The report as a SARIF 2.1.0 log (a JSON-ready ``dict``) with one run of codesim."""
    if isinstance(report, CheckReport):
        results = [
            result
            for hit in report.hits
            for pair in hit.pairs
            for result in _check_results(hit, pair)
        ]
        scanned = report.checked.path
        bases = {SRCROOT: _base("the checked code", scanned)}
        summary: dict[str, Any] = {"share": report.share, "hits": len(report.hits)}
    else:
        results = [result for pair in report.pairs for result in _compare_results(pair)]
        scanned = report.right.path
        bases = {
            SRCROOT: _base("the suspect", scanned),
            ORIGINAL_ROOT: _base("the original", report.left.path),
        }
        summary = {
            "score": report.score,
            "similarity": report.similarity,
            "verdict": report.verdict,
        }
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "codesim",
                "version": version("codesim"),
                "rules": [_RULE],
            }
        },
        "columnKind": "unicodeCodePoints",
        "originalUriBaseIds": bases,
        "invocations": [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": warning}}
                    for warning in report.warnings
                ],
            }
        ],
        "results": results,
        "properties": {**summary, "schemaVersion": report.schema_version},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def write_sarif(report: Report | CheckReport, path: str | Path) -> None:
    """Write ``to_sarif(report)`` to ``path`` as UTF-8 JSON; ``OSError`` when it cannot."""
    # ASCII escapes keep a file name's undecodable bytes (lone surrogates) writable.
    text = json.dumps(to_sarif(report), indent=2)
    Path(path).write_text(text + "\n", encoding="utf-8")


def _compare_results(pair: PairResult) -> list[dict[str, Any]]:
    level = _LEVELS.get(pair.verdict)
    if level is None:
        return []
    results = []
    for fragment in pair.fragments:
        message = (
            f"{_lines(fragment.right).capitalize()} match {pair.left} "
            f"{_lines(fragment.left)} in the original ({fragment.tokens} tokens; file pair "
            f"score {pair.score:.2f}, {pair.verdict})."
        )
        results.append(
            _result(
                level=level,
                message=message,
                path=pair.right,
                span=fragment.right,
                related=_location(
                    pair.left, ORIGINAL_ROOT, fragment.left, f"original: {pair.left}"
                ),
                fingerprint=(pair.right, pair.left, _span_key(fragment.left)),
                properties=_properties(pair, fragment),
            )
        )
    return results


def _check_results(hit: Hit, pair: PairResult) -> list[dict[str, Any]]:
    level = _LEVELS.get(pair.verdict)
    if level is None:
        return []
    project = hit.project
    label = f"{project.name} {project.version}"
    licence = f"licence {project.license}" if project.license else "licence unknown"
    # Pairs name the project's file as "name@version:path"; the path alone is the file.
    other = pair.right.removeprefix(f"{project.name}@{project.version}:")
    results = []
    for fragment in pair.fragments:
        message = (
            f"{_lines(fragment.left).capitalize()} match {label} ({licence}) {other} "
            f"{_lines(fragment.right)} ({fragment.tokens} tokens; file pair score "
            f"{pair.score:.2f}, {pair.verdict}; project score {hit.score:.2f})."
        )
        properties = _properties(pair, fragment)
        properties.update(
            project=project.name, projectVersion=project.version, projectScore=hit.score
        )
        if project.license:
            properties["license"] = project.license
        if project.url:
            properties["projectUrl"] = project.url
        results.append(
            _result(
                level=level,
                message=message,
                path=pair.left,
                span=fragment.left,
                related=_location(
                    other,
                    f"{project.name}@{project.version}",
                    fragment.right,
                    f"{label}: {other}",
                ),
                # The version is left out so that re-indexing a newer release of the same
                # project does not reopen every alert as a new one.
                fingerprint=(pair.left, project.name, other, _span_key(fragment.right)),
                properties=properties,
            )
        )
    return results


def _result(
    *,
    level: str,
    message: str,
    path: str,
    span: Span,
    related: dict[str, Any],
    fingerprint: tuple[str, ...],
    properties: dict[str, Any],
) -> dict[str, Any]:
    # The other side's span is the fingerprint's anchor: it does not move when the scanned
    # file is edited above the copy, which the scanned side's own lines would.
    digest = hashlib.sha256(json.dumps([RULE_ID, *fingerprint]).encode()).hexdigest()
    return {
        "ruleId": RULE_ID,
        "ruleIndex": 0,
        "level": level,
        "message": {"text": message},
        "locations": [_location(path, SRCROOT, span)],
        "relatedLocations": [{**related, "id": 1}],
        "partialFingerprints": {FINGERPRINT_KEY: digest},
        "properties": properties,
    }


def _location(path: str, base: str, span: Span, label: str | None = None) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(path), "uriBaseId": base},
            "region": _region(span),
        }
    }
    if label is not None:
        location["message"] = {"text": f"{label} {_lines(span)}"}
    return location


def _region(span: Span) -> dict[str, int]:
    """SARIF columns are 1-based and ``endColumn`` is the column after the region, so both
    0-based code-point columns (the end already exclusive) gain one.  Byte offsets are left
    out: they count the UTF-8 text codesim decoded, not the file's bytes on disk."""
    return {
        "startLine": span.start_line,
        "startColumn": span.start_col + 1,
        "endLine": span.end_line,
        "endColumn": span.end_col + 1,
    }


def _uri(path: str) -> str:
    """A relative URI reference for a report path: every byte but unreserved characters and
    ``/`` percent-encoded, so spaces, ``#``, ``?``, ``%``, a ``:`` in the first segment and
    control characters cannot change what the URI names; a file name's undecodable bytes
    (kept as surrogates) are encoded as the bytes they were."""
    return quote(path, safe="/", errors="surrogateescape")


def _base(role: str, path: str) -> dict[str, Any]:
    return {"description": {"text": f"{role}: {path}"}}


def _lines(span: Span) -> str:
    if span.start_line == span.end_line:
        return f"line {span.start_line}"
    return f"lines {span.start_line}-{span.end_line}"


def _span_key(span: Span) -> str:
    return f"{span.start_line}:{span.start_col}-{span.end_line}:{span.end_col}"


def _properties(pair: PairResult, fragment: Fragment) -> dict[str, Any]:
    return {
        "score": pair.score,
        "similarity": pair.similarity,
        "verdict": pair.verdict,
        "tokens": fragment.tokens,
    }
