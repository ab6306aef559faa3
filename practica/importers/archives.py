"""Safe unpacking of an uploaded dump (zip or 7z): only the XML files of one folder, nothing outside it, and
nothing that expands like an archive bomb.

Real dumps compress about 3 to 17 times (XML; measured on quantumcomputing: Votes.xml 17:1, Posts.xml 3.5:1), so
a member that expands more than ``MAX_RATIO`` times once past ``RATIO_FREE_BYTES`` is refused, from the sizes
its header declares and again while it is written (headers can lie). Whatever was written before a refusal is
deleted.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path, PurePosixPath

from practica.importers.stackexchange import FILES, ImportError_

MAX_RATIO = 200
RATIO_FREE_BYTES = 4 * 2**20  # small members may compress as well as they like (an empty table, a few rows)


class UnsafeArchive(ImportError_):
    """The archive tries to write outside its folder, or is too large once unpacked."""


def _check_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    drive_letter = bool(path.parts) and ":" in path.parts[0]
    if path.is_absolute() or drive_letter or ".." in path.parts:
        raise UnsafeArchive(f"Refused: the archive has a path outside its folder ({name!r}).")
    return path


def _too_large(max_bytes: int) -> UnsafeArchive:
    return UnsafeArchive(f"Refused: the archive unpacks to more than {max_bytes / 2**20:g} MB.")


def _bomb(name: str) -> UnsafeArchive:
    return UnsafeArchive(
        f"Refused: {name!r} expands more than {MAX_RATIO} times its compressed size, as archive bombs do."
    )


def _expands_too_much(unpacked: int, packed: int) -> bool:
    return unpacked > RATIO_FREE_BYTES and unpacked > MAX_RATIO * max(packed, 1)


def _wanted(members: list[tuple[str, int]], max_bytes: int) -> dict[str, str]:
    """{archive member: file name} for the dump files, all from one folder; refuses unsafe archives."""
    total = 0
    by_folder: dict[PurePosixPath, dict[str, str]] = {}
    for name, size in members:
        path = _check_member(name)
        total += size
        if total > max_bytes:
            raise _too_large(max_bytes)
        if path.name in FILES:
            by_folder.setdefault(path.parent, {})[name] = path.name
    candidates = [files for files in by_folder.values() if "Posts.xml" in files.values()]
    if not candidates:
        raise ImportError_("Posts.xml is missing in the archive: it is required.")
    if len(candidates) > 1:
        raise ImportError_("The archive holds more than one dump (several Posts.xml); upload one site at a time.")
    return candidates[0]


def unpack(archive: str | os.PathLike[str], target: str | os.PathLike[str], *, max_bytes: int) -> Path:
    """Unpack the dump files of a .zip or .7z into ``target`` (flat) and return that folder.

    On any refusal or error nothing written here is left behind.
    """
    archive, target = Path(archive), Path(target)
    existed = target.exists()
    target.mkdir(parents=True, exist_ok=True)
    before = set(target.iterdir())
    try:
        with archive.open("rb") as handle:
            magic = handle.read(6)
        if magic[:4] == b"PK\x03\x04":
            _unpack_zip(archive, target, max_bytes)
        elif magic == b"7z\xbc\xaf\x27\x1c":
            _unpack_7z(archive, target, max_bytes)
        else:
            raise ImportError_("Upload a .zip or .7z archive of the dump folder.")
    except BaseException:
        if not existed:
            shutil.rmtree(target, ignore_errors=True)
        else:
            for path in set(target.iterdir()) - before:
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
        raise
    return target


def _unpack_zip(archive: Path, target: Path, max_bytes: int) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            for info in infos:
                if (info.external_attr >> 16) & 0o170000 == 0o120000:
                    raise UnsafeArchive(f"Refused: the archive contains a symbolic link ({info.filename!r}).")
            wanted = _wanted([(i.filename, i.file_size) for i in infos], max_bytes)
            # A member's compressed size can lie too, but never beyond the archive's own size.
            archive_size = archive.stat().st_size
            packed = {i.filename: min(i.compress_size, archive_size) for i in infos}
            for info in infos:
                if info.filename in wanted and _expands_too_much(info.file_size, packed[info.filename]):
                    raise _bomb(info.filename)
            written = 0
            for info in infos:
                if info.filename not in wanted:
                    continue
                member_written = 0
                with zf.open(info) as source, (target / wanted[info.filename]).open("wb") as out:
                    while chunk := source.read(1 << 20):
                        written += len(chunk)
                        member_written += len(chunk)
                        # The sizes in the header can lie: the limits hold for what is really written.
                        if written > max_bytes:
                            raise _too_large(max_bytes)
                        if _expands_too_much(member_written, packed[info.filename]):
                            raise _bomb(info.filename)
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
            # py7zr writes each member's declared size exactly, so the declared sizes bound what is written;
            # a solid archive has no size per member, so the ratio is the whole archive's.
            declared = sum(e.uncompressed or 0 for e in entries)
            if _expands_too_much(declared, archive.stat().st_size):
                raise _bomb(archive.name)
            scratch = target / ".7z"
            sz.extract(path=scratch, targets=list(wanted))
        for member, name in wanted.items():
            source = (scratch / member).resolve()
            if not source.is_relative_to(scratch.resolve()):
                raise UnsafeArchive(f"Refused: the archive has a path outside its folder ({member!r}).")
            source.replace(target / name)
        shutil.rmtree(scratch, ignore_errors=True)  # the folders the members came in
    except py7zr.exceptions.ArchiveError as exc:  # Bad7zFile, CrcError, DecompressionError...
        raise ImportError_(f"The 7z archive is damaged: {exc}.") from None
