"""allauth's sign-up and password-reset forms, answering alike whether an email address is registered or not.

allauth hides a registered address at sign-up only when email verification is mandatory: with ``optional`` (our
default) its ``assess_unique_email`` puts uniqueness first and answers "A user is already registered with this
email address", and its ``"strict"`` mode would make a second account for the address, which our
case-insensitive unique constraint turns into a server error. So a sign-up here always goes the mandatory way,
whatever ``ACCOUNT_EMAIL_VERIFICATION`` says about later sign-ins:

* a new address gets its account and a confirmation link, and the person is signed in by confirming it;
* a registered address (in any letter case, or one registered by a request that won the race) gets no account;
  its owner gets allauth's "someone tried to sign up with your address" email;

and both see the same "confirm your address" page. With ``ACCOUNT_EMAIL_VERIFICATION=none`` no email can carry
the answer, so allauth's own behaviour (the address is said to be taken) is kept.

The password reset already answers alike (allauth's ``ACCOUNT_PREVENT_ENUMERATION``, on by default); it only
needed to find addresses stored with capitals ("Nina@Example.org", made by the admin or an import), which
allauth compares exactly with the lower-cased address typed.
"""

from __future__ import annotations

from typing import Any

from allauth.account import app_settings
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.login import perform_login
from allauth.account.internal.flows.signup import complete_signup
from allauth.account.models import EmailAddress, Login
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse

from practica.accounts.models import User

MANDATORY = app_settings.EmailVerificationMethod.MANDATORY


def address_registered(email: str) -> bool:
    """Whether an account already uses this address, whatever its letter case."""
    return (
        User.objects.filter(email__iexact=email).exists()
        or EmailAddress.objects.filter(email__iexact=email).exists()
    )


def _hides_addresses() -> bool:
    return bool(app_settings.EMAIL_VERIFICATION != app_settings.EmailVerificationMethod.NONE)


class SignupForm(AllauthSignupForm):
    """allauth's sign-up form (with ``SignupExtraForm``'s fields) answering alike for new and registered addresses."""

    def validate_unique_email(self, value: str) -> str:
        if not _hides_addresses():
            return str(super().validate_unique_email(value))
        self.account_already_exists = address_registered(value)
        return value

    def try_save(self, request: HttpRequest) -> tuple[Any, HttpResponse | None]:
        if not _hides_addresses():
            return super().try_save(request)  # type: ignore[no-any-return]
        email = self.cleaned_data.get("email") or ""
        if not self.account_already_exists:
            try:
                with transaction.atomic():
                    user, response = super().try_save(request)
            except IntegrityError:  # another sign-up registered the address since the check
                if not address_registered(email):
                    raise
            else:
                if response is not None or user is None:  # allauth's honeypot answer
                    return user, response
                return user, complete_signup(request, user=user, email_verification=MANDATORY)
        # As allauth does with mandatory verification: a sign-in attempt without a person, which emails the
        # address's owner and answers "confirm your address" like a real sign-up.
        login = Login(user=None, email=email, signup=True, email_verification=MANDATORY)
        return None, perform_login(request, login)


class ResetPasswordForm(AllauthResetPasswordForm):
    """allauth's password-reset form, finding the account whatever the letter case of its stored address."""

    users: list[Any]

    def clean_email(self) -> str:
        email = str(super().clean_email())
        if not self.users:
            self.users = list(User.objects.filter(email__iexact=email.strip(), is_active=True))
        return email
