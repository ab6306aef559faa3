"""The community health page in a real browser: its charts are images with a name, their numbers are a click
away, every control has a label and nothing is refused by the Content-Security-Policy. (There is no axe-core in
the suite: these checks ask the browser's accessibility tree directly.)"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.services import community_create, community_join
from practica.discussions import services as discussions
from practica.e2e.helpers import PASSWORD, sign_in

SCREENSHOT = Path(os.environ["HEALTH_SCREENSHOT"]) if os.environ.get("HEALTH_SCREENSHOT") else None
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective));
"""

# Form controls, images and tables without a name, headings that skip a level: what an accessibility checker
# would flag first on a dashboard.
UNNAMED = """
() => {
  const problems = [];
  for (const control of document.querySelectorAll("main input:not([type=hidden]), main select, main textarea")) {
    if (!control.labels || control.labels.length === 0) problems.push("unlabelled " + (control.name || control.id));
  }
  for (const svg of document.querySelectorAll("main svg")) {
    const role = svg.getAttribute("role"), hidden = svg.getAttribute("aria-hidden") === "true";
    const ids = (svg.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    const named = ids.length > 0 && ids.every((id) => document.getElementById(id) && document.getElementById(id).textContent.trim());
    if (!hidden && (role !== "img" || !named)) problems.push("unnamed chart " + svg.id);
  }
  for (const table of document.querySelectorAll("main table")) {
    if (!table.querySelector("th")) problems.push("table without headers");
    if (!table.querySelector("caption") && !table.getAttribute("aria-describedby") && !table.getAttribute("aria-label")) problems.push("table without a name");
  }
  let last = 1;
  for (const heading of document.querySelectorAll("main h1, main h2, main h3, main h4")) {
    const level = Number(heading.tagName[1]);
    if (level > last + 1) problems.push("heading skips from h" + last + " to " + heading.tagName);
    last = level;
  }
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
  const repeated = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (repeated.length) problems.push("repeated ids " + repeated.join(", "));
  return problems;
}
"""


def test_the_health_page_is_readable_by_assistive_technology_and_runs_under_the_policy(
    live_server: Any, new_page: Any
) -> None:
    coordinator = User.objects.create_user("cora", "cora@example.org", PASSWORD)
    member = User.objects.create_user("mia", "mia@example.org", PASSWORD)
    community = community_create(creator=coordinator, name="Cementing", slug="cementing", domain="Cement jobs.")
    community_join(community=community, user=member)
    thread = discussions.thread_create(community=community, author=member, kind="question",
                                       title="How long to wait on cement?", body="Is eight hours enough?")
    discussions.post_create(thread=thread, author=coordinator, body="Wait for the compressive strength test.")

    page = new_page()
    page.add_init_script(WATCH)
    sign_in(page, live_server.url, "cora")
    today = timezone.now().date()
    response = page.goto(f"{live_server.url}/communities/{community.slug}/health/?days=30&end={today.isoformat()}")
    assert response is not None and response.status == 200
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("img", name="Participation ladder").is_visible()
    assert page.get_by_role("img", name="Concentration of contributions").is_visible()
    assert page.evaluate(UNNAMED) == []
    assert page.evaluate("window.__csp") == []
    # The chart's numbers are a click away, as a table.
    page.locator("#figure-ladder summary").click()
    assert page.locator("#figure-ladder table").is_visible()
    if SCREENSHOT:  # to look at the page while working on it
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        page.locator(".health-charts").screenshot(path=str(SCREENSHOT.with_suffix(".charts.png")))
    # The browser refuses 0 days before sending; sent anyway, it is an error beside its field, and the page still
    # shows the last 90 days.
    page.fill("#id_days", "0")
    assert page.evaluate("document.querySelector('#id_days').checkValidity()") is False
    page.goto(f"{live_server.url}/communities/{community.slug}/health/?days=0")
    assert page.get_by_role("alert").is_visible()
    assert page.locator("#id_days_error").is_visible()
