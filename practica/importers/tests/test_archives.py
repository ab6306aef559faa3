"""Safe unpacking of an uploaded dump: zip and 7z of a dump folder give its XML files, and nothing else ever
lands outside the target folder (no ``..``, no absolute paths, no symbolic links, no zip bombs)."""

from __future__ import annotations

import os
import struct
import zipfile
import zlib
from pathlib import Path

import py7zr
import pytest

from practica.importers.archives import UnsafeArchive, unpack
from practica.importers.stackexchange import FILES, ImportError_
from practica.importers.tests.test_importer import write_dump

MB = 2**20


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A dump folder (the small dump of test_importer) plus a file that is not part of a dump."""
    dump = write_dump(tmp_path / "source" / "physics")
    (dump / "readme.txt").write_text("not a dump file")
    return dump


def make_zip(path: Path, members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def zip_of(folder: Path, path: Path, *, prefix: str = "physics/") -> Path:
    return make_zip(path, {prefix + f.name: f.read_bytes() for f in sorted(folder.iterdir())})


def posts_only() -> dict[str, bytes]:
    return {"physics/Posts.xml": b'<?xml version="1.0"?>\n<posts>\n</posts>\n'}


def unpacked(target: Path) -> set[str]:
    return {str(p.relative_to(target)) for p in target.rglob("*") if p.is_file()}


# --- Good archives --------------------------------------------------------------------------------


def test_a_zip_of_a_dump_folder_unpacks_to_its_xml_files(folder: Path, tmp_path: Path) -> None:
    archive = zip_of(folder, tmp_path / "physics.zip")

    result = unpack(archive, tmp_path / "out", max_bytes=10 * MB)

    assert result == tmp_path / "out"
    assert unpacked(result) == set(FILES)
    for name in FILES:
        assert (result / name).read_bytes() == (folder / name).read_bytes()


def test_a_zip_with_the_files_at_its_root_unpacks_too(folder: Path, tmp_path: Path) -> None:
    archive = zip_of(folder, tmp_path / "physics.zip", prefix="")

    assert unpacked(unpack(archive, tmp_path / "out", max_bytes=10 * MB)) == set(FILES)


def test_a_7z_of_a_dump_folder_unpacks_to_its_xml_files(folder: Path, tmp_path: Path) -> None:
    archive = tmp_path / "physics.7z"
    with py7zr.SevenZipFile(archive, "w") as sz:
        sz.writeall(folder, arcname="physics")

    result = unpack(archive, tmp_path / "out", max_bytes=10 * MB)

    assert unpacked(result) == set(FILES)
    for name in FILES:
        assert (result / name).read_bytes() == (folder / name).read_bytes()


def test_an_official_style_7z_with_the_files_at_its_root_unpacks(folder: Path, tmp_path: Path) -> None:
    archive = tmp_path / "physics.stackexchange.com.7z"
    with py7zr.SevenZipFile(archive, "w") as sz:
        for name in FILES:
            sz.write(folder / name, arcname=name)

    assert unpacked(unpack(archive, tmp_path / "out", max_bytes=10 * MB)) == set(FILES)


# --- Refused archives -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["../evil.xml", "physics/../../evil.xml", "/tmp/evil.xml", "C:/evil.xml", "..\\evil.xml"],
)
def test_a_zip_with_a_path_outside_its_folder_is_refused(name: str, tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "evil.zip", {**posts_only(), name: b"<posts/>"})

    with pytest.raises(UnsafeArchive, match="Refused: the archive has a path outside its folder"):
        unpack(archive, tmp_path / "out" / "target", max_bytes=10 * MB)

    assert not (tmp_path / "out" / "evil.xml").exists()
    assert not (tmp_path / "evil.xml").exists()
    assert unpacked(tmp_path / "out") == set()


def test_a_zip_with_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "link.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("physics/Comments.xml", "<comments/>")
        link = zipfile.ZipInfo("physics/Posts.xml")
        link.create_system = 3  # Unix
        link.external_attr = (0o120777 << 16)  # a symbolic link ...
        zf.writestr(link, "/etc/passwd")  # ... to this

    with pytest.raises(UnsafeArchive, match="Refused: the archive contains a symbolic link"):
        unpack(archive, tmp_path / "out", max_bytes=10 * MB)

    assert unpacked(tmp_path / "out") == set()


def test_a_7z_with_a_symbolic_link_is_refused(folder: Path, tmp_path: Path) -> None:
    source = tmp_path / "linked"
    source.mkdir()
    (source / "Comments.xml").write_bytes((folder / "Comments.xml").read_bytes())
    os.symlink("/etc/passwd", source / "Posts.xml")
    archive = tmp_path / "link.7z"
    with py7zr.SevenZipFile(archive, "w") as sz:
        sz.writeall(source, arcname="physics")

    with pytest.raises(UnsafeArchive, match="symbolic link"):
        unpack(archive, tmp_path / "out", max_bytes=10 * MB)

    assert not (tmp_path / "out" / "Posts.xml").exists()


def evil_7z(path: Path, evil_name: str) -> Path:
    """A 7z holding ``evil_name``: py7zr refuses to write such a name, so write a harmless one of the same length
    in a plain (not encoded) header, then patch the name and the header's checksums."""
    harmless = "x" * (len(evil_name) - len("evil.xml") - 1) + "/evil.xml"
    with py7zr.SevenZipFile(path, "w") as sz:
        sz.set_encoded_header_mode(False)
        sz.writestr(b"<posts/>", "physics/Posts.xml")
        sz.writestr(b"<posts/>", harmless)
    data = bytearray(path.read_bytes())
    at = data.index(harmless.encode("utf-16-le"))
    data[at : at + 2 * len(evil_name)] = evil_name.encode("utf-16-le")
    offset, size = struct.unpack_from("<QQ", data, 12)
    struct.pack_into("<I", data, 28, zlib.crc32(bytes(data[32 + offset : 32 + offset + size])))
    struct.pack_into("<I", data, 8, zlib.crc32(bytes(data[12:32])))
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize("name", ["../evil.xml", "/tmp/evil.xml"])
def test_a_7z_with_a_path_outside_its_folder_is_refused(name: str, tmp_path: Path) -> None:
    archive = evil_7z(tmp_path / "evil.7z", name)
    assert name in py7zr.SevenZipFile(archive).getnames()

    with pytest.raises(UnsafeArchive, match="outside its folder"):
        unpack(archive, tmp_path / "out" / "target", max_bytes=10 * MB)

    assert not (tmp_path / "out" / "evil.xml").exists()
    assert unpacked(tmp_path / "out") == set()


@pytest.mark.parametrize("kind", ["zip", "7z"])
def test_an_archive_without_posts_xml_is_an_error_naming_it(kind: str, folder: Path, tmp_path: Path) -> None:
    (folder / "Posts.xml").unlink()
    if kind == "zip":
        archive = zip_of(folder, tmp_path / "dump.zip")
    else:
        archive = tmp_path / "dump.7z"
        with py7zr.SevenZipFile(archive, "w") as sz:
            sz.writeall(folder, arcname="physics")

    with pytest.raises(ImportError_, match=r"Posts\.xml is missing in the archive"):
        unpack(archive, tmp_path / "out", max_bytes=10 * MB)


def test_an_archive_with_two_dumps_is_an_error(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "two.zip", {**posts_only(), "chemistry/Posts.xml": b"<posts/>"})

    with pytest.raises(ImportError_, match="more than one dump"):
        unpack(archive, tmp_path / "out", max_bytes=10 * MB)


def test_a_zip_bomb_declaring_more_than_the_limit_is_refused_before_writing(tmp_path: Path) -> None:
    zeros = b"\0" * (2 * MB)
    archive = make_zip(tmp_path / "bomb.zip", {"physics/Posts.xml": zeros})
    assert archive.stat().st_size < 20_000  # small upload, large content

    with pytest.raises(UnsafeArchive, match="Refused: the archive unpacks to more than 1 MB"):
        unpack(archive, tmp_path / "out", max_bytes=1 * MB)

    assert unpacked(tmp_path / "out") == set()


def test_many_small_files_adding_up_to_more_than_the_limit_are_refused(tmp_path: Path) -> None:
    members = {**posts_only(), **{f"physics/extra-{i}.bin": b"\0" * (300 * 1024) for i in range(5)}}
    archive = make_zip(tmp_path / "many.zip", members)

    with pytest.raises(UnsafeArchive, match="more than 1 MB"):
        unpack(archive, tmp_path / "out", max_bytes=1 * MB)


def test_a_zip_bomb_whose_header_lies_about_its_size_is_refused_and_not_written_out(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "liar.zip", {"physics/Posts.xml": b"\0" * (3 * MB)})
    data = bytearray(archive.read_bytes())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<I", data, central + 24, 1000)  # uncompressed size in the central directory: "1000 bytes"
    archive.write_bytes(bytes(data))
    assert zipfile.ZipFile(archive).getinfo("physics/Posts.xml").file_size == 1000

    with pytest.raises(ImportError_, match=r"Refused|damaged"):
        unpack(archive, tmp_path / "out", max_bytes=1 * MB)

    assert sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file()) <= 1 * MB


@pytest.mark.parametrize(
    "content", [b"<?xml version='1.0'?><posts/>", b"just some text", b"", b"\x1f\x8b\x08\x00gzip"]
)
def test_an_upload_that_is_not_a_zip_or_7z_is_refused(content: bytes, tmp_path: Path) -> None:
    upload = tmp_path / "upload.zip"
    upload.write_bytes(content)

    with pytest.raises(ImportError_, match=r"Upload a \.zip or \.7z archive"):
        unpack(upload, tmp_path / "out", max_bytes=10 * MB)


def test_a_damaged_zip_is_a_clear_error(folder: Path, tmp_path: Path) -> None:
    archive = zip_of(folder, tmp_path / "physics.zip")
    archive.write_bytes(archive.read_bytes()[:-200])

    with pytest.raises(ImportError_, match="damaged"):
        unpack(archive, tmp_path / "out", max_bytes=10 * MB)
