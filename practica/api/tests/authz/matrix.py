"""The authorisation matrix: every route of the URL conf × seven roles × three visibilities ([P12] "Trust").

How it works
------------
``routes()`` walks ``django.urls.get_resolver()`` and lists every pattern with the HTTP methods its view takes
(read from ``require_http_methods``/``require_POST`` and from DRF's handlers). ``EXPECTATIONS`` says, for each URL
name, who may do what; ``expectation_for`` adds the whole admin (staff only). For every route, each community of
the world (``world.py``: public, members-only, private) and each role (anonymous, outsider, member, core,
coordinator, sponsor, network admin), ``test_matrix.py`` requests the route and compares the status with what the
row implies. Every response body (pages, API, feeds, calendars, 403/404/405 pages) is searched for the canary of
each community the caller may not read. A 404 for something hidden must also be what the same route answers for
something that does not exist. Writes are sent only by the roles that must be refused, each in a savepoint, with
a payload an allowed role gets through (``test_the_payloads_get_through_for_an_allowed_role`` proves it): the
status must be a refusal and no row may change (``Statements``; ``IGNORED_TABLES`` lists what a refusal may
write: the session, rate-limit counters).

What a row says
---------------
``scope``
    ``CONTENT``: a community's content. Whoever may not read the community gets 404, the same answer as for
    something that does not exist, never 403 (../shared/API.md). ``COMMUNITY``: the community itself (its page,
    joining): hidden only where its existence is (private). ``GLOBAL``: no community in the URL (home, search,
    one's notifications, tokens); what it shows is still checked for canaries. ``ACCOUNT``: the sign-in, sign-up
    and password pages (allauth's and ours in front of them): reads only, their forms are tested where they live.
``get`` / ``writes``
    Who may: a set of roles (``EVERYONE``, ``SIGNED_IN``, ``MEMBERS``, ``CORE``, ``COORDINATORS``, ``STAFF``, or
    those named after the world's authors: ``ASKER``, ``EDITORS``...). For ``CONTENT`` and ``COMMUNITY`` routes it
    is intersected with who may read (or know of) the community: ``get=EVERYONE`` means "every reader".
    ``get=None``: the view takes no GET (then a GET must answer 405). ``writes`` has one entry per write method
    the view takes (``test_every_write_method_has_an_expectation`` compares them with the view).
``login``
    The page is behind ``login_required``: the anonymous visitor is sent to sign in.
``ok`` / ``deny`` / ``deny_write``
    The statuses of an allowed GET, of a refused GET by someone who sees the community, and of a refused write
    (default: 403 in the API; 403, or a redirect with a message, in the pages; 401 for the API's anonymous).
``invisible``
    Roles for whom the addressed object does not exist although they read the community (a draft is only for
    its authors and reviewers; someone else's notification or token): 404.
``acts_as``
    The route answers as someone else, whoever calls it (a feed URL carrying the outsider's token; the public
    Atom feed, which answers as the anonymous visitor): the expectation and the canaries are that role's.
``params`` / ``query`` / ``data`` / ``multipart``
    How to fill the URL's parameters (default: ``FILLERS``), the query string of a GET, the body of each write
    (JSON in the API unless ``multipart``), from the world and the community (``lambda w, p: ...``).
``roles``
    The roles to try when fewer tell the same (the API schema is one document for everyone).
``shows_canary`` / ``canary_exempt``
    An allowed reader must find the community's canary here (so the check is not blind); or why this route may
    show a community to someone outside it (an invitation link shows the community it invites to).
``control_role`` / ``control_skip`` / ``noop``
    For the control: which allowed role makes the write, why a write cannot be made there, or that it changes
    nothing for that role (a harmless repeat).

Adding a route
--------------
A route without a row fails ``test_every_route_has_an_expectation`` with "add an expectation for route X" (an
unnamed pattern is named by its path). Add a row keyed by the URL name (``"app:name"`` for namespaced page
routes, ``"api-..."`` for the API), for example::

    "reports:weekly": Expect(CONTENT, get=frozenset({"coordinator", "sponsor", "admin"}), login=True),
    "api-report": Expect(CONTENT, get=frozenset({"coordinator", "sponsor", "admin"}), writes={"POST": COORDINATORS},
                         data={"POST": lambda w, p: {"start": "2026-01-01", "end": "2026-03-31"}}),

A new parameter name needs a filler (``FILLERS``, or the row's ``params``); a new kind of object may need one more
thing in ``world.py``. Then run ``pytest practica/api/tests/authz`` (about a minute on SQLite; with
``DATABASE_URL=postgres://...`` on PostgreSQL): a wrong guess shows as a table of route, method, community, role,
what was expected and what came.
"""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.urls import get_resolver, reverse
from django.urls.resolvers import URLPattern, URLResolver

from practica.api.tests.authz.world import MEMBER_ROLES, ROLES, Place, World, feed_token, unsubscribe
from practica.lib.testing.factories import PASSWORD
from practica.topics.services import topic_normalise

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

# --- Who ---------------------------------------------------------------------------------------------------

Roles = frozenset[str]
EVERYONE: Roles = frozenset(ROLES)
SIGNED_IN: Roles = EVERYONE - {"anonymous"}
MEMBERS: Roles = frozenset({*MEMBER_ROLES, "admin"})
CORE: Roles = frozenset({"core", "coordinator", "admin"})  # coordinators and core members (reviewers, inviters)
COORDINATORS: Roles = frozenset({"coordinator", "admin"})
STAFF: Roles = frozenset({"admin"})
NOBODY: Roles = frozenset()
# Who may act on the world's objects, given who made them (see world.py): the member asked the question and
# wrote the knowledge item; the core member wrote the accepted answer and organises the meeting.
ASKER: Roles = frozenset({"member", "coordinator", "admin"})
ANSWER_AUTHOR: Roles = CORE
ORGANISER: Roles = CORE
EDITORS: Roles = frozenset({"member", "core", "coordinator", "admin"})  # the item's author and the reviewers
ENDORSERS: Roles = frozenset({"core", "coordinator", "sponsor", "admin"})  # members with expertise, not its author
ACTION_PEOPLE: Roles = frozenset({"member", "core", "coordinator", "admin"})  # its owner, the organiser
DRAFT_UNSEEN: Roles = frozenset({"anonymous", "outsider", "sponsor"})  # drafts, items in review: authors, reviewers
NETWORK_HEALTH: Roles = frozenset({"core", "coordinator", "sponsor", "admin"})  # see some community's health
NOT_MEMBER = tuple(role for role in ROLES if role != "member")  # the network view: see its rows

CONTENT, COMMUNITY, GLOBAL, STAFF_ONLY, ACCOUNT = "content", "community", "global", "staff", "account"

Fill = Callable[[World, Place], Any]


@dataclass(frozen=True)
class Expect:
    """Who may do what on one route; see the module docstring."""

    scope: str
    get: Roles | None = EVERYONE
    writes: Mapping[str, Roles] = field(default_factory=dict)
    login: bool = False
    ok: frozenset[int] = frozenset({200})
    deny: frozenset[int] = frozenset({403})
    deny_write: frozenset[int] | None = None
    invisible: Roles = NOBODY
    invisible_in_private: Roles = NOBODY  # more roles for whom it does not exist in the private community
    params: Mapping[str, Fill] = field(default_factory=dict)
    query: Fill | None = None
    data: Mapping[str, Fill] = field(default_factory=dict)
    multipart: bool = False  # API writes sent as multipart (file uploads) instead of JSON
    acts_as: str = ""  # a token URL: whoever fetches it gets what this role may ("outsider", "anonymous")
    canary_exempt: str = ""  # why this route may show a community to someone outside it
    shows_canary: bool = False  # an allowed reader must find the community's canary (the check is not vacuous)
    control_role: Mapping[str, str] = field(default_factory=dict)  # who makes the allowed write of the control
    noop: frozenset[str] = frozenset()  # writes that change nothing for the control's role (harmless repeats)
    roles: tuple[str, ...] = ROLES  # fewer for a costly page that answers every signed-in person alike
    control_skip: Mapping[str, str] = field(default_factory=dict)  # writes the control cannot make, and why
    # Roles for whom the route does not exist in this community although they read it, by community (the health of
    # a private community for its plain members): 404, as ``invisible`` but depending on the place.
    unseen: Callable[[Place], Roles] | None = None


def _page_deny_write(row: Expect) -> frozenset[int]:
    return row.deny_write if row.deny_write is not None else frozenset({302, 403})


def _api_deny_write(row: Expect) -> frozenset[int]:
    return row.deny_write if row.deny_write is not None else frozenset({403})


# --- How to fill a route's parameters ------------------------------------------------------------------------

FILLERS: dict[str, Fill] = {
    "slug": lambda w, p: p.slug,
    "thread_id": lambda w, p: p.question.pk,
    "post_id": lambda w, p: p.answer.pk,
    "flag_id": lambda w, p: p.flag.pk,
    "membership_id": lambda w, p: p.request.pk,
    "decision": lambda w, p: "approve",
    "invitation_id": lambda w, p: p.invitation.pk,
    "username": lambda w, p: p.people["member"].username,
    "event_id": lambda w, p: p.event.pk,
    "action_id": lambda w, p: p.action.pk,
    "item_id": lambda w, p: p.item.pk,
    "collection_id": lambda w, p: p.collection.pk,
    "attachment_id": lambda w, p: p.attachment.pk,
    "name": lambda w, p: p.attachment.name,
    "job_id": lambda w, p: p.import_job.pk,
    "webhook_id": lambda w, p: p.webhook.pk,
    "notification_id": lambda w, p: p.notification.pk,
    # Parameters of the admin and allauth (made-up values: those pages only need to answer the right people).
    "app_label": lambda w, p: "communities",
    "object_id": lambda w, p: str(p.community.pk),
    "id": lambda w, p: p.people["member"].pk,
    "content_type_id": lambda w, p: 1,
    "url": lambda w, p: "nowhere/",
    "key": lambda w, p: "not-a-key",
    "uidb36": lambda w, p: "1",
}

MEMBER_MEMBERSHIP: dict[str, Fill] = {"membership_id": lambda w, p: p.membership.pk}
DRAFT: dict[str, Fill] = {"item_id": lambda w, p: p.draft.pk}
IN_REVIEW: dict[str, Fill] = {"item_id": lambda w, p: p.in_review.pk}
ARCHIVED: dict[str, Fill] = {"item_id": lambda w, p: p.archived.pk}
MEMBER_TOKEN: dict[str, Fill] = {"token_id": lambda w, p: p.api_token.pk}
IDEA: dict[str, Fill] = {"thread_id": lambda w, p: p.idea.pk}


def _search(w: World, p: Place) -> dict[str, str]:
    # The canary's last word: found in that community's content only, and the page echoing the query does not
    # show the whole canary.
    return {"q": p.canary.rsplit("-", 1)[-1]}


def _experts(w: World, p: Place) -> dict[str, str]:
    return {"q": "verify a cement barrier", "community": p.slug}


def _thread_body(w: World, p: Place) -> dict[str, Any]:
    return {"kind": "question", "title": "How deep do you log the barrier?", "body": "We log to 3000 m."}


def _event_body(w: World, p: Place) -> dict[str, Any]:
    return {
        "title": "Barrier review", "start": "2031-05-06T10:00", "end": "2031-05-06T11:00", "timezone": "UTC",
        "kind": "meeting",
    }


def _item_body(w: World, p: Place) -> dict[str, Any]:
    return {"kind": "how-to", "title": "Log the barrier", "summary": "Log it.", "body": "Log it twice."}


def _text_file(w: World, p: Place) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"file": SimpleUploadedFile("steps.txt", b"Log it twice.\n", content_type="text/plain")}


def _zip_file(w: World, p: Place) -> dict[str, Any]:
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("Posts.xml", "<posts></posts>")
    return {"upload": SimpleUploadedFile("dump.zip", buffer.getvalue(), content_type="application/zip"),
            "site": f"upload-{p.short}"}


NOT_MEMBERS: Roles = frozenset({"anonymous", "outsider"})


def _health_unseen(place: Place) -> Roles:
    """A private community's health is for its coordinators, core members and sponsors (and network admins)."""
    return frozenset({"member"}) if place.visibility == "private" else NOBODY


# --- The table -------------------------------------------------------------------------------------------------

LOGIN_PAGE = frozenset({200, 302})  # allauth's pages send the signed-in away, and the anonymous to sign in
# Pages that answer every signed-in person alike and show no community: the anonymous visitor, one member per
# community and the network admin tell all there is.
FEW = ("anonymous", "member", "admin")

EXPECTATIONS: dict[str, Expect] = {
    # Site
    "home": Expect(GLOBAL),
    "healthz": Expect(GLOBAL),
    # allauth's account pages: reads only (their forms are allauth's, tested there).
    "account_login": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_logout": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_inactive": Expect(ACCOUNT, roles=FEW),
    "account_signup": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_reauthenticate": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_request_reauthentication_code": Expect(ACCOUNT, ok=frozenset({200, 302, 404}), roles=FEW),
    "account_confirm_reauthentication_code": Expect(ACCOUNT, ok=frozenset({200, 302, 404}), roles=FEW),
    "account_email": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_email_verification_sent": Expect(ACCOUNT, roles=FEW),
    "account_change_password": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_set_password": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_reset_password": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_confirm_login_code": Expect(ACCOUNT, ok=frozenset({200, 302, 404}), roles=FEW),
    "account_confirm_email": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_reset_password_from_key_done": Expect(ACCOUNT, roles=FEW),
    "account_reset_password_from_key": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "account_reset_password_done": Expect(ACCOUNT, roles=FEW),
    # The API: schema and docs, tokens
    "api-schema": Expect(GLOBAL, roles=("anonymous", "admin")),  # made from the code, the same for everyone
    "api-docs": Expect(GLOBAL),
    # POST: a token for a username and password (anyone may ask); DELETE revokes the token the request is made
    # with (the matrix signs in by session, so there is none: 400 for everyone signed in).
    "api-token": Expect(
        GLOBAL, get=None, writes={"POST": EVERYONE, "DELETE": SIGNED_IN},
        data={"POST": lambda w, p: {"username": p.people["member"].username, "password": PASSWORD}},
        control_skip={"DELETE": "revokes the token a request is made with; the matrix signs in by session"},
    ),
    "api-my-tokens": Expect(GLOBAL, get=SIGNED_IN, writes={"POST": SIGNED_IN}, data={"POST": lambda w, p: {"name": "CI"}}),
    "api-my-token": Expect(  # one's own tokens only: someone else's is as absent as a missing one
        GLOBAL, get=frozenset({"member"}), writes={"DELETE": frozenset({"member"})}, invisible=SIGNED_IN - {"member"},
        params=MEMBER_TOKEN,
    ),
    # The audit log: a community's for its coordinators, the network's for network admins.
    "api-community-audit": Expect(CONTENT, get=COORDINATORS),
    "api-audit": Expect(GLOBAL, get=STAFF),
    # The network view (see its page's rows).
    "api-network-health": Expect(GLOBAL, get=NETWORK_HEALTH, invisible=frozenset({"outsider"}), roles=NOT_MEMBER),
    # The API: communities and membership
    "api-communities": Expect(
        GLOBAL, writes={"POST": SIGNED_IN},
        data={"POST": lambda w, p: {"name": "New wells", "slug": "new-wells", "domain": "Wells."}},
    ),
    "api-community": Expect(
        COMMUNITY, writes={"PATCH": COORDINATORS}, data={"PATCH": lambda w, p: {"domain": "Wells, renamed."}}
    ),
    "api-members": Expect(CONTENT),
    "api-member": Expect(
        CONTENT, get=None, writes={"PATCH": COORDINATORS, "DELETE": COORDINATORS}, params=MEMBER_MEMBERSHIP,
        data={"PATCH": lambda w, p: {"role": "core"}},
    ),
    "api-join": Expect(COMMUNITY, get=None, writes={"POST": SIGNED_IN}, control_role={"POST": "outsider"}),
    "api-leave": Expect(COMMUNITY, get=None, writes={"POST": MEMBERS - {"coordinator"}}, deny_write=frozenset({400, 403})),
    "api-requests": Expect(CONTENT, get=COORDINATORS),
    "api-request-decision": Expect(CONTENT, get=None, writes={"POST": COORDINATORS}),
    "api-invitations": Expect(CONTENT, get=CORE, writes={"POST": CORE}, data={"POST": lambda w, p: {"max_uses": 3}}),
    "api-invitation-revoke": Expect(CONTENT, get=None, writes={"POST": CORE}),
    "api-history": Expect(CONTENT, get=CORE),
    "api-health-stage": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, data={"POST": lambda w, p: {"stage": "maturing"}}
    ),
    # A community's health history: its members see it, except in a private community (coordinators, core
    # members, sponsors); for everyone else it does not exist.
    "api-health-history": Expect(
        CONTENT, get=MEMBERS, invisible=frozenset({"anonymous", "outsider"}), invisible_in_private=frozenset({"member"}),
        query=lambda w, p: {"metric": "dau"},
    ),
    "api-imports": Expect(
        CONTENT, get=COORDINATORS, writes={"POST": COORDINATORS}, data={"POST": _zip_file}, multipart=True
    ),
    "api-import": Expect(CONTENT, get=COORDINATORS),
    "api-recruits": Expect(
        CONTENT, get=CORE, writes={"POST": CORE}, data={"POST": lambda w, p: {"user_id": w.outsider.pk}}
    ),
    "api-invitation-accept": Expect(
        GLOBAL, get=None, writes={"POST": SIGNED_IN}, data={"POST": lambda w, p: {"token": p.invitation_token}},
        control_role={"POST": "outsider"},
    ),
    # The API: discussions
    "api-threads": Expect(CONTENT, writes={"POST": MEMBERS}, data={"POST": _thread_body}),
    "api-unheard": Expect(CONTENT, get=CORE),
    "api-flags": Expect(CONTENT, get=COORDINATORS),
    "api-thread": Expect(
        CONTENT, writes={"PATCH": ASKER, "DELETE": ASKER}, shows_canary=True,
        data={"PATCH": lambda w, p: {"version": 2, "body": "Edited again."}},
    ),
    "api-thread-posts": Expect(CONTENT, get=None, writes={"POST": MEMBERS}, data={"POST": lambda w, p: {"body": "Me too."}}),
    "api-thread-moderate": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, data={"POST": lambda w, p: {"action": "lock"}}
    ),
    "api-thread-move": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, data={"POST": lambda w, p: {"community": "authz-mo" if p.slug == "authz-pub" else "authz-pub"}},
        control_role={"POST": "admin"},
    ),
    "api-thread-duplicate": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, data={"POST": lambda w, p: {"original": p.discussion.pk}}
    ),
    "api-thread-linked": Expect(CONTENT),
    "api-thread-status": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, params=IDEA,
        data={"POST": lambda w, p: {"status": "planned", "reason": "Soon."}},
    ),
    "api-post": Expect(
        CONTENT, writes={"PATCH": ANSWER_AUTHOR, "DELETE": ANSWER_AUTHOR},
        data={"PATCH": lambda w, p: {"version": 1, "body": "Edited."}},
    ),
    "api-post-restore": Expect(CONTENT, get=None, writes={"POST": ANSWER_AUTHOR}, noop=frozenset({"POST"})),
    "api-post-revisions": Expect(CONTENT),
    "api-post-comments": Expect(CONTENT, get=None, writes={"POST": MEMBERS}, data={"POST": lambda w, p: {"body": "Agreed."}}),
    "api-post-vote": Expect(CONTENT, get=None, writes={"POST": MEMBERS - {"core"}, "DELETE": MEMBERS - {"core"}},
                            control_role={"DELETE": "sponsor"}),
    "api-post-accept": Expect(CONTENT, get=None, writes={"POST": ASKER, "DELETE": ASKER}, noop=frozenset({"POST"})),
    "api-post-flag": Expect(
        CONTENT, get=None, writes={"POST": MEMBERS}, data={"POST": lambda w, p: {"reason": "spam"}},
    ),
    "api-flag-resolve": Expect(CONTENT, get=None, writes={"POST": COORDINATORS}, data={"POST": lambda w, p: {"hide": False}}),
    # The API: people and notifications
    "api-person": Expect(GLOBAL),
    "api-me": Expect(GLOBAL, get=SIGNED_IN, writes={"PATCH": SIGNED_IN}, data={"PATCH": lambda w, p: {"location": "Aberdeen"}}),
    "api-notifications": Expect(GLOBAL, get=SIGNED_IN),
    "api-notifications-mark-read": Expect(
        GLOBAL, get=None, writes={"POST": SIGNED_IN}, data={"POST": lambda w, p: {"all": True}}
    ),
    "api-my-subscriptions": Expect(
        GLOBAL, get=SIGNED_IN, writes={"POST": SIGNED_IN}, data={"POST": lambda w, p: {"topic": "cement-barriers", "state": "watch"}}
    ),
    "api-my-preferences": Expect(
        GLOBAL, get=SIGNED_IN, writes={"PATCH": SIGNED_IN}, data={"PATCH": lambda w, p: {"email_mode": "daily"}}
    ),
    "api-my-preferences-rotate-feed-key": Expect(GLOBAL, get=None, writes={"POST": SIGNED_IN}),
    "api-webhooks": Expect(CONTENT, get=COORDINATORS, writes={"POST": COORDINATORS},
                           data={"POST": lambda w, p: {"url": "https://127.0.0.1:9/new"}}),
    "api-webhook": Expect(CONTENT, get=COORDINATORS, writes={"PATCH": COORDINATORS, "DELETE": COORDINATORS},
                          data={"PATCH": lambda w, p: {"is_active": False}}),
    "api-organizations": Expect(GLOBAL),
    "api-topics": Expect(GLOBAL),
    # A topic is known where a community using it is: a private community's own topic only to those who see it.
    "api-topic": Expect(COMMUNITY, params={"slug": lambda w, p: topic_normalise(p.topic_name)}),
    "api-organization": Expect(GLOBAL, params={"slug": lambda w, p: w.organization_slug}),
    # The API: events
    "api-events": Expect(CONTENT, writes={"POST": CORE}, data={"POST": _event_body}),
    "api-event": Expect(
        CONTENT, writes={"PATCH": ORGANISER}, shows_canary=True, data={"PATCH": lambda w, p: {"location": "Room 5"}}
    ),
    "api-event-cancel": Expect(CONTENT, get=None, writes={"POST": ORGANISER}),
    "api-event-rsvp": Expect(
        CONTENT, get=None, writes={"POST": MEMBERS},
        data={"POST": lambda w, p: {"response": "maybe", "occurrence": p.next_key}},
    ),
    "api-event-occurrence": Expect(
        CONTENT, get=None, writes={"POST": ORGANISER},
        data={"POST": lambda w, p: {"occurrence": p.next_key, "cancel": True}},
    ),
    "api-event-attendance": Expect(
        CONTENT, get=None, writes={"POST": ORGANISER},
        data={"POST": lambda w, p: {"occurrence": p.past_key, "usernames": [p.people["sponsor"].username]}},
    ),
    "api-event-write-up": Expect(
        CONTENT, get=None, writes={"POST": ORGANISER},
        data={"POST": lambda w, p: {"occurrence": p.past_key, "notes": "We met."}},
    ),
    "api-event-actions": Expect(
        CONTENT, get=None, writes={"POST": ORGANISER},
        data={"POST": lambda w, p: {"occurrence": p.past_key, "text": "Call back.", "owner": p.people["sponsor"].username}},
    ),
    "api-event-capture": Expect(
        CONTENT, get=None, writes={"POST": ORGANISER}, data={"POST": lambda w, p: {"occurrence": p.past_key}},
    ),
    "api-my-actions": Expect(GLOBAL, get=SIGNED_IN),
    "api-action": Expect(CONTENT, get=None, writes={"PATCH": ACTION_PEOPLE}, data={"PATCH": lambda w, p: {"done": True}}),
    # The API: search
    "api-search": Expect(GLOBAL, query=_search, shows_canary=True),
    "api-experts": Expect(CONTENT, query=_experts),
    "api-thread-related": Expect(CONTENT),
    "api-thread-suggested-experts": Expect(CONTENT, get=ASKER),
    "api-thread-expert-requests": Expect(
        CONTENT, get=ASKER, writes={"POST": ASKER}, data={"POST": lambda w, p: {"expert": p.people["core"].pk}}
    ),
    # The API: knowledge
    # The API: a community's health. For whoever SEE_HEALTH refuses it does not exist (404, also in a public
    # community); the people behind the numbers are for coordinators (403 for the others who see the numbers).
    "api-health": Expect(CONTENT, get=MEMBERS, invisible=NOT_MEMBERS, unseen=_health_unseen),
    "api-health-people": Expect(CONTENT, get=COORDINATORS, invisible=NOT_MEMBERS, unseen=_health_unseen),
    "api-knowledge": Expect(CONTENT, writes={"POST": MEMBERS}, data={"POST": _item_body}),
    "api-knowledge-item": Expect(
        CONTENT, writes={"PATCH": EDITORS}, shows_canary=True, data={"PATCH": lambda w, p: {"summary": "Twice."}}
    ),
    "api-knowledge-submit": Expect(CONTENT, get=None, writes={"POST": EDITORS}, params=DRAFT, invisible=DRAFT_UNSEEN),
    "api-knowledge-review": Expect(
        CONTENT, get=None, writes={"POST": CORE}, params=IN_REVIEW, invisible=DRAFT_UNSEEN,
        data={"POST": lambda w, p: {"decision": "return", "comment": "More."}},
    ),
    "api-knowledge-endorse": Expect(  # DELETE withdraws one's own endorsement (none: nothing to withdraw)
        CONTENT, get=None, writes={"POST": ENDORSERS, "DELETE": SIGNED_IN}, control_role={"POST": "sponsor", "DELETE": "core"},
    ),
    "api-knowledge-helpful": Expect(CONTENT, get=None, writes={"POST": ENDORSERS}, control_role={"POST": "core"}),
    "api-knowledge-restore": Expect(CONTENT, get=None, writes={"POST": EDITORS}, data={"POST": lambda w, p: {"version": 1}}),
    "api-knowledge-verify": Expect(CONTENT, get=None, writes={"POST": CORE}),
    "api-knowledge-archive": Expect(CONTENT, get=None, writes={"POST": CORE}),
    "api-knowledge-unarchive": Expect(CONTENT, get=None, writes={"POST": CORE}, params=ARCHIVED),
    "api-knowledge-attachments": Expect(
        CONTENT, get=None, writes={"POST": EDITORS}, data={"POST": _text_file}, multipart=True
    ),
    "api-thread-capture": Expect(CONTENT, get=None, writes={"POST": MEMBERS}),
    "api-knowledge-attachment": Expect(CONTENT, writes={"DELETE": EDITORS}),
    "api-knowledge-stewardship": Expect(
        CONTENT, get=CORE, writes={"PATCH": COORDINATORS}, shows_canary=True,
        data={"PATCH": lambda w, p: {"review_months": 6}},
    ),
    "api-knowledge-collections": Expect(
        CONTENT, writes={"POST": CORE}, shows_canary=True, data={"POST": lambda w, p: {"title": "More basics"}}
    ),
    "api-knowledge-collection": Expect(CONTENT, writes={"DELETE": CORE}, shows_canary=True),
    "api-knowledge-collection-items": Expect(  # the item is in the collection already: the allowed role gets a 400
        CONTENT, get=None, writes={"POST": CORE}, data={"POST": lambda w, p: {"item": p.item.pk}},
        control_skip={"POST": "the world's only published readable item is in its collection already"},
    ),
    "api-knowledge-collection-item": Expect(CONTENT, writes={"DELETE": CORE}, shows_canary=True),
    "api-knowledge-collection-item-move": Expect(  # one item: moving it changes nothing
        CONTENT, get=None, writes={"POST": CORE}, data={"POST": lambda w, p: {"direction": "up"}}, noop=frozenset({"POST"}),
    ),
    # Accounts: sign-in, sign-up and password reset in front of allauth's (unnamed: allauth's names reverse to
    # them), the admin's sign-in (sends to the site's), personal API tokens.
    "accounts/login/": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "accounts/signup/": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "accounts/password/reset/": Expect(ACCOUNT, ok=LOGIN_PAGE, roles=FEW),
    "admin/login/": Expect(ACCOUNT, ok=frozenset({302}), roles=FEW),
    "accounts:tokens": Expect(
        GLOBAL, get=SIGNED_IN, writes={"POST": SIGNED_IN}, login=True,
        data={"POST": lambda w, p: {"name": "CI", "scope": "read", "expires_in_days": "30"}},
    ),
    "accounts:token-revoke": Expect(
        GLOBAL, get=None, writes={"POST": frozenset({"member"})}, login=True, invisible=SIGNED_IN - {"member"},
        params=MEMBER_TOKEN,
    ),
    "audit:community": Expect(CONTENT, get=COORDINATORS),
    "audit:network": Expect(GLOBAL, get=STAFF, login=True),
    # The network view: the communities whose health one sees (404 for whoever sees none), brokers for network
    # admins. A plain member's answer depends on the community's visibility (a private one's health is not theirs):
    # practica/insights/tests/test_network_pages.py tries them.
    "insights:network-health": Expect(
        GLOBAL, get=NETWORK_HEALTH, login=True, invisible=frozenset({"outsider"}), roles=NOT_MEMBER
    ),
    "insights:network-health-csv": Expect(
        GLOBAL, get=NETWORK_HEALTH, login=True, invisible=frozenset({"outsider"}), roles=NOT_MEMBER
    ),
    "insights:network-brokers-csv": Expect(
        GLOBAL, get=STAFF, login=True, invisible=frozenset({"outsider"}), roles=NOT_MEMBER
    ),
    # People
    "people:edit": Expect(
        GLOBAL, get=SIGNED_IN, writes={"POST": SIGNED_IN}, login=True, roles=FEW,
        data={"POST": lambda w, p: {"timezone": "UTC", "organization_kind": "company", "location": "Perth"}},
    ),
    "people:profile": Expect(GLOBAL),
    "people:organizations": Expect(GLOBAL),
    "people:organization": Expect(GLOBAL, params={"slug": lambda w, p: w.organization_slug}),
    # Communities
    "communities:directory": Expect(GLOBAL),
    "communities:create": Expect(
        GLOBAL, get=SIGNED_IN, writes={"POST": SIGNED_IN}, login=True,
        data={"POST": lambda w, p: {
            "name": "New wells", "slug": "new-wells", "domain": "Wells.", "visibility": "public", "stage": "potential",
            "goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0",
        }},
    ),
    "communities:detail": Expect(COMMUNITY),
    "communities:edit": Expect(
        CONTENT, get=COORDINATORS, writes={"POST": COORDINATORS}, login=True,
        data={"POST": lambda w, p: {
            "name": p.community.name, "slug": p.slug, "domain": "Renamed.", "visibility": p.visibility,
            "stage": "potential",
        }},
    ),
    "communities:charter": Expect(
        CONTENT, get=COORDINATORS, writes={"POST": COORDINATORS}, login=True,
        data={"POST": lambda w, p: {"purpose": "New purpose.", "goals-TOTAL_FORMS": "0", "goals-INITIAL_FORMS": "0"}},
    ),
    "communities:history": Expect(CONTENT, get=CORE),
    "insights:stage": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, login=True, data={"POST": lambda w, p: {"stage": "maturing"}}
    ),
    # A community's health page and its CSV tables (see "api-health"); the people's tables are for coordinators.
    "insights:health": Expect(CONTENT, get=MEMBERS, invisible=NOT_MEMBERS, unseen=_health_unseen),
    "insights:health_csv": Expect(
        CONTENT, get=MEMBERS, invisible=NOT_MEMBERS, unseen=_health_unseen, params={"table": lambda w, p: "metrics"}
    ),
    "communities:members": Expect(CONTENT),
    "communities:join": Expect(COMMUNITY, get=None, writes={"POST": SIGNED_IN}, login=True, control_role={"POST": "outsider"}),
    "communities:leave": Expect(COMMUNITY, get=None, writes={"POST": MEMBERS - {"coordinator"}}, login=True),
    "communities:respond": Expect(COMMUNITY, get=None, writes={"POST": NOBODY}, login=True,
                                  data={"POST": lambda w, p: {"accept": "1"}}),
    "communities:requests": Expect(CONTENT, get=COORDINATORS, login=True),
    "communities:request_decide": Expect(CONTENT, get=None, writes={"POST": COORDINATORS}, login=True),
    "communities:member_role": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, login=True, params=MEMBER_MEMBERSHIP,
        data={"POST": lambda w, p: {"role": "core"}},
    ),
    "communities:member_remove": Expect(
        CONTENT, get=None, writes={"POST": COORDINATORS}, login=True, params=MEMBER_MEMBERSHIP
    ),
    "communities:invitations": Expect(
        CONTENT, get=CORE, writes={"POST": CORE}, login=True,
        data={"POST": lambda w, p: {"role": "member", "days": "14", "max_uses": "5"}},
    ),
    "communities:invitation_revoke": Expect(CONTENT, get=None, writes={"POST": CORE}, login=True),
    "communities:recruit": Expect(
        CONTENT, get=CORE, writes={"POST": CORE}, login=True, data={"POST": lambda w, p: {"user_id": w.outsider.pk}}
    ),
    "communities:invitation": Expect(
        GLOBAL, writes={"POST": SIGNED_IN}, params={"token": lambda w, p: p.invitation_token},
        canary_exempt="an invitation link shows the community it invites to, whoever holds it",
        control_role={"POST": "outsider"},
    ),
    # Discussions
    "discussions:list": Expect(CONTENT),
    "discussions:create": Expect(
        CONTENT, get=MEMBERS, writes={"POST": MEMBERS}, login=True, deny=frozenset({302}), data={"POST": lambda w, p: {
            **_thread_body(w, p), "tags": ""}},
    ),
    "discussions:thread": Expect(CONTENT, shows_canary=True),
    "discussions:reply": Expect(CONTENT, get=None, writes={"POST": MEMBERS}, login=True,
                                data={"POST": lambda w, p: {"body": "Me too."}}),
    "discussions:moderate": Expect(CONTENT, get=None, writes={"POST": COORDINATORS}, login=True,
                                   data={"POST": lambda w, p: {"action": "pin"}}),
    "discussions:unheard": Expect(CONTENT, get=CORE, login=True),
    "discussions:flags": Expect(CONTENT, get=COORDINATORS, writes={"POST": COORDINATORS}, login=True,
                                data={"POST": lambda w, p: {"flag": p.flag.pk, "hide": "0"}}),
    "discussions:comment": Expect(CONTENT, get=None, writes={"POST": MEMBERS}, login=True,
                                  data={"POST": lambda w, p: {"body": "Agreed."}}),
    "discussions:vote": Expect(CONTENT, get=None, writes={"POST": MEMBERS - {"core"}}, login=True,
                               control_role={"POST": "member"}),
    "discussions:accept": Expect(CONTENT, get=None, writes={"POST": ASKER}, login=True,
                                 data={"POST": lambda w, p: {"undo": "1"}}),
    "discussions:edit": Expect(CONTENT, get=ANSWER_AUTHOR, writes={"POST": ANSWER_AUTHOR}, login=True,
                               data={"POST": lambda w, p: {"body": "Edited.", "version": "1"}}),
    "discussions:revisions": Expect(CONTENT),
    "discussions:delete": Expect(CONTENT, get=None, writes={"POST": ANSWER_AUTHOR}, login=True),
    "discussions:flag": Expect(CONTENT, get=SIGNED_IN, writes={"POST": MEMBERS}, login=True,
                               data={"POST": lambda w, p: {"reason": "spam"}}),
    # Importers
    "importers:start": Expect(CONTENT, get=COORDINATORS, writes={"POST": COORDINATORS}, login=True, data={"POST": _zip_file}),
    "importers:job": Expect(CONTENT, get=COORDINATORS, login=True),
    # Search
    "search:search": Expect(GLOBAL, query=_search, shows_canary=True),
    "search:experts": Expect(CONTENT, query=_experts),
    "search:similar": Expect(CONTENT, query=lambda w, p: {"title": "How do you verify a cement barrier"}),
    "search:ask_expert": Expect(CONTENT, get=None, writes={"POST": ASKER}, login=True,
                                data={"POST": lambda w, p: {"expert": p.people["core"].pk}}),
    "search:related": Expect(CONTENT),
    # Knowledge
    "knowledge:list": Expect(CONTENT),
    "knowledge:create": Expect(CONTENT, get=MEMBERS, writes={"POST": MEMBERS}, login=True, deny=frozenset({302}),
                               data={"POST": _item_body}),
    "knowledge:stewardship": Expect(CONTENT, get=CORE, writes={"POST": COORDINATORS}, login=True,
                                    data={"POST": lambda w, p: {"review_months": "6"}}),
    "knowledge:collections": Expect(CONTENT),
    "knowledge:collection_create": Expect(CONTENT, get=None, writes={"POST": CORE}, login=True,
                                          data={"POST": lambda w, p: {"title": "More basics"}}),
    "knowledge:collection": Expect(CONTENT),
    "knowledge:collection_edit": Expect(CONTENT, get=None, writes={"POST": CORE}, login=True,
                                        data={"POST": lambda w, p: {"action": "remove", "item": p.item.pk}}),
    "knowledge:item": Expect(CONTENT, shows_canary=True),
    "knowledge:edit": Expect(CONTENT, get=EDITORS, writes={"POST": EDITORS}, login=True,
                             data={"POST": lambda w, p: {**_item_body(w, p), "note": "Shorter."}}),
    "knowledge:submit": Expect(CONTENT, get=None, writes={"POST": EDITORS}, login=True, params=DRAFT,
                               invisible=DRAFT_UNSEEN),
    "knowledge:review": Expect(CONTENT, get=None, writes={"POST": CORE}, login=True, params=IN_REVIEW, invisible=DRAFT_UNSEEN,
                               data={"POST": lambda w, p: {"decision": "return", "comment": "More."}}),
    "knowledge:steward": Expect(CONTENT, get=None, writes={"POST": CORE}, login=True,
                                data={"POST": lambda w, p: {"action": "verify"}}),
    "knowledge:endorse": Expect(CONTENT, get=None, writes={"POST": ENDORSERS}, login=True, control_role={"POST": "sponsor"}),
    "knowledge:helpful": Expect(CONTENT, get=None, writes={"POST": ENDORSERS}, login=True, control_role={"POST": "core"}),
    "knowledge:versions": Expect(CONTENT),
    "knowledge:restore": Expect(CONTENT, get=None, writes={"POST": EDITORS}, login=True,
                                data={"POST": lambda w, p: {"version": "1"}}),
    "knowledge:attach": Expect(CONTENT, get=None, writes={"POST": EDITORS}, login=True, data={"POST": _text_file}),
    "knowledge:download": Expect(CONTENT, shows_canary=True),
    "knowledge:attachment_delete": Expect(CONTENT, get=None, writes={"POST": EDITORS}, login=True),
    "knowledge:capture": Expect(CONTENT, get=MEMBERS, writes={"POST": MEMBERS}, login=True,
                                data={"POST": lambda w, p: {"kind": "lesson-learned"}}),
    # Notifications and feeds
    "notifications:list": Expect(GLOBAL, get=SIGNED_IN, login=True),
    "notifications:badge": Expect(GLOBAL),
    "notifications:mark_read": Expect(GLOBAL, get=None, writes={"POST": SIGNED_IN}, login=True,
                                      data={"POST": lambda w, p: {"all": "1"}}),
    "notifications:open": Expect(GLOBAL, get=frozenset({"member"}), login=True, ok=frozenset({302}),
                                 invisible=SIGNED_IN - {"member"}),
    "notifications:preferences": Expect(GLOBAL, get=SIGNED_IN, writes={"POST": SIGNED_IN}, login=True,
                                        data={"POST": lambda w, p: {"action": "email", "email_mode": "daily"}}),
    "notifications:unsubscribe": Expect(
        GLOBAL, writes={"POST": EVERYONE}, params={"token": lambda w, p: unsubscribe(p.people["member"])},
    ),
    "notifications:thread_watch": Expect(CONTENT, get=SIGNED_IN, writes={"POST": SIGNED_IN}, login=True,
                                         ok=frozenset({200, 302}), data={"POST": lambda w, p: {"state": "mute"}}),
    "notifications:community_follow": Expect(CONTENT, get=SIGNED_IN, writes={"POST": SIGNED_IN}, login=True,
                                             ok=frozenset({200, 302}), data={"POST": lambda w, p: {"state": "watch"}}),
    "notifications:webhooks": Expect(CONTENT, get=COORDINATORS, writes={"POST": COORDINATORS}, login=True,
                                     data={"POST": lambda w, p: {"url": "https://127.0.0.1:9/new"}}),
    "notifications:webhook_change": Expect(CONTENT, get=None, writes={"POST": COORDINATORS}, login=True,
                                           data={"POST": lambda w, p: {"action": "enable"}}),
    # The public Atom feed answers as the anonymous visitor (feed readers have no session): public communities only.
    "notifications:community_feed": Expect(CONTENT, acts_as="anonymous", shows_canary=True),
    # The outsider's personal feed URL: whoever fetches it gets what the outsider may read, nothing more.
    "notifications:personal_feed": Expect(
        CONTENT, params={"token": lambda w, p: feed_token(w.outsider)}, acts_as="outsider",
    ),
    # Events
    "events:list": Expect(CONTENT),
    "events:community_ics": Expect(CONTENT, shows_canary=True),
    "events:create": Expect(CONTENT, get=CORE, writes={"POST": CORE}, login=True, data={"POST": _event_body}),
    "events:detail": Expect(CONTENT, shows_canary=True),
    "events:edit": Expect(CONTENT, get=ORGANISER, writes={"POST": ORGANISER}, login=True, data={"POST": _event_body}),
    "events:rsvp": Expect(CONTENT, get=None, writes={"POST": MEMBERS}, login=True,
                          data={"POST": lambda w, p: {"response": "maybe", "occurrence": p.next_key}}),
    "events:change": Expect(CONTENT, get=None, writes={"POST": ORGANISER}, login=True,
                            data={"POST": lambda w, p: {"occurrence": p.next_key, "cancel": "on"}}),
    "events:attendance": Expect(CONTENT, get=None, writes={"POST": ORGANISER}, login=True,
                                data={"POST": lambda w, p: {"occurrence": p.past_key,
                                                            "others": p.people["sponsor"].username}}),
    "events:write_up": Expect(CONTENT, get=None, writes={"POST": ORGANISER}, login=True,
                              data={"POST": lambda w, p: {"occurrence": p.past_key, "notes": "We met."}}),
    "events:action_add": Expect(CONTENT, get=None, writes={"POST": ORGANISER}, login=True,
                                data={"POST": lambda w, p: {"occurrence": p.past_key, "text": "Call back.",
                                                            "owner": p.people["sponsor"].username}}),
    "events:capture": Expect(CONTENT, get=None, writes={"POST": ORGANISER}, login=True,
                             data={"POST": lambda w, p: {"occurrence": p.past_key}}),
    "events:cancel": Expect(CONTENT, get=None, writes={"POST": ORGANISER}, login=True),
    "events:action_done": Expect(CONTENT, get=None, writes={"POST": ACTION_PEOPLE}, login=True,
                                 data={"POST": lambda w, p: {"done": "1"}}),
    "events:my_calendar": Expect(GLOBAL, get=SIGNED_IN, writes={"POST": SIGNED_IN}, login=True),
    # The outsider's personal calendar URL, whoever fetches it.
    "events:personal_ics": Expect(GLOBAL, params={"token": lambda w, p: _calendar_token(w.outsider)},
                                  acts_as="outsider"),
}

# The whole admin is for network admins: everyone else is sent to sign in, from every admin URL. Reads only (its
# forms are Django's, behind the same check); the network admin opens the index and the change lists (the rest
# of the admin is Django's to test).
ADMIN = Expect(STAFF_ONLY, get=STAFF, ok=frozenset({200, 302, 403, 404, 405}), roles=("anonymous", "coordinator"))
ADMIN_ENTRY = Expect(STAFF_ONLY, get=STAFF, roles=("anonymous", "coordinator", "admin"))


def _calendar_token(user: Any) -> str:
    from practica.events.services import calendar_token

    return calendar_token(user=user)


def expectation_for(route: Route) -> Expect | None:
    if route.name in EXPECTATIONS:
        return EXPECTATIONS[route.name]
    if route.name.startswith("admin:"):
        return ADMIN_ENTRY if route.name == "admin:index" or route.name.endswith("_changelist") else ADMIN
    return None


# --- The routes of the URL conf ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # the URL name ("app:name"); unnamed patterns: "namespace:" + the pattern
    pattern: str
    params: tuple[str, ...]
    methods: tuple[str, ...]  # the HTTP methods the view takes ("*": any)
    default_kwargs: Mapping[str, Any]
    named: bool = True

    @property
    def is_api(self) -> bool:
        return self.pattern.startswith("api/")

    def writes(self) -> tuple[str, ...]:
        return tuple(m for m in self.methods if m in WRITE_METHODS)


def _view_methods(callback: Any) -> tuple[str, ...]:
    actions = getattr(callback, "actions", None)  # a ViewSet routed with {"get": "list", "post": "create"}
    if actions:
        return tuple(sorted(m.upper() for m in actions if m not in ("options", "head")))
    view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
    if view_class is not None and hasattr(view_class, "http_method_names"):
        return tuple(
            sorted(m.upper() for m in view_class.http_method_names if m not in ("options", "head") and hasattr(view_class, m))
        )
    function = callback
    while function is not None:
        try:
            nonlocals = inspect.getclosurevars(function).nonlocals
        except TypeError:
            nonlocals = {}
        if "request_method_list" in nonlocals:
            return tuple(sorted(nonlocals["request_method_list"]))
        function = getattr(function, "__wrapped__", None)
    return ("*",)


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _walk(patterns: Iterable[Any], prefix: str, namespace: str) -> Iterable[Route]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(x for x in (namespace, pattern.namespace) if x)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            text = prefix + str(pattern.pattern)
            named = pattern.name is not None
            name = ":".join(x for x in (namespace, pattern.name if named else text) if x)
            params = tuple(a or b for a, b in _PARAM.findall(text))
            yield Route(name, text, params, _view_methods(pattern.callback), dict(pattern.default_args), named)


def routes() -> list[Route]:
    """Every pattern of the URL conf, in its order."""
    return list(_walk(get_resolver().url_patterns, "", ""))


def route_url(route: Route, values: Mapping[str, Any]) -> str:
    """The URL of the route with these parameter values (reversed by name when it has one)."""
    kwargs = {k: v for k, v in values.items() if k in route.params}
    if route.named:
        return reverse(route.name, kwargs=kwargs)
    text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route.pattern)
    text = re.sub(r"\(\?P<(\w+)>.*?\)(?=/|\$|$)", lambda m: str(kwargs[m.group(1)]), text)
    return "/" + text.replace("^", "").replace("$", "")


# --- What a role should get ----------------------------------------------------------------------------------

ALLOW, LOGIN, HIDDEN, DENY, UNAUTHENTICATED = "allow", "login", "hidden", "deny", "unauthenticated"


def outcome(row: Expect, route: Route, method: str, role: str, place: Place) -> str:
    """What should happen when ``role`` sends ``method`` to this route in this community."""
    role = row.acts_as or role
    if row.scope == STAFF_ONLY:
        return ALLOW if role in STAFF else LOGIN
    if role == "anonymous" and row.login:
        return LOGIN
    if role == "anonymous" and route.is_api and method != "GET" and "anonymous" not in row.writes.get(method, NOBODY):
        return UNAUTHENTICATED
    if role in row.invisible or (place.visibility == "private" and role in row.invisible_in_private):
        return HIDDEN
    if row.unseen is not None and role in row.unseen(place):
        return HIDDEN
    if row.scope == CONTENT and role not in place.readers():
        return HIDDEN
    if row.scope == COMMUNITY and role not in place.knowers():
        return HIDDEN
    audience = row.get if method == "GET" else row.writes.get(method)
    if audience is not None and role in audience:
        return ALLOW
    if role == "anonymous" and route.is_api:
        return UNAUTHENTICATED
    return DENY


def expected_statuses(row: Expect, route: Route, method: str, verdict: str) -> frozenset[int]:
    if verdict == LOGIN:
        return frozenset({302})
    if verdict == HIDDEN:  # and the same answer as for something that does not exist, see the tests
        return frozenset({401, 404}) if route.is_api and method == "GET" else frozenset({404})
    if verdict == UNAUTHENTICATED:
        return frozenset({401, 403})
    if verdict == ALLOW:
        return row.ok
    if method == "GET":
        return row.deny
    return _api_deny_write(row) if route.is_api else _page_deny_write(row)


def is_login_redirect(row: Expect, location: str) -> bool:
    """A redirect to the sign-in page (the admin's, or its own index, for the admin's pages)."""
    return location.startswith("/accounts/login/") or (row.scope == STAFF_ONLY and location.startswith("/admin/"))


def request_kwargs(row: Expect, route: Route, method: str, world: World, place: Place) -> dict[str, Any]:
    """The arguments of the test client's call for this request (query string or body)."""
    if method == "GET":
        return {"data": row.query(world, place)} if row.query else {}
    body = row.data[method](world, place) if method in row.data else {}
    if route.is_api and not row.multipart:
        return {"data": json.dumps(body), "content_type": "application/json"}
    return {"data": body}


def params_for(row: Expect, route: Route, world: World, place: Place) -> dict[str, Any]:
    values = {}
    for param in route.params:
        filler = row.params.get(param) or FILLERS.get(param)
        if filler is None:
            raise KeyError(f"{route.name}: no way to fill the parameter {param!r} (add it to the row's params)")
        values[param] = filler(world, place)
    return values


def bogus_params(values: Mapping[str, Any]) -> dict[str, Any]:
    """The same parameters naming nothing that exists: a hidden thing must answer as an absent one."""
    bogus: dict[str, Any] = {}
    for name, value in values.items():
        if isinstance(value, int):
            bogus[name] = 2_000_000_000
        elif name in ("slug", "token", "username"):
            bogus[name] = f"no-such-{name}"
        else:
            bogus[name] = value
    return bogus


def response_text(response: Any) -> str:
    """The body as text; an iCalendar's folded lines unfolded (RFC 5545 folds at 75 octets, which could split a
    canary in two)."""
    if getattr(response, "streaming", False):
        text = b"".join(response.streaming_content).decode("utf-8", "replace")
    else:
        text = response.content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("text/calendar"):
        text = text.replace("\r\n ", "").replace("\n ", "")
    return text


# --- Did the database change? --------------------------------------------------------------------------------

# Rows a refused request may write without changing anything anyone sees: the session (flash messages) and the
# shared rate-limit counters.
IGNORED_TABLES = {"django_session", "accounts_ratecounter"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.IGNORECASE)
_SAVEPOINT = re.compile(r'^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\s+"?(\w+)"?', re.IGNORECASE)


class Statements:
    """Records every SQL statement run inside the block with the number of rows it touched."""

    def __init__(self) -> None:
        self.run: list[tuple[str, int]] = []
        self._hook: Any = None

    def __enter__(self) -> Statements:
        from django.db import connection

        self._hook = connection.execute_wrapper(self._record)
        self._hook.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._hook.__exit__(*exc)

    def _record(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Mapping[str, Any]) -> Any:
        result = execute(sql, params, many, context)
        rows = getattr(context.get("cursor"), "rowcount", -1)
        self.run.append((sql, -1 if rows is None else rows))
        return result

    def committed_writes(self) -> list[str]:
        """The tables these statements changed and did not roll back to a savepoint since: what the request
        changed. A DELETE or UPDATE that matched no row changes nothing (an INSERT's count is not reliable: with
        RETURNING, SQLite reports it only once the row is read)."""
        frames: list[tuple[str, list[str]]] = [("", [])]
        for sql, rows in self.run:
            savepoint = _SAVEPOINT.match(sql)
            if savepoint:
                verb, name = savepoint.group(1).upper(), savepoint.group(2)
                names = [n for n, _ in frames]
                if verb == "SAVEPOINT":
                    frames.append((name, []))
                elif name in names:
                    index = names.index(name)
                    if verb == "ROLLBACK TO SAVEPOINT":
                        del frames[index + 1:]
                        frames[index][1].clear()
                    else:  # RELEASE: its writes (and those of savepoints inside it) go to the enclosing frame
                        kept = [t for _, tables in frames[index:] for t in tables]
                        del frames[index:]
                        frames[-1][1].extend(kept)
                continue
            write = _WRITE.match(sql)
            no_row = rows == 0 and sql.lstrip()[:6].upper() != "INSERT"
            if write and not no_row and write.group(1).lower() not in IGNORED_TABLES:
                frames[-1][1].append(write.group(1))
        return [table for _, tables in frames for table in tables]
