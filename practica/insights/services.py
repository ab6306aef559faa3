"""Writes of the insights app: recording a person's activity in a community, cheaply; back-filling the
contribution days of a community whose history was imported; daily snapshots of its health (one day, or its whole
history at once)."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import DatabaseError, transaction
from django.db.models import QuerySet
from django.db.models.functions import TruncDate

from practica.accounts.models import User
from practica.communities.models import Community
from practica.insights.history import HISTORY_DAYS
from practica.insights.metrics import window_ending, window_metrics
from practica.insights.models import DailyActivity, HealthSnapshot
from practica.insights.selectors import contributions
from practica.insights.series import daily_metrics, first_day
from practica.lib.bulk import bulk_upsert

logger = logging.getLogger(__name__)

# What the cache remembers for a person, community and day: the strongest activity already written.
_READ, _CONTRIBUTED = "read", "contributed"
# Long enough to cover the rest of the UTC day whenever it is written; the day is part of the key.
_SEEN_SECONDS = 2 * 24 * 3600
BACKFILL_BATCH = 5000


def seen_key(community_id: int, user_id: int, day: date) -> str:
    return f"insights:seen:{community_id}:{user_id}:{day.isoformat()}"


def utc_today() -> date:
    return datetime.now(UTC).date()


def activity_record(
    *, user: User, community: Community, day: date | None = None, contributed: bool = False, at_once: bool = False
) -> bool:
    """Remember that ``user`` was active in ``community`` on the UTC ``day`` (today by default): read only, or
    contributed. Idempotent: one row per person, community and day (``INSERT ... ON CONFLICT``), and
    ``contributed`` only ever goes from False to True. The cache remembers what was written, so a second read the
    same day costs no query at all. Anonymous visitors are not recorded, and a failed write is logged, never
    raised (activity is not worth an error page). Returns whether it wrote.

    ``at_once``: remember it in the cache as soon as it is written, not on commit: for a caller that writes
    outside the transactions of the work it records (``lib.activity.ActivityMiddleware``, after the view
    answered), where the row is final once written. It matters only where a transaction surrounds the whole
    request (a test's): the second read then costs no query there either."""
    if not user.is_authenticated or user.pk is None:
        return False
    day = day or utc_today()
    key = seen_key(community.pk, user.pk, day)
    seen = cache.get(key)
    if seen == _CONTRIBUTED or (seen == _READ and not contributed):
        return False
    row = DailyActivity(community=community, user=user, day=day, contributed=contributed)
    try:
        # A savepoint: a failed write (say, SQLite's "database is locked") must not break the page's transaction.
        with transaction.atomic():
            if contributed:
                # ON CONFLICT (community, user, day) DO UPDATE SET contributed = TRUE
                DailyActivity.objects.bulk_create(
                    [row], update_conflicts=True, unique_fields=["community", "user", "day"],
                    update_fields=["contributed"],
                )
            else:
                # ON CONFLICT DO NOTHING: a read never turns a contribution day back into a reading day.
                DailyActivity.objects.bulk_create([row], ignore_conflicts=True)
    except DatabaseError:
        # Counting activity is never worth an error page; the next visit tries again.
        logger.exception("Could not record activity of user %s in community %s", user.pk, community.pk)
        return False
    def remember() -> None:
        cache.set(key, _CONTRIBUTED if contributed else _READ, _SEEN_SECONDS)

    if at_once:
        remember()
    else:
        # Remember it only once it is committed: a rolled-back write must be written again next time.
        transaction.on_commit(remember, robust=True)
    return True


def _contribution_days(community: Community, since: datetime | None) -> QuerySet[Any]:
    """(user_id, UTC day) of every contribution (thread, reply, comment by a known person, not deleted nor
    hidden) in the community, distinct, as one UNION query."""
    day = TruncDate("created_at", tzinfo=UTC)
    kinds = contributions(community=community)
    if since is not None:
        kinds = kinds.filter(created_at__gte=since)
    parts = [qs.order_by().annotate(day=day).values_list("author_id", "day") for qs in kinds]
    # UNION (not ALL) removes the duplicates: one row per person and day.
    return parts[0].union(parts[1], parts[2])


def activity_backfill(*, community: Community, since: date | None = None) -> int:
    """Mark every day on which someone contributed to ``community`` (from the timestamps of its threads, replies
    and comments, in UTC days), from ``since`` on or over its whole history: what an imported community needs
    for its activity history on the day it is imported. Idempotent (an upsert that only sets ``contributed``);
    reads are not in the content, so reading days cannot be back-filled. Returns the number of days marked."""
    start = datetime(since.year, since.month, since.day, tzinfo=UTC) if since is not None else None
    # Read whole before writing (SQLite cannot write while a cursor over the same database is open); one row per
    # person and day is small even for a long history.
    rows = [(community.pk, user_id, day, True) for user_id, day in _contribution_days(community, start)]
    fields, unique = ["community_id", "user_id", "day", "contributed"], ["community_id", "user_id", "day"]
    written, batch = 0, []
    with transaction.atomic():
        for row in rows:
            batch.append(row)
            if len(batch) >= BACKFILL_BATCH:
                written += bulk_upsert(DailyActivity, fields, batch, unique=unique)
                batch = []
        written += bulk_upsert(DailyActivity, fields, batch, unique=unique)
    return written


# --- Daily snapshots of the health metrics ---------------------------------------------------------------------

SNAPSHOT_BATCH = 1000


def _snapshot_write(community: Community, values_by_day: dict[date, dict[str, Any]]) -> int:
    """Upsert one snapshot per day (``INSERT ... ON CONFLICT (community, day) DO UPDATE``): idempotent."""
    rows = [(community.pk, day, values) for day, values in sorted(values_by_day.items())]
    fields, unique = ["community_id", "day", "values"], ["community_id", "day"]
    written = 0
    with transaction.atomic():
        for index in range(0, len(rows), SNAPSHOT_BATCH):
            written += bulk_upsert(HealthSnapshot, fields, rows[index:index + SNAPSHOT_BATCH], unique=unique)
    return written


def _refuse_future(day: date) -> None:
    if day > utc_today():
        raise ValueError(f"{day.isoformat()} has not ended yet: a snapshot is of a day up to today (UTC).")


def snapshot_take(*, community: Community, day: date) -> HealthSnapshot:
    """Store ``community``'s health as of the UTC ``day``: every metric over the ``HISTORY_DAYS`` UTC days ending
    with it (``metrics.window_metrics``). Idempotent: taking it again for the same day writes the same values
    over the same row. ValueError for a day after today."""
    _refuse_future(day)
    values = window_metrics(community, window_ending(day, HISTORY_DAYS))
    _snapshot_write(community, {day: values})
    return HealthSnapshot.objects.get(community=community, day=day)


def snapshot_backfill(*, community: Community, last: date | None = None) -> int:
    """Store a snapshot for every day of ``community``'s history, from its first contribution to ``last``
    (yesterday, UTC, by default), computed from the content's timestamps in one pass (``series.daily_metrics``):
    what an imported community needs to show years of trend on the day it is imported. Idempotent. Run
    ``activity_backfill`` first for the activity metrics (DAU, MAU...) to see the contribution days. Returns the
    number of days stored."""
    last = last or utc_today() - timedelta(days=1)
    _refuse_future(last)
    first = first_day(community)
    if first is None or first > last:
        return 0
    return _snapshot_write(community, daily_metrics(community=community, first=first, last=last, days=HISTORY_DAYS))


def snapshots_take_due(*, day: date | None = None) -> int:
    """The periodic job: every community's snapshot of ``day`` (yesterday, UTC, by default: the last whole day).
    Safe to run as often as wanted (each snapshot is an upsert of the same values). Returns how many it took."""
    day = day or utc_today() - timedelta(days=1)
    taken = 0
    for community in Community.objects.order_by("pk").iterator():
        snapshot_take(community=community, day=day)
        taken += 1
    return taken
