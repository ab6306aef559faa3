"""What the insights app does when the content apps report activity (``practica.lib.activity``)."""

from __future__ import annotations

from typing import Any

from practica.insights.services import activity_record


def record_read(*, community: Any, user: Any, **kwargs: Any) -> None:
    # Sent by the middleware after the view answered, outside the request's transactions: final once written.
    activity_record(user=user, community=community, at_once=True)


def record_contribution(*, community: Any, user: Any, **kwargs: Any) -> None:
    activity_record(user=user, community=community, contributed=True)
