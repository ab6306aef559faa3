"""``Authorization: Token <key>`` (or ``Bearer <key>``) for the API, checked against the hashed personal tokens;
and who is asking, for the API views of every app."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from practica.accounts import ratelimit
from practica.accounts.models import ApiToken, TokenScope, User
from practica.accounts.services import token_touch
from practica.accounts.tokens import key_hash, password_marker

KEYWORDS = (b"token", b"bearer")
INVALID = "Invalid token."  # one message for unknown, revoked and expired tokens: nothing to learn from it


class ApiTokenAuthentication(BaseAuthentication):
    """A personal token: not revoked, not expired, its owner active and their password unchanged since it was
    made. A read-only token may only read (and revoke itself)."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid token header: give the token after the word Token.")
        try:
            key = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(INVALID) from None
        token = (
            ApiToken.objects.select_related("user")
            .filter(key_hash=key_hash(key), revoked_at=None, expires_at__gt=timezone.now())
            .first()
        )
        if token is None or not token.user.is_active or token.password_marker != password_marker(token.user):
            raise exceptions.AuthenticationFailed(INVALID)
        if token.scope == TokenScope.READ and request.method not in SAFE_METHODS and not _revokes_itself(request):
            raise exceptions.PermissionDenied("This token is read-only: make a token with write access to change things.")
        token_touch(token=token, address=ratelimit.client_address(request))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return "Token"


def _revokes_itself(request: Request) -> bool:
    return request.method == "DELETE" and request.path.rstrip("/").endswith("/auth/token")


def authenticated_user(request: Request) -> User:
    """The signed-in user; 401 for anonymous requests."""
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    return request.user  # type: ignore[return-value]


def token_of(request: Any) -> ApiToken | None:
    """The personal token a request was authenticated with, if any."""
    auth = getattr(request, "auth", None)
    return auth if isinstance(auth, ApiToken) else None


class ApiTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """How the OpenAPI schema describes personal tokens."""

    target_class = "practica.accounts.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "A personal token: `Token <key>` (from POST /api/v1/auth/token/ or the API tokens page).",
        }
