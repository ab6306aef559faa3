"""REST API for people and organisations."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.models import User
from practica.people import hooks, selectors, services
from practica.people.models import Organization


class OrganizationSerializer(serializers.ModelSerializer):
    people = serializers.IntegerField(read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "slug", "name", "kind", "website", "people"]


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

    def get_communities(self, obj: User) -> list[dict[str, str]]:
        viewer = self.context["request"].user
        return [
            {"slug": m.community.slug, "name": m.community.name, "role": m.role}
            for m in hooks.memberships(person=obj, viewer=viewer)
        ]


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


class OrganizationListView(generics.ListAPIView):
    """Organisations with their number of people."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()

    def get_queryset(self) -> Any:
        return selectors.organizations_list()


class PersonView(APIView):
    """A person's profile and the communities (visible to the caller) they belong to."""

    @extend_schema(responses=PersonSerializer)
    def get(self, request: Request, username: str) -> Response:
        person = selectors.person_get(username=username)
        return Response(PersonSerializer(person, context={"request": request}).data)


class MeView(APIView):
    """The caller's own profile; PATCH edits it."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=PersonSerializer)
    def get(self, request: Request) -> Response:
        person = selectors.person_get(username=request.user.get_username())
        return Response(PersonSerializer(person, context={"request": request}).data)

    @extend_schema(request=ProfileWriteSerializer, responses=PersonSerializer)
    def patch(self, request: Request) -> Response:
        serializer = ProfileWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        profile = services.profile_ensure(user=request.user)  # type: ignore[arg-type]
        organization: Any = "unchanged"
        if "organization" in data:
            name = data.pop("organization").strip()
            organization = services.organization_get_or_create(name=name) if name else None
        try:
            services.profile_update(
                profile=profile,
                actor=request.user,  # type: ignore[arg-type]
                organization=organization,
                expertise=data.pop("expertise", None),
                languages=data.pop("languages", None),
                **data,
            )
        except ValidationError:
            raise
        person = selectors.person_get(username=request.user.get_username())
        return Response(PersonSerializer(person, context={"request": request}).data)
