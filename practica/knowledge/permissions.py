"""Who may do what in a community's knowledge base: every rule once, with the message a refusal shows.

Each rule is a small predicate over the viewer's ``Access`` (and the item, where it matters), in the one form of
``practica/lib/permissions.py``: ``rule(...)`` asks, ``rule.require(...)`` guards. Services call
``rule.require(...)`` as a guard (``PermissionDenied`` with the rule's message, or ``Http404`` for rules about what
the viewer may see at all: a hidden thing does not exist for them); selectors call the rules to set a page's flags
(``ItemPage.can_edit``, ``rights(access).may_curate``); views and the API call them through the same flags or
through DRF permission classes (``practica.knowledge.api.permissions``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from practica.communities.selectors import Access
from practica.knowledge.models import KnowledgeAuthor, KnowledgeItem, KnowledgeStatus
from practica.lib.permissions import rule

# What every reader of the community may read; drafts and items in review are for their people and the reviewers.
READABLE = (KnowledgeStatus.PUBLISHED, KnowledgeStatus.ARCHIVED)


# --- Who someone is to an item ------------------------------------------------------------------------


def is_credited(item: KnowledgeItem, user: Any) -> bool:
    """The person wrote, captured or contributed to the item."""
    if not getattr(user, "is_authenticated", False):
        return False
    return item.created_by_id == user.id or KnowledgeAuthor.objects.filter(item=item, user=user).exists()


def is_editor(item: KnowledgeItem, user: Any) -> bool:
    """The person wrote or captured the item (contributors are credited, not editors)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return item.created_by_id == user.id or KnowledgeAuthor.objects.filter(
        item=item, user=user, role=KnowledgeAuthor.Role.EDITOR
    ).exists()


def has_matching_expertise(item: KnowledgeItem, user: Any) -> bool:
    """Whether the person declared expertise in one of the item's tags (or, for an untagged item, in one of the
    community's topics)."""
    if not getattr(user, "is_authenticated", False):
        return False
    wanted = item.tags.values("id") if item.tags.exists() else item.community.topics.values("id")
    return bool(user.profile.expertise.filter(id__in=wanted).exists())


def participates(access: Access) -> bool:
    """An active member (or a network admin) takes part: writes, endorses, marks as helpful, captures."""
    return access.is_member or access.is_admin


# --- Seeing -------------------------------------------------------------------------------------------


@rule("No such community.", hidden=True)
def may_read_community(access: Access) -> bool:
    return access.can_read


@rule("No such knowledge item.", hidden=True)
def may_see(item: KnowledgeItem, access: Access) -> bool:
    """Published and archived items are for every reader; drafts and items in review for their people and the
    reviewers (coordinators and core members)."""
    if not access.can_read:
        return False
    return item.status in READABLE or access.is_core or is_credited(item, access.user)


def may_see_unpublished(access: Access) -> bool:
    """Reviewers see every draft and item in review (in lists, queues and collections), not only their own."""
    return access.is_core


def may_see_reviews(access: Access, *, credited: bool) -> bool:
    """An item's review history is for its people and the reviewers."""
    return credited or access.is_core


# --- Writing ------------------------------------------------------------------------------------------


@rule("Join this community to write knowledge.")
def may_write(access: Access) -> bool:
    return participates(access)


@rule("Only its authors, coordinators and core members may change this item.")
def may_edit(item: KnowledgeItem, access: Access) -> bool:
    """Reviewers always; its authors (editors) while they are members and it is not archived."""
    if access.is_core:
        return True
    if item.status == KnowledgeStatus.ARCHIVED or not access.is_member:
        return False
    return is_editor(item, access.user)


may_attach = may_edit.saying("Only its authors, coordinators and core members may attach files.")
may_remove_file = may_edit.saying("Only its authors, coordinators and core members may remove files.")
may_restore = may_edit.saying("Only its authors, coordinators and core members may restore a version.")


@rule("Only its authors may submit this item for review.")
def may_submit(item: KnowledgeItem, access: Access) -> bool:
    return (access.is_member and is_editor(item, access.user)) or access.is_core


# --- Review and stewardship ---------------------------------------------------------------------------


def _reviewer(access: Access) -> bool:
    return access.is_core


may_review = rule("Only coordinators and core members may approve or return knowledge items.")(_reviewer)
may_verify = rule("Only coordinators and core members may re-verify knowledge.")(_reviewer)
may_archive = rule("Only coordinators and core members may archive knowledge.")(_reviewer)
may_unarchive = rule("Only coordinators and core members may bring knowledge back from the archive.")(_reviewer)
may_steward = rule("The stewardship queue is for coordinators and core members.")(_reviewer)
may_curate = rule("Only coordinators and core members may assemble collections.")(_reviewer)


@rule("Only coordinators may change the knowledge settings.")
def may_change_settings(access: Access) -> bool:
    return access.can_coordinate


# --- Endorsements and reuse ---------------------------------------------------------------------------


may_endorse_here = rule("Join this community to endorse knowledge.")(participates)
may_mark_helpful_here = rule("Join this community to mark knowledge as helpful.")(participates)


@rule("You cannot endorse an item you are credited on.")
def may_endorse_own(item: KnowledgeItem, access: Access, *, credited: bool | None = None) -> bool:
    return not (is_credited(item, access.user) if credited is None else credited)


@rule("You cannot mark an item you are credited on as helpful.")
def may_mark_own_helpful(item: KnowledgeItem, access: Access, *, credited: bool | None = None) -> bool:
    return not (is_credited(item, access.user) if credited is None else credited)


@rule("Endorsing needs declared expertise in one of this item's topics (see your profile).")
def has_endorsing_expertise(item: KnowledgeItem, access: Access) -> bool:
    return access.is_core or has_matching_expertise(item, access.user)


def may_endorse(item: KnowledgeItem, access: Access, *, credited: bool | None = None) -> bool:
    """Everything endorsing asks, at once (the page's flag; the service checks each step with its message)."""
    return (
        item.status == KnowledgeStatus.PUBLISHED
        and may_endorse_own(item, access, credited=credited)
        and may_endorse_here(access)
        and has_endorsing_expertise(item, access)
    )


def may_mark_helpful(item: KnowledgeItem, access: Access, *, credited: bool | None = None) -> bool:
    return (
        item.status == KnowledgeStatus.PUBLISHED
        and may_mark_helpful_here(access)
        and may_mark_own_helpful(item, access, credited=credited)
    )


# --- Capture ------------------------------------------------------------------------------------------


@rule("Join this community to capture knowledge.")
def may_capture(access: Access) -> bool:
    """Members (and network admins) turn a thread or meeting notes into a draft."""
    return access.user.is_authenticated and access.can_read and participates(access)


# --- A community's knowledge base, for a page --------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What the viewer may do in a community's knowledge base, for the pages' links and buttons."""

    may_write: bool
    may_curate: bool
    may_steward: bool
    may_change_settings: bool
    may_see_unpublished: bool


def rights(access: Access) -> Rights:
    return Rights(
        may_write=may_write(access),
        may_curate=may_curate(access),
        may_steward=may_steward(access),
        may_change_settings=may_change_settings(access),
        may_see_unpublished=may_see_unpublished(access),
    )
