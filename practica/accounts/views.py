"""Account pages Practica adds to allauth's: the limits in front of sign-in, sign-up and password reset, the
admin's sign-in, and personal API tokens."""

from __future__ import annotations

from allauth.account import views as allauth_views
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from practica.accounts import ratelimit, selectors, services
from practica.accounts.forms import TokenCreateForm
from practica.lib.forms import add_service_errors


def login(request: HttpRequest) -> HttpResponse:
    """allauth's sign-in page; an attempt refused by the failed sign-in policy answers 429 with ``Retry-After``."""
    response: HttpResponse = allauth_views.login(request)
    refusal = getattr(request, "_practica_login_refused", None)
    if refusal is not None:
        response.status_code = 429
        response["Retry-After"] = str(max(refusal.retry_after, 1))
    return response


def signup(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        verdict = ratelimit.hit("signup", ratelimit.client_address(request))
        if not verdict.allowed:
            return ratelimit.too_many(request, verdict.retry_after, "Too many sign-ups from your network. "
                                      f"Try again in {ratelimit.describe_wait(verdict.retry_after)}.")
    response: HttpResponse = allauth_views.signup(request)
    return response


def password_reset(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        verdict = ratelimit.hit("password-reset-address", ratelimit.client_address(request))
        email = (request.POST.get("email") or "").strip().lower()
        if verdict.allowed and email:
            verdict = ratelimit.hit("password-reset-email", email)
        if not verdict.allowed:
            return ratelimit.too_many(request, verdict.retry_after, "Too many password reset requests. "
                                      f"Try again in {ratelimit.describe_wait(verdict.retry_after)}.")
    response: HttpResponse = allauth_views.password_reset(request)
    return response


@require_GET
def admin_login(request: HttpRequest) -> HttpResponse:
    """The admin signs in through the sign-in page, under the same limits (the admin's own form had none)."""
    target = request.GET.get("next", "/admin/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        target = "/admin/"
    return redirect(f"/accounts/login/?{urlencode({'next': target})}")


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens: make one (shown once), see when each was last used, revoke."""
    user = request.user
    form = TokenCreateForm(request.POST or None)
    issued = None
    status = 200
    if request.method == "POST":
        verdict = ratelimit.hit("token", f"user:{user.pk}")
        if not verdict.allowed:
            return ratelimit.too_many(request, verdict.retry_after)
        if form.is_valid():
            try:
                issued = services.token_create(
                    user=user,  # type: ignore[arg-type]
                    name=form.cleaned_data["name"],
                    scope=form.cleaned_data["scope"],
                    expires_in_days=form.cleaned_data["expires_in_days"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
                status = 400
            else:
                form = TokenCreateForm()
        else:
            status = 400
    context = {"form": form, "issued": issued, "tokens": selectors.tokens_of(user=user)}  # type: ignore[arg-type]
    response = render(request, "accounts/tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the new token is in the page
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(selectors.tokens_of(user=request.user), pk=token_id)  # type: ignore[arg-type]
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, f"The token “{token.name}” is revoked: it no longer works.")
    return redirect("accounts:tokens")
