"""Serializers of the people API: every payload in and out, so the OpenAPI schema is the truth."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from practica.accounts.models import User
from practica.people import hooks
from practica.people.models import Organization, Profile


class OrganizationSerializer(serializers.ModelSerializer):
    people = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "kind", "website", "people"]


class PersonCommunitySerializer(serializers.Serializer):
    """A community a person is in, as the viewer may know of it."""

    slug = serializers.SlugField(source="community.slug")
    name = serializers.CharField(source="community.name")
    role = serializers.CharField()


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    organization = serializers.SerializerMethodField()
    discipline = serializers.CharField(source="profile.discipline")
    job_title = serializers.CharField(source="profile.job_title")
    location = serializers.CharField(source="profile.location")
    timezone = serializers.CharField(source="profile.timezone")
    bio = serializers.CharField(source="profile.bio")
    expertise = serializers.SerializerMethodField()
    languages = serializers.ListField(source="profile.languages", child=serializers.CharField())
    imported_reputation = serializers.IntegerField(source="profile.imported_reputation", allow_null=True)
    external_id = serializers.CharField()
    communities = serializers.SerializerMethodField()

    def get_organization(self, obj: User) -> str | None:
        return obj.profile.organization.name if obj.profile.organization else None

    def get_expertise(self, obj: User) -> list[str]:
        return [t.slug for t in obj.profile.expertise.all()]

    @extend_schema_field(PersonCommunitySerializer(many=True))
    def get_communities(self, obj: User) -> list[dict[str, Any]]:
        viewer = self.context["request"].user
        return list(PersonCommunitySerializer(hooks.memberships(person=obj, viewer=viewer), many=True).data)


class ProfileWriteSerializer(serializers.Serializer):
    display_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    organization = serializers.CharField(max_length=200, required=False, allow_blank=True)
    discipline = serializers.CharField(max_length=100, required=False, allow_blank=True)
    job_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    location = serializers.CharField(max_length=100, required=False, allow_blank=True)
    timezone = serializers.CharField(max_length=64, required=False)
    bio = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    expertise = serializers.ListField(child=serializers.CharField(max_length=64), required=False, max_length=50)
    languages = serializers.ListField(child=serializers.CharField(max_length=40), required=False, max_length=20)


class OrganizationCommunitySerializer(serializers.Serializer):
    """A community the organisation takes part in (one the viewer may know of)."""

    slug = serializers.SlugField()
    name = serializers.CharField()
    visibility = serializers.CharField()


class OrganizationPersonSerializer(serializers.ModelSerializer):
    """Someone of the organisation, as its page lists them."""

    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="name")

    class Meta:
        model = Profile
        fields = ["username", "display_name", "discipline"]


class OrganizationDetailSerializer(OrganizationSerializer):
    """An organisation as its page shows it: the communities it takes part in and its people."""

    communities = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()

    class Meta(OrganizationSerializer.Meta):
        fields = [*OrganizationSerializer.Meta.fields, "communities", "members"]

    @extend_schema_field(OrganizationCommunitySerializer(many=True))
    def get_communities(self, obj: Organization) -> list[dict[str, Any]]:
        viewer = self.context["request"].user
        communities = hooks.organization_communities(organization=obj, viewer=viewer)
        return list(OrganizationCommunitySerializer(communities, many=True).data)

    @extend_schema_field(OrganizationPersonSerializer(many=True))
    def get_members(self, obj: Organization) -> list[dict[str, Any]]:
        return list(OrganizationPersonSerializer(self.context["people"], many=True).data)
