"""After (and before) the meeting: the agenda, notes and decisions of one date, the actions decided there, and
capturing the notes as a knowledge draft."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.selectors import Access
from practica.events import notifications, permissions
from practica.events.models import ActionItem, Event, Occurrence
from practica.events.search import event_changed
from practica.events.services.attendance import members_named
from practica.events.services.occurrences import occurrence_for
from practica.events.services.validation import clean_text, collect
from practica.knowledge.models import KnowledgeItem
from practica.knowledge.services import capture_from_notes
from practica.lib import activity
from practica.lib.markdown import render_markdown


@transaction.atomic
def occurrence_write_up(
    *,
    event: Event,
    actor: User,
    original_start: dt.datetime | None,
    agenda: str | None = None,
    notes: str | None = None,
    decisions: str | None = None,
) -> Occurrence:
    """Write the agenda (before) or the notes and decisions (after) of one occurrence; Markdown, sanitised."""
    permissions.may_manage.require(event, Access(event.community, actor))
    errors: dict[str, list[str]] = {}
    for field, value in (("agenda", agenda), ("notes", notes), ("decisions", decisions)):
        if value is not None:
            try:
                clean_text(value, field)
            except ValidationError as exc:
                collect(errors, exc)
    if errors:
        raise ValidationError(errors)
    occurrence = occurrence_for(event, original_start, lock=True)
    if agenda is not None:
        occurrence.agenda_source = agenda
        occurrence.agenda_html = render_markdown(agenda).html
    if notes is not None:
        rendered = render_markdown(notes)
        occurrence.notes_source, occurrence.notes_html, occurrence.notes_text = (
            notes,
            rendered.html,
            rendered.text,
        )
    if decisions is not None:
        occurrence.decisions_source = decisions
        occurrence.decisions_html = render_markdown(decisions).html
    if notes is not None or decisions is not None:
        occurrence.notes_updated_at = timezone.now()
        activity.contributed(community=event.community, user=actor)  # meeting notes are a contribution
    occurrence.save()
    event_changed(event.pk)
    return occurrence


@transaction.atomic
def action_create(
    *,
    event: Event,
    actor: User,
    original_start: dt.datetime | None,
    text: str,
    owner_username: str,
    due_date: dt.date | None = None,
) -> ActionItem:
    """Add an action decided in a meeting; its owner (an active member) is notified and sees it at home."""
    permissions.may_manage.require(event, Access(event.community, actor))
    errors: dict[str, list[str]] = {}
    text = " ".join((text or "").split())
    if not text:
        errors["text"] = ["Say what is to be done."]
    elif len(text) > 500:
        errors["text"] = ["An action may have at most 500 characters."]
    name = (owner_username or "").strip().lstrip("@").lower()
    owner = members_named(event.community, {name}).first() if name else None
    if owner is None:
        errors["owner"] = [
            f"“{name}” is not a member of this community." if name else "Say who owns this action."
        ]
    if errors:
        raise ValidationError(errors)
    assert owner is not None
    occurrence = occurrence_for(event, original_start, lock=True)
    action = ActionItem.objects.create(
        occurrence=occurrence, text=text, owner=owner, due_date=due_date, created_by=actor
    )
    notifications.action_assigned(action, event, occurrence, actor)
    return action


@transaction.atomic
def action_set_done(*, action: ActionItem, actor: User, done: bool) -> ActionItem:
    """Tick an action done (or reopen it): its owner, the organiser or a coordinator."""
    event = action.occurrence.event
    permissions.may_change_action.require(action, event, Access(event.community, actor))
    action.done_at = timezone.now() if done else None
    action.save(update_fields=["done_at"])
    return action


# --- Capture as knowledge ---------------------------------------------------------------------------------


def notes_capture(*, event: Event, actor: User, original_start: dt.datetime | None) -> KnowledgeItem:
    """Turn one occurrence's notes and decisions into a knowledge draft (provenance: the meeting)."""
    permissions.may_manage.require(event, Access(event.community, actor))
    occurrence = occurrence_for(event, original_start)
    if not (occurrence.notes_source.strip() or occurrence.decisions_source.strip()):
        raise ValidationError({"notes": ["Write the meeting's notes or decisions first."]})
    body = occurrence.notes_source
    if occurrence.decisions_source.strip():
        body = f"{body}\n\n## Decisions\n\n{occurrence.decisions_source}"
    credited = list(User.objects.filter(attendances__occurrence=occurrence))
    when = occurrence.start.astimezone(zoneinfo.ZoneInfo(event.timezone))
    return capture_from_notes(
        user=actor,
        community=event.community,
        title=f"{event.title} — {when:%d %b %Y}",
        body_markdown=body,
        source_title=f"{event.title}, {when:%d %b %Y %H:%M} ({event.timezone})",
        source_url=notifications.occurrence_url(event, occurrence),
        credited=credited,
    )
