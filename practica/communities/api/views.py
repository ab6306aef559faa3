"""REST API for communities, charters, members, requests, invitations and recruitment (see ../shared/API.md).

Who may do what is the communities' rules (``practica/communities/permissions.py``) named in each view's
``permission_classes``; every payload has a serializer (``serializers.py``), so the OpenAPI schema is the truth.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status, viewsets
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.models import User
from practica.communities import permissions, selectors, services
from practica.communities.api.permissions import CommunityScoped, allows
from practica.communities.api.serializers import (
    ChangeSerializer,
    CommunityDetailSerializer,
    CommunityListSerializer,
    CommunityWriteSerializer,
    InvitationAcceptSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    JoinSerializer,
    MemberSerializer,
    MembershipStateSerializer,
    RecruitSerializer,
    RoleSerializer,
    TopicDetailSerializer,
    TopicSerializer,
    UserIdSerializer,
    goals_from,
)
from practica.communities.filters import DirectoryFilterSet, MemberFilterSet
from practica.communities.models import Community, CommunityChange, Invitation, Membership
from practica.lib.api.requests import validated_data
from practica.topics.models import Topic


def _actor(request: Request) -> User:
    """The signed-in caller (``IsAuthenticated`` let the request through)."""
    return request.user  # type: ignore[return-value]


def _detail(request: Request, community: Community) -> dict[str, Any]:
    annotated = selectors.community_directory(user=request.user).select_related("charter").get(pk=community.pk)
    return CommunityDetailSerializer(annotated, context={"request": request}).data


class CommunityViewSet(CommunityScoped, viewsets.GenericViewSet):
    """Communities the caller may see; POST creates one (the creator becomes coordinator); a community with its
    domain, topics, visibility, stage and charter; PATCH edits it (coordinators)."""

    community_scope = "visible"
    lookup_field = "slug"
    serializer_class = CommunityListSerializer
    filterset_class = DirectoryFilterSet
    queryset = Community.objects.none()

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "partial_update":
            return [IsAuthenticated(), allows(permissions.EDIT_COMMUNITY)()]
        if self.action == "create":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_queryset(self) -> QuerySet[Community]:
        # What the caller may see, filtered and annotated, is the selector's, called by ``DirectoryFilterSet``.
        return selectors.communities_visible_to(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=CommunityWriteSerializer, responses={201: CommunityDetailSerializer})
    def create(self, request: Request) -> Response:
        data = validated_data(CommunityWriteSerializer, request)
        charter = data.get("charter") or {}
        community = services.community_create(
            creator=_actor(request),
            name=data["name"],
            slug=data["slug"],
            domain=data["domain"],
            out_of_scope=data["out_of_scope"],
            topics=data["topics"],
            visibility=data["visibility"],
            stage=data["stage"],
            language=data["language"],
            organizations=data.get("organizations", []),
            purpose=charter.get("purpose", ""),
            goals=goals_from(charter) or [],
            cadence=charter.get("cadence", "none"),
        )
        return Response(_detail(request, community), status=status.HTTP_201_CREATED)

    @extend_schema(responses=CommunityDetailSerializer)
    def retrieve(self, request: Request, slug: str) -> Response:
        return Response(_detail(request, selectors.community_get_for_user(slug=slug, user=request.user)))

    @extend_schema(request=CommunityWriteSerializer, responses=CommunityDetailSerializer)
    def partial_update(self, request: Request, slug: str) -> Response:
        serializer = CommunityWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        charter = data.pop("charter", None)
        topics = data.pop("topics", None)
        organizations = data.pop("organizations", None)
        actor, community = _actor(request), self.community
        with transaction.atomic():  # the community and its charter change together, or neither does
            fields = {k: v for k, v in data.items() if k in services.EDITABLE_FIELDS}
            community = services.community_update(
                community=community, actor=actor, topics=topics, organizations=organizations, **fields
            )
            if charter is not None:
                services.charter_update(
                    community=community, actor=actor, purpose=charter.get("purpose"), goals=goals_from(charter),
                    cadence=charter.get("cadence"),
                )
        return Response(_detail(request, community))


class MemberViewSet(CommunityScoped, viewsets.GenericViewSet):
    """Active members with role, organisation, discipline and expertise, filtered by any of them; PATCH
    ``{"role"}`` changes a member's role, DELETE removes them (coordinators)."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilterSet
    queryset = Membership.objects.none()
    lookup_url_kwarg = "membership_id"

    def get_permissions(self) -> list[BasePermission]:
        if self.action == "partial_update":
            return [IsAuthenticated(), allows(permissions.CHANGE_ROLES)()]
        if self.action == "destroy":
            return [IsAuthenticated(), allows(permissions.REMOVE_MEMBERS)()]
        return [AllowAny()]

    def get_queryset(self) -> QuerySet[Membership]:
        return selectors.members_list(community=self.community)

    def list(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=RoleSerializer, responses=MemberSerializer)
    def partial_update(self, request: Request, slug: str, membership_id: int) -> Response:
        data = validated_data(RoleSerializer, request)
        membership = services.membership_set_role(
            community=self.community, actor=_actor(request), membership_id=membership_id, role=data["role"]
        )
        membership = selectors.members_list(community=self.community).get(pk=membership.pk)
        return Response(MemberSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    def destroy(self, request: Request, slug: str, membership_id: int) -> Response:
        services.membership_remove(community=self.community, actor=_actor(request), membership_id=membership_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class JoinView(CommunityScoped, APIView):
    """Join a public community, or request to join a members-only one."""

    community_scope = "visible"
    permission_classes = [IsAuthenticated]

    @extend_schema(request=JoinSerializer, responses=MembershipStateSerializer)
    def post(self, request: Request, slug: str) -> Response:
        data = validated_data(JoinSerializer, request) if request.data else {"message": ""}
        membership = services.community_join(community=self.community, user=_actor(request), message=data["message"])
        return Response(MembershipStateSerializer(membership).data)


class LeaveView(CommunityScoped, APIView):
    """Leave a community (or withdraw a request)."""

    community_scope = "visible"
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=MembershipStateSerializer)
    def post(self, request: Request, slug: str) -> Response:
        membership = services.community_leave(community=self.community, user=_actor(request))
        return Response(MembershipStateSerializer(membership).data)


class RequestViewSet(CommunityScoped, viewsets.GenericViewSet):
    """Pending requests to join (coordinators), and the decision on one: ``approve`` or ``decline`` (never
    one's own)."""

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()

    def get_permissions(self) -> list[BasePermission]:
        rule = permissions.DECIDE_REQUESTS if self.action == "decide" else permissions.SEE_REQUESTS
        return [IsAuthenticated(), allows(rule)()]

    def list(self, request: Request, slug: str) -> Response:
        pending = selectors.pending_requests(community=self.community).prefetch_related("user__profile__expertise")
        page = self.paginate_queryset(pending)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=None, responses=MembershipStateSerializer)
    def decide(self, request: Request, slug: str, membership_id: int, decision: str) -> Response:
        if decision not in ("approve", "decline"):
            raise Http404("Unknown decision.")
        membership = services.membership_decide(
            community=self.community, actor=_actor(request), membership_id=membership_id, approve=decision == "approve"
        )
        return Response(MembershipStateSerializer(membership).data)


class InvitationViewSet(CommunityScoped, viewsets.GenericViewSet):
    """Open invitations, as on the invitations page (coordinators and core members); POST invites by email (sent
    at once) or creates a shareable link (no email) and returns it with its signed link; ``revoke`` withdraws one."""

    serializer_class = InvitationSerializer
    queryset = Invitation.objects.none()

    def get_permissions(self) -> list[BasePermission]:
        rule = permissions.INVITE if self.action == "create" else permissions.MANAGE_INVITATIONS
        return [IsAuthenticated(), allows(rule)()]

    def list(self, request: Request, slug: str) -> Response:
        page = self.paginate_queryset(selectors.open_invitations(community=self.community))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=InvitationCreateSerializer, responses={201: InvitationSerializer})
    def create(self, request: Request, slug: str) -> Response:
        data = validated_data(InvitationCreateSerializer, request)
        invitation = services.invitation_create(community=self.community, actor=_actor(request), **data)
        return Response(self.get_serializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=InvitationSerializer)
    def revoke(self, request: Request, slug: str, invitation_id: int) -> Response:
        invitation = services.invitation_revoke(
            community=self.community, actor=_actor(request), invitation_id=invitation_id
        )
        return Response(self.get_serializer(invitation).data)


class InvitationAcceptView(APIView):
    """Accept an invitation by its token; the caller becomes an active member."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=InvitationAcceptSerializer, responses=MembershipStateSerializer)
    def post(self, request: Request) -> Response:
        data = validated_data(InvitationAcceptSerializer, request)
        membership = services.invitation_accept(token=data["token"], user=_actor(request))
        return Response(MembershipStateSerializer(membership).data)


class HistoryView(CommunityScoped, generics.ListAPIView):
    """The community's change history (coordinators and core members)."""

    serializer_class = ChangeSerializer
    queryset = CommunityChange.objects.none()
    permission_classes = [IsAuthenticated, allows(permissions.SEE_HISTORY)]

    def get_queryset(self) -> QuerySet[CommunityChange]:
        return selectors.community_history(community=self.community)


class RecruitView(CommunityScoped, generics.GenericAPIView):
    """People who may belong here (GET, best matches first, not paginated) and a one-click invitation (POST
    ``{"user_id"}``)."""

    serializer_class = RecruitSerializer
    queryset = User.objects.none()
    pagination_class = None
    permission_classes = [IsAuthenticated, allows(permissions.RECRUIT)]

    @extend_schema(responses=RecruitSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        candidates = selectors.recruitment_candidates(community=self.community)
        return Response(RecruitSerializer(candidates, many=True).data)

    @extend_schema(request=UserIdSerializer, responses={201: MembershipStateSerializer})
    def post(self, request: Request, slug: str) -> Response:
        data = validated_data(UserIdSerializer, request)
        person = User.objects.filter(id=data["user_id"], is_active=True).first()
        if person is None:
            raise serializers.ValidationError({"user_id": ["No such person."]})
        membership = services.member_invite(community=self.community, actor=_actor(request), user=person, role=data["role"])
        return Response(MembershipStateSerializer(membership).data, status=status.HTTP_201_CREATED)


class TopicViewSet(viewsets.ReadOnlyModelViewSet):
    """Topics in use by the communities the caller may know of (``?q=`` filters by name), as the directory offers
    them; one topic with those communities."""

    serializer_class = TopicSerializer
    queryset = Topic.objects.none()
    lookup_field = "slug"
    permission_classes = [AllowAny]

    def get_queryset(self) -> QuerySet[Topic]:
        return selectors.topics_with_counts(user=self.request.user, q=self.request.query_params.get("q", "")[:64])

    @extend_schema(responses=TopicDetailSerializer)
    def retrieve(self, request: Request, *args: Any, slug: str, **kwargs: Any) -> Response:
        topic, communities = selectors.topic_get_for_user(slug=slug, user=request.user)
        context = {"request": request, "communities": communities}
        return Response(TopicDetailSerializer(topic, context=context).data)
