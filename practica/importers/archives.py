"""Safe unpacking of an uploaded dump (zip or 7z): only the XML files of one folder, nothing outside it."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path, PurePosixPath

from practica.importers.stackexchange import FILES, ImportError_


class UnsafeArchive(ImportError_):
    """The archive tries to write outside its folder, or is too large once unpacked."""


def _check_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    drive_letter = bool(path.parts) and ":" in path.parts[0]
    if path.is_absolute() or drive_letter or ".." in path.parts:
        raise UnsafeArchive(f"Refused: the archive has a path outside its folder ({name!r}).")
    return path


def _wanted(members: list[tuple[str, int]], max_bytes: int) -> dict[str, str]:
    """{archive member: file name} for the dump files, all from one folder; refuses unsafe archives."""
    total = 0
    by_folder: dict[PurePosixPath, dict[str, str]] = {}
    for name, size in members:
        path = _check_member(name)
        total += size
        if total > max_bytes:
            raise UnsafeArchive(f"Refused: the archive unpacks to more than {max_bytes // 2**20} MB.")
        if path.name in FILES:
            by_folder.setdefault(path.parent, {})[name] = path.name
    candidates = [files for files in by_folder.values() if "Posts.xml" in files.values()]
    if not candidates:
        raise ImportError_("Posts.xml is missing in the archive: it is required.")
    if len(candidates) > 1:
        raise ImportError_("The archive holds more than one dump (several Posts.xml); upload one site at a time.")
    return candidates[0]


def unpack(archive: str | os.PathLike[str], target: str | os.PathLike[str], *, max_bytes: int) -> Path:
    """Unpack the dump files of a .zip or .7z into ``target`` (flat) and return that folder."""
    archive, target = Path(archive), Path(target)
    target.mkdir(parents=True, exist_ok=True)
    with archive.open("rb") as handle:
        magic = handle.read(6)
    if magic[:4] == b"PK\x03\x04":
        _unpack_zip(archive, target, max_bytes)
    elif magic == b"7z\xbc\xaf\x27\x1c":
        _unpack_7z(archive, target, max_bytes)
    else:
        raise ImportError_("Upload a .zip or .7z archive of the dump folder.")
    return target


def _unpack_zip(archive: Path, target: Path, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            for info in infos:
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise UnsafeArchive(f"Refused: the archive contains a symbolic link ({info.filename!r}).")
            wanted = _wanted([(i.filename, i.file_size) for i in infos], max_bytes)
            written = 0
            for info in infos:
                if info.filename not in wanted:
                    continue
                with zf.open(info) as source, (target / wanted[info.filename]).open("wb") as out:
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:  # sizes in the header can lie
                            raise UnsafeArchive(f"Refused: the archive unpacks to more than {max_bytes // 2**20} MB.")
                        out.write(chunk)
    except zipfile.BadZipFile as exc:
        raise ImportError_(f"The zip archive is damaged: {exc}.") from None


def _unpack_7z(archive: Path, target: Path, max_bytes: int) -> None:
    import py7zr

    try:
        with py7zr.SevenZipFile(archive, mode="r") as sz:
            entries = [e for e in sz.list() if not e.is_directory]
            for entry in entries:
                if getattr(entry, "is_symlink", False):
                    raise UnsafeArchive(f"Refused: the archive contains a symbolic link ({entry.filename!r}).")
            wanted = _wanted([(e.filename, e.uncompressed or 0) for e in entries], max_bytes)
            scratch = target / ".7z"
            sz.extract(path=scratch, targets=list(wanted))
        for member, name in wanted.items():
            source = (scratch / member).resolve()
            if not source.is_relative_to(scratch.resolve()):
                raise UnsafeArchive(f"Refused: the archive has a path outside its folder ({member!r}).")
            source.replace(target / name)
    except py7zr.exceptions.Bad7zFile as exc:
        raise ImportError_(f"The 7z archive is damaged: {exc}.") from None
