"""The world the authorisation matrix runs in: three communities (public, members-only, private), each with one
person per role and one object of every kind a route can address, an outsider and a network admin.

Everything is made through the services, as people make it, so notifications, emails and the search index
follow. Every piece of text written in a community carries that community's canary (``CANARY-PRIVATE-7f3a``...),
so a page, feed or email that shows it to someone who may not read the community is caught by a plain substring
test. Two exceptions, on purpose: a members-only community's own name, domain and charter are public (its page
is visible to everyone, only its content is not), so they carry no canary; a private community's name, domain
and charter do.

Built once for the package's tests (see ``conftest.py``), inside a transaction rolled back after them.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core import mail
from django.test import Client
from django.utils import timezone

from practica.accounts import services as account_services
from practica.accounts.models import ApiToken, User
from practica.communities import services as community_services
from practica.communities.models import Community, Invitation, Membership, MembershipState, Role, Visibility
from practica.discovery import services as search_services
from practica.discussions import services as discussion_services
from practica.discussions.models import Comment, Flag, Post, Thread, ThreadKind
from practica.events import services as event_services
from practica.events.models import ActionItem, Event
from practica.events.recurrence import occurrence_key
from practica.importers.models import ImportJob
from practica.knowledge import services as knowledge_services
from practica.knowledge.models import Attachment, Collection, KnowledgeItem
from practica.lib.testing.factories import OrganizationFactory, UserFactory
from practica.notifications import selectors as notification_selectors
from practica.notifications import services as notification_services
from practica.notifications.emails import unsubscribe_token
from practica.notifications.models import Notification, Webhook
from practica.search.models import ExpertRequest
from practica.topics.services import topics_get_or_create

# The roles of the matrix, in the order reports list them. "admin" is the network admin (superuser and staff).
ROLES = ("anonymous", "outsider", "member", "core", "coordinator", "sponsor", "admin")
MEMBER_ROLES = ("member", "core", "coordinator", "sponsor")
VISIBILITIES = (Visibility.PUBLIC.value, Visibility.MEMBERS_ONLY.value, Visibility.PRIVATE.value)

CANARIES = {
    Visibility.PUBLIC.value: "CANARY-PUBLIC-5b1d",
    Visibility.MEMBERS_ONLY.value: "CANARY-MEMBERS-2c9e",
    Visibility.PRIVATE.value: "CANARY-PRIVATE-7f3a",
}
# A topic every community has and everyone may declare expertise in; a private community's own topic carries its
# canary (topics are shared, but a private community's must not show outside it).
SHARED_TOPIC = "Cement barriers"
SHORT = {Visibility.PUBLIC.value: "pub", Visibility.MEMBERS_ONLY.value: "mo", Visibility.PRIVATE.value: "priv"}


@dataclass
class Place:
    """One community and one object of every kind in it."""

    visibility: str
    canary: str
    community: Community
    people: dict[str, User]
    applicant: User
    invitee: User
    question: Thread
    discussion: Thread
    idea: Thread
    opening: Post
    answer: Post
    comment: Comment
    flag: Flag
    item: KnowledgeItem
    draft: KnowledgeItem
    in_review: KnowledgeItem
    archived: KnowledgeItem
    captured: KnowledgeItem
    attachment: Attachment
    collection: Collection
    event: Event
    action: ActionItem
    invitation: Invitation
    invitation_token: str
    request: Membership
    membership: Membership
    webhook: Webhook
    import_job: ImportJob
    notification: Notification
    expert_request: ExpertRequest
    topic_name: str
    api_token: ApiToken  # the member's personal API token (the row; its key is not kept)
    past_key: str  # the event's first date, past (notes, attendance, an action)
    next_key: str  # its next date, ahead (RSVPs)

    @property
    def slug(self) -> str:
        return self.community.slug

    @property
    def short(self) -> str:
        return SHORT[self.visibility]

    def user(self, role: str, world: World) -> User | None:
        """The person playing ``role`` here (None for the anonymous visitor)."""
        if role == "anonymous":
            return None
        if role == "outsider":
            return world.outsider
        if role == "admin":
            return world.admin
        return self.people[role]

    def readers(self) -> set[str]:
        """Roles that may read this community's content."""
        if self.visibility == Visibility.PUBLIC:
            return set(ROLES)
        return {*MEMBER_ROLES, "admin"}

    def knowers(self) -> set[str]:
        """Roles that may know this community exists (see its page)."""
        if self.visibility == Visibility.PRIVATE:
            return {*MEMBER_ROLES, "admin"}
        return set(ROLES)


@dataclass
class World:
    """The three places (by visibility), the people outside them, and a signed-in test client per person."""

    places: dict[str, Place]
    outsider: User
    admin: User
    removed: User  # was a member of the private community, then removed (finding 13)
    organization_slug: str
    clients: dict[str, Client] = field(default_factory=dict)  # by viewer key, see ``viewer_key``
    emails: list[Any] = field(default_factory=list)  # mail.outbox as the build left it

    def place(self, visibility: str) -> Place:
        return self.places[visibility]

    def client(self, user: User | None) -> Client:
        return self.clients[viewer_key(user)]

    def users(self) -> list[User]:
        people = [self.outsider, self.admin, self.removed]
        for place in self.places.values():
            people.extend(place.people.values())
            people.extend([place.applicant, place.invitee])
        return people

    def readable_canaries(self, user: User | None) -> set[str]:
        """The canaries of the communities this person may read (everything for the admin)."""
        if user is not None and user.is_superuser:
            return set(CANARIES.values())
        readable = {CANARIES[Visibility.PUBLIC]}
        for place in self.places.values():
            if user is not None and user in place.people.values():
                readable.add(place.canary)
        return readable

    def hidden_canaries(self, user: User | None) -> set[str]:
        """The canaries this person must never meet."""
        return set(CANARIES.values()) - self.readable_canaries(user)


def viewer_key(user: User | None) -> str:
    return "anonymous" if user is None else user.username


def _join(community: Community, coordinator: User, user: User, role: str) -> None:
    community_services.member_invite(community=community, actor=coordinator, user=user, role=role)
    community_services.invitation_respond(community=community, user=user, accept=True)


def _build_place(visibility: str, *, outsider: User, organization: Any, watcher: User | None = None) -> Place:
    canary = CANARIES[visibility]
    short = SHORT[visibility]
    secret = visibility == Visibility.PRIVATE  # only a private community's name and charter are secret
    topic_name = f"Barrier {short} {canary}" if secret else f"Barrier {short}"
    coordinator = UserFactory(username=f"{short}-coordinator", organization=organization)
    community = community_services.community_create(
        creator=coordinator,
        name=f"Authz {short} wells" + (f" {canary}" if secret else ""),
        slug=f"authz-{short}",
        domain="Cement barriers in wells." + (f" {canary}" if secret else ""),
        visibility=visibility,
        topics=[topic_name, SHARED_TOPIC],
        organizations=[organization],
        purpose="Share what works." + (f" {canary}" if secret else ""),
        goals=[community_services.GoalData(description="Answer every question." + (f" {canary}" if secret else ""))],
    )
    people = {"coordinator": coordinator}
    for role in ("core", "member", "sponsor"):
        person = UserFactory(username=f"{short}-{role}", organization=organization, expertise=[SHARED_TOPIC])
        _join(community, coordinator, person, role)
        people[role] = person
    core, member, sponsor = people["core"], people["member"], people["sponsor"]
    notification_services.subscription_set(user=sponsor, community=community, state="watch")
    if watcher is not None:  # a member who follows the community by daily digest, removed once it is built
        _join(community, coordinator, watcher, Role.MEMBER)
        notification_services.subscription_set(user=watcher, community=community, state="watch")
        notification_services.email_mode_set(user=watcher, mode="daily")
        notification_services.email_mode_set(user=sponsor, mode="daily")  # a member who stays, by digest too

    # Discussions: a question with an accepted answer, a comment, a vote, an edit (revision 2) and a flag; a
    # discussion and an idea, each with a reply and a comment. The answer mentions the outsider, who must not hear.
    question = discussion_services.thread_create(
        community=community, author=member, kind=ThreadKind.QUESTION,
        title=f"How do you verify a cement barrier? {canary}",
        body=f"We see micro-annuli on the bond log and wonder how to verify the cement barrier. {canary}",
        tags=[topic_name, SHARED_TOPIC],
    )
    opening = Post.objects.get(thread=question, is_opening=True)
    answer = discussion_services.post_create(
        thread=question, author=core,
        body=f"Pressure-test the cement barrier, then log it. @{member.username} @{outsider.username} {canary}",
    )
    comment = discussion_services.comment_create(post=answer, author=sponsor, body=f"Worked for us too. {canary}")
    discussion_services.vote_set(post=answer, user=sponsor)
    discussion_services.answer_accept(post=answer, actor=member)
    discussion_services.post_edit(
        post=opening, editor=member, expected_version=opening.version,
        body=f"{opening.body_source} Edited with the log attached. {canary}", note=f"Added the log {canary}",
    )
    flag = discussion_services.flag_create(
        post=answer, reporter=sponsor, reason=Flag.Reason.OTHER, details=f"Check the numbers {canary}"
    )
    discussion = discussion_services.thread_create(
        community=community, author=core, kind=ThreadKind.DISCUSSION,
        title=f"Cement barrier verification practices {canary}",
        body=f"Let us compare how we verify cement barriers. {canary}", tags=[topic_name, SHARED_TOPIC],
    )
    reply = discussion_services.post_create(thread=discussion, author=member, body=f"We log twice. {canary}")
    discussion_services.comment_create(post=reply, author=sponsor, body=f"Twice is right. {canary}")
    idea = discussion_services.thread_create(
        community=community, author=sponsor, kind=ThreadKind.IDEA,
        title=f"A shared cement barrier checklist {canary}",
        body=f"Let us write one checklist for cement barrier tests. {canary}",
    )
    idea_reply = discussion_services.post_create(thread=idea, author=core, body=f"Yes, with the log. {canary}")
    discussion_services.comment_create(post=idea_reply, author=member, body=f"Count me in. {canary}")

    # Knowledge: a published item with two versions, an endorsement, a helpful mark and an attachment, in a
    # collection; a draft; a draft captured from the question.
    item = knowledge_services.item_create(
        community=community, author=member, kind="lesson-learned",
        title=f"Verify the cement barrier twice {canary}", summary=f"Test twice. {canary}",
        body=f"We pressure-tested the cement barrier twice. {canary}", tags=[topic_name, SHARED_TOPIC],
        fields={"context": f"A deep well. {canary}", "recommendation": f"Test twice. {canary}"},
    )
    knowledge_services.item_submit(item=item, actor=member)
    knowledge_services.item_review(item=item, reviewer=coordinator, approve=True, comment=f"Good. {canary}")
    knowledge_services.item_update(
        item=item, editor=member, body=f"We pressure-tested the cement barrier twice, then logged. {canary}",
        note=f"Added the log {canary}",
    )
    knowledge_services.endorse(item=item, user=core, comment=f"Matches our wells. {canary}")
    knowledge_services.helpful_mark(item=item, user=sponsor, note=f"Used it offshore. {canary}")
    attachment = knowledge_services.attachment_add(
        item=item, actor=member, stream=io.BytesIO(f"Checklist {canary}\n".encode()), name="checklist.txt"
    )
    collection = knowledge_services.collection_create(
        community=community, actor=coordinator, title=f"Barrier basics {canary}", description=f"Start here. {canary}"
    )
    item.refresh_from_db()
    knowledge_services.collection_add(collection=collection, actor=coordinator, item=item)
    draft = knowledge_services.item_create(
        community=community, author=member, kind="how-to", title=f"Draft barrier how-to {canary}",
        summary=f"Draft. {canary}", body=f"Steps to come. {canary}",
    )
    in_review = knowledge_services.item_create(
        community=community, author=member, kind="best-practice", title=f"Barrier practice in review {canary}",
        summary=f"In review. {canary}", body=f"Review me. {canary}", submit=True,
    )
    archived = knowledge_services.item_create(
        community=community, author=member, kind="experience", title=f"Old barrier experience {canary}",
        summary=f"Archived. {canary}", body=f"From 2009. {canary}",
    )
    knowledge_services.item_submit(item=archived, actor=member)
    knowledge_services.item_review(item=archived, reviewer=coordinator, approve=True)
    knowledge_services.item_archive(item=archived, actor=coordinator, comment=f"Outdated. {canary}")
    captured = knowledge_services.capture_from_thread(user=member, thread=question)

    # Events: a weekly meeting whose first date is past (notes, attendance, an action) and next ones ahead (RSVP).
    now = timezone.now()
    first = (now - dt.timedelta(days=2)).replace(hour=10, minute=0, second=0, microsecond=0)
    event = event_services.event_create(
        community=community, organiser=core, title=f"Cement barrier call {canary}",
        start=first.replace(tzinfo=None), end=(first + dt.timedelta(hours=1)).replace(tzinfo=None),
        timezone_name="UTC", description=f"Agenda: cement barriers. {canary}", recurrence="FREQ=WEEKLY;COUNT=6",
        location=f"Room 4 {canary}",
    )
    event_services.event_rsvp(event=event, user=member, response="yes", original_start=first + dt.timedelta(weeks=1))
    event_services.occurrence_write_up(
        event=event, actor=core, original_start=first, notes=f"We agreed to log twice. {canary}",
        decisions=f"Log twice. {canary}",
    )
    event_services.attendance_mark(event=event, actor=core, original_start=first, usernames=[str(member.username)])
    action = event_services.action_create(
        event=event, actor=core, original_start=first, text=f"Write the checklist {canary}",
        owner_username=member.username, due_date=(now + dt.timedelta(days=7)).date(),
    )

    # Membership work in progress: an invitation link, a pending personal invitation and a request to join.
    invitation = community_services.invitation_create(community=community, actor=coordinator, max_uses=5)
    invitee = UserFactory(username=f"{short}-invitee")
    community_services.member_invite(community=community, actor=coordinator, user=invitee)
    applicant = UserFactory(username=f"{short}-applicant")
    if visibility == Visibility.MEMBERS_ONLY:
        request = community_services.community_join(community=community, user=applicant, message="Let me in.")
    else:
        # Public communities take people in at once and private ones by invitation only, so a pending request
        # exists there only when a community changed its visibility; written directly, as that leaves it.
        request = Membership.objects.create(
            community=community, user=applicant, state=MembershipState.REQUESTED, message="Let me in."
        )

    expert_request = search_services.expert_request_create(thread=question, actor=member, expert=sponsor)
    notification_services.subscription_set(user=member, thread=discussion, state="watch")
    webhook = notification_services.webhook_create(
        community=community, actor=coordinator, url=f"https://127.0.0.1:9/authz-{short}"
    )
    # Nothing is delivered to it: the matrix makes no successful write.
    notification_services.webhook_set_active(webhook=webhook, active=False)
    import_job = ImportJob.objects.create(  # a finished import, as the task leaves it (its page only reads it)
        community=community, site=f"authz-{short}", created_by=coordinator, status=ImportJob.Status.DONE,
        stats={"threads": 1}, finished_at=now,
    )
    return Place(
        visibility=visibility, canary=canary, community=community, people=people, applicant=applicant,
        invitee=invitee, question=question, discussion=discussion, idea=idea, opening=opening, answer=answer,
        comment=comment, flag=flag, item=item, draft=draft, in_review=in_review, archived=archived, captured=captured, attachment=attachment,
        collection=collection, event=event, action=action, invitation=invitation,
        invitation_token=community_services.invitation_token(invitation), request=request,
        membership=Membership.objects.get(community=community, user=member), webhook=webhook,
        import_job=import_job, notification=None,  # type: ignore[arg-type]  # filled in by finish_world
        expert_request=expert_request, topic_name=topic_name, past_key=occurrence_key(first),
        api_token=account_services.token_create(user=member, name=f"Reports {short}").token,
        next_key=occurrence_key(first + dt.timedelta(weeks=1)),
    )


def build_world() -> World:
    """Make the world (call inside a transaction, with on-commit callbacks executed)."""
    mail.outbox = []
    organization = OrganizationFactory(name="Authz Drilling", slug="authz-drilling")
    outsider = UserFactory(username="outsider", organization=organization)
    admin = UserFactory(username="netadmin", is_staff=True, is_superuser=True)
    removed = UserFactory(username="priv-removed")
    # The outsider watches a topic of every community's threads before anything is written: they must hear of the
    # public community's only.
    shared_topic = topics_get_or_create([SHARED_TOPIC])[0]
    notification_services.subscription_set(user=outsider, topic=shared_topic, state="watch")
    places = {
        visibility: _build_place(
            visibility, outsider=outsider, organization=organization,
            watcher=removed if visibility == Visibility.PRIVATE else None,
        )
        for visibility in VISIBILITIES
    }
    return World(places=places, outsider=outsider, admin=admin, removed=removed, organization_slug=organization.slug)


def finish_world(world: World) -> None:
    """What follows the world's requests (call after its on-commit callbacks ran: notifications are sent on commit,
    to the readers of that moment): each place's member's first notification, then the private community's watcher
    removed, once what they heard as a member has been delivered."""
    for place in world.places.values():
        place.notification = (
            Notification.objects.filter(recipient=place.people["member"], community=place.community).order_by("id").first()
        )
        assert place.notification is not None, f"the {place.visibility} community's member heard of nothing"
    private = world.place("private")
    community_services.membership_remove(
        community=private.community, actor=private.people["coordinator"],
        membership_id=Membership.objects.get(community=private.community, user=world.removed).pk,
    )


def login_clients(world: World) -> None:
    """One logged-in test client per person (and one anonymous), made once for the whole module."""
    world.clients["anonymous"] = Client()
    for user in world.users():
        client = Client()
        client.force_login(user)
        world.clients[viewer_key(user)] = client


def feed_token(user: User) -> str:
    return notification_selectors.feed_token(user=user)


def unsubscribe(user: User) -> str:
    return unsubscribe_token(user)
