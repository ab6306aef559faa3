"""The knowledge pages from every side (coordinator, member, outsider, anonymous), the thread page's link and
button, attachments, and what the list and item pages cost in queries whatever the number of rows."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services as discussions
from practica.knowledge import services
from practica.knowledge.models import Attachment, Endorsement, KnowledgeItem, KnowledgeVersion
from practica.lib.testing.client import page_client, page_html
from practica.lib.testing.content import draft, person, published

pytestmark = pytest.mark.django_db


# --- Reading --------------------------------------------------------------------------------------


def test_the_knowledge_base_lists_published_items_to_everyone_in_a_public_community(
    community: Community, member: User, owner: User
) -> None:
    published(community, member, owner, title="Test the barrier twice")
    draft(community, member, title="Unfinished thoughts")
    for user in (owner, member, None):
        html = page_html(page_client(user).get("/communities/public-wells/knowledge/"))
        assert "Test the barrier twice" in html
        assert "Unfinished thoughts" not in html


def test_filters_by_kind_tag_and_search(community: Community, member: User, owner: User) -> None:
    published(community, member, owner, title="Cement lesson", kind="lesson-learned")
    published(community, member, owner, title="Drilling practice", kind="best-practice", tags=["Drilling"])
    client = page_client(member)
    assert "Drilling practice" not in page_html(client.get("/communities/public-wells/knowledge/?kind=lesson-learned"))
    html = page_html(client.get("/communities/public-wells/knowledge/?tag=drilling"))
    assert "Drilling practice" in html and "Cement lesson" not in html
    html = page_html(client.get("/communities/public-wells/knowledge/?q=cement", HTTP_HX_REQUEST="true"))
    assert "Cement lesson" in html and "<h1>" not in html  # the htmx partial only



def test_the_list_reads_tag_and_status_as_the_api_does(community: Community, member: User, owner: User) -> None:
    published(community, member, owner, title="Cement lesson", kind="lesson-learned")
    published(community, member, owner, title="Drilling practice", kind="best-practice", tags=["Drilling"])
    client = page_client(member)

    # A tag by its name, as the API takes it (the page matched slugs only and listed nothing).
    html = page_html(client.get("/communities/public-wells/knowledge/?tag=Drilling"))
    assert "Drilling practice" in html and "Cement lesson" not in html
    # ``status=published`` is the API's name for the default (the page ignored every filter with it).
    html = page_html(client.get("/communities/public-wells/knowledge/?status=published&kind=lesson-learned"))
    assert "Cement lesson" in html and "Drilling practice" not in html
    # A filter that does not parse lists the published items, unfiltered.
    html = page_html(client.get("/communities/public-wells/knowledge/?status=bogus&kind=lesson-learned"))
    assert "Cement lesson" in html and "Drilling practice" in html

def test_a_private_communitys_knowledge_is_404_to_outsiders_and_anonymous(
    private_community: Community, member: User, owner: User, outsider: User
) -> None:
    item = published(private_community, member, owner, title="Private lesson")
    for user in (outsider, None):
        client = page_client(user)
        assert client.get("/communities/private-wells/knowledge/").status_code == 404
        assert client.get(f"/communities/private-wells/knowledge/{item.id}/").status_code == 404
    assert "Private lesson" in page_html(page_client(member).get(f"/communities/private-wells/knowledge/{item.id}/"))


def test_a_draft_is_seen_by_its_author_and_the_reviewers_only(community: Community, member: User, owner: User) -> None:
    item = draft(community, member, title="My draft")
    other = person("other", community)
    assert page_client(member).get(item.get_absolute_url()).status_code == 200
    assert page_client(owner).get(item.get_absolute_url()).status_code == 200
    assert page_client(other).get(item.get_absolute_url()).status_code == 404
    assert page_client(None).get(item.get_absolute_url()).status_code == 404


def test_the_item_page_shows_versions_endorsements_helpful_marks_and_provenance(
    community: Community, member: User, owner: User
) -> None:
    thread = discussions.thread_create(community=community, author=owner, kind="question", title="Source question",
                                       body="Why?")
    item = services.capture_from_thread(user=member, thread=thread)
    services.item_submit(item=item, actor=member)
    services.item_review(item=item, reviewer=owner, approve=True)
    expert = person("expert", community, expertise=["Well integrity"])
    services.endorse(item=item, user=expert, comment="Seen it work")
    services.helpful_mark(item=item, user=expert, note="Applied on well 7")
    html = page_html(page_client(None).get(item.get_absolute_url()))
    assert "From discussion" in html and "Source question" in html
    assert "Endorsed by 1" in html and "Seen it work" in html
    assert "Helped 1 person" in html and "Applied on well 7" in html
    assert "Version 1" in html


def test_views_are_counted_once_per_person_per_day_on_the_page(community: Community, member: User, owner: User) -> None:
    item = published(community, member, owner)
    reader = page_client(person("reader", community))
    reader.get(item.get_absolute_url())
    reader.get(item.get_absolute_url())
    page_client(None).get(item.get_absolute_url())
    item.refresh_from_db()
    assert item.view_count == 1


# --- Writing and reviewing ------------------------------------------------------------------------


def test_a_member_writes_and_submits_an_item(community: Community, member: User) -> None:
    response = page_client(member).post(
        "/communities/public-wells/knowledge/new/",
        {"kind": "how-to", "title": "Run a pressure test", "summary": "Steps", "body": "1. Rig up", "tags": "Drilling",
         "submit": "1"},
    )
    item = KnowledgeItem.objects.get(title="Run a pressure test")
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.status == "in-review"


def test_an_outsider_cannot_write_in_a_community(community: Community, outsider: User) -> None:
    response = page_client(outsider).post(
        "/communities/public-wells/knowledge/new/", {"kind": "how-to", "title": "Spam"}
    )
    assert response.status_code == 302 and not KnowledgeItem.objects.exists()


def test_the_form_shows_errors_and_writes_nothing(community: Community, member: User) -> None:
    response = page_client(member).post("/communities/public-wells/knowledge/new/", {"kind": "how-to", "title": ""})
    assert response.status_code == 400 and "This field is required" in page_html(response)
    assert not KnowledgeItem.objects.exists()


def test_a_coordinator_approves_from_the_item_page(community: Community, member: User, owner: User) -> None:
    item = draft(community, member)
    services.item_submit(item=item, actor=member)
    assert "Approve and publish" in page_html(page_client(owner).get(item.get_absolute_url()))
    assert "Approve and publish" not in page_html(page_client(member).get(item.get_absolute_url()))
    page_client(owner).post(f"{item.get_absolute_url()}review/", {"decision": "approve", "comment": ""})
    item.refresh_from_db()
    assert item.status == "published"


def test_a_member_approving_gets_a_clear_refusal_and_nothing_changes(community: Community, member: User) -> None:
    item = draft(community, member)
    services.item_submit(item=item, actor=member)
    response = page_client(member).post(f"{item.get_absolute_url()}review/", {"decision": "approve"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "in-review"


def test_endorsing_ones_own_item_on_the_page_is_refused(community: Community, owner: User) -> None:
    author = person("author", community, expertise=["Well integrity"])
    item = published(community, author, owner)
    response = page_client(author).post(f"{item.get_absolute_url()}endorse/", {"comment": "Mine is great"})
    assert response.status_code == 403 and not Endorsement.objects.exists()


def test_the_versions_page_shows_a_readable_diff_and_restores(community: Community, member: User, owner: User) -> None:
    item = published(community, member, owner, body="Wait 24 hours.")
    services.item_update(item=item, editor=member, body="Wait 12 hours.", note="Shorter")
    client = page_client(member)
    html = page_html(client.get(f"{item.get_absolute_url()}versions/?a=1&b=2"))
    assert "- Wait 24 hours." in html and "+ Wait 12 hours." in html
    client.post(f"{item.get_absolute_url()}restore/", {"version": "1"})
    item.refresh_from_db()
    assert item.version == 3 and item.body_source == "Wait 24 hours."


def test_restoring_a_missing_version_on_the_page_is_a_message_not_an_error(
    community: Community, member: User, owner: User
) -> None:
    item = published(community, member, owner)
    response = page_client(member).post(f"{item.get_absolute_url()}restore/", {"version": "42"}, follow=True)
    assert response.status_code == 200 and "This item has no version 42." in page_html(response)
    assert KnowledgeVersion.objects.filter(item=item).count() == 1
    assert page_client(member).get(f"{item.get_absolute_url()}versions/?a=1&b=42").status_code == 404


HUGE = "99999999999999999999999"  # no 64-bit id or version number holds it


def test_version_numbers_and_items_past_64_bits_are_refused_like_missing_ones(
    community: Community, member: User, owner: User
) -> None:
    item = published(community, member, owner)
    client = page_client(owner)
    collection = client.post("/communities/public-wells/knowledge/collections/new/", {"title": "Start here"})["Location"]

    restored = client.post(f"{item.get_absolute_url()}restore/", {"version": HUGE}, follow=True)
    compared = client.get(f"{item.get_absolute_url()}versions/?a=1&b={HUGE}")
    added = client.post(f"{collection}edit/", {"action": "add", "item": HUGE}, follow=True)
    client.post(f"{collection}edit/", {"action": "add", "item": item.id})
    moved = client.post(f"{collection}edit/", {"action": "up", "item": HUGE}, follow=True)
    removed = client.post(f"{collection}edit/", {"action": "remove", "item": HUGE}, follow=True)

    assert restored.status_code == 200 and "has no version" in page_html(restored)
    assert compared.status_code == 404
    assert added.status_code == 200 and "Choose a published item of this community." in page_html(added)
    assert moved.status_code == 200 and "This item is not in the collection." in page_html(moved)
    assert removed.status_code == 200 and item.title in page_html(removed)  # nothing removed
    assert KnowledgeVersion.objects.filter(item=item).count() == 1


def test_the_stewardship_queue_is_for_coordinators_and_core(community: Community, member: User, owner: User) -> None:
    item = published(community, member, owner, title="Old practice")
    KnowledgeItem.objects.filter(pk=item.pk).update(review_due="2020-01-01")
    assert "Old practice" in page_html(page_client(owner).get("/communities/public-wells/knowledge/stewardship/"))
    assert page_client(member).get("/communities/public-wells/knowledge/stewardship/").status_code == 403
    page_client(owner).post(f"{item.get_absolute_url()}steward/", {"action": "verify", "next": "queue"})
    assert "Old practice" not in page_html(page_client(owner).get("/communities/public-wells/knowledge/stewardship/"))


def test_coordinators_assemble_an_ordered_collection(community: Community, member: User, owner: User) -> None:
    first = published(community, member, owner, title="First read")
    second = published(community, member, owner, title="Second read")
    client = page_client(owner)
    response = client.post("/communities/public-wells/knowledge/collections/new/", {"title": "Start here"})
    url = response["Location"]
    for item in (first, second):
        client.post(f"{url}edit/", {"action": "add", "item": item.id})
    client.post(f"{url}edit/", {"action": "up", "item": second.id})
    html = page_html(page_client(None).get(url))
    assert html.index("Second read") < html.index("First read")
    assert page_client(member).post(f"{url}edit/", {"action": "remove", "item": first.id}).status_code == 403


# --- The thread page ------------------------------------------------------------------------------


def test_the_thread_page_offers_capture_to_members_and_shows_where_it_was_captured(
    community: Community, member: User, owner: User, outsider: User
) -> None:
    thread = discussions.thread_create(community=community, author=owner, kind="question", title="Q", body="Why?")
    url = thread.get_absolute_url()
    assert "Capture as knowledge" in page_html(page_client(member).get(url))
    assert "Capture as knowledge" not in page_html(page_client(outsider).get(url))
    assert "Capture as knowledge" not in page_html(page_client(None).get(url))
    response = page_client(member).post(f"/communities/public-wells/threads/{thread.id}/capture/", {"kind": "how-to"})
    item = KnowledgeItem.objects.get()
    assert response["Location"] == f"/communities/public-wells/knowledge/{item.id}/edit/"
    assert "Captured in" not in page_html(page_client(outsider).get(url))  # a draft shows to its people only
    assert "Captured in" in page_html(page_client(member).get(url))
    services.item_submit(item=item, actor=member)
    services.item_review(item=item, reviewer=owner, approve=True)
    assert f'href="/communities/public-wells/knowledge/{item.id}/"' in page_html(page_client(None).get(url))


def test_capturing_a_thread_one_cannot_read_is_404(private_community: Community, owner: User, outsider: User) -> None:
    thread = discussions.thread_create(community=private_community, author=owner, kind="question", title="Q",
                                       body="Secret")
    response = page_client(outsider).post(f"/communities/private-wells/threads/{thread.id}/capture/", {"kind": "how-to"})
    assert response.status_code == 404 and not KnowledgeItem.objects.exists()


# --- Attachments ----------------------------------------------------------------------------------


def _upload(client: Client, item: KnowledgeItem, name: str, content: bytes) -> Any:
    upload = io.BytesIO(content)
    upload.name = name
    return client.post(f"{item.get_absolute_url()}attachments/", {"file": upload}, follow=True)


def test_an_attachment_is_stored_and_served_only_to_readers(
    private_community: Community, member: User, owner: User, outsider: User
) -> None:
    item = published(private_community, member, owner)
    response = _upload(page_client(member), item, "checklist.csv", b"step,done\nrig up,yes\n")
    assert "Attached checklist.csv" in page_html(response)
    attachment = Attachment.objects.get()
    assert default_storage.exists(attachment.file.name)
    url = f"/knowledge/files/{attachment.id}/checklist.csv"
    download = page_client(member).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"step,done\nrig up,yes\n"
    assert page_client(outsider).get(url).status_code == 404
    assert page_client(None).get(url).status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("report.pdf", b"MZ\x90\x00" + b"\x00" * 300, "is a program"),
        ("notes.txt", b"\x7fELF\x02\x01\x01" + b"\x00" * 300, "is a program"),
        ("photo.png", b"%PDF-1.4 not an image", "does not match its type .png"),
        ("data.csv", b"\x00\x01\x02binary", "not a text file"),
        ("tool.exe", b"hello", "not accepted"),
    ],
)
def test_a_disguised_or_mismatched_file_is_refused_and_nothing_is_stored(
    community: Community, member: User, owner: User, name: str, content: bytes, message: str
) -> None:
    item = published(community, member, owner)
    response = _upload(page_client(member), item, name, content)
    assert response.status_code == 200 and message in page_html(response)
    assert not Attachment.objects.exists()
    assert not default_storage.exists("knowledge") or not default_storage.listdir("knowledge")[0]


def test_an_upload_over_the_limit_is_refused(community: Community, member: User, owner: User, settings: Any) -> None:
    settings.KNOWLEDGE_MAX_UPLOAD_MB = 1
    item = published(community, member, owner)
    response = _upload(page_client(member), item, "big.txt", b"a" * (1024 * 1024 + 1))
    assert "too large" in page_html(response) and "the limit is 1 MB" in page_html(response)
    assert not Attachment.objects.exists()


def test_a_path_in_the_file_name_is_dropped(community: Community, member: User, owner: User) -> None:
    item = published(community, member, owner)
    services.attachment_add(item=item, actor=member, stream=io.BytesIO(b"hello"), name="..\\..\\etc/passwd.txt")
    attachment = Attachment.objects.get()
    assert attachment.name == "passwd.txt"
    stored = attachment.file.name or ""
    assert stored.startswith("knowledge/") and stored.endswith("/passwd.txt") and ".." not in stored


def test_a_member_cannot_attach_to_someone_elses_item(community: Community, member: User, owner: User) -> None:
    item = published(community, owner, owner)
    response = _upload(page_client(member), item, "x.txt", b"hello")
    assert response.status_code == 403 and not Attachment.objects.exists()


# --- Query counts ---------------------------------------------------------------------------------


def _count(client: Client, url: str) -> tuple[int, list[str]]:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def test_the_knowledge_list_costs_the_same_with_5_and_25_items(community: Community, member: User, owner: User) -> None:
    client = page_client(member)
    url = "/communities/public-wells/knowledge/"
    authors = [person(f"writer{i}", community) for i in range(5)]
    for i in range(5):
        published(community, authors[i], owner, tags=["Well integrity", "Drilling"])
    few = _count(client, url)
    for i in range(15):
        published(community, authors[i % 5], owner, tags=["Drilling"])
    many = _count(client, url)
    assert few[0] == many[0], "\n".join(many[1])


def test_the_item_page_costs_the_same_with_few_and_many_endorsements_and_versions(
    community: Community, member: User, owner: User
) -> None:
    item = published(community, member, owner)
    client = page_client(owner)
    experts = [person(f"expert{i}", community, expertise=["Well integrity"]) for i in range(12)]
    services.endorse(item=item, user=experts[0])
    services.helpful_mark(item=item, user=experts[0], note="Used")
    few = _count(client, item.get_absolute_url())
    for i, expert in enumerate(experts[1:]):
        services.endorse(item=item, user=expert)
        services.helpful_mark(item=item, user=expert)
        services.item_update(item=item, editor=member, body=f"Version {i}", note=f"Edit {i}")
    services.attachment_add(item=item, actor=member, stream=io.BytesIO(b"a,b\n"), name="a.csv")
    many = _count(client, item.get_absolute_url())
    assert few[0] == many[0], "\n".join(many[1])


def test_provenance_is_hidden_when_the_thread_no_longer_shows(community: Community, member: User, owner: User) -> None:
    thread = discussions.thread_create(community=community, author=owner, kind="question", title="Soon hidden",
                                       body="Why?")
    item = services.capture_from_thread(user=member, thread=thread)
    services.item_submit(item=item, actor=member)
    services.item_review(item=item, reviewer=owner, approve=True)
    discussions.thread_moderate(thread=thread, actor=owner, action="hide")
    html = page_html(page_client(None).get(item.get_absolute_url()))
    assert "From discussion" not in html and f"/threads/{thread.id}/" not in html
    assert "From discussion" in page_html(page_client(owner).get(item.get_absolute_url()))


@pytest.mark.parametrize("slug", ["members-wells", "private-wells"])
def test_outsiders_cannot_read_the_knowledge_of_a_closed_community(
    slug: str, members_only_community: Community, private_community: Community, outsider: User
) -> None:
    for path in ("", "collections/", "stewardship/"):
        assert page_client(outsider).get(f"/communities/{slug}/knowledge/{path}").status_code == 404


def test_the_stewardship_page_is_refused_to_an_outsider_of_a_public_community(community: Community,
                                                                              outsider: User) -> None:
    assert page_client(outsider).get("/communities/public-wells/knowledge/stewardship/").status_code == 403


def test_search_as_you_type_finds_word_forms_through_the_search_index(
    community: Community, member: User, owner: User, django_capture_on_commit_callbacks  # type: ignore[no-untyped-def]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        published(community, member, owner, title="Placing centralisers in deviated wells", body="Use a simulator.")
        published(community, member, owner, title="Unrelated lesson", body="Nothing to see.")
    client = page_client(member)
    html = page_html(client.get("/communities/public-wells/knowledge/?q=centraliser+placement", HTTP_HX_REQUEST="true"))
    assert "Placing centralisers in deviated wells" in html and "Unrelated lesson" not in html
    html = page_html(client.get("/communities/public-wells/knowledge/?q=centr", HTTP_HX_REQUEST="true"))
    assert "Placing centralisers" in html  # a word still being typed


def test_the_endorse_button_shows_to_members_with_matching_expertise_only(
    community: Community, member: User, owner: User
) -> None:
    item = published(community, owner, owner)
    expert = person("expert", community, expertise=["Well integrity"])
    assert 'type="submit">Endorse</button>' in page_html(page_client(expert).get(item.get_absolute_url()))
    html = page_html(page_client(member).get(item.get_absolute_url()))
    assert 'type="submit">Endorse</button>' not in html and "declared expertise in its topics" in html
    assert "declared expertise" not in page_html(page_client(None).get(item.get_absolute_url()))


def test_a_coordinator_brings_an_archived_item_back_from_its_page(community: Community, member: User, owner: User) -> None:
    item = published(community, member, owner, title="Old practice")
    services.item_archive(item=item, actor=owner)
    as_member = page_html(page_client(member).get(item.get_absolute_url()))
    assert "Bring back from the archive" in page_html(page_client(owner).get(item.get_absolute_url()))
    assert "Bring back from the archive" not in as_member
    refused = page_client(member).post(f"{item.get_absolute_url()}steward/", {"action": "unarchive"})
    assert refused.status_code == 403 and KnowledgeItem.objects.get(pk=item.pk).status == "archived"
    done = page_client(owner).post(f"{item.get_absolute_url()}steward/", {"action": "unarchive"}, follow=True)
    assert "Back in the knowledge base: the next review is due on" in page_html(done)
    assert KnowledgeItem.objects.get(pk=item.pk).status == "published"
    assert "Brought back from the archive by" in page_html(done)
