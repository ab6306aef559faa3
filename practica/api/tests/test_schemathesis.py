"""Schemathesis against the API's own OpenAPI schema ([P12] finding 15), bounded for CI.

Every operation of ``/api/v1/schema/`` gets a few generated requests, valid and invalid, from a coordinator; none
may answer 5xx. Most generated ids and slugs are steered to objects that exist, so the requests get past the 404s
to the code behind them. The run is derandomised (Hypothesis' fixed seed): the same requests every time, so it
never flakes. And after a DELETE of a resource, nothing under its address is read (404) or changed.

The full run (every check, thousands of requests, a real server on a copy of the demo, both databases) is
described in CONTRIBUTING.md ("Tests"); it is too slow for every commit.
"""

from __future__ import annotations

import datetime as dt
import io
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation.case import Case
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from practica.accounts.models import User
from practica.accounts.services import token_create
from practica.communities import services as community_services
from practica.communities.models import Community, Membership, Role
from practica.discussions import services as discussion_services
from practica.discussions.models import Post, Thread
from practica.events import services as event_services
from practica.insights import services as insights_services
from practica.knowledge import services as knowledge_services
from practica.knowledge.models import Collection
from practica.lib.rates import parse_rates
from practica.lib.testing.client import Api
from practica.lib.testing.factories import MembershipFactory, UserFactory
from practica.notifications import services as notification_services

# Requests per operation: 84 operations x 6 take about 15 s on SQLite and 26 s on PostgreSQL (2 busy cores).
EXAMPLES = 6
# One in this many generated path values is kept as generated (an id that does not exist, a strange slug).
KEEP_GENERATED = 5
# Valid requests per operation in the conformance check: the steered ids make most of them reach the real answer.
CONFORMANCE_EXAMPLES = 4


@dataclass
class World:
    """A small community and its content, and the ids the generated requests are steered to."""

    coordinator: User
    key: str
    pools: dict[str, list[Any]] = field(default_factory=dict)
    spare_tokens: list[tuple[int, str]] = field(default_factory=list)

    def steer(self, case: Case) -> None:
        """Replace most generated path values by ids and slugs that exist (the same choice for the same value)."""
        params = dict(case.path_parameters or {})
        for name, value in params.items():
            pool = self.pools.get(name)
            if pool and isinstance(value, int | str):
                digest = zlib.crc32(repr(value).encode())
                if digest % KEEP_GENERATED:
                    params[name] = pool[digest % len(pool)]
        case.path_parameters = params

    def key_for(self, case: Case) -> str:
        """The coordinator's token, except for a request that revokes the token it is made with: a spare one."""
        if case.method.upper() == "DELETE" and case.path == "/api/v1/auth/token/":
            return self.spare_tokens[0][1] if self.spare_tokens else self.key
        return self.key


def _world(*, coordinator: User, member: User, community: Community) -> World:
    now = timezone.now()
    helper = UserFactory.create(username="helper")
    MembershipFactory.create(community=community, user=helper, role=Role.MEMBER)
    hopeful = UserFactory.create(username="hopeful")
    community_services.community_join(community=community, user=hopeful)
    threads: list[Thread] = []
    posts: list[Post] = []
    for number, (author, kind) in enumerate([(member, "question"), (helper, "discussion"), (coordinator, "idea")]):
        thread = discussion_services.thread_create(
            community=community, author=author, kind=kind, title=f"Cement curing question {number}",
            body="How long before the pressure test?", tags=["Drilling"],
        )
        reply = discussion_services.post_create(thread=thread, author=helper if author != helper else member,
                                                body="Wait for the compressive strength, not the clock.")
        discussion_services.comment_create(post=reply, author=coordinator, body="Which cement class?")
        threads.append(thread)
        posts += list(thread.posts.all())
    flag = discussion_services.flag_create(post=posts[1], reporter=member, reason="spam")
    item = knowledge_services.item_create(
        community=community, author=coordinator, kind="how-to", title="Testing casing after cementing",
        summary="Wait for strength.", body="Steps.", tags=["Drilling"],
    )
    attachment = knowledge_services.attachment_add(
        item=item, actor=coordinator, stream=io.BytesIO(b"Cement classes.\n"), name="classes.txt"
    )
    collection = knowledge_services.collection_create(community=community, actor=coordinator, title="Start here")
    event = event_services.event_create(
        community=community, organiser=coordinator, title="Monthly call", start=now + dt.timedelta(days=3),
        end=now + dt.timedelta(days=3, hours=1), timezone_name="Europe/Oslo",
    )
    action = event_services.action_create(
        event=event, actor=coordinator, original_start=None, text="Share the cement log", owner_username="member"
    )
    insights_services.snapshot_take(community=community, day=insights_services.utc_today())  # a health history
    key = token_create(user=coordinator, name="schemathesis").key
    spares = [token_create(user=coordinator, name=f"spare {n}") for n in range(3)]
    return World(
        coordinator=coordinator,
        key=key,
        spare_tokens=[(issued.token.pk, issued.key) for issued in spares],
        pools={
            "slug": [community.slug],
            "thread_id": [thread.pk for thread in threads],
            "post_id": [post.pk for post in posts],
            "item_id": [item.pk],
            "collection_id": [collection.pk],
            "attachment_id": [attachment.pk],
            "event_id": [event.pk],
            "action_id": [action.pk],
            "flag_id": [flag.pk],
            "membership_id": list(Membership.objects.filter(community=community).values_list("pk", flat=True)),
            "username": [coordinator.username, member.username, helper.username],
            # Never the token the requests are made with.
            "token_id": [issued.token.pk for issued in spares],
        },
    )


@pytest.fixture
def world(transactional_db: None, owner: User, member: User, community: Community, settings: Any) -> World:
    # Each request commits, as behind a real server (one failed statement must not poison the ones after it).
    settings.RATE_LIMITS = parse_rates("post=off,search=off,search-anonymous=off,token=off,signup=off")
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]  # the host schemathesis' WSGI client sends
    return _world(coordinator=owner, member=member, community=community)


@pytest.fixture
def api_schema(world: World) -> Any:
    return schemathesis.openapi.from_wsgi("/api/v1/schema/", WSGIHandler())


def test_no_operation_answers_5xx_to_generated_requests(api_schema: Any, world: World) -> None:
    failures: list[str] = []
    for result in api_schema.get_all_operations():
        operation = result.ok()
        strategy = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

        @hypothesis.settings(
            max_examples=EXAMPLES,
            derandomize=True,  # Hypothesis' fixed seed: the same requests on every run
            database=None,
            deadline=None,
            phases=[Phase.generate],  # no shrinking: the first failing request is reported as it was
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy)
        def call(case: Case) -> None:
            world.steer(case)
            response = case.call(headers={"Authorization": f"Token {world.key_for(case)}"})
            case.validate_response(response, checks=[not_a_server_error])

        try:
            call()
        except (Exception, FailureGroup) as exc:  # every operation is tried (a FailureGroup is no Exception), and all their failures reported together
            failures.append(f"{operation.label}: {exc}")
    assert not failures, "\n\n".join(failures)


def _strict(node: Any) -> Any:
    """The schema with every object that lists its properties closed to others (``additionalProperties:
    false``): JSON Schema lets an object carry keys it does not declare, so a payload richer than its serializer
    (a detail returned where a summary is declared) would pass unseen."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    strict = {key: _strict(value) for key, value in node.items()}
    if "properties" in strict and "additionalProperties" not in strict and not any(
        key in strict for key in ("allOf", "oneOf", "anyOf")
    ):
        strict["additionalProperties"] = False
    return strict


def _declared_body(raw: dict[str, Any], path: str, method: str, status: int) -> Any:
    """The JSON schema the raw OpenAPI document declares for this answer, one ``$ref`` resolved; None if none."""
    responses = raw["paths"][path][method.lower()].get("responses", {})
    declared = responses.get(str(status)) or responses.get("default") or {}
    schema = declared.get("content", {}).get("application/json", {}).get("schema")
    if isinstance(schema, dict) and "$ref" in schema:
        schema = raw["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _body_without_a_schema(raw: dict[str, Any], case: Case, response: Any) -> str | None:
    """A JSON body where the schema declares none, or declares a free-form object (``dict``): the schema does
    not say what the answer is."""
    if response.status_code >= 300 or not response.content:
        return None
    content_type = {name.lower(): values for name, values in response.headers.items()}.get("content-type", [""])
    if "json" not in content_type[0]:
        return None
    declared = _declared_body(raw, case.operation.path, case.method, response.status_code)
    if declared is None:
        return f"{response.status_code} returns JSON, the schema declares no body"
    if declared.get("type") == "object" and "properties" not in declared and "$ref" not in declared:
        return f"{response.status_code} is declared as a free-form object (a dict)"
    return None


def test_every_response_agrees_with_its_schema(world: World) -> None:
    """Valid requests only: what each operation answers has the body its schema declares, no more, no less.

    The schema is generated from the serializers that also write the payloads; a hand-built dict, a field the
    serializer does not declare, or an answer the schema does not describe shows here.
    """
    raw = Api().as_user(world.coordinator).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    api_schema = schemathesis.openapi.from_dict(_strict(raw))
    api_schema.app = WSGIHandler()
    failures: list[str] = []
    found: dict[str, list[str]] = {}  # the problems seen per operation
    for result in api_schema.get_all_operations():
        operation = result.ok()
        problems = found.setdefault(operation.label, [])

        @hypothesis.settings(
            max_examples=CONFORMANCE_EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(GenerationMode.POSITIVE))
        def call(case: Case) -> None:
            world.steer(case)
            response = case.call(headers={"Authorization": f"Token {world.key_for(case)}"})
            problem = _body_without_a_schema(raw, case, response)
            if problem and problem not in found[case.operation.label]:
                found[case.operation.label].append(problem)
            case.validate_response(
                response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
            )

        try:
            call()
        except (Exception, FailureGroup) as exc:  # every operation is tried (a FailureGroup is no Exception), and all their failures reported together
            problems.append(str(exc)[:1200])
        if problems:
            failures.append(f"{operation.label}: " + "; ".join(problems))
    assert not failures, f"{len(failures)} operations disagree with their schema:\n\n" + "\n\n".join(failures)


# --- After a DELETE -----------------------------------------------------------------------------------


def _fresh_thread(world: World, community: Community) -> dict[str, Any]:
    thread = discussion_services.thread_create(
        community=community, author=world.coordinator, kind="question", title="Soon deleted", body="Why?"
    )
    return {"thread_id": thread.pk}


def _fresh_post(world: World, community: Community) -> dict[str, Any]:
    thread = Thread.objects.get(pk=_fresh_thread(world, community)["thread_id"])
    post = discussion_services.post_create(thread=thread, author=world.coordinator, body="Soon deleted.")
    return {"post_id": post.pk}


def _fresh_membership(world: World, community: Community) -> dict[str, Any]:
    person = UserFactory.create()
    membership = MembershipFactory.create(community=community, user=person, role=Role.MEMBER)
    return {"slug": community.slug, "membership_id": membership.pk}


def _fresh_webhook(world: World, community: Community) -> dict[str, Any]:
    hook = notification_services.webhook_create(
        community=community, actor=world.coordinator, url="https://example.com/soon-deleted"
    )
    return {"slug": community.slug, "webhook_id": hook.pk}


def _fresh_attachment(world: World, community: Community) -> dict[str, Any]:
    item = knowledge_services.item_create(
        community=community, author=world.coordinator, kind="resource", title="With a file soon removed"
    )
    attachment = knowledge_services.attachment_add(
        item=item, actor=world.coordinator, stream=io.BytesIO(b"Soon removed.\n"), name="soon.txt"
    )
    return {"attachment_id": attachment.pk}


def _fresh_collection(world: World, community: Community) -> dict[str, Any]:
    collection = knowledge_services.collection_create(community=community, actor=world.coordinator, title="Soon deleted")
    return {"collection_id": collection.pk}


def _fresh_collection_entry(world: World, community: Community) -> dict[str, Any]:
    item = knowledge_services.item_create(
        community=community, author=world.coordinator, kind="how-to", title="Soon out of a collection", body="Steps.",
        submit=True,
    )
    item = knowledge_services.item_review(item=item, reviewer=world.coordinator, approve=True)
    params = _fresh_collection(world, community)
    collection = Collection.objects.get(pk=params["collection_id"])
    knowledge_services.collection_add(collection=collection, actor=world.coordinator, item=item)
    return {**params, "item_id": item.pk}


# How to make a thing each DELETE of a resource removes; a new DELETE endpoint needs a line here.
FRESH: dict[str, Callable[[World, Community], dict[str, Any]]] = {
    "/api/v1/threads/{thread_id}/": _fresh_thread,
    "/api/v1/posts/{post_id}/": _fresh_post,
    "/api/v1/communities/{slug}/members/{membership_id}/": _fresh_membership,
    "/api/v1/communities/{slug}/webhooks/{webhook_id}/": _fresh_webhook,
    "/api/v1/knowledge/attachments/{attachment_id}/": _fresh_attachment,
    "/api/v1/knowledge/collections/{collection_id}/": _fresh_collection_entry,
    "/api/v1/knowledge/collections/{collection_id}/items/{item_id}/": _fresh_collection_entry,
}
# DELETE revokes a token: it stays listed, with when and why it stopped, in the API and on the tokens page alike.
KEPT_AFTER_DELETE = {"/api/v1/me/tokens/{token_id}/"}


def test_after_a_delete_nothing_under_its_address_is_read_or_changed(
    api_schema: Any, world: World, community: Community
) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    # A DELETE whose address ends in the resource's own id; the others (a vote, an endorsement, an acceptance,
    # the token used) take back a relation, and nothing is read under their address.
    deletes = [op for op in operations if op.method.upper() == "DELETE" and op.path.rstrip("/").endswith("}")]
    assert {op.path for op in deletes} == set(FRESH) | KEPT_AFTER_DELETE, "say how to make what the new DELETE removes"
    api = Api()
    api.credentials(HTTP_AUTHORIZATION=f"Token {world.key}")
    for delete in deletes:
        if delete.path in KEPT_AFTER_DELETE:
            continue
        params = FRESH[delete.path](world, community)
        deleted = api.delete(delete.path.format(**params))
        assert deleted.status_code == 204, (delete.path, deleted.content)
        under = [op for op in operations if op.method.upper() in {"GET", "PATCH"} and op.path.startswith(delete.path)]
        assert under, delete.path
        for operation in under:
            path = operation.path.format(**params)
            if operation.method.upper() == "GET":
                response = api.get(path)
                assert response.status_code == 404, (path, response.status_code)
            else:
                # A body each edit would accept, so that only the deletion can refuse it. A removed member's
                # role is refused with 400 ("Only active members have a role to change").
                response = api.patch(path, EDIT, format="json")
                assert response.status_code in {400, 404}, (path, response.status_code, response.content)


# Valid for every PATCH under a DELETE: a thread's or post's edit, a member's role.
EDIT = {"title": "Edited after the delete", "body": "Edited after the delete.", "version": 1, "role": "core"}
