"""The community health page (``/communities/{slug}/health/``) and the CSV export of its tables. Thin: the window
from the form, the dashboard from ``dashboard.health_dashboard`` (through the permission-scoped selector: 404 for
whoever may not see the health), the charts from ``charts``; the people are shown to coordinators only."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from practica.communities.models import Community
from practica.communities.permissions import Access
from practica.discussions.permissions import may_see_unheard
from practica.insights import charts, exports, selectors
from practica.insights.catalogue import CATALOGUE
from practica.insights.dashboard import WINDOW_CHOICES, health_dashboard
from practica.insights.forms import HealthWindowForm
from practica.insights.history import metric_history
from practica.insights.lifecycle import lifecycle_panel
from practica.insights.metrics import Window
from practica.insights.permissions import SEE_PEOPLE

# Metrics whose threads are the ones nobody (else) answered: the unheard queue for who may see it.
_UNHEARD = ("unanswered", "unanswered_rate", "solo_thread_rate", "reply_coverage_7d", "newcomer_reply_coverage_7d",
            "median_first_response_hours", "p90_first_response_hours")
_MEMBERS = ("contributors", "active_members", "dau", "wau", "mau", "dau_mau", "absence_factor", "top10_share",
            "elephant_factor", "new_contributors", "reactivated_contributors", "net_contributor_change")


def _links(slug: str, access: Access, people: bool) -> dict[str, str]:
    """What is behind each number, where a page shows it (metric name -> URL)."""
    threads = reverse("discussions:list", args=[slug])
    members = reverse("communities:members", args=[slug])
    unanswered = f"{threads}?{urlencode({'kind': 'question', 'status': 'unanswered'})}"
    links = {
        "new_threads": f"{threads}?{urlencode({'sort': 'newest'})}",
        "contributions": f"{threads}?{urlencode({'sort': 'activity'})}",
        "accepted_answer_rate": f"{threads}?{urlencode({'kind': 'question', 'status': 'solved'})}",
        "unanswered": unanswered,
        "unanswered_rate": unanswered,
    }
    if may_see_unheard(access):
        links.update(dict.fromkeys(_UNHEARD, reverse("discussions:unheard", args=[slug])))
    links.update(dict.fromkeys(_MEMBERS, members))
    for level in ("core", "active", "occasional", "peripheral", "inactive"):
        links[f"participation_{level}"] = "#people-levels" if people else members
    if people:
        links["lost_regulars"] = "#lost-regulars"
    return links


# The metrics whose daily history the page draws (one query each): who takes part, and whether they are answered.
TRENDS = ("contributors", "reply_coverage_7d")


def _trends(community: Community, window: Window) -> list[charts.Chart | None]:
    """A trend line per metric of ``TRENDS`` over the window's days, from the daily snapshots (each day's value is
    the metric over the 30 days ending that day); None where fewer than two days are stored."""
    return [
        charts.trend_chart(
            key=f"trend-{name}", label=f"{CATALOGUE[name].label} (the 30 days to each day)",
            points=[(point.day, point.value) for point in
                    metric_history(community=community, metric=name, start=window.start, end=window.end)],
        )
        for name in TRENDS
    ]


@require_GET
def health(request: HttpRequest, slug: str) -> HttpResponse:
    community, access = selectors.health_get_allowed(slug=slug, user=request.user)
    form = HealthWindowForm(request.GET or None)
    window = form.window()  # the last 90 days when the form has errors (shown beside their fields)
    people = SEE_PEOPLE(access)
    dashboard = health_dashboard(community=community, window=window, people=people)
    query = urlencode({"days": window.days, "end": window.end.isoformat()})
    links = _links(community.slug, access, people)
    context = {
        "community": community,
        "access": access,
        "form": form,
        "dashboard": dashboard,
        "window_choices": WINDOW_CHOICES,
        "groups": [(group, [(row, links.get(row.name)) for row in rows]) for group, rows in dashboard.groups],
        "levels": [(level, links.get(f"participation_{level.level}")) for level in dashboard.levels],
        "charts": [
            c for c in (
                charts.ladder_chart(dashboard.levels), charts.concentration_chart(dashboard.curve),
                *_trends(community, window),
            ) if c
        ],
        "exports": {name: f"{reverse('insights:health_csv', args=[community.slug, name])}?{query}"
                    for name, table in exports.TABLES.items() if people or not table.people},
        "lifecycle": lifecycle_panel(community=community, health=dashboard.health, access=access),
    }
    return render(request, "insights/health.html", context)


@require_GET
def health_csv(request: HttpRequest, slug: str, table: str) -> HttpResponse:
    community, access = selectors.health_get_allowed(slug=slug, user=request.user)
    if table not in exports.TABLES:
        raise Http404("No such table.")
    if exports.TABLES[table].people:
        SEE_PEOPLE.require(access)
    form = HealthWindowForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        message = " ".join(str(error) for errors in form.errors.values() for error in errors)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    dashboard = health_dashboard(community=community, window=form.window(), people=exports.TABLES[table].people)
    response = HttpResponse(exports.table_csv(table, dashboard), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{exports.filename(table, dashboard)}"'
    return response
