"""What discovery tells people, worded here and sent once the write commits (``services.py`` schedules it with
``notifications.on_commit``): an expert asked to look at a question hears of it."""

from __future__ import annotations

from django.db import transaction

from practica.notifications.models import Kind
from practica.notifications.services import notify, on_commit
from practica.search.models import ExpertRequest

__all__ = ["expert_requested", "on_commit"]


@transaction.atomic
def expert_requested(request_id: int) -> None:
    """The expert asked hears who asks, about which question and why they were suggested."""
    request = (
        ExpertRequest.objects.select_related("thread", "thread__community", "expert", "requested_by")
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        return
    thread = request.thread
    asker = request.requested_by
    notify(
        recipients=[request.expert],
        kind=Kind.EXPERT_REQUEST,
        subject=f"{asker.display_name if asker else 'Someone'} asks you to look at “{thread.title}”",
        text=", ".join(str(r) for r in request.reasons[:3]) if isinstance(request.reasons, list) else "",
        url=thread.get_absolute_url(),
        community=thread.community,
        actor=asker,
        target=thread,
    )
