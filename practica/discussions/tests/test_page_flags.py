"""The discussions pages show a button exactly when the rule behind it (``discussions.permissions``) allows it,
seen from the side where the pages used to test a role instead: network admins, who take part everywhere without
being members, and outsiders refused by the rule."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.communities.models import Community, Visibility
from practica.discussions import services
from practica.discussions.models import Thread
from practica.lib.testing.client import page_client, page_html
from practica.lib.testing.content import ask, fresh, opening
from practica.lib.testing.factories import CommunityFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}
ASK_BUTTON = "Ask or start a thread</a>"


@pytest.fixture
def network_admin(db: None) -> User:
    return UserFactory(username="netadmin", is_superuser=True, is_staff=True)


def test_a_network_admin_who_is_not_a_member_sees_the_ask_button_on_the_thread_list(
    community: Community, network_admin: User
) -> None:
    html = page_html(page_client(network_admin).get(f"/communities/{community.slug}/threads/"))

    assert ASK_BUTTON in html


def test_a_network_admin_is_offered_to_start_a_thread_when_none_matches(
    community: Community, network_admin: User
) -> None:
    html = page_html(page_client(network_admin).get(f"/communities/{community.slug}/threads/?q=nothing+like+this"))

    assert "No thread matches." in html
    assert ">Start one</a>" in html


def test_a_network_admin_sees_the_ask_button_on_the_community_page(community: Community, network_admin: User) -> None:
    html = page_html(page_client(network_admin).get(f"/communities/{community.slug}/"))

    assert ASK_BUTTON in html


def test_the_ask_button_a_network_admin_sees_leads_to_a_thread_the_service_accepts(
    community: Community, network_admin: User
) -> None:
    response = page_client(network_admin).post(
        f"/communities/{community.slug}/threads/new/",
        {"kind": "question", "title": "Who audits the barrier tests?", "body": "Asking for the network.", "tags": ""},
    )

    assert response.status_code == 302
    assert Thread.objects.filter(community=community, author=network_admin).exists()


def test_an_outsider_does_not_see_the_ask_button_the_service_would_refuse(community: Community, outsider: User) -> None:
    html = page_html(page_client(outsider).get(f"/communities/{community.slug}/threads/"))

    assert ASK_BUTTON not in html


def test_a_refused_htmx_vote_does_not_offer_the_vote_button_again(community: Community, member: User,
                                                                  outsider: User) -> None:
    question = ask(community, member, "Which packer for HPHT wells?")
    post = opening(question)

    response = page_client(outsider).post(f"/posts/{post.pk}/vote/", {"up": "1"}, **HTMX)

    assert response.status_code == 403
    html = page_html(response)
    assert "Join this community to vote." in html
    assert "vote-button" not in html


def test_a_network_admin_who_votes_by_htmx_keeps_the_vote_button(community: Community, member: User,
                                                                 network_admin: User) -> None:
    post = opening(ask(community, member, "Which packer for HPHT wells?"))

    html = page_html(page_client(network_admin).post(f"/posts/{post.pk}/vote/", {"up": "1"}, **HTMX))

    assert 'aria-pressed="true"' in html and "vote-button" in html


def test_a_network_admin_replies_to_a_locked_thread_from_the_form_the_page_shows(
    community: Community, member: User, owner: User, network_admin: User
) -> None:
    question = ask(community, member, "Which packer for HPHT wells?")
    services.thread_moderate(thread=question, actor=owner, action="lock")
    client = page_client(network_admin)
    url = f"/communities/{community.slug}/threads/{question.pk}/"

    assert 'id="reply-form"' in page_html(client.get(url))
    assert client.post(f"{url}reply/", {"body": "Locked, but the network admins may still answer."}).status_code == 302
    assert fresh(question).reply_count == 1


def test_a_member_sees_no_reply_form_in_a_locked_thread(community: Community, member: User, owner: User) -> None:
    question = ask(community, owner, "Which packer for HPHT wells?")
    services.thread_moderate(thread=question, actor=owner, action="lock")

    html = page_html(page_client(member).get(f"/communities/{community.slug}/threads/{question.pk}/"))

    assert 'id="reply-form"' not in html
    assert "Moderation" not in html


def test_moving_a_thread_to_a_private_community_one_cannot_see_answers_as_for_one_that_does_not_exist(
    community: Community, member: User, owner: User
) -> None:
    stranger = UserFactory(username="stranger")
    CommunityFactory(creator=stranger, name="Secret wells", slug="secret-wells", visibility=Visibility.PRIVATE)
    question = ask(community, member, "Which packer for HPHT wells?")
    client = page_client(owner)

    client.post(f"/communities/{community.slug}/threads/{question.pk}/moderate/",
                {"action": "move", "community": "secret-wells"})
    unknown = [str(m) for m in client.get("/").context["messages"]]
    client.post(f"/communities/{community.slug}/threads/{question.pk}/moderate/",
                {"action": "move", "community": "no-such-community"})
    missing = [str(m) for m in client.get("/").context["messages"]]

    assert unknown == missing == ["Choose a community you coordinate."]
    assert fresh(question).community == community



def test_a_network_admin_is_offered_every_other_community_to_move_a_thread_to_and_may_move_it(
    community: Community, member: User, network_admin: User
) -> None:
    stranger = UserFactory(username="stranger")
    target = CommunityFactory(creator=stranger, name="Secret wells", slug="secret-wells", visibility=Visibility.PRIVATE)
    question = ask(community, member, "Which packer for HPHT wells?")
    client = page_client(network_admin)
    url = f"/communities/{community.slug}/threads/{question.pk}/"

    assert '<option value="secret-wells">Secret wells</option>' in page_html(client.get(url))
    client.post(f"{url}moderate/", {"action": "move", "community": "secret-wells"})

    assert fresh(question).community == target


def test_a_coordinator_is_offered_only_the_communities_they_coordinate(
    community: Community, member: User, owner: User
) -> None:
    CommunityFactory(creator=owner, name="Completions", slug="completions")
    CommunityFactory(creator=member, name="Member's own", slug="members-own")
    question = ask(community, member, "Which packer for HPHT wells?")

    html = page_html(page_client(owner).get(f"/communities/{community.slug}/threads/{question.pk}/"))

    assert '<option value="completions">Completions</option>' in html
    assert 'value="members-own"' not in html and f'<option value="{community.slug}"' not in html
