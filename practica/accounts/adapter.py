"""The allauth adapter: usernames and email addresses are unique whatever their letter case; failed sign-ins
follow Practica's own policy (``lockout``), shared with the API's token endpoint."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.http import HttpRequest

from practica.accounts import lockout, ratelimit
from practica.accounts.models import User


def _login_of(credentials: dict[str, Any]) -> str:
    return str(credentials.get("username") or credentials.get("email") or "")


class AccountAdapter(DefaultAccountAdapter):
    """allauth lower-cases what people type and then compares it exactly with the stored value. Accounts made
    elsewhere (admin, import, API) may hold capitals ("Nina", "Nina@Example.org"); without these checks the
    database's case-insensitive constraints would turn such a sign-up into a server error."""

    def clean_username(self, username: str, shallow: bool = False) -> str:
        username = super().clean_username(username, shallow=shallow)
        if not shallow and User.objects.filter(username__iexact=username).exists():
            raise self.validation_error("username_taken")
        return username

    def validate_unique_email(self, email: str) -> str:
        email = super().validate_unique_email(email)
        others = User.objects.filter(email__iexact=email)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated:
            others = others.exclude(pk=user.pk)
        if others.exists():
            raise self.validation_error("email_taken")
        return email

    # --- Failed sign-ins: ``lockout`` instead of allauth's per-process counters -------------------------------

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        refusal = lockout.check(request, _login_of(credentials))
        if refusal is not None:
            request._practica_login_refused = refusal  # type: ignore[attr-defined]  # the view answers 429
            raise forms.ValidationError(refusal.message, code="too_many_login_attempts")

    def authenticate(self, request: HttpRequest, **credentials: Any) -> Any:
        user = super().authenticate(request, **credentials)
        if user is not None:
            lockout.succeeded(request, user)
        return user

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        lockout.failed(request, _login_of(credentials))

    def get_client_ip(self, request: HttpRequest) -> str:
        # X-Forwarded-For only from a trusted proxy (BEHIND_PROXY), as everywhere else.
        return ratelimit.client_address(request)
