"""REST API for communities, charters, members, invitations and recruitment (see ../shared/API.md)."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from practica.accounts.authentication import authenticated_user
from practica.accounts.models import User
from practica.communities import selectors, services
from practica.communities.models import (
    Community,
    CommunityChange,
    Goal,
    Membership,
    Role,
    Stage,
    Visibility,
)
from practica.lib.api.requests import validated_data
from practica.people.models import Organization

# --- Serializers ----------------------------------------------------------------------------------


class GoalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Goal
        fields = ["id", "description", "metric", "target_value", "due_date"]
        read_only_fields = ["id"]
        extra_kwargs = {"metric": {"required": False}, "description": {"allow_blank": False}}


class CharterSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    goals = GoalSerializer(many=True, required=False)


class CommunityListSerializer(serializers.ModelSerializer):
    topics = serializers.SerializerMethodField()
    organizations = serializers.SerializerMethodField()
    member_count = serializers.SerializerMethodField()
    my_role = serializers.SerializerMethodField()
    my_state = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Community
        fields = [
            "id", "slug", "name", "domain", "topics", "visibility", "stage", "organizations",
            "member_count", "my_role", "my_state", "created_at", "url", "external_id",
        ]

    def get_topics(self, obj: Community) -> list[str]:
        return [t.slug for t in obj.topics.all()]

    def get_organizations(self, obj: Community) -> list[str]:
        return [o.slug for o in obj.organizations.all()]

    def get_member_count(self, obj: Community) -> int:
        # The directory annotates the count; 0 is a valid annotation, so test for None (not falsiness).
        annotated = getattr(obj, "active_members", None)
        if annotated is not None:
            return int(annotated)
        return obj.memberships.filter(state="active").count()

    def get_my_role(self, obj: Community) -> str | None:
        if getattr(obj, "my_state", None) == "active":
            return obj.my_role  # type: ignore[attr-defined]
        return None

    def get_my_state(self, obj: Community) -> str | None:
        return getattr(obj, "my_state", None)

    def get_url(self, obj: Community) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class CommunityDetailSerializer(CommunityListSerializer):
    charter = serializers.SerializerMethodField()

    class Meta(CommunityListSerializer.Meta):
        fields = [*CommunityListSerializer.Meta.fields, "out_of_scope", "language", "members_can_add_tags", "charter"]

    @extend_schema_field(CharterSerializer)
    def get_charter(self, obj: Community) -> dict[str, Any]:
        charter = getattr(obj, "charter", None)
        if charter is None:
            return {"purpose": "", "goals": []}
        return {"purpose": charter.purpose, "goals": GoalSerializer(charter.goals.all(), many=True).data}


class CommunityWriteSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=60)
    domain = serializers.CharField(max_length=5000)
    out_of_scope = serializers.CharField(max_length=3000, allow_blank=True, required=False, default="")
    topics = serializers.ListField(child=serializers.CharField(max_length=64), required=False, default=list)
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PUBLIC)
    stage = serializers.ChoiceField(choices=Stage.choices, default=Stage.POTENTIAL)
    language = serializers.CharField(max_length=20, required=False, default="english")
    members_can_add_tags = serializers.BooleanField(required=False)
    organizations = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organization.objects.all(), many=True, required=False
    )
    charter = CharterSerializer(required=False)


def _goals(data: dict[str, Any] | None) -> list[services.GoalData] | None:
    if data is None or "goals" not in data:
        return None
    return [
        services.GoalData(
            description=g.get("description", ""),
            metric=g.get("metric", "") or "",
            target_value=g.get("target_value"),
            due_date=g.get("due_date"),
        )
        for g in data["goals"]
    ]


class ProfileBriefSerializer(serializers.Serializer):
    """A person's background as shown in member lists."""

    id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")
    display_name = serializers.CharField(source="user.display_name")
    organization = serializers.SerializerMethodField()
    discipline = serializers.CharField(source="user.profile.discipline")
    job_title = serializers.CharField(source="user.profile.job_title")
    location = serializers.CharField(source="user.profile.location")
    expertise = serializers.SerializerMethodField()

    def get_organization(self, obj: Membership) -> str | None:
        org = obj.user.profile.organization
        return org.name if org else None

    def get_expertise(self, obj: Membership) -> list[str]:
        return [t.slug for t in obj.user.profile.expertise.all()]


class MemberSerializer(ProfileBriefSerializer):
    membership_id = serializers.IntegerField(source="id")
    role = serializers.CharField()
    state = serializers.CharField()
    joined_at = serializers.DateTimeField()


class RoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)


class JoinSerializer(serializers.Serializer):
    message = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class InvitationCreateSerializer(serializers.Serializer):
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)
    days = serializers.IntegerField(min_value=1, max_value=90, required=False)
    max_uses = serializers.IntegerField(min_value=1, max_value=1000, default=1)


class InvitationAcceptSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=500)


class ChangeSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = CommunityChange
        fields = ["id", "created_at", "actor", "summary", "changes"]


class RecruitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    display_name = serializers.CharField()
    discipline = serializers.CharField(source="profile.discipline")
    organization = serializers.SerializerMethodField()
    matching_topics = serializers.SerializerMethodField()

    def get_organization(self, obj: User) -> str | None:
        return obj.profile.organization.name if obj.profile.organization else None

    def get_matching_topics(self, obj: User) -> list[str]:
        return [t.slug for t in obj.profile.expertise.all()]


class UserIdSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    role = serializers.ChoiceField(choices=Role.choices, default=Role.MEMBER)


# --- Helpers --------------------------------------------------------------------------------------



def _readable(request: Request, slug: str) -> tuple[Community, selectors.Access]:
    return selectors.community_get_readable(slug=slug, user=request.user)


def _coordinated(request: Request, slug: str) -> tuple[Community, selectors.Access]:
    authenticated_user(request)
    community, access = _readable(request, slug)
    if not access.can_coordinate:
        raise PermissionDenied("Only coordinators can do this.")
    return community, access


def _detail(request: Request, community: Community) -> dict[str, Any]:
    annotated = selectors.community_directory(user=request.user).select_related("charter").get(pk=community.pk)
    return CommunityDetailSerializer(annotated, context={"request": request}).data


# --- Views ----------------------------------------------------------------------------------------


class CommunityListView(generics.ListAPIView):
    """Communities the caller may see; POST creates one (the creator becomes coordinator)."""

    serializer_class = CommunityListSerializer

    def get_queryset(self) -> Any:
        params = self.request.query_params
        return selectors.community_directory(
            user=self.request.user,
            q=params.get("q", "")[:200],
            topic=params.get("topic", "")[:64],
            organization=params.get("organization", "")[:100],
            visibility=params.get("visibility", "")[:20],
            mine=params.get("mine") in ("1", "true"),
        )

    @extend_schema(request=CommunityWriteSerializer, responses={201: CommunityDetailSerializer})
    def post(self, request: Request) -> Response:
        user = authenticated_user(request)
        data = validated_data(CommunityWriteSerializer, request)
        charter = data.get("charter") or {}
        community = services.community_create(
            creator=user,
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
            goals=_goals(charter) or [],
        )
        return Response(_detail(request, community), status=status.HTTP_201_CREATED)


class CommunityDetailView(APIView):
    """A community with its domain, topics, visibility, stage and charter; PATCH edits (coordinators)."""

    @extend_schema(responses=CommunityDetailSerializer)
    def get(self, request: Request, slug: str) -> Response:
        community = selectors.community_get_for_user(slug=slug, user=request.user)
        return Response(_detail(request, community))

    @extend_schema(request=CommunityWriteSerializer, responses=CommunityDetailSerializer)
    def patch(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community = selectors.community_get_for_user(slug=slug, user=request.user)
        if not selectors.community_access(community=community, user=user).can_coordinate:
            raise PermissionDenied("Only coordinators can edit this community.")
        serializer = CommunityWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        charter = data.pop("charter", None)
        topics = data.pop("topics", None)
        organizations = data.pop("organizations", None)
        from django.db import transaction

        with transaction.atomic():
            fields = {k: v for k, v in data.items() if k in services.EDITABLE_FIELDS}
            community = services.community_update(
                community=community, actor=user, topics=topics, organizations=organizations, **fields
            )
            if charter is not None:
                services.charter_update(
                    community=community, actor=user, purpose=charter.get("purpose"), goals=_goals(charter)
                )
        return Response(_detail(request, community))


class MemberListView(generics.ListAPIView):
    """Active members with role, organisation, discipline and expertise; filter by any of them."""

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, _ = _readable(self.request, self.kwargs["slug"])
        params = self.request.query_params
        keys = ("role", "organization", "discipline", "expertise", "location", "q")
        return selectors.members_list(community=community, **{k: params.get(k, "")[:100] for k in keys})


class MemberDetailView(APIView):
    """PATCH ``{"role"}`` changes a member's role; DELETE removes them (coordinators)."""

    @extend_schema(request=RoleSerializer, responses=MemberSerializer)
    def patch(self, request: Request, slug: str, membership_id: int) -> Response:
        community, _ = _coordinated(request, slug)
        serializer = RoleSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.membership_set_role(
            community=community, actor=authenticated_user(request), membership_id=membership_id, role=serializer.validated_data["role"]
        )
        membership = selectors.members_list(community=community).get(pk=membership.pk)
        return Response(MemberSerializer(membership).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, slug: str, membership_id: int) -> Response:
        community, _ = _coordinated(request, slug)
        services.membership_remove(community=community, actor=authenticated_user(request), membership_id=membership_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _membership_payload(membership: Membership) -> dict[str, Any]:
    return {"community": membership.community.slug, "role": membership.role, "state": membership.state}


class JoinView(APIView):
    """Join a public community, or request to join a members-only one."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=JoinSerializer, responses={200: dict})
    def post(self, request: Request, slug: str) -> Response:
        community = selectors.community_get_for_user(slug=slug, user=request.user)
        serializer = JoinSerializer(data=request.data or {})
        serializer.is_valid(raise_exception=True)
        membership = services.community_join(
            community=community, user=authenticated_user(request), message=serializer.validated_data["message"]
        )
        return Response(_membership_payload(membership))


class LeaveView(APIView):
    """Leave a community (or withdraw a request)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: dict})
    def post(self, request: Request, slug: str) -> Response:
        community = selectors.community_get_for_user(slug=slug, user=request.user)
        membership = services.community_leave(community=community, user=authenticated_user(request))
        return Response(_membership_payload(membership))


class RequestListView(generics.ListAPIView):
    """Pending requests to join (coordinators)."""

    serializer_class = MemberSerializer
    queryset = Membership.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        community, _ = _coordinated(self.request, self.kwargs["slug"])
        return selectors.pending_requests(community=community).prefetch_related("user__profile__expertise")


class RequestDecisionView(APIView):
    """Approve or decline a request to join (coordinators; never one's own)."""

    @extend_schema(request=None, responses={200: dict})
    def post(self, request: Request, slug: str, membership_id: int, decision: str) -> Response:
        if decision not in ("approve", "decline"):
            raise Http404("Unknown decision.")
        community, _ = _coordinated(request, slug)
        membership = services.membership_decide(
            community=community, actor=authenticated_user(request), membership_id=membership_id, approve=decision == "approve"
        )
        return Response(_membership_payload(membership))


class InvitationCreateView(APIView):
    """Invite by email (sent at once) or create a shareable link (no email); returns the signed link."""

    @extend_schema(request=InvitationCreateSerializer, responses={201: dict})
    def post(self, request: Request, slug: str) -> Response:
        user = authenticated_user(request)
        community, access = _readable(request, slug)
        if not access.can_invite:
            raise PermissionDenied("Only coordinators and core members can invite.")
        serializer = InvitationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation = services.invitation_create(community=community, actor=user, **serializer.validated_data)
        return Response(
            {
                "id": invitation.id,
                "email": invitation.email,
                "role": invitation.role,
                "expires_at": invitation.expires_at,
                "max_uses": invitation.max_uses,
                "url": services.invitation_url(invitation),
                "token": services.invitation_token(invitation),
            },
            status=status.HTTP_201_CREATED,
        )


class InvitationAcceptView(APIView):
    """Accept an invitation by its token; the caller becomes an active member."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=InvitationAcceptSerializer, responses={200: dict})
    def post(self, request: Request) -> Response:
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        membership = services.invitation_accept(token=serializer.validated_data["token"], user=authenticated_user(request))
        return Response(_membership_payload(membership))


class HistoryView(generics.ListAPIView):
    """The community's change history (coordinators and core members)."""

    serializer_class = ChangeSerializer
    queryset = CommunityChange.objects.none()

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        authenticated_user(self.request)
        community, access = _readable(self.request, self.kwargs["slug"])
        if not access.is_core:
            raise PermissionDenied("The history is for coordinators and core members.")
        return selectors.community_history(community=community)


class RecruitView(APIView):
    """People who may belong here (GET) and a one-click invitation (POST ``{"user_id"}``)."""

    def _community(self, request: Request, slug: str) -> Community:
        authenticated_user(request)
        community, access = _readable(request, slug)
        if not access.can_invite:
            raise PermissionDenied("Only coordinators and core members can recruit.")
        return community

    @extend_schema(responses=RecruitSerializer(many=True))
    def get(self, request: Request, slug: str) -> Response:
        community = self._community(request, slug)
        candidates = selectors.recruitment_candidates(community=community)
        return Response(RecruitSerializer(candidates, many=True).data)

    @extend_schema(request=UserIdSerializer, responses={201: dict})
    def post(self, request: Request, slug: str) -> Response:
        community = self._community(request, slug)
        serializer = UserIdSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = User.objects.filter(id=serializer.validated_data["user_id"], is_active=True).first()
        if person is None:
            return Response({"user_id": ["No such person."]}, status=status.HTTP_400_BAD_REQUEST)
        membership = services.member_invite(
            community=community, actor=authenticated_user(request), user=person, role=serializer.validated_data["role"]
        )
        return Response(_membership_payload(membership), status=status.HTTP_201_CREATED)
