"""The community rules as the pages read them (``access.may.<rule>``), including those the apps above register:
the navigation shows a link exactly when the rule behind the page allows it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from practica.accounts.models import User
from practica.communities import permissions
from practica.communities.models import Community, Role
from practica.communities.permissions import Access
from practica.lib.permissions import Rule
from practica.lib.testing.client import page_client, page_html
from practica.lib.testing.content import join, person
from practica.lib.testing.factories import UserFactory

# The links of the community's navigation that other apps' rules decide, with the rule's name.
NAV_LINKS = {
    "see_unheard": ">Unheard</a>",
    "see_flags": ">Flags</a>",
    "import_content": ">Import</a>",
    "see_audit_log": ">Audit log</a>",
}


def test_the_apps_above_offer_their_rules_to_the_pages(community: Community, owner: User, member: User) -> None:
    for name in [*NAV_LINKS, "start_thread", "manage_webhooks"]:
        assert getattr(Access(community, owner).may, name) is True, name
    assert Access(community, member).may.start_thread is True
    assert not any(getattr(Access(community, member).may, name) for name in [*NAV_LINKS, "manage_webhooks"])


def test_a_rule_name_cannot_be_taken_twice() -> None:
    permissions.register("see_flags", permissions.RULES["see_flags"])  # the same rule again is harmless
    with pytest.raises(ImproperlyConfigured, match="see_flags"):
        permissions.register("see_flags", Rule(lambda access: True, "Anyone."))


def test_an_unknown_rule_name_is_an_error_not_a_silent_no(community: Community, owner: User) -> None:
    with pytest.raises(AttributeError, match="no_such_rule"):
        _ = Access(community, owner).may.no_such_rule


@pytest.mark.parametrize(
    ("who", "shown"),
    [
        ("owner", set(NAV_LINKS)),
        ("core", {"see_unheard"}),
        ("member", set()),
        ("network_admin", set(NAV_LINKS)),
    ],
)
def test_the_navigation_shows_the_links_the_rules_allow(community: Community, owner: User, member: User,
                                                        who: str, shown: set[str]) -> None:
    people = {
        "owner": owner,
        "member": member,
        "core": join(community, person("core"), Role.CORE),
        "network_admin": UserFactory(username="netadmin", is_superuser=True, is_staff=True),
    }

    html = page_html(page_client(people[who]).get(f"/communities/{community.slug}/"))

    assert {name for name, link in NAV_LINKS.items() if link in html} == shown
