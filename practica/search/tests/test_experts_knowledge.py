"""Expert finding counts the knowledge base: whoever wrote a published item that covers the question is
suggested, with the item and its endorsements as the reason — never for drafts, items in review or archived
ones, never for an item on another subject, and never someone who may not read the community."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState
from practica.discovery.experts import find_experts
from practica.knowledge import services as knowledge
from practica.knowledge.models import KnowledgeItem
from practica.lib.testing.client import Api
from practica.lib.testing.content import draft, person, published
from practica.search import indexing
from practica.search.tests.conftest import HTMX, client_for

pytestmark = pytest.mark.django_db
# Items are indexed when their transaction commits; these tests rebuild the index before asking (the question's
# words are weighed by how rare they are in the index).

QUESTION = "How should we inspect casing wear on a well that has been drilled with a rotating liner?"


def _published_by(community: Community, author: User, reviewer: User, title: str, body: str) -> KnowledgeItem:
    return published(community, author, reviewer, title=title, body=body, tags=())


def _casing_wear_item(community: Community, writer: User, reviewer: User) -> KnowledgeItem:
    """A published item on casing wear after rotating liners, endorsed by its reviewer."""
    item = _published_by(community, writer, reviewer, "Casing wear inspection after rotating liners",
                         "Run a multi-finger caliper to inspect casing wear where the liner was rotated.")
    knowledge.endorse(item=item, user=reviewer)
    return item


def test_the_author_of_a_published_item_on_the_subject_is_suggested_with_it_as_the_reason(
    community: Community, owner: User, member: User
) -> None:
    writer = person("writer", community)
    item = _casing_wear_item(community, writer, owner)
    knowledge.helpful_mark(item=item, user=member)
    indexing.rebuild()
    experts = find_experts(text=QUESTION, community=community, viewer=member)
    assert [e.user.username for e in experts][:1] == ["writer"]
    assert "wrote the knowledge item “Casing wear inspection after rotating liners” (endorsed or marked helpful 2 times)" in experts[0].reasons
    rows = Api().as_user(member).get("/api/v1/experts/", {"q": QUESTION, "community": community.slug}).json()
    assert rows[0]["username"] == "writer"
    assert any("Casing wear inspection after rotating liners" in reason for reason in rows[0]["reasons"])


def test_more_items_and_endorsements_weigh_more(community: Community, owner: User, member: User) -> None:
    one, two = person("one", community), person("two", community)
    _published_by(community, one, owner, "Casing wear inspection basics", "Inspect casing wear with a caliper.")
    for n in range(2):
        _published_by(community, two, owner, f"Casing wear inspection lesson {n}", "Inspect casing wear on rotating liners.")
    indexing.rebuild()
    experts = find_experts(text=QUESTION, community=community, viewer=member)
    assert [e.user.username for e in experts][:2] == ["two", "one"]
    assert experts[0].reasons[0].startswith("wrote 2 knowledge items on the subject, such as “Casing wear inspection lesson")


def test_drafts_items_in_review_and_archived_items_are_not_evidence(
    community: Community, owner: User, member: User
) -> None:
    drafter, submitter, archivist = person("drafter", community), person("submitter", community), person("archivist", community)
    draft(community, drafter, title="Casing wear inspection draft", body="Inspect casing wear on rotating liners.")
    pending = draft(community, submitter, title="Casing wear inspection pending", body="Inspect casing wear on rotating liners.")
    knowledge.item_submit(item=pending, actor=submitter)
    old = _published_by(community, archivist, owner, "Casing wear inspection, old", "Inspect casing wear on rotating liners.")
    knowledge.item_archive(item=old, actor=owner)
    indexing.rebuild()
    assert find_experts(text=QUESTION, community=community, viewer=member) == []


def test_an_item_on_another_subject_is_not_evidence(community: Community, owner: User, member: User) -> None:
    writer = person("writer", community)
    _published_by(community, writer, owner, "Cement slurry design for deep wells", "Retarders and cement density.")
    indexing.rebuild()
    assert find_experts(text=QUESTION, community=community, viewer=member) == []


def test_an_author_who_may_no_longer_read_a_private_community_is_not_suggested(
    private_community: Community, owner: User, member: User
) -> None:
    stayer, leaver = person("stayer", private_community), person("leaver", private_community)
    for author in (stayer, leaver):
        _published_by(private_community, author, owner, f"Casing wear inspection by {author.username}",
                      "Inspect casing wear on rotating liners.")
    Membership.objects.filter(community=private_community, user=leaver).update(state=MembershipState.LEFT)
    indexing.rebuild()
    assert [e.user.username for e in find_experts(text=QUESTION, community=private_community, viewer=member)] == ["stayer"]
    outsider = person("outsider-reader")
    assert find_experts(text=QUESTION, community=private_community, viewer=outsider) == []
    response = Api().as_user(outsider).get("/api/v1/experts/", {"q": QUESTION, "community": private_community.slug})
    assert response.status_code == 404
    assert "stayer" not in response.content.decode()


# --- While asking: "the knowledge base may already answer this" -----------------------------------


def test_while_asking_a_published_item_that_covers_the_title_is_offered(
    community: Community, owner: User, member: User
) -> None:
    writer = person("writer", community)
    item = _casing_wear_item(community, writer, owner)
    _published_by(community, writer, owner, "Cement slurry design for deep wells", "Retarders and cement density.")
    indexing.rebuild()
    page = client_for(member).get(
        f"/communities/{community.slug}/similar/", {"title": "How do we check casing wear after rotating the liner?"}, **HTMX
    ).content.decode()
    assert "The knowledge base may already answer this" in page
    assert f'href="/communities/{community.slug}/knowledge/{item.pk}/"' in page
    assert "Casing wear inspection after rotating liners" in page and "endorsed or marked helpful 1 time" in page
    assert "Cement slurry design" not in page  # another subject


def test_while_asking_drafts_and_other_communities_items_are_not_offered(
    community: Community, members_only_community: Community, owner: User, member: User
) -> None:
    writer = person("writer", community)
    draft(community, writer, title="Casing wear inspection after rotating liners", body="Inspect casing wear.")
    _published_by(members_only_community, owner, owner, "Casing wear inspection after rotating liners, members",
                  "Inspect casing wear.")
    indexing.rebuild()
    page = client_for(member).get(
        f"/communities/{community.slug}/similar/", {"title": "How do we check casing wear after rotating the liner?"}, **HTMX
    ).content.decode()
    assert "knowledge base" not in page


@pytest.mark.parametrize("side", ["outsider", "anonymous"])
def test_while_asking_in_a_community_one_may_not_read_offers_nothing(
    request: pytest.FixtureRequest, private_community: Community, owner: User, side: str
) -> None:
    _published_by(private_community, owner, owner, "Casing wear inspection after rotating liners", "Inspect casing wear.")
    indexing.rebuild()
    user = None if side == "anonymous" else request.getfixturevalue(side)
    response = client_for(user).get(
        f"/communities/{private_community.slug}/similar/", {"title": "How do we check casing wear after rotating?"}, **HTMX
    )
    assert response.status_code == 404
    assert "Casing wear inspection" not in response.content.decode()
