"""Who came to a meeting."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState
from practica.communities.selectors import Access
from practica.events import permissions
from practica.events.models import Attendance, Event
from practica.events.services.occurrences import occurrence_for


@transaction.atomic
def attendance_mark(
    *, event: Event, actor: User, original_start: dt.datetime | None, usernames: list[str]
) -> list[Attendance]:
    """Record who came (replaces the list). The organiser or a coordinator, once the meeting has started."""
    permissions.may_manage.require(event, Access(event.community, actor))
    occurrence = occurrence_for(event, original_start, lock=True)
    if occurrence.is_cancelled:
        raise ValidationError({"occurrence": ["This occurrence is cancelled."]})
    if occurrence.start > timezone.now():
        raise ValidationError({"attendance": ["Attendance can be marked once the meeting has started."]})
    wanted = {name.strip().lower() for name in usernames if name.strip()}
    users = list(members_named(event.community, wanted))
    unknown = wanted - {u.username.lower() for u in users}
    if unknown:
        raise ValidationError(
            {"attendance": [f"Not members of this community: {', '.join(sorted(unknown))}."]}
        )
    Attendance.objects.filter(occurrence=occurrence).exclude(user__in=users).delete()
    present = set(Attendance.objects.filter(occurrence=occurrence).values_list("user_id", flat=True))
    Attendance.objects.bulk_create(
        [Attendance(occurrence=occurrence, user=u, marked_by=actor) for u in users if u.pk not in present]
    )
    return list(Attendance.objects.filter(occurrence=occurrence).select_related("user"))


def members_named(community: Community, usernames: set[str]) -> QuerySet[User]:
    """The community's active members with these usernames (as typed: any case)."""
    if not usernames:
        return User.objects.none()
    active = Membership.objects.filter(community=community, state=MembershipState.ACTIVE).values("user_id")
    return User.objects.filter(id__in=active, username__in=_variants(usernames))


def _variants(names: set[str]) -> list[str]:
    out: set[str] = set()
    for name in names:
        out.update({name, name.lower(), name.capitalize(), name.title()})
    return list(out)
