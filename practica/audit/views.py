"""The audit log's pages: a community's (coordinators) and the network's (network admins)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from practica.audit import selectors
from practica.audit.forms import AuditFilterForm
from practica.communities.selectors import community_get_readable
from practica.lib.http import render_page


def _filtered(request: HttpRequest, entries):  # type: ignore[no-untyped-def]
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.audit_filter(entries, **{k: v for k, v in filters.items() if v})
    return form, Paginator(entries, 50).get_page(request.GET.get("page"))


@require_GET
def community_audit(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = community_get_readable(slug=slug, user=request.user)
    form, page = _filtered(request, selectors.audit_entries_of_community(access=access))
    context = {"community": community, "access": access, "form": form, "page": page, "network": False}
    return render_page(request, "audit/log.html", context, partial="audit/_entries.html")


@login_required
@require_GET
def network_audit(request: HttpRequest) -> HttpResponse:
    form, page = _filtered(request, selectors.audit_entries_all(user=request.user))
    context = {"form": form, "page": page, "network": True}
    return render_page(request, "audit/log.html", context, partial="audit/_entries.html")
