"""Shared fixtures: the three sides of every permission test (owner, member, outsider), communities of each
visibility, and an API client that can act as any of them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from practica.accounts.models import User
from practica.communities.models import Community, Membership, Role, Visibility
from practica.lib.testing.client import Api
from practica.lib.testing.factories import CommunityFactory, MembershipFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The production hasher is slow on purpose; tests create many accounts.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Throttle counters live in the cache; tests must not inherit each other's request counts. The search
    # backends keep index statistics per process and database name (the same for every test): a word's document
    # frequency from another test's documents would change which words a "more like this" query keeps.
    from practica.search import backends

    def clear() -> None:
        cache.clear()
        backends._stats.clear()
        backends._languages_seen.clear()
        backends._common_seen.clear()

    clear()
    yield
    clear()


@pytest.fixture
def api() -> Api:
    return Api()


@pytest.fixture
def owner(db: None) -> User:
    return UserFactory.create(username="owner")


@pytest.fixture
def member(db: None) -> User:
    return UserFactory.create(username="member")


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory.create(username="outsider")


def _community(owner: User, member: User, visibility: str, slug: str) -> Community:
    community = CommunityFactory.create(
        creator=owner,
        name=slug.replace("-", " ").title(),
        slug=slug,
        visibility=visibility,
        topics=["Well integrity", "Drilling"],
    )
    MembershipFactory.create(community=community, user=member, role=Role.MEMBER)
    return community


@pytest.fixture
def public_community(owner: User, member: User) -> Community:
    return _community(owner, member, Visibility.PUBLIC, "public-wells")


@pytest.fixture
def members_only_community(owner: User, member: User) -> Community:
    return _community(owner, member, Visibility.MEMBERS_ONLY, "members-wells")


@pytest.fixture
def private_community(owner: User, member: User) -> Community:
    return _community(owner, member, Visibility.PRIVATE, "private-wells")


@pytest.fixture
def community(public_community: Community) -> Community:
    """The default community: public, coordinated by ``owner``, with ``member`` an active member."""
    return public_community


@pytest.fixture
def membership_of() -> Callable[[Community, User], Membership]:
    def get(community: Community, user: User) -> Membership:
        return Membership.objects.get(community=community, user=user)

    return get
