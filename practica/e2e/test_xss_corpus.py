"""The XSS corpus in every rendered user field, in a real Chromium ([P12] "Trust", suite "XSS corpus").

Every user-editable field that some page renders is filled, through the services as a user would, with the
vectors of ``xss_corpus.py``. A field holds many vectors at once; a short field gets them spread over as many
objects as its length allows (every vector that fits the field goes into one of them), and each page that shows
those objects is visited once, as a coordinator and, for the public community, as an anonymous visitor.

On each page a dialog handler records alert/confirm/prompt, an init script defines ``window.__xss`` (reporting to
the test from any frame), requests to ``/__xss/<id>`` (the htmx vectors) are recorded, and once htmx is idle a
DOM check looks for: any ``on*`` attribute (the templates have none), a ``<script>`` that is not one of the
site's static files, a ``javascript:``/``vbscript:``/``data:`` URL in any URL attribute (as the browser parses
it), ``srcdoc``, an iframe/frame/object/embed/base/portal/template/math element, a meta refresh, a style element
outside the head or holding a vector, ``hx-*`` attributes from user text, and any tag or attribute in rendered
Markdown that the sanitiser does not allow. Every page must answer 200 and show some vector (so a page that
renders nothing cannot pass). The test fails naming the page, the finding and the vector (id, kind, text).
The browser contexts bypass the Content-Security-Policy: this suite checks the escaping and the sanitiser on
their own, so that a vector the policy would stop still fails it (``test_security_headers`` checks the policy).

Rendered user fields (from the models and a grep of the templates for ``{{`` and ``|safe``), and where seen:

- Community: name (directory, home, cards, detail, nav, every community page's title), domain statement and
  out of scope (detail, cards, invitation page, edit form), topics (detail, cards, directory filter, thread
  form), history values (history page); Charter purpose and Goal description (detail, charter form).
- Membership: join-request message (requests page); invitation: a community's name and the inviter's display
  name (home page's invitations), and the address of an email invitation, whose quoted local part may hold
  ``<``, ``>`` and quotes (invitations page). Invitations carry no message of their own.
- Profile: display name, job title, discipline, location, bio, languages, expertise tags, organisation name
  (members, requests, recruit, profile, organisation pages, authors everywhere, header, profile form).
- Organisation: name (organisations list and page, members facets, community aside). Its website is set only in
  the admin, so no service writes it.
- Thread: title (lists, cards, unheard, detail, revisions, search, feed, notifications, related, similar), tags,
  idea status reason (detail and moderation form), duplicate-of title; Post body (Markdown, ``|safe``),
  Comment body (``|safe``), Revision title, tags, note and body diff (revisions page), post edit form;
  Flag details and the flagged post's text (flags page, flag form).
- Knowledge item: title, summary, body (``|safe``), the kind's fields (context, what happened, what we learned,
  recommendation, when it applies, evidence), tags, source title and link of an item captured from meeting notes,
  attachment names, version notes and the version diff, review comments, endorsement comments, helpful notes
  (item, versions, list, stewardship, collection pages, edit form); Collection title and description.
- Event: title, description (``|safe``), location, online URL (``href``), occurrence agenda, notes and
  decisions (``|safe``), action texts (event page and "my actions" on the home page), the RSVP list's names
  (RSVPs carry no note), the community's ICS file (fetched: it must be served as text/calendar, never HTML).
- Notifications: subject and text (notification centre), the topics watched (settings page), webhooks' URLs
  (webhooks page).
- Search: result titles and snippets (``|safe`` after escaping), "did you mean" words, the query echoed in the
  header and the form; experts page reasons; related and similar-question partials.
- The Atom feed (opened in Chromium) and the API's browsable pages (DRF's HTML renderer) of the same objects.
- Query contexts: the whole corpus as ``q`` (search, experts, directory and thread filters; echoed in the
  header's search box), ``tag`` and ``author``.

- The community's audit log (who did what: names, summaries of changes).

Not visited: the Django admin and the network-wide audit log (staff only), and the importer's job pages (their
text comes from an uploaded dump, not from a form).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from practica.accounts.models import User
from practica.communities import services as communities
from practica.communities.models import Membership, MembershipState, Visibility
from practica.discussions import services as discussions
from practica.discussions.models import Post, Thread
from practica.e2e.xss_corpus import EVALUATION_MARKERS, VECTORS, describe, ids_in, pack
from practica.events import services as events
from practica.events.models import Event
from practica.knowledge import services as knowledge
from practica.knowledge.models import KnowledgeItem
from practica.lib.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from practica.notifications import services as notifications
from practica.notifications.models import Notification
from practica.people import services as people
from practica.topics.models import Topic
from practica.topics.services import topic_normalise

PASSWORD = "Sturdy-Passw0rd!"
MAIN = "xss-main"
# A word in every body chunk, so that a search returns them all with snippets cut from among the vectors.
WORD = "quagga"


def chunks(limit: int, *, separator: str = " ", prefix: str = "", one_line: bool = True) -> list[str]:
    """The corpus packed into texts of at most ``limit`` characters (see ``xss_corpus.pack``)."""
    return [text for text, _ in pack(VECTORS, limit, separator=separator, prefix=prefix, one_line=one_line)]


def taggable(limit: int = 64) -> list[str]:
    """Vectors that can be topic names (no comma, at most 64 characters, some letter or digit), one per slug."""
    names: dict[str, str] = {}
    for vector in VECTORS:
        name = " ".join(vector.payload.split())
        slug = topic_normalise(name)
        if len(name) <= limit and "," not in name and slug and slug not in names:
            names[slug] = name
    return list(names.values())


def groups(items: list[str], size: int) -> list[list[str]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _accepted(validate: Callable[[str], None], value: str) -> bool:
    try:
        validate(value)
    except ValidationError:
        return False
    return True


def valid_urls() -> list[str]:
    """The vectors that pass as http(s) URLs (the event link and webhook URL fields take only those)."""
    validate = URLValidator(schemes=["http", "https"])
    return [v.payload for v in VECTORS if _accepted(validate, v.payload)]


def quoted_emails() -> list[str]:
    """Vectors as the quoted local part of an address: ``"<svg/onload=...>"@example.org`` is a valid email."""
    addresses = [f'"{v.payload}"@example.org' for v in VECTORS]
    return [address for address in addresses if _accepted(validate_email, address)]


ALL_BLOCKS = "\n\n".join(v.payload for v in VECTORS)  # each vector its own Markdown block
ALL_INLINE = " ".join(" ".join(v.payload.split()) for v in VECTORS)  # all in one paragraph


@dataclass
class Site:
    """What the set-up wrote, and the pages that show it."""

    coordinator_pages: list[tuple[str, str]] = field(default_factory=list)
    anonymous_pages: list[tuple[str, str]] = field(default_factory=list)
    ics_paths: list[str] = field(default_factory=list)


def build_site() -> Site:
    site = Site()
    coordinator_pages, anonymous_pages = site.coordinator_pages, site.anonymous_pages
    short = chunks(100)  # display names, job titles, disciplines, locations, short goal descriptions
    tags = taggable()

    # --- People --------------------------------------------------------------------------------------------
    coordinator = User.objects.create_user("coord", "coord@example.org", PASSWORD)
    notifications.email_mode_set(user=coordinator, mode="off")  # its notifications are read on the page
    orgs = [people.organization_get_or_create(name=name) for name in chunks(200)]
    # One person per chunk of the 100-character profile fields: their names show on the members pages.
    carriers = [User.objects.create_user(f"c{i:03}", f"c{i:03}@example.org", PASSWORD) for i in range(len(short))]
    bios = chunks(5000, separator="\n", one_line=False)
    languages = groups(taggable(40), 20)
    expertise = groups(tags, 49)
    for i, person in enumerate([coordinator, *carriers]):
        index = i % len(short)
        people.profile_update(
            profile=people.profile_ensure(user=person),
            actor=person,
            display_name=short[index],
            job_title=short[-1 - index],
            discipline=short[(index + 7) % len(short)],
            location=short[(index + 13) % len(short)],
            bio=bios[i] if i < len(bios) else "",
            languages=languages[i] if i < len(languages) else [],
            expertise=["xss-lab", *(expertise[i] if i < len(expertise) else [])],
            organization=orgs[i % len(orgs)],
        )
    profiled = max(len(bios), len(languages), len(expertise))
    for person in [coordinator, *carriers[: profiled - 1]]:
        coordinator_pages.append((f"profile of {person.username}", f"/people/{person.username}/"))
    coordinator_pages += [("profile form", "/people/me/edit/"), ("organisations", "/organizations/")]
    coordinator_pages.append(("organisation page", f"/organizations/{orgs[0].slug}/"))
    anonymous_pages += [
        ("profile", f"/people/{carriers[0].username}/"),
        ("organisation page", f"/organizations/{orgs[0].slug}/"),
    ]

    # --- Communities: the public one, a members-only one, and one per name chunk ------------------------
    names = chunks(120)
    domains = chunks(5000, separator="\n", one_line=False)
    scopes = chunks(3000, separator="\n", one_line=False)
    purposes = chunks(5000, separator="\n", one_line=False)
    topic_groups = groups(tags, 49)
    metrics = groups(short, 30)
    goal_texts = chunks(500)
    main = communities.community_create(
        creator=coordinator, name="Main", slug=MAIN, domain="Main.", topics=["xss-lab"], organizations=orgs[:5],
    )
    members_only = communities.community_create(
        creator=coordinator, name=names[1], slug="xss-members", domain="Members only.",
        visibility=Visibility.MEMBERS_ONLY, topics=topic_groups[-1],
    )
    others = [
        communities.community_create(
            creator=coordinator, name=name, slug=f"xss-name-{i}", domain=f"Community {i}.",
            topics=topic_groups[i % len(topic_groups)][:3],
        )
        for i, name in enumerate(names[2:], start=2)
    ]
    # The communities whose own page is visited carry the long texts and the goals, chunk by chunk.
    shown = [main, members_only, *others][: max(len(domains), len(scopes), len(purposes), len(metrics))]
    for k, community in enumerate(shown):
        update = {"name": names[0], "topics": ["xss-lab", *topic_groups[0]], "members_can_add_tags": True}
        communities.community_update(
            community=community, actor=coordinator, domain=domains[k % len(domains)],
            out_of_scope=scopes[k] if k < len(scopes) else "", **(update if community is main else {}),
        )
        described = goal_texts if community is main else []
        goals = [
            # A goal's metric is a choice from the insights catalogue, no longer text: the chunks are descriptions.
            communities.GoalData(description=described[j] if j < len(described) else text)
            for j, text in enumerate(metrics[k] if k < len(metrics) else [])
        ]
        purpose = purposes[k] if k < len(purposes) else ""
        communities.charter_update(community=community, actor=coordinator, purpose=purpose, goals=goals)
        coordinator_pages.append((f"community {community.slug}", f"/communities/{community.slug}/"))
    coordinator_pages.append(("directory", "/communities/"))  # the home page lists every one of them
    coordinator_pages += [
        ("home", "/"),
        ("community edit form", f"/communities/{MAIN}/edit/"),
        ("charter form", f"/communities/{MAIN}/charter/"),
        ("community history", f"/communities/{MAIN}/history/"),
        ("community audit log", f"/communities/{MAIN}/audit/"),
        ("invitations", f"/communities/{MAIN}/invitations/"),
        ("recruit", "/communities/xss-members/recruit/"),
        ("join requests", "/communities/xss-members/requests/"),
        ("follow community", f"/communities/{MAIN}/follow/"),
        ("notification settings", "/notifications/settings/"),
    ]
    anonymous_pages += [("home", "/"), ("directory", "/communities/"), ("community", f"/communities/{MAIN}/")]

    for carrier in carriers:
        communities.community_join(community=main, user=carrier)
    for carrier, message in zip(carriers, chunks(1000, separator="\n", one_line=False), strict=False):
        communities.community_join(community=members_only, user=carrier, message=message)
    inviting = communities.community_create(
        creator=carriers[1], name=names[2], slug="xss-invites", domain=domains[0],
        visibility=Visibility.PRIVATE,
    )
    communities.member_invite(community=inviting, actor=carriers[1], user=coordinator)
    link = communities.invitation_create(community=main, actor=coordinator)
    coordinator_pages.append(("invitation", urlsplit(communities.invitation_url(link)).path))
    for address in quoted_emails()[:49]:  # the invitations page lists 50
        communities.invitation_create(community=main, actor=coordinator, email=address)
    for topic in Topic.objects.filter(name__in=tags[:20]):
        notifications.subscription_set(user=coordinator, topic=topic, state="watch")
    member_pages = math.ceil(Membership.objects.filter(community=main, state=MembershipState.ACTIVE).count() / 30)
    coordinator_pages += [
        (f"members page {n}", f"/communities/{MAIN}/members/?page={n}") for n in range(1, member_pages + 1)
    ]
    anonymous_pages.append(("members", f"/communities/{MAIN}/members/"))

    # --- Discussions ---------------------------------------------------------------------------------------
    titles = chunks(200)
    bodies = chunks(2000, prefix=f"{WORD} ", separator=f" {WORD} ")
    reasons = chunks(500)
    threads: list[Thread] = []
    for i, title in enumerate(titles):
        kind = "idea" if 3 <= i < 3 + len(reasons) else ("question" if i % 2 else "discussion")
        if i == 0:
            body = ALL_BLOCKS
        elif i == 1:
            body = ALL_INLINE
        else:
            body = bodies[i % len(bodies)]
        thread_tags = groups(tags, 7)[i] if i < len(groups(tags, 7)) else []
        threads.append(
            discussions.thread_create(
                community=main, author=coordinator, kind=kind, title=title, body=body, tags=["xss-lab", *thread_tags]
            )
        )
    for thread, reason in zip(threads[3:], reasons, strict=False):
        discussions.idea_status_set(thread=thread, actor=coordinator, status="under-review", reason=reason)
        coordinator_pages.append((f"idea thread {thread.pk}", f"/communities/{MAIN}/threads/{thread.pk}/"))
    opening = Post.objects.get(thread=threads[0], is_opening=True)
    replies = [ALL_BLOCKS, ALL_INLINE, *chunks(3000, separator="\n\n", one_line=False)]
    for carrier, body in zip(carriers, replies, strict=False):
        discussions.post_create(thread=threads[0], author=carrier, body=body)
    for carrier, body in zip(carriers, chunks(1000, separator="\n", one_line=False), strict=False):
        discussions.comment_create(post=opening, author=carrier, body=body)
    for carrier, details in zip(carriers, chunks(500), strict=False):
        discussions.flag_create(post=opening, reporter=carrier, reason="other", details=details)
    questions = [t for t in threads if t.kind == "question"]
    discussions.thread_mark_duplicate(thread=questions[0], actor=coordinator, original=questions[1])
    edited = Post.objects.get(thread=threads[2], is_opening=True)
    notes = chunks(300)
    edit_bodies = chunks(1500, separator="\n", one_line=False)
    for i, title in enumerate(titles):
        edited = discussions.post_edit(
            post=edited, editor=coordinator, body=edit_bodies[i % len(edit_bodies)], expected_version=edited.version,
            title=title, tags=["xss-lab", *groups(tags, 7)[i % len(groups(tags, 7))]], note=notes[i % len(notes)],
        )
    reply = Post.objects.filter(thread=threads[0], is_opening=False).first()
    assert reply is not None
    thread_pages = math.ceil(len(threads) / 20)
    unheard_pages = math.ceil(len(threads) / 30)  # at most every thread waits for a first reply
    coordinator_pages += [
        (f"unheard page {n}", f"/communities/{MAIN}/unheard/?page={n}") for n in range(1, unheard_pages + 1)
    ]
    coordinator_pages += [
        (f"thread list page {n}", f"/communities/{MAIN}/threads/?page={n}") for n in range(1, thread_pages + 1)
    ]
    coordinator_pages += [
        ("thread with every vector as blocks", f"/communities/{MAIN}/threads/{threads[0].pk}/"),
        ("thread with every vector inline", f"/communities/{MAIN}/threads/{threads[1].pk}/"),
        ("edited thread", f"/communities/{MAIN}/threads/{threads[2].pk}/"),
        ("duplicate question", f"/communities/{MAIN}/threads/{questions[0].pk}/"),
        ("revisions", f"/posts/{edited.pk}/revisions/"),
        ("post edit form", f"/posts/{opening.pk}/edit/"),
        ("flag form", f"/posts/{reply.pk}/flag/"),
        ("flags", f"/communities/{MAIN}/flags/"),
        ("watch thread", f"/threads/{threads[0].pk}/watch/"),
        ("related threads", f"/communities/{MAIN}/threads/{threads[0].pk}/related/"),
        ("similar questions", f"/communities/{MAIN}/similar/?title={quote(titles[5])}"),
    ]
    anonymous_pages += [
        ("thread list", f"/communities/{MAIN}/threads/"),
        ("thread with every vector as blocks", f"/communities/{MAIN}/threads/{threads[0].pk}/"),
        ("thread with every vector inline", f"/communities/{MAIN}/threads/{threads[1].pk}/"),
    ]

    # --- Knowledge ---------------------------------------------------------------------------------------------
    item_titles = chunks(200)
    summaries = chunks(500)
    field_texts = chunks(5000, separator="\n", one_line=False)
    items: list[KnowledgeItem] = []
    for i, title in enumerate(item_titles):
        kind = "lesson-learned" if i < 2 else ("best-practice" if i < 4 else "how-to")
        text = field_texts[i % len(field_texts)]
        fields = (
            {"context": text, "what_happened": text, "what_we_learned": text, "recommendation": text}
            if kind == "lesson-learned"
            else {"applies_when": text, "evidence": text} if kind == "best-practice" else {}
        )
        item_tags = groups(tags, 7)[i] if i < len(groups(tags, 7)) else []
        items.append(
            knowledge.item_create(
                community=main, author=coordinator, kind=kind, title=title,
                summary=summaries[i] if i < len(summaries) else "",
                body=ALL_BLOCKS if i == 0 else ALL_INLINE if i == 1 else bodies[i % len(bodies)],
                tags=["xss-lab", *item_tags], fields=fields,
            )
        )
    reviews = chunks(5000)
    for item in items[: len(items) // 2]:
        knowledge.item_submit(item=item, actor=coordinator, comment=reviews[0])
        knowledge.item_review(item=item, reviewer=coordinator, approve=True, comment=reviews[-1])
    for item in items[len(items) // 2 :]:
        knowledge.item_submit(item=item, actor=coordinator)
    published = items[0]
    version_notes = chunks(300)
    for k, note in enumerate(version_notes):  # bodies alternate so that each version's diff shows vectors
        body = ALL_INLINE if k % 2 and k < len(version_notes) - 1 else ALL_BLOCKS
        published = knowledge.item_update(item=published, editor=coordinator, note=note, body=body)
    for carrier, comment in zip(carriers, chunks(500), strict=False):
        knowledge.endorse(item=published, user=carrier, comment=comment)
    for carrier, note in zip(carriers, chunks(1000), strict=False):
        knowledge.helpful_mark(item=published, user=carrier, note=note)
    for vector, extension in zip(VECTORS[14:17], ["txt", "md", "csv"], strict=True):  # names are cleaned on upload
        knowledge.attachment_add(
            item=published, actor=coordinator, stream=io.BytesIO(ALL_INLINE.encode()),
            name=f"{vector.payload}.{extension}",
        )
    collections = []
    descriptions = chunks(2000, separator="\n", one_line=False)
    for i, title in enumerate(chunks(200)):
        collections.append(
            knowledge.collection_create(
                community=main, actor=coordinator, title=title,
                description=descriptions[i] if i < len(descriptions) else "",
            )
        )
    knowledge.collection_add(collection=collections[0], actor=coordinator, item=published)
    item_pages = math.ceil(len(items) / 20)
    coordinator_pages += [
        (f"knowledge list page {n}", f"/communities/{MAIN}/knowledge/?page={n}") for n in range(1, item_pages + 1)
    ]
    coordinator_pages += [
        ("knowledge item with every vector as blocks", f"/communities/{MAIN}/knowledge/{items[0].pk}/"),
        ("knowledge item with every vector inline", f"/communities/{MAIN}/knowledge/{items[1].pk}/"),
        ("best practice", f"/communities/{MAIN}/knowledge/{items[2].pk}/"),
        ("knowledge versions", f"/communities/{MAIN}/knowledge/{items[0].pk}/versions/"),
        ("knowledge edit form", f"/communities/{MAIN}/knowledge/{items[1].pk}/edit/"),
        ("stewardship", f"/communities/{MAIN}/knowledge/stewardship/"),
        ("collections", f"/communities/{MAIN}/knowledge/collections/"),
        ("collection", f"/communities/{MAIN}/knowledge/collections/{collections[0].pk}/"),
    ]
    anonymous_pages += [
        ("knowledge list", f"/communities/{MAIN}/knowledge/"),
        ("knowledge item", f"/communities/{MAIN}/knowledge/{items[0].pk}/"),
    ]

    # --- Events ----------------------------------------------------------------------------------------------------
    locations = chunks(300)
    links = valid_urls()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    created: list[Event] = []
    for i, title in enumerate(chunks(200)):
        start = now + dt.timedelta(days=i + 1) if i < 30 else now - dt.timedelta(days=i)
        created.append(
            events.event_create(
                community=main, organiser=coordinator, title=title, start=start, end=start + dt.timedelta(hours=1),
                timezone_name="UTC", description=ALL_BLOCKS if i == 0 else ALL_INLINE if i == 1 else "",
                location=locations[i] if i < len(locations) else "", online_url=links[i] if i < len(links) else "",
            )
        )
    meeting = created[0]
    events.occurrence_write_up(
        event=meeting, actor=coordinator, original_start=None,
        agenda=ALL_BLOCKS, notes=ALL_INLINE, decisions=ALL_BLOCKS,
    )
    for text in chunks(500):
        events.action_create(event=meeting, actor=coordinator, original_start=None, text=text, owner_username="coord")
    for carrier in carriers[:5]:
        events.event_rsvp(event=meeting, user=carrier, response="yes")
    captured = events.notes_capture(event=meeting, actor=coordinator, original_start=None)
    coordinator_pages += [
        ("events", f"/communities/{MAIN}/events/"),
        ("event edit form", f"/communities/{MAIN}/events/{meeting.pk}/edit/"),
        ("my calendar", "/calendar/"),
        ("item captured from meeting notes", f"/communities/{MAIN}/knowledge/{captured.pk}/"),
    ]
    coordinator_pages += [
        (f"event {event.pk}", f"/communities/{MAIN}/events/{event.pk}/")
        for event in created
        if event.location or event.online_url or event.description_source
    ]
    anonymous_pages += [
        ("events", f"/communities/{MAIN}/events/"),
        ("event", f"/communities/{MAIN}/events/{meeting.pk}/"),
    ]
    site.ics_paths.append(f"/communities/{MAIN}/events.ics")

    # --- Notifications and webhooks ----------------------------------------------------------------------------
    for subject in chunks(300):
        notifications.notify(
            recipients=[coordinator], kind="mention", subject=subject, url=f"/communities/{MAIN}/", community=main,
            text=ALL_INLINE,
        )
    for url in links:
        notifications.webhook_create(community=main, actor=coordinator, url=url)
    notification_pages = math.ceil(Notification.objects.filter(recipient=coordinator).count() / 30)
    coordinator_pages += [
        (f"notifications page {n}", f"/notifications/?page={n}") for n in range(1, notification_pages + 1)
    ]
    coordinator_pages.append(("webhooks", f"/communities/{MAIN}/webhooks/"))

    # --- Search, experts, query contexts -----------------------------------------------------------------------
    coordinator_pages += [(f"search page {n}", f"/search/?q={WORD}&page={n}") for n in range(1, 4)]
    coordinator_pages.append(("experts", f"/experts/?q={WORD}&community={MAIN}"))
    q = quote(ALL_INLINE)  # the query field takes 10,000 characters: the whole corpus at once
    coordinator_pages += [
        ("search for the vectors", f"/search/?q={q}&tag={quote(ALL_INLINE[:64])}&author={quote(ALL_INLINE[:150])}"),
        ("experts for the vectors", f"/experts/?q={q}"),
        ("directory filtered by the vectors", f"/communities/?q={q}"),
        ("threads filtered by the vectors", f"/communities/{MAIN}/threads/?q={q}&sort=votes"),
    ]
    anonymous_pages += [
        ("search", f"/search/?q={WORD}"),
        ("search for the vectors", f"/search/?q={q}"),
    ]

    # --- Feeds and the browsable API ------------------------------------------------------------------------
    feed = f"/communities/{MAIN}/feed.atom"
    api = [
        ("API community", f"/api/v1/communities/{MAIN}/"),
        ("API threads", f"/api/v1/communities/{MAIN}/threads/"),
        ("API thread", f"/api/v1/threads/{threads[0].pk}/"),
        ("API reply", f"/api/v1/posts/{reply.pk}/"),
        ("API revisions", f"/api/v1/posts/{edited.pk}/revisions/"),
        ("API knowledge item", f"/api/v1/knowledge/{items[0].pk}/"),
        ("API event", f"/api/v1/events/{meeting.pk}/"),
        ("API person", f"/api/v1/people/{carriers[0].username}/"),
        ("API notifications", "/api/v1/notifications/"),
        ("API search", f"/api/v1/search/?q={WORD}"),
    ]
    coordinator_pages += [("Atom feed", feed), *api]
    anonymous_pages += [("Atom feed", feed), ("API thread", f"/api/v1/threads/{threads[0].pk}/")]
    return site


# --- The browser side --------------------------------------------------------------------------------------

INIT_SCRIPT = """
(() => {
  window.__xss = (n) => { try { window.__xssReport(String(n)); } catch (e) {} };
  // htmx's requests in flight, and when htmx last did anything. The header's notification badge (the site's own
  // number, no user text) is left out: waiting for it on every page would double the suite's time.
  const htmx = { pending: 0, last: Date.now() };
  window.__xssHtmx = htmx;
  const track = (delta) => (event) => {
    const detail = event.detail || {};
    const config = detail.requestConfig || {};
    const path = config.path || (detail.pathInfo && detail.pathInfo.requestPath) || '';
    if (path.startsWith('/notifications/badge/')) return;
    htmx.pending = Math.max(0, htmx.pending + delta);
    htmx.last = Date.now();
  };
  document.addEventListener('htmx:beforeRequest', track(1));
  document.addEventListener('htmx:afterRequest', track(-1));
  document.addEventListener('htmx:afterSettle', track(0));
})();
"""

HTMX_IDLE = "() => !window.__xssHtmx || (window.__xssHtmx.pending === 0 && Date.now() - window.__xssHtmx.last > 30)"

DOM_CHECK = """
({allowedTags, allowedAttributes, markers}) => {
  const origin = location.origin;
  const found = [];
  const CONTENT = '.prose, .prose-inline, .snippet';
  const report = (el, what, attr) => found.push({
    what,
    // For an attribute, only that attribute: the element's HTML may hold many vectors.
    html: attr ? `<${el.localName} ${attr.name}="${attr.value.slice(0, 300)}">` : (el.outerHTML || '').slice(0, 500),
  });
  // The scheme as the browser reads it (it drops tabs and newlines anywhere, and spaces around the URL).
  const scheme = (v) => { try { return new URL(v, location.href).protocol.slice(0, -1); } catch (e) { return ''; } };
  const URLS = new Set(['href', 'src', 'action', 'formaction', 'data', 'poster', 'background', 'codebase',
                        'cite', 'srcset', 'ping', 'to', 'from', 'values', 'by', 'manifest', 'xmlns']);
  for (const el of document.querySelectorAll('*')) {
    const tag = el.localName;
    const inContent = el.parentElement !== null && el.parentElement.closest(CONTENT) !== null;
    for (const attr of Array.from(el.attributes)) {
      const name = attr.name.toLowerCase();
      const value = attr.value;
      if (name.startsWith('on')) {
        report(el, name + ' attribute', attr);
      } else if (name.startsWith('hx-') || name.startsWith('data-hx-')) {
        if (inContent || /__xss|alert|confirm|prompt/i.test(value)) {
          report(el, name + ' attribute from user text', attr);
        }
      } else if (name === 'srcdoc') {
        report(el, 'srcdoc attribute', attr);
      } else if (URLS.has(name) || name.endsWith(':href')) {
        const kind = scheme(value);
        const image = tag === 'img' && name === 'src' && /^\\s*data:image\\//i.test(value);
        if (['javascript', 'vbscript', 'livescript'].includes(kind) || (kind === 'data' && !image)) {
          report(el, name + ' is a ' + kind + ': URL', attr);
        }
      } else if (name === 'style' && /expression|javascript:|url\\s*\\(/i.test(value)) {
        report(el, 'style attribute with a script or url()', attr);
      }
      if (inContent && !['class', 'rel'].includes(name) && !(allowedAttributes[tag] || []).includes(name)) {
        report(el, 'attribute ' + name + ' in rendered user text', attr);
      }
    }
    if (inContent && !allowedTags.includes(tag) && tag !== 'mark') report(el, '<' + tag + '> in rendered user text');
  }
  for (const s of document.querySelectorAll('script')) {
    const own = s.src && s.src.startsWith(origin + '/static/') && !s.textContent.trim();
    const drf = s.type === 'application/json' && s.id === 'drf_csrf';
    if (!own && !drf) report(s, 'script element');
  }
  for (const s of document.querySelectorAll('style')) {
    // htmx and DRF's browsable API add style rules to the head; a style element anywhere else, or one that
    // holds anything a vector would, is not the site's own.
    if (s.closest('head') === null || /xss|alert|javascript:|expression|@import|<img/i.test(s.textContent)) {
      report(s, 'style element');
    }
  }
  for (const m of document.querySelectorAll('meta[http-equiv]')) {
    if (!/^content-type$/i.test(m.httpEquiv)) report(m, 'meta http-equiv element');
  }
  const dangerous = 'iframe, frame, frameset, object, embed, applet, base, portal, ' +
                    'template, math, xmp, noscript, form[action^="javascript" i], isindex';
  for (const el of document.querySelectorAll(dangerous)) report(el, '<' + el.localName + '> element');
  for (const el of document.querySelectorAll('link')) {
    if (new URL(el.getAttribute('href') || '', location.href).origin !== origin) report(el, 'link to another origin');
  }
  const html = document.documentElement.outerHTML;
  if (!/__xss|alert|confirm|prompt/.test(html)) found.push({what: 'no vector on the page', html: location.href});
  for (const [id, marker] of Object.entries(markers)) {
    if (html.includes(marker)) found.push({what: 'template evaluated', html: '#' + id + ' ' + marker});
  }
  return found;
}
"""


@dataclass
class Finding:
    """Something a page did or showed that it must not: where, what, and the evidence."""

    page: str
    url: str
    what: str
    detail: str

    def __str__(self) -> str:
        ids = ids_in(self.detail) or ids_in(self.what)
        vectors = describe(ids) if ids else "vector not identified"
        return f"[{self.page}] {self.url}\n    {self.what}: {vectors}\n    seen: {self.detail[:300]}"


class Visitor:
    """One person's browser context, with the hooks that record any execution.

    The context bypasses the Content-Security-Policy: this suite tests the escaping and the sanitiser on their
    own (a vector that the policy would stop must still never reach the page); ``test_security_headers``
    tests the policy.
    """

    def __init__(self, browser: Any, base: str, findings: list[Finding]) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 900}, bypass_csp=True)
        self.context.set_default_timeout(15_000)
        self.context.add_init_script(INIT_SCRIPT)
        self.context.expose_binding("__xssReport", self._reported)
        self.context.on("request", self._request)
        self.page = self.context.new_page()
        self.page.on("dialog", self._dialog)
        self.base = base
        self.findings = findings
        self.label = "sign-in"

    def _record(self, what: str, detail: str) -> None:
        self.findings.append(Finding(self.label, self.page.url, what, detail))

    def _reported(self, source: dict[str, Any], value: str) -> None:
        self._record("__xss() ran", f"__xss({value}) in frame {source['frame'].url[:120]}")

    def _dialog(self, dialog: Any) -> None:
        self._record(f"{dialog.type}() dialog", f"alert({dialog.message})")
        dialog.dismiss()

    def _request(self, request: Any) -> None:
        if "/__xss/" in urlsplit(request.url).path:
            self._record("request made by a vector", request.url)

    def sign_in(self, username: str) -> None:
        self.page.goto(f"{self.base}/accounts/login/")
        self.page.fill("input[name=login]", username)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("form button[type=submit]")
        self.page.wait_for_url(f"{self.base}/")

    def visit(self, label: str, path: str) -> None:
        """Open the page, let htmx finish, then check the DOM; everything wrong becomes a finding."""
        self.label = label
        url = self.base + path
        try:
            response = self.page.goto(url)
        except PlaywrightError as exc:  # an error page Chromium refuses to show is a finding too
            self._record("the page did not load", str(exc).splitlines()[0])
            return
        if response is None or response.status != 200:
            self._record("the page did not answer 200", f"status {response.status if response else 'none'}")
        try:
            self.page.wait_for_function(HTMX_IDLE, timeout=5_000)
        except PlaywrightError:  # a page whose htmx never settles is still checked
            self._record("htmx did not settle", "")
        checks = self.page.evaluate(
            DOM_CHECK,
            {
                "allowedTags": sorted(ALLOWED_TAGS),
                "allowedAttributes": {tag: sorted(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
                "markers": {str(k): v for k, v in EVALUATION_MARKERS.items()},
            },
        )
        for check in checks:
            self._record(check["what"], check["html"])
        if urlsplit(self.page.url).path != urlsplit(url).path:
            self._record("the page navigated away", self.page.url)

    def close(self) -> None:
        self.page.wait_for_timeout(100)  # a late handler (media error, timer) still counts, on the last page
        self.context.close()


def test_the_corpus_has_over_a_hundred_vectors_each_naming_its_own_id() -> None:
    assert len(VECTORS) >= 100
    assert [v.id for v in VECTORS] == list(range(1, len(VECTORS) + 1))
    assert len({v.payload for v in VECTORS}) == len(VECTORS)
    for vector in VECTORS:  # so that a failure can say which vector ran
        assert ids_in(vector.payload) == [vector.id], vector


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_no_vector_runs_or_leaves_a_dangerous_node_on_any_page(
    live_server: Any, browser: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)
    settings.PRACTICA_WEBHOOK_ALLOW_PRIVATE = True  # webhook URLs are stored, never called: no DNS look-up
    settings.ROUTING_AFTER_HOURS = 0  # unanswered questions show their suggested experts at once
    started = time.monotonic()
    site = build_site()
    built = time.monotonic()
    base = live_server.url
    findings: list[Finding] = []

    coordinator = Visitor(browser, base, findings)
    coordinator.sign_in("coord")
    for label, path in site.coordinator_pages:
        coordinator.visit(label, path)
    for path in site.ics_paths:
        response = coordinator.page.request.get(base + path)
        kind = response.headers.get("content-type", "")
        if response.status != 200 or not kind.startswith("text/calendar"):
            findings.append(Finding("calendar", path, "not served as text/calendar", f"{response.status} {kind}"))
        if response.headers.get("x-content-type-options") != "nosniff":
            findings.append(Finding("calendar", path, "served without nosniff", kind))
    coordinator.close()
    anonymous = Visitor(browser, base, findings)
    for label, path in site.anonymous_pages:
        anonymous.visit(f"anonymous: {label}", path)
    anonymous.close()
    finished = time.monotonic()

    pages = len(site.coordinator_pages) + len(site.anonymous_pages)
    summary = (
        f"{len(VECTORS)} vectors, {pages} pages; writing {built - started:.1f} s, browsing {finished - built:.1f} s"
    )
    print(summary)  # the run's size and time, for the CI log
    assert not findings, f"{len(findings)} finding(s) ({summary}):\n" + "\n".join(str(f) for f in findings)
