"""The community health page and the CSV export of its tables: who sees what, the numbers a person reads, the
window selector's errors, the charts (safe under the Content-Security-Policy) and the cost of the page."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.insights import metrics
from practica.insights.dashboard import today_utc
from practica.insights.tests.health_world import QUERY, grow, populate
from practica.lib.testing.client import field_errors, page_client, page_html
from practica.lib.testing.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def url(community: Community) -> str:
    return f"/communities/{community.slug}/health/"


def csv_url(community: Community, table: str) -> str:
    return f"/communities/{community.slug}/health/{table}.csv"


def text(html: str) -> str:
    """The page's words, tags taken out and spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def with_role(community: Community, role: str, name: str) -> User:
    person = UserFactory.create(username=name)
    MembershipFactory.create(community=community, user=person, role=role)
    return person


@pytest.fixture
def regular(community: Community, owner: User, member: User) -> User:
    return populate(community, owner, member)


def test_the_coordinator_reads_each_metric_with_the_window_before_and_the_change(
    community: Community, owner: User, regular: User
) -> None:
    response = page_client(owner).get(url(community), QUERY)
    assert response.status_code == 200
    page = text(page_html(response))
    assert "The 30 days from 2 Mar 2026 to 31 Mar 2026 (UTC)" in page
    # February: the owner's thread and the regular's four replies; March: a question, its answer, a comment.
    assert "Contributions Threads, replies and comments written in the window. 3 5 ▼ down 2 (worse)" in page
    assert "Lost regulars Regulars of the 90 days before the window with no contribution in it. 1 0 ▲ up 1 (worse)" in page
    assert "Contributors People who contributed in the window. 2 2 = no change" in page
    assert "Reply coverage (7 days) Threads answered by someone else within a week. 100% 100% = no change" in page
    assert "Unanswered questions The window's questions with no reply by someone else yet. 0 0 = no change" in page
    for group in ("Activity", "Responsiveness", "Concentration and diversity", "Participation", "Movement"):
        assert f"<h3>{group}</h3>" in page_html(response)


def test_the_coordinator_sees_who_is_on_which_level_and_the_lost_regulars_with_links_to_profiles(
    community: Community, owner: User, regular: User
) -> None:
    html = page_html(page_client(owner).get(url(community), QUERY))
    assert "Who is behind the numbers" in html
    assert '<a href="/people/regular/">Rita Regular</a></th><td>4</td>' in html
    assert '<a href="/people/member/">member</a></th><td>member</td><td>Core</td>' in html


@pytest.mark.parametrize("role", [Role.CORE, Role.SPONSOR])
def test_core_members_and_sponsors_see_the_numbers_and_not_the_people(
    community: Community, regular: User, role: str
) -> None:
    html = page_html(page_client(with_role(community, role, f"the-{role}")).get(url(community), QUERY))
    assert "Lost regulars" in html and "Rita Regular" not in html and "Who is behind the numbers" not in html


def test_a_member_of_a_public_community_sees_the_numbers_but_nobody_by_name(
    community: Community, member: User, regular: User
) -> None:
    response = page_client(member).get(url(community), QUERY)
    assert response.status_code == 200
    html = page_html(response)
    assert "Unanswered questions" in html and "Rita Regular" not in html and "/people/regular/" not in html
    assert "people.csv" not in html and "lost_regulars.csv" not in html


def test_the_unanswered_number_opens_the_unheard_queue_for_the_core_and_the_thread_list_for_members(
    community: Community, owner: User, member: User, regular: User
) -> None:
    owner_page = page_html(page_client(owner).get(url(community), QUERY))
    assert f'<a href="/communities/{community.slug}/unheard/">0</a>' in owner_page
    member_page = page_html(page_client(member).get(url(community), QUERY))
    assert f'<a href="/communities/{community.slug}/threads/?kind=question&amp;status=unanswered">0</a>' in member_page
    assert f'<a href="/communities/{community.slug}/members/">2</a>' in member_page  # contributors


def test_a_member_of_a_private_community_without_a_role_gets_404(private_community: Community, member: User) -> None:
    assert page_client(member).get(url(private_community)).status_code == 404
    assert page_client(member).get(csv_url(private_community, "metrics")).status_code == 404


def test_an_outsider_and_the_anonymous_visitor_get_404_for_public_and_private_communities(
    public_community: Community, private_community: Community, outsider: User
) -> None:
    for person in (outsider, None):
        for community in (public_community, private_community):
            assert page_client(person).get(url(community)).status_code == 404
            assert page_client(person).get(csv_url(community, "metrics")).status_code == 404


def test_the_nav_links_to_the_health_page_for_who_may_see_it(
    private_community: Community, owner: User, member: User
) -> None:
    link = f'href="/communities/{private_community.slug}/health/"'
    assert link in page_html(page_client(owner).get(f"/communities/{private_community.slug}/"))
    assert link not in page_html(page_client(member).get(f"/communities/{private_community.slug}/"))


@pytest.mark.parametrize(
    ("query", "field"),
    [({"days": "0"}, "days"), ({"days": "many"}, "days"), ({"end": "2026-02-30"}, "end"),
     ({"start": "2026-03-10", "end": "2026-03-01"}, "start"), ({"start": "1970-01-01", "end": "1970-01-20"}, "start")],
)
def test_a_bad_window_is_a_form_error_on_the_page_and_the_last_90_days_are_shown(
    community: Community, owner: User, query: dict[str, str], field: str
) -> None:
    response = page_client(owner).get(url(community), query)
    assert response.status_code == 200
    html = page_html(response)
    assert field_errors(html, field), html[:3000]
    assert "That window cannot be shown" in html and "The 90 days from" in text(html)


def test_a_window_ending_in_the_future_is_a_form_error_that_says_so(community: Community, owner: User) -> None:
    tomorrow = (today_utc() + timedelta(days=1)).isoformat()
    html = page_html(page_client(owner).get(url(community), {"end": tomorrow}))
    assert "cannot end in the future" in field_errors(html, "end")


def test_a_custom_start_and_end_choose_the_window(community: Community, owner: User) -> None:
    html = page_html(page_client(owner).get(url(community), {"start": "2026-03-02", "end": "2026-03-31"}))
    assert "The 30 days from 2 Mar 2026 to 31 Mar 2026 (UTC)" in text(html)


def test_the_charts_are_named_images_with_their_numbers_and_no_script_or_inline_style(
    community: Community, owner: User, regular: User
) -> None:
    html = page_html(page_client(owner).get(url(community), QUERY))
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 3  # the site's logo, the ladder and the concentration curve
    for svg in svgs[1:]:
        assert 'role="img"' in svg and "aria-labelledby=" in svg and "<title " in svg and "<desc " in svg
        assert "<script" not in svg and "<style" not in svg and "style=" not in svg
    assert "<script>" not in html and "<style" not in html
    assert "Members on each level of participation, this window and the window before: Core 2 (before 2)" in html
    assert "<summary>The numbers in this chart</summary>" in html
    assert '<th scope="row">2</th><td>100%</td>' in html  # the concentration curve's table: 2 people, 100%


def test_the_page_suggests_a_lifecycle_stage_and_only_a_coordinator_may_set_it(
    community: Community, owner: User, regular: User
) -> None:
    html = page_html(page_client(owner).get(url(community)))
    assert "Lifecycle stage" in html and "The health metrics suggest" in html
    assert f'action="/communities/{community.slug}/health/stage/"' in html
    member_html = page_html(page_client(regular).get(url(community)))
    assert "The health metrics suggest" in member_html
    assert "/health/stage/" not in member_html


def test_each_table_downloads_as_csv_named_after_the_community_and_the_window(
    community: Community, owner: User, regular: User
) -> None:
    client = page_client(owner)
    response = client.get(csv_url(community, "metrics"), QUERY)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="{community.slug}-health-metrics-2026-03-02-2026-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["group", "metric", "label", "unit", "better", "value", "previous", "change", "verdict"]
    assert ["Activity", "contributions", "Contributions", "count", "up", "3", "5", "-2", "worse"] in rows
    assert len(rows) == 1 + len(metrics.METRICS)
    lost = list(csv.reader(io.StringIO(client.get(csv_url(community, "lost_regulars"), QUERY).content.decode())))
    assert lost == [["username", "name", "contributions_before"], ["regular", "Rita Regular", "4"]]
    for table in ("participation", "movement", "goals", "concentration", "people"):
        assert client.get(csv_url(community, table), QUERY).status_code == 200, table


def test_a_name_a_spreadsheet_would_run_as_a_formula_is_exported_as_text(
    community: Community, owner: User, regular: User
) -> None:
    regular.profile.display_name = "=HYPERLINK(1)"
    regular.profile.save()
    body = page_client(owner).get(csv_url(community, "lost_regulars"), QUERY).content.decode()
    assert "'=HYPERLINK(1)" in body


def test_members_download_the_numbers_but_not_the_people(community: Community, member: User, regular: User) -> None:
    client = page_client(member)
    assert client.get(csv_url(community, "metrics"), QUERY).status_code == 200
    assert client.get(csv_url(community, "people"), QUERY).status_code == 403
    assert client.get(csv_url(community, "lost_regulars"), QUERY).status_code == 403


def test_an_unknown_table_is_404_and_a_bad_window_400(community: Community, owner: User) -> None:
    client = page_client(owner)
    assert client.get(csv_url(community, "salaries")).status_code == 404
    response = client.get(csv_url(community, "metrics"), {"days": "0"})
    assert response.status_code == 400 and b"greater than or equal to 1" in response.content


def _page_queries(client: object, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, QUERY)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_page_costs_the_same_for_5_and_for_50_members_and_threads(
    community: Community, owner: User, member: User
) -> None:
    populate(community, owner, member)
    client = page_client(owner)
    client.get(url(community), QUERY)  # the session's first request settles what is per session
    grow(community, owner, 5, prefix="few")
    small = (_page_queries(client, url(community)), _page_queries(client, csv_url(community, "people")))
    grow(community, owner, 45, prefix="many")
    assert (_page_queries(client, url(community)), _page_queries(client, csv_url(community, "people"))) == small


def test_an_empty_community_shows_its_numbers_without_a_concentration_curve(
    community: Community, owner: User
) -> None:
    response = page_client(owner).get(url(community), QUERY)
    assert response.status_code == 200
    page = text(page_html(response))
    assert "Contributions Threads, replies and comments written in the window. 0 0 = no change" in page
    assert "Top-10 share" in page and "Concentration of contributions" not in page
    assert "The charter has no goals yet." in page and "No regular fell silent in this window." in page


def test_the_daily_history_draws_a_trend_line_of_contributors_and_reply_coverage_with_its_table(
    community: Community, owner: User, regular: User
) -> None:
    from datetime import date

    from practica.insights import services

    services.snapshot_backfill(community=community, last=date.fromisoformat(QUERY["end"]))
    html = page_html(page_client(owner).get(url(community), QUERY))
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 5  # the logo, the ladder, the concentration curve and two trend lines
    assert "Contributors (the 30 days to each day): trend" in html
    assert "Reply coverage (7 days) (the 30 days to each day): trend" in html
    assert f'<th scope="row">{QUERY["end"]}</th>' in html  # the trend's table ends with the window's last day
    assert "<script" not in "".join(svgs) and "style=" not in "".join(svgs)
