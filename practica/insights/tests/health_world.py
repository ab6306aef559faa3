"""A small community with a known health, for the health page, API and CSV tests (not a test module).

The window is the 30 UTC days ending on ``END`` (2026-03-02 .. 2026-03-31). ``member`` asks a question on 03-02,
``owner`` answers it two hours later; ``regular`` wrote four replies in February (the 90 days before the window)
and nothing in it: a lost regular. ``grow`` adds members who each start a thread answered by the owner, so a
test can compare a community of 5 with one of 50.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from practica.accounts.models import User
from practica.communities.models import Charter, Community, Goal, Membership, Role
from practica.discussions.models import Comment, Post, Thread, ThreadKind
from practica.lib.testing.factories import MembershipFactory, UserFactory

END = date(2026, 3, 31)
DAYS = 30
QUERY = {"days": DAYS, "end": END.isoformat()}


def at(month: int, day: int, hour: int = 0) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def thread(community: Community, author: User, when: datetime, kind: str = ThreadKind.QUESTION) -> Thread:
    made = Thread.objects.create(
        community=community, author=author, kind=kind, title=f"Cement question {when:%m-%d %H}", created_at=when,
        last_activity_at=when,
    )
    Post.objects.create(thread=made, author=author, is_opening=True, body_source="x", body_html="x", created_at=when)
    return made


def reply(on: Thread, author: User, when: datetime) -> Post:
    return Post.objects.create(thread=on, author=author, body_source="y", body_html="y", created_at=when)


def populate(community: Community, owner: User, member: User) -> User:
    """The content described in the module's docstring; returns the lost regular."""
    Membership.objects.filter(community=community).update(joined_at=at(1, 1))
    regular = UserFactory.create(username="regular", first_name="Rita", last_name="Regular")
    MembershipFactory.create(community=community, user=regular, role=Role.MEMBER, joined_at=at(1, 1))
    question = thread(community, member, at(3, 2, 10))
    answer = reply(question, owner, at(3, 2, 12))
    Comment.objects.create(post=answer, author=member, body_source="z", body_html="z", created_at=at(3, 3))
    old = thread(community, owner, at(2, 1), ThreadKind.DISCUSSION)
    for day in (2, 3, 4, 5):
        reply(old, regular, at(2, day))
    charter, _ = Charter.objects.get_or_create(community=community)
    Goal.objects.create(charter=charter, description="Answer every question", metric="reply_coverage_7d",
                        target_value=1, due_date=date(2026, 12, 31))
    Goal.objects.create(charter=charter, description="Be friendly", position=1)
    return regular


def grow(community: Community, owner: User, how_many: int, prefix: str = "grower") -> None:
    """``how_many`` more members, each with a question in the window answered by the owner."""
    for number in range(how_many):
        person = UserFactory.create(username=f"{prefix}{number}")
        MembershipFactory.create(community=community, user=person, role=Role.MEMBER, joined_at=at(1, 1))
        question = thread(community, person, at(3, 5 + number % 20, number % 24))
        reply(question, owner, at(3, 5 + number % 20, 23))
