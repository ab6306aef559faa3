"""Fixtures of the search tests: a small world of threads in a public, a members-only and a private community,
seen by the coordinator (``owner``), a ``member``, an ``outsider`` and the anonymous visitor.

Indexing runs when a transaction commits; tests either wrap writes in ``django_capture_on_commit_callbacks``
or rebuild the index explicitly with the ``reindex`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Thread
from practica.lib.testing.content import ask
from practica.search import indexing, selectors

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def viewer(user: User | None) -> Any:
    return user if user is not None else AnonymousUser()


def titles(results: selectors.Results | list[selectors.Hit]) -> list[str]:
    hits = results.hits if isinstance(results, selectors.Results) else results
    return [hit.title for hit in hits]


def find(user: User | None, q: str, **filters: Any) -> selectors.Results:
    """selectors.search as this person (None: anonymous)."""
    return selectors.search(user=viewer(user), q=q, **filters)


@pytest.fixture
def reindex(db: None) -> Callable[[], dict[str, int]]:
    """Rebuild the whole index now (threads and people)."""
    return indexing.rebuild


@dataclass
class World:
    public: Community
    members_only: Community
    private: Community
    public_thread: Thread
    members_thread: Thread
    private_thread: Thread


@pytest.fixture
def world(
    owner: User,
    member: User,
    public_community: Community,
    members_only_community: Community,
    private_community: Community,
    reindex: Callable[[], dict[str, int]],
) -> World:
    """One thread about cement barriers in each community, each with a word of its own; then the index."""
    public_thread = ask(
        public_community,
        member,
        "Cement barrier verification in open wells",
        body="The public notes mention a zirconium tracer for the cement barrier.",
    )
    members_thread = ask(
        members_only_community,
        member,
        "Cement barrier verification for members",
        body="Members discuss the membersword procedure for a cement barrier.",
    )
    private_thread = ask(
        private_community,
        owner,
        "Cement barrier verification in confidential wells",
        body="Only insiders know the privateword method for a cement barrier.",
    )
    reindex()
    return World(
        public=public_community,
        members_only=members_only_community,
        private=private_community,
        public_thread=public_thread,
        members_thread=members_thread,
        private_thread=private_thread,
    )
