"""REST API of the notifications app: the caller's notifications (unread count, marking them read), what the
caller watches or mutes, their email preferences and personal feeds, and a community's webhooks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.authentication import authenticated_user
from practica.accounts.models import User
from practica.communities.models import Community
from practica.communities.selectors import Access, community_get_readable
from practica.lib.api.pagination import PagePagination
from practica.lib.api.requests import validated_data
from practica.notifications import selectors, services, targets
from practica.notifications.models import EmailMode, Notification, Subscription, Webhook
from practica.notifications.permissions import MANAGE_WEBHOOKS
from practica.notifications.services import BROADCAST_EVENTS, absolute_url
from practica.topics.models import Topic

MAX_IDS = 500
MAX_COMMUNITY_MODES = 100


class NotificationSerializer(serializers.ModelSerializer[Notification]):
    actor = serializers.SerializerMethodField()
    community = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    is_read = serializers.BooleanField(read_only=True)

    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "subject",
            "text",
            "url",
            "community",
            "actor",
            "created_at",
            "read_at",
            "is_read",
        ]

    def get_actor(self, obj: Notification) -> str | None:
        return obj.actor.username if obj.actor else None

    def get_community(self, obj: Notification) -> str | None:
        return obj.community.slug if obj.community else None

    def get_url(self, obj: Notification) -> str:
        return absolute_url(obj.url)


class MarkReadSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=MAX_IDS
    )
    all = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs.get("all") and not attrs.get("ids"):
            raise serializers.ValidationError({"ids": ["Give the ids to mark read, or all: true."]})
        return attrs


class NotificationPagination(PagePagination):
    """A page of notifications, with the caller's count of unread ones (the badge) beside it."""

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"]["unread_count"] = {"type": "integer", "example": 3}
        paginated["required"] = [*paginated.get("required", []), "unread_count"]
        return paginated


class NotificationListView(generics.ListAPIView[Notification]):
    """The caller's notifications, newest first; ``?unread=1`` for unread ones only."""

    permission_classes = [IsAuthenticated]
    pagination_class = NotificationPagination
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        qs = selectors.notifications_for(user=self.request.user)  # type: ignore[arg-type]
        if self.request.query_params.get("unread") in ("1", "true"):
            qs = qs.filter(read_at__isnull=True)
        return qs

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        response.data["unread_count"] = selectors.unread_count(user=request.user)
        return response


class MarkReadView(APIView):
    """Mark some (``{"ids": [...]}``) or all (``{"all": true}``) of the caller's notifications read."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=MarkReadSerializer,
        responses=inline_serializer(
            "MarkReadResult",
            {"marked": serializers.IntegerField(), "unread_count": serializers.IntegerField()},
        ),
    )
    def post(self, request: Request) -> Response:
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        marked = services.notifications_mark_read(
            user=request.user,  # type: ignore[arg-type]
            ids=None if data.get("all") else data["ids"],
        )
        return Response({"marked": marked, "unread_count": selectors.unread_count(user=request.user)})


# --- Subscriptions: what the caller watches or mutes ------------------------------------------------------

STATES = ("watch", "mute", "none")


class SubscriptionSerializer(serializers.ModelSerializer[Subscription]):
    """One thing the caller watches or mutes: a community (its slug), a tag (its slug) or a thread (its id)."""

    target = serializers.SerializerMethodField()
    community: serializers.SlugRelatedField[Community] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    topic: serializers.SlugRelatedField[Topic] = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )
    thread = serializers.SerializerMethodField()
    state = serializers.SerializerMethodField()

    class Meta:
        model = Subscription
        fields = ["id", "target", "community", "topic", "thread", "state", "created_at"]

    def get_target(self, obj: Subscription) -> str:
        if obj.target_type is not None:
            return targets.name_of(obj.target_type)
        return "community" if obj.community_id else "topic"

    def get_thread(self, obj: Subscription) -> int | None:
        return obj.target_id if obj.target_type is not None and self.get_target(obj) == "thread" else None

    def get_state(self, obj: Subscription) -> str:
        return "mute" if obj.muted else "watch"


class SubscriptionSetSerializer(serializers.Serializer[Any]):
    """Watch, mute or forget (``state`` "none") exactly one of a community, a tag or a thread."""

    community = serializers.SlugField(required=False, max_length=100)
    topic = serializers.CharField(required=False, max_length=64)
    thread = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    state = serializers.ChoiceField(choices=STATES)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("community", "topic", "thread") if name in attrs]
        if len(given) != 1:
            raise serializers.ValidationError({"detail": ["Give exactly one of community, topic or thread."]})
        return attrs


class SubscriptionStateSerializer(serializers.Serializer[Any]):
    target = serializers.ChoiceField(choices=["community", "topic", "thread"])
    community = serializers.CharField(allow_null=True)
    topic = serializers.CharField(allow_null=True)
    thread = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=STATES)


class MySubscriptionsView(generics.ListAPIView[Subscription]):
    """GET: what the caller watches or mutes, communities first, then tags, then threads (own subscriptions only).
    POST: watch, mute or forget one (``{"community": slug} | {"topic": slug} | {"thread": id}`` and ``state``);
    something the caller may not read is as unknown as something that does not exist (400)."""

    permission_classes = [IsAuthenticated]
    serializer_class = SubscriptionSerializer
    queryset = Subscription.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.subscriptions_of(user=authenticated_user(self.request))

    @extend_schema(request=SubscriptionSetSerializer, responses=SubscriptionStateSerializer)
    def post(self, request: Request) -> Response:
        user = authenticated_user(request)
        data = validated_data(SubscriptionSetSerializer, request)
        community: Community | None = None
        topic: Topic | None = None
        thread: Any = None
        if "community" in data:
            community = selectors.community_readable(slug=data["community"], user=user)
            if community is None:
                raise serializers.ValidationError({"community": ["No such community."]})
        elif "topic" in data:
            topic = Topic.objects.filter(slug=data["topic"].strip().lower()).first()
            if topic is None:
                raise serializers.ValidationError({"topic": ["No such tag."]})
        else:
            try:
                thread = targets.find("thread", data["thread"], user)
            except Http404:
                raise serializers.ValidationError({"thread": ["No such thread."]}) from None
        services.subscription_set(user=user, community=community, topic=topic, thread=thread, state=data["state"])
        return Response(
            {
                "target": "community" if community else "topic" if topic else "thread",
                "community": community.slug if community else None,
                "topic": topic.slug if topic else None,
                "thread": thread.pk if thread is not None else None,
                "state": data["state"],
            }
        )


# --- Email preferences and personal feeds ----------------------------------------------------------------


class CommunityEmailModeSerializer(serializers.Serializer[Any]):
    community = serializers.SlugField(max_length=100)
    email_mode = serializers.ChoiceField(
        choices=["", *EmailMode.values], allow_blank=True, help_text='"" goes back to the personal default.'
    )


class PersonalFeedSerializer(serializers.Serializer[Any]):
    community = serializers.CharField()
    url = serializers.URLField()


class PreferencesSerializer(serializers.Serializer[Any]):
    """How the caller gets email (``email_mode``), the communities where that differs, and the caller's personal
    Atom feed URLs (one per community they belong to; rotating the feed key revokes them)."""

    email_mode = serializers.ChoiceField(choices=EmailMode.values)
    communities = serializers.ListField(child=CommunityEmailModeSerializer(), max_length=MAX_COMMUNITY_MODES)
    feeds = PersonalFeedSerializer(many=True, read_only=True)


class PreferencesPatchSerializer(serializers.Serializer[Any]):
    email_mode = serializers.ChoiceField(choices=EmailMode.values, required=False)
    communities = serializers.ListField(
        child=CommunityEmailModeSerializer(), required=False, max_length=MAX_COMMUNITY_MODES
    )


def _preferences(user: User) -> dict[str, Any]:
    token = selectors.feed_token(user=user)
    return {
        "email_mode": selectors.email_mode_of(user=user),
        "communities": [
            {"community": slug, "email_mode": mode} for slug, mode in selectors.community_email_modes(user=user)
        ],
        "feeds": [
            {
                "community": community.slug,
                "url": absolute_url(
                    reverse("notifications:personal_feed", kwargs={"token": token, "slug": community.slug})
                ),
            }
            for community in selectors.communities_with_feeds(user=user)
        ],
    }


class MyPreferencesView(APIView):
    """GET the caller's email preferences and personal feed URLs; PATCH ``email_mode`` and/or ``communities``
    (each ``{"community": slug, "email_mode"}``, "" for the default). All or nothing: a community the caller
    may not read is a 400 and nothing is saved."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PreferencesSerializer)
    def get(self, request: Request) -> Response:
        return Response(_preferences(authenticated_user(request)))

    @extend_schema(request=PreferencesPatchSerializer, responses=PreferencesSerializer)
    def patch(self, request: Request) -> Response:
        user = authenticated_user(request)
        data = validated_data(PreferencesPatchSerializer, request)
        overrides = []
        for row in data.get("communities", []):
            community = selectors.community_readable(slug=row["community"], user=user)
            if community is None:
                raise serializers.ValidationError({"communities": [f"No such community: {row['community']}."]})
            overrides.append((community, row["email_mode"]))
        with transaction.atomic():
            if "email_mode" in data:
                services.email_mode_set(user=user, mode=data["email_mode"])
            for community, mode in overrides:
                services.email_mode_set(user=user, community=community, mode=mode)
        return Response(_preferences(user))


class RotateFeedKeyView(APIView):
    """Give the caller a new personal feed key: every feed URL given out before stops working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=PreferencesSerializer)
    def post(self, request: Request) -> Response:
        user = authenticated_user(request)
        services.feed_key_rotate(user=user)
        return Response(_preferences(user))


# --- Webhooks of a community (coordinators) ------------------------------------------------------------


class WebhookSerializer(serializers.ModelSerializer[Webhook]):
    """An outgoing webhook. ``secret`` signs each POST (``X-Practica-Signature``); ``events`` empty means all."""

    events = serializers.ListField(
        child=serializers.ChoiceField(choices=BROADCAST_EVENTS), required=False, max_length=len(BROADCAST_EVENTS)
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "events",
            "secret",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        read_only_fields = [
            "secret",
            "is_active",
            "consecutive_failures",
            "disabled_at",
            "disabled_reason",
            "created_at",
        ]
        extra_kwargs: dict[str, dict[str, Any]] = {"url": {"validators": []}}  # the service checks it (http(s), no private network)


class WebhookCreateSerializer(serializers.Serializer[Any]):
    url = serializers.CharField(max_length=500)
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=BROADCAST_EVENTS), required=False, max_length=len(BROADCAST_EVENTS)
    )


class WebhookChangeSerializer(serializers.Serializer[Any]):
    is_active = serializers.BooleanField()


def _webhook_access(request: Request, slug: str) -> tuple[Community, Access]:
    """The community whose webhooks the caller manages: 401 anonymous, 404 unreadable, 403 not a coordinator."""
    user = authenticated_user(request)
    community, access = community_get_readable(slug=slug, user=user)
    MANAGE_WEBHOOKS.require(access)
    return community, access


def _service_errors(exc: DjangoValidationError) -> serializers.ValidationError:
    return serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages})


class WebhookListView(generics.ListAPIView[Webhook]):
    """GET the community's webhooks; POST ``{"url", "events"?}`` adds one (coordinators)."""

    serializer_class = WebhookSerializer
    queryset = Webhook.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        _community, access = _webhook_access(self.request, self.kwargs["slug"])
        return selectors.webhooks_for(access=access)

    @extend_schema(request=WebhookCreateSerializer, responses={201: WebhookSerializer})
    def post(self, request: Request, slug: str) -> Response:
        community, _access = _webhook_access(request, slug)
        data = validated_data(WebhookCreateSerializer, request)
        try:
            hook = services.webhook_create(
                community=community,
                actor=authenticated_user(request),
                url=data["url"],
                events=data.get("events", []),
            )
        except DjangoValidationError as exc:
            raise _service_errors(exc) from None
        return Response(WebhookSerializer(hook).data, status=status.HTTP_201_CREATED)


class WebhookDetailView(APIView):
    """GET one webhook; PATCH ``{"is_active"}`` enables (resetting its failures) or disables it; DELETE removes
    it (coordinators)."""

    @extend_schema(responses=WebhookSerializer)
    def get(self, request: Request, slug: str, webhook_id: int) -> Response:
        _community, access = _webhook_access(request, slug)
        return Response(WebhookSerializer(selectors.webhook_get(access=access, webhook_id=webhook_id)).data)

    @extend_schema(request=WebhookChangeSerializer, responses=WebhookSerializer)
    def patch(self, request: Request, slug: str, webhook_id: int) -> Response:
        _community, access = _webhook_access(request, slug)
        hook = selectors.webhook_get(access=access, webhook_id=webhook_id)
        data = validated_data(WebhookChangeSerializer, request)
        hook = services.webhook_set_active(webhook=hook, active=data["is_active"])
        return Response(WebhookSerializer(hook).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, slug: str, webhook_id: int) -> Response:
        _community, access = _webhook_access(request, slug)
        services.webhook_delete(webhook=selectors.webhook_get(access=access, webhook_id=webhook_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
