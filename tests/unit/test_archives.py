"""Archives extracted safely: hostile archives built here are refused with a clear error, and
nothing is written outside the target folder."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from codesim.errors import InputError
from codesim.sources.archives import archive_root, extract_archive
from codesim.sources.remote import cache_entries, resolve_input

_CODE = b"def f(x):\n    return x + 1\n"


def make_tar(path: Path, members: list[tuple[tarfile.TarInfo, bytes]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for info, data in members:
            info.size = len(data) if info.isreg() else 0
            tar.addfile(info, io.BytesIO(data) if info.isreg() else None)
    return path


def tar_member(name: str, kind: bytes = tarfile.REGTYPE, link: str = "") -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.mode = 0o644
    return info


def make_zip(path: Path, members: list[tuple[str | zipfile.ZipInfo, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zipped:
        for name, data in members:
            zipped.writestr(name, data)
    return path


def zip_link(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    info.comment = target.encode()  # Carried to the test, which writes it as the data.
    return info


def outside(tmp_path: Path) -> set[str]:
    """What exists in ``tmp_path`` beside the archives and the target."""
    return {p.name for p in tmp_path.iterdir()} - {"out", "archive.tar.gz", "archive.zip"}


def test_a_release_archive_is_extracted_and_its_one_folder_is_the_root(tmp_path: Path) -> None:
    archive = make_tar(
        tmp_path / "archive.tar.gz",
        [(tar_member("proj-1.0/pkg/a.py"), _CODE), (tar_member("proj-1.0/README"), b"hi")],
    )
    extract_archive(archive, tmp_path / "out")
    assert (tmp_path / "out/proj-1.0/pkg/a.py").read_bytes() == _CODE
    assert archive_root(tmp_path / "out") == tmp_path / "out/proj-1.0"
    archive = make_zip(tmp_path / "archive.zip", [("a.py", _CODE), ("b/c.py", _CODE)])
    extract_archive(archive, tmp_path / "zipped")
    assert (tmp_path / "zipped/b/c.py").read_bytes() == _CODE
    assert archive_root(tmp_path / "zipped") == tmp_path / "zipped"


@pytest.mark.parametrize(
    ("member", "message"),
    [
        (tar_member("../evil.py"), "outside its folder"),
        (tar_member("/tmp/evil.py"), "outside its folder"),
        (tar_member("a/../../evil.py"), "outside its folder"),
        (tar_member("link", tarfile.SYMTYPE, "../../etc"), "refused member"),
        (tar_member("link", tarfile.SYMTYPE, "/etc/passwd"), "refused member"),
        (tar_member("hard", tarfile.LNKTYPE, "a.py"), "hard link"),
        (tar_member("dev", tarfile.CHRTYPE), "refused member"),
    ],
)
def test_hostile_tar_members_are_refused(
    tmp_path: Path, member: tarfile.TarInfo, message: str
) -> None:
    archive = make_tar(tmp_path / "archive.tar.gz", [(tar_member("a.py"), _CODE), (member, b"x")])
    with pytest.raises(InputError, match=message):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert outside(tmp_path) == set()


@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("../evil.py", "outside its folder"),
        ("/evil.py", "outside its folder"),
        ("a\\..\\..\\evil.py", "outside its folder"),
        (zip_link("a/link", "../../evil"), "link leading out"),
        (zip_link("link", "/etc/passwd"), "link leading out"),
    ],
)
def test_hostile_zip_members_are_refused(
    tmp_path: Path, member: str | zipfile.ZipInfo, message: str
) -> None:
    # A zip link's data is its target.
    data = member.comment if isinstance(member, zipfile.ZipInfo) else b"x"
    archive = make_zip(tmp_path / "archive.zip", [("a.py", _CODE), (member, data)])
    with pytest.raises(InputError, match=message):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert outside(tmp_path) == set()


def test_a_zip_link_inside_the_folder_is_left_out(tmp_path: Path) -> None:
    link = zip_link("b.py", "a.py")
    archive = make_zip(tmp_path / "archive.zip", [("a.py", _CODE), (link, link.comment)])
    extract_archive(archive, tmp_path / "out")
    assert {p.name for p in (tmp_path / "out").iterdir()} == {"a.py"}


def test_bombs_and_too_many_files_are_refused(tmp_path: Path) -> None:
    # 50 MB of zeros compress to about 50 KB.
    bomb = make_zip(tmp_path / "archive.zip", [("big.py", bytes(50_000_000))])
    assert bomb.stat().st_size < 100_000
    with pytest.raises(InputError, match="archive bomb"):
        extract_archive(bomb, tmp_path / "out", max_bytes=10_000_000)
    tar_bomb = make_tar(tmp_path / "archive.tar.gz", [(tar_member("big.py"), bytes(20_000_000))])
    with pytest.raises(InputError, match="archive bomb"):
        extract_archive(tar_bomb, tmp_path / "out", max_bytes=10_000_000)
    many = make_zip(tmp_path / "archive.zip", [(f"f{i}.py", b"") for i in range(20)])
    with pytest.raises(InputError, match="more than 10 files"):
        extract_archive(many, tmp_path / "out", max_files=10)
    assert not (tmp_path / "out").exists()


def test_a_zip_whose_sizes_lie_is_refused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "archive.zip", [("a.py", bytes(100_000))])
    data = bytearray(archive.read_bytes())
    # Patch the declared size (local header offset 22, central directory entry offset 24)
    # down to 1,000 bytes: the member then produces far more than it declares.
    local = data.find(b"PK\x03\x04")
    data[local + 22 : local + 26] = (1000).to_bytes(4, "little")
    central = data.find(b"PK\x01\x02")
    data[central + 24 : central + 28] = (1000).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(InputError, match="archive"):
        extract_archive(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_damaged_archive_is_a_clear_error(tmp_path: Path) -> None:
    broken = tmp_path / "archive.tar.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(InputError, match=r"cannot extract archive .*archive\.tar\.gz"):
        extract_archive(broken, tmp_path / "out")


def test_archives_resolve_into_the_cache_once(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    archive = make_tar(tmp_path / "archive.tar.gz", [(tar_member("proj-1.0/a.py"), _CODE)])
    found = resolve_input(str(archive), None, cache)
    assert found.path.name == "proj-1.0" and found.url == str(archive.resolve())
    assert (found.path / "a.py").read_bytes() == _CODE
    found.cleanup()
    again = resolve_input(str(archive), None, cache)
    assert again.path == found.path and len(cache_entries(cache)) == 1
    again.cleanup()
    hostile = make_zip(tmp_path / "archive.zip", [("../evil.py", _CODE)])
    with pytest.raises(InputError, match="outside its folder"):
        resolve_input(str(hostile), None, cache)
    assert len(cache_entries(cache)) == 1
    assert not [p for p in cache.rglob("*") if p.name.startswith(".tmp-")]
