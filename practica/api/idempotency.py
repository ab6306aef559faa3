"""``Idempotency-Key`` on the API's POST requests: a retry never creates twice.

A client that sends ``Idempotency-Key: <any printable string up to 255 characters>`` with a POST under ``/api/v1/`` and
retries it after a lost answer (a timeout, a dropped connection) with the same key gets the first answer again —
the same status and body, with ``Idempotent-Replayed: true`` — and nothing is created a second time:

* the request runs in one transaction with the record of its answer (:class:`IdempotencyKey`), so the write and
  the record commit together or not at all (a worker killed half-way leaves neither, and the retry runs afresh);
* the same key with a different request (method, path or body) is a 422; a retry while the first is still
  running is a 409 "in progress; retry later" (PostgreSQL: a lock per person and key, tried without waiting.
  SQLite takes one writer at a time: the retry waits for the first to finish, then gets its answer);
* 5xx answers are not kept (the transaction rolls back, so nothing was written either), nor the "try again"
  ones (408, 409, 423, 425, 429): a retry with the key runs again. Every other answer, 4xx included, is kept;
* keys are per person (another person's identical key is unrelated) and expire after 24 hours (a later request
  with the key runs afresh); expired records are deleted a few at a time by the requests that come by.

Anonymous requests: the header is ignored. There is no one to scope the key to, and a create needs a signed-in
person anyway, so the view answers as it would without the header (401). The token endpoints are left out: their
answers carry a token, which must not be kept in clear.

The person is found with the API's own authentication classes (``DEFAULT_AUTHENTICATION_CLASSES``), so this
follows whatever the API accepts (personal tokens, the session).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from rest_framework.exceptions import APIException
from rest_framework.request import Request
from rest_framework.settings import api_settings

from practica.api.models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
LIFETIME = timedelta(hours=24)
API_PREFIX = "/api/v1/"
# Their answers carry a token: never kept in clear (the tokens themselves are stored hashed).
EXEMPT_PATHS = frozenset({"/api/v1/auth/token/", "/api/v1/me/tokens/"})
# "Try again" answers: the retry must run, not replay them.
NOT_KEPT = frozenset({408, 409, 423, 425, 429})
# Headers of an answer that a replay repeats (with its status and body).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Content-Disposition", "Location")
EXPIRED_PER_REQUEST = 100

IN_PROGRESS = "A request with this Idempotency-Key is in progress; retry later."
REUSED = (
    "This Idempotency-Key was used for a different request (method, path or body); use a new key for a new "
    "request."
)

logger = logging.getLogger(__name__)


def applies_to(method: str, path: str) -> bool:
    """Whether a request with the header is made idempotent: every POST of the API but the token endpoints."""
    return method == "POST" and path.startswith(API_PREFIX) and path not in EXEMPT_PATHS


class IdempotencyMiddleware:
    """Makes the API's POSTs idempotent under an ``Idempotency-Key`` (see the module's docstring).

    Last in ``MIDDLEWARE``: only the view runs inside the transaction it opens."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or not applies_to(request.method or "", request.path):
            return self.get_response(request)
        try:
            # First: it reads the body once for all (the authentication below may parse it: the CSRF check of a
            # session reads the form fields), and the view reads it again from there.
            request_hash = _fingerprint(request)
        except (RequestDataTooBig, TooManyFieldsSent, MultiPartParserError):
            return self.get_response(request)  # refused by the view's parsing as it would be without the key
        user_id = _authenticated_user_id(request)
        if user_id is None:
            return self.get_response(request)  # anonymous: the header is ignored (see the module's docstring)
        if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return JsonResponse(
                {"detail": f"The {HEADER} header must have 1 to {MAX_KEY_LENGTH} printable characters."}, status=400
            )
        return self._once(request, user_id=user_id, key=key, request_hash=request_hash)

    def _once(self, request: HttpRequest, *, user_id: int, key: str, request_hash: str) -> HttpResponse:
        path = request.get_full_path()
        with transaction.atomic():
            if not _try_lock(user_id, key):
                return _in_progress()
            now = timezone.now()
            _delete_expired(now)
            record = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
            if record is not None and record.created_at <= now - LIFETIME:
                record.delete()
                record = None
            if record is not None:
                if (record.method, record.path, record.request_hash) != (request.method, path, request_hash):
                    return JsonResponse({"detail": REUSED}, status=422)
                return _replay(record)
            response = self.get_response(request)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # nothing half-written, nothing kept: a retry runs afresh
                return response
            if response.streaming or response.status_code in NOT_KEPT:
                return response
            try:
                with transaction.atomic():
                    IdempotencyKey.objects.create(
                        user_id=user_id,
                        key=key,
                        method=request.method or "POST",
                        path=path,
                        request_hash=request_hash,
                        response_status=response.status_code,
                        response_headers={name: response[name] for name in KEPT_HEADERS if response.has_header(name)},
                        response_body=response.content,
                        created_at=now,
                    )
            except IntegrityError:
                # The same key committed meanwhile by a request that did not wait for the lock (it cannot happen
                # with the lock; the constraint is the last word): this one's write must not stay.
                logger.warning("Idempotency-Key %r of user %s recorded twice; the second is undone", key, user_id)
                transaction.set_rollback(True)
                return _in_progress()
            return response


def _authenticated_user_id(request: HttpRequest) -> int | None:
    """The person the API would see, with its authentication classes; None when anonymous or refused (the view
    gives the reason)."""
    parsers: Any = api_settings.DEFAULT_PARSER_CLASSES  # the CSRF check of a session reads a form's fields
    authenticators: Any = api_settings.DEFAULT_AUTHENTICATION_CLASSES
    drf_request = Request(
        request,
        parsers=[parser() for parser in parsers],
        authenticators=[authenticator() for authenticator in authenticators],
    )  # a test client's force_authenticate replaces the authenticators, as in the view
    for authenticator in drf_request.authenticators or ():
        try:
            found = authenticator.authenticate(drf_request)
        except APIException:
            return None
        if found is not None:
            user = found[0]
            return int(user.pk) if user is not None and user.is_authenticated and user.pk is not None else None
    return None


def _fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what the request asks: JSON compared by value (key order and spacing do not matter), forms by
    their fields and files' contents (a multipart boundary changes with every send), anything else as bytes."""
    digest = hashlib.sha256()
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data") or content_type == "application/x-www-form-urlencoded":
        for name, values in sorted(request.POST.lists()):
            digest.update(json.dumps(["field", name, values]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps(["file", name, upload.name, upload.size]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
        return digest.hexdigest()
    body = request.body
    if content_type == "application/json" or content_type.endswith("+json"):
        with contextlib.suppress(ValueError, RecursionError):  # not JSON: the view answers 400; the bytes stand
            body = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    digest.update(body)
    return digest.hexdigest()


def _lock_key(user_id: int, key: str) -> int:
    digest = hashlib.blake2b(f"idempotency:{user_id}:{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _try_lock(user_id: int, key: str) -> bool:
    """Hold this person's key until the transaction ends; False when another request holds it (PostgreSQL).

    On SQLite the transaction already holds the database's write lock: a second request with the key waits
    for it (up to the busy timeout), by which time the first has finished."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_key(user_id, key)])
        return bool(cursor.fetchone()[0])


def _delete_expired(now: Any) -> None:
    """Delete a few expired records; rows another request is deleting are skipped, not waited for."""
    expired = IdempotencyKey.objects.filter(created_at__lte=now - LIFETIME).order_by("created_at")
    ids = list(expired.select_for_update(skip_locked=True).values_list("id", flat=True)[:EXPIRED_PER_REQUEST])
    if ids:
        IdempotencyKey.objects.filter(id__in=ids).delete()


def _replay(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(record.response_body), status=record.response_status)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _in_progress() -> HttpResponse:
    response = JsonResponse({"detail": IN_PROGRESS}, status=409)
    response["Retry-After"] = "1"
    return response


def document_idempotency_key(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular hook: the ``Idempotency-Key`` header, and the 409 and 422 it may cause, on every POST it
    applies to."""
    parameter = {
        "in": "header",
        "name": HEADER,
        "required": False,
        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LENGTH},
        "description": (
            "Makes a retry safe: a second request with the same key (per person, for 24 hours) gets the first "
            f"one's answer again, with `{REPLAYED_HEADER}: true`, and creates nothing. The same key with a "
            "different request is a 422; while the first is still running, a 409. Ignored without signing in."
        ),
    }
    detail = {"application/json": {"schema": {"type": "object", "properties": {"detail": {"type": "string"}}}}}
    for path, operations in result.get("paths", {}).items():
        operation = operations.get("post")
        if operation is None or not applies_to("POST", path):
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("in") == "header" and p.get("name") == HEADER for p in parameters):
            parameters.append(parameter)
        responses = operation.setdefault("responses", {})
        responses.setdefault("409", {"description": IN_PROGRESS, "content": detail})
        responses.setdefault("422", {"description": REUSED, "content": detail})
    return result
