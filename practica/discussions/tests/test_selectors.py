"""The permission-scoped reads: thread lists and their filters, the unheard queue, one thread for one person.

A thread a person may not see answers 404, the same way whatever the reason (community, slug, deletion).
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access
from practica.discussions import selectors, services
from practica.discussions.models import Thread, ThreadKind
from practica.lib.testing.content import ago, answer, ask, fresh, join, opening, person
from practica.lib.testing.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def _titles(threads: object) -> list[str]:
    return [t.title for t in threads]  # type: ignore[attr-defined]


def _list(community: Community, user: User | AnonymousUser, **filters: object) -> list[str]:
    return _titles(selectors.threads_list(community=community, access=Access(community, user), **filters))


@pytest.fixture
def helper(community: Community) -> User:
    return person("helper", community)


@pytest.fixture
def board(community: Community, owner: User, member: User, helper: User) -> dict[str, Thread]:
    """Threads of every kind and state, created an hour apart (oldest first) so sorting is unambiguous."""
    threads = {
        "solved": ask(community, member, "Solved question", tags=["Well integrity"], created_at=ago(hours=6)),
        "answered": ask(community, helper, "Answered question", tags=["Drilling"], created_at=ago(hours=5)),
        "unanswered": ask(community, member, "Unanswered question", created_at=ago(hours=4)),
        "discussion": ask(community, helper, "A discussion", kind=ThreadKind.DISCUSSION, tags=["Drilling"],
                          created_at=ago(hours=3)),
        "idea": ask(community, owner, "An idea", kind=ThreadKind.IDEA, tags=["Well integrity", "Drilling"],
                    created_at=ago(hours=2)),
    }
    services.answer_accept(post=answer(threads["solved"], helper), actor=member)
    answer(threads["answered"], owner)
    for thread in threads.values():
        Thread.objects.filter(pk=thread.pk).update(last_activity_at=thread.created_at)
    # The oldest thread is the most recently active, and the discussion the most voted.
    Thread.objects.filter(pk=threads["solved"].pk).update(last_activity_at=ago(minutes=1))
    services.vote_set(post=opening(threads["discussion"]), user=member)
    services.vote_set(post=opening(threads["discussion"]), user=owner)
    services.vote_set(post=opening(threads["unanswered"]), user=helper)
    return {name: fresh(thread) for name, thread in threads.items()}


# --- threads_list ---------------------------------------------------------------------------------


def test_threads_list_sorts_by_latest_activity_by_default(board: dict[str, Thread], community: Community,
                                                          member: User) -> None:
    assert _list(community, member) == [
        "Solved question", "An idea", "A discussion", "Unanswered question", "Answered question"
    ]


def test_threads_list_sorts_by_newest(board: dict[str, Thread], community: Community, member: User) -> None:
    assert _list(community, member, sort="newest") == [
        "An idea", "A discussion", "Unanswered question", "Answered question", "Solved question"
    ]


def test_threads_list_sorts_by_votes_then_activity(board: dict[str, Thread], community: Community,
                                                   member: User) -> None:
    assert _list(community, member, sort="votes") == [
        "A discussion", "Unanswered question", "Solved question", "An idea", "Answered question"
    ]


def test_threads_list_falls_back_to_activity_for_an_unknown_sort(board: dict[str, Thread], community: Community,
                                                                 member: User) -> None:
    assert _list(community, member, sort="random") == _list(community, member, sort="activity")


@pytest.mark.parametrize("sort", ["activity", "newest", "votes"])
def test_pinned_threads_come_first_whatever_the_sort(board: dict[str, Thread], community: Community,
                                                     owner: User, member: User, sort: str) -> None:
    services.thread_moderate(thread=board["answered"], actor=owner, action="pin")

    assert _list(community, member, sort=sort)[0] == "Answered question"


@pytest.mark.parametrize(("kind", "expected"), [
    ("question", ["Solved question", "Unanswered question", "Answered question"]),
    ("discussion", ["A discussion"]),
    ("idea", ["An idea"]),
])
def test_threads_list_filters_by_kind(board: dict[str, Thread], community: Community, member: User, kind: str,
                                      expected: list[str]) -> None:
    assert _list(community, member, kind=kind) == expected


def test_threads_list_filters_by_tag(board: dict[str, Thread], community: Community, member: User) -> None:
    assert _list(community, member, tag="well-integrity") == ["Solved question", "An idea"]
    assert _list(community, member, tag="drilling") == ["An idea", "A discussion", "Answered question"]
    assert _list(community, member, tag="astrology") == []


def test_threads_list_filters_solved(board: dict[str, Thread], community: Community, member: User) -> None:
    assert _list(community, member, status="solved") == ["Solved question"]


def test_threads_list_filters_unsolved_questions(board: dict[str, Thread], community: Community,
                                                 member: User) -> None:
    assert _list(community, member, status="unsolved") == ["Unanswered question", "Answered question"]


def test_threads_list_filters_unanswered(board: dict[str, Thread], community: Community, member: User) -> None:
    assert _list(community, member, status="unanswered") == ["An idea", "A discussion", "Unanswered question"]


def test_threads_list_filters_mine(board: dict[str, Thread], community: Community, member: User,
                                   helper: User) -> None:
    assert _list(community, member, mine=True) == ["Solved question", "Unanswered question"]
    assert _list(community, helper, mine=True) == ["A discussion", "Answered question"]


def test_mine_is_ignored_for_anonymous_visitors(board: dict[str, Thread], community: Community) -> None:
    assert len(_list(community, AnonymousUser(), mine=True)) == 5


def test_threads_list_combines_filters(board: dict[str, Thread], community: Community, member: User) -> None:
    assert _list(community, member, kind="question", tag="drilling", status="unsolved") == ["Answered question"]


def test_threads_list_searches_titles(board: dict[str, Thread], community: Community, member: User) -> None:
    assert _list(community, member, q="QUESTION", status="unsolved") == ["Unanswered question", "Answered question"]


def test_hidden_thread_is_invisible_to_members_but_visible_to_the_coordinator(
    board: dict[str, Thread], community: Community, owner: User, helper: User
) -> None:
    services.thread_moderate(thread=board["unanswered"], actor=owner, action="hide")

    assert "Unanswered question" not in _list(community, helper)
    assert "Unanswered question" not in _list(community, AnonymousUser())
    assert "Unanswered question" in _list(community, owner)


def test_deleted_thread_is_invisible_to_everyone_in_the_list(board: dict[str, Thread], community: Community,
                                                             owner: User, member: User) -> None:
    services.post_delete(post=opening(board["unanswered"]), actor=member)

    for viewer in (member, owner, AnonymousUser()):
        assert "Unanswered question" not in _list(community, viewer)


def test_threads_list_shows_only_the_communitys_threads(board: dict[str, Thread], community: Community,
                                                        private_community: Community, member: User) -> None:
    ask(private_community, member, "Elsewhere")

    assert "Elsewhere" not in _list(community, member)
    assert _list(private_community, member) == ["Elsewhere"]


def test_threads_list_rows_carry_author_community_and_sorted_tags(board: dict[str, Thread], community: Community,
                                                                 member: User, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    threads = selectors.threads_list(community=community, access=Access(community, member))
    with django_assert_num_queries(3):  # the threads with author and profile; their tags; their community
        rows = [(t.author.display_name, t.community.slug, [tag.name for tag in t.tags.all()]) for t in threads]

    assert ("owner", "public-wells", ["Drilling", "Well integrity"]) in rows


# --- unheard_queue --------------------------------------------------------------------------------


def test_unheard_queue_holds_questions_without_answer_and_threads_with_only_author_replies_oldest_first(
    community: Community, member: User, helper: User, owner: User
) -> None:
    question = ask(community, member, "Unanswered question", created_at=ago(days=3))
    self_answered = ask(community, helper, "Only the asker replied", created_at=ago(days=2))
    answer(self_answered, helper, "Bump: anyone?")
    discussion = ask(community, member, "Discussion with own follow-up", kind=ThreadKind.DISCUSSION,
                     created_at=ago(days=4))
    answer(discussion, member, "Adding some context.")
    idea = ask(community, owner, "Idea nobody answered", kind=ThreadKind.IDEA, created_at=ago(days=1))
    heard = ask(community, member, "Answered question", created_at=ago(days=5))
    answer(heard, helper)
    heard_idea = ask(community, member, "Idea with a reply", kind=ThreadKind.IDEA, created_at=ago(days=6))
    answer(heard_idea, owner)

    queue = list(selectors.unheard_queue(community=community))

    assert queue == [discussion, question, self_answered, idea]
    assert selectors.unheard_count(community=community) == 4


def test_unheard_queue_leaves_out_deleted_and_hidden_threads_and_other_communities(
    community: Community, private_community: Community, member: User, owner: User
) -> None:
    deleted = ask(community, member, "Deleted")
    services.post_delete(post=opening(deleted), actor=member)
    hidden = ask(community, member, "Hidden")
    services.thread_moderate(thread=hidden, actor=owner, action="hide")
    ask(private_community, member, "Elsewhere")
    waiting = ask(community, member, "Waiting")

    assert list(selectors.unheard_queue(community=community)) == [waiting]
    assert selectors.unheard_count(community=community) == 1


def test_thread_leaves_the_unheard_queue_when_someone_else_answers(community: Community, member: User,
                                                                   helper: User) -> None:
    thread = ask(community, member)
    assert list(selectors.unheard_queue(community=community)) == [thread]

    answer(thread, helper)

    assert list(selectors.unheard_queue(community=community)) == []


def test_unheard_queue_marks_the_first_thread_of_an_author_in_this_community_as_a_newcomers(
    community: Community, private_community: Community, member: User, helper: User
) -> None:
    join(private_community, helper)
    ask(private_community, helper, "Helper's thread elsewhere", created_at=ago(days=9))
    helper_first = ask(community, helper, "Helper's first here", created_at=ago(days=3))
    member_first = ask(community, member, "Member's first", created_at=ago(days=2))
    member_second = ask(community, member, "Member's second", created_at=ago(days=1))

    newcomer = {t.title: t.author_is_newcomer for t in selectors.unheard_queue(community=community)}

    assert newcomer == {helper_first.title: True, member_first.title: True, member_second.title: False}


def test_an_author_whose_earlier_thread_was_answered_is_no_newcomer(community: Community, member: User,
                                                                    helper: User) -> None:
    earlier = ask(community, member, "Answered earlier", created_at=ago(days=2))
    answer(earlier, helper)
    later = ask(community, member, "Second thread")

    assert [(t, t.author_is_newcomer) for t in selectors.unheard_queue(community=community)] == [(later, False)]


# --- thread_get_for_user --------------------------------------------------------------------------


def test_member_reads_a_thread_with_their_access(community: Community, member: User) -> None:
    thread = ask(community, member)

    found, access = selectors.thread_get_for_user(thread_id=thread.pk, user=member, slug="public-wells")

    assert found == thread
    assert access.is_member and not access.can_coordinate


@pytest.mark.parametrize("visibility", ["public", "members_only", "private"])
def test_thread_in_a_readable_community_is_found_by_its_members(visibility: str, member: User,
                                                                request: pytest.FixtureRequest) -> None:
    community = request.getfixturevalue(f"{visibility}_community")
    thread = ask(community, member)

    assert selectors.thread_get_for_user(thread_id=thread.pk, user=member, slug=community.slug)[0] == thread


def test_public_thread_is_readable_by_outsiders_and_anonymous_visitors(community: Community, member: User,
                                                                       outsider: User) -> None:
    thread = ask(community, member)

    for viewer in (outsider, AnonymousUser()):
        assert selectors.thread_get_for_user(thread_id=thread.pk, user=viewer)[0] == thread


@pytest.mark.parametrize("visibility", ["members_only", "private"])
def test_outsider_and_anonymous_get_404_on_a_thread_in_a_community_they_cannot_read(
    visibility: str, member: User, outsider: User, request: pytest.FixtureRequest
) -> None:
    community = request.getfixturevalue(f"{visibility}_community")
    thread = ask(community, member)

    for viewer in (outsider, AnonymousUser()):
        with pytest.raises(Http404):
            selectors.thread_get_for_user(thread_id=thread.pk, user=viewer, slug=community.slug)
        with pytest.raises(Http404):
            selectors.thread_get_for_user(thread_id=thread.pk, user=viewer)


def test_thread_under_the_wrong_community_slug_is_404(community: Community, private_community: Community,
                                                      member: User) -> None:
    thread = ask(community, member)

    with pytest.raises(Http404):
        selectors.thread_get_for_user(thread_id=thread.pk, user=member, slug=private_community.slug)
    with pytest.raises(Http404):
        selectors.thread_get_for_user(thread_id=thread.pk, user=member, slug="no-such-community")
    # The slug is matched without regard to case, as community addresses are.
    assert selectors.thread_get_for_user(thread_id=thread.pk, user=member, slug="Public-Wells")[0] == thread


def test_unknown_thread_is_404(community: Community, member: User) -> None:
    with pytest.raises(Http404):
        selectors.thread_get_for_user(thread_id=999_999, user=member)


def test_deleted_thread_is_404_to_everyone_and_reached_to_restore_only_by_its_author_or_the_coordinator(
    community: Community, member: User, helper: User, owner: User
) -> None:
    thread = ask(community, member)
    services.post_delete(post=opening(thread), actor=member)

    for viewer in (helper, AnonymousUser()):
        with pytest.raises(Http404):
            selectors.thread_get_for_user(thread_id=thread.pk, user=viewer)
    # Gone for its author and the coordinator too, who alone are told why; they reach it to restore it.
    for viewer in (member, owner):
        with pytest.raises(Http404, match="was deleted"):
            selectors.thread_get_for_user(thread_id=thread.pk, user=viewer)
        assert selectors.thread_get_for_user(thread_id=thread.pk, user=viewer, deleted=True)[0].is_deleted
    with pytest.raises(Http404, match="No such thread"):
        selectors.thread_get_for_user(thread_id=thread.pk, user=helper, deleted=True)


def test_hidden_thread_is_404_for_members_but_readable_by_its_author_and_the_coordinator(
    community: Community, member: User, helper: User, owner: User
) -> None:
    thread = ask(community, member)
    services.thread_moderate(thread=thread, actor=owner, action="hide")

    with pytest.raises(Http404):
        selectors.thread_get_for_user(thread_id=thread.pk, user=helper)
    assert selectors.thread_get_for_user(thread_id=thread.pk, user=member)[0] == thread
    assert selectors.thread_get_for_user(thread_id=thread.pk, user=owner)[0] == thread


def test_deleted_reply_is_404_to_everyone_and_reached_to_restore_only_by_its_author_or_the_coordinator(
    community: Community, member: User, helper: User, owner: User
) -> None:
    reply = answer(ask(community, member), helper)
    services.post_delete(post=reply, actor=helper)

    with pytest.raises(Http404, match="No such post"):
        selectors.post_get_for_user(post_id=reply.pk, user=member, deleted=True)
    for viewer in (helper, owner):
        with pytest.raises(Http404, match="was deleted"):
            selectors.post_get_for_user(post_id=reply.pk, user=viewer)
        assert selectors.post_get_for_user(post_id=reply.pk, user=viewer, deleted=True)[0] == reply


def test_post_in_a_private_community_is_404_for_outsiders(private_community: Community, member: User,
                                                          outsider: User) -> None:
    post = opening(ask(private_community, member))

    with pytest.raises(Http404):
        selectors.post_get_for_user(post_id=post.pk, user=outsider)


# --- thread_page ----------------------------------------------------------------------------------


def test_thread_page_puts_the_accepted_answer_first_and_knows_the_viewers_votes(
    community: Community, member: User, helper: User, owner: User
) -> None:
    thread = ask(community, member, tags=["Well integrity", "Drilling"])
    first = answer(thread, helper)
    accepted = answer(thread, owner)
    services.answer_accept(post=accepted, actor=member)
    services.vote_set(post=first, user=member)

    page = selectors.thread_page(thread=fresh(thread), access=Access(community, member))

    assert page.opening == opening(thread)
    assert page.replies == [accepted, first]
    assert page.my_votes == {first.pk}
    assert [t.name for t in page.tags] == ["Drilling", "Well integrity"]


def test_thread_page_shows_deleted_and_hidden_replies_only_to_those_who_may_see_them(
    community: Community, member: User, helper: User, owner: User
) -> None:
    thread = ask(community, member)
    deleted = answer(thread, helper, "Deleted reply")
    services.post_delete(post=deleted, actor=helper)
    hidden = answer(thread, member, "Hidden reply")
    services.post_set_hidden(post=hidden, actor=owner, hidden=True)
    comment = services.comment_create(post=opening(thread), author=helper, body="A comment")
    kept = answer(thread, owner, "Visible reply")

    def replies(viewer: User | AnonymousUser) -> list[int]:
        return [p.pk for p in selectors.thread_page(thread=fresh(thread), access=Access(community, viewer)).replies]

    assert replies(owner) == [deleted.pk, hidden.pk, kept.pk]
    assert replies(helper) == [deleted.pk, kept.pk]
    assert replies(member) == [kept.pk]
    assert replies(AnonymousUser()) == [kept.pk]
    page = selectors.thread_page(thread=fresh(thread), access=Access(community, member))
    assert list(page.opening.comments.all()) == [comment]  # type: ignore[union-attr]


# --- feed and contributions -----------------------------------------------------------------------


def test_feed_shows_threads_from_the_persons_communities_only(
    community: Community, private_community: Community, member: User, owner: User, outsider: User
) -> None:
    ask(community, member, "Public thread", created_at=ago(hours=2))
    ask(private_community, member, "Private thread", created_at=ago(hours=1))
    other = CommunityFactory(creator=owner, name="Other", slug="other")
    ask(other, owner, "Thread elsewhere")
    hidden = ask(community, owner, "Hidden thread")
    services.thread_moderate(thread=hidden, actor=owner, action="hide")

    assert _titles(selectors.feed_for_user(user=member)) == ["Private thread", "Public thread"]
    assert _titles(selectors.feed_for_user(user=outsider)) == []
    assert _titles(selectors.feed_for_user(user=AnonymousUser())) == []


def test_contributions_show_only_posts_the_viewer_may_read(
    community: Community, private_community: Community, member: User, outsider: User
) -> None:
    ask(community, member, "Public thread")
    ask(private_community, member, "Private thread")

    def titles(viewer: User | AnonymousUser) -> list[str]:
        return [p.thread.title for p in selectors.user_contributions(user=member, viewer=viewer)]

    assert sorted(titles(member)) == ["Private thread", "Public thread"]
    assert titles(outsider) == ["Public thread"]


def test_open_flags_lists_unresolved_flags_of_the_community_oldest_first(community: Community, member: User,
                                                                         helper: User, owner: User) -> None:
    thread = ask(community, member)
    reply = answer(thread, helper)
    first = services.flag_create(post=reply, reporter=member, reason="spam")
    second = services.flag_create(post=opening(thread), reporter=helper, reason="off-topic")
    dismissed_post = answer(thread, owner)
    services.flag_resolve(flag=services.flag_create(post=dismissed_post, reporter=member, reason="spam"),
                          actor=owner, hide=False)

    assert list(selectors.open_flags(community=community)) == [first, second]
