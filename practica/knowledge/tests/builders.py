"""Knowledge items for tests, made through the services as people make them."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.knowledge import services
from practica.knowledge.models import KnowledgeItem
from practica.lib.testing.factories import MembershipFactory, UserFactory

_numbers = itertools.count(1)


def person(username: str, community: Community | None = None, role: str = Role.MEMBER, **profile: Any) -> User:
    user = UserFactory(username=username, **profile)
    if community is not None:
        MembershipFactory(community=community, user=user, role=role)
    return user


def draft(
    community: Community, author: User, *, title: str | None = None, kind: str = "lesson-learned",
    body: str = "We pressure-tested the barrier twice.", tags: Iterable[str] = ("Well integrity",),
    summary: str = "Test twice.",
) -> KnowledgeItem:
    number = next(_numbers)
    return services.item_create(
        community=community, author=author, kind=kind, title=title or f"Lesson number {number}", summary=summary,
        body=body, tags=list(tags), fields={"context": "A deep well.", "recommendation": "Test twice."},
    )


def published(community: Community, author: User, reviewer: User, **kwargs: Any) -> KnowledgeItem:
    item = draft(community, author, **kwargs)
    services.item_submit(item=item, actor=author)
    return services.item_review(item=item, reviewer=reviewer, approve=True)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
