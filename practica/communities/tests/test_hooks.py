"""The hook communities offers the floors above for requests to join (``practica/communities/hooks.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from practica.accounts.models import User
from practica.communities import hooks, services
from practica.communities.models import Community

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard() -> Iterator[list[tuple[int, int]]]:
    calls: list[tuple[int, int]] = []

    def listener(community_id: int, user_id: int) -> None:
        calls.append((community_id, user_id))

    hooks.listen_join_requested(listener)
    yield calls
    hooks._join_request_listeners.remove(listener)


def test_a_request_to_join_is_told_to_the_listeners_once_it_commits(
    members_only_community: Community, outsider: User, heard: list[tuple[int, int]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.community_join(community=members_only_community, user=outsider, message="Hello")
        assert heard == []  # not before the commit

    assert heard == [(members_only_community.pk, outsider.pk)] and callbacks


def test_a_request_to_join_that_rolls_back_is_told_to_nobody(
    members_only_community: Community, outsider: User, heard: list[tuple[int, int]], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.community_join(community=members_only_community, user=outsider, message="Hello")
        raise RuntimeError("the request fails after the join")

    assert heard == []


def test_joining_a_public_community_asks_nobody(public_community: Community, outsider: User, heard: list[tuple[int, int]],
                                               django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.community_join(community=public_community, user=outsider)

    assert heard == []


def test_listening_twice_is_listening_once(heard: list[tuple[int, int]], django_capture_on_commit_callbacks: Any) -> None:
    listener = hooks._join_request_listeners[-1]
    hooks.listen_join_requested(listener)

    with django_capture_on_commit_callbacks(execute=True):
        hooks.join_requested(community_id=1, user_id=2)

    assert heard == [(1, 2)]
