"""The test clients of the suite: the API's (``Api``) and the pages' (``page_client``), and reading a page (``page_html``, ``field_errors``)."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from practica.accounts.models import User


class Api(APIClient):
    """A DRF test client; ``api.as_user(person)`` acts as that person, ``api.as_user(None)`` as nobody."""

    def as_user(self, user: User | None) -> Api:
        self.force_authenticate(user=user)
        return self


def page_client(user: User | None = None) -> Client:
    """A browser-like client for the pages, signed in as ``user`` (anonymous when None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_html(response: Any) -> str:
    """A page's HTML as text."""
    return str(response.content.decode())


def field_errors(page: str, field: str) -> str:
    """The error list Django renders next to a form field (``aria-describedby`` points at it), or ""."""
    match = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', page, re.S)
    return match.group(1) if match else ""
