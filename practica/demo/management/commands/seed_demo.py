"""``manage.py seed_demo``: a demo network of organisations, people and communities of practice.

Everything is written through the services (community_create, community_join, membership_decide, ...), so the
communities' histories read like real ones. Running it again creates only what is missing and never
overwrites what people changed in the demo since.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.db.models import Count
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from practica.accounts.models import User
from practica.communities import services as community_services
from practica.communities.models import Community, Membership, MembershipState, Role, Visibility
from practica.communities.selectors import Access
from practica.demo import network
from practica.demo.discussions import seed_demo_discussions
from practica.demo.events import seed_demo_events
from practica.demo.knowledge import seed_demo_knowledge
from practica.demo.network import CommunitySpec, PersonSpec
from practica.importers.stackexchange import StackExchangeImporter
from practica.insights import services as insights_services
from practica.people import services as people_services
from practica.people.models import Organization

LOCMEM_EMAIL = "django.core.mail.backends.locmem.EmailBackend"


@dataclass
class SeedReport:
    """What one run created (zero everywhere on a re-run)."""

    organizations: int = 0
    people: int = 0
    communities: int = 0
    memberships: int = 0
    requests: int = 0
    invitations: int = 0
    threads: int = 0
    replies: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        return any((self.organizations, self.people, self.communities, self.memberships, self.requests,
                    self.invitations, self.threads, self.replies))


class DemoSeeder:
    """Creates each missing piece of the demo network; pieces that exist already are left as they are."""

    def __init__(self, log: Any = None) -> None:
        self.log = log or (lambda message: None)
        self.report = SeedReport()
        self.organizations: dict[str, Organization] = {}
        self.users: dict[str, User] = {}
        # Hashing the shared demo password once keeps seeding fast (PBKDF2 per user would take seconds).
        self._password_hashes: dict[str, str] = {}

    def run(self) -> SeedReport:
        self.seed_organizations()
        self.seed_people()
        for spec in network.COMMUNITIES:
            self.seed_community(spec)
        # Questions, discussions and ideas, recurring meetings, knowledge items; each idempotent.
        self.report.threads, self.report.replies = seed_demo_discussions(log=self.log)
        seed_demo_events(log=self.log)
        seed_demo_knowledge(log=self.log)
        return self.report

    # --- Organisations and people -----------------------------------------------------------------

    def seed_organizations(self) -> None:
        for spec in network.ORGANIZATIONS:
            existed = Organization.objects.filter(name__iexact=spec.name).exists()
            self.organizations[spec.name] = people_services.organization_get_or_create(name=spec.name, kind=spec.kind)
            if not existed:
                self.report.organizations += 1
                self.log(f"  organisation {spec.name}")

    def seed_people(self) -> None:
        self._person(network.ADMIN_PERSON, password=network.ADMIN_PASSWORD, superuser=True)
        self._person(network.DEMO_PERSON, password=network.DEMO_PASSWORD)
        for spec in network.PEOPLE:
            self._person(spec, password=network.DEMO_PASSWORD)

    def _hash(self, password: str) -> str:
        if password not in self._password_hashes:
            self._password_hashes[password] = make_password(password)
        return self._password_hashes[password]

    def _person(self, spec: PersonSpec, *, password: str, superuser: bool = False) -> None:
        existing = User.objects.filter(username__iexact=spec.username).first()
        if existing is not None:
            self.users[spec.username] = existing
            return
        if User.objects.filter(email__iexact=spec.email).exists():
            self.report.skipped.append(f"{spec.username}: the e-mail address {spec.email} belongs to another account")
            return
        # create_user runs the post_save signal that gives every account its profile.
        user = User.objects.create_user(
            spec.username,
            spec.email,
            None,
            first_name=spec.first_name,
            last_name=spec.last_name,
            is_staff=superuser,
            is_superuser=superuser,
        )
        user.password = self._hash(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=spec.email, defaults={"verified": True, "primary": True}
        )
        people_services.profile_update(
            profile=people_services.profile_ensure(user=user),
            actor=user,
            display_name=spec.name,
            discipline=spec.discipline,
            job_title=spec.job_title,
            location=spec.location,
            timezone=spec.timezone,
            bio=spec.bio,
            expertise=spec.expertise,
            languages=spec.languages,
            organization=self.organizations[spec.organization],
        )
        self.users[spec.username] = user
        self.report.people += 1
        self.log(f"  person {spec.name} ({spec.username})")

    # --- Communities and memberships --------------------------------------------------------------

    def seed_community(self, spec: CommunitySpec) -> None:
        community = Community.objects.filter(slug__iexact=spec.slug).first()
        if community is None:
            creator = self.users.get(spec.coordinator)
            if creator is None:
                self.report.skipped.append(f"{spec.slug}: its coordinator {spec.coordinator} does not exist")
                return
            today = timezone.localdate()
            community = community_services.community_create(
                creator=creator,
                name=spec.name,
                slug=spec.slug,
                domain=spec.domain,
                out_of_scope=spec.out_of_scope,
                topics=spec.topics,
                visibility=spec.visibility,
                stage=spec.stage,
                purpose=spec.purpose,
                goals=[
                    community_services.GoalData(
                        description=goal.description,
                        metric=goal.metric,
                        target_value=goal.target_value,
                        due_date=today + dt.timedelta(days=goal.due_in_days),
                    )
                    for goal in spec.goals
                ],
                organizations=[self.organizations[name] for name in spec.organizations],
            )
            self.report.communities += 1
            self.log(f"  community {spec.name} ({spec.visibility}, {spec.stage})")
        actor = self._coordinating_actor(community, spec)
        if actor is None:
            self.report.skipped.append(f"{spec.slug}: nobody from the demo can coordinate it any more")
            return
        already = set(Membership.objects.filter(community=community).values_list("user__username", flat=True))
        for username, role in spec.members:
            user = self.users.get(username)
            if user is None or user.username in already:
                continue
            self._add_member(community, actor, user, role)
            self.report.memberships += 1
        for username, message in spec.requests:
            user = self.users.get(username)
            if user is None or user.username in already:
                continue
            community_services.community_join(community=community, user=user, message=message)
            self.report.requests += 1
            self.log(f"  {username} asks to join {community.slug}")
        for username, role in spec.invitations:
            user = self.users.get(username)
            if user is None or user.username in already:
                continue
            community_services.member_invite(community=community, actor=actor, user=user, role=role)
            self.report.invitations += 1
            self.log(f"  {username} is invited to {community.slug}")

    def _coordinating_actor(self, community: Community, spec: CommunitySpec) -> User | None:
        """The community's demo coordinator, or the network admin when they no longer coordinate it."""
        for username in (spec.coordinator, network.ADMIN_USERNAME):
            user = self.users.get(username)
            if user is not None and Access(community, user).can_coordinate:
                return user
        return None

    def _add_member(self, community: Community, actor: User, user: User, role: str) -> None:
        """Bring a person in the way the community's visibility asks for: join, request + approval, or invitation."""
        if community.visibility == Visibility.PRIVATE:
            community_services.member_invite(community=community, actor=actor, user=user, role=role)
            community_services.invitation_respond(community=community, user=user, accept=True)
        else:
            membership = community_services.community_join(community=community, user=user)
            if membership.state == MembershipState.REQUESTED:
                membership = community_services.membership_decide(
                    community=community, actor=actor, membership_id=membership.id, approve=True
                )
            if role != Role.MEMBER:
                community_services.membership_set_role(
                    community=community, actor=actor, membership_id=membership.id, role=role
                )
        self.log(f"  {user.username} joins {community.slug} as {Role(role).label.lower()}")


DEMO_DATASET = "quantumcomputing"
DEMO_DATASET_SLUG = "quantum-computing"


def seed_real_data(*, log: Any) -> tuple[int, str]:
    """Import a real Stack Exchange dump from ``../shared/datasets/`` into a demo community.

    Returns the number of objects imported and a line for the console (why nothing was imported, if so).
    Idempotent: a second run imports nothing.
    """
    folder = Path(settings.SHARED_DATASETS_DIR) / DEMO_DATASET
    if not (folder / "Posts.xml").is_file():
        return 0, f"Skipped the real-data community: no dataset at {folder} (see README, Data)."
    coordinator = User.objects.filter(username="demo").first()
    created_now = not Community.objects.filter(slug=DEMO_DATASET_SLUG).exists()
    stats = StackExchangeImporter(
        folder, community_slug=DEMO_DATASET_SLUG, create=True, coordinator=coordinator, site=DEMO_DATASET
    ).run()
    if created_now:
        Community.objects.filter(slug=DEMO_DATASET_SLUG).update(
            name="Quantum Computing",
            domain=(
                "Practitioners of quantum computing — algorithms, circuits, error correction, hardware and "
                "programming frameworks — helping each other. Imported from Quantum Computing Stack Exchange "
                "(CC BY-SA; each post links back to its author through its external id)."
            ),
            out_of_scope="General physics homework; quantum mechanics outside computation.",
            stage="coalescing",
        )
    log(f"  imported {stats.total_created} objects from {folder} in {stats.seconds:.1f} s")
    return stats.total_created, ""


def _count(n: int, singular: str, plural: str = "") -> str:
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"


def _backfill_health(slugs: list[str], log: Any) -> None:
    """The demo communities' contribution days and daily health history, from the timestamps of the content just
    made: the health pages show trends from the first visit (an import back-fills its own community)."""
    for community in Community.objects.filter(slug__in=slugs):
        insights_services.activity_backfill(community=community)
        days = insights_services.snapshot_backfill(community=community)
        log(f"  health history of {community.slug}: {days} days")


class Command(BaseCommand):
    help = (
        "Create a demo network: organisations, people and communities of practice with charters, roles, "
        "pending requests and an invitation. Safe to run again: only missing pieces are created."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing (errors still fail the command).")
        parser.add_argument(
            "--skip-datasets", action="store_true", help="Do not import the real Stack Exchange dataset."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        quiet = bool(options.get("quiet")) or options.get("verbosity", 1) == 0
        detailed = options.get("verbosity", 1) >= 2 and not quiet

        def say(message: str, style: Any = None) -> None:
            if not quiet:
                self.stdout.write(style(message) if style else message)

        def log(message: str) -> None:
            if detailed:
                self.stdout.write(message)

        started = time.monotonic()
        # The services e-mail coordinators and invitees; the demo people are fictional, so keep those e-mails
        # in memory instead of flooding the console (or sending them through a real mail server).
        with override_settings(EMAIL_BACKEND=LOCMEM_EMAIL), transaction.atomic():
            report = DemoSeeder(log=log).run()
            if report.created_anything:
                _backfill_health([spec.slug for spec in network.COMMUNITIES], log)
            imported, dataset_note = (0, "") if options.get("skip_datasets") else seed_real_data(log=log)
        if dataset_note:
            say(dataset_note, self.style.WARNING)
        elapsed = time.monotonic() - started

        for problem in report.skipped:
            say(f"Skipped {problem}", self.style.WARNING)
        if report.created_anything or imported:
            parts = [
                _count(report.organizations, "organisation"),
                _count(report.people, "person", "people"),
                _count(report.communities, "community", "communities"),
                _count(report.memberships, "membership"),
                _count(report.requests, "request to join", "requests to join"),
                _count(report.invitations, "invitation"),
                _count(report.threads, "thread"),
                _count(report.replies, "reply", "replies"),
            ]
            if imported:
                parts.append(_count(imported, "imported item"))
            say(f"Created {', '.join(parts[:-1])} and {parts[-1]} in {elapsed:.1f} s.")
        else:
            say(f"Nothing new: the demo data is already present (checked in {elapsed:.1f} s).")
        memberships = Membership.objects.values("state").annotate(n=Count("id"))
        by_state = {row["state"]: row["n"] for row in memberships}
        say(
            f"The network has {_count(Organization.objects.count(), 'organisation')}, "
            f"{_count(Community.objects.count(), 'community', 'communities')}, "
            f"{_count(User.objects.filter(is_active=True).count(), 'person', 'people')} and "
            f"{_count(by_state.get(MembershipState.ACTIVE, 0), 'active membership')} "
            f"({_count(by_state.get(MembershipState.REQUESTED, 0), 'pending request')}, "
            f"{_count(by_state.get(MembershipState.INVITED, 0), 'pending invitation')})."
        )
        say(
            f"Demo data ready. Sign in at {settings.SITE_URL}{reverse('account_login')} as "
            f"{network.DEMO_USERNAME} / {network.DEMO_PASSWORD} "
            f"(network admin: {network.ADMIN_USERNAME} / {network.ADMIN_PASSWORD}).",
            self.style.SUCCESS,
        )
