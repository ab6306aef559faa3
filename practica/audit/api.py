"""The audit log in the API: ``GET /api/v1/communities/{slug}/audit/`` (coordinators) and ``GET /api/v1/audit/``
(network admins), paginated, with the page's filters."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import NotAuthenticated, ValidationError

from practica.audit import selectors
from practica.audit.forms import AuditFilterForm
from practica.audit.models import AuditEntry
from practica.communities.selectors import community_get_readable


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", help_text="The username at the time.")
    community: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True
    )

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "actor", "action", "summary", "community", "target_type", "target_id",
                  "details", "address"]
        read_only_fields = fields


FILTERS = [
    OpenApiParameter("action", str, description="An action (membership.role) or a family (membership, moderation, token...)"),
    OpenApiParameter("actor", str, description="Who acted (username)"),
    OpenApiParameter("since", str, description="From this day (YYYY-MM-DD)"),
    OpenApiParameter("until", str, description="To this day, inclusive (YYYY-MM-DD)"),
]


def _filters(params: Any) -> dict[str, Any]:
    data = {key: params.get(key, "") for key in ("actor", "since", "until")}
    form = AuditFilterForm(data)
    if not form.is_valid():
        raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    filters = {k: v for k, v in form.cleaned_data.items() if v and k != "action"}
    action = (params.get("action") or "")[:50]
    return {**filters, "action": action} if action else filters


class _AuditList(generics.ListAPIView):
    serializer_class = AuditEntrySerializer
    queryset = AuditEntry.objects.none()

    def entries(self) -> Any:
        raise NotImplementedError

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return selectors.audit_filter(self.entries(), **_filters(self.request.query_params))


@extend_schema(parameters=FILTERS)
class CommunityAuditView(_AuditList):
    """The community's audit log, newest first (coordinators; 404 where the community cannot be seen)."""

    def entries(self) -> Any:
        _, access = community_get_readable(slug=self.kwargs["slug"], user=self.request.user)
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        return selectors.audit_entries_of_community(access=access)


@extend_schema(parameters=FILTERS)
class NetworkAuditView(_AuditList):
    """Every entry of the network, newest first (network admins)."""

    def entries(self) -> Any:
        if not self.request.user.is_authenticated:
            raise NotAuthenticated()
        return selectors.audit_entries_all(user=self.request.user)
