"""Where the floors above people plug into its pages and API, from their ``AppConfig.ready()``, so that people
imports none of them (``lib`` → people → communities → ... in pyproject.toml's floors).

A person's profile shows the communities they are in (communities plugs in ``memberships``) and their recent
posts (discussions plugs in ``contributions``); an organisation's page and API show the communities it takes part
in (communities plugs in ``organization_communities``). Each answers only what the viewer may see. Without a
provider the answer is empty, so people works (and is tested) on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.models import AnonymousUser

from practica.accounts.models import User
from practica.people.models import Organization

Viewer = User | AnonymousUser
# (person, viewer) -> the person's active memberships in communities the viewer may know of: each has
# ``community`` (``slug``, ``name``) and ``role`` (and ``get_role_display()``), in the order to show them.
Memberships = Callable[[User, Viewer], Iterable[Any]]
# (person, viewer) -> the person's recent posts in communities the viewer may read, newest first.
Contributions = Callable[[User, Viewer], Iterable[Any]]
# (organisation, viewer) -> the communities it takes part in that the viewer may know of (``slug``, ``name``,
# ``visibility``), by name.
OrganizationCommunities = Callable[[Organization, Viewer], Iterable[Any]]

_memberships: Memberships | None = None
_contributions: Contributions | None = None
_organization_communities: OrganizationCommunities | None = None


def provide_memberships(provider: Memberships) -> None:
    global _memberships
    _memberships = provider


def provide_contributions(provider: Contributions) -> None:
    global _contributions
    _contributions = provider


def provide_organization_communities(provider: OrganizationCommunities) -> None:
    global _organization_communities
    _organization_communities = provider


def memberships(*, person: User, viewer: Viewer) -> Iterable[Any]:
    return _memberships(person, viewer) if _memberships is not None else []


def contributions(*, person: User, viewer: Viewer) -> Iterable[Any]:
    return _contributions(person, viewer) if _contributions is not None else []


def organization_communities(*, organization: Organization, viewer: Viewer) -> Iterable[Any]:
    return _organization_communities(organization, viewer) if _organization_communities is not None else []
