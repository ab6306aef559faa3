"""A JSON body nested too deep is refused with a 400 on every endpoint, signed in or not ([P12] finding 9)."""

from __future__ import annotations

import pytest

from practica.accounts.models import User
from practica.communities.models import Community
from practica.lib.api.parsers import MAX_JSON_DEPTH, json_depth_exceeds
from practica.lib.testing.client import Api

pytestmark = pytest.mark.django_db

DEEP_ARRAYS = "[" * 5000 + "]" * 5000
DEEP_OBJECTS = '{"a":' * 5000 + "1" + "}" * 5000
JUST_TOO_DEEP = "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1)


def _post(api: Api, method: str, url: str, body: str) -> tuple[int, dict]:
    response = getattr(api, method)(url, data=body, content_type="application/json")
    return response.status_code, response.json()


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS, JUST_TOO_DEEP])
def test_anonymous_token_request_with_a_deeply_nested_body_gets_400(api: Api, body: str) -> None:
    status, data = _post(api, "post", "/api/v1/auth/token/", body)

    assert status == 400
    assert set(data) == {"detail"}
    assert "nests" in data["detail"]


@pytest.mark.parametrize("body", [DEEP_ARRAYS, DEEP_OBJECTS])
@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/v1/communities/"),
        ("patch", "/api/v1/communities/public-wells/"),
        ("post", "/api/v1/communities/public-wells/threads/"),
        ("post", "/api/v1/communities/public-wells/events/"),
        ("post", "/api/v1/communities/public-wells/knowledge/"),
        ("patch", "/api/v1/me/"),
        ("post", "/api/v1/notifications/mark-read/"),
        ("post", "/api/v1/invitations/accept/"),
    ],
)
def test_signed_in_requests_with_a_deeply_nested_body_get_400(
    api: Api, owner: User, community: Community, method: str, url: str, body: str
) -> None:
    before = Community.objects.count()

    status, data = _post(api.as_user(owner), method, url, body)

    assert status == 400, data
    assert "nests" in data["detail"]
    assert Community.objects.count() == before


def test_a_deeply_nested_body_on_the_attachments_endpoint_gets_400(api: Api, owner: User, community: Community) -> None:
    from practica.lib.testing.content import draft

    item = draft(community, owner)

    status, data = _post(api.as_user(owner), "post", f"/api/v1/knowledge/{item.pk}/attachments/", DEEP_OBJECTS)

    assert status == 400
    assert "nests" in data["detail"]


def test_a_body_nested_to_the_limit_is_still_read(api: Api, owner: User) -> None:
    nested = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    body = '{"username": "owner", "password": "pw-Secret-123", "extra": ' + nested + "}"

    status, data = _post(api, "post", "/api/v1/auth/token/", body)

    # The outer object is one more level: 65 levels is refused, so this one is one level too deep ...
    assert status == 400
    # ... and one level less is read (the extra field is ignored).
    inner = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    body = '{"username": "owner", "password": "pw-Secret-123", "extra": ' + inner + "}"
    status, data = _post(api, "post", "/api/v1/auth/token/", body)
    assert status == 200, data
    assert "token" in data


def test_brackets_inside_strings_do_not_count_towards_the_depth() -> None:
    text = '{"title": "' + "[" * 10_000 + '", "body": "\\"{{{{' + "{" * 500 + '"}'

    assert not json_depth_exceeds(text)
    assert json_depth_exceeds("[" * 65 + "]" * 65)
    assert not json_depth_exceeds("[" * 64 + "]" * 64)
    assert json_depth_exceeds('{"a":[' * 33 + "]}" * 33)
    assert not json_depth_exceeds('{"a":[' * 32 + "]}" * 32)
    wide = "[" + ", ".join(['[1, [2, {"a": [3]}]]'] * 1000) + "]"
    assert not json_depth_exceeds(wide)


def _api_view_classes() -> list[type]:
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[type] = []

    def walk(patterns: list) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns)
            elif isinstance(pattern, URLPattern):
                view_class = getattr(pattern.callback, "cls", None) or getattr(pattern.callback, "view_class", None)
                if view_class is not None and hasattr(view_class, "parser_classes"):
                    found.append(view_class)

    walk(get_resolver().url_patterns)
    return found


def test_every_api_view_reads_json_through_the_bounded_parser() -> None:
    from rest_framework.parsers import JSONParser

    from practica.lib.api.parsers import BoundedJSONParser

    views = _api_view_classes()
    assert len(views) > 30
    for view_class in views:
        for parser in view_class.parser_classes:
            if issubclass(parser, JSONParser):
                assert issubclass(parser, BoundedJSONParser), f"{view_class.__name__} parses JSON with {parser}"
