"""What events make searchable: title, description, place and the meetings' notes — declared to the search
registry (``practica/lib/indexing.py``) in ``EventsConfig.ready()``. Who may find an event is decided by its
community, as for threads; cancelled events are not searchable."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db.models import Prefetch

from practica.events.models import Event, Occurrence
from practica.lib import indexing
from practica.lib.indexing import Document

EVENT = "event"


class EventIndex(indexing.Index):
    doc_type = EVENT
    plural = "events"
    rebuild_order = 30

    def ids(self, *, community_id: int | None = None) -> Iterable[int]:
        if community_id is None:
            return Event.objects.filter(cancelled_at=None).order_by("id").values_list("id", flat=True)
        return Event.objects.filter(community_id=community_id).values_list("id", flat=True)

    def documents(self, ids: Sequence[int], prepared: Any = None) -> list[Document]:
        events = (
            Event.objects.filter(id__in=ids, cancelled_at=None)
            .select_related("community")
            .prefetch_related(
                Prefetch(
                    "occurrences",
                    queryset=Occurrence.objects.exclude(notes_text="", decisions_source="").only(
                        "id", "event_id", "notes_text", "decisions_source"
                    ),
                )
            )
        )
        documents = []
        for event in events:
            notes = "\n".join(f"{o.notes_text}\n{o.decisions_source}" for o in event.occurrences.all())
            documents.append(
                Document(
                    object_id=event.pk,
                    community_id=event.community_id,
                    title=event.title,
                    body="\n".join(part for part in (event.description_text, event.location, notes) if part),
                    tags="",
                    author_id=event.organiser_id,
                    kind=event.kind,
                    created_at=event.created_at,
                    url=event.get_absolute_url(),
                    language=event.community.language,
                )
            )
        return documents


def event_changed(event_id: int) -> None:
    """Reindex an event when the current transaction commits."""
    indexing.changed(EVENT, event_id)
