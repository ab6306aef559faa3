"""The audit log ([P12] "Audit log"): moderation, role, membership, token and admin actions recorded with who,
what, when and from where; read by the community's coordinators and by network admins, by nobody else."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from practica.accounts import services as account_services
from practica.accounts.models import User
from practica.audit.models import AuditEntry
from practica.communities import services as community_services
from practica.communities.models import Community, Membership, Role
from practica.discussions import services as discussion_services
from practica.discussions.models import ThreadKind
from practica.lib.testing.client import Api, page_client
from practica.lib.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(db: None) -> User:
    return User.objects.create_superuser(username="netadmin", email="netadmin@example.org", password=PASSWORD)


def _set_role(community: Community, actor: User, user: User, role: str) -> None:
    membership = Membership.objects.get(community=community, user=user)
    community_services.membership_set_role(community=community, actor=actor, membership_id=membership.pk, role=role)


def test_a_role_change_is_recorded_with_who_what_when_and_the_change(owner: User, member: User, community: Community) -> None:
    _set_role(community, owner, member, Role.CORE)

    entry = AuditEntry.objects.get(action="membership.role")
    assert entry.actor == owner and entry.actor_name == "owner" and entry.community == community
    assert entry.summary == "Made member core member"
    assert entry.details == {"role": ["member", "core"]}
    assert entry.created_at is not None


def test_removing_a_member_and_inviting_are_recorded(owner: User, member: User, outsider: User, community: Community) -> None:
    membership = Membership.objects.get(community=community, user=member)
    community_services.membership_remove(community=community, actor=owner, membership_id=membership.pk)
    community_services.member_invite(community=community, actor=owner, user=outsider)

    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True))[-2:] == [
        "membership.remove", "membership.invite",
    ]


def test_moderation_is_recorded_in_the_community(owner: User, member: User, community: Community) -> None:
    thread = discussion_services.thread_create(
        community=community, author=member, kind=ThreadKind.QUESTION, title="Cement wait times", body="How long?"
    )

    discussion_services.thread_moderate(thread=thread, actor=owner, action="lock")

    entry = AuditEntry.objects.get(action="moderation.lock")
    assert entry.community == community and entry.actor == owner
    assert entry.summary == "owner locked “Cement wait times”"


def test_a_refused_action_records_nothing(owner: User, member: User, community: Community) -> None:
    membership = Membership.objects.get(community=community, user=owner)

    with pytest.raises(Exception):  # noqa: B017 - the last coordinator cannot step down
        community_services.membership_set_role(community=community, actor=owner, membership_id=membership.pk, role=Role.MEMBER)

    assert not AuditEntry.objects.filter(action="membership.role").exists()


def test_token_actions_are_recorded_for_network_admins_only(owner: User) -> None:
    issued = account_services.token_create(user=owner, name="ci")
    account_services.token_revoke(actor=owner, token=issued.token)

    entries = AuditEntry.objects.filter(action__startswith="token.").order_by("id")
    assert [e.action for e in entries] == ["token.create", "token.revoke"]
    assert all(e.community is None for e in entries)
    assert issued.key not in " ".join(e.summary + str(e.details) for e in entries)


def test_admin_changes_are_recorded(admin: User, member: User) -> None:
    LogEntry.objects.log_actions(
        user_id=admin.pk, queryset=[member], action_flag=CHANGE, change_message="Changed is_staff.", single_object=True
    )

    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == admin and "member" in entry.summary and entry.target_id == member.pk


def test_an_admin_change_through_the_admin_pages_is_recorded_with_the_address(admin: User, member: User) -> None:
    client = page_client(admin)
    url = f"/admin/accounts/user/{member.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, (list, tuple))}
    data.update({"username": "member", "email": "member-new@example.org", "date_joined_0": "2026-01-01",
                 "date_joined_1": "10:00:00", "is_active": "on"})

    response = client.post(url, data, REMOTE_ADDR="192.0.2.44")

    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.address == "192.0.2.44"
    assert ContentType.objects.get_for_model(User).name in entry.summary


def test_the_address_of_the_request_is_kept(owner: User, member: User, community: Community) -> None:
    membership = Membership.objects.get(community=community, user=member)

    response = page_client(owner).post(
        f"/communities/{community.slug}/members/{membership.pk}/role/", {"role": Role.CORE}, REMOTE_ADDR="198.51.100.7"
    )

    assert response.status_code in (200, 302)
    assert AuditEntry.objects.get(action="membership.role").address == "198.51.100.7"


# --- Who reads it ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility_fixture", ["public_community", "members_only_community", "private_community"])
def test_the_community_log_is_for_its_coordinators_from_three_sides(
    request: pytest.FixtureRequest, visibility_fixture: str, owner: User, member: User, outsider: User, admin: User
) -> None:
    community: Community = request.getfixturevalue(visibility_fixture)
    _set_role(community, owner, member, Role.CORE)
    _set_role(community, owner, member, Role.MEMBER)
    url = f"/communities/{community.slug}/audit/"

    coordinator = page_client(owner).get(url)
    as_member = page_client(member).get(url)
    as_outsider = page_client(outsider).get(url)
    anonymous = page_client(None).get(url)
    as_admin = page_client(admin).get(url)

    assert coordinator.status_code == 200 and "Made member core member" in coordinator.content.decode()
    assert as_admin.status_code == 200
    assert as_member.status_code == 403 and "Made member" not in as_member.content.decode()
    hidden = 403 if community.visibility == "public" else 404  # content the outsider may not read: not found
    assert as_outsider.status_code == hidden and anonymous.status_code == hidden
    assert "Made member" not in as_outsider.content.decode() + anonymous.content.decode()


def test_a_coordinator_sees_only_their_own_communitys_entries(
    owner: User, member: User, community: Community, private_community: Community
) -> None:
    other = UserFactory.create(username="other-coordinator")
    elsewhere = community_services.community_create(creator=other, name="Elsewhere", slug="elsewhere", domain="x")
    community_services.member_invite(community=elsewhere, actor=other, user=member)
    _set_role(community, owner, member, Role.CORE)

    page = page_client(owner).get(f"/communities/{community.slug}/audit/").content.decode()
    api = Api().as_user(owner).get(f"/api/v1/communities/{community.slug}/audit/").json()

    assert "Made member core member" in page and "Invited member" not in page
    assert {e["community"] for e in api["results"]} == {community.slug}


def test_the_network_log_is_for_network_admins(owner: User, member: User, community: Community, admin: User) -> None:
    account_services.token_create(user=owner, name="ci")
    _set_role(community, owner, member, Role.CORE)

    as_admin = page_client(admin).get("/audit/")
    as_coordinator = page_client(owner).get("/audit/")
    anonymous = page_client(None).get("/audit/")

    assert as_admin.status_code == 200
    body = as_admin.content.decode()
    assert "API token “ci”" in body and "Made member core member" in body
    assert as_coordinator.status_code == 403 and "API token" not in as_coordinator.content.decode()
    assert anonymous.status_code == 302


def test_the_api_serves_both_logs_with_filters(owner: User, member: User, community: Community, admin: User) -> None:
    _set_role(community, owner, member, Role.CORE)
    thread = discussion_services.thread_create(
        community=community, author=member, kind=ThreadKind.QUESTION, title="Casing design", body="Which grade?"
    )
    discussion_services.thread_moderate(thread=thread, actor=owner, action="pin")

    mine = Api().as_user(owner).get(f"/api/v1/communities/{community.slug}/audit/?action=moderation").json()
    everything = Api().as_user(admin).get("/api/v1/audit/?actor=owner").json()

    assert [e["action"] for e in mine["results"]] == ["moderation.pin"]
    assert mine["results"][0]["actor"] == "owner" and mine["results"][0]["community"] == community.slug
    assert everything["count"] >= 2 and {e["actor"] for e in everything["results"]} == {"owner"}
    assert Api().as_user(member).get(f"/api/v1/communities/{community.slug}/audit/").status_code == 403
    assert Api().as_user(owner).get("/api/v1/audit/").status_code == 403
    assert Api().as_user(None).get("/api/v1/audit/").status_code == 401


def test_the_api_refuses_a_bad_date_with_a_field_error(owner: User, community: Community) -> None:
    response = Api().as_user(owner).get(f"/api/v1/communities/{community.slug}/audit/?since=yesterday")

    assert response.status_code == 400 and "since" in response.json()


def test_the_private_communitys_log_is_a_404_for_outsiders_in_the_api(outsider: User, private_community: Community) -> None:
    response = Api().as_user(outsider).get(f"/api/v1/communities/{private_community.slug}/audit/")

    assert response.status_code == 404


def test_the_log_page_costs_the_same_queries_for_5_and_50_entries(owner: User, member: User, community: Community) -> None:
    client = page_client(owner)
    url = f"/communities/{community.slug}/audit/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for role in [Role.CORE, Role.MEMBER] * 2 + [Role.CORE]:
        _set_role(community, owner, member, role)
    few = count()
    for role in [Role.MEMBER, Role.CORE] * 23:
        _set_role(community, owner, member, role)
    assert AuditEntry.objects.filter(community=community).count() >= 50
    assert count() == few


def test_entries_cannot_be_changed_in_the_admin(admin: User, owner: User) -> None:
    account_services.token_create(user=owner, name="ci")
    entry = AuditEntry.objects.get()
    client = page_client(admin)

    assert client.get(f"/admin/audit/auditentry/{entry.pk}/change/").status_code == 200  # read only view
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_an_account_that_starts_waiting_is_recorded_once(db: None) -> None:
    UserFactory.create(username="alice")
    client = Client()
    for _ in range(9):
        client.post("/accounts/login/", {"login": "alice", "password": "wrong"})

    entries = AuditEntry.objects.filter(action="auth.backoff")
    assert entries.count() == 1
    assert "alice" in entries.get().summary and "wrong" not in entries.get().summary


def test_membership_actions_through_the_api_are_recorded(owner: User, member: User, community: Community, settings: Any) -> None:
    membership = Membership.objects.get(community=community, user=member)

    response = Api().as_user(owner).patch(
        f"/api/v1/communities/{community.slug}/members/{membership.pk}/", {"role": "sponsor"}, format="json"
    )

    assert response.status_code == 200
    assert AuditEntry.objects.get(action="membership.role").details == {"role": ["member", "sponsor"]}
