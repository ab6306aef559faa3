"""Submit hostile values to every form and API endpoint of a running database and list what answers 5xx.

    PRACTICA_VAR_DIR=/tmp/demo .venv/bin/python bench/fuzz.py [--users admin demo] [--pages 260]
    DATABASE_URL=postgres://... .venv/bin/python bench/fuzz.py          # the same on PostgreSQL

Point it at a throw-away copy of the demo (``make demo``'s data: ``migrate`` and ``seed_demo`` in an empty
``PRACTICA_VAR_DIR``): it *writes* — every form is submitted, as each user given, many times. Through Django's
test client, in process, nothing is served.

* **Forms**: the pages reachable from a few start pages (breadth first, up to ``--pages`` per user) are read;
  every distinct form (by action and field names) is submitted once per field and hostile value, the other
  fields keeping the values the page gave them. Forms that log out, delete or leave are skipped.
* **API**: every path of the OpenAPI schema, with ids of existing objects in its path; each query parameter and
  each top-level property of the JSON body gets each hostile value in turn; bodies that are not JSON objects
  too.

Hostile values: what people paste by mistake or on purpose — a superscript digit (a digit to ``str.isdigit``,
not to ``int``), numbers past 64 bits, zero and negatives, 20,000 characters, a NUL byte, emoji, markup, SQL,
impossible dates and times, JSON of the wrong type. Found with it on 2026-11-30, and fixed: 500s on
recruiting a ``user_id`` that is not a number, on an organisation id past 64 bits and on a flag number like "²"
(reading the code for the same pattern then found four more). Run it twice on the same copy: the first pass creates flags, requests, drafts and invitations whose own forms
only the second pass can reach (the flag queue's 500 was found that way). Not part of ``make test`` (about five
minutes per pass and database); run it before a release or after adding forms. Exit status 1 when anything
answered 5xx.
"""

from __future__ import annotations

import argparse
import collections
import html
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOSTILE: list[Any] = [
    "²", "9" * 25, "-1", "0", "x" * 20_000, "a\x00b", "😀" * 3, "<script>alert(1)</script>", "' OR 1=1 --", "",
    " ", "1e309", "NaN", "2026-02-30", "12:99", "[]", "{}",
]
JSON_HOSTILE: list[Any] = [*HOSTILE, -1, 0, 2**70, None, True, [], {}, [1, "x"], {"a": 1}, 1.5, "2026-01-01T25:00:00Z"]
START_PAGES = ["/", "/communities/", "/search/?q=cement", "/experts/", "/notifications/", "/notifications/settings/", "/people/"]
SKIPPED_ACTIONS = re.compile(r"logout|delete|leave|deactivate")
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)
FIELD_RE = re.compile(r"<(?:input|textarea|select)\b([^>]*)>", re.I)
BUTTON_RE = re.compile(r"<button\b([^>]*)>", re.I)


def _attribute(attributes: str, name: str) -> str | None:
    match = re.search(rf'\b{name}="([^"]*)"', attributes)
    return html.unescape(match.group(1)) if match else None


def _forms(client: Any, pages: int) -> tuple[int, dict[tuple[str, str, tuple[str, ...]], tuple[str, str, dict[str, str]]]]:
    """Crawl from the start pages; the distinct forms found, each with the values its page gave its fields."""
    seen: set[str] = set()
    queue = list(START_PAGES)
    forms: dict[tuple[str, str, tuple[str, ...]], tuple[str, str, dict[str, str]]] = {}
    while queue and len(seen) < pages:
        url = queue.pop(0)
        if url in seen or url.startswith(("/accounts/logout", "/admin", "/static", "/api/v1/schema")):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode(errors="replace")
        queue += [
            html.unescape(href) for href in re.findall(r'href="(/[^"#]*)"', page)
            if not SKIPPED_ACTIONS.search(href) and len(queue) < 2000
        ]
        for attributes, body in FORM_RE.findall(page):
            method = (_attribute(attributes, "method") or "get").lower()
            action = _attribute(attributes, "action") or url
            fields: dict[str, str] = {}
            for field in FIELD_RE.findall(body):
                name = _attribute(field, "name")
                if not name or name == "csrfmiddlewaretoken":
                    continue
                if (_attribute(field, "type") or "") in ("checkbox", "radio") and "checked" not in field:
                    fields.setdefault(name, _attribute(field, "value") or "on")
                else:
                    fields.setdefault(name, _attribute(field, "value") or "")
            # A form with named buttons (action=move, action=duplicate…) is as many forms as it has buttons.
            buttons = [(n, _attribute(b, "value") or "") for b in BUTTON_RE.findall(body) if (n := _attribute(b, "name"))]
            choices: list[tuple[str, str] | None] = [*buttons] if buttons else [None]
            for button in choices:
                variant = {**fields, button[0]: button[1]} if button else fields
                key = (method, re.sub(r"\d+", "N", action.split("?")[0]), (*sorted(fields), *(button or ())))
                forms.setdefault(key, (method, action, variant))
    return len(seen), forms


def fuzz_forms(client: Any, pages: int, failures: collections.Counter[tuple[str, ...]]) -> str:
    crawled, forms = _forms(client, pages)
    requests = 0
    for method, action, fields in forms.values():
        if SKIPPED_ACTIONS.search(action):
            continue
        for name in fields or {"q": ""}:
            for value in HOSTILE:
                data = {**fields, name: value}
                response = client.post(action, data) if method == "post" else client.get(action, data)
                requests += 1
                if response.status_code >= 500:
                    failures[(method.upper(), re.sub(r"\d+", "N", action), name, repr(value)[:24])] += 1
    return f"{crawled} pages crawled, {len(forms)} distinct forms, {requests} submissions"


def _sample_ids() -> dict[str, Any]:
    from practica.discussions.models import Comment, Post, Thread
    from practica.events.models import Event
    from practica.knowledge.models import KnowledgeItem

    thread = Thread.objects.filter(deleted_at=None).order_by("id").first()
    if thread is None:
        raise SystemExit("No thread in this database: load the demo first (migrate, then seed_demo).")
    comment = Comment.objects.order_by("id").first()
    item = KnowledgeItem.objects.order_by("id").first()
    event = Event.objects.order_by("id").first()
    return {
        "slug": thread.community.slug, "thread_id": thread.id,
        "post_id": Post.objects.filter(thread=thread).values_list("id", flat=True).first(),
        "comment_id": comment.id if comment else 1, "item_id": item.id if item else 1,
        "event_id": event.id if event else 1, "username": "demo",
    }


def fuzz_api(client: Any, failures: collections.Counter[tuple[str, ...]]) -> str:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    ids = _sample_ids()
    requests = 0

    def record(response: Any, *key: str) -> None:
        nonlocal requests
        requests += 1
        if response.status_code >= 500:
            failures[key] += 1

    for path, operations in schema["paths"].items():
        if "schema" in path:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids.get(m.group(1), 1)), path)
        for method, operation in operations.items():
            if method not in ("get", "post", "patch", "put") or (method != "get" and SKIPPED_ACTIONS.search(path)):
                continue
            send = getattr(client, method)
            for parameter in (p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"):
                for value in (v for v in JSON_HOSTILE if isinstance(v, (str, int, float))):
                    response = client.get(url, {parameter: value}) if method == "get" else send(f"{url}?{parameter}={value}", {}, format="json")
                    record(response, method.upper(), path, f"query {parameter}", repr(value)[:24])
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in body:
                body = schema["components"]["schemas"][body["$ref"].split("/")[-1]]
            for name in body.get("properties", {}):
                for value in JSON_HOSTILE:
                    record(send(url, {name: value}, format="json"), method.upper(), path, name, repr(value)[:24])
            if method != "get":
                for raw, content_type in (("{not json", "application/json"), ("[1, 2]", "application/json"), ("a=1", "text/plain")):
                    record(send(url, raw, content_type=content_type), method.upper(), path, "body", raw)
    return f"{len(schema['paths'])} API paths, {requests} requests"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", nargs="+", default=["admin", "demo"], help="usernames to act as (default: admin demo)")
    parser.add_argument("--pages", type=int, default=260, help="pages crawled per user (default 260)")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "practica.settings")
    # Thousands of submissions a minute: the abuse limits would answer most of them 429 and hide the rest.
    os.environ.setdefault("RATE_LIMITS", "search=off,search-anonymous=off,post=off,signup=off,token=off")
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import setup_test_environment
    from rest_framework.test import APIClient

    from practica.accounts.models import User

    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    import logging

    logging.disable(logging.CRITICAL)  # each 4xx would print a line; the 5xx are counted below
    failures: collections.Counter[tuple[str, ...]] = collections.Counter()
    for username in args.users:
        user = User.objects.filter(username=username).first()
        if user is None:
            print(f"{username}: no such user, skipped", file=sys.stderr)
            continue
        client = APIClient(raise_request_exception=False)
        client.force_login(user)
        started = time.monotonic()
        forms = fuzz_forms(client, args.pages, failures)
        api = fuzz_api(client, failures)
        print(f"{username}: {forms}; {api} ({time.monotonic() - started:.0f} s)", flush=True)
    for key, count in sorted(failures.items()):
        print(f"5xx ×{count}: {' '.join(key)}")
    print(f"{len(failures)} kinds of 5xx" if failures else "No 5xx.")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
