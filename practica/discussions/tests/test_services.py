"""The discussion services: who may write what, what each write changes, and that bad input writes nothing.

Three sides throughout: ``owner`` coordinates the communities, ``member`` is an ordinary member, ``outsider``
belongs to none of them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.discussions import selectors, services
from practica.discussions.models import (
    MAX_BODY_BYTES,
    MAX_COMMENT_LENGTH,
    MAX_TITLE_LENGTH,
    Comment,
    Flag,
    IdeaStatus,
    Mention,
    ModerationAction,
    Post,
    Revision,
    Thread,
    ThreadKind,
    Vote,
)
from practica.lib.diff import line_diff
from practica.lib.testing.content import answer, ask, fresh, join, opening, person
from practica.lib.testing.factories import CommunityFactory
from practica.topics.models import Topic

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    """Rows a write could leave behind; compared before and after a refused write."""
    return {
        model.__name__: model.objects.count()
        for model in (Thread, Post, Revision, Comment, Vote, Mention, Flag, ModerationAction, Topic)
    }


def _refused(expected: type[Exception], write: Callable[[], object], match: str | None = None) -> Exception:
    """Run a write that must fail with ``expected`` and leave every table as it was."""
    before = _counts()
    with pytest.raises(expected, match=match) as info:
        write()
    assert _counts() == before
    return info.value


def _messages(exc: Exception, field: str) -> list[str]:
    assert isinstance(exc, ValidationError)
    return exc.message_dict[field]


@pytest.fixture
def helper(community: Community) -> User:
    """A second ordinary member of the default community, who answers questions."""
    return person("helper", community)


@pytest.fixture
def question(community: Community, member: User) -> Thread:
    return ask(community, member, "Which packer for HPHT wells?", tags=["Well integrity"])


# --- thread_create --------------------------------------------------------------------------------


def test_member_starts_a_question_with_opening_post_first_revision_and_tags(
    community: Community, member: User
) -> None:
    thread = services.thread_create(
        community=community,
        author=member,
        kind=ThreadKind.QUESTION,
        title="  Which   packer for HPHT wells? ",
        body="We drill at **180 °C**.",
        tags="Well integrity, drilling",
    )

    assert thread.title == "Which packer for HPHT wells?"
    assert (thread.kind, thread.author, thread.community) == ("question", member, community)
    assert sorted(t.slug for t in thread.tags.all()) == ["drilling", "well-integrity"]
    post = opening(thread)
    assert post.author == member
    assert post.body_source == "We drill at **180 °C**."
    assert "<strong>180 °C</strong>" in post.body_html
    assert post.body_text == "We drill at 180 °C."
    assert [(r.number, r.title, r.body_source) for r in post.revisions.all()] == [
        (1, "Which packer for HPHT wells?", "We drill at **180 °C**.")
    ]
    assert (thread.reply_count, thread.first_response_at, thread.accepted_post) == (0, None, None)


def test_an_idea_starts_with_the_open_status(community: Community, member: User) -> None:
    thread = ask(community, member, "Share a barrier checklist", kind=ThreadKind.IDEA)

    assert fresh(thread).idea_status == IdeaStatus.OPEN


def test_coordinator_starts_a_discussion(community: Community, owner: User) -> None:
    thread = ask(community, owner, "Lessons from the last campaign", kind=ThreadKind.DISCUSSION)

    assert fresh(thread).kind == ThreadKind.DISCUSSION


def test_outsider_of_public_community_is_asked_to_join_and_nothing_is_written(
    community: Community, outsider: User
) -> None:
    _refused(PermissionDenied, lambda: ask(community, outsider), match="Join this community")


@pytest.mark.parametrize("visibility", ["private", "members_only"])
def test_outsider_of_a_community_they_cannot_read_gets_404(
    visibility: str, outsider: User, request: pytest.FixtureRequest
) -> None:
    closed = request.getfixturevalue(f"{visibility}_community")

    _refused(Http404, lambda: ask(closed, outsider))


def test_member_of_a_private_community_starts_a_thread(private_community: Community, member: User) -> None:
    assert ask(private_community, member).community == private_community


def test_member_cannot_tag_with_a_topic_outside_the_community(community: Community, member: User) -> None:
    exc = _refused(ValidationError, lambda: ask(community, member, tags=["Drilling", "Astrology"]))

    assert _messages(exc, "tags") == ["Not a topic of this community: Astrology. Ask a coordinator to add it."]
    assert not community.topics.filter(slug="astrology").exists()


def test_coordinator_may_tag_with_a_new_topic_which_joins_the_community(community: Community, owner: User) -> None:
    thread = ask(community, owner, tags=["Managed pressure drilling"])

    assert [t.slug for t in thread.tags.all()] == ["managed-pressure-drilling"]
    assert community.topics.filter(slug="managed-pressure-drilling").exists()


def test_member_may_tag_with_a_new_topic_when_the_community_allows_it(community: Community, member: User) -> None:
    Community.objects.filter(pk=community.pk).update(members_can_add_tags=True)
    community.refresh_from_db()

    thread = ask(community, member, tags=["Plug and abandonment"])

    assert [t.slug for t in thread.tags.all()] == ["plug-and-abandonment"]
    assert community.topics.filter(slug="plug-and-abandonment").exists()


def test_more_than_eight_tags_are_refused(community: Community, owner: User) -> None:
    tags = [f"Topic {i}" for i in range(services.MAX_TAGS + 1)]

    exc = _refused(ValidationError, lambda: ask(community, owner, tags=tags))

    assert _messages(exc, "tags") == [f"At most {services.MAX_TAGS} tags."]


@pytest.mark.parametrize("body", ["", "   ", "\n\t \n"])
def test_empty_or_whitespace_body_is_refused(community: Community, member: User, body: str) -> None:
    exc = _refused(ValidationError, lambda: ask(community, member, body=body))

    assert _messages(exc, "body") == ["Write something: the text is empty."]


def test_body_one_byte_over_64_kb_is_refused_with_the_limit_and_nothing_is_written(
    community: Community, member: User
) -> None:
    # Bytes, not characters: 32,768 two-byte characters fill the limit exactly.
    body = "é" * (MAX_BODY_BYTES // 2) + "!"

    exc = _refused(ValidationError, lambda: ask(community, member, body=body))

    assert _messages(exc, "body") == ["The text is too long: 65,537 bytes; the limit is 65,536 bytes (64 KB)."]


def test_body_of_exactly_64_kb_is_accepted(community: Community, member: User) -> None:
    body = "é" * (MAX_BODY_BYTES // 2)
    assert len(body.encode()) == 64 * 1024

    thread = ask(community, member, body=body)

    assert opening(thread).body_source == body


def test_a_reply_over_64_kb_is_refused_too(question: Thread, helper: User) -> None:
    exc = _refused(ValidationError, lambda: answer(question, helper, "x" * (MAX_BODY_BYTES + 1)))

    assert "the limit is 65,536 bytes (64 KB)" in _messages(exc, "body")[0]
    assert fresh(question).reply_count == 0


def test_title_of_201_characters_is_refused(community: Community, member: User) -> None:
    exc = _refused(ValidationError, lambda: ask(community, member, "t" * (MAX_TITLE_LENGTH + 1)))

    assert _messages(exc, "title") == ["A title may have at most 200 characters (it has 201)."]


def test_title_of_200_characters_is_accepted(community: Community, member: User) -> None:
    assert len(ask(community, member, "t" * MAX_TITLE_LENGTH).title) == 200


def test_blank_title_is_refused(community: Community, member: User) -> None:
    exc = _refused(ValidationError, lambda: ask(community, member, "   "))

    assert _messages(exc, "title") == ["Give your thread a title."]


def test_unknown_kind_is_refused(community: Community, member: User) -> None:
    exc = _refused(ValidationError, lambda: ask(community, member, kind="poll"))

    assert "“poll” is not one of: question, discussion, idea." in _messages(exc, "kind")


# --- post_create ----------------------------------------------------------------------------------


def test_reply_by_another_member_updates_count_activity_and_first_response(question: Thread, helper: User) -> None:
    before = timezone.now()

    post = answer(question, helper)

    thread = fresh(question)
    assert thread.reply_count == 1
    assert thread.last_activity_at == post.created_at >= before
    assert thread.first_response_at == post.created_at
    assert [r.number for r in post.revisions.all()] == [1]


def test_second_reply_keeps_the_first_response_time(question: Thread, helper: User, owner: User) -> None:
    first = answer(question, helper)
    second = answer(question, owner)

    thread = fresh(question)
    assert thread.reply_count == 2
    assert thread.first_response_at == first.created_at
    assert thread.last_activity_at == second.created_at


def test_self_reply_counts_but_does_not_set_first_response(question: Thread, member: User) -> None:
    post = answer(question, member, "Update: we also tried swellable packers.")

    thread = fresh(question)
    assert thread.reply_count == 1
    assert thread.last_activity_at == post.created_at
    assert thread.first_response_at is None


def test_outsider_of_public_community_cannot_reply(question: Thread, outsider: User) -> None:
    _refused(PermissionDenied, lambda: answer(question, outsider), match="Join this community to reply")


def test_outsider_of_private_community_gets_404_on_reply(private_community: Community, member: User,
                                                        outsider: User) -> None:
    thread = ask(private_community, member)

    _refused(Http404, lambda: answer(thread, outsider))


def test_empty_reply_is_refused(question: Thread, helper: User) -> None:
    _refused(ValidationError, lambda: answer(question, helper, "  \n "))


def test_locked_thread_refuses_replies_and_comments_from_members(question: Thread, owner: User,
                                                                helper: User) -> None:
    services.thread_moderate(thread=question, actor=owner, action="lock")
    locked = fresh(question)

    _refused(PermissionDenied, lambda: answer(locked, helper), match="locked")
    _refused(PermissionDenied, lambda: services.comment_create(post=opening(locked), author=helper, body="Why?"),
             match="locked")


def test_locked_thread_still_takes_replies_and_comments_from_a_coordinator(question: Thread, owner: User) -> None:
    services.thread_moderate(thread=question, actor=owner, action="lock")
    locked = fresh(question)

    answer(locked, owner, "Locking this; the summary is below.")
    services.comment_create(post=opening(locked), author=owner, body="See the summary.")

    assert fresh(question).reply_count == 1
    assert Comment.objects.filter(post__thread=question).count() == 1


def test_deleted_thread_takes_no_reply(question: Thread, member: User, helper: User) -> None:
    services.post_delete(post=opening(question), actor=member)

    _refused(PermissionDenied, lambda: answer(fresh(question), helper), match="deleted")


# --- comment_create -------------------------------------------------------------------------------


def test_member_comments_on_a_post(question: Thread, helper: User) -> None:
    comment = services.comment_create(post=opening(question), author=helper, body="  Which *depth*?  ")

    assert comment.body_source == "Which *depth*?"
    assert "<em>depth</em>" in comment.body_html
    assert fresh(question).last_activity_at == comment.created_at
    assert fresh(question).reply_count == 0


def test_comment_of_the_maximum_length_is_accepted_and_one_more_character_refused(question: Thread,
                                                                                helper: User) -> None:
    post = opening(question)
    services.comment_create(post=post, author=helper, body="c" * MAX_COMMENT_LENGTH)

    exc = _refused(
        ValidationError, lambda: services.comment_create(post=post, author=helper, body="c" * (MAX_COMMENT_LENGTH + 1))
    )

    assert _messages(exc, "body") == ["A comment may have at most 1000 characters; write a reply instead."]


def test_empty_comment_is_refused(question: Thread, helper: User) -> None:
    _refused(ValidationError, lambda: services.comment_create(post=opening(question), author=helper, body=" "))


def test_outsider_cannot_comment(question: Thread, outsider: User) -> None:
    _refused(PermissionDenied, lambda: services.comment_create(post=opening(question), author=outsider, body="Hi"))


def test_comment_on_a_deleted_post_is_refused(question: Thread, helper: User, owner: User) -> None:
    reply = answer(question, helper)
    services.post_delete(post=reply, actor=helper)
    reply.refresh_from_db()

    _refused(PermissionDenied, lambda: services.comment_create(post=reply, author=owner, body="Why?"))


# --- vote_set -------------------------------------------------------------------------------------


def test_vote_counts_once_and_voting_twice_changes_nothing(question: Thread, helper: User) -> None:
    post = opening(question)

    assert services.vote_set(post=post, user=helper).upvotes == 1
    assert services.vote_set(post=post, user=helper).upvotes == 1

    assert Vote.objects.filter(post=post).count() == 1
    assert fresh(question).score == 1


def test_vote_is_undone_and_undoing_twice_changes_nothing(question: Thread, helper: User) -> None:
    post = opening(question)
    services.vote_set(post=post, user=helper)

    assert services.vote_set(post=post, user=helper, up=False).upvotes == 0
    assert services.vote_set(post=post, user=helper, up=False).upvotes == 0

    assert not Vote.objects.filter(post=post).exists()
    assert fresh(question).score == 0


def test_votes_from_several_members_add_up(question: Thread, helper: User, owner: User) -> None:
    post = opening(question)
    services.vote_set(post=post, user=helper)
    services.vote_set(post=post, user=owner)

    assert Post.objects.get(pk=post.pk).score == 2
    assert fresh(question).score == 2


def test_vote_on_a_reply_does_not_change_the_thread_score(question: Thread, helper: User, member: User) -> None:
    reply = answer(question, helper)

    assert services.vote_set(post=reply, user=member).upvotes == 1
    assert fresh(question).score == 0


def test_vote_on_own_post_is_refused(question: Thread, member: User) -> None:
    _refused(PermissionDenied, lambda: services.vote_set(post=opening(question), user=member),
             match="your own post")

    assert opening(question).upvotes == 0


def test_outsider_cannot_vote(question: Thread, outsider: User) -> None:
    _refused(PermissionDenied, lambda: services.vote_set(post=opening(question), user=outsider), match="Join")


def test_vote_on_a_deleted_post_is_refused(question: Thread, helper: User, member: User) -> None:
    reply = answer(question, helper)
    services.post_delete(post=reply, actor=helper)
    reply.refresh_from_db()

    _refused(PermissionDenied, lambda: services.vote_set(post=reply, user=member))


# --- answer_accept --------------------------------------------------------------------------------


def test_asker_accepts_an_answer_and_the_question_is_solved(question: Thread, member: User, helper: User) -> None:
    reply = answer(question, helper)

    services.answer_accept(post=reply, actor=member)

    thread = fresh(question)
    assert thread.accepted_post == reply
    assert thread.is_solved


def test_coordinator_accepts_an_answer_in_someone_elses_question(question: Thread, owner: User,
                                                                 helper: User) -> None:
    reply = answer(question, helper)

    services.answer_accept(post=reply, actor=owner)

    assert fresh(question).accepted_post == reply


def test_another_member_cannot_accept_an_answer(question: Thread, helper: User, community: Community) -> None:
    reply = answer(question, helper)
    other = person("other", community)

    _refused(PermissionDenied, lambda: services.answer_accept(post=reply, actor=other),
             match="Only the person who asked")
    _refused(PermissionDenied, lambda: services.answer_accept(post=reply, actor=helper))

    assert fresh(question).accepted_post is None


def test_outsider_of_private_community_gets_404_on_accept(private_community: Community, member: User,
                                                          owner: User, outsider: User) -> None:
    thread = ask(private_community, member)
    reply = answer(thread, owner)

    _refused(Http404, lambda: services.answer_accept(post=reply, actor=outsider))


def test_a_discussion_has_no_accepted_answer(community: Community, member: User, helper: User) -> None:
    thread = ask(community, member, "Favourite logging tools", kind=ThreadKind.DISCUSSION)
    reply = answer(thread, helper)

    exc = _refused(ValidationError, lambda: services.answer_accept(post=reply, actor=member))

    assert _messages(exc, "detail") == ["Only questions have an accepted answer."]
    assert fresh(thread).accepted_post is None


def test_the_asker_changes_the_accepted_answer(question: Thread, member: User, helper: User, owner: User) -> None:
    first = answer(question, helper)
    better = answer(question, owner)
    services.answer_accept(post=first, actor=member)

    services.answer_accept(post=better, actor=member)

    assert fresh(question).accepted_post == better


def test_the_asker_takes_back_the_acceptance(question: Thread, member: User, helper: User) -> None:
    reply = answer(question, helper)
    services.answer_accept(post=reply, actor=member)

    services.answer_accept(post=reply, actor=member, accept=False)

    assert fresh(question).accepted_post is None


def test_undoing_acceptance_of_another_reply_keeps_the_accepted_one(question: Thread, member: User,
                                                                   helper: User, owner: User) -> None:
    accepted = answer(question, helper)
    other = answer(question, owner)
    services.answer_accept(post=accepted, actor=member)

    services.answer_accept(post=other, actor=member, accept=False)

    assert fresh(question).accepted_post == accepted


def test_the_question_itself_cannot_be_accepted(question: Thread, member: User) -> None:
    _refused(ValidationError, lambda: services.answer_accept(post=opening(question), actor=member))


def test_deleting_the_accepted_answer_unsolves_the_question(question: Thread, member: User, helper: User) -> None:
    reply = answer(question, helper)
    services.answer_accept(post=reply, actor=member)

    services.post_delete(post=reply, actor=helper)

    assert fresh(question).accepted_post is None


# --- post_edit ------------------------------------------------------------------------------------


def test_edit_creates_a_revision_whose_text_gives_a_readable_diff(question: Thread, member: User) -> None:
    post = opening(question)
    original = post.body_source

    edited = services.post_edit(
        post=post, editor=member, body=original + "\n\nWell depth: 4,200 m.", expected_version=1, note="depth"
    )

    assert edited.version == 2
    assert edited.edited_at is not None
    assert "4,200 m" in Post.objects.get(pk=post.pk).body_html
    revisions = list(post.revisions.order_by("number"))
    assert [(r.number, r.editor, r.note) for r in revisions] == [(1, member, ""), (2, member, "depth")]
    diff = line_diff(revisions[0].body_source, revisions[1].body_source)
    assert [(line.op, line.text) for line in diff] == [
        ("same", original),
        ("added", ""),
        ("added", "Well depth: 4,200 m."),
    ]


def test_edit_of_the_opening_post_changes_title_and_tags_and_records_them(question: Thread, member: User) -> None:
    services.post_edit(
        post=opening(question), editor=member, body="Same text.", expected_version=1,
        title="Which packer for 200 °C wells?", tags="Drilling",
    )

    thread = fresh(question)
    assert thread.title == "Which packer for 200 °C wells?"
    assert [t.slug for t in thread.tags.all()] == ["drilling"]
    last = opening(question).revisions.order_by("-number").first()
    assert (last.title, last.tags) == ("Which packer for 200 °C wells?", ["drilling"])


def test_coordinator_edits_a_members_post(question: Thread, owner: User) -> None:
    services.post_edit(post=opening(question), editor=owner, body="Tidied.", expected_version=1)

    assert opening(question).body_source == "Tidied."
    assert opening(question).revisions.get(number=2).editor == owner


def test_another_member_cannot_edit(question: Thread, helper: User) -> None:
    _refused(PermissionDenied, lambda: services.post_edit(post=opening(question), editor=helper, body="Mine now",
                                                          expected_version=1))


def test_edit_with_an_empty_body_is_refused(question: Thread, member: User) -> None:
    _refused(ValidationError, lambda: services.post_edit(post=opening(question), editor=member, body=" ",
                                                         expected_version=1))


def test_title_and_tags_on_a_reply_are_refused(question: Thread, helper: User) -> None:
    reply = answer(question, helper)

    _refused(ValidationError, lambda: services.post_edit(post=reply, editor=helper, body="x", expected_version=1,
                                                         title="A reply has no title"))


def test_concurrent_edit_with_a_stale_version_raises_a_conflict_with_both_versions(question: Thread, member: User,
                                                                                  owner: User) -> None:
    post = opening(question)
    services.post_edit(post=post, editor=owner, body="The coordinator's version.", expected_version=1)
    saved = Post.objects.get(pk=post.pk)

    exc = _refused(
        services.PostEditConflict,
        lambda: services.post_edit(post=post, editor=member, body="The asker's version.", expected_version=1,
                                   title="A new title"),
    )

    assert isinstance(exc, services.PostEditConflict)
    assert exc.conflict.current_version == 2
    assert exc.conflict.current_body == "The coordinator's version."
    assert exc.conflict.your_body == "The asker's version."
    assert (exc.conflict.current_title, exc.conflict.your_title) == ("Which packer for HPHT wells?", "A new title")
    assert "Someone else changed this post" in exc.messages[0]
    after = Post.objects.get(pk=post.pk)
    assert (after.body_source, after.body_html, after.version) == (saved.body_source, saved.body_html, 2)
    assert fresh(question).title == "Which packer for HPHT wells?"


# --- post_delete and post_restore -----------------------------------------------------------------


def test_author_deletes_and_restores_a_reply(question: Thread, helper: User) -> None:
    reply = answer(question, helper)

    services.post_delete(post=reply, actor=helper)
    reply.refresh_from_db()
    assert reply.is_deleted and reply.deleted_by == helper
    assert fresh(question).reply_count == 0

    services.post_restore(post=reply, actor=helper)
    reply.refresh_from_db()
    assert not reply.is_deleted and reply.deleted_by is None
    assert fresh(question).reply_count == 1


def test_coordinator_deletes_and_restores_a_members_reply(question: Thread, helper: User, owner: User) -> None:
    reply = answer(question, helper)

    services.post_delete(post=reply, actor=owner)
    assert Post.objects.get(pk=reply.pk).deleted_by == owner

    services.post_restore(post=Post.objects.get(pk=reply.pk), actor=owner)
    assert Post.objects.get(pk=reply.pk).deleted_at is None
    assert list(ModerationAction.objects.filter(thread=question).values_list("action", flat=True).order_by("id")) == [
        "delete", "restore"
    ]


def test_another_member_can_neither_delete_nor_restore(question: Thread, helper: User, community: Community) -> None:
    reply = answer(question, helper)
    other = person("other", community)

    _refused(PermissionDenied, lambda: services.post_delete(post=reply, actor=other))
    services.post_delete(post=reply, actor=helper)
    reply.refresh_from_db()
    _refused(PermissionDenied, lambda: services.post_restore(post=reply, actor=other))

    assert Post.objects.get(pk=reply.pk).is_deleted


def test_deleting_the_opening_post_deletes_the_thread_and_restoring_brings_it_back(question: Thread,
                                                                                   member: User) -> None:
    services.post_delete(post=opening(question), actor=member)
    assert fresh(question).is_deleted
    assert Thread.objects.filter(pk=question.pk).exists()  # soft: nothing is lost

    services.post_restore(post=opening(question), actor=member)
    assert not fresh(question).is_deleted


def test_deleting_the_only_reply_by_someone_else_puts_the_thread_back_in_the_unheard_queue(
    question: Thread, helper: User, community: Community
) -> None:
    reply = answer(question, helper)
    assert question not in selectors.unheard_queue(community=community)

    services.post_delete(post=reply, actor=helper)

    thread = fresh(question)
    assert (thread.first_response_at, thread.reply_count) == (None, 0)
    assert list(selectors.unheard_queue(community=community)) == [question]


def test_deleting_the_first_of_two_replies_moves_the_first_response_to_the_second(
    question: Thread, helper: User, owner: User
) -> None:
    first = answer(question, helper)
    second = answer(question, owner)

    services.post_delete(post=first, actor=helper)

    assert fresh(question).first_response_at == second.created_at


# --- idea_status_set ------------------------------------------------------------------------------


@pytest.fixture
def idea(community: Community, member: User) -> Thread:
    return ask(community, member, "A shared barrier checklist", kind=ThreadKind.IDEA)


def test_coordinator_sets_an_ideas_status_with_a_reason(idea: Thread, owner: User) -> None:
    services.idea_status_set(thread=idea, actor=owner, status=IdeaStatus.PLANNED, reason=" For the Q3 workshop. ")

    thread = fresh(idea)
    assert (thread.idea_status, thread.idea_status_reason) == ("planned", "For the Q3 workshop.")
    action = ModerationAction.objects.get(thread=idea)
    assert (action.action, action.details) == (
        "idea-status", {"old": "open", "new": "planned", "reason": "For the Q3 workshop."}
    )


def test_member_cannot_set_an_ideas_status(idea: Thread, member: User) -> None:
    _refused(PermissionDenied, lambda: services.idea_status_set(thread=idea, actor=member, status="done"))

    assert fresh(idea).idea_status == IdeaStatus.OPEN


def test_unknown_idea_status_is_refused(idea: Thread, owner: User) -> None:
    _refused(ValidationError, lambda: services.idea_status_set(thread=idea, actor=owner, status="maybe"))


def test_a_question_has_no_idea_status(question: Thread, owner: User) -> None:
    _refused(ValidationError, lambda: services.idea_status_set(thread=question, actor=owner, status="planned"))


def test_idea_status_reason_over_500_characters_is_refused(idea: Thread, owner: User) -> None:
    _refused(ValidationError, lambda: services.idea_status_set(thread=idea, actor=owner, status="declined",
                                                               reason="r" * 501))


# --- flags ----------------------------------------------------------------------------------------


def test_member_flags_a_post_once_however_often_they_try(question: Thread, helper: User) -> None:
    post = opening(question)

    first = services.flag_create(post=post, reporter=helper, reason=Flag.Reason.SPAM)
    again = services.flag_create(post=post, reporter=helper, reason=Flag.Reason.OFFENSIVE)

    assert again == first
    assert Flag.objects.filter(post=post).count() == 1


def test_two_members_flag_the_same_post(question: Thread, helper: User, owner: User) -> None:
    post = opening(question)
    services.flag_create(post=post, reporter=helper, reason=Flag.Reason.SPAM)
    services.flag_create(post=post, reporter=owner, reason=Flag.Reason.OFF_TOPIC)

    assert Flag.objects.filter(post=post, resolved_at=None).count() == 2


def test_outsider_cannot_flag(question: Thread, outsider: User) -> None:
    _refused(PermissionDenied, lambda: services.flag_create(post=opening(question), reporter=outsider, reason="spam"))


def test_flag_needs_a_known_reason_and_details_for_something_else(question: Thread, helper: User) -> None:
    post = opening(question)

    _refused(ValidationError, lambda: services.flag_create(post=post, reporter=helper, reason="boring"))
    exc = _refused(ValidationError, lambda: services.flag_create(post=post, reporter=helper, reason="other"))
    assert _messages(exc, "details") == ["Say what is wrong."]


def test_coordinator_hides_a_flagged_post_and_every_open_flag_on_it_closes(question: Thread, helper: User,
                                                                          owner: User, community: Community) -> None:
    reply = answer(question, helper)
    first = services.flag_create(post=reply, reporter=person("a", community), reason=Flag.Reason.SPAM)
    services.flag_create(post=reply, reporter=person("b", community), reason=Flag.Reason.SPAM)

    resolved = services.flag_resolve(flag=first, actor=owner, hide=True)

    assert (resolved.resolution, resolved.resolved_by) == ("hidden", owner)
    assert set(Flag.objects.filter(post=reply).values_list("resolution", flat=True)) == {"hidden"}
    assert Post.objects.get(pk=reply.pk).is_hidden
    assert not selectors.open_flags(community=community).exists()


def test_coordinator_dismisses_a_flag_and_the_post_stays_visible(question: Thread, helper: User,
                                                                owner: User) -> None:
    reply = answer(question, helper)
    flag = services.flag_create(post=reply, reporter=owner, reason=Flag.Reason.OFF_TOPIC)

    assert services.flag_resolve(flag=flag, actor=owner, hide=False).resolution == "dismissed"
    assert not Post.objects.get(pk=reply.pk).is_hidden


def test_member_can_flag_again_after_the_flag_was_resolved(question: Thread, helper: User, owner: User) -> None:
    post = opening(question)
    services.flag_resolve(flag=services.flag_create(post=post, reporter=helper, reason="spam"), actor=owner, hide=False)

    services.flag_create(post=post, reporter=helper, reason="spam")

    assert Flag.objects.filter(post=post, reporter=helper).count() == 2


def test_member_cannot_resolve_a_flag(question: Thread, helper: User, member: User) -> None:
    flag = services.flag_create(post=opening(question), reporter=helper, reason="spam")

    _refused(PermissionDenied, lambda: services.flag_resolve(flag=flag, actor=member, hide=True))

    assert not Post.objects.get(pk=flag.post_id).is_hidden


# --- thread moderation ----------------------------------------------------------------------------


@pytest.mark.parametrize(("action", "field", "value"), [
    ("lock", "is_locked", True), ("pin", "is_pinned", True), ("hide", "is_hidden", True),
])
def test_coordinator_locks_pins_and_hides_a_thread_and_undoes_it(question: Thread, owner: User, action: str,
                                                                 field: str, value: bool) -> None:
    services.thread_moderate(thread=question, actor=owner, action=action)
    assert getattr(fresh(question), field) is value

    services.thread_moderate(thread=fresh(question), actor=owner, action="un" + action)
    assert getattr(fresh(question), field) is not value


def test_member_cannot_moderate_a_thread(question: Thread, member: User) -> None:
    _refused(PermissionDenied, lambda: services.thread_moderate(thread=question, actor=member, action="pin"))


def test_unknown_moderation_action_is_refused(question: Thread, owner: User) -> None:
    _refused(ValidationError, lambda: services.thread_moderate(thread=question, actor=owner, action="explode"))


def test_coordinator_moves_a_thread_to_another_community_they_coordinate(question: Thread, owner: User,
                                                                         community: Community) -> None:
    target = CommunityFactory(creator=owner, name="Completions", slug="completions")

    services.thread_move(thread=question, actor=owner, target=target)

    assert fresh(question).community == target
    assert target.topics.filter(slug="well-integrity").exists()
    assert ModerationAction.objects.get(thread=question).details == {"source": community.slug,
                                                                     "target": "completions"}


def test_coordinator_cannot_move_a_thread_to_a_community_they_only_belong_to(question: Thread, owner: User) -> None:
    target = CommunityFactory(name="Completions", slug="completions")
    join(target, owner, Role.MEMBER)

    exc = _refused(ValidationError, lambda: services.thread_move(thread=question, actor=owner, target=target))

    assert _messages(exc, "community") == ["You can move threads only to communities you coordinate."]
    assert fresh(question).community_id == question.community_id


def test_coordinator_of_the_target_only_cannot_move_a_thread(question: Thread, member: User) -> None:
    target = CommunityFactory(creator=member, name="Completions", slug="completions")

    _refused(PermissionDenied, lambda: services.thread_move(thread=question, actor=member, target=target))


def test_moving_a_thread_to_its_own_community_is_refused(question: Thread, owner: User,
                                                         community: Community) -> None:
    _refused(ValidationError, lambda: services.thread_move(thread=question, actor=owner, target=community))


def test_coordinator_marks_a_question_as_a_duplicate_and_clears_it(question: Thread, owner: User,
                                                                   community: Community, helper: User) -> None:
    original = ask(community, helper, "Packers for high temperature")

    services.thread_mark_duplicate(thread=question, actor=owner, original=original)
    assert fresh(question).duplicate_of == original
    assert list(original.duplicates.all()) == [question]
    # Both stay listed (and so searchable).
    listed = selectors.threads_list(community=community, access=selectors.Access(community, helper))
    assert {question, original} <= set(listed)

    services.thread_mark_duplicate(thread=fresh(question), actor=owner, original=None)
    assert fresh(question).duplicate_of is None


def test_a_thread_cannot_duplicate_itself(question: Thread, owner: User) -> None:
    exc = _refused(ValidationError, lambda: services.thread_mark_duplicate(thread=question, actor=owner,
                                                                           original=question))

    assert _messages(exc, "original") == ["A thread cannot duplicate itself."]


def test_two_threads_cannot_duplicate_each_other(question: Thread, owner: User, community: Community) -> None:
    original = ask(community, owner, "Packers for high temperature")
    services.thread_mark_duplicate(thread=question, actor=owner, original=original)

    _refused(ValidationError, lambda: services.thread_mark_duplicate(thread=original, actor=owner,
                                                                     original=fresh(question)))


def test_member_cannot_mark_a_duplicate(question: Thread, member: User, community: Community) -> None:
    original = ask(community, member, "Packers for high temperature")

    _refused(PermissionDenied, lambda: services.thread_mark_duplicate(thread=question, actor=member,
                                                                      original=original))


def test_duplicate_of_a_thread_the_coordinator_cannot_read_is_refused(question: Thread, owner: User) -> None:
    stranger = person("stranger")
    hidden_community = CommunityFactory(creator=stranger, name="Secret", slug="secret", visibility="private")
    secret = ask(hidden_community, stranger, "Secret question")

    _refused(ValidationError, lambda: services.thread_mark_duplicate(thread=question, actor=owner, original=secret))


# --- mentions -------------------------------------------------------------------------------------


def test_mention_of_a_member_is_recorded_and_linked(private_community: Community, member: User,
                                                    owner: User) -> None:
    thread = ask(private_community, member, body="What do you think, @owner?")

    mention = Mention.objects.get()
    assert (mention.user, mention.author, mention.post, mention.comment) == (owner, member, opening(thread), None)
    assert 'href="/people/owner/"' in opening(thread).body_html


def test_mention_of_someone_who_cannot_see_the_thread_records_nothing_and_stays_text(
    private_community: Community, member: User, outsider: User
) -> None:
    thread = ask(private_community, member, body="Maybe @outsider knows?")

    assert not Mention.objects.exists()
    assert "/people/outsider/" not in opening(thread).body_html
    assert "@outsider" in opening(thread).body_html


def test_mention_of_a_non_member_in_a_members_only_community_records_nothing(
    members_only_community: Community, member: User, outsider: User
) -> None:
    ask(members_only_community, member, body="cc @outsider")

    assert not Mention.objects.exists()


def test_mention_of_anyone_in_a_public_community_is_recorded(community: Community, member: User,
                                                             outsider: User) -> None:
    ask(community, member, body="cc @outsider")

    assert list(Mention.objects.values_list("user__username", flat=True)) == ["outsider"]


def test_mention_of_an_unknown_name_or_of_oneself_records_nothing(community: Community, member: User) -> None:
    ask(community, member, body="@nobody-here and @member")

    assert not Mention.objects.exists()


def test_mentions_in_replies_and_comments_are_recorded_against_their_post(question: Thread, helper: User,
                                                                          owner: User) -> None:
    reply = answer(question, helper, "@owner has done this before")
    comment = services.comment_create(post=reply, author=owner, body="Yes, ask @helper for the log.")

    assert set(Mention.objects.values_list("post_id", "comment_id", "user__username")) == {
        (reply.pk, None, "owner"),
        (reply.pk, comment.pk, "helper"),
    }


def test_mention_inside_code_records_nothing(community: Community, member: User, owner: User) -> None:
    ask(community, member, body="Run `grep @owner` and\n\n```\n@owner\n```")

    assert not Mention.objects.exists()


def test_editing_in_a_new_mention_records_it_once(question: Thread, member: User, owner: User) -> None:
    post = opening(question)
    services.post_edit(post=post, editor=member, body="cc @owner", expected_version=1)
    services.post_edit(post=Post.objects.get(pk=post.pk), editor=member, body="cc @owner again", expected_version=2)

    assert Mention.objects.filter(user=owner).count() == 1


def test_outsider_cannot_read_through_the_edit_service_of_a_private_thread(private_community: Community,
                                                                           member: User, outsider: User) -> None:
    thread = ask(private_community, member)

    _refused(Http404, lambda: services.post_edit(post=opening(thread), editor=outsider, body="x",
                                                 expected_version=1))
    _refused(Http404, lambda: services.post_delete(post=opening(thread), actor=outsider))
