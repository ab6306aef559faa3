"""The coordinators' queues in the API: threads nobody has answered, and flags to handle."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from practica.communities import selectors as community_selectors
from practica.discussions import selectors, services
from practica.discussions.api.common import DiscussionsAPIView, signed_in
from practica.discussions.api.permissions import MayHandleFlags, MaySeeFlags, MaySeeUnheard
from practica.discussions.api.serializers import FlagResolveSerializer, FlagSerializer, UnheardSerializer
from practica.discussions.models import Flag, Thread
from practica.lib.api.requests import validated_data


class UnheardView(DiscussionsAPIView, generics.ListAPIView):
    """Threads nobody but their author has answered, oldest first (coordinators and core members)."""

    permission_classes = [IsAuthenticated, MaySeeUnheard]
    serializer_class = UnheardSerializer
    queryset = Thread.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        self.check_object_permissions(self.request, access)
        return selectors.unheard_queue(community=community)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": timezone.now()}


class FlagListView(DiscussionsAPIView, generics.ListAPIView):
    """Open flags in a community, oldest first (coordinators)."""

    permission_classes = [IsAuthenticated, MaySeeFlags]
    serializer_class = FlagSerializer
    queryset = Flag.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, access = community_selectors.community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        self.check_object_permissions(self.request, access)
        return selectors.open_flags(community=community).select_related("resolved_by")


class FlagResolveView(DiscussionsAPIView):
    """Hide the flagged post (``{"hide": true}``) or dismiss the flag (coordinators)."""

    permission_classes = [IsAuthenticated, MayHandleFlags]

    @extend_schema(request=FlagResolveSerializer, responses=FlagSerializer)
    def post(self, request: Request, flag_id: int) -> Response:
        user = signed_in(request)
        flag, access = selectors.flag_get_for_user(flag_id=flag_id, user=request.user)
        self.check_object_permissions(request, access)
        data = validated_data(FlagResolveSerializer, request)
        flag = services.flag_resolve(flag=flag, actor=user, hide=data["hide"])
        return Response(FlagSerializer(flag).data)
