"""The small network the network view's tests share: four communities (public, members-only, private, fading)
whose numbers a reader can check by hand, and one person of each kind of viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from practica.accounts.models import User
from practica.communities.models import Community, Membership, Role, Visibility
from practica.discussions.models import Comment, Post, Thread, ThreadKind, Vote
from practica.insights.models import DailyActivity
from practica.lib.testing.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)

END = date(2026, 3, 31)
DAYS = 30
JOINED = datetime(2025, 1, 1, tzinfo=UTC)
LONG_AGO = datetime(2024, 1, 1, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def thread(community: Community, author: User | None, when: datetime, kind: str = ThreadKind.QUESTION) -> Thread:
    made = Thread.objects.create(
        community=community, author=author, kind=kind, title=f"Thread of {when:%Y-%m-%d %H:%M}", created_at=when,
        last_activity_at=when,
    )
    Post.objects.create(thread=made, author=author, is_opening=True, body_source="x", body_html="x", created_at=when)
    return made


def reply(on: Thread, author: User | None, when: datetime, **fields: Any) -> Post:
    return Post.objects.create(thread=on, author=author, body_source="x", body_html="x", created_at=when, **fields)


def comment(on: Thread, author: User | None, when: datetime) -> Comment:
    post = on.posts.get(is_opening=True)
    return Comment.objects.create(post=post, author=author, body_source="x", body_html="x", created_at=when)


@dataclass
class Net:
    people: dict[str, User]
    wells: Community  # public, coordinated by ana; rich in edge cases
    pipes: Community  # members-only, coordinated by col; ben bridges it with wells
    vault: Community  # private, coordinated by vic; sam is its sponsor, mem a plain member
    quiet: Community  # public, coordinated by ana; busy in the previous window, silent in this one


def _join(community: Community, *users: User, role: str = Role.MEMBER) -> None:
    for user in users:
        MembershipFactory.create(community=community, user=user, role=role, joined_at=JOINED)


def build_net() -> Net:
    """The network of the tests: four communities, one of each kind of viewer."""
    org_a, org_b = OrganizationFactory.create(name="Org A"), OrganizationFactory.create(name="Org B")
    org_c = OrganizationFactory.create(name="Org C")  # declared by pipes, nobody of it is a member
    names = ("ana", "ben", "cai", "dee", "eve", "col", "vic", "sam", "mem", "out", "lou", "yan", "kit")
    orgs = {"ana": org_a, "ben": org_a, "cai": org_b, "eve": org_b, "col": org_b}
    p = {name: UserFactory.create(username=name, organization=orgs.get(name)) for name in names}
    p["admin"] = UserFactory.create(username="admin", is_superuser=True, is_staff=True)

    wells = CommunityFactory.create(creator=p["ana"], name="Wells", slug="wells")
    _join(wells, p["ben"], p["cai"], p["dee"], p["eve"], p["mem"], p["lou"], p["kit"])
    MembershipFactory.create(community=wells, user=p["yan"], state="left", joined_at=JOINED)  # left: still counted
    # Previous window (2026-01-31 .. 2026-03-01) and the 90 days before it.
    p1 = thread(wells, p["dee"], at(2, 10, 10))
    reply(p1, p["ana"], at(2, 10, 20))  # 10 h
    p2 = thread(wells, p["ana"], at(2, 20, 10), ThreadKind.DISCUSSION)
    reply(p2, p["cai"], at(3, 3, 10))  # in the current window: P2 is solo in the previous one
    lou = thread(wells, p["lou"], at(12, 10, year=2025))  # lou: a regular of the 90 days before, then silent
    for day in (11, 12, 13):
        reply(lou, p["lou"], at(12, day, year=2025))
    long_ago = thread(wells, p["yan"], at(6, 1, year=2025))  # yan: long before, then back in the window: reactivated
    comment(long_ago, p["kit"], at(6, 3, year=2025))  # kit: a comment long before, then back: reactivated
    thread(wells, p["out"], at(6, 2, year=2025))  # out: long before, no membership (metrics does not know it)
    # Current window (2026-03-02 .. 2026-03-31).
    t1 = thread(wells, p["ana"], at(3, 2, 10))
    comment(t1, p["ana"], at(3, 2, 11))  # her own comment: a contribution, no response
    accepted = reply(t1, p["ben"], at(3, 2, 12))  # 2 h
    t2 = thread(wells, p["ben"], at(3, 5, 9))
    reply(t2, p["ben"], at(3, 5, 10))
    comment(t2, p["cai"], at(3, 6, 9))  # 24 h, by comment
    t3 = thread(wells, p["cai"], at(3, 10), ThreadKind.DISCUSSION)
    reply(t3, p["ana"], at(3, 20))  # 240 h: too late for the coverage
    t4 = thread(wells, p["eve"], at(3, 15, 8))
    reply(t4, p["dee"], at(3, 15, 14))  # 6 h
    reply(t4, p["eve"], at(3, 16), deleted_at=at(3, 17))  # deleted: nothing
    reply(t4, p["mem"], at(3, 16), is_hidden=True)  # hidden: nothing
    t5 = thread(wells, p["dee"], at(3, 31, 23, 59), ThreadKind.IDEA)
    reply(t5, p["ana"], at(4, 1))  # after the window
    t6 = thread(wells, None, at(3, 20, 12))  # a deleted account's question
    reply(t6, p["ana"], at(3, 21, 12))
    t8 = thread(wells, p["cai"], at(3, 25))
    reply(t8, p["eve"], at(3, 25, 1))
    Thread.objects.filter(pk=t8.pk).update(deleted_at=at(3, 26))  # deleted with its reply
    thread(wells, p["yan"], at(3, 12))  # yan is back (she left since: she counts as a contributor, not a member)
    thread(wells, p["out"], at(3, 13))  # out: no membership, long before unknown to metrics: new
    thread(wells, p["kit"], at(3, 14))
    t9 = thread(wells, p["eve"], at(3, 18))
    reply(t9, p["ana"], at(3, 18, 1), is_hidden=True)  # hidden: T9 got no response
    Vote.objects.create(post=accepted, user=p["mem"], created_at=at(3, 3))  # mem reacted
    for name, day in [("ana", date(2026, 3, 31)), ("ben", date(2026, 3, 31)), ("ben", date(2026, 3, 30)),
                      ("cai", date(2026, 3, 25)), ("mem", date(2026, 3, 12)), ("dee", date(2026, 3, 1)),
                      ("out", date(2026, 3, 28))]:
        DailyActivity.objects.create(community=wells, user=p[name], day=day)

    pipes = CommunityFactory.create(
        creator=p["col"], name="Pipes", slug="pipes", visibility=Visibility.MEMBERS_ONLY, organizations=[org_c]
    )
    _join(pipes, p["ben"], p["cai"])
    for hour in range(3):
        reply(thread(pipes, p["ben"], at(3, 4, hour)), p["col"], at(3, 4, hour, 30))
    thread(pipes, p["cai"], at(2, 4))  # cai in pipes only in the previous window
    DailyActivity.objects.create(community=pipes, user=p["col"], day=date(2026, 3, 20))

    vault = CommunityFactory.create(creator=p["vic"], name="Vault", slug="vault", visibility=Visibility.PRIVATE)
    _join(vault, p["sam"], role=Role.SPONSOR)
    _join(vault, p["mem"], p["ben"])
    thread(vault, p["ben"], at(3, 8))  # ben bridges three communities
    reply(thread(vault, p["mem"], at(3, 9)), p["vic"], at(3, 9, 1))

    quiet = CommunityFactory.create(creator=p["ana"], name="Quiet", slug="quiet")
    _join(quiet, p["eve"])
    for day in (5, 6, 7, 8):
        thread(quiet, p["eve"], at(2, day))
    Community.objects.filter(pk=quiet.pk).update(created_at=LONG_AGO)
    Membership.objects.filter(user__in=[p["ana"], p["col"], p["vic"]]).update(joined_at=JOINED)
    return Net(people=p, wells=wells, pipes=pipes, vault=vault, quiet=quiet)


def more_communities(net: Net, start: int, stop: int) -> None:
    """Public communities ``Extra {start}`` .. ``Extra {stop - 1}``, each with a thread of ben's answered by sam."""
    for number in range(start, stop):
        extra = CommunityFactory.create(creator=net.people["ana"], name=f"Extra {number}", slug=f"extra-{number}")
        _join(extra, net.people["ben"], net.people["sam"])
        made = thread(extra, net.people["ben"], at(3, 3, number % 24))
        reply(made, net.people["sam"], at(3, 3, number % 24, 30))
        comment(made, net.people["ana"], at(3, 4))
        DailyActivity.objects.create(community=extra, user=net.people["ben"], day=date(2026, 3, 3))
