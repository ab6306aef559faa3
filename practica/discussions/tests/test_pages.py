"""The thread pages, seen from every side: the coordinator (``owner``), a ``member``, an ``outsider`` and the
anonymous visitor; and what they cost in SQL queries whatever the number of rows.

The services have their own tests; these check what a person sees, what each page lets them do, and that a
refused request changes nothing.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.discussions import services
from practica.discussions.models import (
    MAX_BODY_BYTES,
    Comment,
    Flag,
    IdeaStatus,
    ModerationAction,
    Post,
    Revision,
    Thread,
    ThreadKind,
    Vote,
)
from practica.lib.testing.client import field_errors, page_client, page_html
from practica.lib.testing.content import ago, answer, ask, fresh, join, opening, person
from practica.lib.testing.factories import CommunityFactory, UserFactory
from practica.lib.testing.queries import page_queries
from practica.topics.services import topics_get_or_create

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# --- Helpers --------------------------------------------------------------------------------------


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _flashed(client: Client) -> list[str]:
    """Messages waiting for the next page (after a redirect)."""
    return _messages(client.get("/"))


def _rows() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Thread, Post, Revision, Comment, Vote, Flag, ModerationAction)
    }


def _thread_url(thread: Thread, page: str = "") -> str:
    return f"/communities/{thread.community.slug}/threads/{thread.pk}/{page + '/' if page else ''}"


def _post_url(post: Post, page: str) -> str:
    return f"/posts/{post.pk}/{page}/"


@pytest.fixture
def helper(community: Community, private_community: Community) -> User:
    """An ordinary member of the public and the private community who answers questions."""
    user = person("helper", community)
    join(private_community, user)
    return user


@pytest.fixture
def question(community: Community, member: User) -> Thread:
    return ask(community, member, "Which packer for HPHT wells?", tags=["Well integrity"])


@pytest.fixture
def private_question(private_community: Community, member: User) -> Thread:
    return ask(private_community, member, "Confidential casing failure", tags=["Drilling"])


# --- Thread list ----------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["owner", "member", "outsider", None])
def test_thread_list_of_a_public_community_shows_its_threads_to_everyone(
    side: str | None, question: Thread, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(side) if side else None

    response = page_client(user).get("/communities/public-wells/threads/")

    assert response.status_code == 200
    assert "Which packer for HPHT wells?" in page_html(response)
    assert 'class="thread-list"' in page_html(response)


@pytest.mark.parametrize("side", ["outsider", None])
def test_thread_list_of_a_private_community_is_404_to_outsiders(side: str | None, private_question: Thread,
                                                                request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(side) if side else None

    response = page_client(user).get("/communities/private-wells/threads/")

    assert response.status_code == 404
    assert "Confidential" not in page_html(response)


def test_thread_list_of_a_private_community_shows_its_threads_to_members(private_question: Thread,
                                                                         member: User) -> None:
    assert "Confidential casing failure" in page_html(page_client(member).get("/communities/private-wells/threads/"))


def test_thread_list_shows_the_unheard_count_to_the_coordinator_only(question: Thread, owner: User,
                                                                      member: User) -> None:
    assert "1 thread still waits for a first reply" in page_html(page_client(owner).get("/communities/public-wells/threads/"))
    assert "first reply" not in page_html(page_client(member).get("/communities/public-wells/threads/"))


def test_thread_list_filters_from_the_query_string(question: Thread, community: Community, member: User,
                                                   helper: User) -> None:
    ask(community, helper, "Drilling discussion", kind=ThreadKind.DISCUSSION, tags=["Drilling"])

    html = page_html(page_client(member).get("/communities/public-wells/threads/?kind=discussion"))
    assert "Drilling discussion" in html and "Which packer" not in html
    html = page_html(page_client(member).get("/communities/public-wells/threads/?tag=well-integrity"))
    assert "Which packer" in html and "Drilling discussion" not in html
    html = page_html(page_client(member).get("/communities/public-wells/threads/?mine=on"))
    assert "Which packer" in html and "Drilling discussion" not in html


def test_thread_list_finds_a_tag_by_its_name_as_the_api_does(question: Thread, community: Community, member: User,
                                                             helper: User) -> None:
    ask(community, helper, "Drilling discussion", kind=ThreadKind.DISCUSSION, tags=["Drilling"])

    html = page_html(page_client(member).get("/communities/public-wells/threads/?tag=Well+integrity"))

    assert "Which packer" in html and "Drilling discussion" not in html
    assert '<option value="well-integrity" selected>' in html


def test_thread_list_reads_mine_as_the_api_does(question: Thread, member: User, helper: User) -> None:
    assert "Which packer" in page_html(page_client(member).get("/communities/public-wells/threads/?mine=true"))
    assert "Which packer" not in page_html(page_client(helper).get("/communities/public-wells/threads/?mine=true"))
    assert "Which packer" in page_html(page_client(helper).get("/communities/public-wells/threads/?mine=0"))


def test_thread_list_for_htmx_returns_only_the_results(question: Thread, member: User) -> None:
    response = page_client(member).get("/communities/public-wells/threads/?status=unanswered", **HTMX)

    html = page_html(response)
    assert response.status_code == 200
    assert "Which packer for HPHT wells?" in html
    assert "<html" not in html and 'role="search"' not in html
    assert "1 thread" in html


def test_thread_list_ignores_an_invalid_filter_instead_of_failing(question: Thread, member: User) -> None:
    response = page_client(member).get("/communities/public-wells/threads/?kind=poll&sort=random&page=x")

    assert response.status_code == 200
    assert "Which packer" in page_html(response)


# --- New thread -----------------------------------------------------------------------------------


def test_member_sees_the_new_thread_form(community: Community, member: User) -> None:
    response = page_client(member).get("/communities/public-wells/threads/new/?kind=idea&title=Checklists")

    assert response.status_code == 200
    html = page_html(response)
    assert 'name="title"' in html and 'value="Checklists"' in html
    assert 'value="idea" checked' in html or re.search(r'value="idea"[^>]*checked', html)


def test_member_posts_a_new_thread_and_lands_on_it(community: Community, member: User) -> None:
    client = page_client(member)

    response = client.post(
        "/communities/public-wells/threads/new/",
        {"kind": "question", "title": "Cement bond logs", "body": "How do you **read** them?", "tags": "Drilling"},
    )

    thread = Thread.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _thread_url(thread)
    assert [t.slug for t in thread.tags.all()] == ["drilling"]
    assert "Your thread is posted." in _flashed(client)


def test_new_thread_form_shows_errors_next_to_the_fields_with_400(community: Community, member: User) -> None:
    response = page_client(member).post(
        "/communities/public-wells/threads/new/", {"kind": "question", "title": "  ", "body": " \n ", "tags": ""}
    )

    html = page_html(response)
    assert response.status_code == 400
    assert "Give your thread a title." in field_errors(html, "title")
    assert "Write something: the text is empty." in field_errors(html, "body")
    assert not Thread.objects.exists()


def test_new_thread_form_explains_the_body_size_limit(community: Community, member: User) -> None:
    response = page_client(member).post(
        "/communities/public-wells/threads/new/",
        {"kind": "question", "title": "Big", "body": "x" * (MAX_BODY_BYTES + 1)},
    )

    assert response.status_code == 400
    assert "the limit is 65,536 bytes (64 KB)" in field_errors(page_html(response), "body")
    assert not Thread.objects.exists() and not Post.objects.exists()


def test_new_thread_form_refuses_a_long_title_and_a_foreign_tag(community: Community, member: User) -> None:
    response = page_client(member).post(
        "/communities/public-wells/threads/new/",
        {"kind": "question", "title": "t" * 201, "body": "Body", "tags": "Astrology"},
    )

    html = page_html(response)
    assert response.status_code == 400
    assert "at most 200 characters (it has 201)" in field_errors(html, "title")
    assert not Thread.objects.exists()


def test_new_thread_form_refuses_an_unknown_kind(community: Community, member: User) -> None:
    response = page_client(member).post(
        "/communities/public-wells/threads/new/", {"kind": "poll", "title": "T", "body": "B"}
    )

    assert response.status_code == 400
    assert field_errors(page_html(response), "kind")
    assert not Thread.objects.exists()


def test_outsider_of_a_public_community_is_sent_to_join_instead_of_posting(community: Community,
                                                                         outsider: User) -> None:
    client = page_client(outsider)

    response = client.post(
        "/communities/public-wells/threads/new/", {"kind": "question", "title": "T", "body": "B"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/communities/public-wells/"
    assert "Join this community to ask a question or start a discussion." in _flashed(client)
    assert not Thread.objects.exists()


def test_outsider_of_a_private_community_gets_404_on_the_new_thread_form(private_community: Community,
                                                                        outsider: User) -> None:
    client = page_client(outsider)

    assert client.get("/communities/private-wells/threads/new/").status_code == 404
    assert client.post("/communities/private-wells/threads/new/",
                       {"kind": "question", "title": "T", "body": "B"}).status_code == 404
    assert not Thread.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in_to_start_a_thread(community: Community) -> None:
    response = Client().get("/communities/public-wells/threads/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- Thread page ----------------------------------------------------------------------------------


@pytest.mark.parametrize("side", ["owner", "member", "outsider", None])
def test_public_thread_page_shows_the_question_replies_and_comments_to_everyone(
    side: str | None, question: Thread, helper: User, request: pytest.FixtureRequest
) -> None:
    reply = answer(question, helper, "Use a **V0-rated** packer.")
    services.comment_create(post=reply, author=question.author, body="Which vendor?")

    response = page_client(request.getfixturevalue(side) if side else None).get(_thread_url(question))

    html = page_html(response)
    assert response.status_code == 200
    assert "<h1>Which packer for HPHT wells?</h1>" in html
    assert "<strong>V0-rated</strong>" in html
    assert "Which vendor?" in html
    assert f'id="post-{reply.pk}"' in html


def test_thread_page_offers_reply_form_to_members_and_join_link_to_outsiders(question: Thread, member: User,
                                                                           outsider: User) -> None:
    assert 'id="reply-form"' in page_html(page_client(member).get(_thread_url(question)))
    outsider_html = page_html(page_client(outsider).get(_thread_url(question)))
    assert 'id="reply-form"' not in outsider_html and "to reply." in outsider_html
    assert "Sign in</a> to reply" in page_html(Client().get(_thread_url(question)))


def test_thread_page_shows_moderation_to_the_coordinator_only(question: Thread, owner: User, member: User) -> None:
    assert 'id="mod-h"' in page_html(page_client(owner).get(_thread_url(question)))
    assert 'id="mod-h"' not in page_html(page_client(member).get(_thread_url(question)))


@pytest.mark.parametrize("side", ["outsider", None])
def test_private_thread_page_is_404_to_outsiders(side: str | None, private_question: Thread,
                                                 request: pytest.FixtureRequest) -> None:
    response = page_client(request.getfixturevalue(side) if side else None).get(_thread_url(private_question))

    assert response.status_code == 404
    assert "Confidential" not in page_html(response)


@pytest.mark.parametrize("side", ["owner", "member"])
def test_private_thread_page_is_readable_by_members(side: str, private_question: Thread,
                                                    request: pytest.FixtureRequest) -> None:
    assert page_client(request.getfixturevalue(side)).get(_thread_url(private_question)).status_code == 200


def test_members_only_thread_page_is_404_to_outsiders(members_only_community: Community, member: User,
                                                      outsider: User) -> None:
    thread = ask(members_only_community, member)

    assert page_client(outsider).get(_thread_url(thread)).status_code == 404
    assert page_client(member).get(_thread_url(thread)).status_code == 200


def test_thread_page_under_another_communitys_address_is_404(question: Thread, member: User,
                                                             private_community: Community) -> None:
    assert page_client(member).get(f"/communities/private-wells/threads/{question.pk}/").status_code == 404
    assert page_client(member).get("/communities/public-wells/threads/999999/").status_code == 404


def test_deleted_thread_page_is_404_to_everyone_but_shown_marked_to_its_author_and_the_coordinator(
    question: Thread, owner: User, member: User, helper: User
) -> None:
    services.post_delete(post=opening(question), actor=member)

    assert page_client(helper).get(_thread_url(question)).status_code == 404
    assert Client().get(_thread_url(question)).status_code == 404
    # 404 as in the API after a DELETE; the people who may restore it see it marked, with the Restore button.
    for viewer in (owner, member):
        response = page_client(viewer).get(_thread_url(question))
        assert response.status_code == 404
        assert '<span class="badge private">Deleted</span>' in page_html(response) and "Restore" in page_html(response)


def test_deleted_reply_is_shown_marked_to_the_coordinator_and_not_to_other_members(question: Thread, owner: User,
                                                                                   member: User,
                                                                                   helper: User) -> None:
    reply = answer(question, helper, "Regrettable advice")
    services.post_delete(post=reply, actor=helper)

    assert "Regrettable advice" not in page_html(page_client(member).get(_thread_url(question)))
    coordinator_html = page_html(page_client(owner).get(_thread_url(question)))
    assert "Regrettable advice" in coordinator_html
    assert re.search(rf'id="post-{reply.pk}"', coordinator_html)
    assert "deleted-item" in coordinator_html and "Restore" in coordinator_html
    # Only restoring is left: its edit and history pages answer 404, as in the API.
    assert f"/posts/{reply.pk}/edit/" not in coordinator_html
    assert page_client(owner).get(f"/posts/{reply.pk}/edit/").status_code == 404


def test_duplicate_question_points_to_the_original(question: Thread, community: Community, owner: User,
                                                   helper: User) -> None:
    original = ask(community, helper, "Packers above 175 °C")
    services.thread_mark_duplicate(thread=question, actor=owner, original=original)

    html = page_html(Client().get(_thread_url(question)))

    assert f'This question is a duplicate of <a href="{_thread_url(original)}">Packers above 175 °C</a>' in html


# --- Reply ----------------------------------------------------------------------------------------


def test_member_replies_and_lands_on_the_reply(question: Thread, helper: User) -> None:
    response = page_client(helper).post(_thread_url(question, "reply"), {"body": "Try a **swellable** packer."})

    reply = Post.objects.get(is_opening=False)
    assert response.status_code == 302
    assert response["Location"] == f"{_thread_url(question)}#post-{reply.pk}"
    assert fresh(question).reply_count == 1


def test_empty_reply_shows_the_error_next_to_the_field_with_400(question: Thread, helper: User) -> None:
    response = page_client(helper).post(_thread_url(question, "reply"), {"body": "   "})

    assert response.status_code == 400
    assert "Write something: the text is empty." in field_errors(page_html(response), "body")
    assert fresh(question).reply_count == 0


def test_too_long_reply_shows_the_limit(question: Thread, helper: User) -> None:
    response = page_client(helper).post(_thread_url(question, "reply"), {"body": "x" * (MAX_BODY_BYTES + 1)})

    assert response.status_code == 400
    assert "the limit is 65,536 bytes (64 KB)" in page_html(response)
    assert not Post.objects.filter(is_opening=False).exists()


def test_outsider_of_a_public_community_cannot_reply(question: Thread, outsider: User) -> None:
    client = page_client(outsider)
    before = _rows()

    response = client.post(_thread_url(question, "reply"), {"body": "Me too"})

    assert response.status_code == 302
    assert "Join this community to reply." in _flashed(client)
    assert _rows() == before


def test_outsider_of_a_private_community_gets_404_on_reply(private_question: Thread, outsider: User) -> None:
    before = _rows()

    assert page_client(outsider).post(_thread_url(private_question, "reply"), {"body": "Hi"}).status_code == 404
    assert _rows() == before


def test_anonymous_reply_is_sent_to_log_in(question: Thread) -> None:
    response = Client().post(_thread_url(question, "reply"), {"body": "Hi"})

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Post.objects.filter(is_opening=False).exists()


def test_locked_thread_refuses_a_members_reply_but_takes_the_coordinators(question: Thread, owner: User,
                                                                         helper: User) -> None:
    services.thread_moderate(thread=question, actor=owner, action="lock")
    client = page_client(helper)

    client.post(_thread_url(question, "reply"), {"body": "Late answer"})
    assert "This thread is locked: it takes no more replies or comments." in _flashed(client)
    assert 'id="reply-form"' not in page_html(client.get(_thread_url(question)))

    page_client(owner).post(_thread_url(question, "reply"), {"body": "Closing note"})
    assert list(Post.objects.filter(is_opening=False).values_list("body_source", flat=True)) == ["Closing note"]


# --- Comment --------------------------------------------------------------------------------------


def test_member_comments_and_lands_on_the_comment(question: Thread, helper: User) -> None:
    post = opening(question)

    response = page_client(helper).post(_post_url(post, "comment"), {"body": "Which temperature exactly?"})

    comment = Comment.objects.get()
    assert response["Location"] == f"{_thread_url(question)}#comment-{comment.pk}"
    assert comment.author == helper


def test_too_long_comment_is_refused_with_a_message(question: Thread, helper: User) -> None:
    client = page_client(helper)

    client.post(_post_url(opening(question), "comment"), {"body": "c" * 1001})

    assert "A comment may have at most 1000 characters; write a reply instead." in _flashed(client)
    assert not Comment.objects.exists()


def test_outsider_cannot_comment_on_a_public_thread(question: Thread, outsider: User) -> None:
    client = page_client(outsider)

    client.post(_post_url(opening(question), "comment"), {"body": "Hi"})

    assert "Join this community to comment." in _flashed(client)
    assert not Comment.objects.exists()


def test_outsider_gets_404_commenting_on_a_private_thread(private_question: Thread, outsider: User) -> None:
    assert page_client(outsider).post(_post_url(opening(private_question), "comment"),
                                  {"body": "Hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_locked_thread_refuses_a_members_comment(question: Thread, owner: User, helper: User) -> None:
    services.thread_moderate(thread=question, actor=owner, action="lock")
    client = page_client(helper)

    client.post(_post_url(opening(question), "comment"), {"body": "Why locked?"})

    assert "This thread is locked: it takes no more replies or comments." in _flashed(client)
    assert not Comment.objects.exists()


# --- Vote -----------------------------------------------------------------------------------------


def test_htmx_vote_returns_the_vote_partial_with_the_new_score(question: Thread, helper: User) -> None:
    post = opening(question)

    response = page_client(helper).post(_post_url(post, "vote"), {"up": "1"}, **HTMX)

    html = page_html(response)
    assert response.status_code == 200
    assert html.startswith(f'<div class="vote" id="vote-{post.pk}">')
    assert '<span class="score" aria-label="1 votes">1</span>' in html
    assert 'aria-pressed="true"' in html and 'name="up" value="0"' in html
    assert "<html" not in html
    assert fresh(question).score == 1


def test_htmx_vote_twice_stays_at_one_and_undo_goes_back_to_zero(question: Thread, helper: User) -> None:
    client = page_client(helper)
    post = opening(question)

    client.post(_post_url(post, "vote"), {"up": "1"}, **HTMX)
    client.post(_post_url(post, "vote"), {"up": "1"}, **HTMX)
    assert Vote.objects.count() == 1

    html = page_html(client.post(_post_url(post, "vote"), {"up": "0"}, **HTMX))
    assert 'aria-pressed="false"' in html and ">0</span>" in html
    assert not Vote.objects.exists()


def test_vote_without_htmx_redirects_back_to_the_post(question: Thread, helper: User) -> None:
    post = opening(question)

    response = page_client(helper).post(_post_url(post, "vote"), {"up": "1"})

    assert response["Location"] == f"{_thread_url(question)}#post-{post.pk}"
    assert Vote.objects.filter(post=post, user=helper).exists()


def test_htmx_vote_on_own_post_is_refused_in_the_partial(question: Thread, member: User) -> None:
    response = page_client(member).post(_post_url(opening(question), "vote"), {"up": "1"}, **HTMX)

    assert response.status_code == 403
    assert "You cannot vote on your own post." in page_html(response)
    assert not Vote.objects.exists()


def test_outsider_vote_on_a_public_post_is_refused(question: Thread, outsider: User) -> None:
    response = page_client(outsider).post(_post_url(opening(question), "vote"), {"up": "1"}, **HTMX)

    assert response.status_code == 403
    assert "Join this community to vote." in page_html(response)
    assert not Vote.objects.exists()


def test_outsider_vote_on_a_private_post_is_404(private_question: Thread, outsider: User) -> None:
    response = page_client(outsider).post(_post_url(opening(private_question), "vote"), {"up": "1"}, **HTMX)

    assert response.status_code == 404
    assert not Vote.objects.exists()


# --- Accept ---------------------------------------------------------------------------------------


def test_asker_accepts_an_answer_and_the_thread_shows_solved(question: Thread, member: User, helper: User) -> None:
    reply = answer(question, helper)
    client = page_client(member)

    response = client.post(_post_url(reply, "accept"))

    assert response["Location"] == f"{_thread_url(question)}#post-{reply.pk}"
    assert fresh(question).accepted_post == reply
    html = page_html(client.get(_thread_url(question)))
    assert '<span class="badge public">Solved</span>' in html
    assert "✓ Accepted answer" in html
    assert "Solved" in page_html(client.get("/communities/public-wells/threads/"))


def test_coordinator_accepts_an_answer(question: Thread, owner: User, helper: User) -> None:
    reply = answer(question, helper)

    page_client(owner).post(_post_url(reply, "accept"))

    assert fresh(question).accepted_post == reply


def test_another_member_cannot_accept_an_answer(question: Thread, helper: User, community: Community) -> None:
    reply = answer(question, helper)

    response = page_client(helper).post(_post_url(reply, "accept"))

    assert response.status_code == 403
    assert fresh(question).accepted_post is None


def test_outsider_gets_404_accepting_in_a_private_thread(private_question: Thread, helper: User,
                                                         outsider: User) -> None:
    reply = answer(private_question, helper)

    assert page_client(outsider).post(_post_url(reply, "accept")).status_code == 404
    assert fresh(private_question).accepted_post is None


def test_accepting_in_a_discussion_shows_a_message(community: Community, member: User, helper: User) -> None:
    thread = ask(community, member, "Open chat", kind=ThreadKind.DISCUSSION)
    reply = answer(thread, helper)
    client = page_client(member)

    client.post(_post_url(reply, "accept"))

    assert "Only questions have an accepted answer." in _flashed(client)
    assert fresh(thread).accepted_post is None


def test_asker_unaccepts_an_answer(question: Thread, member: User, helper: User) -> None:
    reply = answer(question, helper)
    services.answer_accept(post=reply, actor=member)

    page_client(member).post(_post_url(reply, "accept"), {"undo": "1"})

    assert fresh(question).accepted_post is None


# --- Edit and revisions ---------------------------------------------------------------------------


def test_author_sees_the_edit_form_with_the_current_text(question: Thread, member: User) -> None:
    response = page_client(member).get(_post_url(opening(question), "edit"))

    html = page_html(response)
    assert response.status_code == 200
    assert "We see micro-annuli on the CBL." in html
    assert 'name="version" value="1"' in html
    assert 'value="Which packer for HPHT wells?"' in html


def test_author_edits_and_is_sent_back_to_the_post(question: Thread, member: User) -> None:
    post = opening(question)

    response = page_client(member).post(_post_url(post, "edit"), {
        "title": "Which packer for 200 °C?", "tags": "Well integrity", "body": "New text", "version": "1", "note": "",
    })

    assert response.status_code == 302
    assert response["Location"] == f"{_thread_url(question)}#post-{post.pk}"
    assert (Post.objects.get(pk=post.pk).body_source, fresh(question).title) == ("New text", "Which packer for 200 °C?")


def test_edit_with_an_empty_body_shows_the_error_with_400(question: Thread, member: User) -> None:
    response = page_client(member).post(_post_url(opening(question), "edit"), {
        "title": "T", "body": "  ", "version": "1",
    })

    assert response.status_code == 400
    assert "Write something" in field_errors(page_html(response), "body")
    assert opening(question).version == 1


def test_concurrent_edit_answers_409_with_both_versions_and_their_differences(question: Thread, member: User,
                                                                              owner: User) -> None:
    post = opening(question)
    services.post_edit(post=post, editor=owner, body="Line one\nCoordinator's line", expected_version=1)

    response = page_client(member).post(_post_url(post, "edit"), {
        "title": question.title, "tags": "", "body": "Line one\nAsker's line", "version": "1", "note": "",
    })

    html = page_html(response)
    assert response.status_code == 409
    assert "Someone else saved a newer version" in html
    assert "Saved meanwhile (version 2)" in html
    assert '<pre class="source">Line one\nCoordinator&#x27;s line</pre>' in html
    assert '<pre class="source">Line one\nAsker&#x27;s line</pre>' in html
    assert '<span class="diff-removed">- Coordinator&#x27;s line</span>' in html
    assert '<span class="diff-added">+ Asker&#x27;s line</span>' in html
    # The form now carries the current version, so saving again goes through.
    assert 'name="version" value="2"' in html
    assert Post.objects.get(pk=post.pk).body_source == "Line one\nCoordinator's line"


def test_another_member_cannot_open_or_post_the_edit_form(question: Thread, helper: User) -> None:
    post = opening(question)
    client = page_client(helper)

    assert client.get(_post_url(post, "edit")).status_code == 403
    assert client.post(_post_url(post, "edit"), {"title": "X", "body": "Mine", "version": "1"}).status_code == 403
    assert opening(question).body_source == post.body_source


def test_coordinator_edits_a_members_post(question: Thread, owner: User) -> None:
    post = opening(question)

    page_client(owner).post(_post_url(post, "edit"), {"title": question.title, "body": "Tidied", "version": "1"})

    assert opening(question).body_source == "Tidied"


def test_outsider_gets_404_on_the_edit_page_of_a_private_post(private_question: Thread, outsider: User) -> None:
    assert page_client(outsider).get(_post_url(opening(private_question), "edit")).status_code == 404


def test_revisions_page_shows_a_readable_diff_with_editor_and_note(question: Thread, member: User,
                                                                    owner: User) -> None:
    post = opening(question)
    services.post_edit(post=post, editor=member, body="First line\nSecond line", expected_version=1)
    services.post_edit(post=Post.objects.get(pk=post.pk), editor=owner, body="First line\nBetter second line",
                       expected_version=2, note="Clarified", title="Packers for HPHT")

    response = Client().get(_post_url(post, "revisions"))

    html = page_html(response)
    assert response.status_code == 200
    assert html.index("Version 3") < html.index("Version 2") < html.index("Version 1")
    assert '<span class="diff-removed">- Second line</span>' in html
    assert '<span class="diff-added">+ Better second line</span>' in html
    assert '<span class="diff-same">  First line</span>' in html
    assert "“Clarified”" in html
    assert "Title: <del>Which packer for HPHT wells?</del> → <ins>Packers for HPHT</ins>" in html
    assert "First version" in html


def test_thread_page_links_to_the_history_of_an_edited_post(question: Thread, member: User) -> None:
    post = opening(question)
    services.post_edit(post=post, editor=member, body="Changed", expected_version=1)

    assert f'href="/posts/{post.pk}/revisions/"' in page_html(Client().get(_thread_url(question)))


def test_revisions_of_a_private_post_are_404_to_outsiders(private_question: Thread, outsider: User,
                                                          member: User) -> None:
    post = opening(private_question)

    assert page_client(outsider).get(_post_url(post, "revisions")).status_code == 404
    assert Client().get(_post_url(post, "revisions")).status_code == 404
    assert page_client(member).get(_post_url(post, "revisions")).status_code == 200


# --- Delete and restore ---------------------------------------------------------------------------


def test_author_deletes_a_reply_and_restores_it(question: Thread, helper: User) -> None:
    reply = answer(question, helper)
    client = page_client(helper)

    response = client.post(_post_url(reply, "delete"))
    assert response["Location"] == f"{_thread_url(question)}#post-{reply.pk}"
    assert Post.objects.get(pk=reply.pk).is_deleted
    assert "Deleted. You or a coordinator can still restore it." in _flashed(client)

    client.post(_post_url(reply, "delete"), {"restore": "1"})
    assert not Post.objects.get(pk=reply.pk).is_deleted


def test_author_deleting_their_question_goes_back_to_the_list(question: Thread, member: User) -> None:
    response = page_client(member).post(_post_url(opening(question), "delete"))

    assert response["Location"] == "/communities/public-wells/threads/"
    assert fresh(question).is_deleted


def test_coordinator_restores_a_deleted_question(question: Thread, member: User, owner: User) -> None:
    services.post_delete(post=opening(question), actor=member)

    response = page_client(owner).post(_post_url(opening(question), "delete"), {"restore": "1"})

    assert response.status_code == 302
    assert not fresh(question).is_deleted


def test_another_member_cannot_delete(question: Thread, helper: User) -> None:
    assert page_client(helper).post(_post_url(opening(question), "delete")).status_code == 403
    assert not fresh(question).is_deleted


def test_another_member_cannot_even_find_a_deleted_reply_to_restore(question: Thread, helper: User,
                                                                    member: User) -> None:
    reply = answer(question, helper)
    services.post_delete(post=reply, actor=helper)

    assert page_client(member).post(_post_url(reply, "delete"), {"restore": "1"}).status_code == 404
    assert Post.objects.get(pk=reply.pk).is_deleted


def test_outsider_gets_404_deleting_a_private_post(private_question: Thread, outsider: User) -> None:
    assert page_client(outsider).post(_post_url(opening(private_question), "delete")).status_code == 404
    assert not fresh(private_question).is_deleted


# --- Flags ----------------------------------------------------------------------------------------


def test_member_flags_a_post(question: Thread, helper: User) -> None:
    post = opening(question)
    client = page_client(helper)
    assert client.get(_post_url(post, "flag")).status_code == 200

    response = client.post(_post_url(post, "flag"), {"reason": "spam", "details": ""})

    assert response["Location"] == f"{_thread_url(question)}#post-{post.pk}"
    assert Flag.objects.get().reporter == helper
    assert "Thank you: the coordinators will look at it." in _flashed(client)


def test_flag_without_a_reason_shows_the_error_with_400(question: Thread, helper: User) -> None:
    response = page_client(helper).post(_post_url(opening(question), "flag"), {"reason": "", "details": ""})

    assert response.status_code == 400
    assert not Flag.objects.exists()


def test_flag_for_something_else_needs_details(question: Thread, helper: User) -> None:
    response = page_client(helper).post(_post_url(opening(question), "flag"), {"reason": "other", "details": ""})

    assert response.status_code == 400
    assert "Say what is wrong." in field_errors(page_html(response), "details")
    assert not Flag.objects.exists()


def test_outsider_cannot_flag_a_public_post(question: Thread, outsider: User) -> None:
    response = page_client(outsider).post(_post_url(opening(question), "flag"), {"reason": "spam"})

    assert response.status_code == 403
    assert not Flag.objects.exists()


def test_outsider_gets_404_flagging_a_private_post(private_question: Thread, outsider: User) -> None:
    assert page_client(outsider).get(_post_url(opening(private_question), "flag")).status_code == 404
    assert page_client(outsider).post(_post_url(opening(private_question), "flag"), {"reason": "spam"}).status_code == 404
    assert not Flag.objects.exists()


def test_coordinator_sees_the_flag_queue_and_hides_the_post(question: Thread, helper: User, owner: User,
                                                            member: User) -> None:
    reply = answer(question, helper, "Buy cheap packers at spam.example")
    flag = services.flag_create(post=reply, reporter=member, reason="spam", details="Advertising")
    client = page_client(owner)

    html = page_html(client.get("/communities/public-wells/flags/"))
    assert "Which packer for HPHT wells?" in html and "“Advertising”" in html and "Spam" in html

    response = client.post("/communities/public-wells/flags/", {"flag": flag.pk, "hide": "1"})
    assert response["Location"] == "/communities/public-wells/flags/"
    assert Post.objects.get(pk=reply.pk).is_hidden
    assert "No open flags." in page_html(client.get("/communities/public-wells/flags/"))
    assert "Buy cheap packers" not in page_html(page_client(member).get(_thread_url(question)))


def test_coordinator_dismisses_a_flag(question: Thread, helper: User, owner: User) -> None:
    flag = services.flag_create(post=opening(question), reporter=helper, reason="off-topic")

    page_client(owner).post("/communities/public-wells/flags/", {"flag": flag.pk, "hide": "0"})

    assert Flag.objects.get(pk=flag.pk).resolution == "dismissed"
    assert not opening(question).is_hidden


@pytest.mark.parametrize("flag", ["²", "abc", "99999999999999999999", "-1", ""])
def test_resolving_a_flag_that_cannot_exist_is_404_and_changes_nothing(
    question: Thread, helper: User, owner: User, flag: str
) -> None:
    services.flag_create(post=opening(question), reporter=helper, reason="spam")

    response = page_client(owner).post("/communities/public-wells/flags/", {"flag": flag, "hide": "1"})

    assert response.status_code == 404
    assert Flag.objects.get().resolved_at is None and not opening(question).is_hidden


def test_flag_queue_is_403_to_members_and_404_to_outsiders_of_a_private_community(
    private_question: Thread, member: User, outsider: User, helper: User
) -> None:
    flag = services.flag_create(post=opening(private_question), reporter=helper, reason="spam")

    assert page_client(member).get("/communities/private-wells/flags/").status_code == 403
    assert page_client(member).post("/communities/private-wells/flags/", {"flag": flag.pk, "hide": "1"}).status_code == 403
    assert page_client(outsider).get("/communities/private-wells/flags/").status_code == 404
    assert Flag.objects.get(pk=flag.pk).resolved_at is None


def test_coordinator_cannot_resolve_a_flag_of_another_community(question: Thread, helper: User, owner: User) -> None:
    stranger = UserFactory(username="stranger")
    other = CommunityFactory(creator=stranger, name="Other", slug="other")
    thread = ask(other, stranger)
    flag = services.flag_create(post=opening(thread), reporter=stranger, reason="spam")

    assert page_client(owner).post("/communities/public-wells/flags/", {"flag": flag.pk, "hide": "1"}).status_code == 404
    assert Flag.objects.get(pk=flag.pk).resolved_at is None


# --- Moderation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "field"), [("lock", "is_locked"), ("pin", "is_pinned"), ("hide", "is_hidden")])
def test_coordinator_moderates_a_thread_from_its_page(question: Thread, owner: User, action: str, field: str) -> None:
    client = page_client(owner)

    response = client.post(_thread_url(question, "moderate"), {"action": action})

    assert response["Location"] == _thread_url(question)
    assert getattr(fresh(question), field) is True
    assert f"Done: {action}." in _flashed(client)


@pytest.mark.parametrize("action", ["lock", "pin", "hide", "status", "duplicate"])
def test_member_cannot_moderate(question: Thread, member: User, action: str) -> None:
    before = _rows()

    response = page_client(member).post(_thread_url(question, "moderate"), {"action": action, "status": "done",
                                                                         "original": str(question.pk)})

    assert response.status_code == 403
    assert _rows() == before
    thread = fresh(question)
    assert not (thread.is_locked or thread.is_pinned or thread.is_hidden or thread.duplicate_of_id)


def test_outsider_gets_404_moderating_a_private_thread(private_question: Thread, outsider: User) -> None:
    assert page_client(outsider).post(_thread_url(private_question, "moderate"), {"action": "lock"}).status_code == 404
    assert not fresh(private_question).is_locked


def test_coordinator_sets_an_ideas_status_with_a_reason(community: Community, member: User, owner: User) -> None:
    idea = ask(community, member, "Shared checklist", kind=ThreadKind.IDEA)

    page_client(owner).post(_thread_url(idea, "moderate"), {"action": "status", "status": "planned",
                                                        "reason": "Next workshop"})

    assert (fresh(idea).idea_status, fresh(idea).idea_status_reason) == (IdeaStatus.PLANNED, "Next workshop")
    assert "Planned: Next workshop" in page_html(Client().get(_thread_url(idea)))


def test_coordinator_marks_a_duplicate_by_address_and_a_bad_reference_is_explained(
    question: Thread, community: Community, owner: User, helper: User
) -> None:
    original = ask(community, helper, "Packers above 175 °C")
    client = page_client(owner)

    client.post(_thread_url(question, "moderate"), {"action": "duplicate", "original": _thread_url(original)})
    assert fresh(question).duplicate_of == original

    client.post(_thread_url(question, "moderate"), {"action": "duplicate", "original": "not a thread"})
    assert "Give the number or the address of the original thread." in _flashed(client)
    for impossible in ("99999999999999999999999", "²", "0"):
        response = client.post(_thread_url(question, "moderate"), {"action": "duplicate", "original": impossible})
        assert response.status_code == 302
        assert _flashed(client) in (["No such thread."], ["Give the number or the address of the original thread."])
    client.post(_thread_url(question, "moderate"), {"action": "duplicate", "original": str(question.pk)})
    assert "A thread cannot duplicate itself." in _flashed(client)
    assert fresh(question).duplicate_of == original


def test_coordinator_moves_a_thread_to_another_community_they_coordinate(question: Thread, owner: User) -> None:
    target = CommunityFactory(creator=owner, name="Completions", slug="completions")
    client = page_client(owner)
    assert '<option value="completions">Completions</option>' in page_html(client.get(_thread_url(question)))

    response = client.post(_thread_url(question, "moderate"), {"action": "move", "community": "completions"})

    assert response["Location"] == f"/communities/completions/threads/{question.pk}/"
    assert fresh(question).community == target


def test_coordinator_cannot_move_a_thread_to_a_community_they_do_not_coordinate(question: Thread, owner: User,
                                                                                 helper: User) -> None:
    CommunityFactory(creator=helper, name="Completions", slug="completions")
    client = page_client(owner)

    client.post(_thread_url(question, "moderate"), {"action": "move", "community": "completions"})

    assert "You can move threads only to communities you coordinate." in _flashed(client)
    assert fresh(question).community.slug == "public-wells"


# --- Unheard queue --------------------------------------------------------------------------------


@pytest.fixture
def core(community: Community, private_community: Community) -> User:
    user = person("core", community, Role.CORE)
    join(private_community, user, Role.CORE)
    return user


@pytest.mark.parametrize("side", ["owner", "core"])
def test_unheard_page_lists_waiting_threads_oldest_first_for_coordinators_and_core_members(
    side: str, community: Community, member: User, helper: User, request: pytest.FixtureRequest
) -> None:
    ask(community, helper, "Newer question", created_at=ago(days=1))
    ask(community, member, "Older question", created_at=ago(days=3))
    answered = ask(community, member, "Answered question", created_at=ago(days=5))
    answer(answered, helper)

    response = page_client(request.getfixturevalue(side)).get("/communities/public-wells/unheard/")

    html = page_html(response)
    assert response.status_code == 200
    assert html.index("Older question") < html.index("Newer question")
    assert "Answered question" not in html
    assert "<strong>2</strong> waiting." in html
    assert html.count("Newcomer</span>") == 1  # the member's second thread is not a newcomer's
    assert "3\xa0days" in html  # how long the oldest has waited


def test_unheard_page_is_403_to_members(community: Community, member: User) -> None:
    assert page_client(member).get("/communities/public-wells/unheard/").status_code == 403


@pytest.mark.parametrize("side", ["outsider", None])
def test_unheard_page_of_a_private_community_is_404_to_outsiders(side: str | None, private_community: Community,
                                                                 request: pytest.FixtureRequest) -> None:
    response = page_client(request.getfixturevalue(side) if side else None).get("/communities/private-wells/unheard/")

    # Anonymous visitors are sent to log in first; signed-in outsiders learn nothing.
    assert response.status_code == (404 if side else 302)


@pytest.mark.parametrize("side", ["owner", "core"])
def test_unheard_page_of_a_private_community_is_open_to_its_coordinators_and_core(
    side: str, private_community: Community, request: pytest.FixtureRequest
) -> None:
    assert page_client(request.getfixturevalue(side)).get("/communities/private-wells/unheard/").status_code == 200


# --- Query counts ---------------------------------------------------------------------------------


def _queries(client: Client, url: str, **headers: str) -> tuple[int, str, list[str]]:
    response, sqls = page_queries(client, url, **headers)
    assert response.status_code == 200, url
    return len(sqls), page_html(response), sqls


def _assert_same_count(few: tuple[int, str, list[str]], many: tuple[int, str, list[str]]) -> None:
    assert few[0] == many[0], f"The query count grows with the rows ({few[0]} → {many[0]}):\n" + "\n".join(many[2])


def _add_replies(thread: Thread, count: int, voter: User, authors: list[User], commenter: User) -> None:
    """``count`` replies in bulk (set-up only), each with a comment and ``voter``'s vote; some edited, some by
    people whose account is gone, so every branch of the post template runs."""
    start = Post.objects.filter(thread=thread).count()
    posts = Post.objects.bulk_create(
        Post(
            thread=thread,
            author=None if i % 9 == 8 else authors[i % len(authors)],
            body_source=f"Reply {start + i}",
            body_html=f"<p>Reply {start + i}</p>",
            body_text=f"Reply {start + i}",
            upvotes=1,
            created_at=ago(minutes=count - i),
            version=2 if i % 5 == 0 else 1,
            edited_at=ago(minutes=1) if i % 5 == 0 else None,
        )
        for i in range(count)
    )
    Comment.objects.bulk_create(
        Comment(post=post, author=commenter, body_source="Thanks", body_html="<p>Thanks</p>") for post in posts
    )
    Vote.objects.bulk_create(Vote(post=post, user=voter) for post in posts)
    Thread.objects.filter(pk=thread.pk).update(reply_count=start - 1 + count)


@pytest.fixture
def busy_thread(community: Community, member: User, owner: User) -> Thread:
    """A question with several tags, a comment and a vote on the opening post, and one accepted, edited reply."""
    community.topics.add(*topics_get_or_create(["Cementing", "Casing", "Completions"]))
    thread = ask(community, member, "Busy thread", tags=["Well integrity", "Drilling", "Cementing", "Casing"])
    services.comment_create(post=opening(thread), author=owner, body="Good question, @member")
    reply = answer(thread, owner, "Accepted answer")
    services.post_edit(post=reply, editor=owner, body="Accepted answer, edited", expected_version=1)
    services.answer_accept(post=reply, actor=member)
    return fresh(thread)


@pytest.mark.parametrize("side", ["owner", "member", "helper", None])
def test_thread_page_costs_the_same_queries_with_5_and_with_200_replies(
    side: str | None, busy_thread: Thread, community: Community, member: User, owner: User,
    request: pytest.FixtureRequest,
) -> None:
    authors = [person(f"author{i}", community) for i in range(4)]
    client = page_client(request.getfixturevalue(side) if side else None)
    url = _thread_url(busy_thread)

    _add_replies(busy_thread, 4, voter=member, authors=authors, commenter=owner)
    few = _queries(client, url)
    _add_replies(busy_thread, 195, voter=member, authors=authors, commenter=owner)
    many = _queries(client, url)

    assert few[1].count('class="post card') == 1 + 5 and "Reply 5" in few[1]
    # Replies come 30 to a page (the opening post, then replies 1-30); the rest are one click away.
    assert many[1].count('class="post card') == 1 + 30 and "Page 1 of 7" in many[1]
    _assert_same_count(few, many)


def test_thread_page_for_a_member_costs_thirteen_queries(busy_thread: Thread, community: Community, member: User,
                                                     owner: User) -> None:
    _add_replies(busy_thread, 199, voter=member, authors=[owner], commenter=owner)

    count, _, sql = _queries(page_client(member), _thread_url(busy_thread))

    # 1 session, 2 user, 3 thread (with community, author, profile, duplicate and accepted post),
    # 4 the viewer's membership, 5 count of replies (pagination), 6 one page of replies (with authors and
    # profiles), 7 the opening post, 8 the comments of both (with authors), 9 the viewer's votes on the page,
    # 10 the thread's tags, 11 the viewer's profile for the page header, 12 the knowledge captured from the
    # thread (practica/knowledge), 13 the threads linked with it (and how many, in the same query).
    assert count == 13, "\n".join(sql)


def test_thread_list_for_a_member_costs_ten_queries(community: Community, member: User, owner: User) -> None:
    _make_threads(community, 30, [member, owner])

    count, _, sql = _queries(page_client(member), "/communities/public-wells/threads/")

    # 1 session, 2 user, 3 community, 4 membership, 5 count for the paginator, 6 the viewer's profile,
    # 7 the community's topics for the tag filter, 8 one page of threads (with authors and profiles),
    # 9 their tags, 10 their community (prefetched: joining it makes SQLite sort every thread).
    assert count == 10, "\n".join(sql)


def test_unheard_page_for_a_coordinator_costs_nine_queries(community: Community, member: User,
                                                            owner: User) -> None:
    _make_threads(community, 40, [member, owner])

    count, _, sql = _queries(page_client(owner), "/communities/public-wells/unheard/")

    # 1 session, 2 user, 3 community, 4 membership, 5 count for the paginator, 6 the viewer's profile,
    # 7 one page of threads (with authors, profiles and the newcomer flag), 8 their tags, 9 their community.
    assert count == 9, "\n".join(sql)


def _make_threads(community: Community, count: int, authors: list[User], start: int = 0) -> None:
    for i in range(start, start + count):
        author = authors[i % len(authors)]
        thread = ask(community, author, f"Thread number {i}", tags=["Well integrity", "Drilling"][: 1 + i % 2],
                     kind=[ThreadKind.QUESTION, ThreadKind.DISCUSSION, ThreadKind.IDEA][i % 3],
                     created_at=ago(days=100 - i))
        if i % 4 == 0:
            Thread.objects.filter(pk=thread.pk).update(is_pinned=True)


@pytest.mark.parametrize("side", ["owner", "member", "outsider", None])
def test_thread_list_costs_the_same_queries_with_5_and_with_50_threads(
    side: str | None, community: Community, member: User, owner: User, request: pytest.FixtureRequest
) -> None:
    authors = [member, owner, person("third", community)]
    client = page_client(request.getfixturevalue(side) if side else None)
    url = "/communities/public-wells/threads/"

    _make_threads(community, 5, authors)
    few = _queries(client, url)
    few_partial = _queries(client, url + "?sort=votes", **HTMX)
    _make_threads(community, 45, authors, start=5)
    many = _queries(client, url)
    many_partial = _queries(client, url + "?sort=votes", **HTMX)

    assert few[1].count('class="thread-card') == 5 and many[1].count('class="thread-card') == 20
    assert many_partial[1].count('class="thread-card') == 20 and "<html" not in many_partial[1]
    _assert_same_count(few, many)
    _assert_same_count(few_partial, many_partial)


@pytest.mark.parametrize("side", ["owner", "core"])
def test_unheard_page_costs_the_same_queries_with_5_and_with_50_threads(
    side: str, community: Community, member: User, owner: User, request: pytest.FixtureRequest
) -> None:
    authors = [member, person("third", community), person("fourth", community)]
    client = page_client(request.getfixturevalue(side))
    url = "/communities/public-wells/unheard/"

    _make_threads(community, 5, authors)
    few = _queries(client, url)
    _make_threads(community, 45, authors, start=5)
    many = _queries(client, url)

    assert "Thread number 4" in few[1] and "<strong>50</strong> waiting." in many[1]
    _assert_same_count(few, many)

