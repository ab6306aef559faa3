"""The metric catalogue on a small community whose every number can be checked by hand (docs/metrics.md has the
definitions). The arithmetic is written beside each expected value."""

from __future__ import annotations

from datetime import UTC, date, datetime
from math import log
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community, Membership, Role
from practica.discussions.models import Comment, Post, Thread, ThreadKind, Vote
from practica.insights import catalogue, metrics
from practica.insights.models import DailyActivity
from practica.knowledge.models import Endorsement, HelpfulMark, ItemView, KnowledgeItem, KnowledgeStatus
from practica.lib.testing.factories import (
    CommunityFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)
from practica.people.models import Profile

pytestmark = pytest.mark.django_db

END = date(2026, 3, 31)  # the window: 2026-03-02 .. 2026-03-31 (30 days); the previous: 2026-01-31 .. 2026-03-01
DAYS = 30
JOINED = datetime(2026, 1, 1, tzinfo=UTC)


def at(month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def thread(community: Community, author: User | None, when: datetime, kind: str = ThreadKind.QUESTION) -> Thread:
    made = Thread.objects.create(
        community=community, author=author, kind=kind, title=f"Thread of {when:%m-%d %H:%M}", created_at=when,
        last_activity_at=when,
    )
    Post.objects.create(thread=made, author=author, is_opening=True, body_source="x", body_html="x", created_at=when)
    return made


def reply(on: Thread, author: User | None, when: datetime, **fields: Any) -> Post:
    return Post.objects.create(thread=on, author=author, body_source="x", body_html="x", created_at=when, **fields)


def comment(on: Thread | Post, author: User | None, when: datetime) -> Comment:
    post = on.posts.get(is_opening=True) if isinstance(on, Thread) else on
    return Comment.objects.create(post=post, author=author, body_source="x", body_html="x", created_at=when)


def knowledge(
    community: Community, created: datetime, *, published: datetime | None = None, status: str = "",
    review_due: date | None = None, by: User | None = None, **fields: Any,
) -> KnowledgeItem:
    status = status or (KnowledgeStatus.PUBLISHED if published else KnowledgeStatus.DRAFT)
    return KnowledgeItem.objects.create(
        community=community, title=f"Item of {created:%m-%d %H:%M}", created_at=created, updated_at=created,
        published_at=published, status=status, review_due=review_due, created_by=by, **fields,
    )


def values(community: Community, end: date = END, days: int = DAYS) -> dict[str, Any]:
    health = metrics.community_health(community=community, end=end, days=days)
    return {name: metric.value for name, metric in health.metrics.items()}


def previous(community: Community, end: date = END, days: int = DAYS) -> dict[str, Any]:
    health = metrics.community_health(community=community, end=end, days=days)
    return {name: metric.previous for name, metric in health.metrics.items()}


@pytest.fixture
def people() -> dict[str, User]:
    org_a, org_b = OrganizationFactory.create(name="Org A"), OrganizationFactory.create(name="Org B")
    return {
        "ana": UserFactory.create(username="ana", organization=org_a),
        "ben": UserFactory.create(username="ben", organization=org_a),
        "cai": UserFactory.create(username="cai", organization=org_b),
        "dee": UserFactory.create(username="dee"),  # imported: no organisation
        "eve": UserFactory.create(username="eve", organization=org_b),
        "fay": UserFactory.create(username="fay"),  # a member who did nothing
        "gus": UserFactory.create(username="gus"),  # a member who only read
        "hal": UserFactory.create(username="hal"),  # a member who only voted
        "out": UserFactory.create(username="out"),  # reads the public community, not a member
    }


@pytest.fixture
def wells(people: dict[str, User]) -> Community:
    """The hand-computed community. Threads T1..T8 in the window and P1, P2 in the previous one."""
    p = people
    wells = CommunityFactory.create(creator=p["ana"], name="Wells", slug="wells")
    for name in ("ben", "cai", "dee", "eve", "fay", "gus", "hal"):
        MembershipFactory.create(community=wells, user=p[name], role=Role.MEMBER)
    Membership.objects.filter(community=wells).update(joined_at=JOINED)

    # Previous window (2026-01-31 .. 2026-03-01).
    p1 = thread(wells, p["dee"], at(2, 10, 10))  # dee's first thread; a question
    reply(p1, p["ana"], at(2, 10, 20))  # response after 10 h
    p2 = thread(wells, p["ana"], at(2, 20, 10), ThreadKind.DISCUSSION)  # ana's first thread
    reply(p2, p["cai"], at(3, 3, 10))  # 11 days later, in the current window: P2 is solo in the previous one

    # Current window (2026-03-02 .. 2026-03-31).
    t1 = thread(wells, p["ana"], at(3, 2, 10))  # question
    comment(t1, p["ana"], at(3, 2, 11))  # her own comment: a contribution, not a response
    accepted = reply(t1, p["ben"], at(3, 2, 12))  # response after 2 h
    Thread.objects.filter(pk=t1.pk).update(accepted_post=accepted)
    t2 = thread(wells, p["ben"], at(3, 5, 9))  # question, ben's first thread
    reply(t2, p["ben"], at(3, 5, 10))  # he answers himself: not a response, and the question stays unanswered
    comment(t2, p["cai"], at(3, 6, 9))  # a comment by someone else after 24 h: a response, not an answer
    t3 = thread(wells, p["cai"], at(3, 10), ThreadKind.DISCUSSION)  # cai's first thread
    reply(t3, p["ana"], at(3, 20))  # response after 240 h (10 days): too late for the 7-day coverage
    t4 = thread(wells, p["eve"], at(3, 15, 8))  # question, eve's first thread
    reply(t4, p["dee"], at(3, 15, 14))  # response after 6 h
    t5 = thread(wells, p["dee"], at(3, 31, 23, 59, 59), ThreadKind.IDEA)  # the last second of the window counts
    reply(t5, p["ana"], at(4, 1))  # after the window: not known at its end, T5 is solo
    t6 = thread(wells, None, at(3, 20, 12))  # a question by a deleted account
    reply(t6, p["ana"], at(3, 21, 12))  # response after 24 h (any known person is someone else)
    thread(wells, p["ben"], at(4, 1))  # T7: the first second after the window does not count
    t8 = thread(wells, p["cai"], at(3, 25))  # T8: deleted, with its reply
    reply(t8, p["eve"], at(3, 25, 1))
    Thread.objects.filter(pk=t8.pk).update(deleted_at=at(3, 26))
    reply(t4, p["eve"], at(3, 16), deleted_at=at(3, 17))  # a deleted reply does not count
    reply(t4, p["fay"], at(3, 16), is_hidden=True)  # nor does a reply a moderator hid
    Vote.objects.create(post=accepted, user=p["hal"], created_at=at(3, 3))  # hal reacted

    # Days of activity (DailyActivity), the last 30 days of the window being 2026-03-02 .. 2026-03-31.
    for name, day, contributed in [
        ("ana", date(2026, 3, 31), False),
        ("ben", date(2026, 3, 31), True),
        ("ben", date(2026, 3, 30), False),
        ("cai", date(2026, 3, 25), False),
        ("eve", date(2026, 3, 2), False),
        ("gus", date(2026, 3, 12), False),
        ("out", date(2026, 3, 28), False),
        ("dee", date(2026, 3, 1), False),  # in the previous window
    ]:
        DailyActivity.objects.create(community=wells, user=p[name], day=day, contributed=contributed)
    return wells


def test_the_window_is_the_given_number_of_utc_days_ending_with_the_end_day() -> None:
    window = metrics.window_ending(END, DAYS)
    assert (window.start, window.end, window.days) == (date(2026, 3, 2), END, 30)
    assert window.starts_at == at(3, 2) and window.ends_before == at(4, 1)
    assert window.previous() == metrics.Window(start=date(2026, 1, 31), end=date(2026, 3, 1))


@pytest.mark.parametrize("days", [0, -1, metrics.MAX_DAYS + 1])
def test_a_window_of_a_wrong_length_is_refused_with_a_message(days: int) -> None:
    with pytest.raises(ValueError, match="from 1 to"):
        metrics.window_ending(END, days)


def test_a_window_before_1970_is_refused_with_a_message() -> None:
    with pytest.raises(ValueError, match="1970-01-01 or later"):
        metrics.window_ending(date(1970, 3, 1), 30)
    with pytest.raises(ValueError, match="or later"):
        metrics.window_ending(date.min, 1)


def test_counts_threads_contributions_and_contributors_of_the_window(wells: Community) -> None:
    got = values(wells)
    # T1..T6 stand and were created in the window (T7 is the next day, T8 was deleted).
    assert got["new_threads"] == 6
    # Threads by known people: T1 ana, T2 ben, T3 cai, T4 eve, T5 dee = 5; replies: ben on T1, ben on T2, ana on T3,
    # dee on T4, ana on T6, cai on P2 = 6; comments: ana on T1, cai on T2 = 2. 5 + 6 + 2 = 13.
    assert got["contributions"] == 13
    # ana 4 (T1, reply T3, reply T6, comment T1), ben 3, cai 3, dee 2, eve 1.
    assert got["contributors"] == 5


def test_measures_how_concentrated_the_contributions_are(wells: Community) -> None:
    got = values(wells)
    assert got["top10_share"] == 1.0  # five people, all among the top ten: 13 / 13
    # 4, 3, 3, 2, 1: half of 13 is 6.5; 4 < 6.5, 4 + 3 = 7 >= 6.5, so 2 people.
    assert got["absence_factor"] == 2
    # Org A (ana 4 + ben 3 = 7), org B (cai 3 + eve 1 = 4); dee has no organisation and is left out.
    # Half of 7 + 4 = 11 is 5.5; org A alone makes 7.
    assert got["elephant_factor"] == 1


def test_measures_how_quickly_and_how_often_threads_get_a_response(wells: Community) -> None:
    got = values(wells)
    # First responses: T1 2 h, T2 24 h (cai's comment), T3 240 h, T4 6 h, T5 none by the end, T6 24 h.
    # Within 7 x 24 = 168 h: T1, T2, T4, T6 = 4 of 6 threads.
    assert got["reply_coverage_7d"] == pytest.approx(4 / 6)
    # Sorted hours 2, 6, 24, 24, 240: the median is the third, 24.
    assert got["median_first_response_hours"] == pytest.approx(24)
    # p90 at rank (5 - 1) x 0.9 = 3.6: 24 + 0.6 x (240 - 24) = 153.6.
    assert got["p90_first_response_hours"] == pytest.approx(153.6)
    # Authors' first threads: T2 (ben), T3 (cai), T4 (eve); T1 is ana's second (P2), T5 dee's second (P1),
    # T6's author is unknown. Covered: T2 and T4, 2 of 3.
    assert got["newcomer_reply_coverage_7d"] == pytest.approx(2 / 3)
    # Questions T1, T2, T4, T6; T2 has no reply by someone else (ben answered himself, cai only commented).
    assert got["unanswered"] == 1
    assert got["unanswered_rate"] == pytest.approx(1 / 4)
    assert got["solo_thread_rate"] == pytest.approx(1 / 6)  # T5 alone has no response by the end of the window
    assert got["accepted_answer_rate"] == pytest.approx(1 / 4)  # T1 of the four questions


def test_reads_daily_activity_for_dau_wau_mau_and_stickiness(wells: Community) -> None:
    got = values(wells)
    assert got["dau"] == 2  # on 03-31: ana, ben
    assert got["wau"] == 4  # 03-25 .. 03-31: ana, ben, cai, out
    assert got["mau"] == 6  # 03-02 .. 03-31: ana, ben, cai, eve, gus, out (dee's 03-01 is the day before)
    # 7 person-days over 30 days is 7 / 30 people a day on average; divided by MAU 6: 7 / 180.
    assert got["dau_mau"] == pytest.approx(7 / 180)


def test_active_members_are_members_who_read_reacted_or_contributed_in_the_window(wells: Community) -> None:
    # ana, ben, cai, dee, eve contributed; gus read; hal voted; fay did nothing; out is not a member.
    assert values(wells)["active_members"] == 7


def test_puts_each_member_on_one_level_of_participation(wells: Community) -> None:
    got = values(wells)
    # Contributions 4 (ana), 3 (ben), 3 (cai), 2 (dee), 1 (eve): the absence factor's two people end at 3, so
    # everyone with 3 or more is core (ana is the coordinator anyway), ties included: ana, ben, cai.
    assert got["participation_core"] == 3
    assert got["participation_active"] == 0  # nobody else has 4 or more
    assert got["participation_occasional"] == 2  # dee 2, eve 1
    assert got["participation_peripheral"] == 2  # gus read, hal voted
    assert got["participation_inactive"] == 1  # fay; out is no member
    # The levels share the 8 members out.
    assert sum(got[f"participation_{level}"] for level in metrics.LEVELS) == Membership.objects.filter(
        community=wells
    ).count() == 8


def test_shows_how_members_moved_between_levels_since_the_previous_window(
    wells: Community, people: dict[str, User]
) -> None:
    health = metrics.community_health(community=wells, end=END, days=DAYS)
    p = people
    assert health.levels == {
        p["ana"].pk: "core", p["ben"].pk: "core", p["cai"].pk: "core", p["dee"].pk: "occasional",
        p["eve"].pk: "occasional", p["fay"].pk: "inactive", p["gus"].pk: "peripheral", p["hal"].pk: "peripheral",
    }
    # Before: ana core, dee occasional, everyone else inactive (see the previous window's test).
    moved = {pair: count for pair, count in health.movement.items() if count}
    assert moved == {
        ("core", "core"): 1,  # ana
        ("occasional", "occasional"): 1,  # dee
        ("inactive", "core"): 2,  # ben, cai
        ("inactive", "occasional"): 1,  # eve
        ("inactive", "peripheral"): 2,  # gus, hal
        ("inactive", "inactive"): 1,  # fay
    }
    assert len(health.movement) == 25  # every pair, zeros included, for the table
    assert metrics.moves(health.movement) == {"promoted": 5, "held": 2, "dropped": 0}


def test_a_member_who_stops_contributing_is_dropped(owner: User, member: User) -> None:
    fading = CommunityFactory.create(creator=owner, name="Fading", slug="fading")
    MembershipFactory.create(community=fading, user=member)
    Membership.objects.filter(community=fading).update(joined_at=JOINED)
    # The previous window only: the one contribution of all, so core (the absence factor's one person); then nothing.
    thread(fading, member, at(2, 10))
    health = metrics.community_health(community=fading, end=END, days=DAYS)
    assert health.movement[("core", "inactive")] == 1
    assert metrics.moves(health.movement) == {"promoted": 0, "held": 1, "dropped": 1}  # owner stays core


def test_counts_new_reactivated_and_lost_contributors(wells: Community) -> None:
    got = values(wells)
    # ben, cai and eve contribute for the first time; ana (last on 02-20) and dee (02-10, back on 03-15 after 33
    # days) were not away for 90 days; nobody had 4 contributions in the 90 days before and none now.
    assert (got["new_contributors"], got["reactivated_contributors"], got["lost_regulars"]) == (3, 0, 0)
    assert got["net_contributor_change"] == 3


def test_a_regular_is_lost_and_a_silent_one_reactivated(owner: User) -> None:
    people = {name: UserFactory.create(username=name) for name in ("lou", "yan", "zoe", "wes", "val")}
    ring = CommunityFactory.create(creator=owner, name="Ring", slug="ring")
    for person in people.values():
        MembershipFactory.create(community=ring, user=person)
    # The window starts on 03-02; the 90 days before it start on 2025-12-02.
    lou = thread(ring, people["lou"], datetime(2025, 12, 10, tzinfo=UTC))
    for day in (11, 12, 13):
        reply(lou, people["lou"], datetime(2025, 12, day, tzinfo=UTC))  # 4 in the 90 days before, none after: lost
    thread(ring, people["yan"], datetime(2025, 11, 1, tzinfo=UTC))  # long before the 90 days...
    thread(ring, people["yan"], at(3, 10))  # ...and back: reactivated
    thread(ring, people["zoe"], datetime(2025, 12, 5, tzinfo=UTC))  # 105 days before her return on 03-20
    thread(ring, people["zoe"], at(3, 20))  # reactivated
    thread(ring, people["wes"], at(2, 1))
    thread(ring, people["wes"], at(3, 5))  # 32 days: neither
    thread(ring, people["val"], at(3, 7))  # first ever: new
    got = values(ring)
    assert (got["new_contributors"], got["reactivated_contributors"], got["lost_regulars"]) == (1, 2, 1)
    assert got["net_contributor_change"] == 2  # 1 + 2 - 1


def test_someone_with_four_contributions_outside_the_core_is_active(owner: User) -> None:
    trio = CommunityFactory.create(creator=owner, name="Trio", slug="trio")
    people = [UserFactory.create() for _ in range(3)]
    for person, count in zip(people, (10, 10, 4), strict=True):
        MembershipFactory.create(community=trio, user=person)
        for hour in range(count):
            thread(trio, person, at(3, 10, hour))
    Membership.objects.filter(community=trio).update(joined_at=JOINED)
    got = values(trio)
    # 24 contributions: 10 < 12, 10 + 10 >= 12, so the two with 10 are core (the owner is by role); 4 is active.
    assert (got["participation_core"], got["participation_active"]) == (3, 1)


def test_each_metric_has_its_value_for_the_previous_window(wells: Community) -> None:
    got = previous(wells)
    assert got["new_threads"] == 2  # P1, P2
    assert got["contributions"] == 3  # P1 dee, P2 ana, ana's reply on P1 (cai's reply on P2 came on 03-03)
    assert got["contributors"] == 2
    assert got["absence_factor"] == 1  # ana 2 of 3
    assert got["elephant_factor"] == 1  # org A (ana) alone; dee has none
    assert got["reply_coverage_7d"] == pytest.approx(1 / 2)  # P1 in 10 h; P2's reply came after the window
    assert got["median_first_response_hours"] == pytest.approx(10)
    assert got["p90_first_response_hours"] == pytest.approx(10)
    assert got["newcomer_reply_coverage_7d"] == pytest.approx(1 / 2)  # P1 and P2 are their authors' first
    assert (got["unanswered"], got["unanswered_rate"], got["accepted_answer_rate"]) == (0, 0.0, 0.0)
    assert got["solo_thread_rate"] == pytest.approx(1 / 2)
    assert (got["dau"], got["wau"], got["mau"]) == (1, 1, 1)  # dee on 03-01
    assert got["dau_mau"] == pytest.approx(1 / 30)
    assert got["active_members"] == 2  # ana, dee
    assert (got["participation_core"], got["participation_occasional"], got["participation_inactive"]) == (1, 1, 6)
    assert (got["new_contributors"], got["net_contributor_change"]) == (2, 2)  # ana and dee


def test_a_response_after_the_end_of_the_window_is_not_known_yet(wells: Community) -> None:
    # Seen from 2026-04-01 (a 31-day window), T5 has ana's reply of 04-01 00:00, and T7 is in.
    got = values(wells, end=date(2026, 4, 1), days=31)
    assert got["new_threads"] == 7
    # T5 has its response now; T7, created at 00:00 that day, is the one solo thread of seven.
    assert got["solo_thread_rate"] == pytest.approx(1 / 7)


def test_the_window_is_in_utc_whatever_the_sites_time_zone(wells: Community, settings: Any) -> None:
    expected = values(wells)
    settings.TIME_ZONE = "Pacific/Auckland"
    assert values(wells) == expected


def test_an_empty_community_has_zeros_and_no_shares(owner: User) -> None:
    empty = CommunityFactory.create(creator=owner, name="Empty", slug="empty")
    Membership.objects.filter(community=empty).update(joined_at=JOINED)
    got = values(empty)
    for name in (
        "new_threads", "contributions", "contributors", "unanswered", "dau", "wau", "mau", "active_members",
        "participation_active", "participation_occasional", "participation_peripheral", "new_contributors",
        "reactivated_contributors", "lost_regulars", "net_contributor_change", "knowledge_created",
        "knowledge_published", "knowledge_endorsed", "knowledge_reuse", "knowledge_views",
    ):
        assert got[name] == 0, name
    for name in (
        "top10_share", "absence_factor", "elephant_factor", "reply_coverage_7d", "median_first_response_hours",
        "p90_first_response_hours", "newcomer_reply_coverage_7d", "unanswered_rate", "solo_thread_rate",
        "accepted_answer_rate", "dau_mau", "knowledge_past_review_share", "knowledge_captured_share",
        *(f"{who}_evenness_{field}" for who in ("contributor", "member") for field in metrics.GROUP_FIELDS),
    ):
        assert got[name] is None, name
    assert (got["participation_core"], got["participation_inactive"]) == (1, 0)  # the coordinator, by role
    assert set(got) == set(metrics.METRICS)


def test_a_member_who_joined_after_the_window_is_not_counted_in_it(owner: User) -> None:
    later = CommunityFactory.create(creator=owner, name="Later", slug="later")  # owner joined today, after END
    assert sum(values(later)[f"participation_{level}"] for level in metrics.LEVELS) == 0
    assert sum(values(later, end=datetime.now(UTC).date())[f"participation_{level}"] for level in metrics.LEVELS) == 1


def test_a_community_of_one_member_without_an_organisation(owner: User) -> None:
    alone = CommunityFactory.create(creator=owner, name="Alone", slug="alone")
    Membership.objects.filter(community=alone).update(joined_at=JOINED)
    solo = thread(alone, owner, at(3, 10))
    reply(solo, owner, at(3, 11))  # talking to herself is no response
    got = values(alone)
    assert (got["new_threads"], got["contributions"], got["contributors"]) == (1, 2, 1)
    assert (got["top10_share"], got["absence_factor"]) == (1.0, 1)
    assert got["elephant_factor"] is None  # contributions exist, but none by someone with an organisation
    assert (got["reply_coverage_7d"], got["newcomer_reply_coverage_7d"], got["solo_thread_rate"]) == (0.0, 0.0, 1.0)
    assert got["median_first_response_hours"] is None
    assert (got["unanswered"], got["unanswered_rate"]) == (1, 1.0)
    assert got["active_members"] == 1
    Profile.objects.filter(user=owner).update(discipline="Geology", location="Perth")
    got = values(alone)
    for field in metrics.GROUP_FIELDS:  # one person is one group at most: no evenness
        assert (got[f"contributor_evenness_{field}"], got[f"member_evenness_{field}"]) == (None, None), field


def test_content_of_deleted_accounts_is_no_contribution_but_replies_to_it_are_responses(owner: User) -> None:
    orphaned = CommunityFactory.create(creator=owner, name="Orphaned", slug="orphaned")
    unknown = thread(orphaned, None, at(3, 10))
    reply(unknown, None, at(3, 10, 1))  # nobody can tell whether the same deleted account wrote it: no response
    known = thread(orphaned, owner, at(3, 12))
    reply(known, None, at(3, 12, 3))  # a deleted account's reply to owner's thread is someone else's: after 3 h
    got = values(orphaned)
    assert (got["new_threads"], got["contributions"], got["contributors"]) == (2, 1, 1)
    assert got["reply_coverage_7d"] == pytest.approx(1 / 2)
    assert got["median_first_response_hours"] == pytest.approx(3)
    assert got["unanswered"] == 1


def test_the_top_ten_share_counts_only_the_ten_biggest_contributors(owner: User) -> None:
    many = CommunityFactory.create(creator=owner, name="Many", slug="many")
    # Twelve people: the first writes 3 threads, the eleven others 1 each = 14; the top ten make 3 + 9 = 12.
    authors = [UserFactory.create() for _ in range(12)]
    for index, author in enumerate(authors):
        for hour in range(3 if index == 0 else 1):
            thread(many, author, at(3, 10, hour))
    got = values(many)
    assert got["contributions"] == 14
    assert got["top10_share"] == pytest.approx(12 / 14)
    assert got["absence_factor"] == 5  # half of 14 is 7: 3 + 1 + 1 + 1 + 1 = 7, five people


def _queries_for(community: Community) -> int:
    with CaptureQueriesContext(connection) as queries:
        metrics.community_health(community=community, end=END, days=DAYS)
    return len(queries)


@pytest.mark.parametrize("threads", [5, 50])
def test_the_metrics_cost_the_same_queries_for_5_and_50_threads(owner: User, threads: int) -> None:
    sized = CommunityFactory.create(creator=owner, name="Sized", slug="sized")
    people = [UserFactory.create() for _ in range(threads // 5)]
    for index in range(threads):
        made = thread(sized, people[index % len(people)], at(3, 2 + index % 28, index % 24))
        reply(made, owner, at(3, 2 + index % 28, index % 24, 30))
        comment(made, people[(index + 1) % len(people)], at(3, 2 + index % 28, index % 24, 40))
        DailyActivity.objects.get_or_create(community=sized, user=people[index % len(people)], day=made.created_at.date())
    for index in range(threads // 5):
        item = knowledge(sized, at(3, 2 + index), published=at(3, 3 + index), source_title="Notes")
        Endorsement.objects.create(item=item, user=owner, created_at=at(3, 10))
        HelpfulMark.objects.create(item=item, user=people[index], created_at=at(3, 11))
        ItemView.objects.create(item=item, user=people[index], day=date(2026, 3, 12))
        Profile.objects.filter(user=people[index]).update(discipline=f"Discipline {index}", location=f"Town {index}")
    # Per window: threads with their first responses, contributions per person, activity, memberships, readers and
    # voters, earlier contributors, knowledge (items, endorsements, marks and views in one UNION ALL); and the rhythm (rhythm.QUERIES: the
    # cadence, events, occurrences, RSVPs with attendance, actions), less its stored occurrences, not read when
    # the community has no event (QUERIES_PER_WINDOW is the most).
    assert _queries_for(sized) == 2 * metrics.QUERIES_PER_WINDOW - 2 == 22
    got = values(sized)
    assert (got["new_threads"], got["knowledge_created"], got["knowledge_views"]) == (threads, threads // 5, threads // 5)


@pytest.mark.parametrize("people_count", [5, 50])
def test_the_voices_by_group_cost_the_same_queries_for_5_and_50_people(owner: User, people_count: int) -> None:
    sized = CommunityFactory.create(creator=owner, name="Voices", slug="voices")
    organisations = [OrganizationFactory.create(name=f"Voice org {n}") for n in range(3)]
    for index in range(people_count):
        person = UserFactory.create(organization=organisations[index % 3])
        MembershipFactory.create(community=sized, user=person)
        thread(sized, person, at(3, 10, index % 24))
    window = metrics.window_ending(END, DAYS)
    with CaptureQueriesContext(connection) as queries:
        voices = metrics.voices_by_group(sized, window, "organisation")
    # Contributions per person, memberships, the organisations' names.
    assert len(queries) == 5  # contributions, memberships, readers and voters, earlier contributors, organisations
    assert sum(v.contributors for v in voices) == people_count


# --- Knowledge ------------------------------------------------------------------------------------------------


@pytest.fixture
def library(wells: Community, people: dict[str, User]) -> Community:
    """Knowledge items K1..K6 of Wells, with endorsements, "this helped me" marks and views. The window is
    2026-03-02 .. 2026-03-31, the previous one 2026-01-31 .. 2026-03-01."""
    p = people
    t1 = Thread.objects.get(community=wells, created_at=at(3, 2, 10))
    # K1: captured from thread T1 on 03-05, published 03-10, due for review on the window's last day.
    k1 = knowledge(wells, at(3, 5), published=at(3, 10), review_due=date(2026, 3, 31), by=p["ana"], source_thread=t1)
    # K2: written in the previous window, published 02-20, due next year.
    k2 = knowledge(wells, at(2, 15), published=at(2, 20), review_due=date(2027, 2, 20), by=p["ben"])
    # K3: a draft captured from a meeting's notes in the last second of the window.
    knowledge(wells, at(3, 31, 23, 59, 59), by=p["cai"], source_title="Monthly call, 12 Mar 2026",
              source_url="/c/wells/events/1/")
    # K4: a draft of the first second after the window.
    knowledge(wells, at(4, 1), by=p["cai"], source_title="Monthly call, 1 Apr 2026")
    # K5: published in January and overdue since 03-01, but archived since: no longer published.
    knowledge(wells, at(1, 10), published=at(1, 12), status=KnowledgeStatus.ARCHIVED, review_due=date(2026, 3, 1))
    # K6: by an account deleted since (created_by None), started 03-20, published only on 04-02.
    knowledge(wells, at(3, 20), published=at(4, 2), review_due=date(2027, 4, 2))
    Endorsement.objects.create(item=k1, user=p["ben"], created_at=at(3, 12))
    Endorsement.objects.create(item=k1, user=p["cai"], created_at=at(3, 13))
    Endorsement.objects.create(item=k2, user=p["dee"], created_at=at(3, 1, 23, 59, 59))  # the previous window
    HelpfulMark.objects.create(item=k1, user=p["eve"], created_at=at(3, 15))
    HelpfulMark.objects.create(item=k2, user=p["eve"], created_at=at(3, 20))
    HelpfulMark.objects.create(item=k2, user=p["fay"], created_at=at(4, 1))  # after the window
    ItemView.objects.create(item=k1, user=p["gus"], day=date(2026, 3, 31))
    ItemView.objects.create(item=k1, user=p["gus"], day=date(2026, 3, 30))
    ItemView.objects.create(item=k2, user=p["hal"], day=date(2026, 3, 2))
    ItemView.objects.create(item=k2, user=p["hal"], day=date(2026, 3, 1))  # the previous window
    return wells


def test_counts_the_knowledge_created_published_endorsed_reused_and_read_in_the_window(library: Community) -> None:
    got = values(library)
    assert got["knowledge_created"] == 3  # K1 (03-05), K3 (03-31 23:59:59), K6 (03-20, author deleted); not K4
    assert got["knowledge_published"] == 1  # K1 on 03-10; K6 is published on 04-02, after the window
    assert got["knowledge_endorsed"] == 1  # K1, endorsed twice (ben, cai); K2's endorsement is of 03-01
    assert got["knowledge_reuse"] == 2  # eve on K1 and K2; fay's mark is of 04-01 00:00
    assert got["knowledge_views"] == 3  # gus on K1 on 03-30 and 03-31, hal on K2 on 03-02; not hal on 03-01


def test_measures_the_share_of_knowledge_past_its_review_date_and_captured_from_practice(library: Community) -> None:
    got = values(library)
    # Published at the window's end: K1 and K2 (K5 archived, K6 published after). K1 is due on 03-31, the
    # window's last day: its review date has come. 1 of 2.
    assert got["knowledge_past_review_share"] == pytest.approx(1 / 2)
    # Of the window's new items K1, K3, K6: K1 from a thread, K3 from a meeting's notes. 2 of 3.
    assert got["knowledge_captured_share"] == pytest.approx(2 / 3)


def test_each_knowledge_metric_has_its_value_for_the_previous_window(library: Community) -> None:
    got = previous(library)
    assert (got["knowledge_created"], got["knowledge_published"]) == (1, 1)  # K2, written 02-15, published 02-20
    assert (got["knowledge_endorsed"], got["knowledge_reuse"], got["knowledge_views"]) == (1, 0, 1)  # dee, hal
    # Published by 03-01: K2 only (K5 is archived), due in 2027. The one new item, K2, was not captured.
    assert (got["knowledge_past_review_share"], got["knowledge_captured_share"]) == (0.0, 0.0)


def test_knowledge_shares_of_nothing_are_none(wells: Community) -> None:
    knowledge(wells, at(2, 10))  # a draft of the previous window: nothing new, nothing published in this one
    got = values(wells)
    assert (got["knowledge_created"], got["knowledge_published"]) == (0, 0)
    assert (got["knowledge_past_review_share"], got["knowledge_captured_share"]) == (None, None)


def test_knowledge_windows_are_in_utc_whatever_the_sites_time_zone(library: Community, settings: Any) -> None:
    expected = values(library)
    settings.TIME_ZONE = "Pacific/Auckland"  # 13 hours ahead: K3 (03-31 23:59:59 UTC) would be 04-01 there
    assert values(library) == expected
    assert expected["knowledge_created"] == 3


# --- Diversity ------------------------------------------------------------------------------------------------


def _profiles(people: dict[str, User], field: str, by_name: dict[str, Any]) -> None:
    for name, value in by_name.items():
        Profile.objects.filter(user=people[name]).update(**{field: value})


def test_evenness_is_shannons_entropy_over_its_greatest_value() -> None:
    assert metrics.evenness([4, 4, 4]) == pytest.approx(1.0)  # every group as big
    assert metrics.evenness([1, 3]) == pytest.approx(-(0.25 * log(0.25) + 0.75 * log(0.75)) / log(2))  # 0.811
    assert metrics.evenness([99, 1]) == pytest.approx(0.0808, abs=1e-4)  # one group holds almost everyone
    assert metrics.evenness([7, 0]) is None  # one group present: nothing to be even about
    assert metrics.evenness([]) is None


def test_measures_how_evenly_contributors_and_members_spread_over_organisations(
    wells: Community, people: dict[str, User]
) -> None:
    org_a = people["ana"].profile.organization
    _profiles(people, "organization", {"gus": org_a})
    got = values(wells)
    # Contributors ana, ben (org A), cai, eve (org B); dee has no organisation and is left out: 2 and 2, even.
    assert got["contributor_evenness_organisation"] == pytest.approx(1.0)
    # Members: org A ana, ben, gus; org B cai, eve; dee, fay, hal have none. Shares 3/5, 2/5:
    # H = -(0.6 ln 0.6 + 0.4 ln 0.4) = 0.673; over ln 2 = 0.971.
    assert got["member_evenness_organisation"] == pytest.approx(-(0.6 * log(0.6) + 0.4 * log(0.4)) / log(2))
    assert got["member_evenness_organisation"] == pytest.approx(0.971, abs=1e-3)


def test_measures_how_evenly_contributors_and_members_spread_over_disciplines_and_locations(
    wells: Community, people: dict[str, User]
) -> None:
    disciplines = {"ana": "Geology", "ben": " geology ", "cai": "Drilling", "dee": "Drilling", "eve": "Reservoir"}
    _profiles(people, "discipline", {**disciplines, "fay": "Reservoir", "gus": "Reservoir", "hal": ""})
    _profiles(people, "location", {"ana": "Aberdeen", "ben": "aberdeen", "cai": "Aberdeen", "out": "Houston"})
    got = values(wells)
    # Contributors: geology 2 (ana, ben: the same discipline spelled two ways), drilling 2 (cai, dee), reservoir 1
    # (eve). Shares 0.4, 0.4, 0.2: H = 1.055; over ln 3 = 0.960.
    assert got["contributor_evenness_discipline"] == pytest.approx(-(0.8 * log(0.4) + 0.2 * log(0.2)) / log(3))
    # Members: geology 2, drilling 2, reservoir 3 (eve, fay, gus); hal has none. 7 people.
    assert got["member_evenness_discipline"] == pytest.approx(-(4 / 7 * log(2 / 7) + 3 / 7 * log(3 / 7)) / log(3))
    # Everyone with a location is in Aberdeen (out, in Houston, is no member): one group, no evenness.
    assert (got["contributor_evenness_location"], got["member_evenness_location"]) == (None, None)


def test_imported_people_without_an_organisation_have_no_organisation_evenness(owner: User) -> None:
    imported = CommunityFactory.create(creator=owner, name="Imported", slug="imported")
    for hour in range(3):
        person = UserFactory.create()  # as the Stack Exchange importer makes them: no organisation
        MembershipFactory.create(community=imported, user=person)
        thread(imported, person, at(3, 10, hour))
    Membership.objects.filter(community=imported).update(joined_at=JOINED)
    got = values(imported)
    assert got["contributors"] == 3
    assert (got["contributor_evenness_organisation"], got["member_evenness_organisation"]) == (None, None)
    window = metrics.window_ending(END, DAYS)
    assert metrics.voices_by_group(imported, window, "organisation") == []


def test_shows_which_groups_are_members_but_silent(wells: Community, people: dict[str, User]) -> None:
    disciplines = {"ana": "Geology", "ben": "geology", "cai": "Drilling", "dee": "Drilling", "eve": "Reservoir"}
    _profiles(people, "discipline", {**disciplines, "fay": "Reservoir", "gus": "Reservoir"})
    voices = metrics.voices_by_group(wells, metrics.window_ending(END, DAYS), "discipline")
    # Members with a discipline: 7 (hal has none); contributors: 5 (ana, ben, cai, dee, eve).
    assert voices == [
        metrics.GroupVoice("Reservoir", members=3, contributors=1, member_share=3 / 7, contributor_share=1 / 5),
        metrics.GroupVoice("Drilling", members=2, contributors=2, member_share=2 / 7, contributor_share=2 / 5),
        metrics.GroupVoice("Geology", members=2, contributors=2, member_share=2 / 7, contributor_share=2 / 5),
    ]
    # Reservoir people are 43% of the members but 20% of the voices.
    assert voices[0].gap == pytest.approx(1 / 5 - 3 / 7)


def test_voices_by_organisation_are_named_after_the_organisation(wells: Community, people: dict[str, User]) -> None:
    voices = metrics.voices_by_group(wells, metrics.window_ending(END, DAYS), "organisation")
    # Org A: ana, ben; org B: cai, eve; members and contributors alike (dee, fay, gus, hal have none).
    assert [(v.group, v.members, v.contributors) for v in voices] == [("Org A", 2, 2), ("Org B", 2, 2)]
    assert [(v.member_share, v.contributor_share, v.gap) for v in voices] == [(0.5, 0.5, 0.0), (0.5, 0.5, 0.0)]


def test_content_of_deleted_accounts_gives_no_voice_to_any_group(owner: User) -> None:
    orphaned = CommunityFactory.create(creator=owner, name="Orphaned", slug="orphaned")
    Membership.objects.filter(community=orphaned).update(joined_at=JOINED)
    Profile.objects.filter(user=owner).update(discipline="Geology")
    thread(orphaned, None, at(3, 10))  # a deleted account's thread: no contributor, no group
    voices = metrics.voices_by_group(orphaned, metrics.window_ending(END, DAYS), "discipline")
    assert voices == [metrics.GroupVoice("Geology", members=1, contributors=0, member_share=1.0, contributor_share=None)]
    assert voices[0].gap is None


def test_voices_by_an_unknown_field_are_refused_with_a_message(wells: Community) -> None:
    with pytest.raises(ValueError, match="organisation, discipline, location"):
        metrics.voices_by_group(wells, metrics.window_ending(END, DAYS), "username")


def test_every_metric_has_a_catalogue_entry() -> None:
    assert set(metrics.METRICS) <= set(catalogue.CATALOGUE)
    assert catalogue.info("knowledge_reuse").group == "Knowledge"
