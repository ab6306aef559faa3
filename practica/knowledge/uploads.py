"""Checks on uploaded attachments: a size limit, a clean file name, and a type allow-list decided by the
content (with the ``filetype`` package), not only by the name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError

# extension -> MIME types the content may be detected as. ``None``: a text type (UTF-8, no NUL byte, and
# nothing that ``filetype`` recognises as binary).
ALLOWED: dict[str, tuple[str, ...] | None] = {
    "pdf": ("application/pdf",),
    "png": ("image/png",),
    "jpg": ("image/jpeg",),
    "jpeg": ("image/jpeg",),
    "gif": ("image/gif",),
    "webp": ("image/webp",),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document",),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",),
    "pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation",),
    "odt": ("application/vnd.oasis.opendocument.text",),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet",),
    "odp": ("application/vnd.oasis.opendocument.presentation",),
    "txt": None,
    "csv": None,
    "md": None,
}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv", "md": "text/markdown"}
EXECUTABLE_MIMES = {
    "application/x-msdownload", "application/x-executable", "application/x-elf", "application/x-mach-binary",
    "application/x-sharedlib", "application/vnd.microsoft.portable-executable", "application/x-dosexec",
}
MAX_NAME_LENGTH = 150
_UNSAFE = re.compile(r"[^\w.\- ()+,]", re.UNICODE)
SNIFF_BYTES = 8192


def max_upload_bytes() -> int:
    return int(settings.KNOWLEDGE_MAX_UPLOAD_MB) * 1024 * 1024


def clean_file_name(raw: str) -> str:
    """The last part of the name (any folder path dropped, with / or \\), without control or unsafe characters."""
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name or "." not in name:
        raise ValidationError({"file": ["The file needs a name with an extension, such as checklist.pdf."]})
    stem, _, ext = name.rpartition(".")
    return f"{stem[: MAX_NAME_LENGTH - len(ext) - 1]}.{ext.lower()}"


@dataclass
class CheckedFile:
    name: str
    content_type: str
    size: int


def _size_of(stream: IO[bytes]) -> int:
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    return size


def check_upload(stream: IO[bytes], raw_name: str) -> CheckedFile:
    """Validate an upload; raise ``ValidationError({"file": [...]})`` with a clear message when it is refused."""
    limit = max_upload_bytes()
    size = _size_of(stream)
    if size > limit:
        raise ValidationError(
            {"file": [f"The file is too large: {size / 1048576:.1f} MB; the limit is {settings.KNOWLEDGE_MAX_UPLOAD_MB} MB."]}
        )
    if size == 0:
        raise ValidationError({"file": ["The file is empty."]})
    name = clean_file_name(raw_name)
    ext = name.rsplit(".", 1)[1]
    if ext not in ALLOWED:
        raise ValidationError(
            {"file": [f"Files of type .{ext} are not accepted. Allowed: {', '.join('.' + e for e in ALLOWED)}."]}
        )
    head = stream.read(SNIFF_BYTES)
    stream.seek(0)
    kind = filetype.guess(head)
    detected = kind.mime if kind is not None else None
    if detected in EXECUTABLE_MIMES or head[:2] == b"MZ" or head[:4] == b"\x7fELF":
        raise ValidationError({"file": [f"“{name}” is a program, not a .{ext} file: programs are not accepted."]})
    expected = ALLOWED[ext]
    if expected is None:
        if detected is not None:
            raise ValidationError({"file": [f"“{name}” does not contain text: its content looks like {detected}."]})
        content = stream.read()
        stream.seek(0)
        if b"\x00" in content:
            raise ValidationError({"file": [f"“{name}” is not a text file (it contains binary data)."]})
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": [f"“{name}” is not UTF-8 text; save it as UTF-8 and upload again."]}) from None
        return CheckedFile(name=name, content_type=TEXT_TYPES[ext], size=size)
    if detected not in expected:
        what = f"looks like {detected}" if detected else "is not recognised"
        raise ValidationError({"file": [f"The content of “{name}” does not match its type .{ext}: it {what}."]})
    return CheckedFile(name=name, content_type=expected[0], size=size)
