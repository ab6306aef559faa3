"""REST API for people and organisations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.models import User
from practica.people import selectors, services
from practica.people.api.serializers import (
    OrganizationDetailSerializer,
    OrganizationSerializer,
    PersonSerializer,
    ProfileWriteSerializer,
)
from practica.people.models import Organization


class OrganizationViewSet(viewsets.ReadOnlyModelViewSet):
    """Organisations with their number of people; one organisation with the communities it takes part in (those
    the caller may know of) and its people, as its page shows them."""

    serializer_class = OrganizationSerializer
    queryset = Organization.objects.none()
    lookup_field = "slug"
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Organization]:
        return selectors.organizations_list()

    @extend_schema(responses=OrganizationDetailSerializer)
    def retrieve(self, request: Request, *args: Any, slug: str, **kwargs: Any) -> Response:
        organization = selectors.organization_get(slug=slug)
        people = selectors.organization_people(organization=organization)
        context = {"request": request, "people": people}
        return Response(OrganizationDetailSerializer(organization, context=context).data)


class PersonView(APIView):
    """A person's profile and the communities (visible to the caller) they belong to."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PersonSerializer)
    def get(self, request: Request, username: str) -> Response:
        person = selectors.person_get(username=username)
        return Response(PersonSerializer(person, context={"request": request}).data)


class MeView(generics.GenericAPIView):
    """The caller's own profile; PATCH edits it."""

    permission_classes = [IsAuthenticated]
    serializer_class = PersonSerializer

    def _me(self, request: Request) -> Response:
        person = selectors.person_get(username=request.user.get_username())
        return Response(PersonSerializer(person, context={"request": request}).data)

    def get(self, request: Request) -> Response:
        return self._me(request)

    @extend_schema(request=ProfileWriteSerializer, responses=PersonSerializer)
    def patch(self, request: Request) -> Response:
        serializer = ProfileWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        actor: User = request.user  # type: ignore[assignment]
        profile = services.profile_ensure(user=actor)
        organization: Any = "unchanged"
        if "organization" in data:
            name = data.pop("organization").strip()
            organization = services.organization_get_or_create(name=name) if name else None
        services.profile_update(
            profile=profile,
            actor=actor,
            organization=organization,
            expertise=data.pop("expertise", None),
            languages=data.pop("languages", None),
            **data,
        )
        return self._me(request)
