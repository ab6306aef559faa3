"""The knowledge base's rules, through its services: the review cycle, versions, endorsements, reuse signals,
freshness, capture from a thread, and bad input that changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from practica.accounts.models import User
from practica.communities.models import Community, Role
from practica.discussions import services as discussions
from practica.discussions.models import Thread
from practica.knowledge import services
from practica.knowledge.models import (
    Endorsement,
    HelpfulMark,
    KnowledgeAuthor,
    KnowledgeItem,
    KnowledgeSettings,
    KnowledgeVersion,
    ReviewEvent,
)
from practica.lib.testing.content import draft, person, published
from practica.search.models import DocType, SearchDocument

pytestmark = pytest.mark.django_db(transaction=False)


def test_a_new_item_is_a_draft_credited_to_its_author_with_rendered_markdown(community: Community, member: User) -> None:
    item = services.item_create(
        community=community, author=member, kind="best-practice", title="  Test   twice  ", body="**Always** <script>x</script>",
        tags=["Well integrity"], fields={"applies_when": "Deep wells", "evidence": "Ten jobs"},
    )
    assert item.status == "draft" and item.title == "Test twice" and item.version == 0
    assert "<strong>Always</strong>" in item.body_html and "<script>" not in item.body_html
    assert item.applies_when == "Deep wells"
    assert list(item.credits.values_list("user__username", "role")) == [("member", "editor")]
    assert list(item.tags.values_list("slug", flat=True)) == ["well-integrity"]


def test_an_outsider_cannot_write_in_a_community_and_nothing_is_written(community: Community, outsider: User) -> None:
    with pytest.raises(PermissionDenied):
        draft(community, outsider)
    assert KnowledgeItem.objects.count() == 0


def test_bad_fields_are_reported_together_and_nothing_is_written(community: Community, member: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.item_create(community=community, author=member, kind="recipe", title="", body="x")
    assert set(caught.value.message_dict) == {"kind", "title"}
    assert KnowledgeItem.objects.count() == 0


def test_submit_approve_publishes_version_one_and_sets_the_review_date(community: Community, member: User, owner: User) -> None:
    item = draft(community, member)
    services.item_submit(item=item, actor=member)
    item.refresh_from_db()
    assert item.status == "in-review"
    services.item_review(item=item, reviewer=owner, approve=True, comment="Clear and useful")
    item.refresh_from_db()
    assert item.status == "published" and item.version == 1
    assert item.review_due == timezone.localdate() + relativedelta(months=12)
    version = KnowledgeVersion.objects.get(item=item)
    assert (version.number, version.author, version.note) == (1, member, "Clear and useful")
    actions = list(ReviewEvent.objects.filter(item=item).order_by("id").values_list("action", flat=True))
    assert actions == ["submitted", "approved"]


def test_the_review_date_follows_the_communitys_setting(community: Community, member: User, owner: User) -> None:
    services.settings_update(community=community, actor=owner, review_months=6)
    item = published(community, member, owner)
    assert item.review_due == timezone.localdate() + relativedelta(months=6)


def test_a_member_cannot_change_the_review_period(community: Community, member: User) -> None:
    with pytest.raises(PermissionDenied):
        services.settings_update(community=community, actor=member, review_months=3)
    assert not KnowledgeSettings.objects.exists()


def test_returning_needs_a_comment_and_sends_the_item_back_to_draft(community: Community, member: User, owner: User) -> None:
    item = draft(community, member)
    services.item_submit(item=item, actor=member)
    with pytest.raises(ValidationError):
        services.item_review(item=item, reviewer=owner, approve=False, comment=" ")
    services.item_review(item=item, reviewer=owner, approve=False, comment="Add the evidence")
    item.refresh_from_db()
    assert item.status == "draft"
    assert ReviewEvent.objects.filter(item=item, action="returned", comment="Add the evidence").exists()


def test_approving_without_the_role_is_refused_and_nothing_changes(community: Community, member: User) -> None:
    author = person("writer", community)
    item = draft(community, author)
    services.item_submit(item=item, actor=author)
    with pytest.raises(PermissionDenied, match="Only coordinators and core members"):
        services.item_review(item=item, reviewer=author, approve=True)
    with pytest.raises(Http404):  # another member does not even see an item in review
        services.item_review(item=item, reviewer=member, approve=True)
    item.refresh_from_db()
    assert item.status == "in-review" and not KnowledgeVersion.objects.exists()


def test_a_core_member_may_approve(community: Community, member: User) -> None:
    core = person("corey", community, Role.CORE)
    item = draft(community, member)
    services.item_submit(item=item, actor=member)
    assert services.item_review(item=item, reviewer=core, approve=True).status == "published"


def test_someone_else_cannot_submit_a_members_draft(community: Community, member: User) -> None:
    other = person("other", community)
    item = draft(community, member)
    with pytest.raises(Http404):  # a draft is invisible to other members
        services.item_submit(item=item, actor=other)


def test_every_published_change_is_a_version_and_restoring_makes_a_new_one(
    community: Community, member: User, owner: User
) -> None:
    item = published(community, member, owner, body="First text")
    services.item_update(item=item, editor=member, body="Second text", note="Clarified")
    services.item_update(item=item, editor=owner, title="Renamed", note="Better title")
    assert list(KnowledgeVersion.objects.filter(item=item).order_by("number").values_list("note", flat=True)) == [
        "First published", "Clarified", "Better title"
    ]
    services.version_restore(item=item, actor=member, number=1)
    item.refresh_from_db()
    assert item.version == 4 and item.body_source == "First text" and item.title.startswith("Lesson number")
    assert KnowledgeVersion.objects.get(item=item, number=4).note == "Restored version 1"


def test_restoring_a_version_that_does_not_exist_is_an_error_and_changes_nothing(
    community: Community, member: User, owner: User
) -> None:
    item = published(community, member, owner)
    with pytest.raises(ValidationError) as caught:
        services.version_restore(item=item, actor=member, number=9)
    assert caught.value.message_dict == {"version": ["This item has no version 9."]}
    assert KnowledgeVersion.objects.filter(item=item).count() == 1


def test_a_member_with_matching_expertise_endorses_once(community: Community, member: User, owner: User) -> None:
    expert = person("expert", community, expertise=["Well integrity"])
    item = published(community, member, owner)
    services.endorse(item=item, user=expert, comment="We do the same")
    item.refresh_from_db()
    assert item.endorsement_count == 1
    with pytest.raises(ValidationError):
        services.endorse(item=item, user=expert)
    assert Endorsement.objects.filter(item=item).count() == 1


def test_endorsing_needs_matching_expertise(community: Community, member: User, owner: User) -> None:
    novice = person("novice", community, expertise=["Cooking"])
    item = published(community, member, owner)
    with pytest.raises(PermissionDenied, match="expertise"):
        services.endorse(item=item, user=novice)
    assert not Endorsement.objects.exists()


def test_endorsing_ones_own_item_is_refused(community: Community, owner: User) -> None:
    author = person("author", community, expertise=["Well integrity"])
    item = published(community, author, owner)
    with pytest.raises(PermissionDenied, match="credited"):
        services.endorse(item=item, user=author)
    assert not Endorsement.objects.exists()


def test_helpful_marks_count_once_per_person_and_keep_the_note(community: Community, member: User, owner: User) -> None:
    reader = person("reader", community)
    item = published(community, member, owner)
    services.helpful_mark(item=item, user=reader, note="Used it on well A-12")
    services.helpful_mark(item=item, user=reader, note="And on A-13")
    item.refresh_from_db()
    assert item.helpful_count == 1
    assert HelpfulMark.objects.get(item=item).note == "And on A-13"


def test_views_count_once_per_person_per_day(community: Community, member: User, owner: User) -> None:
    item = published(community, member, owner)
    reader = person("reader", community)
    assert services.view_record(item=item, user=reader) is True
    assert services.view_record(item=item, user=reader) is False
    item.refresh_from_db()
    assert item.view_count == 1


def test_verifying_resets_the_review_date_and_archiving_retires(community: Community, member: User, owner: User) -> None:
    item = published(community, member, owner)
    KnowledgeItem.objects.filter(pk=item.pk).update(review_due=timezone.localdate() - dt.timedelta(days=3))
    item = services.item_verify(item=item, actor=owner)
    assert item.review_due == timezone.localdate() + relativedelta(months=12)
    with pytest.raises(PermissionDenied):
        services.item_archive(item=item, actor=member)
    assert services.item_archive(item=item, actor=owner).status == "archived"


def test_published_items_are_indexed_and_drafts_are_not(
    community: Community, member: User, owner: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        hidden = draft(community, member, title="A draft about cement")
        shown = published(community, member, owner, title="Published about cement")
    ids = set(SearchDocument.objects.filter(doc_type=DocType.KNOWLEDGE).values_list("object_id", flat=True))
    assert ids == {shown.id}
    assert hidden.id not in ids


def _solved_thread(community: Community, owner: User) -> Thread:
    asker = person("asker", community)
    answerer = person("answerer", community)
    helper = person("helper", community)
    thread = discussions.thread_create(
        community=community, author=asker, kind="question", title="How long to wait on cement?",
        body="Our WOC is 24 h.", tags=["Well integrity"],
    )
    answer = discussions.post_create(thread=thread, author=answerer, body="Use the **UCA** curve.")
    other = discussions.post_create(thread=thread, author=helper, body="Check the slurry design too.")
    discussions.post_create(thread=thread, author=owner, body="Unvoted aside.")
    discussions.vote_set(post=other, user=owner, up=True)
    discussions.answer_accept(post=answer, actor=asker, accept=True)
    return thread


def test_capture_prefills_a_draft_credits_the_authors_and_links_the_thread(
    community: Community, owner: User, member: User
) -> None:
    thread = _solved_thread(community, owner)
    item = services.capture_from_thread(user=member, thread=thread)
    assert item.status == "draft" and item.kind == "lesson-learned" and item.source_thread == thread
    assert item.title == "How long to wait on cement?"
    assert "Our WOC is 24 h." in item.body_source and "Use the **UCA** curve." in item.body_source
    assert "Check the slurry design too." in item.body_source and "Unvoted aside." not in item.body_source
    assert item.body_source.index("UCA") < item.body_source.index("slurry")
    assert item.what_we_learned == "Use the UCA curve."
    credits = list(KnowledgeAuthor.objects.filter(item=item).values_list("user__username", "role"))
    assert credits == [("member", "editor"), ("asker", "contributor"), ("answerer", "contributor"),
                       ("helper", "contributor")]
    assert list(item.tags.values_list("slug", flat=True)) == ["well-integrity"]


def test_capturing_a_thread_one_cannot_read_is_404_and_writes_nothing(
    private_community: Community, owner: User, outsider: User
) -> None:
    thread = discussions.thread_create(
        community=private_community, author=owner, kind="question", title="Secret", body="Secret body"
    )
    with pytest.raises(Http404):
        services.capture_from_thread(user=outsider, thread=thread)
    assert KnowledgeItem.objects.count() == 0


def test_capture_from_notes_keeps_a_generic_provenance(community: Community, member: User, owner: User) -> None:
    item = services.capture_from_notes(
        user=member, community=community, title="Meeting lessons", body_markdown="- keep it short",
        source_title="March call", source_url="/communities/public-wells/events/1/", credited=[owner],
    )
    assert (item.status, item.source_title, item.source_thread) == ("draft", "March call", None)
    assert "<li>keep it short</li>" in item.body_html
    assert set(item.credits.values_list("user__username", flat=True)) == {"member", "owner"}


def test_reviewers_are_asked_and_the_authors_told_the_result(
    community: Community, member: User, owner: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from practica.notifications.models import Notification

    item = draft(community, member)
    with django_capture_on_commit_callbacks(execute=True):  # the notifications go once the write commits
        services.item_submit(item=item, actor=member)
    assert list(Notification.objects.filter(kind="review_request").values_list("recipient__username", flat=True)) == [
        "owner"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        services.item_review(item=item, reviewer=owner, approve=False, comment="Add evidence")
    told = Notification.objects.get(kind="review_result")
    assert (told.recipient, told.text) == (member, "Add evidence")


def test_the_first_publication_is_broadcast_to_the_community_s_watchers_after_commit(
    community: Community, member: User, owner: User, outsider: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from practica.notifications.models import Notification
    from practica.notifications.services import subscription_set

    subscription_set(user=outsider, community=community, state="watch")
    item = draft(community, member, title="Cement bond logs")
    services.item_submit(item=item, actor=member)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.item_review(item=item, reviewer=owner, approve=True)
    assert not Notification.objects.filter(recipient=outsider).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    told = Notification.objects.get(recipient=outsider)
    assert (told.kind, told.subject) == ("new_content", "New lesson learned: Cement bond logs")


def test_capture_from_notes_shortens_a_long_title_and_drops_an_unsafe_link(community: Community, member: User) -> None:
    item = services.capture_from_notes(
        user=member, community=community, title="Monthly call " * 30, body_markdown="Notes",
        source_title="Call", source_url="javascript:alert(1)", credited=[],
    )
    assert len(item.title) <= 200 and item.source_url == ""


def test_an_archived_item_comes_back_published_and_re_verified_by_a_reviewer_only(
    community: Community, member: User, owner: User, outsider: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    item = published(community, member, owner, title="Cement slurry design")
    KnowledgeItem.objects.filter(pk=item.pk).update(review_due=timezone.localdate() - dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        services.item_archive(item=item, actor=owner)
    for refused in (member, outsider):
        with pytest.raises(PermissionDenied):
            services.item_unarchive(item=item, actor=refused)
        assert KnowledgeItem.objects.get(pk=item.pk).status == "archived"
    with django_capture_on_commit_callbacks(execute=True):
        back = services.item_unarchive(item=item, actor=owner, comment="Still how we do it")
    assert back.status == "published" and back.verified_at is not None
    assert back.review_due == timezone.localdate() + relativedelta(months=12)
    event = ReviewEvent.objects.filter(item=item).order_by("-id").first()
    assert event is not None and (event.action, event.actor, event.comment) == ("unarchived", owner, "Still how we do it")
    assert SearchDocument.objects.filter(doc_type=DocType.KNOWLEDGE, object_id=item.id).exists()
    with pytest.raises(ValidationError, match="Only an archived item"):
        services.item_unarchive(item=item, actor=owner)


def test_an_item_archived_before_it_was_ever_published_comes_back_as_a_draft(
    community: Community, member: User, owner: User
) -> None:
    item = draft(community, member, title="Half-written lesson")
    services.item_archive(item=item, actor=owner)
    back = services.item_unarchive(item=item, actor=owner)
    assert back.status == "draft" and back.published_at is None and back.verified_at is None
