"""The network view's page and its CSV exports: every community whose health the viewer may see, in one sortable
table, the fading ones flagged, and the brokers for network admins (``network.py`` says who sees what).

A wrong window or sort shows the page for the default window, sorted by name, with the form's message; the CSV
exports answer it with a 400. Whoever sees the health of no community gets a 404: for them the page does not
exist (the anonymous visitor is sent to sign in first, as on every signed-in page).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.views.decorators.http import require_GET

from practica.insights import network
from practica.insights.forms_network import COLUMN_LABELS, NetworkHealthForm
from practica.insights.metrics import Window
from practica.insights.permissions import may_see_brokers
from practica.lib.http import render_page

BROKERS_SHOWN = 100  # on the page; the CSV has them all
DEFAULT_SORT = "name"


def _window_and_sort(form: NetworkHealthForm) -> tuple[Window, str]:
    """The form's window and sort, each falling back to its default when wrong (the form shows why)."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return data.get("window") or network.network_window(), data.get("sort") or DEFAULT_SORT


def _query(window: Window, **extra: str) -> str:
    return urlencode({"days": window.days, "end": window.end.isoformat(), **extra})


def _columns(window: Window, sort: str) -> list[dict[str, Any]]:
    """The table's headers: each a link that sorts by it (ascending first, then the other way), with
    ``aria-sort`` on the one the table is sorted by."""
    current, descending = sort.removeprefix("-"), sort.startswith("-")
    columns = []
    for key, label in COLUMN_LABELS.items():
        sorted_here = key == current
        next_sort = key if sorted_here and descending else f"-{key}" if sorted_here else key
        columns.append({
            "key": key, "label": label, "query": _query(window, sort=next_sort),
            "aria_sort": ("descending" if descending else "ascending") if sorted_here else "",
        })
    return columns


@login_required
@require_GET
def network_health_page(request: HttpRequest) -> HttpResponse:
    form = NetworkHealthForm(request.GET)
    window, sort = _window_and_sort(form)
    health = network.network_health(user=request.user, window=window)
    brokers = health.brokers or []
    context = {
        "form": form,
        "health": health,
        "rows": network.sort_rows(health.communities, sort),
        "columns": _columns(window, sort),
        "headline": network.HEADLINE,
        "fading": [row for row in health.communities if row.fading],
        "brokers": brokers[:BROKERS_SHOWN],
        "brokers_more": max(0, len(brokers) - BROKERS_SHOWN),
        "export_query": _query(window, sort=sort),
        "quiet_days": network.QUIET_DAYS,
        "drop_percent": network.FADING_DROP_PERCENT,
    }
    return render_page(request, "insights/network.html", context, partial="insights/_network_tables.html")


def _bad_request(form: NetworkHealthForm) -> HttpResponse | None:
    if form.is_valid():
        return None
    lines = [f"{field}: {message}" for field, messages in form.errors.items() for message in messages]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


def _cell(value: Any) -> Any:
    """A value as a spreadsheet reads it safely: text that starts like a formula is quoted (CSV injection)."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return f"'{value}"
    return value


def _csv(filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return response


@login_required
@require_GET
def network_communities_csv(request: HttpRequest) -> HttpResponse:
    form = NetworkHealthForm(request.GET)
    if (refused := _bad_request(form)) is not None:
        return refused
    window, sort = _window_and_sort(form)
    health = network.network_health(user=request.user, window=window)
    header = ["slug", "name", "visibility", "stage", "members"]
    for name in network.HEADLINE:
        header += [name, f"{name}_previous"]
    header += ["organisations", "fading", "fading_reasons", "window_start", "window_end"]
    rows = []
    for row in network.sort_rows(health.communities, sort):
        line: list[Any] = [row.community.slug, row.community.name, row.community.visibility, row.community.stage,
                           row.members]
        for name in network.HEADLINE:
            line += [row.metrics[name].value, row.metrics[name].previous]
        line += [
            "; ".join(o.name for o in row.organisations), "yes" if row.fading else "no",
            "; ".join(row.fading_reasons), window.start.isoformat(), window.end.isoformat(),
        ]
        rows.append(line)
    return _csv(f"network-health-{window.end.isoformat()}-{window.days}d.csv", header, rows)


@login_required
@require_GET
def network_brokers_csv(request: HttpRequest) -> HttpResponse:
    if not may_see_brokers(request.user):
        if not network.network_visible(user=request.user):
            raise Http404("No such page.")
        may_see_brokers.require(request.user)
    form = NetworkHealthForm(request.GET)
    if (refused := _bad_request(form)) is not None:
        return refused
    window, _sort = _window_and_sort(form)
    health = network.network_health(user=request.user, window=window)
    header = ["username", "display_name", "organisation", "communities", "contributions", "bridges",
              "window_start", "window_end"]
    rows = [
        [
            broker.username, broker.display_name, broker.organisation, len(broker.communities), broker.contributions,
            "; ".join(f"{c.slug} ({c.contributions})" for c in broker.communities),
            window.start.isoformat(), window.end.isoformat(),
        ]
        for broker in health.brokers or []
    ]
    return _csv(f"network-brokers-{window.end.isoformat()}-{window.days}d.csv", header, rows)
