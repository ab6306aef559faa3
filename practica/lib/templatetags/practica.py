from __future__ import annotations

import functools
from typing import Any
from urllib.parse import quote

from django import template
from django.http import QueryDict
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context: dict[str, Any], **kwargs: Any) -> str:
    """The current query string with some parameters replaced (used by pagination and filters)."""
    query: QueryDict = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.filter
def label_of(value: str, choices: Any) -> str:
    return dict(choices).get(value, value)


_PLACEHOLDER = 987654321


@functools.lru_cache(maxsize=256)
def _route_template(name: str, arity: int) -> str:
    args = [_PLACEHOLDER + i for i in range(arity)]
    return reverse(name, args=args)


@register.filter
def url_for(name: str, arg: Any) -> str:
    """``{{ "discussions:vote"|url_for:post.id }}``: the URL of a route with one argument, reversed once and then
    filled in (``{% url %}`` in a loop of hundreds of posts costs a full reverse each time)."""
    return _route_template(name, 1).replace(str(_PLACEHOLDER), _quote(arg), 1)


@register.simple_tag
def url2(name: str, first: Any, second: Any) -> str:
    """Like ``url_for`` for routes with two arguments (a slug and an id)."""
    path = _route_template(name, 2)
    return path.replace(str(_PLACEHOLDER), _quote(first), 1).replace(str(_PLACEHOLDER + 1), _quote(second), 1)


def _quote(value: Any) -> str:
    # As reverse() does: RFC 3986 sub-delimiters, ":", "@" and "~" stay; everything else is percent-encoded.
    return quote(str(value), safe="!$&'()*+,;=:@~")
