"""Demo knowledge for ``manage.py seed_demo``: published lessons learned, best practices, a how-to and an
experience story in the demo communities, endorsed and marked helpful, a “Start here” collection, and one draft
captured from a solved demo thread. Idempotent: an item that exists (by community and title) is left as it is."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discussions.models import Thread
from practica.knowledge import services
from practica.knowledge.models import Collection, KnowledgeItem

# community slug, kind, title, summary, body, tags, kind-specific fields
DEMO_ITEMS: list[tuple[str, str, str, str, str, list[str], dict[str, str]]] = [
    (
        "well-integrity", "lesson-learned", "Sustained casing pressure after a rushed wait-on-cement",
        "Wait on the cement's strength curve, not the clock: an early pressure test cracked a fresh sheath.",
        "## Timeline\n\n1. Primary cement job on the 9⅝\" casing.\n2. Casing pressure test after 8 hours.\n"
        "3. Six weeks later: sustained pressure on the B-annulus.\n\nThe cement bond log showed a micro-annulus "
        "over the test interval.",
        ["Cementing", "Barrier management"],
        {
            "context": "Development well, HPHT section, schedule pressure from the rig plan.",
            "what_happened": "The casing test was run before the slurry reached 500 psi compressive strength.",
            "what_we_learned": "The test load debonded the young sheath and opened a micro-annulus.",
            "recommendation": "Set the wait-on-cement time from the UCA curve of the actual slurry.",
        },
    ),
    (
        "well-integrity", "best-practice", "Verify every well barrier element before you rely on it",
        "A barrier element counts only once it has been tested in the direction of flow and the result recorded.",
        "Keep a barrier diagram per well phase, name the acceptance criteria of each element, and record each "
        "test with its chart.",
        ["Barrier management"],
        {
            "applies_when": "Every phase change: drilling to completion, workover, suspension, abandonment.",
            "evidence": "Three near misses in 2023 traced to an element assumed, not tested.",
        },
    ),
    (
        "platform-engineering", "how-to", "Golden path: a new service on the platform in one afternoon",
        "From an empty repository to a service in production with metrics, logs and alerts.",
        "1. `platform new service --template http`\n2. Push: the pipeline builds, scans and deploys to staging.\n"
        "3. Add an SLO in `slo.yaml`; alerts follow.\n4. Promote to production with one approval.",
        ["Internal developer platform", "CI/CD"],
        {},
    ),
    (
        "platform-engineering", "experience", "What our first blameless incident review taught us",
        "Asking “how did it make sense at the time?” found two system fixes a root-cause hunt had missed.",
        "We ran the review with the on-call engineer, the service owner and a facilitator from another team.",
        ["Incident response"],
        {},
    ),
]


def _member(community: Community, roles: list[str]) -> User | None:
    membership = (
        Membership.objects.filter(community=community, role__in=roles, state=MembershipState.ACTIVE)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user if membership else None


@transaction.atomic
def seed_demo_knowledge(*, log: Callable[[str], None] | None = None) -> int:
    """Create the demo knowledge that is missing; returns how many items were created."""
    created = 0
    for slug, kind, title, summary, body, tags, fields in DEMO_ITEMS:
        community = Community.objects.filter(slug=slug).first()
        if community is None or KnowledgeItem.objects.filter(community=community, title=title).exists():
            continue
        coordinator = _member(community, [Role.COORDINATOR])
        author = _member(community, [Role.CORE, Role.MEMBER]) or coordinator
        if coordinator is None or author is None:
            continue
        item = services.item_create(
            community=community, author=author, kind=kind, title=title, summary=summary, body=body, tags=tags,
            fields=fields, submit=True,
        )
        if author != coordinator:
            services.item_review(item=item, reviewer=coordinator, approve=True, comment="First published")
            readers = Membership.objects.filter(
                community=community, state=MembershipState.ACTIVE, role=Role.MEMBER
            ).exclude(user=author).select_related("user")[:2]
            for membership in readers:
                services.helpful_mark(item=item, user=membership.user, note="Used it on our last job.")
            services.endorse(item=item, user=coordinator, comment="Matches what we see across our sites.")
        created += 1
        if log:
            log(f"  knowledge {title}")
    _seed_collection("well-integrity", "Start here")
    _seed_capture("well-integrity")
    return created


def _seed_collection(slug: str, title: str) -> None:
    community = Community.objects.filter(slug=slug).first()
    coordinator = _member(community, [Role.COORDINATOR]) if community else None
    if community is None or coordinator is None or Collection.objects.filter(community=community, title=title).exists():
        return
    collection = services.collection_create(
        community=community, actor=coordinator, title=title, description="The essentials for newcomers."
    )
    for item in KnowledgeItem.objects.filter(community=community, status="published").order_by("id"):
        services.collection_add(collection=collection, actor=coordinator, item=item)


def _seed_capture(slug: str) -> None:
    community = Community.objects.filter(slug=slug).first()
    if community is None or KnowledgeItem.objects.filter(community=community, source_thread__isnull=False).exists():
        return
    thread = Thread.objects.filter(community=community, accepted_post__isnull=False, deleted_at=None).order_by("id").first()
    capturer = _member(community, [Role.CORE, Role.COORDINATOR])
    if thread is not None and capturer is not None:
        services.capture_from_thread(user=capturer, thread=thread)
