"""The authorisation matrix ([P12] "Trust"): every route × seven roles × three visibilities, reads and refused
writes, with a canary per community that must never reach someone who may not read it. See ``matrix.py`` for how
the expectations are written and how to add a route.

Each test loops over the whole matrix and reports every failure at once, as a table.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from practica.api.tests.authz import matrix
from practica.api.tests.authz.matrix import ACCOUNT, ALLOW, HIDDEN, LOGIN, STAFF_ONLY, Expect, Route
from practica.api.tests.authz.world import ROLES, VISIBILITIES, Place, World, viewer_key

pytestmark = pytest.mark.django_db
# A GET to a route that takes none is refused before its view looks at anything (Django's require_POST, DRF's
# dispatch): one community and three roles tell all.
NO_GET_ROLES = ("anonymous", "outsider", "admin")


@dataclass
class Case:
    route: Route
    row: Expect
    place: Place
    role: str
    method: str
    url: str
    absent_url: str  # the same route naming things that do not exist


def _cases(world: World, *, writes: bool) -> Iterator[Case]:
    for route in matrix.routes():
        row = matrix.expectation_for(route)
        if row is None:
            continue
        no_get = "GET" not in route.methods and "*" not in route.methods
        one_place = row.scope == STAFF_ONLY or (no_get and not writes)
        places = [world.place("public")] if one_place else [world.place(v) for v in VISIBILITIES]
        roles = NO_GET_ROLES if no_get and not writes else row.roles
        if writes:
            if row.scope in (STAFF_ONLY, ACCOUNT):
                continue
            methods = [m for m in route.writes() if m in row.writes]
        else:
            methods = ["GET"]
        for place in places:
            values = matrix.params_for(row, route, world, place)
            url = matrix.route_url(route, values)
            absent_url = matrix.route_url(route, matrix.bogus_params(values))
            for method in methods:
                for role in roles:
                    yield Case(route, row, place, role, method, url, absent_url)


def _expected(case: Case) -> tuple[str, frozenset[int]]:
    route, row = case.route, case.row
    if case.method == "GET" and "GET" not in route.methods and "*" not in route.methods:
        if case.role == "anonymous" and row.login:
            return LOGIN, frozenset({302})
        return "no GET", frozenset({401, 405}) if case.role == "anonymous" and route.is_api else frozenset({405})
    verdict = matrix.outcome(row, route, case.method, case.role, case.place)
    return verdict, matrix.expected_statuses(row, route, case.method, verdict)


def _send(world: World, case: Case, *, absent: bool = False) -> Any:
    client = world.client(case.place.user(case.role, world))
    kwargs = matrix.request_kwargs(case.row, case.route, case.method, world, case.place)
    return getattr(client, case.method.lower())(case.absent_url if absent else case.url, **kwargs)


class Absent:
    """What each role gets for the routes' URLs naming nothing that exists (asked once per role and URL)."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.statuses: dict[tuple[str, str, str], int] = {}

    def status(self, case: Case) -> int:
        key = (case.role, case.method, case.absent_url)
        if key not in self.statuses:
            with transaction.atomic():  # a write to nothing changes nothing; rolled back all the same
                self.statuses[key] = _send(self.world, case, absent=True).status_code
                transaction.set_rollback(True)
        return self.statuses[key]


def _problems(
    world: World, case: Case, verdict: str, expected: frozenset[int], response: Any, body: str, absent: Absent
) -> list[str]:
    problems = []
    status = response.status_code
    if status >= 500:
        problems.append(f"server error {status}")
    elif status not in expected:
        problems.append(f"expected {'/'.join(map(str, sorted(expected)))} ({verdict}), got {status}")
    elif verdict == HIDDEN and case.absent_url != case.url and status != absent.status(case):
        problems.append(f"answers {status}, but {absent.status(case)} where nothing exists: {case.absent_url}")
    elif verdict == LOGIN and not matrix.is_login_redirect(case.row, response.get("Location", "")):
        problems.append(f"expected a redirect to sign in, got one to {response.get('Location')}")
    if not case.row.canary_exempt:
        viewer = case.place.user(case.row.acts_as or case.role, world)
        lowered = body.lower()
        leaked = sorted(c for c in world.hidden_canaries(viewer) if c.lower() in lowered)
        if leaked:
            problems.append(f"shows {', '.join(leaked)}")
    if (
        case.row.shows_canary
        and verdict == ALLOW
        and case.method == "GET"
        and (case.row.acts_as or case.role) in case.place.readers()
        and case.place.canary.lower() not in body.lower()
    ):
        problems.append(f"does not show {case.place.canary} to a reader (is the canary check blind?)")
    return problems


def _line(case: Case, problems: list[str]) -> str:
    return (
        f"{case.route.name:38} {case.method:6} {case.place.visibility:12} {case.role:11} {'; '.join(problems)}"
        f"   {case.url}"
    )


def _clock() -> tuple[float, float]:
    return time.monotonic(), time.process_time()


def _report(title: str, failures: list[str], count: int, started: tuple[float, float]) -> None:
    wall, cpu = time.monotonic() - started[0], time.process_time() - started[1]
    print(f"\n{title}: {count} requests in {wall:.1f} s ({cpu:.1f} s of CPU)")
    assert not failures, f"{title}: {len(failures)} of {count} requests went wrong:\n" + "\n".join(failures)


def test_every_route_has_an_expectation() -> None:
    missing = [
        f"add an expectation for route {route.name} ({route.pattern}) to EXPECTATIONS in {matrix.__name__}"
        for route in matrix.routes()
        if matrix.expectation_for(route) is None
    ]
    assert not missing, "\n".join(missing)


def test_every_expectation_names_a_route() -> None:
    names = {route.name for route in matrix.routes()}
    stale = sorted(set(matrix.EXPECTATIONS) - names)
    assert not stale, f"these rows name routes that no longer exist; remove them: {', '.join(stale)}"


def test_every_write_method_has_an_expectation() -> None:
    wrong = []
    for route in matrix.routes():
        row = matrix.expectation_for(route)
        if row is None or row.scope in (STAFF_ONLY, ACCOUNT):
            continue
        if "*" in route.methods:
            wrong.append(f"{route.name}: its view takes any method; decorate it with require_http_methods")
            continue
        if set(route.writes()) != set(row.writes):
            wrong.append(f"{route.name}: the view takes {route.writes()}, the row says {tuple(row.writes)}")
        if ("GET" in route.methods) != (row.get is not None):
            wrong.append(f"{route.name}: GET {'is' if 'GET' in route.methods else 'is not'} a method of the view")
    assert not wrong, "\n".join(wrong)


def test_reads_answer_each_role_as_expected_and_show_no_other_community(world: World) -> None:
    """Every route read by every role in every community: the expected status, and no canary of a community the
    reader may not read in the body (pages, API, feeds, calendars, error pages)."""
    started, failures, count = _clock(), [], 0
    absent = Absent(world)
    seen: dict[tuple[str, str, str], tuple[int, str, Any]] = {}
    for case in _cases(world, writes=False):
        verdict, expected = _expected(case)
        query = case.row.query(world, case.place) if case.row.query else None
        key = (viewer_key(case.place.user(case.role, world)), case.url, repr(query))
        if key in seen:
            _status, body, response = seen[key]
        else:
            response = _send(world, case)
            body = matrix.response_text(response)
            seen[key] = (response.status_code, body, response)
            count += 1
        problems = _problems(world, case, verdict, expected, response, body, absent)
        if problems:
            failures.append(_line(case, problems))
    _report("Reads", failures, count + len(absent.statuses), started)


def test_refused_writes_are_refused_and_change_nothing(world: World) -> None:
    """Every write method of every route, sent by each role that may not make it, in every community: refused
    with the expected status (404 where the community is not theirs to read), and the database unchanged."""
    started, failures, count = _clock(), [], 0
    absent = Absent(world)
    sent_before = len(mail.outbox)
    for case in _cases(world, writes=True):
        verdict, expected = _expected(case)
        if verdict == ALLOW:
            continue
        with transaction.atomic():  # each from the same world, even after a write that should have been refused
            with matrix.Statements() as statements:
                response = _send(world, case)
            transaction.set_rollback(True)
        count += 1
        problems = _problems(world, case, verdict, expected, response, matrix.response_text(response), absent)
        written = statements.committed_writes()
        if written:
            problems.append(f"wrote to {', '.join(sorted(set(written)))}")
        if problems:
            failures.append(_line(case, problems))
    if len(mail.outbox) > sent_before:
        failures.append(f"refused writes sent {len(mail.outbox) - sent_before} emails")
    _report("Refused writes", failures, count + len(absent.statuses), started)


def test_the_payloads_get_through_for_an_allowed_role(world: World) -> None:
    """The control of the test above: each write, sent by one role allowed to make it (in the public community),
    succeeds and changes the database; so a refused write that changes nothing was refused, not malformed.
    Each runs in a savepoint rolled back at once."""
    started, failures, count = _clock(), [], 0
    place = world.place("public")
    outbox = list(mail.outbox)
    for route in matrix.routes():
        row = matrix.expectation_for(route)
        if row is None or row.scope in (STAFF_ONLY, ACCOUNT):
            continue
        url = matrix.route_url(route, matrix.params_for(row, route, world, place))
        for method in route.writes():
            allowed = [r for r in ROLES if matrix.outcome(row, route, method, r, place) == ALLOW]
            if not allowed or method in row.control_skip:
                continue
            role = row.control_role.get(method) or next(
                r for r in ("member", "sponsor", "core", "coordinator", "outsider", "admin", "anonymous") if r in allowed
            )
            case = Case(route, row, place, role, method, url, url)
            with transaction.atomic():
                with matrix.Statements() as statements:
                    response = _send(world, case)
                transaction.set_rollback(True)
            count += 1
            written = statements.committed_writes()
            problems = []
            if response.status_code >= 400:
                detail = matrix.response_text(response)[:200].replace("\n", " ")
                problems.append(f"the allowed write answered {response.status_code}: {detail}")
            elif not written and method not in row.noop:
                problems.append(f"the allowed write answered {response.status_code} and changed nothing")
            if problems:
                failures.append(_line(case, problems))
    mail.outbox[:] = outbox
    _report("Allowed writes (control)", failures, count, started)
