"""REST API of the notification centre: the caller's notifications, unread count and marking them read."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.notifications import selectors, services
from practica.notifications.models import Notification
from practica.notifications.services import absolute_url

MAX_IDS = 500


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


class NotificationListView(generics.ListAPIView[Notification]):
    """The caller's notifications, newest first; ``?unread=1`` for unread ones only."""

    permission_classes = [IsAuthenticated]
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
