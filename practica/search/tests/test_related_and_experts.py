"""Related threads (API and the thread page's htmx panel), similar questions while asking, expert finding (API and
the "Who knows about…?" page) and routing unanswered questions to experts."""

from __future__ import annotations

import datetime as dt
import html as html_lib
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discovery.experts import find_experts
from practica.discussions import services
from practica.discussions.models import Post, Thread
from practica.lib.testing.client import Api
from practica.lib.testing.content import ago, answer, ask, person
from practica.lib.testing.factories import UserFactory
from practica.search import indexing, selectors
from practica.search.models import ExpertRequest
from practica.search.tests.conftest import HTMX, client_for
from practica.topics.services import topics_get_or_create

pytestmark = pytest.mark.django_db

QUESTION = "How do I interpret a cement bond log?"
SIMILAR = (
    ("Cement bond log amplitude too high", "The cement bond log amplitude reads high behind the casing."),
    ("Reading a cement bond log with a microannulus", "A microannulus shows on the cement bond log."),
    ("Cement bond log versus ultrasonic imaging", "Which cement bond log tool do you trust?"),
)
UNRELATED = "Crew change logistics offshore"


@dataclass
class Bonds:
    community: Community
    question: Thread
    similar: list[Thread]
    unrelated: Thread
    erin: User  # three accepted answers on similar questions
    carl: User  # one answer on an unrelated thread
    other: User  # a member with nothing to do with the question


@pytest.fixture
def bonds(community: Community, owner: User, member: User) -> Bonds:
    erin = person("erin", community)
    carl = person("carl", community)
    other = person("other", community)
    similar = [ask(community, owner, title, body=body) for title, body in SIMILAR]
    for thread in similar:
        services.answer_accept(post=answer(thread, erin, "Check the free-pipe reading and the VDL."), actor=owner)
    unrelated = ask(community, owner, UNRELATED, body="Helicopter schedules and rotas.")
    answer(unrelated, carl, "Book the helicopter a week ahead.")
    question = ask(community, member, QUESTION, body="First cement bond log on this well; what do I look at?")
    indexing.rebuild()
    return Bonds(community, question, similar, unrelated, erin, carl, other)


# --- Related threads ------------------------------------------------------------------------------


def test_related_threads_come_best_first_with_id_title_score_and_external_id(bonds: Bonds, api: Api, member: User) -> None:
    response = api.as_user(member).get(f"/api/v1/threads/{bonds.question.pk}/related/?limit=3")
    assert response.status_code == 200
    rows = response.json()
    assert len(rows) == 3
    assert {row["id"] for row in rows} == {t.pk for t in bonds.similar}
    assert set(rows[0]) >= {"id", "title", "score", "external_id", "url"}
    scores = [row["score"] for row in rows]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    assert rows[0]["url"].startswith(f"/communities/{bonds.community.slug}/threads/")


def test_related_threads_never_include_the_thread_itself(bonds: Bonds, api: Api, member: User) -> None:
    for thread in [bonds.question, *bonds.similar]:
        rows = api.as_user(member).get(f"/api/v1/threads/{thread.pk}/related/?limit=100").json()
        assert thread.pk not in {row["id"] for row in rows}
        assert rows, thread.title


def test_an_unrelated_thread_ranks_below_similar_ones(bonds: Bonds, api: Api, member: User) -> None:
    rows = api.as_user(member).get(f"/api/v1/threads/{bonds.question.pk}/related/?limit=100").json()
    ids = [row["id"] for row in rows]
    if bonds.unrelated.pk in ids:
        assert ids.index(bonds.unrelated.pk) > max(ids.index(t.pk) for t in bonds.similar)


def test_related_threads_prefer_the_closest_match(community: Community, owner: User, member: User, api: Api) -> None:
    base = ask(community, member, "Sustained casing pressure on the B annulus", body="Pressure keeps coming back on the B annulus.")
    close = ask(community, owner, "B annulus sustained casing pressure again", body="Sustained casing pressure in the B annulus.")
    loose = ask(community, owner, "Casing design for deep wells", body="Burst and collapse loads of the casing.")
    indexing.rebuild()
    rows = api.as_user(member).get(f"/api/v1/threads/{base.pk}/related/?limit=2").json()
    assert [row["id"] for row in rows][:1] == [close.pk]  # "Casing design", if shown at all, comes after
    assert loose.pk != rows[0]["id"]


def test_a_thread_sharing_a_word_or_two_is_not_related_even_with_places_left(
    community: Community, owner: User, member: User, api: Api
) -> None:
    base = ask(community, member, "Sustained casing pressure on the B annulus", body="Pressure keeps coming back on the B annulus after a bleed-down.")
    close = ask(community, owner, "B annulus sustained casing pressure again", body="Sustained casing pressure in the B annulus after bleeding.")
    other = ask(community, owner, "Choosing a coffee machine for the office", body="The pressure of the espresso pump, and its price.")
    indexing.rebuild()
    rows = api.as_user(member).get(f"/api/v1/threads/{base.pk}/related/?limit=10").json()
    assert [row["id"] for row in rows] == [close.pk]
    assert other.pk not in {row["id"] for row in rows}  # it shares "pressure", and nothing else


@pytest.mark.parametrize(("limit", "status", "count"), [("0", 200, 1), ("1", 200, 1), ("2", 200, 2), ("101", 200, 3),
                                                       ("-5", 200, 1), ("x", 400, None), ("", 400, None), ("2.5", 400, None)])
def test_the_related_limit_is_clamped_to_1_to_100_and_must_be_a_number(
    bonds: Bonds, api: Api, member: User, limit: str, status: int, count: int | None
) -> None:
    response = api.as_user(member).get(f"/api/v1/threads/{bonds.question.pk}/related/?limit={limit}")
    assert response.status_code == status, response.content
    if count is not None:
        assert len(response.json()) == count  # 101 is clamped to 100; three other threads share its words
    else:
        assert "limit" in response.json()


def test_related_threads_of_an_unknown_thread_are_404(bonds: Bonds, api: Api, member: User) -> None:
    assert api.as_user(member).get("/api/v1/threads/999999/related/").status_code == 404


def test_related_threads_of_a_deleted_thread_are_404_to_others(bonds: Bonds, api: Api, owner: User, member: User) -> None:
    services.post_delete(post=bonds.question.posts.get(is_opening=True), actor=member)
    assert api.as_user(bonds.carl).get(f"/api/v1/threads/{bonds.question.pk}/related/").status_code == 404


def test_the_thread_page_loads_related_threads_with_htmx(bonds: Bonds, member: User) -> None:
    url = f"/communities/{bonds.community.slug}/threads/{bonds.question.pk}/related/"
    page = client_for(member).get(bonds.question.get_absolute_url()).content.decode()
    assert f'hx-get="{url}"' in page
    assert f'href="{url}"' in page  # a plain link without JavaScript
    partial = client_for(member).get(url, **HTMX)
    full = client_for(member).get(url)
    assert partial.status_code == full.status_code == 200
    partial_html, full_html = partial.content.decode(), full.content.decode()
    assert '<section class="card" aria-labelledby="related-h" id="related">' in partial_html
    assert "<html" not in partial_html and "<h1>" not in partial_html
    assert "<html" in full_html and "<h1>Threads related to" in full_html
    for title, _ in SIMILAR:
        assert html_lib.escape(title) in partial_html
        assert html_lib.escape(title) in full_html
    assert QUESTION not in partial_html.replace(f"“{QUESTION}”", "")


def test_the_related_panel_in_the_thread_page_leaves_out_the_threads_it_lists_as_linked(bonds: Bonds, member: User) -> None:
    linked_title = SIMILAR[0][0]
    answer(bonds.question, member, f"See {bonds.similar[0].get_absolute_url()}")
    url = f"/communities/{bonds.community.slug}/threads/{bonds.question.pk}/related/"

    page = client_for(member).get(bonds.question.get_absolute_url()).content.decode()
    partial = client_for(member).get(url, **HTMX).content.decode()
    full = client_for(member).get(url).content.decode()

    assert html_lib.escape(linked_title) in page[page.index('id="linked"') :]
    assert html_lib.escape(linked_title) not in partial  # listed above it, under Linked
    assert all(html_lib.escape(title) in partial for title, _ in SIMILAR[1:])
    assert html_lib.escape(linked_title) in full  # its own page has no Linked list: it keeps every related thread


def test_the_related_panel_of_a_thread_in_another_communitys_url_is_404(
    bonds: Bonds, member: User, members_only_community: Community
) -> None:
    url = f"/communities/{members_only_community.slug}/threads/{bonds.question.pk}/related/"
    assert client_for(member).get(url).status_code == 404


# --- Similar questions while asking ---------------------------------------------------------------


def test_similar_questions_appear_while_typing_a_title(bonds: Bonds, member: User) -> None:
    response = client_for(member).get(
        f"/communities/{bonds.community.slug}/similar/", {"title": "cement bond log interpretation"}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Has someone asked this already?" in html
    for title, _ in SIMILAR:
        assert html_lib.escape(title) in html
    assert UNRELATED not in html
    assert "Solved" in html


def test_similar_questions_stay_quiet_for_short_or_unmatched_titles(bonds: Bonds, member: User) -> None:
    url = f"/communities/{bonds.community.slug}/similar/"
    for title in ("", "cement", "Volcanic ash in the lungs of penguins"):
        response = client_for(member).get(url, {"title": title})
        assert response.status_code == 200
        assert "Has someone asked this already?" not in response.content.decode()


def test_similar_questions_of_an_unknown_community_are_404(member: User) -> None:
    assert client_for(member).get("/communities/nowhere/similar/", {"title": "cement bond log"}).status_code == 404


def test_the_ask_page_wires_the_title_to_similar_questions(bonds: Bonds, member: User) -> None:
    from django.urls import reverse

    html = client_for(member).get(reverse("discussions:create", kwargs={"slug": bonds.community.slug})).content.decode()
    assert f'hx-get="/communities/{bonds.community.slug}/similar/"' in html


def test_similar_questions_selector_ranks_the_best_match_first(bonds: Bonds, member: User) -> None:
    hits = selectors.similar_questions(
        text="amplitude too high on the cement bond log", user=member, community_ids=[bonds.community.pk]
    )
    assert hits[0].title == SIMILAR[0][0]


# --- Experts --------------------------------------------------------------------------------------


def _experts(api: Api, user: User | None, q: str, community: str, **extra: str) -> Any:
    return api.as_user(user).get("/api/v1/experts/", {"q": q, "community": community, **extra})


def test_experts_rank_accepted_answers_on_similar_questions_first_with_reasons(bonds: Bonds, api: Api, member: User) -> None:
    response = _experts(api, member, "cement bond log interpretation", bonds.community.slug)
    assert response.status_code == 200
    rows = response.json()
    usernames = [row["username"] for row in rows]
    assert usernames[0] == "erin"
    if "carl" in usernames:
        assert rows[usernames.index("carl")]["score"] < rows[0]["score"]
    top = rows[0]
    assert set(top) >= {"id", "username", "display_name", "external_id", "score", "reasons"}
    reasons = " ".join(top["reasons"])
    assert "3 accepted answers on similar questions" in reasons
    assert "most recent" in reasons
    assert all(isinstance(r, str) and r for r in top["reasons"])


def test_expert_reasons_read_as_sentences(bonds: Bonds, member: User) -> None:
    experts = find_experts(text="cement bond log", community=bonds.community, viewer=member)
    erin = next(e for e in experts if e.user == bonds.erin)
    assert erin.accepted == 3 and erin.answers == 3
    assert erin.reasons[0].startswith("3 accepted answers on similar questions, most recent ")
    assert erin.reasons[0].endswith(" ago")
    assert "3 answers in this community overall" in erin.reasons


def test_declared_expertise_is_a_reason(community: Community, owner: User, member: User) -> None:
    community.topics.add(*topics_get_or_create(["Sand control"]))
    sandy = UserFactory.create(username="sandy", expertise=["Sand control"])
    Membership.objects.create(community=community, user=sandy, state=MembershipState.ACTIVE, role=Role.MEMBER)
    experts = find_experts(text="Which sand control screen?", community=community, viewer=member)
    assert [e.user.username for e in experts] == ["sandy"]
    assert "declares expertise in Sand control" in experts[0].reasons


def test_the_asker_can_be_left_out_and_the_viewer_is_not_left_out_wrongly(bonds: Bonds, owner: User, member: User) -> None:
    everyone = {e.user.username for e in find_experts(text="cement bond log", community=bonds.community, viewer=owner)}
    assert "erin" in everyone
    without = {
        e.user.username
        for e in find_experts(text="cement bond log", community=bonds.community, viewer=owner, exclude_user_ids={bonds.erin.pk})
    }
    assert "erin" not in without
    as_erin = {e.user.username for e in find_experts(text="cement bond log", community=bonds.community, viewer=bonds.erin)}
    assert "erin" in as_erin


@pytest.fixture
def private_bonds(private_community: Community, owner: User, member: User) -> dict[str, User]:
    """In the private community: ``stayer`` and ``leaver`` each have two accepted answers on cement bond logs;
    ``leaver`` then leaves. ``watcher`` is an outsider who can read nothing there."""
    stayer = person("stayer", private_community)
    leaver = person("leaver", private_community)
    for n, expert in enumerate((stayer, stayer, leaver, leaver)):
        thread = ask(private_community, owner, f"Cement bond log puzzle {n}", body="Odd cement bond log amplitude.")
        services.answer_accept(post=answer(thread, expert, "Check the free-pipe reading."), actor=owner)
    Membership.objects.filter(community=private_community, user=leaver).update(state=MembershipState.LEFT)
    watcher = UserFactory.create(username="watcher")
    indexing.rebuild()
    return {"stayer": stayer, "leaver": leaver, "watcher": watcher}


def test_experts_never_include_people_who_cannot_read_a_private_community(
    private_community: Community, private_bonds: dict[str, User], api: Api, owner: User, member: User
) -> None:
    for viewer in (owner, member):
        rows = _experts(api, viewer, "cement bond log amplitude", private_community.slug).json()
        usernames = {row["username"] for row in rows}
        assert "stayer" in usernames
        assert "leaver" not in usernames and "watcher" not in usernames


def test_experts_of_a_public_community_keep_a_former_member_who_can_still_read_it(
    bonds: Bonds, api: Api, member: User
) -> None:
    Membership.objects.filter(community=bonds.community, user=bonds.erin).update(state=MembershipState.LEFT)
    rows = _experts(api, member, "cement bond log interpretation", bonds.community.slug).json()
    assert rows[0]["username"] == "erin"


def test_experts_of_a_members_only_community_are_its_active_members(
    members_only_community: Community, owner: User, member: User, api: Api
) -> None:
    expert = person("mo-expert", members_only_community)
    thread = ask(members_only_community, owner, "Cement bond log in a members-only place", body="cement bond log")
    services.answer_accept(post=answer(thread, expert, "Look at the VDL."), actor=owner)
    indexing.rebuild()
    assert _experts(api, member, "cement bond log", "members-wells").json()[0]["username"] == "mo-expert"
    Membership.objects.filter(community=members_only_community, user=expert).update(state=MembershipState.REMOVED)
    assert "mo-expert" not in {r["username"] for r in _experts(api, member, "cement bond log", "members-wells").json()}


@pytest.mark.parametrize("side", ["outsider", "anonymous"])
@pytest.mark.parametrize("slug", ["private-wells", "members-wells"])
def test_experts_of_a_community_one_may_not_read_are_404(
    request: Any, private_community: Community, members_only_community: Community, api: Api, side: str, slug: str
) -> None:
    user = None if side == "anonymous" else request.getfixturevalue(side)
    assert _experts(api, user, "cement bond log", slug).status_code == 404
    assert client_for(user).get("/experts/", {"q": "cement bond log", "community": slug}).status_code == 404


def test_experts_without_a_community_are_400_and_an_empty_question_gives_nobody(bonds: Bonds, api: Api, member: User) -> None:
    missing = api.as_user(member).get("/api/v1/experts/", {"q": "cement bond log"})
    assert missing.status_code == 400
    assert "community" in missing.json()
    assert _experts(api, member, "", bonds.community.slug).json() == []
    assert _experts(api, member, "   ", bonds.community.slug).json() == []
    assert _experts(api, member, "cement", "no-such-community").status_code == 404


def test_the_experts_limit_is_validated(bonds: Bonds, api: Api, member: User) -> None:
    assert len(_experts(api, member, "cement bond log", bonds.community.slug, limit="1").json()) == 1
    assert _experts(api, member, "cement bond log", bonds.community.slug, limit="many").status_code == 400


def test_the_who_knows_page_renders_the_experts_and_their_reasons(bonds: Bonds, member: User) -> None:
    response = client_for(member).get("/experts/", {"q": "cement bond log interpretation", "community": bonds.community.slug})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Who knows about…?" in html
    assert "/people/erin/" in html
    assert "3 accepted answers on similar questions" in html
    partial = client_for(member).get(
        "/experts/", {"q": "cement bond log interpretation", "community": bonds.community.slug}, **HTMX
    ).content.decode()
    assert "/people/erin/" in partial and "<h1>" not in partial


def test_the_who_knows_page_without_a_question_or_community_lists_nobody(bonds: Bonds, member: User) -> None:
    blank = client_for(member).get("/experts/")
    assert blank.status_code == 200 and "/people/erin/" not in blank.content.decode()
    no_community = client_for(member).get("/experts/", {"q": "cement bond log"}).content.decode()
    assert "/people/erin/" not in no_community



def test_a_question_nobody_has_evidence_for_claims_no_similar_questions(bonds: Bonds, member: User) -> None:
    """Without evidence, only who is around is suggested, and the reasons say just that."""
    experts = find_experts(text="penguin migration", community=bonds.community, viewer=member)
    for expert in experts:
        assert expert.accepted == expert.answers == 0
        assert not any("similar questions" in reason for reason in expert.reasons), expert.reasons
        assert any(reason.startswith("active lately") for reason in expert.reasons), expert.reasons


def test_someone_who_only_commented_lately_counts_as_around_with_a_reason_saying_so(
    bonds: Bonds, member: User
) -> None:
    """Who is around counts comments (half an answer each): a member who comments a lot but has not answered yet
    is suggested on a question nobody has evidence for, and the reason names the comments."""
    dana = person("dana", bonds.community)
    for thread in bonds.similar:
        services.comment_create(post=thread.posts.get(is_opening=True), author=dana, body="Which logging company?")
    experts = find_experts(text="penguin migration", community=bonds.community, viewer=member)
    found = {expert.user: expert for expert in experts}
    assert dana in found
    assert "active lately: 3 comments in the last 30 days" in found[dana].reasons
    assert bonds.other not in found  # a member with no activity is not "around"


def test_comments_on_deleted_answers_do_not_make_someone_around(bonds: Bonds, owner: User, member: User) -> None:
    dana = person("dana", bonds.community)
    post = answer(bonds.unrelated, owner, "A reply that will be deleted.")
    services.comment_create(post=post, author=dana, body="Agreed.")
    services.post_delete(post=post, actor=owner)
    experts = find_experts(text="penguin migration", community=bonds.community, viewer=member)
    assert dana not in {expert.user for expert in experts}


def test_the_similar_threads_depth_setting_is_read_when_experts_are_found(
    bonds: Bonds, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``SIMILAR_THREADS`` decides how many similar threads count as evidence (it was once frozen at import)."""
    from practica.discovery import experts as experts_module

    def erin_answers_counted() -> int:
        found = find_experts(text=QUESTION, community=bonds.community, viewer=member)
        return next(e.answers for e in found if e.user == bonds.erin)

    everyone = experts_module.similar_threads(text=QUESTION, community=bonds.community, viewer=member)
    assert {t.id for t in bonds.similar} <= set(everyone)
    assert erin_answers_counted() == 3
    monkeypatch.setattr(experts_module, "SIMILAR_THREADS", 1)
    assert len(experts_module.similar_threads(text=QUESTION, community=bonds.community, viewer=member)) == 1
    assert erin_answers_counted() <= 1


# --- Routing unanswered questions -----------------------------------------------------------------


ROUTING_HEADING = "ask someone who knows"


def _thread_page(user: User | None, thread: Thread) -> str:
    response = client_for(user).get(thread.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def routing_now(settings: Any) -> None:
    settings.ROUTING_AFTER_HOURS = 0


def test_an_unanswered_question_shows_suggested_experts_to_its_author_and_coordinators(
    bonds: Bonds, routing_now: None, owner: User, member: User
) -> None:
    for user in (member, owner):
        html = _thread_page(user, bonds.question)
        assert ROUTING_HEADING in html
        assert "/people/erin/" in html
        assert f'action="/communities/{bonds.community.slug}/threads/{bonds.question.pk}/ask-expert/"' in html
        assert f'name="expert" value="{bonds.erin.pk}"' in html


@pytest.mark.parametrize("who", ["other", "erin", "outsider", "anonymous"])
def test_suggested_experts_are_not_shown_to_other_people(
    request: Any, bonds: Bonds, routing_now: None, who: str
) -> None:
    people = {"other": bonds.other, "erin": bonds.erin, "anonymous": None}
    user = people[who] if who in people else request.getfixturevalue(who)
    html = _thread_page(user, bonds.question)
    assert ROUTING_HEADING not in html
    assert "ask-expert" not in html


def test_suggested_experts_wait_for_routing_after_hours(bonds: Bonds, settings: Any, member: User) -> None:
    settings.ROUTING_AFTER_HOURS = 24
    assert ROUTING_HEADING not in _thread_page(member, bonds.question)
    old = ask(bonds.community, member, "Cement bond log from yesterday, still no answer", created_at=ago(hours=25))
    indexing.rebuild()
    html = _thread_page(member, old)
    assert ROUTING_HEADING in html
    assert "/people/erin/" in html


def test_an_answered_question_or_a_discussion_shows_no_suggestions(bonds: Bonds, routing_now: None, member: User) -> None:
    answer(bonds.question, bonds.other, "Look at the amplitude first.")
    assert ROUTING_HEADING not in _thread_page(member, Thread.objects.get(pk=bonds.question.pk))
    discussion = ask(bonds.community, member, "Cement bond log folklore", kind="discussion")
    assert ROUTING_HEADING not in _thread_page(member, discussion)


def test_the_asker_is_never_suggested_to_themself(bonds: Bonds, routing_now: None, member: User, owner: User) -> None:
    theirs = ask(bonds.community, bonds.erin, "Cement bond log on a liner?", body="cement bond log liner")
    indexing.rebuild()
    html = _thread_page(bonds.erin, theirs)
    assert f'name="expert" value="{bonds.erin.pk}"' not in html


def _ask_url(thread: Thread) -> str:
    return f"/communities/{thread.community.slug}/threads/{thread.pk}/ask-expert/"


def test_asking_an_expert_records_a_request_once(bonds: Bonds, routing_now: None, member: User) -> None:
    client = client_for(member)
    first = client.post(_ask_url(bonds.question), {"expert": bonds.erin.pk})
    assert first.status_code == 302 and first["Location"] == bonds.question.get_absolute_url()
    second = client.post(_ask_url(bonds.question), {"expert": bonds.erin.pk}, follow=True)
    assert second.status_code == 200
    (request,) = ExpertRequest.objects.filter(thread=bonds.question)
    assert request.expert == bonds.erin and request.requested_by == member
    assert any("accepted answer" in reason for reason in request.reasons)
    assert "is asked to look at this question" in second.content.decode()
    assert '<span class="badge public">Asked</span>' in second.content.decode()


def test_a_coordinator_may_ask_an_expert_too(bonds: Bonds, owner: User) -> None:
    response = client_for(owner).post(_ask_url(bonds.question), {"expert": bonds.erin.pk})
    assert response.status_code == 302
    assert ExpertRequest.objects.filter(thread=bonds.question, expert=bonds.erin, requested_by=owner).exists()


@pytest.mark.parametrize("expert", ["99999999999999999999999", "²", "-3", ""])
def test_asking_someone_who_cannot_exist_is_404(bonds: Bonds, routing_now: None, member: User, expert: str) -> None:
    response = client_for(member).post(_ask_url(bonds.question), {"expert": expert})
    assert response.status_code == 404
    assert not ExpertRequest.objects.exists()


def test_other_members_may_not_ask_experts(bonds: Bonds) -> None:
    response = client_for(bonds.other).post(_ask_url(bonds.question), {"expert": bonds.erin.pk})
    assert response.status_code == 403
    assert not ExpertRequest.objects.exists()


def test_the_asker_cannot_be_asked_to_answer_their_own_question(bonds: Bonds, member: User) -> None:
    response = client_for(member).post(_ask_url(bonds.question), {"expert": member.pk}, follow=True)
    assert response.status_code == 200
    messages = [str(m) for m in get_messages(response.wsgi_request)] or [response.content.decode()]
    assert any("cannot be asked to answer their own question" in m for m in messages)
    assert not ExpertRequest.objects.exists()


def test_asking_someone_who_cannot_see_a_private_community_is_refused(
    private_community: Community, owner: User, member: User, outsider: User
) -> None:
    thread = ask(private_community, member, "Cement bond log in secret", body="cement bond log")
    response = client_for(member).post(_ask_url(thread), {"expert": outsider.pk}, follow=True)
    assert "This person cannot see the community." in response.content.decode()
    assert not ExpertRequest.objects.exists()


@pytest.mark.parametrize("expert", ["999999", "", "abc", "1.5", "²", "-3", "99999999999999999999999"])
def test_asking_an_unknown_expert_is_404(bonds: Bonds, member: User, expert: str) -> None:
    response = client_for(member).post(_ask_url(bonds.question), {"expert": expert})
    assert response.status_code == 404
    assert not ExpertRequest.objects.exists()


def test_asking_an_inactive_expert_is_404(bonds: Bonds, member: User) -> None:
    bonds.erin.is_active = False
    bonds.erin.save(update_fields=["is_active"])
    assert client_for(member).post(_ask_url(bonds.question), {"expert": bonds.erin.pk}).status_code == 404


def test_asking_experts_needs_a_signed_in_reader_and_a_post(
    private_community: Community, bonds: Bonds, owner: User, outsider: User, member: User
) -> None:
    anonymous = client_for(None).post(_ask_url(bonds.question), {"expert": bonds.erin.pk})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for(member).get(_ask_url(bonds.question)).status_code == 405
    secret = ask(private_community, member, "Cement bond log in secret", body="cement bond log")
    assert client_for(outsider).post(_ask_url(secret), {"expert": owner.pk}).status_code == 404
    assert not ExpertRequest.objects.exists()


def test_who_answers_lately_outranks_who_answered_much_long_ago(bonds: Bonds, owner: User, member: User) -> None:
    """Activity fades with a half-life of a month: ten answers half a year ago weigh less than two last week."""
    gone = person("gone", bonds.community)
    busy = person("busy", bonds.community)
    for n in range(10):
        post = answer(ask(bonds.community, owner, f"Helicopter rota {n}", body="Rotas."), gone, "Swap shifts.")
        Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(days=170))
    for n in range(2):
        answer(ask(bonds.community, owner, f"Crane permit {n}", body="Permits."), busy, "Ask the yard.")
    experts = find_experts(text="penguin migration", community=bonds.community, viewer=member, now=timezone.now())
    order = [e.user.username for e in experts]
    assert order.index("busy") < order.index("gone"), order
    busy_expert = next(e for e in experts if e.user.username == "busy")
    assert "active lately: 2 answers in the last 30 days" in busy_expert.reasons


def test_fit_to_the_question_lifts_an_equally_active_person(bonds: Bonds, owner: User, member: User) -> None:
    """erin and carl answer as often lately; erin's accepted answers on cement bond logs put her first for a
    cement bond log question, and nowhere special for another one."""
    for n in range(2):
        answer(ask(bonds.community, owner, f"Crane permit {n}", body="Permits."), bonds.carl, "Ask the yard.")
    indexing.rebuild()
    cement = [e.user.username for e in find_experts(text=QUESTION, community=bonds.community, viewer=member)]
    assert cement[0] == "erin", cement
    other = [e.user.username for e in find_experts(text="Crane permit renewal", community=bonds.community, viewer=member)]
    assert other[0] == "carl", other


def test_who_answered_the_subject_months_ago_comes_before_who_is_only_busy_lately(
    bonds: Bonds, owner: User, member: User, api: Api
) -> None:
    """A small community's case: erin's accepted answers on cement bond logs are eight months old, carl answered
    five other questions this week. For a cement bond log question erin comes first, carl after her in the group
    of people only active in the community — on the page, in the API and by score."""
    Post.objects.filter(author=bonds.erin).update(created_at=timezone.now() - dt.timedelta(days=240))
    for n in range(5):
        answer(ask(bonds.community, owner, f"Crane permit {n}", body="Permits."), bonds.carl, "Ask the yard.")
    indexing.rebuild()

    experts = find_experts(text=QUESTION, community=bonds.community, viewer=member)
    order = [e.user.username for e in experts]
    assert order.index("erin") < order.index("carl"), order
    erin, carl = experts[order.index("erin")], experts[order.index("carl")]
    assert erin.on_subject and not carl.on_subject
    assert erin.score >= 1 > carl.score

    rows = _experts(api, member, QUESTION, bonds.community.slug).json()
    assert [row["username"] for row in rows] == order
    assert [row["score"] for row in rows] == sorted((row["score"] for row in rows), reverse=True)
    assert [row["on_subject"] for row in rows] == [e.on_subject for e in experts]

    html = client_for(member).get("/experts/", {"q": QUESTION, "community": bonds.community.slug}).content.decode()
    heading = html.index("without evidence on this subject yet")
    assert html.index("/people/erin/") < heading < html.index("/people/carl/")


def test_the_who_knows_page_says_when_nobody_has_evidence_and_lists_who_is_around(bonds: Bonds, member: User) -> None:
    html = client_for(member).get("/experts/", {"q": "penguin migration", "community": bonds.community.slug}).content.decode()
    assert "Nobody has answered a similar question" in html
    assert html.index("without evidence on this subject yet") < html.index("/people/carl/")
