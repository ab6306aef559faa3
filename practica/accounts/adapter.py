"""The allauth adapter: usernames and email addresses are unique whatever their letter case."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter

from practica.accounts.models import User


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
