"""Hostile inputs, each through the command line or the API as a user meets it, with the clear
error or the recorded skip reason it must give.  ``CATALOGUE`` lists every hostile case of
issue 9 with the tests that cover it, here and in the unit tests (``test_catalogue_is_true``
keeps that list honest).
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

import codesim
from codesim.errors import InputError, SkipReason
from codesim.languages import get_language
from codesim.normalize import normalize
from tests.hardening.programs import deep_nesting, random_program

ROOT = Path(__file__).resolve().parents[2]

CATALOGUE: dict[str, list[str]] = {
    "binary file renamed .py": [
        "tests/hardening/test_hostile_inputs.py::test_a_binary_renamed_py_is_skipped_as_binary",
        "tests/unit/test_sources.py::test_a_file_with_a_nul_byte_is_skipped_as_binary",
    ],
    "50 MB single-line file": [
        "tests/hardening/test_hostile_inputs.py::test_a_50_mb_one_line_file_is_skipped_unread",
        "tests/hardening/test_limits.py::test_a_file_over_the_token_cap_is_skipped_and_says_which_limit",
    ],
    "10,000-level nesting": [
        "tests/hardening/test_hostile_inputs.py::test_deep_nesting_is_compared_without_a_crash",
    ],
    "invalid UTF-8, UTF-16 with BOM": [
        "tests/hardening/test_hostile_inputs.py::test_other_encodings_compare_like_their_utf8_copy",
        "tests/unit/test_sources.py::test_a_utf16_file_with_a_bom_is_text_not_binary",
    ],
    "NUL bytes": [
        "tests/hardening/test_hostile_inputs.py::test_nul_bytes_early_are_binary_and_late_are_text",
    ],
    "symlink loops and links outside the root": [
        "tests/hardening/test_hostile_inputs.py::test_symlink_loops_and_links_out_of_the_root",
        "tests/unit/test_sources.py::test_a_symlink_leading_outside_the_root_is_skipped_and_not_read",
        "tests/unit/test_sources.py::test_a_folder_symlink_to_its_parent_does_not_loop",
        "tests/unit/test_sources.py::test_file_symlinks_pointing_at_each_other_are_unreadable_not_a_crash",
    ],
    "archives with ../ paths and zip bombs": [
        "tests/hardening/test_hostile_inputs.py::test_an_archive_reaching_outside_is_an_input_error",
        "tests/unit/test_archives.py::test_hostile_tar_members_are_refused",
        "tests/unit/test_archives.py::test_hostile_zip_members_are_refused",
        "tests/unit/test_archives.py::test_bombs_and_too_many_files_are_refused",
        "tests/unit/test_archives.py::test_a_zip_whose_sizes_lie_is_refused",
    ],
    "notebooks with malformed JSON": [
        "tests/hardening/test_hostile_inputs.py::test_malformed_notebooks_are_skipped_with_the_reason",
        "tests/hardening/test_fuzz_regressions.py::test_inputs_the_fuzzer_found_run_clean",
        "tests/behaviour/test_notebooks.py::test_a_folder_comparison_picks_up_notebooks_and_reports_malformed_ones",
    ],
    "billion-laughs YAML": [
        "tests/hardening/test_hostile_inputs.py::test_config_bombs_in_a_folder_become_warnings",
        "tests/artifacts/test_configs.py::test_billion_laughs_is_refused_fast",
    ],
    "safetensors headers that lie about sizes": [
        "tests/hardening/test_hostile_inputs.py::test_lying_safetensors_headers_are_refused",
        "tests/artifacts/test_checkpoints.py::test_a_header_lying_about_sizes_is_refused",
        "tests/artifacts/test_checkpoints.py::test_a_truncated_file_is_refused",
    ],
    "paths with newlines and non-UTF-8 bytes": [
        "tests/hardening/test_hostile_inputs.py::test_hostile_file_names_are_reported_and_never_reach_the_terminal_raw",
        "tests/render/test_sarif.py::test_undecodable_file_name_bytes_are_percent_encoded",
    ],
    "HTML cannot execute source text": [
        "tests/render/test_html.py::test_hostile_code_and_paths_are_escaped",
        "tests/render/test_html.py::test_only_the_pages_own_script_may_run",
        "tests/render/test_html.py::test_hostile_source_cannot_run_script",
    ],
    "JSON and SARIF escape control characters": [
        "tests/hardening/test_hostile_inputs.py::test_hostile_file_names_are_reported_and_never_reach_the_terminal_raw",
        "tests/render/test_sarif.py::test_odd_paths_become_escaped_uris_and_json",
    ],
    "generated and mutated source (fuzzing)": [
        "tests/hardening/test_fuzz_regressions.py::test_generated_programs_and_their_hostile_variants_run_clean",
        "tests/hardening/test_fuzz_regressions.py::test_arbitrary_bytes_run_clean",
    ],
    "nested increments and augmented assignments (x------, ((x += 1) += 1))": [
        "tests/hardening/test_hostile_inputs.py::"
        "test_nested_increments_and_augmented_assignments_stay_linear",
    ],
}


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    # Wide enough that no table cell wraps a file name.
    env = {**os.environ, "COLUMNS": "250"}
    return subprocess.run(
        [sys.executable, "-m", "codesim", *args], cwd=ROOT, capture_output=True, text=True, env=env
    )


def program(seed: int) -> str:
    return random_program(random.Random(seed), depth=3, width=4)


def pair_of_folders(tmp_path: Path, files: dict[str, bytes]) -> tuple[Path, Path]:
    """Two folders: ``left`` holds ``files``, ``right`` the same plus one ordinary module."""
    left, right = tmp_path / "left", tmp_path / "right"
    for side in (left, right):
        side.mkdir()
        (side / "ordinary.py").write_text(program(1))
    for name, data in files.items():
        (left / name).write_bytes(data)
    return left, right


def skips(report: codesim.Report) -> dict[str, tuple[str, str]]:
    return {s.path: (s.reason.value, s.detail) for s in report.skipped}


def test_catalogue_is_true() -> None:
    for case, tests in CATALOGUE.items():
        for test in tests:
            path, name = test.split("::")
            text = (ROOT / path).read_text(encoding="utf-8")
            assert f"def {name}(" in text, f"{case}: {test} does not exist"


def test_a_binary_renamed_py_is_skipped_as_binary(tmp_path: Path) -> None:
    elf = b"\x7fELF\x02\x01\x01\x00" + random.Random(1).randbytes(20_000)
    left, right = pair_of_folders(tmp_path, {"tool.py": elf})
    report = codesim.compare(left, right, align=False)
    reason, detail = skips(report)["tool.py"]
    assert reason == "binary" and "NUL byte" in detail
    assert report.score == 1.0  # the ordinary module still matched


def test_a_50_mb_one_line_file_is_skipped_unread(tmp_path: Path) -> None:
    line = b"x = [" + b"1, " * 16_700_000 + b"]\n"
    assert len(line) > 50_000_000
    left, right = pair_of_folders(tmp_path, {"table.py": line})
    started = time.monotonic()
    report = codesim.compare(left, right, align=False)
    assert time.monotonic() - started < 10
    assert skips(report)["table.py"] == (
        "too_large",
        "50.1 MB is over the 2.0 MB limit (max_file_bytes)",
    )
    # Under a raised byte limit a line that long marks a generated (minified) file.
    raised = codesim.make_options(max_file_bytes=60_000_000)
    reason, detail = skips(codesim.compare(left, right, options=raised, align=False))["table.py"]
    assert reason == "generated" and "minified" in detail


@pytest.mark.parametrize(
    ("kind", "levels"),
    [("brackets", 10_000), ("calls", 10_000), ("binops", 10_000), ("blocks", 1_000)],
)
def test_deep_nesting_is_compared_without_a_crash(tmp_path: Path, kind: str, levels: int) -> None:
    # Blocks are indented one space per level: 1,000 levels are half a megabyte already.
    data = deep_nesting(levels, kind)
    left, right = tmp_path / "a.py", tmp_path / "b.py"
    left.write_bytes(data)
    right.write_bytes(data)
    started = time.monotonic()
    report = codesim.compare(left, right)
    assert time.monotonic() - started < 20
    assert report.score == 1.0 and report.pairs[0].left_coverage == 1.0


def test_other_encodings_compare_like_their_utf8_copy(tmp_path: Path) -> None:
    text = "# Größe\nNAME = 'é中'\n" + program(2)
    original = tmp_path / "original.py"
    original.write_text(text, encoding="utf-8")
    variants = {
        "utf16.py": "\ufeff".encode("utf-16-le") + text.encode("utf-16-le"),
        "latin1.py": b"# coding: latin-1\n" + text.replace("中", "?").encode("latin-1"),
        # Invalid UTF-8 without a cookie is read as cp1252 rather than lost.
        "broken.py": text.encode("utf-8").replace("é".encode(), b"\xe9\xff"),
    }
    for name, data in variants.items():
        path = tmp_path / name
        path.write_bytes(data)
        report = codesim.compare(original, path)
        assert report.verdict == "identical", name
    assert codesim.compare(original, tmp_path / "utf16.py").right.files == 1


def test_nul_bytes_early_are_binary_and_late_are_text(tmp_path: Path) -> None:
    code = program(3).encode()
    early = b"x = 1  # \x00\n" + code
    late = code + b"# " + b"x" * 9000 + b"\ny = '\x00'\n" + code
    left, right = pair_of_folders(tmp_path, {"early.py": early, "late.py": late})
    (right / "late.py").write_bytes(late)
    result = cli("compare", str(left), str(right), "--json", "--no-align")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == [("early.py", "binary")]
    assert any(p["left"] == "late.py" and p["score"] == 1.0 for p in report["pairs"])


needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")


@needs_symlinks
def test_symlink_loops_and_links_out_of_the_root(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(program(4))
    left, right = pair_of_folders(tmp_path, {})
    (left / "loop").symlink_to(left, target_is_directory=True)
    (left / "a.py").symlink_to(left / "b.py")
    (left / "b.py").symlink_to(left / "a.py")
    (left / "secret.py").symlink_to(outside / "secret.py")
    (left / "escape").symlink_to(outside, target_is_directory=True)
    started = time.monotonic()
    report = codesim.compare(left, right, align=False)
    assert time.monotonic() - started < 10
    found = skips(report)
    assert found["secret.py"][0] == "symlink_outside_root"
    assert found["escape"][0] == "symlink_outside_root"
    assert found["a.py"] == ("unreadable", "symbolic link loop")
    assert report.left.files == 1


def test_an_archive_reaching_outside_is_an_input_error(tmp_path: Path) -> None:
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("project/ok.py", program(5))
        zipped.writestr("project/../../escaped.py", "x = 1\n")
    env = {**os.environ, "CODESIM_CACHE": str(tmp_path / "cache")}
    result = subprocess.run(
        [sys.executable, "-m", "codesim", "compare", str(archive), str(archive)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 3
    assert "outside its folder" in result.stderr and "escaped.py" in result.stderr
    assert not list(tmp_path.rglob("escaped.py"))


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b'{"nbformat": 4, "cells": [', "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"nbformat": 4, "cells": [{"cell_type": "code", "source": 7}]}', "neither a string"),
        (b'{"nbformat": 99, "cells": []}', "not supported"),
        (b'{"nbformat": 4, "cells": ["\xff"]}', "not UTF-8"),
    ],
)
def test_malformed_notebooks_are_skipped_with_the_reason(
    tmp_path: Path, data: bytes, says: str
) -> None:
    left, right = pair_of_folders(tmp_path, {"analysis.ipynb": data})
    reason, detail = skips(codesim.compare(left, right, align=False))["analysis.ipynb"]
    assert reason == SkipReason.MALFORMED_NOTEBOOK.value and says in detail


def test_config_bombs_in_a_folder_become_warnings(tmp_path: Path) -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    left, right = pair_of_folders(
        tmp_path, {"config.yaml": "\n".join(lines).encode(), "deep.json": b"[" * 100_000}
    )
    (right / "config.yaml").write_text("lr: 0.1\nlayers: 12\n")
    started = time.monotonic()
    report = codesim.compare(left, right)
    assert time.monotonic() - started < 15
    assert any("YAML bomb" in w for w in report.warnings)
    assert report.score == 1.0


def _safetensors(
    header: bytes | dict[str, object], data: bytes, length: int | None = None
) -> bytes:
    raw = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack("<Q", len(raw) if length is None else length) + raw + data


_W = {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}


@pytest.mark.parametrize(
    "body",
    [
        _safetensors({"w": _W}, bytes(16), length=2**63),
        _safetensors({"w": _W}, bytes(16), length=10_000),
        _safetensors({"w": {**_W, "data_offsets": [0, 1_000_000]}}, bytes(16)),
        _safetensors({"w": {**_W, "data_offsets": [16, 0]}}, bytes(16)),
        _safetensors({"w": {**_W, "shape": [2**40, 2**40]}}, bytes(16)),
        _safetensors({"a": _W, "b": _W}, bytes(16)),
        _safetensors(b"[" * 100_000 + b"]" * 100_000, bytes(16)),
        b"\x01\x02",
    ],
    ids=["length-2^63", "length-past-end", "offsets-past-end", "offsets-reversed",
         "shape-overflow", "overlapping", "deep-header", "short"],
)  # fmt: skip
def test_lying_safetensors_headers_are_refused(tmp_path: Path, body: bytes) -> None:
    pytest.importorskip("safetensors")
    from safetensors.numpy import save_file

    good = tmp_path / "good.safetensors"
    save_file({"w": np.arange(4096, dtype=np.float32).reshape(64, 64)}, str(good))
    lying = tmp_path / "lying.safetensors"
    lying.write_bytes(body)
    with pytest.raises(InputError, match=r"lying\.safetensors: not a valid safetensors file"):
        codesim.compare(good, lying)


def test_hostile_file_names_are_reported_and_never_reach_the_terminal_raw(
    tmp_path: Path,
) -> None:
    code = program(6)
    left, right = tmp_path / "left", tmp_path / "right"
    names = ["line\nbreak.py", "\x1b]0;owned\x07title.py", "\x1b[2Jclear.py", "tab\there.py"]
    for side in (left, right):
        side.mkdir()
        for name in names:
            (side / name).write_text(code)
        (side / os.fsdecode(b"caf\xe9.py")).write_text(code)  # not UTF-8 on disk
    text = cli("compare", str(left), str(right), "--no-align", "--top", "1")
    assert text.returncode == 0, text.stderr
    assert "\x1b" not in text.stdout and "\x07" not in text.stdout
    assert "\\x1b]0;owned\\x07title.py" in text.stdout and "line\\nbreak.py" in text.stdout
    as_json = cli("compare", str(left), str(right), "--no-align", "--json")
    report = json.loads(as_json.stdout)  # control characters escaped, names valid Unicode
    assert "\x1b" not in as_json.stdout and "\\u001b" in as_json.stdout
    assert {p["left"] for p in report["pairs"]} == {*names, "caf\ufffd.py"}
    sarif = tmp_path / "out.sarif"
    assert (
        cli("compare", str(left), str(right), "--no-align", "--sarif", str(sarif)).returncode == 0
    )
    assert "\x1b" not in sarif.read_text(encoding="utf-8")
    json.loads(sarif.read_text(encoding="utf-8"))


@pytest.mark.parametrize("language_id", ["c", "cpp", "java", "javascript", "go"])
def test_nested_increments_and_augmented_assignments_stay_linear(language_id: str) -> None:
    # ``x = x + 1`` emits the operand twice: an operand holding another increment would
    # double the stream at every level of ``x------...`` or ``((x += 1) += 1) += 1``.
    language = get_language(language_id)
    if not language.grammar_installed():
        pytest.skip(language.missing_grammar())
    for depth in (10, 60):
        increments = "int f() { x" + "--" * depth + "; }\n"
        augmented = "int f() { " + "(" * depth + "x" + " += 1)" * depth + "; }\n"
        for source in (increments, augmented):
            stream = normalize(source.encode(), language)
            assert len(stream.symbols) < 20 * depth
    # Plain ones are still read as assignments of a sum, the canonical form.
    simple = normalize(PLAIN_UPDATES[language_id].encode(), language)
    assert simple.symbols.count("+") >= (2 if language_id in INCREMENTS_REWRITTEN else 1)


PLAIN_UPDATES = {
    "c": "int f() { i++; j += 2; }\n",
    "cpp": "int f() { i++; j += 2; }\n",
    "java": "class A { void f() { i++; j += 2; } }\n",
    "javascript": "function f() { i++; j += 2; }\n",
    "go": "package a\nfunc f() { i++; j += 2 }\n",
}
INCREMENTS_REWRITTEN = {"c", "cpp", "go"}
"""The languages whose tables list their increments (``i++`` read as ``i = i + 1``)."""
