"""Pages of the notification centre, email preferences, subscriptions, unsubscribe links and webhooks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.communities import selectors as community_selectors
from practica.communities.models import Membership, MembershipState
from practica.lib.forms import add_service_errors
from practica.lib.http import render_page, signed_in_user
from practica.lib.ids import id_from
from practica.notifications import emails, selectors, services, targets
from practica.notifications.forms import (
    CommunityEmailModeForm,
    EmailModeForm,
    TopicWatchForm,
    WatchForm,
    WebhookForm,
)
from practica.topics.models import Topic

PAGE_SIZE = 30



def _back(request: HttpRequest, default: str) -> HttpResponseRedirect:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


def _render_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(selectors.notifications_for(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render_page(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(user=user)},
        partial="notifications/_list.html",
    )


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the navigation (fetched by htmx; the link works without it)."""
    return render(request, "notifications/_badge.html", {"unread": selectors.unread_count(user=request.user)})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.POST.get("all"):
        count = services.notifications_mark_read(user=user)
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    else:
        ids = [i for i in map(id_from, request.POST.getlist("id")) if i is not None]
        services.notifications_mark_read(user=user, ids=ids)
    if getattr(request, "htmx", None):
        response = _render_list(request)
        response["HX-Trigger"] = "notificationsChanged"  # the header badge refreshes itself
        return response
    return _back(request, reverse("notifications:list"))


@login_required
@require_GET
def open_notification(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way."""
    n = selectors.notification_get_for_user(user=signed_in_user(request), notification_id=notification_id)
    services.notifications_mark_read(user=signed_in_user(request), ids=[n.pk])
    if not url_has_allowed_host_and_scheme(n.url, {request.get_host()}):
        return redirect("notifications:list")
    return redirect(n.url)


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = EmailModeForm(initial={"email_mode": selectors.email_mode_of(user=user)})
    topic_form = TopicWatchForm()
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "email":
            form = EmailModeForm(request.POST)
            if form.is_valid():
                services.email_mode_set(user=user, mode=form.cleaned_data["email_mode"])
                messages.success(request, "Email preference saved.")
                return redirect("notifications:preferences")
        elif action == "rotate":
            services.feed_key_rotate(user=user)
            messages.success(request, "New feed links made; the old ones no longer work.")
            return redirect("notifications:preferences")
        elif action == "topic":
            topic_form = TopicWatchForm(request.POST)
            if topic_form.is_valid():
                topic = Topic.objects.filter(slug=topic_form.cleaned_data["topic"].strip().lower()).first()
                if topic is None:
                    topic_form.add_error("topic", "No such tag.")
                else:
                    services.subscription_set(user=user, topic=topic, state="watch")
                    messages.success(request, f"You now watch the tag {topic.name}.")
                    return redirect("notifications:preferences")
        elif action == "untopic":
            topic_id = id_from(request.POST.get("topic_id"))
            topic = Topic.objects.filter(pk=topic_id).first() if topic_id else None
            if topic is not None:
                services.subscription_set(user=user, topic=topic, state="none")
            return redirect("notifications:preferences")
    memberships = (
        Membership.objects.filter(user=user, state=MembershipState.ACTIVE)
        .select_related("community")
        .order_by("community__name")
    )
    token = selectors.feed_token(user=user)
    feeds = [
        (
            m.community,
            services.absolute_url(
                reverse("notifications:personal_feed", kwargs={"token": token, "slug": m.community.slug})
            ),
        )
        for m in memberships
    ]
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "topic_form": topic_form,
            "topics": selectors.watched_topics(user=user),
            "feeds": feeds,
        },
        status=400 if (form.errors or topic_form.errors) else 200,
    )


@csrf_exempt  # one-click unsubscribe (RFC 8058): mail clients POST without a session or CSRF token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link does; POST (the button, or a mail client's one-click) stops all email to the
    person the link was made for, whoever is signed in."""
    person = emails.user_from_unsubscribe_token(token)
    if person is None:
        return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    other = request.user.is_authenticated and request.user.pk != person.pk
    if request.method == "POST":
        services.email_unsubscribe_all(user=person)
        return render(request, "notifications/unsubscribe.html", {"done": True, "other": other})
    return render(request, "notifications/unsubscribe.html", {"token": token, "other": other})


@login_required
@require_http_methods(["GET", "POST"])
def thread_watch(request: HttpRequest, thread_id: int) -> HttpResponse:
    thread = targets.find("thread", thread_id, request.user)
    user = signed_in_user(request)
    if request.method == "POST":
        form = WatchForm(request.POST)
        if form.is_valid():
            services.subscription_set(user=user, thread=thread, state=form.cleaned_data["state"])
            messages.success(request, "Saved.")
            return _back(request, resolve_url(thread))
    state = selectors.subscription_state(user=user, thread=thread)
    return render(request, "notifications/watch.html", {"thread": thread, "state": state})


@login_required
@require_http_methods(["GET", "POST"])
def community_follow(request: HttpRequest, slug: str) -> HttpResponse:
    """Watch or mute a community and choose how its notifications are emailed."""
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    user = signed_in_user(request)
    mode_form = CommunityEmailModeForm(
        initial={"email_mode": selectors.email_mode_of(user=user, community=community)}
    )
    if request.method == "POST":
        if request.POST.get("action") == "email":
            mode_form = CommunityEmailModeForm(request.POST)
            if mode_form.is_valid():
                services.email_mode_set(
                    user=user, community=community, mode=mode_form.cleaned_data["email_mode"]
                )
                messages.success(request, "Email preference for this community saved.")
                return redirect("notifications:community_follow", slug=community.slug)
        else:
            form = WatchForm(request.POST)
            if form.is_valid():
                services.subscription_set(user=user, community=community, state=form.cleaned_data["state"])
                messages.success(request, "Saved.")
                return redirect("notifications:community_follow", slug=community.slug)
    token = selectors.feed_token(user=user)
    context = {
        "community": community,
        "access": access,
        "state": selectors.subscription_state(user=user, community=community),
        "mode_form": mode_form,
        "public_feed": community.is_public,
        "personal_feed_url": services.absolute_url(
            reverse("notifications:personal_feed", kwargs={"token": token, "slug": community.slug})
        ),
    }
    return render(request, "notifications/follow.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def webhooks(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    hooks = selectors.webhooks_for(access=access)
    form = WebhookForm()
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                services.webhook_create(
                    community=community,
                    actor=signed_in_user(request),
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, "Webhook added.")
                return redirect("notifications:webhooks", slug=community.slug)
    return render(
        request,
        "notifications/webhooks.html",
        {"community": community, "access": access, "hooks": hooks, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def webhook_change(request: HttpRequest, slug: str, webhook_id: int) -> HttpResponse:
    community, access = community_selectors.community_get_readable(slug=slug, user=request.user)
    hook = selectors.webhook_get(access=access, webhook_id=webhook_id)
    action = request.POST.get("action")
    if action == "delete":
        services.webhook_delete(webhook=hook)
        messages.success(request, "Webhook deleted.")
    elif action in ("enable", "disable"):
        services.webhook_set_active(webhook=hook, active=action == "enable")
        messages.success(request, f"Webhook {action}d.")
    return redirect("notifications:webhooks", slug=community.slug)
