"""Writes for communities, charters and memberships.

Each function owns one transaction, checks the actor's rights and records the change in the community's
history; side effects (emails) run after commit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from practica.accounts.models import User
from practica.communities import goal_metrics, hooks, permissions
from practica.communities.models import (
    Cadence,
    Charter,
    Community,
    CommunityChange,
    Goal,
    Invitation,
    Membership,
    MembershipState,
    Role,
    Stage,
    Visibility,
)
from practica.communities.permissions import Access
from practica.lib import audit, indexing, signing
from practica.lib.errors import RefusedWithStatus
from practica.people.models import Organization
from practica.topics.models import Topic
from practica.topics.services import parse_topic_names, topic_normalise, topics_get_or_create

INVITATION_SALT = signing.INVITATION  # the salt the first links were made with: links sent keep working
RESERVED_SLUGS = {"new", "api", "admin", "static", "media", "accounts", "invitations", "healthz"}
SLUG_NOT_AVAILABLE = "This address is not available; choose another."
EDITABLE_FIELDS = ("name", "slug", "domain", "out_of_scope", "visibility", "stage", "language", "members_can_add_tags")


@dataclass
class GoalData:
    """A goal as given by a form or the API."""

    description: str
    metric: str = ""
    target_value: Decimal | None = None
    due_date: dt.date | None = None


def _record(
    action: str, community: Community, actor: User | None, summary: str, changes: dict[str, Any] | None = None
) -> None:
    """An entry of the community's history, and of the audit log (``action``: ``membership.role``...)."""
    CommunityChange.objects.create(community=community, actor=actor, summary=summary[:300], changes=changes or {})
    audit.record(
        actor=actor, action=action, summary=summary, community=community, target_type="community",
        target_id=community.pk, details=_jsonable_changes(changes),
    )


def _jsonable_changes(changes: dict[str, Any] | None) -> dict[str, Any]:
    return {field: [_jsonable(v) for v in values] for field, values in (changes or {}).items()}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, Decimal)):
        return str(value)
    return value


def _validate_slug(slug: str, *, exclude_id: int | None = None) -> str:
    slug = slug.strip().lower()
    if not slug:
        raise ValidationError({"slug": ["Enter a short name for the address, e.g. well-integrity."]})
    if slugify(slug) != slug:
        raise ValidationError({"slug": ["Use only lower-case letters, digits and hyphens."]})
    clash = Community.objects.filter(slug__iexact=slug)
    if exclude_id:
        clash = clash.exclude(id=exclude_id)
    # One answer for a reserved word and for every taken address, whoever asks: "already exists" would confirm
    # that a private community one may not see has this address.
    if slug in RESERVED_SLUGS or clash.exists():
        raise ValidationError({"slug": [SLUG_NOT_AVAILABLE]})
    return slug


def _validate_choice(field: str, value: str, choices: Any) -> str:
    allowed = [c for c, _ in choices]
    if value not in allowed:
        raise ValidationError({field: [f"“{value}” is not one of: {', '.join(allowed)}."]})
    return value


def _validate_goals(goals: Sequence[GoalData]) -> None:
    errors = []
    if len(goals) > 30:
        raise ValidationError({"goals": ["A charter may have at most 30 goals."]})
    metrics = {name for name, _ in goal_metrics.choices()}
    for index, goal in enumerate(goals, start=1):
        if not goal.description or not goal.description.strip():
            errors.append(f"Goal {index}: describe the goal.")
        elif len(goal.description) > 500:
            errors.append(f"Goal {index}: at most 500 characters.")
        if len(goal.metric) > 100:
            errors.append(f"Goal {index}: the metric name may have at most 100 characters.")
        elif goal.metric.strip() and goal.metric.strip() not in metrics:
            errors.append(f"Goal {index}: {goal_metrics.unknown_message(goal.metric.strip())}")
        if goal.target_value is not None and not goal.metric:
            errors.append(f"Goal {index}: a target value needs a metric to measure it.")
        if goal.target_value is not None and abs(goal.target_value) >= Decimal("1e10"):
            errors.append(f"Goal {index}: the target value is too large.")
    if errors:
        raise ValidationError({"goals": errors})


def _set_topics(community: Community, topics: str | Iterable[str]) -> list[str]:
    try:
        names = parse_topic_names(topics)
    except ValidationError as exc:
        raise ValidationError({"topics": exc.messages}) from None
    community.topics.set(topics_get_or_create(names))
    return sorted(t.slug for t in community.topics.all())


def _full_clean(instance: Any, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None


@transaction.atomic
def community_create(
    *,
    creator: User,
    name: str,
    slug: str,
    domain: str,
    out_of_scope: str = "",
    topics: str | Iterable[str] = (),
    visibility: str = Visibility.PUBLIC,
    stage: str = Stage.POTENTIAL,
    language: str = "english",
    purpose: str = "",
    goals: Sequence[GoalData] = (),
    organizations: Iterable[Organization] = (),
    external_id: str = "",
    cadence: str = Cadence.NONE,
) -> Community:
    """Create a community with its charter; the creator becomes its first coordinator."""
    permissions.CREATE_COMMUNITY.require(creator)
    _validate_choice("visibility", visibility, Visibility.choices)
    _validate_choice("stage", stage, Stage.choices)
    _validate_choice("cadence", cadence, Cadence.choices)
    _validate_goals(goals)
    community = Community(
        name=(name or "").strip(),
        slug=(slug or "").strip().lower(),
        domain=(domain or "").strip(),
        out_of_scope=(out_of_scope or "").strip(),
        visibility=visibility,
        stage=stage,
        language=language,
        created_by=creator,
        external_id=external_id,
    )
    _full_clean(community, exclude=["slug"])
    community.slug = _validate_slug(community.slug)
    charter = Charter(community=community, purpose=(purpose or "").strip(), cadence=cadence)
    _full_clean(charter, exclude=["community"])
    try:
        with transaction.atomic():
            community.save()
    except IntegrityError:  # another request took the address since the check
        raise ValidationError({"slug": [SLUG_NOT_AVAILABLE]}) from None
    charter.community = community
    charter.save()
    _replace_goals(charter, goals)
    topic_slugs = _set_topics(community, topics)
    community.organizations.set(list(organizations))
    Membership.objects.create(
        community=community, user=creator, role=Role.COORDINATOR, state=MembershipState.ACTIVE, joined_at=timezone.now()
    )
    _record(
        "community.create", community, creator, "Created the community",
        {"name": [None, community.name], "topics": [None, topic_slugs]},
    )
    return community


def _replace_goals(charter: Charter, goals: Sequence[GoalData]) -> None:
    charter.goals.all().delete()
    Goal.objects.bulk_create(
        Goal(
            charter=charter,
            description=g.description.strip(),
            metric=g.metric.strip(),
            target_value=g.target_value,
            due_date=g.due_date,
            position=i,
        )
        for i, g in enumerate(goals)
    )


@transaction.atomic
def community_update(
    *,
    community: Community,
    actor: User,
    topics: str | Iterable[str] | None = None,
    organizations: Iterable[Organization] | None = None,
    summary: str | None = None,
    **fields: Any,
) -> Community:
    """Change a community's domain, visibility, stage or topics (coordinators only), keeping the history
    (``summary``: the history's words for the change, "Changed <fields>" by default)."""
    permissions.EDIT_COMMUNITY.require(Access(community, actor))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({"detail": [f"Unknown fields: {', '.join(sorted(unknown))}."]})
    community = Community.objects.select_for_update().get(pk=community.pk)
    changes: dict[str, list[Any]] = {}
    for field, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if field == "visibility":
            _validate_choice("visibility", value, Visibility.choices)
        if field == "stage":
            _validate_choice("stage", value, Stage.choices)
        if field == "slug":
            value = _validate_slug(value, exclude_id=community.pk)
        old = getattr(community, field)
        if old != value:
            changes[field] = [old, value]
            setattr(community, field, value)
    _full_clean(community, exclude=["slug"])
    if topics is not None:
        old_topics = sorted(t.slug for t in community.topics.all())
        new_topics = _set_topics(community, topics)
        if old_topics != new_topics:
            changes["topics"] = [old_topics, new_topics]
    if organizations is not None:
        orgs = list(organizations)
        old_orgs = sorted(o.slug for o in community.organizations.all())
        new_orgs = sorted(o.slug for o in orgs)
        if old_orgs != new_orgs:
            community.organizations.set(orgs)
            changes["organizations"] = [old_orgs, new_orgs]
    if changes:
        try:
            with transaction.atomic():
                community.save()
        except IntegrityError:  # another request took the new address since the check
            raise ValidationError({"slug": [SLUG_NOT_AVAILABLE]}) from None
        summary = summary or "Changed " + ", ".join(f.replace("_", " ") for f in changes)
        _record("community.update", community, actor, summary, changes)
    if "slug" in changes or "language" in changes:
        # Every search document holds its URL (with the slug) and was indexed with the language's configuration.
        indexing.community_changed(community.pk)
    return community


@transaction.atomic
def charter_update(
    *,
    community: Community,
    actor: User,
    purpose: str | None = None,
    goals: Sequence[GoalData] | None = None,
    cadence: str | None = None,
) -> Charter:
    """Change the charter's purpose, its planned cadence of meetings and/or replace its goals (coordinators
    only), keeping the history."""
    permissions.EDIT_CHARTER.require(Access(community, actor))
    if cadence is not None:
        _validate_choice("cadence", cadence, Cadence.choices)
    charter, _ = Charter.objects.select_for_update().get_or_create(community=community)
    changes: dict[str, list[Any]] = {}
    if purpose is not None and purpose.strip() != charter.purpose:
        changes["purpose"] = [charter.purpose, purpose.strip()]
        charter.purpose = purpose.strip()
    if cadence is not None and cadence != charter.cadence:
        changes["cadence"] = [charter.cadence, cadence]
        charter.cadence = cadence
    if changes:
        _full_clean(charter, exclude=["community"])
        charter.save()
    if goals is not None:
        _validate_goals(goals)

        def as_dicts(items: Iterable[Any]) -> list[dict[str, Any]]:
            return [
                {
                    "description": g.description.strip(),
                    "metric": g.metric.strip(),
                    "target_value": _jsonable(g.target_value),
                    "due_date": _jsonable(g.due_date),
                }
                for g in items
            ]

        old = as_dicts(charter.goals.all())
        new = as_dicts(goals)
        if old != new:
            _replace_goals(charter, goals)
            changes["goals"] = [old, new]
    if changes:
        _record("charter.update", community, actor, "Changed the charter " + " and ".join(changes), changes)
    return charter


# --- Membership -----------------------------------------------------------------------------------


def _activate(membership: Membership, role: str | None = None) -> Membership:
    membership.state = MembershipState.ACTIVE
    if role:
        membership.role = role
    membership.joined_at = timezone.now()
    membership.save()
    return membership


@transaction.atomic
def community_join(*, community: Community, user: User, message: str = "") -> Membership:
    """Join a public community, or ask to join a members-only one. Private communities need an invitation.

    Joining again is harmless: an active member stays a member; a pending request stays pending.
    """
    permissions.JOIN.require(user)
    if len(message) > 1000:
        raise ValidationError({"message": ["At most 1000 characters."]})
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership and membership.state == MembershipState.ACTIVE:
        return membership
    if membership and membership.state == MembershipState.INVITED:
        _activate(membership)
        _record("membership.join", community, user, f"{user.username} accepted the invitation")
        return membership
    if community.visibility == Visibility.PRIVATE:
        raise Http404("No such community.")
    if membership and membership.state == MembershipState.REQUESTED:
        return membership
    if membership is None:
        membership = Membership(community=community, user=user, role=Role.MEMBER)
    membership.message = message.strip()
    if community.visibility == Visibility.PUBLIC:
        _activate(membership, Role.MEMBER)
        _record("membership.join", community, user, f"{user.username} joined")
    else:
        membership.state = MembershipState.REQUESTED
        membership.role = Role.MEMBER
        membership.created_at = timezone.now()
        membership.save()
        _record("membership.request", community, user, f"{user.username} asked to join")
        # Coordinators hear of it in their notification centre and by email, per their preferences (the
        # notifications app listens: NotificationsConfig.ready()).
        hooks.join_requested(community_id=community.pk, user_id=user.pk)
    return membership


def _lock(community: Community) -> None:
    """Serialise membership changes of one community, so two coordinators stepping down at once cannot leave
    it without any."""
    Community.objects.select_for_update().filter(pk=community.pk).values_list("pk", flat=True).first()


def _active_coordinator_count(community: Community) -> int:
    return Membership.objects.filter(
        community=community, state=MembershipState.ACTIVE, role=Role.COORDINATOR
    ).count()


def _membership_in(community: Community, membership_id: int) -> Membership:
    """A membership of this community, locked; 404 for a membership of another community."""
    membership = (
        Membership.objects.select_for_update().filter(community=community, id=membership_id).select_related("user").first()
    )
    if membership is None:
        raise Http404("No such member in this community.")
    return membership


@transaction.atomic
def membership_decide(*, community: Community, actor: User, membership_id: int, approve: bool) -> Membership:
    """Approve or decline a request to join (coordinators only; never one's own)."""
    permissions.DECIDE_REQUESTS.require(Access(community, actor))
    membership = _membership_in(community, membership_id)
    if membership.user_id == actor.id:
        raise PermissionDenied("You cannot approve or decline your own request.")
    if membership.state != MembershipState.REQUESTED:
        raise ValidationError({"detail": ["There is no pending request to decide on."]})
    if approve:
        _activate(membership, Role.MEMBER)
        summary = f"Approved {membership.user.username}'s request to join"
        _record("membership.approve", community, actor, summary)
    else:
        membership.state = MembershipState.DECLINED
        membership.save()
        summary = f"Declined {membership.user.username}'s request to join"
        _record("membership.decline", community, actor, summary)
    user = membership.user
    if user.email:
        verb = "approved" if approve else "declined"
        url = settings.SITE_URL + community.get_absolute_url()
        transaction.on_commit(
            lambda: send_mail(
                f"[{community.name}] Your request to join was {verb}",
                f"Your request to join {community.name} was {verb}.\n\n{url}\n",
                None,
                [user.email],
                fail_silently=True,
            )
        )
    return membership


@transaction.atomic
def community_leave(*, community: Community, user: User) -> Membership:
    """Leave a community (or withdraw a request). The last coordinator cannot leave."""
    _lock(community)
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership is None or membership.state not in (MembershipState.ACTIVE, MembershipState.REQUESTED,
                                                      MembershipState.INVITED):
        raise ValidationError({"detail": ["You are not a member of this community."]})
    if (
        membership.state == MembershipState.ACTIVE
        and membership.role == Role.COORDINATOR
        and _active_coordinator_count(community) <= 1
    ):
        raise ValidationError(
            {"detail": ["You are the last coordinator: make someone else coordinator before you leave."]}
        )
    was = membership.state
    membership.state = MembershipState.LEFT if was == MembershipState.ACTIVE else MembershipState.DECLINED
    membership.save()
    summary = {
        MembershipState.ACTIVE: f"{user.username} left",
        MembershipState.REQUESTED: f"{user.username} withdrew their request",
        MembershipState.INVITED: f"{user.username} declined the invitation",
    }[MembershipState(was)]
    _record("membership.leave", community, user, summary)
    return membership


@transaction.atomic
def membership_set_role(*, community: Community, actor: User, membership_id: int, role: str) -> Membership:
    """Change a member's role (coordinators only). The last coordinator cannot step down."""
    _lock(community)
    permissions.CHANGE_ROLES.require(Access(community, actor))
    _validate_choice("role", role, Role.choices)
    membership = _membership_in(community, membership_id)
    if membership.state != MembershipState.ACTIVE:
        raise ValidationError({"detail": ["Only active members have a role to change."]})
    if membership.role == role:
        return membership
    if membership.role == Role.COORDINATOR and _active_coordinator_count(community) <= 1:
        raise ValidationError(
            {"role": ["This is the last coordinator: make someone else coordinator first."]}
        )
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    _record(
        "membership.role", community, actor, f"Made {membership.user.username} {Role(role).label.lower()}", {"role": [old, role]}
    )
    return membership


@transaction.atomic
def membership_remove(*, community: Community, actor: User, membership_id: int) -> Membership:
    """Remove a member (coordinators only). The last coordinator cannot be removed."""
    _lock(community)
    permissions.REMOVE_MEMBERS.require(Access(community, actor))
    membership = _membership_in(community, membership_id)
    if membership.state != MembershipState.ACTIVE:
        raise ValidationError({"detail": ["This person is not an active member."]})
    if membership.role == Role.COORDINATOR and _active_coordinator_count(community) <= 1:
        raise ValidationError({"detail": ["The last coordinator cannot be removed."]})
    membership.state = MembershipState.REMOVED
    membership.save(update_fields=["state", "updated_at"])
    _record("membership.remove", community, actor, f"Removed {membership.user.username}")
    return membership


# --- Invitations ----------------------------------------------------------------------------------


def _check_invite_rights(access: Access, role: str) -> None:
    permissions.INVITE.require(access)
    _validate_choice("role", role, Role.choices)
    if role != Role.MEMBER:
        permissions.INVITE_WITH_ROLE.require(access)


@transaction.atomic
def member_invite(*, community: Community, actor: User, user: User, role: str = Role.MEMBER) -> Membership:
    """Invite a registered person (for example from "people who may belong here"); they accept or decline."""
    access = Access(community, actor)
    _check_invite_rights(access, role)
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership and membership.state == MembershipState.ACTIVE:
        raise ValidationError({"detail": [f"{user.username} is already a member."]})
    asked_already = membership is not None and membership.state == MembershipState.REQUESTED
    if membership is not None and asked_already and permissions.DECIDE_REQUESTS(access):
        # An invitation from someone who may approve requests, to someone who asked to join, is an approval.
        _activate(membership, role)
        _record("membership.approve", community, actor, f"Approved {user.username}'s request to join")
        return membership
    if membership is None:
        membership = Membership(community=community, user=user)
    membership.state = MembershipState.INVITED
    membership.role = role
    membership.invited_by = actor
    membership.created_at = timezone.now()
    membership.save()
    _record("membership.invite", community, actor, f"Invited {user.username}")
    if user.email:
        url = settings.SITE_URL + community.get_absolute_url()
        transaction.on_commit(
            lambda: send_mail(
                f"{actor.display_name} invites you to {community.name}",
                f"{actor.display_name} invites you to join the community {community.name} on Practica.\n\n"
                f"{community.domain[:500]}\n\nAccept or decline: {url}\n",
                None,
                [user.email],
                fail_silently=True,
            )
        )
    return membership


def invitation_token(invitation: Invitation) -> str:
    return signing.sign(invitation.pk, purpose=signing.INVITATION)


def invitation_url(invitation: Invitation) -> str:
    return settings.SITE_URL + reverse("communities:invitation", kwargs={"token": invitation_token(invitation)})


@transaction.atomic
def invitation_create(
    *,
    community: Community,
    actor: User,
    email: str = "",
    role: str = Role.MEMBER,
    days: int | None = None,
    max_uses: int = 1,
) -> Invitation:
    """Create an invitation: sent to an email address, or a shareable link (no email) usable ``max_uses`` times."""
    _check_invite_rights(Access(community, actor), role)
    days = days if days is not None else settings.INVITATION_MAX_AGE_DAYS
    if not 1 <= days <= 90:
        raise ValidationError({"days": ["An invitation lasts between 1 and 90 days."]})
    if not 1 <= max_uses <= 1000:
        raise ValidationError({"max_uses": ["Between 1 and 1000 uses."]})
    invitation = Invitation(
        community=community,
        email=(email or "").strip(),
        role=role,
        created_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=days),
        max_uses=1 if email else max_uses,
    )
    _full_clean(invitation, exclude=["community", "created_by"])
    invitation.save()
    summary = f"Invited {invitation.email}" if invitation.email else "Created an invitation link"
    _record("invitation.create", community, actor, summary)
    if invitation.email:
        url = invitation_url(invitation)
        to = invitation.email
        transaction.on_commit(
            lambda: send_mail(
                f"{actor.display_name} invites you to {community.name}",
                f"{actor.display_name} invites you to join the community {community.name} on Practica.\n\n"
                f"{community.domain[:500]}\n\nAccept the invitation (valid for {days} days): {url}\n",
                None,
                [to],
                fail_silently=False,
            )
        )
    return invitation


class InvitationInvalid(RefusedWithStatus):
    """The invitation link was tampered with, revoked, used up or has expired (the message says which)."""

    def __init__(self, message: str, *, status: int = 404) -> None:
        super().__init__(message, status=status)


def invitation_from_token(token: str) -> Invitation:
    """The invitation a link points to, or InvitationInvalid with a message a person understands."""
    try:
        pk = signing.unsign(token, purpose=signing.INVITATION, max_age=dt.timedelta(days=91))
    except signing.Expired:
        raise InvitationInvalid("This invitation link has expired. Ask for a new one.", status=410) from None
    except signing.Invalid:
        raise InvitationInvalid("This invitation link is not valid. Check that you copied all of it.") from None
    invitation = Invitation.objects.select_related("community", "created_by").filter(pk=pk).first()
    if invitation is None or invitation.revoked_at is not None:
        raise InvitationInvalid("This invitation has been withdrawn.", status=410)
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid("This invitation link has expired. Ask for a new one.", status=410)
    if invitation.use_count >= invitation.max_uses:
        raise InvitationInvalid("This invitation has already been used.", status=410)
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Membership:
    """Accept an invitation link: the person becomes an active member with the invited role."""
    permissions.ACCEPT_INVITATION.require(user)
    invitation = invitation_from_token(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise InvitationInvalid("This invitation has already been used.", status=410)
    community = invitation.community
    membership = Membership.objects.select_for_update().filter(community=community, user=user).first()
    if membership and membership.state == MembershipState.ACTIVE:
        return membership
    if membership is None:
        membership = Membership(community=community, user=user, invited_by=invitation.created_by)
    _activate(membership, invitation.role)
    Invitation.objects.filter(pk=invitation.pk).update(use_count=F("use_count") + 1)
    _record("invitation.accept", community, user, f"{user.username} accepted an invitation")
    return membership


@transaction.atomic
def invitation_revoke(*, community: Community, actor: User, invitation_id: int) -> Invitation:
    permissions.MANAGE_INVITATIONS.require(Access(community, actor))
    invitation = Invitation.objects.filter(community=community, id=invitation_id).first()
    if invitation is None:
        raise Http404("No such invitation.")
    if invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        _record("invitation.revoke", community, actor, "Withdrew an invitation")
    return invitation


@transaction.atomic
def invitation_respond(*, community: Community, user: User, accept: bool) -> Membership:
    """Accept or decline a personal invitation (membership in state "invited")."""
    membership = Membership.objects.select_for_update().filter(
        community=community, user=user, state=MembershipState.INVITED
    ).first()
    if membership is None:
        raise ValidationError({"detail": ["You have no pending invitation to this community."]})
    if accept:
        _activate(membership)
        _record("invitation.accept", community, user, f"{user.username} accepted the invitation")
    else:
        membership.state = MembershipState.DECLINED
        membership.save()
        _record("invitation.decline", community, user, f"{user.username} declined the invitation")
    return membership


MAX_TAGS = 8  # tags on one thread or knowledge item


def community_tags_resolve(
    *, community: Community, tags: str | Iterable[str], can_coordinate: Callable[[], bool]
) -> list[Topic]:
    """The topics named by ``tags`` (a comma-separated string or names), for something written in the community.

    Names that are not yet topics of the community are added to it when members may add tags or the writer
    coordinates (``can_coordinate``, asked only then: it may cost a query); otherwise they are a validation error
    on ``tags``, as is having more than ``MAX_TAGS``.
    """
    try:
        names = parse_topic_names(tags)
    except ValidationError as exc:
        raise ValidationError({"tags": exc.messages}) from None
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": [f"At most {MAX_TAGS} tags."]})
    if not names:
        return []
    allowed = set(community.topics.values_list("slug", flat=True))
    unknown = [n for n in names if topic_normalise(n) not in allowed]
    if unknown and not (community.members_can_add_tags or can_coordinate()):
        raise ValidationError(
            {"tags": [f"Not a topic of this community: {', '.join(unknown)}. Ask a coordinator to add it."]}
        )
    topics = topics_get_or_create(names)
    if unknown:
        community.topics.add(*[t for t in topics if t.slug not in allowed])
    return topics
