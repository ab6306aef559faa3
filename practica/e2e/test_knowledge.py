"""Knowledge born from practice, in a real browser: a solved thread is captured into a lesson learned, submitted,
approved by a coordinator, endorsed and marked helpful by a member, and the thread links to it."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from practica.accounts.models import User
from practica.communities.services import community_create, community_join
from practica.discussions import services as discussions
from practica.e2e.helpers import PASSWORD, sign_in
from practica.knowledge.models import KnowledgeItem
from practica.topics.services import topics_get_or_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



def test_a_solved_thread_becomes_a_reviewed_endorsed_lesson_learned(live_server: Any, new_page: Any) -> None:
    carla = User.objects.create_user("carla", "carla@example.org", PASSWORD)
    community = community_create(
        creator=carla, name="Cementing", slug="cementing", domain="Primary and remedial cementing.",
        topics=["Cementing"],
    )
    people = {}
    for name in ("asker", "answerer", "curator", "expert"):
        people[name] = User.objects.create_user(name, f"{name}@example.org", PASSWORD)
        community_join(community=community, user=people[name])
    people["expert"].profile.expertise.set(topics_get_or_create(["Cementing"]))
    thread = discussions.thread_create(
        community=community, author=people["asker"], kind="question", title="How long to wait on cement?",
        body="Our WOC time is 24 h. Too long?", tags=["Cementing"],
    )
    answer = discussions.post_create(
        thread=thread, author=people["answerer"], body="Use the UCA strength curve: 500 psi is usually enough."
    )
    discussions.answer_accept(post=answer, actor=people["asker"], accept=True)
    base = live_server.url
    thread_url = f"{base}/communities/cementing/threads/{thread.id}/"

    curator = new_page()
    sign_in(curator, base, "curator")
    curator.goto(thread_url)
    curator.get_by_role("button", name="Capture as knowledge").click()
    curator.wait_for_url(f"{base}/communities/cementing/knowledge/*/edit/")
    expect(curator.get_by_text("From discussion")).to_be_visible()
    expect(curator.locator("textarea[name=body]")).to_contain_text("Use the UCA strength curve")
    curator.fill("textarea[name=summary]", "Wait on the UCA curve, not the clock.")
    curator.fill("textarea[name=recommendation]", "Set WOC from the UCA 500 psi point.")
    curator.get_by_role("button", name="Save and submit for review").click()
    expect(curator.get_by_text("Submitted for review.")).to_be_visible()
    item = KnowledgeItem.objects.get()
    assert item.status == "in-review" and item.kind == "lesson-learned"
    item_url = f"{base}/communities/cementing/knowledge/{item.id}/"

    coordinator = new_page()
    sign_in(coordinator, base, "carla")
    coordinator.goto(f"{base}/communities/cementing/knowledge/stewardship/")
    coordinator.get_by_role("link", name="How long to wait on cement?").click()
    coordinator.wait_for_url(item_url)
    coordinator.fill("textarea[name=comment]", "Clear and well sourced.")
    coordinator.get_by_role("button", name="Approve and publish").click()
    expect(coordinator.get_by_text("Approved and published.")).to_be_visible()
    expect(coordinator.locator(".badge", has_text="Published")).to_be_visible()

    expert = new_page()
    sign_in(expert, base, "expert")
    expert.goto(item_url)
    expect(expert.get_by_text("Set WOC from the UCA 500 psi point.")).to_be_visible()
    expert.fill("#endorsements input[name=comment]", "We do the same on every job.")
    expert.get_by_role("button", name="Endorse").click()
    expect(expert.get_by_role("heading", name="Endorsed by 1")).to_be_visible()
    expect(expert.get_by_text("We do the same on every job.")).to_be_visible()
    expert.fill("textarea[name=note]", "Cut our WOC to 14 h on well B-7.")
    expert.get_by_role("button", name="This helped me").click()
    expect(expert.get_by_role("heading", name="Helped 1 person")).to_be_visible()
    expect(expert.get_by_text("Cut our WOC to 14 h on well B-7.")).to_be_visible()

    expert.goto(thread_url)
    link = expert.locator("#captured-in").get_by_role("link", name="How long to wait on cement?")
    expect(link).to_be_visible()
    link.click()
    expert.wait_for_url(item_url)
    expect(expert.get_by_text("From discussion")).to_be_visible()
    item.refresh_from_db()
    assert (item.status, item.endorsement_count, item.helpful_count, item.version) == ("published", 1, 1, 1)
