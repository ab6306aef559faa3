"""Serializers of the communities API: every payload in and out, so the OpenAPI schema is the truth."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from practica.accounts.models import User
from practica.communities import goal_metrics, services
from practica.communities.models import (
    Cadence,
    Community,
    CommunityChange,
    Goal,
    Invitation,
    Membership,
    Role,
    Stage,
    Visibility,
)
from practica.people.models import Organization
from practica.topics.models import Topic


class GoalMetricField(serializers.ChoiceField):
    """A metric of the catalogue by its name, or "" for a goal that is not measured. The choices are read each
    time a serializer is made (DRF copies declared fields by calling ``__init__`` again), so the schema's enum
    and the validation follow the catalogue."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {"invalid_choice": goal_metrics.unknown_message("{input}")})
        super().__init__(choices=[("", goal_metrics.NOT_MEASURED), *goal_metrics.choices()], **kwargs)


class GoalSerializer(serializers.ModelSerializer):
    metric = GoalMetricField(required=False, allow_blank=True)

    class Meta:
        model = Goal
        fields = ["id", "description", "metric", "target_value", "due_date"]
        read_only_fields = ["id"]
        extra_kwargs = {"description": {"allow_blank": False}}


class CharterSerializer(serializers.Serializer):
    purpose = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    goals = GoalSerializer(many=True, required=False)
    cadence = serializers.ChoiceField(
        choices=Cadence.choices, required=False, help_text="How often the community plans to meet."
    )


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
            return {"purpose": "", "goals": [], "cadence": Cadence.NONE.value}
        return {
            "purpose": charter.purpose, "goals": GoalSerializer(charter.goals.all(), many=True).data,
            "cadence": charter.cadence,
        }


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


def goals_from(data: dict[str, Any] | None) -> list[services.GoalData] | None:
    """The charter's goals as the services take them; None when the payload leaves them alone."""
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


class MembershipStateSerializer(serializers.Serializer):
    """Where the caller (or the person acted on) stands in a community after joining, leaving, a decision..."""

    community = serializers.SlugField(source="community.slug")
    role = serializers.ChoiceField(choices=Role.choices)
    state = serializers.CharField()


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation by email or a shareable link, with its signed link (``url``, ``token``)."""

    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    url = serializers.SerializerMethodField()
    token = serializers.SerializerMethodField()
    is_usable = serializers.BooleanField(read_only=True)

    class Meta:
        model = Invitation
        fields = [
            "id", "email", "role", "expires_at", "max_uses", "use_count", "created_at", "created_by", "revoked_at",
            "is_usable", "url", "token",
        ]

    def get_url(self, obj: Invitation) -> str:
        return services.invitation_url(obj)

    def get_token(self, obj: Invitation) -> str:
        return services.invitation_token(obj)


class TopicSerializer(serializers.ModelSerializer):
    """A topic of the shared vocabulary, with how many communities the caller may know of use it."""

    community_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Topic
        fields = ["id", "slug", "name", "description", "community_count"]


class TopicCommunitySerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Community
        fields = ["slug", "name", "visibility", "url"]

    def get_url(self, obj: Community) -> str:
        request = self.context.get("request")
        url = obj.get_absolute_url()
        return request.build_absolute_uri(url) if request else url


class TopicDetailSerializer(serializers.ModelSerializer):
    """A topic and the communities (that the caller may know of) using it, by name."""

    communities = serializers.SerializerMethodField()

    class Meta:
        model = Topic
        fields = ["id", "slug", "name", "description", "communities"]

    @extend_schema_field(TopicCommunitySerializer(many=True))
    def get_communities(self, obj: Topic) -> list[dict[str, Any]]:
        return list(TopicCommunitySerializer(self.context["communities"], many=True, context=self.context).data)
