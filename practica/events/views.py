"""Event pages: the community's meetings, planning one, the event with its occurrences (RSVP, attendance,
notes, decisions and actions), calendar feeds and one's personal feed URL."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities import selectors as community_selectors
from practica.events import ical, permissions, selectors, services
from practica.events.forms import (
    ActionForm,
    AttendanceForm,
    EventForm,
    OccurrenceChangeForm,
    RsvpForm,
    WriteUpForm,
)
from practica.events.models import Event
from practica.events.recurrence import occurrence_key, occurrence_key_parse
from practica.lib.forms import add_service_errors
from practica.lib.http import flash_errors, render_page, signed_in_user

ICS_TYPE = "text/calendar; charset=utf-8"




def _event(request: HttpRequest, slug: str, event_id: int) -> tuple[Event, Any]:
    event, access = selectors.event_get_for_user(event_id=event_id, user=request.user)
    if event.community.slug.lower() != slug.lower():
        raise Http404("No such event.")
    return event, access


def _occurrence_start(request: HttpRequest) -> dt.datetime | None:
    raw = request.POST.get("occurrence") or request.GET.get("occurrence") or ""
    if not raw:
        return None
    moment = occurrence_key_parse(raw)
    if moment is None:
        raise Http404("No such occurrence.")
    return moment


def _back(event: Event, original_start: dt.datetime | None) -> HttpResponse:
    url = event.get_absolute_url()
    if original_start is not None:
        url += f"?occurrence={occurrence_key(original_start)}"
    return redirect(url)


@require_GET
def event_list(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    context = {
        "community": community,
        "access": access,
        "upcoming": selectors.upcoming_occurrences(community=community, limit=30),
        "past": selectors.past_occurrences(community=community, limit=20),
        "rhythm": selectors.community_rhythm(community=community),
        "can_create": permissions.may_create(access),
    }
    return render(request, "events/event_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    permissions.may_create.require(access)
    tz = timezone.get_current_timezone_name()
    form = EventForm(request.POST or None, initial={"timezone": tz})
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(
                community=community,
                organiser=signed_in_user(request),
                **form.event_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The event is planned and members were told.")
            return redirect(event.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "events/event_form.html",
        {"community": community, "access": access, "form": form},
        status=status,
    )


def _edit_initial(event: Event) -> dict[str, Any]:
    """The event's current values as the edit form shows them: times on the wall clock of its zone."""
    zone = zoneinfo.ZoneInfo(event.timezone)
    return {
        "title": event.title,
        "kind": event.kind,
        "description": event.description_source,
        "start": event.start.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes"),
        "end": event.end.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes"),
        "timezone": event.timezone,
        "repeat": "custom" if event.recurrence else "",
        "recurrence": event.recurrence,
        "location": event.location,
        "online_url": event.online_url,
        "capacity": event.capacity,
    }


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, access = _event(request, slug, event_id)
    permissions.may_edit.require(event, access)
    form = EventForm(request.POST or None, initial=_edit_initial(event))
    if request.method == "POST" and form.is_valid():
        try:
            result = services.event_update(
                event=event,
                actor=signed_in_user(request),
                **form.event_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            (messages.warning if result.dropped_occurrences else messages.success)(request, result.message)
            return redirect(event.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "events/event_form.html",
        {"community": event.community, "access": access, "form": form, "event": event},
        status=status,
    )


@require_GET
def event_detail(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, access = _event(request, slug, event_id)
    wanted = _occurrence_start(request)
    info = selectors.occurrence_find(event=event, original_start=wanted)
    if wanted is not None and info is None:
        raise Http404("No such occurrence.")
    detail = selectors.occurrence_detail(info=info, user=request.user) if info is not None else None
    now = timezone.now()
    upcoming = [
        i
        for i in selectors.occurrences_between(
            [event], now - dt.timedelta(days=31), now + dt.timedelta(days=400), include_cancelled=True
        )
        if i.end > now
    ][:12]
    past = list(reversed(selectors.occurrences_between([event], now - dt.timedelta(days=400), now)))[:12]
    flags = selectors.event_flags(
        event=event, access=access, info=info, actions=detail.actions if detail is not None else None
    )
    key = info.key if info is not None else ""
    context = {
        "community": event.community,
        "access": access,
        "event": event,
        "occ": info,
        "detail": detail,
        "upcoming": upcoming,
        "past": [p for p in past if p.end <= now],
        "can_manage": flags.can_manage,
        "can_rsvp": flags.can_rsvp,
        "can_capture": flags.can_capture,
        "changeable_actions": flags.changeable_actions,
        "has_started": flags.has_started,
        "is_over": flags.is_over,
        "rsvp_form": RsvpForm(initial={"occurrence": key}),
        "writeup_form": WriteUpForm(
            initial={
                "occurrence": key,
                "agenda": info.row.agenda_source if info and info.row else "",
                "notes": info.row.notes_source if info and info.row else "",
                "decisions": info.row.decisions_source if info and info.row else "",
            }
        ),
        "action_form": ActionForm(initial={"occurrence": key}),
        "change_form": OccurrenceChangeForm(initial={"occurrence": key}),
        "attendance_form": AttendanceForm(initial={"occurrence": key}),
        "attended_ids": {a.user_id for a in detail.attendances} if detail else set(),
        "calendar_url": reverse("events:community_ics", kwargs={"slug": event.community.slug}),
    }
    return render_page(request, "events/event_detail.html", context, partial="events/_rsvp.html")


def _rsvp_partial(
    request: HttpRequest, event: Event, access: Any, original: dt.datetime | None, message: str, level: str
) -> HttpResponse:
    """The answer box (button state, counts and what happened) and who is coming, for htmx to swap in place."""
    info = selectors.occurrence_find(event=event, original_start=original)
    if info is None:
        raise Http404("No such occurrence.")
    flags = selectors.event_flags(event=event, access=access, info=info)
    context = {
        "community": event.community,
        "event": event,
        "occ": info,
        "detail": selectors.occurrence_detail(info=info, user=request.user),
        "can_rsvp": flags.can_rsvp,
        "is_over": flags.is_over,
        "rsvp_message": message,
        "rsvp_level": level,
    }
    # The answer box, and the list of who is coming swapped out of band (it sits elsewhere on the page).
    return render(request, "events/_rsvp_response.html", context)


@login_required
@require_POST
def rsvp(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    """Answer for one occurrence. A plain form post redirects back to the event with a message; an htmx post
    gets the answer box back, updated."""
    event, access = _event(request, slug, event_id)
    original = _occurrence_start(request)
    htmx = bool(getattr(request, "htmx", False))
    form = RsvpForm(request.POST)
    if not form.is_valid():
        if htmx:
            return _rsvp_partial(request, event, access, original, "Answer yes, no or maybe.", "error")
        messages.error(request, "Answer yes, no or maybe.")
        return _back(event, original)
    try:
        result = services.event_rsvp(
            event=event, user=signed_in_user(request), response=form.cleaned_data["response"], original_start=original
        )
    except ValidationError as exc:
        if htmx:
            return _rsvp_partial(request, event, access, original, " ".join(exc.messages), "error")
        flash_errors(request, exc)
        return _back(event, original)
    except PermissionDenied as exc:
        if htmx:
            return _rsvp_partial(request, event, access, original, str(exc), "info")
        messages.info(request, str(exc))
        return _back(event, original)
    if htmx:
        level = "warning" if result.rsvp.is_waiting else "success"
        return _rsvp_partial(
            request, event, access, result.rsvp.occurrence.original_start, result.message, level
        )
    (messages.warning if result.rsvp.is_waiting else messages.success)(request, result.message)
    return _back(event, result.rsvp.occurrence.original_start)


@login_required
@require_POST
def occurrence_change(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, _access = _event(request, slug, event_id)
    original = _occurrence_start(request)
    form = OccurrenceChangeForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return _back(event, original)
    data = form.cleaned_data
    try:
        row = services.occurrence_change(
            event=event,
            actor=signed_in_user(request),
            original_start=original,
            cancel=data["cancel"],
            new_start=data["start"],
            new_end=data["end"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
        return _back(event, original)
    messages.success(
        request, "This occurrence is cancelled." if row.is_cancelled else "This occurrence is moved."
    )
    return _back(event, row.original_start)


@login_required
@require_POST
def attendance(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, _access = _event(request, slug, event_id)
    original = _occurrence_start(request)
    names = request.POST.getlist("attended") + request.POST.get("others", "").split(",")
    try:
        rows = services.attendance_mark(
            event=event, actor=signed_in_user(request), original_start=original, usernames=names
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"Attendance saved: {len(rows)} came.")
    return _back(event, original)


@login_required
@require_POST
def write_up(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, _access = _event(request, slug, event_id)
    original = _occurrence_start(request)
    form = WriteUpForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        services.occurrence_write_up(
            event=event,
            actor=signed_in_user(request),
            original_start=original,
            agenda=data.get("agenda") if "agenda" in request.POST else None,
            notes=data.get("notes") if "notes" in request.POST else None,
            decisions=data.get("decisions") if "decisions" in request.POST else None,
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, "Saved.")
    return _back(event, original)


@login_required
@require_POST
def action_add(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, _access = _event(request, slug, event_id)
    original = _occurrence_start(request)
    form = ActionForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            for error in errors:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}: {error}"
                )
        return _back(event, original)
    data = form.cleaned_data
    try:
        action = services.action_create(
            event=event,
            actor=signed_in_user(request),
            original_start=original,
            text=data["text"],
            owner_username=data["owner"],
            due_date=data["due_date"],
        )
    except ValidationError as exc:
        flash_errors(request, exc)
    else:
        messages.success(request, f"Action added for {action.owner.display_name}.")
    return _back(event, original)


@login_required
@require_POST
def action_done(request: HttpRequest, action_id: int) -> HttpResponse:
    action = selectors.action_get_for_user(action_id=action_id, user=request.user)
    done = request.POST.get("done", "1") == "1"
    services.action_set_done(action=action, actor=signed_in_user(request), done=done)
    messages.success(request, "Action done." if done else "Action reopened.")
    nxt = request.POST.get("next", "")
    if nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return _back(action.occurrence.event, action.occurrence.original_start)


@login_required
@require_POST
def capture(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, _access = _event(request, slug, event_id)
    original = _occurrence_start(request)
    try:
        item = services.notes_capture(event=event, actor=signed_in_user(request), original_start=original)
    except ValidationError as exc:
        flash_errors(request, exc)
        return _back(event, original)
    messages.success(request, "A knowledge draft was made from the notes: review and publish it.")
    url = getattr(item, "get_absolute_url", None)
    return redirect(url()) if callable(url) else _back(event, original)


@login_required
@require_POST
def event_cancel(request: HttpRequest, slug: str, event_id: int) -> HttpResponse:
    event, _access = _event(request, slug, event_id)
    services.event_cancel(event=event, actor=signed_in_user(request))
    messages.success(request, "The event is cancelled.")
    return redirect("events:list", slug=event.community.slug)


# --- Calendar feeds ---------------------------------------------------------------------------------


@require_GET
def community_ics(request: HttpRequest, slug: str) -> HttpResponse:
    """The community's calendar: public communities for anyone; others only through a personal feed."""
    community, _access = community_selectors.community_get_readable(slug=slug, user=request.user)
    body = ical.calendar_for(selectors.feed_events(community=community), name=community.name)
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'inline; filename="{community.slug}.ics"'
    return response


@require_GET
def personal_ics(request: HttpRequest, token: str) -> HttpResponse:
    """Every event of one's communities; the URL is the credential (signed, revocable)."""
    user = services.calendar_token_user(token)
    if user is None:
        raise Http404("No such calendar.")
    body = ical.calendar_for(selectors.calendar_events_for(user=user), name=f"Practica — {user.display_name}")
    return HttpResponse(body, content_type=ICS_TYPE)


@login_required
@require_http_methods(["GET", "POST"])
def my_calendar(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        token = services.calendar_token_revoke(user=user)
        messages.success(request, "Your old calendar address no longer works; here is a new one.")
        return redirect("events:my_calendar")
    token = services.calendar_token(user=user)
    url = request.build_absolute_uri(reverse("events:personal_ics", kwargs={"token": token}))
    return render(
        request, "events/my_calendar.html", {"feed_url": url, "actions": selectors.my_open_actions(user=user)}
    )
