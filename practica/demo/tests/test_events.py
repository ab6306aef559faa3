"""The demo meetings ``seed_demo`` writes (practica/demo/events.py)."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.demo.events import seed_demo_events
from practica.events import selectors
from practica.events.models import Event
from practica.lib.testing.factories import CommunityFactory

pytestmark = pytest.mark.django_db


def test_demo_meetings_are_created_once_with_a_year_of_rhythm(owner: User) -> None:
    community = CommunityFactory.create(creator=owner, name="Well integrity", slug="well-integrity")
    assert seed_demo_events() == 1
    assert seed_demo_events() == 0
    event = Event.objects.get(community=community)
    assert event.recurrence == "FREQ=MONTHLY;BYDAY=1TU"
    assert selectors.community_rhythm(community=community).total >= 9
    assert selectors.upcoming_occurrences(community=community, limit=1)
