"""Personal calendar feed addresses given out before the tokens moved to ``practica/lib/signing.py`` keep working."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import signing as django_signing
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community
from practica.events import services
from practica.events.models import CalendarToken, Event

pytestmark = pytest.mark.django_db

OLD_SALT = "practica.events.calendar-feed"


def test_a_feed_address_made_the_old_way_still_opens_the_persons_calendar(
    private_community: Community, member: User, make_event: Callable[..., Event]
) -> None:
    make_event(private_community, title="Private rig visit")
    services.calendar_token(user=member)
    version = CalendarToken.objects.get(user=member).version
    old = django_signing.dumps({"u": member.pk, "v": version}, salt=OLD_SALT, compress=True)

    feed = Client().get(f"/calendar/{old}.ics")

    assert feed.status_code == 200 and b"Private rig visit" in feed.content


def test_a_feed_address_made_now_carries_the_same_claims_under_the_same_salt(member: User) -> None:
    token = services.calendar_token(user=member)

    assert django_signing.loads(token, salt=OLD_SALT) == {"u": member.pk, "v": CalendarToken.objects.get(user=member).version}


def test_a_token_signed_for_another_purpose_is_no_feed_address(member: User) -> None:
    services.calendar_token(user=member)
    version = CalendarToken.objects.get(user=member).version
    other = django_signing.dumps({"u": member.pk, "v": version}, salt="practica.notifications.feed", compress=True)

    assert services.calendar_token_user(other) is None
    assert Client().get(f"/calendar/{other}.ics").status_code == 404
