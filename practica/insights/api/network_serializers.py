"""The network view's payloads (``GET /api/v1/network/health/``); every name starts with ``Network`` so that no
other app's serializer shares their schema components."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from practica.insights import catalogue
from practica.insights.metrics import DEFAULT_DAYS, MAX_DAYS


@extend_schema_field(OpenApiTypes.NUMBER)
class NetworkNumberField(serializers.Field):
    """A metric's value as computed: an integer for counts, a fraction for shares, null when undefined."""

    def to_representation(self, value: Any) -> Any:
        return value


class NetworkMetricSerializer(serializers.Serializer):
    value = NetworkNumberField(allow_null=True, help_text="Over the window; null when undefined (a share of nothing).")
    previous = NetworkNumberField(allow_null=True, help_text="Over the window before it, of the same length.")


def _metric(name: str) -> NetworkMetricSerializer:
    info = catalogue.info(name)
    return NetworkMetricSerializer(help_text=f"{info.label}: {info.help}")


class NetworkHeadlineSerializer(serializers.Serializer):
    """The headline metrics (``docs/metrics.md``), each computed exactly as the community's health endpoint does."""

    contributors = _metric("contributors")
    contributions = _metric("contributions")
    reply_coverage_7d = _metric("reply_coverage_7d")
    median_first_response_hours = _metric("median_first_response_hours")
    active_members = _metric("active_members")
    top10_share = _metric("top10_share")
    dau_mau = _metric("dau_mau")
    net_contributor_change = _metric("net_contributor_change")


class NetworkWindowSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The first UTC day.")
    end = serializers.DateField(help_text="The last UTC day, inclusive.")


class NetworkOrganisationSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    members = serializers.IntegerField(help_text="Active members from this organisation.")
    declared = serializers.BooleanField(help_text="In the community's own list of organisations taking part.")


class NetworkCommunitySerializer(serializers.Serializer):
    slug = serializers.CharField(source="community.slug")
    name = serializers.CharField(source="community.name")
    visibility = serializers.CharField(source="community.visibility")
    stage = serializers.CharField(source="community.stage", help_text="The lifecycle stage.")
    members = serializers.IntegerField(help_text="Active members today.")
    metrics = NetworkHeadlineSerializer()
    organisations = NetworkOrganisationSerializer(many=True)
    fading = serializers.BooleanField()
    fading_reasons = serializers.ListField(child=serializers.CharField(), help_text="Why it is fading, if it is.")
    last_contribution_at = serializers.DateTimeField(
        allow_null=True, help_text="The last contribution up to the window's end (looked for from 90 days before the "
        "previous window); null when none."
    )


class NetworkBrokerCommunitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    contributions = serializers.IntegerField(help_text="Their contributions there in the window.")


class NetworkBrokerSerializer(serializers.Serializer):
    username = serializers.CharField()
    display_name = serializers.CharField()
    organisation = serializers.CharField(help_text="Empty when unknown.")
    contributions = serializers.IntegerField(help_text="In all the communities they bridge, in the window.")
    communities = NetworkBrokerCommunitySerializer(many=True)


class NetworkHealthSerializer(serializers.Serializer):
    window = NetworkWindowSerializer()
    previous_window = NetworkWindowSerializer()
    communities = NetworkCommunitySerializer(many=True, help_text="By name.")
    brokers = NetworkBrokerSerializer(
        many=True, allow_null=True,
        help_text="People who contributed in two or more of these communities in the window; null unless the caller "
        "is a network admin.",
    )


class NetworkHealthQuerySerializer(serializers.Serializer):
    """The query string: the window."""

    days = serializers.IntegerField(required=False, min_value=1, max_value=MAX_DAYS, default=DEFAULT_DAYS,
                                    help_text="The window's length in UTC days.")
    end = serializers.DateField(required=False, help_text="The window's last UTC day (YYYY-MM-DD), today by default.")
