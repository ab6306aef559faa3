"""The lifecycle stage in the API: ``POST /api/v1/communities/{slug}/health/stage/`` ``{"stage"}`` confirms or
overrides the stage the health metrics suggest (coordinators and network admins; 403 for other readers, 404 for
who may not read the community), through the communities service, so it enters the community's history. The
answer holds the stage now and the suggestion with its reasons."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.communities import permissions as community_permissions
from practica.communities.api.permissions import CommunityScoped, allows
from practica.communities.models import Stage
from practica.insights.lifecycle import stage_set, suggest_stage
from practica.insights.metrics import community_health
from practica.lib.api.requests import validated_data


class LifecycleStageRequestSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)


class LifecycleStageSerializer(serializers.Serializer):
    """The community's stage, and the stage its health metrics suggest with the reasons."""

    stage = serializers.ChoiceField(choices=Stage.choices)
    suggested = serializers.ChoiceField(choices=Stage.choices)
    reasons = serializers.ListField(child=serializers.CharField())


class LifecycleStageView(CommunityScoped, APIView):
    """Confirm or override the lifecycle stage the health metrics suggest (coordinators)."""

    permission_classes = [IsAuthenticated, allows(community_permissions.EDIT_COMMUNITY)]

    @extend_schema(request=LifecycleStageRequestSerializer, responses=LifecycleStageSerializer)
    def post(self, request: Request, slug: str) -> Response:
        data = validated_data(LifecycleStageRequestSerializer, request)
        suggestion = suggest_stage(community=self.community, health=community_health(community=self.community))
        community = stage_set(
            community=self.community, actor=request.user,  # type: ignore[arg-type]
            stage=data["stage"], suggestion=suggestion,
        )
        answer = {"stage": community.stage, "suggested": suggestion.stage, "reasons": suggestion.reasons}
        return Response(LifecycleStageSerializer(answer).data)
