"""The Content-Security-Policy in a real browser ([P12] finding 7): every kind of page works under a policy without
``unsafe-inline`` — no script, style or handler of Practica's (or of the admin, the API docs or htmx) is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.services import community_create, community_join
from practica.discussions import services as discussions
from practica.e2e.helpers import PASSWORD, sign_in
from practica.events.services import event_create
from practica.importers.models import ImportJob
from practica.knowledge.services import item_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Listens before any page script runs: a refused script, style or handler is a "securitypolicyviolation" event.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sample || ""));
});
"""



def test_every_kind_of_page_runs_under_the_content_security_policy(live_server: Any, new_page: Any) -> None:
    admin = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    member = User.objects.create_user("mia", "mia@example.org", PASSWORD)
    community = community_create(creator=admin, name="Cementing", slug="cementing", domain="Cement jobs.",
                                 topics=["Cementing"])
    community_join(community=community, user=member)
    thread = discussions.thread_create(
        community=community, author=member, kind="question", title="How long to wait on cement?",
        body="Is **eight hours** enough before drilling out?", tags=["Cementing"],
    )
    discussions.post_create(thread=thread, author=admin, body="Wait for the compressive strength test.")
    item = item_create(community=community, author=admin, kind="best-practice", title="Wait on cement",
                       summary="Test before drilling out.", body="Always test the compressive strength.")
    start = timezone.now() + dt.timedelta(days=3)
    event = event_create(community=community, organiser=admin, title="Monthly call", start=start,
                         end=start + dt.timedelta(hours=1), timezone_name="Europe/Oslo")
    job = ImportJob.objects.create(community=community, created_by=admin, site="physics", status="running")
    from practica.importers.progress import progress_set

    progress_set(job.pk, {"file": "Posts.xml", "done": 3, "total": 10, "elapsed": 4})

    base = live_server.url
    page = new_page()
    page.add_init_script(WATCH)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    anonymous = ["/", "/communities/", "/accounts/login/", "/accounts/signup/", "/accounts/password/reset/",
                 "/api/v1/docs/"]
    signed_in = [
        f"/communities/{community.slug}/", f"/communities/{community.slug}/threads/",
        f"/communities/{community.slug}/threads/{thread.pk}/", f"/communities/{community.slug}/threads/new/",
        "/search/?q=cement", "/experts/?q=cement", f"/communities/{community.slug}/knowledge/",
        f"/communities/{community.slug}/knowledge/{item.pk}/", f"/communities/{community.slug}/events/",
        f"/communities/{community.slug}/events/{event.pk}/", f"/communities/{community.slug}/members/",
        "/notifications/", "/notifications/settings/", "/people/root/", "/people/me/edit/", "/accounts/tokens/",
        f"/communities/{community.slug}/audit/", "/audit/", f"/communities/{community.slug}/import/{job.pk}/",
        f"/communities/{community.slug}/health/",
        "/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{member.pk}/change/",
    ]
    problems: dict[str, list[str]] = {}

    def visit(path: str) -> None:
        console.clear()
        response = page.goto(base + path)
        assert response is not None and response.status < 400, (path, response and response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
        page.wait_for_load_state("networkidle")
        refused = page.evaluate("window.__csp") + [m for m in console if "Content Security Policy" in m]
        if refused:
            problems[path] = refused

    for path in anonymous:
        visit(path)
    # The API docs really start (their start-up script is a file, not inline): operations are listed.
    page.goto(base + "/api/v1/docs/")
    page.wait_for_selector(".opblock", timeout=15_000)

    sign_in(page, base, "root")
    for path in signed_in:
        visit(path)
    # htmx swaps work under the policy: the search box's live results, and the import job's progress bar.
    page.goto(base + "/search/")
    page.fill("#id_q", "cement")  # typing in the page's box, not the header's (both are named q)
    page.wait_for_selector("#search-results a[href*='/threads/']")
    page.goto(base + f"/communities/{community.slug}/import/{job.pk}/")
    assert page.locator("progress.bar").get_attribute("value") == "30"

    assert not problems, problems
