"""Cleaning what people type into an item, shared by the services that write items."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError

from practica.knowledge.models import (
    ALL_KIND_FIELDS,
    MAX_BODY_BYTES,
    MAX_FIELD_LENGTH,
    MAX_NOTE_LENGTH,
    MAX_SUMMARY_LENGTH,
    MAX_TITLE_LENGTH,
    KnowledgeKind,
)


def collect(checks: dict[str, Callable[[], Any]]) -> dict[str, Any]:
    """Run every check, raising all their errors together (a form shows each next to its field)."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name, check in checks.items():
        try:
            cleaned[name] = check()
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": ["Give the item a title."]})
    if len(title) > MAX_TITLE_LENGTH:
        raise ValidationError({"title": [f"A title may have at most {MAX_TITLE_LENGTH} characters (it has {len(title)})."]})
    return title


def clean_summary(summary: str) -> str:
    summary = " ".join((summary or "").split())
    if len(summary) > MAX_SUMMARY_LENGTH:
        raise ValidationError({"summary": [f"A summary may have at most {MAX_SUMMARY_LENGTH} characters."]})
    return summary


def clean_body(body: str) -> str:
    body = (body or "").replace("\x00", "")
    size = len(body.encode("utf-8"))
    if size > MAX_BODY_BYTES:
        raise ValidationError({"body": [f"The text is too long: {size:,} bytes; the limit is {MAX_BODY_BYTES:,} bytes."]})
    return body


def clean_kind(kind: str) -> str:
    if kind not in KnowledgeKind.values:
        raise ValidationError({"kind": [f"“{kind}” is not one of: {', '.join(KnowledgeKind.values)}."]})
    return kind


def clean_fields(fields: dict[str, str] | None) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for name, value in (fields or {}).items():
        if name not in ALL_KIND_FIELDS:
            continue
        value = (value or "").replace("\x00", "").strip()
        if len(value) > MAX_FIELD_LENGTH:
            errors[name] = [f"At most {MAX_FIELD_LENGTH} characters."]
        cleaned[name] = value
    if errors:
        raise ValidationError(errors)
    return cleaned


def clean_note(note: str) -> str:
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError({"note": [f"A change note may have at most {MAX_NOTE_LENGTH} characters."]})
    return note
