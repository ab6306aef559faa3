"""Search documents (doc type "event") for events: title, description, place and the meetings' notes.

Who may find an event is decided by its community, as for threads; cancelled events are removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from practica.events.models import Event, Occurrence
from practica.search.indexing import documents_locked, reindex_on_commit, store_documents
from practica.search.models import DocType, SearchDocument

MAX_BODY_CHARS = 200_000
BATCH = 500


def index_events(event_ids: Iterable[int]) -> int:
    """(Re)build the search documents of these events; returns how many were written."""
    from practica.search.backends import text_search_config

    ids = sorted(set(event_ids))
    total = 0
    for i in range(0, len(ids), BATCH):
        chunk = ids[i : i + BATCH]
        with documents_locked(DocType.EVENT, chunk):
            events = list(
                Event.objects.filter(id__in=chunk, cancelled_at=None)
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
                body = "\n".join(part for part in (event.description_text, event.location, notes) if part)
                documents.append(
                    SearchDocument(
                        doc_type=DocType.EVENT,
                        object_id=event.pk,
                        community=event.community,
                        title=event.title[:300],
                        body=body[:MAX_BODY_CHARS],
                        tags="",
                        author_id=event.organiser_id,
                        kind=event.kind,
                        created_at=event.created_at,
                        url=event.get_absolute_url(),
                        language=text_search_config(event.community.language),
                    )
                )
            store_documents(DocType.EVENT, chunk, documents)
        total += len(documents)
    return total


def event_changed(event_id: int) -> None:
    """Reindex an event when the current transaction commits."""
    reindex_on_commit(DocType.EVENT, event_id, index_events)


def rebuild() -> int:
    """Index every event (called by ``practica.search.indexing.rebuild``)."""
    return index_events(Event.objects.filter(cancelled_at=None).values_list("id", flat=True))
