"""The discussions REST API (../shared/API.md) from every side: coordinator (``owner``), member, outsider and
anonymous; private communities answer 404 to those who may not read them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.discussions import services
from practica.discussions.models import (
    MAX_BODY_BYTES,
    Comment,
    Flag,
    Mention,
    ModerationAction,
    Post,
    Revision,
    Thread,
    Vote,
)
from practica.lib.testing.client import Api
from practica.lib.testing.content import make_reply, make_thread, opening_post
from practica.lib.testing.factories import CommunityFactory, MembershipFactory, UserFactory
from practica.lib.testing.queries import api_queries

pytestmark = pytest.mark.django_db


def _threads_url(community: Community) -> str:
    return f"/api/v1/communities/{community.slug}/threads/"


def _thread_url(thread: Thread | int, suffix: str = "") -> str:
    thread_id = thread if isinstance(thread, int) else thread.pk
    return f"/api/v1/threads/{thread_id}/{suffix}"


def _post_url(post: Post | int, suffix: str = "") -> str:
    post_id = post if isinstance(post, int) else post.pk
    return f"/api/v1/posts/{post_id}/{suffix}"


def _titles(response: Any) -> list[str]:
    return [row["title"] for row in response.json()["results"]]


def _new_thread(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "question",
        "title": "How long should a cement job cure?",
        "body": "We wait **24 hours**. Is that enough?",
        "tags": ["Well integrity"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def helper(community: Community) -> User:
    """A second member of the public community, who answers the member's questions."""
    person = UserFactory(username="helper")
    MembershipFactory(community=community, user=person, role=Role.MEMBER)
    return person


@pytest.fixture
def thread(community: Community, member: User) -> Thread:
    return make_thread(community=community, author=member, title="Which cement for deep wells?", tags=["Drilling"])


@pytest.fixture
def answer(thread: Thread, helper: User) -> Post:
    return make_reply(thread, helper, "Use class G cement.")


@pytest.fixture
def private_thread(private_community: Community, member: User) -> Thread:
    return make_thread(community=private_community, author=member, title="A confidential question")


@pytest.fixture
def private_answer(private_thread: Thread, owner: User) -> Post:
    return make_reply(private_thread, owner, "A confidential answer.")


# --- Thread list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["anonymous", "outsider", "member", "owner"])
def test_anyone_lists_the_threads_of_a_public_community(
    api: Api, request: pytest.FixtureRequest, thread: Thread, side: str
) -> None:
    api.as_user(None if side == "anonymous" else request.getfixturevalue(side))

    response = api.get(_threads_url(thread.community))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["title"] == "Which cement for deep wells?"
    assert row["community"] == "public-wells" and row["author"] == "member" and row["tags"] == ["drilling"]


@pytest.mark.parametrize("side", ["anonymous", "outsider"])
def test_private_thread_list_is_404_for_those_outside(
    api: Api, outsider: User, private_thread: Thread, side: str
) -> None:
    api.as_user(outsider if side == "outsider" else None)

    assert api.get(_threads_url(private_thread.community)).status_code == 404


def test_member_lists_the_threads_of_a_private_community(api: Api, member: User, private_thread: Thread) -> None:
    response = api.as_user(member).get(_threads_url(private_thread.community))

    assert response.status_code == 200
    assert _titles(response) == ["A confidential question"]


def test_members_only_thread_list_is_404_for_an_outsider(
    api: Api, outsider: User, member: User, members_only_community: Community
) -> None:
    make_thread(community=members_only_community, author=member)

    assert api.as_user(outsider).get(_threads_url(members_only_community)).status_code == 404
    assert api.as_user(member).get(_threads_url(members_only_community)).json()["count"] == 1


def test_thread_list_filters_by_kind_tag_status_mine_and_title(
    api: Api, community: Community, owner: User, member: User, helper: User
) -> None:
    solved = make_thread(community=community, author=member, title="Solved cement question", tags=["Drilling"])
    services.answer_accept(post=make_reply(solved, helper), actor=member)
    answered = make_thread(community=community, author=owner, title="Answered question")
    make_reply(answered, member)
    make_thread(community=community, author=owner, title="Open question", tags=["Well integrity"])
    make_thread(community=community, author=member, kind="idea", title="An idea about logging")
    api.as_user(member)

    def titles(**params: Any) -> set[str]:
        response = api.get(_threads_url(community), params)
        assert response.status_code == 200, response.json()
        return set(_titles(response))

    assert titles(kind="idea") == {"An idea about logging"}
    assert titles(tag="drilling") == {"Solved cement question"}
    assert titles(tag="Well integrity") == {"Open question"}
    assert titles(status="solved") == {"Solved cement question"}
    assert titles(status="unsolved") == {"Answered question", "Open question"}
    assert titles(status="unanswered") == {"Open question", "An idea about logging"}
    assert titles(mine="true") == {"Solved cement question", "An idea about logging"}
    assert titles(q="cement") == {"Solved cement question"}



def test_thread_list_refuses_a_tag_longer_than_a_topic_can_be_instead_of_cutting_it_short(
    api: Api, community: Community, member: User
) -> None:
    long_tag = "Well integrity " + "x" * 60  # 75 characters: its slug, cut at 64, would name another topic
    make_thread(community=community, author=member, title="Tagged", tags=["Well integrity"])

    response = api.as_user(member).get(_threads_url(community), {"tag": long_tag})

    assert response.status_code == 400
    assert "tag" in response.json()


def test_thread_list_sorts_by_newest_and_by_votes(
    api: Api, community: Community, owner: User, member: User, helper: User
) -> None:
    first = make_thread(community=community, author=member, title="First")
    make_thread(community=community, author=member, title="Second")
    services.vote_set(post=opening_post(first), user=helper)
    make_reply(first, helper)  # the oldest thread now has the latest activity
    api.as_user(owner)

    assert _titles(api.get(_threads_url(community), {"sort": "newest"})) == ["Second", "First"]
    assert _titles(api.get(_threads_url(community), {"sort": "votes"})) == ["First", "Second"]
    assert _titles(api.get(_threads_url(community), {"sort": "activity"})) == ["First", "Second"]


def test_thread_list_is_paginated(api: Api, community: Community, member: User) -> None:
    for _ in range(3):
        make_thread(community=community, author=member)

    response = api.get(_threads_url(community), {"page_size": 2})

    body = response.json()
    assert body["count"] == 3 and len(body["results"]) == 2
    assert body["next"] and body["previous"] is None
    assert len(api.get(body["next"]).json()["results"]) == 1


@pytest.mark.parametrize(
    "params", [{"kind": "poll"}, {"status": "closed"}, {"sort": "random"}, {"mine": "perhaps"}, {"q": "x" * 201}]
)
def test_a_bad_thread_list_filter_gives_400_not_500(
    api: Api, thread: Thread, params: dict[str, str]
) -> None:
    response = api.get(_threads_url(thread.community), params)

    assert response.status_code == 400
    assert set(params) <= set(response.json())


def test_hidden_thread_is_listed_for_coordinators_only(
    api: Api, owner: User, helper: User, thread: Thread
) -> None:
    services.thread_moderate(thread=thread, actor=owner, action="hide")

    assert api.as_user(owner).get(_threads_url(thread.community)).json()["count"] == 1
    assert api.as_user(helper).get(_threads_url(thread.community)).json()["count"] == 0
    assert api.as_user(None).get(_threads_url(thread.community)).json()["count"] == 0


# --- Starting a thread ----------------------------------------------------------------------------


def test_member_starts_a_question_and_gets_the_thread_back(api: Api, member: User, community: Community) -> None:
    response = api.as_user(member).post(_threads_url(community), _new_thread(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    thread = Thread.objects.get(pk=body["id"])
    assert (thread.title, thread.author, thread.community) == ("How long should a cement job cure?", member, community)
    assert body["kind"] == "question" and body["author"] == "member" and body["community"] == "public-wells"
    assert body["tags"] == ["well-integrity"]
    assert body["body"] == "We wait **24 hours**. Is that enough?"
    assert "<strong>24 hours</strong>" in body["body_html"]
    assert body["version"] == 1 and body["posts"] == [] and body["reply_count"] == 0
    assert body["is_solved"] is False and body["accepted_post"] is None


def test_tags_may_be_a_comma_separated_string(api: Api, member: User, community: Community) -> None:
    response = api.as_user(member).post(
        _threads_url(community), _new_thread(tags="Drilling, Well integrity"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["tags"] == ["drilling", "well-integrity"]


def test_coordinator_starts_an_idea_which_opens_with_status_open(
    api: Api, owner: User, community: Community
) -> None:
    response = api.as_user(owner).post(_threads_url(community), _new_thread(kind="idea"), format="json")

    assert response.status_code == 201
    assert response.json()["kind"] == "idea" and response.json()["idea_status"] == "open"


def test_outsider_gets_403_starting_a_thread_in_a_public_community(
    api: Api, outsider: User, community: Community
) -> None:
    response = api.as_user(outsider).post(_threads_url(community), _new_thread(), format="json")

    assert response.status_code == 403
    assert "Join this community" in response.json()["detail"]
    assert not Thread.objects.exists()


def test_anonymous_gets_401_starting_a_thread(api: Api, community: Community) -> None:
    assert api.post(_threads_url(community), _new_thread(), format="json").status_code == 401
    assert not Thread.objects.exists()


def test_outsider_gets_404_starting_a_thread_in_a_private_community(
    api: Api, outsider: User, private_community: Community
) -> None:
    response = api.as_user(outsider).post(_threads_url(private_community), _new_thread(), format="json")

    assert response.status_code == 404
    assert not Thread.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field", "words"),
    [
        ({"kind": "poll"}, "kind", "poll"),
        ({"kind": None}, "kind", "null"),
        ({"title": ""}, "title", "title"),
        ({"title": "x" * 201}, "title", "200 characters"),
        ({"body": ""}, "body", "empty"),
        ({"body": " \n\t \u00a0 "}, "body", "empty"),
        ({"body": "x" * (MAX_BODY_BYTES + 1)}, "body", "the limit is 65,536 bytes (64 KB)"),
        ({"body": ["a list"]}, "body", "valid string"),
        ({"tags": 7}, "tags", "list"),
        ({"tags": [1, 2]}, "tags", "list"),
        ({"tags": ["t" * 65]}, "tags", "64 characters"),
        ({"tags": ["Not a topic here"]}, "tags", "Not a topic of this community"),
    ],
)
def test_bad_thread_input_gives_400_with_the_field_and_writes_nothing(
    api: Api, member: User, community: Community, overrides: dict[str, Any], field: str, words: str
) -> None:
    response = api.as_user(member).post(_threads_url(community), _new_thread(**overrides), format="json")

    assert response.status_code == 400, response.json()
    assert words in " ".join(response.json()[field])
    assert not Thread.objects.exists() and not Post.objects.exists()


@pytest.mark.parametrize("field", ["title", "body"])
def test_a_nul_character_gives_400_and_writes_nothing(
    api: Api, member: User, community: Community, field: str
) -> None:
    response = api.as_user(member).post(_threads_url(community), _new_thread(**{field: "nul \x00 byte"}), format="json")

    assert response.status_code == 400
    assert not Thread.objects.exists()


@pytest.mark.parametrize("missing", ["kind", "title", "body"])
def test_a_missing_thread_field_gives_400(api: Api, member: User, community: Community, missing: str) -> None:
    payload = _new_thread()
    del payload[missing]

    response = api.as_user(member).post(_threads_url(community), payload, format="json")

    assert response.status_code == 400
    assert missing in response.json()
    assert not Thread.objects.exists()


@pytest.mark.parametrize("raw", ['{"kind": "question",', "[1, 2]", '"just a string"'])
def test_malformed_json_gives_400_not_500(api: Api, member: User, community: Community, raw: str) -> None:
    response = api.as_user(member).post(_threads_url(community), data=raw, content_type="application/json")

    assert response.status_code == 400
    assert not Thread.objects.exists()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=st.one_of(st.sampled_from(["question", "idea"]), _json), title=_json, body=_json, tags=_json)
def test_random_thread_input_gives_201_or_400_never_500(
    api: Api, member: User, community: Community, kind: Any, title: Any, body: Any, tags: Any
) -> None:
    payload = {"kind": kind, "title": title, "body": body, "tags": tags}
    # Each example runs in a savepoint rolled back at its end, so examples do not see each other.
    with transaction.atomic():
        before = Thread.objects.count()
        response = api.as_user(member).post(_threads_url(community), payload, format="json")
        after = Thread.objects.count()
        transaction.set_rollback(True)

    assert response.status_code in (201, 400), (response.status_code, payload)
    assert after == before + (1 if response.status_code == 201 else 0)


def test_a_body_of_exactly_64_kb_is_accepted(api: Api, member: User, community: Community) -> None:
    response = api.as_user(member).post(
        _threads_url(community), _new_thread(body="x" * MAX_BODY_BYTES), format="json"
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("Hi <script>alert('x')</script> there", "<script"),
        ("Hi <script>alert('x')</script> there", "alert("),
        ("<style>body { display: none }</style>Text", "<style"),
        ("<style>body { display: none }</style>Text", "display"),
        ('<iframe src="https://evil.example/"></iframe>Text', "<iframe"),
        ("[click me](javascript:alert(1))", 'href="javascript'),
        ("<javascript:alert(1)>", 'href="javascript'),
        ('<a href="javascript:alert(1)">click</a>', "javascript:"),
        ('<img src="x.png" onerror="alert(1)">', "onerror"),
        ('<p onclick="steal()">Text</p>', "onclick"),
        ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ],
)
def test_dangerous_markup_is_stripped_from_body_html(
    api: Api, member: User, community: Community, source: str, forbidden: str
) -> None:
    response = api.as_user(member).post(_threads_url(community), _new_thread(body=source), format="json")

    assert response.status_code == 201
    assert forbidden.lower() not in response.json()["body_html"].lower()
    assert response.json()["body"] == source  # the source is kept for editing


def test_links_get_nofollow_noopener(api: Api, member: User, community: Community) -> None:
    response = api.as_user(member).post(
        _threads_url(community), _new_thread(body="See [the guide](https://example.org/guide)."), format="json"
    )

    assert 'rel="nofollow noopener"' in response.json()["body_html"]


def test_mentioning_a_non_member_in_a_private_community_records_no_mention(
    api: Api, owner: User, member: User, outsider: User, private_community: Community
) -> None:
    response = api.as_user(member).post(
        _threads_url(private_community), _new_thread(body="Ask @outsider or @owner.", tags=[]), format="json"
    )

    assert response.status_code == 201
    assert set(Mention.objects.values_list("user__username", flat=True)) == {"owner"}
    html = response.json()["body_html"]
    assert 'href="/people/owner/"' in html and "/people/outsider/" not in html


# --- Thread detail --------------------------------------------------------------------------------


def test_thread_detail_has_the_documented_fields(
    api: Api, owner: User, member: User, helper: User, thread: Thread, answer: Post
) -> None:
    services.comment_create(post=answer, author=member, body="Which grade of G?")
    services.vote_set(post=answer, user=member)
    services.answer_accept(post=answer, actor=member)

    response = api.as_user(member).get(_thread_url(thread))

    assert response.status_code == 200
    body = response.json()
    assert {
        "id", "community", "kind", "title", "author", "tags", "created_at", "last_activity_at", "reply_count",
        "score", "is_solved", "accepted_post", "idea_status", "idea_status_reason", "duplicate_of", "is_locked",
        "is_pinned", "is_hidden", "is_deleted", "external_id", "body", "body_html", "version", "posts",
    } <= set(body)
    assert body["community"] == "public-wells" and body["tags"] == ["drilling"] and body["author"] == "member"
    assert body["is_solved"] is True and body["accepted_post"] == answer.pk and body["reply_count"] == 1
    assert body["duplicate_of"] is None and body["external_id"] == ""
    assert body["created_at"].endswith(("Z", "+00:00"))
    [post] = body["posts"]
    assert {
        "id", "author", "body", "body_html", "created_at", "edited_at", "version", "score", "upvotes", "downvotes",
        "is_accepted", "is_deleted", "external_id", "comments", "voted",
    } <= set(post)
    assert post["id"] == answer.pk and post["author"] == "helper" and post["body"] == "Use class G cement."
    assert post["is_accepted"] is True and post["voted"] is True and post["score"] == 1 and post["upvotes"] == 1
    [comment] = post["comments"]
    assert {"id", "author", "body", "body_html", "created_at", "external_id"} <= set(comment)
    assert comment["author"] == "member" and comment["body"] == "Which grade of G?"


def test_voted_is_true_only_for_the_person_who_voted(
    api: Api, owner: User, member: User, thread: Thread, answer: Post
) -> None:
    services.vote_set(post=answer, user=member)

    assert api.as_user(member).get(_thread_url(thread)).json()["posts"][0]["voted"] is True
    assert api.as_user(owner).get(_thread_url(thread)).json()["posts"][0]["voted"] is False
    assert api.as_user(None).get(_thread_url(thread)).json()["posts"][0]["voted"] is False


@pytest.mark.parametrize("side", ["anonymous", "outsider", "member", "owner"])
def test_anyone_reads_a_public_thread(
    api: Api, request: pytest.FixtureRequest, thread: Thread, answer: Post, side: str
) -> None:
    api.as_user(None if side == "anonymous" else request.getfixturevalue(side))

    response = api.get(_thread_url(thread))

    assert response.status_code == 200
    assert [p["id"] for p in response.json()["posts"]] == [answer.pk]


@pytest.mark.parametrize(
    ("method", "make_url", "payload"),
    [
        ("get", lambda t, p: _thread_url(t), None),
        ("patch", lambda t, p: _thread_url(t), {"title": "Leaked", "version": 1}),
        ("delete", lambda t, p: _thread_url(t), None),
        ("post", lambda t, p: _thread_url(t, "posts/"), {"body": "Let me in"}),
        ("get", lambda t, p: _post_url(p), None),
        ("patch", lambda t, p: _post_url(p), {"body": "Leaked", "version": 1}),
        ("get", lambda t, p: _post_url(p, "revisions/"), None),
        ("post", lambda t, p: _post_url(p, "vote/"), None),
        ("delete", lambda t, p: _post_url(p, "vote/"), None),
        ("post", lambda t, p: _post_url(p, "comments/"), {"body": "Hello"}),
        ("post", lambda t, p: _post_url(p, "accept/"), None),
        ("post", lambda t, p: _post_url(p, "flag/"), {"reason": "spam"}),
        ("post", lambda t, p: _thread_url(t, "moderate/"), {"action": "lock"}),
        ("post", lambda t, p: _thread_url(t, "status/"), {"status": "planned"}),
        ("post", lambda t, p: _thread_url(t, "duplicate/"), {"original": None}),
        ("post", lambda t, p: _thread_url(t, "move/"), {"community": "public-wells"}),
    ],
)
@pytest.mark.parametrize("side", ["anonymous", "outsider"])
def test_everything_in_a_private_community_is_404_for_those_outside(
    api: Api, outsider: User, private_thread: Thread, private_answer: Post, method: str, make_url: Any,
    payload: dict[str, Any] | None, side: str,
) -> None:
    api.as_user(outsider if side == "outsider" else None)
    before = (Post.objects.count(), Comment.objects.count(), Vote.objects.count(), Flag.objects.count())

    response = getattr(api, method)(make_url(private_thread, private_answer), payload, format="json")

    # Anonymous writes stop at authentication (401) before anything is looked up, so nothing leaks either.
    expected = 404 if side == "outsider" or method == "get" else 401
    assert response.status_code == expected
    if side == "outsider":
        assert "confidential" not in response.content.decode().lower()
    assert (Post.objects.count(), Comment.objects.count(), Vote.objects.count(), Flag.objects.count()) == before
    private_thread.refresh_from_db()
    assert private_thread.title == "A confidential question" and not private_thread.is_locked


def test_anonymous_gets_404_reading_a_private_thread(api: Api, private_thread: Thread, private_answer: Post) -> None:
    assert api.get(_thread_url(private_thread)).status_code == 404
    assert api.get(_post_url(private_answer)).status_code == 404


def test_outsider_gets_404_reading_a_members_only_thread(
    api: Api, outsider: User, member: User, members_only_community: Community
) -> None:
    thread = make_thread(community=members_only_community, author=member)

    assert api.as_user(outsider).get(_thread_url(thread)).status_code == 404
    assert api.as_user(None).get(_thread_url(thread)).status_code == 404
    assert api.as_user(member).get(_thread_url(thread)).status_code == 200


def test_member_reads_a_private_thread(api: Api, member: User, private_thread: Thread, private_answer: Post) -> None:
    response = api.as_user(member).get(_thread_url(private_thread))

    assert response.status_code == 200
    assert response.json()["posts"][0]["body"] == "A confidential answer."


@pytest.mark.parametrize("thread_id", [999999, 2**63, 10**30])
def test_unknown_or_huge_ids_give_404_not_500(api: Api, member: User, thread_id: int) -> None:
    api.as_user(member)

    assert api.get(_thread_url(thread_id)).status_code == 404
    assert api.post(_post_url(thread_id, "vote/")).status_code == 404


# --- Editing and deleting the opening post ---------------------------------------------------------


def test_author_edits_title_body_and_tags_and_a_revision_is_kept(
    api: Api, member: User, thread: Thread
) -> None:
    response = api.as_user(member).patch(
        _thread_url(thread),
        {"title": "Which cement for deep hot wells?", "body": "Above 150 °C.", "tags": ["Well integrity"],
         "version": 1, "note": "More precise"},
        format="json",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] == "Which cement for deep hot wells?" and body["body"] == "Above 150 °C."
    assert body["tags"] == ["well-integrity"] and body["version"] == 2
    revisions = api.get(_post_url(body["opening_post"], "revisions/")).json()["results"]
    assert [r["number"] for r in revisions] == [1, 2]
    assert set(revisions[1]) == {"number", "editor", "created_at", "title", "tags", "body", "note"}
    assert revisions[0]["title"] == "Which cement for deep wells?" and revisions[0]["tags"] == ["drilling"]
    assert revisions[1] == {**revisions[1], "editor": "member", "title": "Which cement for deep hot wells?",
                            "tags": ["well-integrity"], "body": "Above 150 °C.", "note": "More precise"}


def test_editing_only_the_title_keeps_the_body(api: Api, member: User, thread: Thread) -> None:
    before = opening_post(thread).body_source

    response = api.as_user(member).patch(_thread_url(thread), {"title": "New title", "version": 1}, format="json")

    assert response.status_code == 200
    assert response.json()["title"] == "New title" and response.json()["body"] == before


def test_an_edit_without_a_version_gives_400_and_changes_nothing(api: Api, member: User, thread: Thread) -> None:
    response = api.as_user(member).patch(_thread_url(thread), {"title": "No version"}, format="json")

    assert response.status_code == 400
    assert "version" in response.json()
    thread.refresh_from_db()
    assert thread.title == "Which cement for deep wells?"


def test_an_edit_conflict_gives_409_with_both_versions_and_overwrites_nothing(
    api: Api, owner: User, member: User, thread: Thread
) -> None:
    first = api.as_user(owner).patch(
        _thread_url(thread), {"body": "The coordinator's text.", "version": 1}, format="json"
    )
    assert first.status_code == 200

    second = api.as_user(member).patch(
        _thread_url(thread), {"title": "Member's title", "body": "The member's text.", "version": 1}, format="json"
    )

    assert second.status_code == 409
    body = second.json()
    assert body["current"] == {"version": 2, "title": "Which cement for deep wells?", "body": "The coordinator's text."}
    assert body["yours"]["body"] == "The member's text." and body["yours"]["title"] == "Member's title"
    assert "Someone else changed this post" in body["detail"]
    post = opening_post(thread)
    thread.refresh_from_db()
    assert (post.body_source, post.version, thread.title) == ("The coordinator's text.", 2, "Which cement for deep wells?")
    assert Revision.objects.filter(post=post).count() == 2


def test_another_member_gets_403_editing_a_thread_but_the_coordinator_may(
    api: Api, owner: User, helper: User, thread: Thread
) -> None:
    refused = api.as_user(helper).patch(_thread_url(thread), {"title": "Hijacked", "version": 1}, format="json")
    allowed = api.as_user(owner).patch(_thread_url(thread), {"title": "Tidied title", "version": 1}, format="json")

    assert refused.status_code == 403
    assert allowed.status_code == 200
    thread.refresh_from_db()
    assert thread.title == "Tidied title"


def test_an_edit_with_a_title_over_200_characters_gives_400(api: Api, member: User, thread: Thread) -> None:
    response = api.as_user(member).patch(_thread_url(thread), {"title": "t" * 201, "version": 1}, format="json")

    assert response.status_code == 400
    assert "200" in response.json()["title"][0]
    assert opening_post(thread).version == 1


def test_a_deleted_thread_is_404_to_everyone_its_author_and_coordinators_are_told_why_and_the_author_restores_it(
    api: Api, owner: User, member: User, helper: User, thread: Thread
) -> None:
    response = api.as_user(member).delete(_thread_url(thread))

    assert response.status_code == 204
    assert api.as_user(helper).get(_thread_url(thread)).json() == {"detail": "No such thread."}
    assert api.as_user(None).get(_thread_url(thread)).status_code == 404
    assert api.as_user(helper).get(_threads_url(thread.community)).json()["count"] == 0
    # Gone after DELETE for its author and the coordinators too (schemathesis' use-after-free check, [P12]
    # finding 15); they alone learn that it was deleted and may be restored.
    for viewer in (owner, member):
        seen = api.as_user(viewer).get(_thread_url(thread))
        assert seen.status_code == 404
        assert seen.json() == {"detail": "This thread was deleted; its author or a coordinator can restore it."}

    restored = api.as_user(member).post(_post_url(opening_post(thread), "restore/"))

    assert restored.status_code == 200 and restored.json()["is_deleted"] is False
    assert api.as_user(helper).get(_thread_url(thread)).status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("patch", ""), ("delete", ""), ("get", "related/"), ("get", "linked/"), ("post", "posts/"),
     ("post", "capture/"), ("post", "moderate/"), ("post", "status/"), ("post", "duplicate/"), ("post", "move/")],
)
def test_nothing_but_its_restore_reaches_a_deleted_thread_even_for_the_coordinator(
    api: Api, owner: User, thread: Thread, answer: Post, method: str, suffix: str
) -> None:
    assert api.as_user(owner).delete(_thread_url(thread)).status_code == 204
    before = Thread.objects.filter(pk=thread.pk).values().get()
    posts = list(Post.objects.values_list("id", "version", "deleted_at"))

    data = {"body": "Late", "title": "A new title", "version": 1, "action": "lock", "status": "done"}
    response = getattr(api.as_user(owner), method)(_thread_url(thread, suffix), data, format="json")

    assert response.status_code == 404
    assert Thread.objects.filter(pk=thread.pk).values().get() == before
    assert list(Post.objects.values_list("id", "version", "deleted_at")) == posts
    assert not thread.knowledge_captures.exists()


def test_another_member_gets_403_deleting_a_thread(api: Api, helper: User, thread: Thread) -> None:
    assert api.as_user(helper).delete(_thread_url(thread)).status_code == 403
    thread.refresh_from_db()
    assert thread.deleted_at is None


# --- Replies --------------------------------------------------------------------------------------


def test_member_replies_and_the_thread_counts_the_reply(
    api: Api, helper: User, thread: Thread
) -> None:
    response = api.as_user(helper).post(_thread_url(thread, "posts/"), {"body": "Try *class G*."}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == "helper" and body["body"] == "Try *class G*." and "<em>class G</em>" in body["body_html"]
    assert body["version"] == 1 and body["is_accepted"] is False and body["comments"] == [] and body["voted"] is False
    thread.refresh_from_db()
    assert thread.reply_count == 1 and thread.first_response_at is not None


def test_coordinator_replies(api: Api, owner: User, thread: Thread) -> None:
    assert api.as_user(owner).post(_thread_url(thread, "posts/"), {"body": "Welcome."}, format="json").status_code == 201


def test_outsider_gets_403_replying_in_a_public_community(api: Api, outsider: User, thread: Thread) -> None:
    response = api.as_user(outsider).post(_thread_url(thread, "posts/"), {"body": "Me too"}, format="json")

    assert response.status_code == 403
    assert "Join this community" in response.json()["detail"]
    assert Post.objects.filter(thread=thread).count() == 1


def test_anonymous_gets_401_replying(api: Api, thread: Thread) -> None:
    assert api.post(_thread_url(thread, "posts/"), {"body": "Me too"}, format="json").status_code == 401
    assert Post.objects.filter(thread=thread).count() == 1


def test_replying_to_a_locked_thread_gives_403_but_a_coordinator_may(
    api: Api, owner: User, helper: User, thread: Thread
) -> None:
    services.thread_moderate(thread=thread, actor=owner, action="lock")

    refused = api.as_user(helper).post(_thread_url(thread, "posts/"), {"body": "Late answer"}, format="json")
    allowed = api.as_user(owner).post(_thread_url(thread, "posts/"), {"body": "Closing note"}, format="json")

    assert refused.status_code == 403 and "locked" in refused.json()["detail"]
    assert allowed.status_code == 201
    assert list(Post.objects.filter(thread=thread, is_opening=False).values_list("body_source", flat=True)) == [
        "Closing note"
    ]


@pytest.mark.parametrize(
    ("payload", "words"),
    [
        ({"body": "   \n  "}, "empty"),
        ({"body": ""}, "empty"),
        ({}, "required"),
        ({"body": "é" * (MAX_BODY_BYTES // 2 + 1)}, "the limit is 65,536 bytes (64 KB)"),
    ],
)
def test_a_bad_reply_gives_400_and_writes_nothing(
    api: Api, helper: User, thread: Thread, payload: dict[str, Any], words: str
) -> None:
    response = api.as_user(helper).post(_thread_url(thread, "posts/"), payload, format="json")

    assert response.status_code == 400
    assert words in response.json()["body"][0]
    thread.refresh_from_db()
    assert thread.reply_count == 0 and Post.objects.filter(thread=thread).count() == 1


# --- Editing, deleting and restoring replies -------------------------------------------------------


def test_author_edits_a_reply_and_the_version_rises(api: Api, helper: User, answer: Post) -> None:
    response = api.as_user(helper).patch(
        _post_url(answer), {"body": "Use class H cement.", "version": 1, "note": "typo"}, format="json"
    )

    assert response.status_code == 200, response.json()
    assert response.json()["body"] == "Use class H cement." and response.json()["version"] == 2
    assert response.json()["edited_at"] is not None
    answer.refresh_from_db()
    assert answer.body_source == "Use class H cement."


def test_a_reply_edit_conflict_gives_409_and_keeps_the_first_edit(
    api: Api, owner: User, helper: User, answer: Post
) -> None:
    api.as_user(owner).patch(_post_url(answer), {"body": "Coordinator's fix.", "version": 1}, format="json")

    response = api.as_user(helper).patch(_post_url(answer), {"body": "Author's fix.", "version": 1}, format="json")

    assert response.status_code == 409
    assert response.json()["current"]["body"] == "Coordinator's fix." and response.json()["current"]["version"] == 2
    assert response.json()["yours"]["body"] == "Author's fix."
    answer.refresh_from_db()
    assert (answer.body_source, answer.version) == ("Coordinator's fix.", 2)


@pytest.mark.parametrize(
    "payload", [{"body": "No version"}, {"body": "Bad version", "version": "two"}, {"version": 1}]
)
def test_a_reply_edit_with_missing_or_bad_fields_gives_400(
    api: Api, helper: User, answer: Post, payload: dict[str, Any]
) -> None:
    response = api.as_user(helper).patch(_post_url(answer), payload, format="json")

    assert response.status_code == 400
    answer.refresh_from_db()
    assert answer.version == 1


def test_another_member_gets_403_editing_or_deleting_a_reply(api: Api, member: User, answer: Post) -> None:
    api.as_user(member)

    assert api.patch(_post_url(answer), {"body": "Mine now", "version": 1}, format="json").status_code == 403
    assert api.delete(_post_url(answer)).status_code == 403
    answer.refresh_from_db()
    assert answer.body_source == "Use class G cement." and answer.deleted_at is None


def test_author_deletes_and_restores_a_reply(api: Api, member: User, helper: User, thread: Thread, answer: Post) -> None:
    assert api.as_user(helper).delete(_post_url(answer)).status_code == 204
    thread.refresh_from_db()
    assert thread.reply_count == 0
    assert api.as_user(member).get(_thread_url(thread)).json()["posts"] == []
    assert api.get(_post_url(answer)).status_code == 404

    restored = api.as_user(helper).post(_post_url(answer, "restore/"))

    assert restored.status_code == 200 and restored.json()["is_deleted"] is False
    thread.refresh_from_db()
    assert thread.reply_count == 1


@pytest.mark.parametrize(
    ("method", "suffix"),
    [("get", ""), ("patch", ""), ("delete", ""), ("get", "revisions/"), ("post", "comments/"), ("post", "vote/"),
     ("delete", "vote/"), ("post", "accept/"), ("post", "flag/")],
)
@pytest.mark.parametrize("side", ["helper", "owner"])
def test_a_deleted_reply_is_404_even_to_its_author_and_the_coordinator_who_are_told_why(
    api: Api, request: pytest.FixtureRequest, helper: User, answer: Post, method: str, suffix: str, side: str
) -> None:
    assert api.as_user(helper).delete(_post_url(answer)).status_code == 204
    before = Post.objects.filter(pk=answer.pk).values().get()

    data = {"body": "Late", "version": 1, "reason": "spam"}
    response = getattr(api.as_user(request.getfixturevalue(side)), method)(_post_url(answer, suffix), data, format="json")

    # What schemathesis' use-after-free check asks after a DELETE ([P12] finding 15).
    assert response.status_code == 404
    assert response.json() == {"detail": "This post was deleted; its author or a coordinator can restore it."}
    assert Post.objects.filter(pk=answer.pk).values().get() == before
    assert not Comment.objects.exists() and not Vote.objects.exists() and not Flag.objects.exists()


def test_a_deleted_reply_is_the_same_404_as_a_missing_one_to_other_members(
    api: Api, member: User, helper: User, answer: Post
) -> None:
    services.post_delete(post=answer, actor=helper)

    assert api.as_user(member).get(_post_url(answer)).json() == api.get(_post_url(999_999)).json() == {
        "detail": "No such post."
    }
    assert api.as_user(member).post(_post_url(answer, "restore/")).status_code == 404


def test_a_flag_on_a_reply_deleted_since_is_still_resolved(
    api: Api, owner: User, member: User, helper: User, answer: Post
) -> None:
    flag = services.flag_create(post=answer, reporter=member, reason="spam")
    services.post_delete(post=answer, actor=helper)

    response = api.as_user(owner).post(f"/api/v1/flags/{flag.pk}/resolve/", {}, format="json")

    assert response.status_code == 200 and response.json()["resolution"] == "dismissed"
    assert Post.objects.get(pk=answer.pk).is_deleted


def test_coordinator_sees_a_deleted_reply_marked_as_deleted(
    api: Api, owner: User, helper: User, thread: Thread, answer: Post
) -> None:
    services.post_delete(post=answer, actor=helper)

    posts = api.as_user(owner).get(_thread_url(thread)).json()["posts"]

    assert [(p["id"], p["is_deleted"]) for p in posts] == [(answer.pk, True)]


# --- Comments -------------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["member", "owner"])
def test_members_and_coordinators_comment_on_a_reply(
    api: Api, request: pytest.FixtureRequest, answer: Post, side: str
) -> None:
    response = api.as_user(request.getfixturevalue(side)).post(
        _post_url(answer, "comments/"), {"body": "Which **grade**?"}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["author"] == side and body["body"] == "Which **grade**?" and "<strong>grade</strong>" in body["body_html"]
    assert {"id", "created_at", "external_id"} <= set(body)
    assert Comment.objects.filter(post=answer).count() == 1


def test_comments_on_the_opening_post_show_on_the_thread(api: Api, helper: User, thread: Thread) -> None:
    api.as_user(helper).post(_post_url(opening_post(thread), "comments/"), {"body": "How deep?"}, format="json")

    assert [c["body"] for c in api.get(_thread_url(thread)).json()["comments"]] == ["How deep?"]


def test_outsider_gets_403_and_anonymous_401_commenting(api: Api, outsider: User, answer: Post) -> None:
    assert api.as_user(outsider).post(_post_url(answer, "comments/"), {"body": "Hi"}, format="json").status_code == 403
    assert api.as_user(None).post(_post_url(answer, "comments/"), {"body": "Hi"}, format="json").status_code == 401
    assert not Comment.objects.exists()


@pytest.mark.parametrize(("body", "words"), [("   ", "empty"), ("c" * 1001, "1000 characters")])
def test_a_bad_comment_gives_400(api: Api, member: User, answer: Post, body: str, words: str) -> None:
    response = api.as_user(member).post(_post_url(answer, "comments/"), {"body": body}, format="json")

    assert response.status_code == 400
    assert words in response.json()["body"][0]
    assert not Comment.objects.exists()


def test_commenting_in_a_locked_thread_gives_403(
    api: Api, owner: User, member: User, thread: Thread, answer: Post
) -> None:
    services.thread_moderate(thread=thread, actor=owner, action="lock")

    response = api.as_user(member).post(_post_url(answer, "comments/"), {"body": "Hi"}, format="json")

    assert response.status_code == 403
    assert not Comment.objects.exists()


# --- Votes ----------------------------------------------------------------------------------------


def test_voting_twice_is_idempotent(api: Api, member: User, answer: Post) -> None:
    api.as_user(member)

    first = api.post(_post_url(answer, "vote/"))
    second = api.post(_post_url(answer, "vote/"))

    assert first.status_code == second.status_code == 200
    assert first.json() == second.json() == {"post": answer.pk, "score": 1, "upvotes": 1, "voted": True}
    assert Vote.objects.filter(post=answer).count() == 1


def test_undoing_a_vote_twice_is_idempotent(api: Api, member: User, answer: Post) -> None:
    api.as_user(member).post(_post_url(answer, "vote/"))

    first = api.delete(_post_url(answer, "vote/"))
    second = api.delete(_post_url(answer, "vote/"))

    assert first.json() == second.json() == {"post": answer.pk, "score": 0, "upvotes": 0, "voted": False}
    assert not Vote.objects.exists()


def test_voting_on_ones_own_post_gives_403_with_a_message(api: Api, helper: User, answer: Post) -> None:
    response = api.as_user(helper).post(_post_url(answer, "vote/"))

    assert response.status_code == 403
    assert response.json()["detail"] == "You cannot vote on your own post."
    answer.refresh_from_db()
    assert answer.upvotes == 0 and not Vote.objects.exists()


def test_coordinator_votes_but_outsider_gets_403_and_anonymous_401(
    api: Api, owner: User, outsider: User, answer: Post
) -> None:
    assert api.as_user(owner).post(_post_url(answer, "vote/")).status_code == 200
    assert api.as_user(outsider).post(_post_url(answer, "vote/")).status_code == 403
    assert api.as_user(None).post(_post_url(answer, "vote/")).status_code == 401
    assert list(Vote.objects.values_list("user__username", flat=True)) == ["owner"]


def test_voting_on_the_opening_post_raises_the_thread_score(api: Api, helper: User, thread: Thread) -> None:
    response = api.as_user(helper).post(_post_url(opening_post(thread), "vote/"))

    assert response.json()["score"] == 1
    detail = api.get(_thread_url(thread)).json()
    assert detail["score"] == 1 and detail["voted"] is True


# --- Accepted answers -----------------------------------------------------------------------------


def test_asker_accepts_an_answer_and_the_thread_shows_solved(
    api: Api, member: User, thread: Thread, answer: Post
) -> None:
    response = api.as_user(member).post(_post_url(answer, "accept/"))

    assert response.status_code == 200
    assert response.json()["id"] == thread.pk
    assert response.json()["is_solved"] is True and response.json()["accepted_post"] == answer.pk
    assert api.get(_threads_url(thread.community), {"status": "solved"}).json()["count"] == 1

    undone = api.delete(_post_url(answer, "accept/"))

    assert undone.status_code == 200 and undone.json()["is_solved"] is False
    thread.refresh_from_db()
    assert thread.accepted_post is None


def test_asker_changes_the_accepted_answer(
    api: Api, owner: User, member: User, thread: Thread, answer: Post
) -> None:
    better = make_reply(thread, owner, "Class H is better.")
    api.as_user(member).post(_post_url(answer, "accept/"))

    response = api.post(_post_url(better, "accept/"))

    assert response.json()["accepted_post"] == better.pk
    posts = api.get(_thread_url(thread)).json()["posts"]
    assert [(p["id"], p["is_accepted"]) for p in posts] == [(better.pk, True), (answer.pk, False)]


def test_accepting_in_someone_elses_question_gives_403(
    api: Api, helper: User, thread: Thread, answer: Post
) -> None:
    # The person who answered cannot accept their own answer in the member's question.
    response = api.as_user(helper).post(_post_url(answer, "accept/"))

    assert response.status_code == 403
    assert "Only the person who asked or a coordinator" in response.json()["detail"]
    thread.refresh_from_db()
    assert thread.accepted_post is None


def test_coordinator_accepts_in_any_question(api: Api, owner: User, thread: Thread, answer: Post) -> None:
    assert api.as_user(owner).post(_post_url(answer, "accept/")).status_code == 200
    thread.refresh_from_db()
    assert thread.accepted_post == answer


def test_outsider_gets_403_and_anonymous_401_accepting(
    api: Api, outsider: User, thread: Thread, answer: Post
) -> None:
    assert api.as_user(outsider).post(_post_url(answer, "accept/")).status_code == 403
    assert api.as_user(None).post(_post_url(answer, "accept/")).status_code == 401
    thread.refresh_from_db()
    assert thread.accepted_post is None


def test_accepting_in_a_discussion_or_the_question_itself_gives_400(
    api: Api, community: Community, member: User, helper: User, thread: Thread
) -> None:
    discussion = make_thread(community=community, author=member, kind="discussion")
    reply = make_reply(discussion, helper)
    api.as_user(member)

    assert api.post(_post_url(reply, "accept/")).status_code == 400
    assert api.post(_post_url(opening_post(thread), "accept/")).status_code == 400
    assert not Thread.objects.filter(accepted_post__isnull=False).exists()


# --- Flags ----------------------------------------------------------------------------------------


def test_member_flags_a_post_and_the_coordinator_hides_it_from_the_queue(
    api: Api, owner: User, member: User, thread: Thread, answer: Post
) -> None:
    flagged = api.as_user(member).post(
        _post_url(answer, "flag/"), {"reason": "offensive", "details": "Rude"}, format="json"
    )
    assert flagged.status_code == 201, flagged.json()
    assert flagged.json()["reason"] == "offensive" and flagged.json()["post"] == answer.pk

    queue = api.as_user(owner).get(f"/api/v1/communities/{thread.community.slug}/flags/")
    assert queue.status_code == 200
    [item] = queue.json()["results"]
    assert (item["post"], item["reporter"], item["details"]) == (answer.pk, "member", "Rude")

    resolved = api.post(f"/api/v1/flags/{item['id']}/resolve/", {"hide": True}, format="json")

    assert resolved.status_code == 200 and resolved.json()["resolution"] == "hidden"
    answer.refresh_from_db()
    assert answer.is_hidden
    assert api.get(f"/api/v1/communities/{thread.community.slug}/flags/").json()["count"] == 0
    assert api.as_user(member).get(_thread_url(thread)).json()["posts"] == []


def test_a_hidden_reply_is_404_for_members_but_the_coordinator_still_reads_it(
    api: Api, owner: User, member: User, helper: User, answer: Post
) -> None:
    services.post_set_hidden(post=answer, actor=owner, hidden=True)

    for person in (member, helper):
        api.as_user(person)
        assert api.get(_post_url(answer)).status_code == 404
        assert api.post(_post_url(answer, "comments/"), {"body": "Hi"}, format="json").status_code == 404
    assert api.as_user(member).post(_post_url(answer, "vote/")).status_code == 404
    assert api.as_user(owner).get(_post_url(answer)).json()["is_hidden"] is True
    assert not Comment.objects.exists() and not Vote.objects.exists()


def test_coordinator_dismisses_a_flag_and_the_post_stays(api: Api, owner: User, member: User, answer: Post) -> None:
    flag = services.flag_create(post=answer, reporter=member, reason="spam")

    response = api.as_user(owner).post(f"/api/v1/flags/{flag.pk}/resolve/", {}, format="json")

    assert response.status_code == 200 and response.json()["resolution"] == "dismissed"
    answer.refresh_from_db()
    assert not answer.is_hidden


def test_outsider_gets_403_and_anonymous_401_flagging(api: Api, outsider: User, answer: Post) -> None:
    assert api.as_user(outsider).post(_post_url(answer, "flag/"), {"reason": "spam"}, format="json").status_code == 403
    assert api.as_user(None).post(_post_url(answer, "flag/"), {"reason": "spam"}, format="json").status_code == 401
    assert not Flag.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"), [({"reason": "boring"}, "reason"), ({}, "reason"), ({"reason": "other"}, "details")]
)
def test_a_bad_flag_gives_400(api: Api, member: User, answer: Post, payload: dict[str, Any], field: str) -> None:
    response = api.as_user(member).post(_post_url(answer, "flag/"), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Flag.objects.exists()


def test_member_cannot_see_the_flag_queue_or_resolve_a_flag(
    api: Api, member: User, helper: User, answer: Post
) -> None:
    flag = services.flag_create(post=answer, reporter=member, reason="spam")
    api.as_user(helper)

    assert api.get(f"/api/v1/communities/{answer.thread.community.slug}/flags/").status_code == 403
    assert api.post(f"/api/v1/flags/{flag.pk}/resolve/", {"hide": True}, format="json").status_code == 403
    flag.refresh_from_db()
    answer.refresh_from_db()
    assert flag.resolved_at is None and not answer.is_hidden


def test_outsider_gets_404_on_the_flags_of_a_private_community(
    api: Api, member: User, outsider: User, private_answer: Post
) -> None:
    flag = services.flag_create(post=private_answer, reporter=member, reason="spam")
    api.as_user(outsider)

    assert api.get(f"/api/v1/communities/{private_answer.thread.community.slug}/flags/").status_code == 404
    assert api.post(f"/api/v1/flags/{flag.pk}/resolve/", {"hide": True}, format="json").status_code == 404
    flag.refresh_from_db()
    assert flag.resolved_at is None


# --- Moderation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [("lock", "is_locked", True), ("pin", "is_pinned", True), ("hide", "is_hidden", True)],
)
def test_coordinator_moderates_a_thread_and_can_undo_it(
    api: Api, owner: User, thread: Thread, action: str, field: str, value: bool
) -> None:
    done = api.as_user(owner).post(_thread_url(thread, "moderate/"), {"action": action}, format="json")

    assert done.status_code == 200 and done.json()[field] is value
    thread.refresh_from_db()
    assert getattr(thread, field) is value
    assert ModerationAction.objects.filter(thread=thread, action=action, actor=owner).exists()

    undone = api.post(_thread_url(thread, "moderate/"), {"action": f"un{action}"}, format="json")

    assert undone.json()[field] is not value


@pytest.mark.parametrize(
    ("suffix", "payload"),
    [
        ("moderate/", {"action": "lock"}),
        ("status/", {"status": "planned"}),
        ("duplicate/", {"original": None}),
        ("move/", {"community": "other-wells"}),
    ],
)
@pytest.mark.parametrize("side", ["member", "outsider"])
def test_members_and_outsiders_get_403_on_moderation(
    api: Api, request: pytest.FixtureRequest, owner: User, community: Community, side: str, suffix: str,
    payload: dict[str, Any],
) -> None:
    CommunityFactory(creator=owner, name="Other wells", slug="other-wells")
    idea = make_thread(community=community, author=owner, kind="idea")

    response = api.as_user(request.getfixturevalue(side)).post(_thread_url(idea, suffix), payload, format="json")

    assert response.status_code == 403
    idea.refresh_from_db()
    assert (idea.is_locked, idea.idea_status, idea.community) == (False, "open", community)
    assert not ModerationAction.objects.exists()


def test_anonymous_gets_401_on_moderation(api: Api, thread: Thread) -> None:
    assert api.post(_thread_url(thread, "moderate/"), {"action": "lock"}, format="json").status_code == 401


@pytest.mark.parametrize("payload", [{"action": "explode"}, {}, {"action": ["lock"]}])
def test_an_unknown_moderation_action_gives_400(
    api: Api, owner: User, thread: Thread, payload: dict[str, Any]
) -> None:
    response = api.as_user(owner).post(_thread_url(thread, "moderate/"), payload, format="json")

    assert response.status_code == 400 and "action" in response.json()


def test_coordinator_moves_a_thread_to_another_community_they_coordinate(
    api: Api, owner: User, thread: Thread
) -> None:
    target = CommunityFactory(creator=owner, name="Other wells", slug="other-wells")

    response = api.as_user(owner).post(_thread_url(thread, "move/"), {"community": "other-wells"}, format="json")

    assert response.status_code == 200 and response.json()["community"] == "other-wells"
    thread.refresh_from_db()
    assert thread.community == target
    assert "drilling" in set(target.topics.values_list("slug", flat=True))


@pytest.mark.parametrize("slug", ["not-coordinated", "no-such-community", "public-wells"])
def test_moving_to_a_community_one_does_not_coordinate_gives_400(
    api: Api, owner: User, outsider: User, thread: Thread, slug: str
) -> None:
    CommunityFactory(creator=outsider, name="Not coordinated", slug="not-coordinated")

    response = api.as_user(owner).post(_thread_url(thread, "move/"), {"community": slug}, format="json")

    assert response.status_code == 400 and "community" in response.json()
    thread.refresh_from_db()
    assert thread.community.slug == "public-wells"


def test_coordinator_marks_a_duplicate_and_clears_it(
    api: Api, owner: User, member: User, community: Community, thread: Thread
) -> None:
    original = make_thread(community=community, author=owner, title="The original")
    api.as_user(owner)

    marked = api.post(_thread_url(thread, "duplicate/"), {"original": original.pk}, format="json")
    assert marked.status_code == 200 and marked.json()["duplicate_of"] == original.pk
    assert api.get(_thread_url(thread)).json()["duplicate_of"] == original.pk

    cleared = api.post(_thread_url(thread, "duplicate/"), {"original": None}, format="json")
    assert cleared.status_code == 200 and cleared.json()["duplicate_of"] is None


@pytest.mark.parametrize("original", ["self", "private", 999999, "text", "missing"])
def test_a_bad_duplicate_original_gives_400(
    api: Api, owner: User, outsider: User, thread: Thread, original: Any
) -> None:
    secret = CommunityFactory(creator=outsider, name="Secret", slug="secret", visibility="private")
    hidden = make_thread(community=secret, author=outsider)
    values = {"self": thread.pk, "private": hidden.pk}
    payload = {} if original == "missing" else {"original": values.get(original, original)}

    response = api.as_user(owner).post(_thread_url(thread, "duplicate/"), payload, format="json")

    assert response.status_code == 400 and "original" in response.json()
    thread.refresh_from_db()
    assert thread.duplicate_of is None


def test_coordinator_sets_an_ideas_status_with_a_reason(
    api: Api, owner: User, member: User, community: Community
) -> None:
    idea = make_thread(community=community, author=member, kind="idea")

    response = api.as_user(owner).post(
        _thread_url(idea, "status/"), {"status": "planned", "reason": "Next quarter"}, format="json"
    )

    assert response.status_code == 200
    assert (response.json()["idea_status"], response.json()["idea_status_reason"]) == ("planned", "Next quarter")


@pytest.mark.parametrize("payload", [{"status": "someday"}, {}, {"status": "planned", "reason": "r" * 501}])
def test_a_bad_idea_status_gives_400(
    api: Api, owner: User, member: User, community: Community, payload: dict[str, Any]
) -> None:
    idea = make_thread(community=community, author=member, kind="idea")

    response = api.as_user(owner).post(_thread_url(idea, "status/"), payload, format="json")

    assert response.status_code == 400
    idea.refresh_from_db()
    assert idea.idea_status == "open"


def test_a_question_has_no_idea_status(api: Api, owner: User, thread: Thread) -> None:
    response = api.as_user(owner).post(_thread_url(thread, "status/"), {"status": "planned"}, format="json")

    assert response.status_code == 400 and "status" in response.json()


# --- The unheard queue ----------------------------------------------------------------------------


def _unheard_url(community: Community) -> str:
    return f"/api/v1/communities/{community.slug}/unheard/"


@pytest.mark.parametrize(
    ("side", "expected"), [("owner", 200), ("core", 200), ("member", 403), ("outsider", 403), ("anonymous", 401)]
)
def test_unheard_queue_is_for_coordinators_and_core_members(
    api: Api, request: pytest.FixtureRequest, community: Community, thread: Thread, side: str, expected: int
) -> None:
    if side == "core":
        user: User | None = UserFactory(username="core")
        MembershipFactory(community=community, user=user, role=Role.CORE)
    else:
        user = None if side == "anonymous" else request.getfixturevalue(side)

    response = api.as_user(user).get(_unheard_url(community))

    assert response.status_code == expected
    if expected == 200:
        assert [t["id"] for t in response.json()["results"]] == [thread.pk]


def test_outsider_gets_404_on_the_unheard_queue_of_a_private_community(
    api: Api, outsider: User, private_thread: Thread
) -> None:
    assert api.as_user(outsider).get(_unheard_url(private_thread.community)).status_code == 404


def test_an_unanswered_question_leaves_the_queue_when_someone_else_answers_but_not_on_a_self_reply(
    api: Api, owner: User, member: User, helper: User, community: Community, thread: Thread
) -> None:
    api.as_user(owner)

    def queued() -> list[int]:
        return [t["id"] for t in api.get(_unheard_url(community)).json()["results"]]

    assert queued() == [thread.pk]
    make_reply(thread, member, "Bumping my own question.")
    assert queued() == [thread.pk]
    make_reply(thread, helper, "Here is an answer.")
    assert queued() == []


def test_unheard_queue_is_oldest_first_with_age_and_newcomer_flag(
    api: Api, owner: User, member: User, community: Community
) -> None:
    first = make_thread(community=community, author=member, title="My first question")
    second = make_thread(community=community, author=member, kind="discussion", title="My second thread")
    Thread.objects.filter(pk=first.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    Thread.objects.filter(pk=second.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))

    rows = api.as_user(owner).get(_unheard_url(community)).json()["results"]

    assert [(r["id"], r["author_is_newcomer"]) for r in rows] == [(first.pk, True), (second.pk, False)]
    assert 7190 <= rows[0]["age_seconds"] <= 7260
    assert 3590 <= rows[1]["age_seconds"] <= 3660


# --- Query counts ---------------------------------------------------------------------------------


def _count_queries(api: Api, url: str) -> int:
    response, sqls = api_queries(api, url)
    assert response.status_code == 200
    return len(sqls)


def test_thread_list_costs_the_same_queries_for_5_and_50_threads(
    api: Api, owner: User, member: User, community: Community
) -> None:
    for _ in range(5):
        make_thread(community=community, author=member, tags=["Drilling", "Well integrity"])
    api.as_user(member)
    url = _threads_url(community) + "?page_size=100"
    few = _count_queries(api, url)

    for _ in range(45):
        make_thread(community=community, author=owner, tags=["Drilling", "Well integrity"])
    many = _count_queries(api, url)

    assert api.get(url).json()["count"] == 50
    # The community, the caller's membership, the page count, the threads with authors, their tags.
    assert few == many == 6, (few, many)


def test_thread_detail_costs_the_same_queries_for_5_and_200_replies(
    api: Api, owner: User, member: User, helper: User, thread: Thread
) -> None:
    def add_replies(n: int) -> None:
        for i in range(n):
            post = make_reply(thread, helper, f"Answer {i} to @member")
            services.comment_create(post=post, author=member, body=f"Thanks for answer {i}")
            services.vote_set(post=post, user=member)

    add_replies(5)
    api.as_user(member)
    few = _count_queries(api, _thread_url(thread))

    add_replies(195)
    many = _count_queries(api, _thread_url(thread))

    detail = api.get(_thread_url(thread)).json()
    assert len(detail["posts"]) == 200 and all(p["voted"] and p["comments"] for p in detail["posts"])
    # The thread with community and author, the caller's membership, the posts with authors, their comments
    # (one query for the opening post and the replies), the caller's votes, the thread's tags.
    assert few == many == 7, (few, many)


# --- Schema ---------------------------------------------------------------------------------------


def test_schema_describes_the_discussion_endpoints(api: Api) -> None:
    response = api.get("/api/v1/schema/")

    assert response.status_code == 200
    schema = response.content.decode()
    for path in (
        "/api/v1/communities/{slug}/threads/",
        "/api/v1/threads/{thread_id}/",
        "/api/v1/posts/{post_id}/vote/",
        "/api/v1/posts/{post_id}/accept/",
        "/api/v1/communities/{slug}/unheard/",
        "/api/v1/flags/{flag_id}/resolve/",
    ):
        assert f"{path}:" in schema, path
