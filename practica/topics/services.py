"""Writes for topics."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from practica.topics.models import Topic

MAX_TOPIC_LENGTH = 64


def topic_normalise(name: str) -> str:
    """The slug a topic name maps to: lower case, words joined by hyphens (``Well Integrity`` -> ``well-integrity``)."""
    return slugify(name.strip().replace("_", "-").replace(".", "-"))[:MAX_TOPIC_LENGTH]


def parse_topic_names(raw: str | Iterable[str]) -> list[str]:
    """Split a comma-separated string (or clean a list) into distinct, valid topic names, order kept."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    seen: set[str] = set()
    names: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise ValidationError("Topics must be text.")
        name = " ".join(item.split())
        if not name:
            continue
        if len(name) > MAX_TOPIC_LENGTH:
            raise ValidationError(f"A topic may have at most {MAX_TOPIC_LENGTH} characters: {name[:20]}…")
        slug = topic_normalise(name)
        if not slug:
            raise ValidationError(f"{name!r} is not a usable topic: use letters or digits.")
        if slug not in seen:
            seen.add(slug)
            names.append(name)
    if len(names) > 50:
        raise ValidationError("At most 50 topics.")
    return names


def topics_get_or_create(names: Iterable[str]) -> list[Topic]:
    """The topics for these names, creating the missing ones in bulk (two queries whatever the count)."""
    wanted = {topic_normalise(name): name for name in names}
    if not wanted:
        return []
    existing = {topic.slug: topic for topic in Topic.objects.filter(slug__in=wanted)}
    missing = [Topic(slug=slug, name=name) for slug, name in wanted.items() if slug not in existing]
    if missing:
        Topic.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {topic.slug: topic for topic in Topic.objects.filter(slug__in=wanted)}
    return [existing[slug] for slug in wanted]
