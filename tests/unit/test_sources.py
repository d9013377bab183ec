"""Source discovery on real files, folders and symbolic links in a temporary directory."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from codesim.errors import InputError, SkipReason
from codesim.options import make_options
from codesim.sources.model import Discovery, SkippedFile
from codesim.sources.walk import discover

LANGUAGES = {".py": "python", ".pyi": "python", ".json": "json"}
SHEBANGS = {"python": "python", "python3": "python"}

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links")


@pytest.fixture
def permissions_enforced(tmp_path: Path) -> None:
    """Skip unless a mode-000 file is really unreadable: root (CAP_DAC_OVERRIDE) reads it anyway,
    and Windows ignores the bits.  Probing beats checking the uid: root without the capability
    is tested too."""
    probe = tmp_path / "probe"
    probe.write_bytes(b"")
    probe.chmod(0)
    try:
        probe.read_bytes()
    except PermissionError:
        return
    finally:
        probe.chmod(0o644)
        probe.unlink()
    pytest.skip("this process can read a file whatever its permission bits (root?)")


def run(path: Path, **options: object) -> Discovery:
    return discover(path, make_options(**options), LANGUAGES, SHEBANGS)


def write(root: Path, relpath: str, content: str | bytes = "x = 1\n") -> Path:
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def paths(discovery: Discovery) -> list[str]:
    return [source.path for source in discovery.files]


def skipped(discovery: Discovery) -> dict[str, SkippedFile]:
    return {item.path: item for item in discovery.skipped}


# --- walking ---------------------------------------------------------------------------------


def test_files_come_back_sorted_by_posix_path_whatever_the_creation_order(tmp_path: Path) -> None:
    for relpath in ["z.py", "a/b/c.py", "a.py", "a-b/x.py", "a/z.py", "M.py"]:
        write(tmp_path, relpath)

    first, second = run(tmp_path), run(tmp_path)

    assert paths(first) == ["M.py", "a-b/x.py", "a.py", "a/b/c.py", "a/z.py", "z.py"]
    assert first == second
    assert first.root == tmp_path


def test_a_source_file_carries_its_language_text_and_line_count(tmp_path: Path) -> None:
    write(tmp_path, "pkg/mod.py", "def f():\n    return 1\n")
    write(tmp_path, "pkg/stub.pyi", "def f() -> int: ...")  # no final newline still counts

    found = {source.path: source for source in run(tmp_path).files}

    assert found["pkg/mod.py"].language == "python"
    assert found["pkg/mod.py"].data == b"def f():\n    return 1\n"
    assert found["pkg/mod.py"].lines == 2
    assert found["pkg/mod.py"].abspath == tmp_path / "pkg" / "mod.py"
    assert found["pkg/stub.pyi"].lines == 1


def test_files_of_unknown_languages_are_counted_as_ignored_not_listed(tmp_path: Path) -> None:
    write(tmp_path, "README.md", "# hi\n")
    write(tmp_path, "notes.txt")
    write(tmp_path, "main.py")

    discovery = run(tmp_path)

    assert paths(discovery) == ["main.py"]
    assert discovery.skipped == []
    assert discovery.ignored == 2


def test_an_empty_folder_is_an_empty_discovery_not_an_error(tmp_path: Path) -> None:
    discovery = run(tmp_path)

    assert (discovery.files, discovery.skipped, discovery.ignored) == ([], [], 0)


def test_vcs_cache_and_tool_folders_are_pruned_and_counted_once_each(tmp_path: Path) -> None:
    for folder in [".git", ".hg", "__pycache__", "node_modules", ".tox", "pkg.egg-info"]:
        write(tmp_path, f"{folder}/inner/x.py")
    write(tmp_path, "src/app.py")

    discovery = run(tmp_path)

    assert paths(discovery) == ["src/app.py"]
    assert discovery.ignored == 6


def test_a_virtualenv_is_recognised_by_its_pyvenv_cfg_whatever_its_name(tmp_path: Path) -> None:
    write(tmp_path, "env-3.11/pyvenv.cfg", "home = /usr/bin\n")
    write(tmp_path, "env-3.11/lib/site.py")
    write(tmp_path, "venv/__init__.py")  # a package called venv (as in the stdlib) is code

    assert paths(run(tmp_path)) == ["venv/__init__.py"]


def test_deep_nesting_does_not_hit_the_recursion_limit(tmp_path: Path) -> None:
    depth = sys.getrecursionlimit() + 50
    folder = tmp_path
    for _ in range(depth):  # pathlib's mkdir(parents=True) would itself recurse too deep
        folder = folder / "d"
        folder.mkdir()
    try:
        write(folder, "deep.py")
        assert paths(run(tmp_path)) == ["d/" * depth + "deep.py"]
    finally:
        (folder / "deep.py").unlink()
        while folder != tmp_path:  # shutil.rmtree, and so pytest's cleanup, would recurse too
            folder.rmdir()
            folder = folder.parent


def test_lock_files_are_passed_over_even_in_a_known_language(tmp_path: Path) -> None:
    write(tmp_path, "package-lock.json", "{}")
    write(tmp_path, "config.json", "{}")

    discovery = run(tmp_path)

    assert paths(discovery) == ["config.json"]
    assert discovery.ignored == 1


def test_discovery_writes_nothing_to_the_folder(tmp_path: Path) -> None:
    write(tmp_path, "pkg/__init__.py")
    write(tmp_path, "pkg/mod.py", "import os\n")
    before = sorted(str(path) for path in tmp_path.rglob("*"))

    run(tmp_path)

    assert sorted(str(path) for path in tmp_path.rglob("*")) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_named_pipe_with_a_source_name_is_skipped_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.py")

    item = skipped(run(tmp_path))["pipe.py"]

    assert item.reason is SkipReason.UNREADABLE
    assert "not a regular file" in item.detail


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux allows non-UTF-8 file names")
def test_a_file_name_that_is_not_utf8_is_reported_with_a_replacement_character(
    tmp_path: Path,
) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9.py"
    fd = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"x = 1\n")
    os.close(fd)

    [source] = run(tmp_path).files

    assert source.path == "caf\ufffd.py"
    assert source.abspath.read_bytes() == b"x = 1\n"


# --- .gitignore ------------------------------------------------------------------------------


def test_gitignore_patterns_negations_and_folder_patterns_are_honoured(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "build/\n*_pb2.py\n!keep_pb2.py\n/top_only.py\n")
    write(tmp_path, "build/out.py")
    write(tmp_path, "a_pb2.py")
    write(tmp_path, "keep_pb2.py")
    write(tmp_path, "top_only.py")
    write(tmp_path, "sub/top_only.py")  # "/top_only.py" is anchored to the root
    write(tmp_path, "sub/b_pb2.py")

    discovery = run(tmp_path)

    assert paths(discovery) == ["keep_pb2.py", "sub/top_only.py"]
    assert discovery.ignored == 5  # .gitignore itself, build/, a_pb2.py, top_only.py, b_pb2.py


def test_a_nested_gitignore_is_relative_to_its_folder_and_overrides_the_root_one(
    tmp_path: Path,
) -> None:
    write(tmp_path, ".gitignore", "*.gen.py\n")
    write(tmp_path, "pkg/.gitignore", "!wanted.gen.py\n/local.py\n")
    write(tmp_path, "other.gen.py")
    write(tmp_path, "local.py")  # pkg's "/local.py" means pkg/local.py only
    write(tmp_path, "pkg/wanted.gen.py")
    write(tmp_path, "pkg/unwanted.gen.py")
    write(tmp_path, "pkg/local.py")
    write(tmp_path, "pkg/deeper/local.py")

    assert paths(run(tmp_path)) == ["local.py", "pkg/deeper/local.py", "pkg/wanted.gen.py"]


def test_a_file_in_an_ignored_folder_cannot_be_re_included_as_in_git(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "vendor/\n!vendor/mine.py\n")
    write(tmp_path, "vendor/mine.py")

    assert paths(run(tmp_path)) == []


def test_gitignore_is_not_applied_when_respect_gitignore_is_off(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.py\n")
    write(tmp_path, "main.py")

    assert paths(run(tmp_path, respect_gitignore=False)) == ["main.py"]


def test_an_invalid_gitignore_line_is_dropped_and_the_rest_still_applies(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "!\nskip.py\n")
    write(tmp_path, "skip.py")
    write(tmp_path, "keep.py")

    assert paths(run(tmp_path)) == ["keep.py"]


# --- skipped files ---------------------------------------------------------------------------


def test_a_file_with_a_nul_byte_is_skipped_as_binary(tmp_path: Path) -> None:
    write(tmp_path, "blob.py", b"x = 1\n\x00\x01\x02")

    discovery = run(tmp_path)

    assert discovery.files == []
    assert skipped(discovery)["blob.py"].reason is SkipReason.BINARY


def test_a_file_over_max_file_bytes_is_skipped_with_its_size_and_the_limit(tmp_path: Path) -> None:
    write(tmp_path, "big.py", "#" * 149 + "\n")
    write(tmp_path, "small.py", "x = 1\n")

    discovery = run(tmp_path, max_file_bytes=100)

    assert paths(discovery) == ["small.py"]
    item = skipped(discovery)["big.py"]
    assert item.reason is SkipReason.TOO_LARGE
    assert item.detail == "150 B is over the 100 B limit (max_file_bytes)"


@pytest.mark.parametrize(("size", "limit"), [(150, 1000), (150, 100)])
def test_a_file_that_grew_after_its_size_was_taken_is_read_whole_or_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int, limit: int
) -> None:
    write(tmp_path, "growing.py", "#" * (size - 1) + "\n")
    real_fstat = os.fstat

    def fstat_before_it_grew(fd: int) -> os.stat_result:
        # The size as it was a moment earlier: ten bytes, before a writer appended the rest.
        info = list(real_fstat(fd))
        info[6] = 10
        return os.stat_result(info)

    monkeypatch.setattr("codesim.sources.walk.os.fstat", fstat_before_it_grew)
    discovery = run(tmp_path, max_file_bytes=limit)

    if size <= limit:
        assert [len(f.data) for f in discovery.files] == [size]
    else:
        assert skipped(discovery)["growing.py"].reason is SkipReason.TOO_LARGE


@pytest.mark.parametrize(
    "header",
    [
        "# Code generated by protoc-gen-go. DO NOT EDIT.\n",
        "# -*- coding: utf-8 -*-\n# Generated by the protocol buffer compiler.  DO NOT EDIT!\n",
        '"""@generated by mypy-protobuf."""\n',
        "#!/usr/bin/env python\n# This file was automatically generated by SWIG.\n",
        "# Generated by Django 4.2 on 2024-01-01 12:00\n",
        "# Auto-generated by tools/make_tables.py\n",
        "# WARNING! All changes made in this file will be lost!\n",
    ],
)
def test_a_generated_header_skips_the_file_unless_include_generated(
    tmp_path: Path, header: str
) -> None:
    write(tmp_path, "gen.py", header + "x = 1\n")

    item = skipped(run(tmp_path))["gen.py"]
    kept = run(tmp_path, include_generated=True)

    assert item.reason is SkipReason.GENERATED
    assert "include_generated" in item.detail
    assert paths(kept) == ["gen.py"]


def test_a_generated_file_named_on_its_own_is_read(tmp_path: Path) -> None:
    # The user asked for it; in a folder it is skipped as generated.
    named = write(tmp_path, "gen.py", "# Code generated by a tool. DO NOT EDIT.\nx = 1\n")

    assert paths(run(named)) == ["gen.py"]
    assert skipped(run(tmp_path))["gen.py"].reason is SkipReason.GENERATED


@pytest.mark.parametrize(
    "text",
    [
        '"""Helpers that render autogenerated documentation."""\n',
        "# Tests for the code generator.\n",
        "import os\n\n\n\n\n\n# This file is generated by hand, line 7 is past the header\n",
        "# do not edit the list below without telling the docs team\n",
    ],
)
def test_talking_about_generated_code_does_not_make_a_file_generated(
    tmp_path: Path, text: str
) -> None:
    write(tmp_path, "real.py", text + "x = 1\n")

    assert paths(run(tmp_path)) == ["real.py"]


def test_minified_text_is_generated_but_one_long_literal_in_a_normal_file_is_not(
    tmp_path: Path,
) -> None:
    write(tmp_path, "min.py", "x=[" + "1," * 4000 + "]\n")
    write(tmp_path, "normal.py", "x = 1\n" * 300 + "DATA = '" + "a" * 6000 + "'\n")

    discovery = run(tmp_path)

    assert paths(discovery) == ["normal.py"]
    assert skipped(discovery)["min.py"].reason is SkipReason.GENERATED
    assert "minified" in skipped(discovery)["min.py"].detail


@pytest.mark.usefixtures("permissions_enforced")
def test_a_file_without_read_permission_is_skipped_as_unreadable(tmp_path: Path) -> None:
    locked = write(tmp_path, "locked.py")
    locked.chmod(0)
    try:
        item = skipped(run(tmp_path))["locked.py"]
    finally:
        locked.chmod(0o644)

    assert item.reason is SkipReason.UNREADABLE
    assert item.detail == "permission denied"


@pytest.mark.usefixtures("permissions_enforced")
def test_a_folder_that_cannot_be_listed_is_recorded_and_the_walk_goes_on(tmp_path: Path) -> None:
    write(tmp_path, "closed/x.py")
    write(tmp_path, "open/y.py")
    (tmp_path / "closed").chmod(0)
    try:
        discovery = run(tmp_path)
    finally:
        (tmp_path / "closed").chmod(0o755)

    assert paths(discovery) == ["open/y.py"]
    assert skipped(discovery)["closed"].reason is SkipReason.UNREADABLE


@pytest.mark.usefixtures("permissions_enforced")
def test_files_in_a_folder_that_can_be_listed_but_not_entered_are_unreadable(
    tmp_path: Path,
) -> None:
    write(tmp_path, "shut/x.py")
    write(tmp_path, "shut/notes.txt")
    (tmp_path / "shut").chmod(0o444)
    try:
        discovery = run(tmp_path)
    finally:
        (tmp_path / "shut").chmod(0o755)

    assert [(item.path, item.reason) for item in discovery.skipped] == [
        ("shut/x.py", SkipReason.UNREADABLE)
    ]
    assert discovery.ignored == 1


# --- encodings -------------------------------------------------------------------------------


def test_a_latin1_file_with_a_coding_cookie_is_decoded_with_its_codec(tmp_path: Path) -> None:
    text = "# -*- coding: latin-1 -*-\nname = 'Zoë Müller'\n"
    write(tmp_path, "latin.py", text.encode("latin-1"))

    [source] = run(tmp_path).files

    assert source.encoding == "latin-1"
    assert source.data == text.encode("utf-8")


def test_a_cookie_on_line_two_after_a_shebang_counts(tmp_path: Path) -> None:
    text = "#!/usr/bin/env python\n# vim: set fileencoding=koi8-r :\ns = 'Привет'\n"
    write(tmp_path, "ru.py", text.encode("koi8-r"))

    [source] = run(tmp_path).files

    assert source.encoding == "koi8-r"
    assert source.data.decode("utf-8") == text


def test_a_cp1252_file_without_a_cookie_is_decoded_as_cp1252(tmp_path: Path) -> None:
    text = "s = \u201csmart quotes\u201d  # \u20ac\n"
    write(tmp_path, "win.py", text.encode("cp1252"))

    [source] = run(tmp_path).files

    assert source.encoding == "cp1252"
    assert source.data.decode("utf-8") == text


def test_a_utf8_bom_is_dropped_from_the_data_and_reported_as_utf8_sig(tmp_path: Path) -> None:
    write(tmp_path, "bom.py", b"\xef\xbb\xbfx = '\xc3\xa9'\n")

    [source] = run(tmp_path).files

    assert source.encoding == "utf-8-sig"
    assert source.data == "x = 'é'\n".encode()


def test_a_utf16_file_with_a_bom_is_text_not_binary(tmp_path: Path) -> None:
    write(tmp_path, "wide.py", "x = 'é'\n".encode("utf-16"))

    [source] = run(tmp_path).files

    assert source.encoding == "utf-16"
    assert source.data == "x = 'é'\n".encode()


def test_bytes_invalid_in_utf8_and_cp1252_fall_back_to_latin1_without_loss(
    tmp_path: Path,
) -> None:
    raw = b"x = '\x81\x8d\xff'\n"  # 0x81 and 0x8d are unassigned in cp1252
    write(tmp_path, "bad.py", raw)

    [source] = run(tmp_path).files

    assert source.encoding == "latin-1"
    assert source.data.decode("utf-8").encode("latin-1") == raw


@pytest.mark.parametrize("codec", ["no-such-codec", "zlib", "utf-16"])
def test_a_cookie_naming_an_unusable_codec_falls_back_to_utf8(tmp_path: Path, codec: str) -> None:
    write(tmp_path, "odd.py", f"# coding: {codec}\ns = 'é'\n".encode())

    [source] = run(tmp_path).files

    assert source.encoding == "utf-8"


def test_crlf_newlines_are_kept_and_counted(tmp_path: Path) -> None:
    write(tmp_path, "dos.py", b"a = 1\r\nb = 2\r\n")

    [source] = run(tmp_path).files

    assert source.data == b"a = 1\r\nb = 2\r\n"
    assert source.lines == 2


# --- symbolic links --------------------------------------------------------------------------


@needs_symlinks
def test_a_symlink_leading_outside_the_root_is_skipped_and_not_read(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/secret.py")
    write(tmp_path, "outside/lib/mod.py")
    root = tmp_path / "root"
    root.mkdir()
    (root / "secret.py").symlink_to(outside)
    (root / "lib").symlink_to(tmp_path / "outside" / "lib", target_is_directory=True)
    (root / ".venv").symlink_to(tmp_path / "outside", target_is_directory=True)  # routine

    discovery = run(root)

    assert discovery.files == []
    assert discovery.ignored == 1
    assert {path: item.reason for path, item in skipped(discovery).items()} == {
        "lib": SkipReason.SYMLINK_OUTSIDE_ROOT,
        "secret.py": SkipReason.SYMLINK_OUTSIDE_ROOT,
    }


@needs_symlinks
def test_a_folder_symlink_to_its_parent_does_not_loop(tmp_path: Path) -> None:
    write(tmp_path, "pkg/mod.py")
    (tmp_path / "pkg" / "again").symlink_to(tmp_path, target_is_directory=True)

    discovery = run(tmp_path)

    assert paths(discovery) == ["pkg/mod.py"]
    assert discovery.skipped == []


@needs_symlinks
def test_file_symlinks_pointing_at_each_other_are_unreadable_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "a.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "b.py").symlink_to(tmp_path / "a.py")

    found = skipped(run(tmp_path))

    assert {path: item.reason for path, item in found.items()} == {
        "a.py": SkipReason.UNREADABLE,
        "b.py": SkipReason.UNREADABLE,
    }
    assert found["a.py"].detail == "symbolic link loop"


@needs_symlinks
def test_a_dangling_symlink_is_skipped_as_unreadable(tmp_path: Path) -> None:
    (tmp_path / "gone.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "gone.txt").symlink_to(tmp_path / "missing.txt")  # not code: ignored

    discovery = run(tmp_path)

    item = skipped(discovery)["gone.py"]
    assert item.reason is SkipReason.UNREADABLE
    assert "broken symbolic link" in item.detail
    assert len(discovery.skipped) == 1


@needs_symlinks
def test_a_symlinked_file_inside_the_root_is_read_once_under_its_real_path(
    tmp_path: Path,
) -> None:
    write(tmp_path, "real/mod.py")
    (tmp_path / "alias.py").symlink_to(tmp_path / "real" / "mod.py")
    (tmp_path / "alias2.py").symlink_to(tmp_path / "alias.py")  # a chain, still the same file

    discovery = run(tmp_path)

    assert paths(discovery) == ["real/mod.py"]
    assert discovery.ignored == 2


@needs_symlinks
def test_a_symlink_to_a_file_the_walk_passed_over_is_read_once(tmp_path: Path) -> None:
    write(tmp_path, "script.txt")
    (tmp_path / "one.py").symlink_to(tmp_path / "script.txt")
    (tmp_path / "two.py").symlink_to(tmp_path / "script.txt")

    [source] = run(tmp_path).files

    assert source.path == "one.py"
    assert source.abspath == tmp_path / "one.py"


@needs_symlinks
def test_a_symlink_takes_its_language_from_its_own_name_first(tmp_path: Path) -> None:
    write(tmp_path, "lib/real.py")
    write(tmp_path, ".gitignore", "lib/\n")
    (tmp_path / "tool").symlink_to(tmp_path / "lib" / "real.py")  # no extension: the target's
    (tmp_path / "notes.txt").symlink_to(tmp_path / "lib" / "real.py")  # a .txt is not code

    discovery = run(tmp_path)

    assert [(source.path, source.language) for source in discovery.files] == [("tool", "python")]


@needs_symlinks
def test_a_root_given_as_a_symlink_is_walked(tmp_path: Path) -> None:
    write(tmp_path, "real/mod.py")
    (tmp_path / "link").symlink_to(tmp_path / "real", target_is_directory=True)

    assert paths(run(tmp_path / "link")) == ["mod.py"]


# --- shebangs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first_line",
    [
        "#!/usr/bin/env python3",
        "#!/usr/bin/python3.12",
        "#! /usr/local/bin/python",
        "#!/usr/bin/env -S python3 -u",
        "#!/usr/bin/env PYTHONPATH=. python",
    ],
)
def test_an_extension_less_script_is_recognised_by_its_shebang(
    tmp_path: Path, first_line: str
) -> None:
    write(tmp_path, "bin/tool", first_line + "\nprint('hi')\n")

    [source] = run(tmp_path).files

    assert (source.path, source.language) == ("bin/tool", "python")


def test_extension_less_files_without_a_known_shebang_are_ignored(tmp_path: Path) -> None:
    write(tmp_path, "Makefile", "all:\n\techo hi\n")
    write(tmp_path, "run", "#!/bin/sh\necho hi\n")
    write(tmp_path, "tool.sh", "#!/usr/bin/env python3\n")  # has an extension: not sniffed

    discovery = run(tmp_path)

    assert discovery.files == []
    assert discovery.ignored == 3


# --- input paths -----------------------------------------------------------------------------


def test_a_single_file_input_is_named_by_its_file_name(tmp_path: Path) -> None:
    target = write(tmp_path, "deep/dir/one.py")
    write(tmp_path, "deep/dir/other.py")

    discovery = run(target)

    assert paths(discovery) == ["one.py"]
    assert discovery.root == tmp_path / "deep" / "dir"
    assert discovery.files[0].abspath == target


def test_a_single_script_with_a_shebang_but_odd_extension_is_accepted(tmp_path: Path) -> None:
    target = write(tmp_path, "job.cgi", "#!/usr/bin/python3\nprint(1)\n")

    assert [source.language for source in run(target).files] == ["python"]


def test_a_single_file_of_unknown_language_is_an_input_error(tmp_path: Path) -> None:
    target = write(tmp_path, "notes.txt", "hello\n")

    with pytest.raises(InputError, match=r"cannot tell the language of .*notes\.txt.*\.py"):
        run(target)


def test_a_single_file_that_is_skipped_comes_back_in_skipped(tmp_path: Path) -> None:
    target = write(tmp_path, "blob.py", b"\x00\x00")

    discovery = run(target)

    assert discovery.files == []
    assert [item.reason for item in discovery.skipped] == [SkipReason.BINARY]


def test_a_missing_path_is_an_input_error_naming_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nope"

    with pytest.raises(InputError, match=r"no such file or folder: .*nope"):
        run(missing)


@needs_symlinks
def test_a_broken_symlink_given_as_input_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "link.py").symlink_to(tmp_path / "missing.py")

    with pytest.raises(InputError, match="broken symbolic link"):
        run(tmp_path / "link.py")


@pytest.mark.usefixtures("permissions_enforced")
def test_a_single_file_that_cannot_be_read_is_an_input_error(tmp_path: Path) -> None:
    target = write(tmp_path, "locked.py")
    target.chmod(0)
    try:
        with pytest.raises(InputError, match="permission denied"):
            run(target)
    finally:
        target.chmod(0o644)
