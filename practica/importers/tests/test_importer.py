"""The Stack Exchange importer on a small dump that the tests write themselves (``write_dump``).

The dump is built from Python data (``dump_data``) so every case the importer must handle is visible here: a
question with an accepted answer and a self-answer, a tag-based badge, a duplicate and related links, a deleted
owner (no ``OwnerUserId``), an answer whose question is missing, unknown attributes, and a ``<script>`` and an
``onerror`` in a body. Content from June 2018 on is there for the ``--until`` (time-split) runs.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from practica.accounts.models import User
from practica.communities.models import Community, Membership, MembershipState, Role
from practica.discussions.models import Comment, Post, Revision, Thread
from practica.importers.stackexchange import ImportError_, ImportStats, Progress, StackExchangeImporter
from practica.insights.metrics import window_ending, window_metrics
from practica.insights.models import DailyActivity, HealthSnapshot
from practica.insights.services import utc_today
from practica.people.models import Profile
from practica.topics.models import Topic

pytestmark = pytest.mark.django_db

SITE = "physics"
UNTIL = dt.date(2018, 6, 1)
FILES = ("Users", "Posts", "Comments", "Votes", "Tags", "PostLinks", "Badges")

UNSAFE_BODY = (
    "<p>How do <strong>Bell states</strong> work?</p>"
    "<script>alert('stolen')</script>"
    '<p><img src="x" onerror="alert(1)" alt="diagram">See the circuit.</p>'
)


# --- The dump -------------------------------------------------------------------------------------


def dump_data() -> dict[str, list[dict[str, Any]]]:
    """The rows of each file of the small dump (attributes as in a real dump; a fresh copy each call)."""
    return {
        "Users": [
            {"Id": 1, "Reputation": 1200, "CreationDate": "2018-03-12T10:00:00.000", "DisplayName": "Alice Quantum",
             "Location": "Delft", "AboutMe": "<p>I study <em>qubits</em>.</p>", "Views": 10, "UpVotes": 3,
             "DownVotes": 0, "AccountId": 501, "FavouriteColour": "blue"},
            {"Id": 2, "Reputation": 300, "CreationDate": "2018-03-12T11:00:00.000", "DisplayName": "Bob",
             "Location": "", "AccountId": 502},
            {"Id": 3, "Reputation": 5, "CreationDate": "2018-06-10T09:00:00.000", "DisplayName": "Carol",
             "AccountId": 503},
        ],
        "Tags": [
            {"Id": 1, "TagName": "entanglement", "Count": 3, "ExcerptPostId": 100, "WikiPostId": 101},
            {"Id": 2, "TagName": "quantum-gate", "Count": 1, "ExcerptPostId": 102, "WikiPostId": 103},
            {"Id": 3, "TagName": "qiskit", "Count": 1},
        ],
        "Posts": [
            {"Id": 100, "PostTypeId": 4, "CreationDate": "2018-03-12T10:05:00.000",
             "Body": "<p>Entanglement is a <b>correlation</b> between qubits.</p>"},
            {"Id": 101, "PostTypeId": 5, "CreationDate": "2018-03-12T10:05:00.000", "Body": "<p>Long wiki.</p>"},
            {"Id": 102, "PostTypeId": 4, "CreationDate": "2018-03-12T10:06:00.000",
             "Body": "<p>Gates act on qubits.</p>"},
            {"Id": 1, "PostTypeId": 1, "AcceptedAnswerId": 2, "CreationDate": "2018-03-13T09:00:00.000",
             "Score": 2, "ViewCount": 50, "Body": UNSAFE_BODY, "OwnerUserId": 1,
             "LastActivityDate": "2018-03-20T08:00:00.000", "LastEditDate": "2018-03-13T10:00:00.000",
             "Title": "What is entanglement?", "Tags": "<entanglement><quantum-gate>", "AnswerCount": 2,
             "CommentCount": 1, "ShinyNewAttribute": "ignored"},
            # A self-answer first: the first *response* is Bob's answer a day later.
            {"Id": 3, "PostTypeId": 2, "ParentId": 1, "CreationDate": "2018-03-13T12:00:00.000", "Score": 0,
             "Body": "<p>Partly answering myself.</p>", "OwnerUserId": 1,
             "LastActivityDate": "2018-03-13T12:00:00.000"},
            {"Id": 2, "PostTypeId": 2, "ParentId": 1, "CreationDate": "2018-03-14T09:00:00.000", "Score": 2,
             "Body": "<p>Two qubits whose state does not factor.</p>", "OwnerUserId": 2,
             "LastActivityDate": "2018-03-14T09:00:00.000"},
            # The owner's account was deleted: no OwnerUserId, only the name it had.
            {"Id": 4, "PostTypeId": 1, "CreationDate": "2018-03-15T09:00:00.000", "Score": 0, "ViewCount": 7,
             "Body": "<p>Which simulator?</p>", "OwnerDisplayName": "gone", "LastActivityDate": "2018-03-16T09:00:00.000",
             "Title": "Which simulator should I use?", "Tags": "<qiskit>", "AnswerCount": 1},
            {"Id": 5, "PostTypeId": 2, "ParentId": 4, "CreationDate": "2018-03-16T09:00:00.000", "Score": 0,
             "Body": "<p>Try Qiskit.</p>", "OwnerUserId": 2},
            # Accepted answer comes after --until: set by the later run.
            {"Id": 6, "PostTypeId": 1, "AcceptedAnswerId": 10, "CreationDate": "2018-04-01T09:00:00.000",
             "Score": 0, "ViewCount": 3, "Body": "<p>Is entanglement the same as correlation?</p>", "OwnerUserId": 2,
             "LastActivityDate": "2018-06-20T09:00:00.000", "Title": "Is entanglement just correlation?",
             "Tags": "<entanglement>", "AnswerCount": 1, "ClosedDate": "2018-04-02T09:00:00.000"},
            # No LastActivityDate.
            {"Id": 7, "PostTypeId": 1, "CreationDate": "2018-06-15T09:00:00.000", "Score": 1, "ViewCount": 2,
             "Body": "<p>Late question.</p>", "OwnerUserId": 3, "Title": "A question asked in June", "Tags": "<entanglement>", "AnswerCount": 1},
            {"Id": 8, "PostTypeId": 2, "ParentId": 7, "CreationDate": "2018-06-16T09:00:00.000", "Score": 1,
             "Body": "<p>Late answer.</p>", "OwnerUserId": 1},
            # Its question is not in the dump.
            {"Id": 9, "PostTypeId": 2, "ParentId": 999, "CreationDate": "2018-03-17T09:00:00.000", "Score": 0,
             "Body": "<p>Orphan.</p>", "OwnerUserId": 2},
            {"Id": 10, "PostTypeId": 2, "ParentId": 6, "CreationDate": "2018-06-20T09:00:00.000", "Score": 0,
             "Body": "<p>No: entanglement is stronger.</p>", "OwnerUserId": 1},
        ],
        "Comments": [
            {"Id": 20, "PostId": 1, "Score": 1, "Text": "Do you mean **Bell** states?",
             "CreationDate": "2018-03-13T15:00:00.000", "UserId": 2, "ContentLicense": "CC BY-SA 3.0"},
            {"Id": 21, "PostId": 2, "Score": 0, "Text": "Thanks, that helps.",
             "CreationDate": "2018-03-14T10:00:00.000", "UserId": 1},
            {"Id": 22, "PostId": 8, "Score": 0, "Text": "Nice one.", "CreationDate": "2018-06-17T10:00:00.000",
             "UserId": 2},
            {"Id": 23, "PostId": 9, "Score": 0, "Text": "On the orphan.", "CreationDate": "2018-03-17T10:00:00.000",
             "UserId": 1},
        ],
        "Votes": [
            {"Id": 1, "PostId": 1, "VoteTypeId": 2, "CreationDate": "2018-03-13T00:00:00.000"},
            {"Id": 2, "PostId": 1, "VoteTypeId": 2, "CreationDate": "2018-03-14T00:00:00.000"},
            {"Id": 3, "PostId": 1, "VoteTypeId": 2, "CreationDate": "2018-03-14T00:00:00.000"},
            {"Id": 4, "PostId": 1, "VoteTypeId": 3, "CreationDate": "2018-03-15T00:00:00.000"},
            {"Id": 5, "PostId": 2, "VoteTypeId": 2, "CreationDate": "2018-03-15T00:00:00.000"},
            {"Id": 6, "PostId": 2, "VoteTypeId": 2, "CreationDate": "2018-03-15T00:00:00.000"},
            {"Id": 7, "PostId": 2, "VoteTypeId": 1, "CreationDate": "2018-03-15T00:00:00.000"},  # acceptance
            {"Id": 8, "PostId": 1, "VoteTypeId": 5, "UserId": 2, "CreationDate": "2018-03-15T00:00:00.000"},
            {"Id": 9, "PostId": 8, "VoteTypeId": 2, "CreationDate": "2018-06-17T00:00:00.000"},
        ],
        "PostLinks": [
            {"Id": 30, "CreationDate": "2018-04-02T09:00:00.000", "PostId": 6, "RelatedPostId": 1, "LinkTypeId": 3},
            {"Id": 31, "CreationDate": "2018-03-20T09:00:00.000", "PostId": 4, "RelatedPostId": 1, "LinkTypeId": 1},
            {"Id": 32, "CreationDate": "2018-06-17T09:00:00.000", "PostId": 7, "RelatedPostId": 4, "LinkTypeId": 1},
        ],
        "Badges": [
            {"Id": 40, "UserId": 1, "Name": "entanglement", "Date": "2018-04-01T00:00:00.000", "Class": 3,
             "TagBased": "True"},
            {"Id": 41, "UserId": 2, "Name": "Student", "Date": "2018-03-14T00:00:00.000", "Class": 3,
             "TagBased": "False"},
        ],
    }


def write_dump(folder: Path, data: dict[str, list[dict[str, Any]]] | None = None) -> Path:
    """Write ``data`` (default ``dump_data()``) as a dump folder: one ``<row .../>`` per line, as the real files."""
    folder.mkdir(parents=True, exist_ok=True)
    data = dump_data() if data is None else data
    for name, rows in data.items():
        element = name.lower()
        lines = ['<?xml version="1.0" encoding="utf-8"?>', f"<{element}>"]
        for row in rows:
            attributes = " ".join(f"{key}={quoteattr(str(value))}" for key, value in row.items())
            lines.append(f"  <row {attributes} />")
        lines.append(f"</{element}>")
        (folder / f"{name}.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def dump(tmp_path: Path) -> Path:
    return write_dump(tmp_path / SITE)


def se(se_id: int | str) -> str:
    return f"se:{SITE}:{se_id}"


def run(folder: Path, community: Community | str, **options: Any) -> ImportStats:
    slug = community if isinstance(community, str) else community.slug
    return StackExchangeImporter(folder, community_slug=slug, **options).run()


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (User, Profile, Membership, Community, Topic, Thread, Post, Revision, Comment,
                      Thread.related.through, Thread.tags.through, Profile.expertise.through)
    }


def command(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_stackexchange", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def thread(se_id: int) -> Thread:
    return Thread.objects.get(external_id=se(se_id))


def post(se_id: int) -> Post:
    return Post.objects.get(external_id=se(se_id))


def when(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)


# --- What a full import creates -------------------------------------------------------------------


def test_import_creates_threads_posts_comments_and_people_with_external_ids(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    assert set(Thread.objects.filter(community=community).values_list("external_id", flat=True)) == {
        se(1), se(4), se(6), se(7)
    }
    assert set(Post.objects.filter(is_opening=False).values_list("external_id", flat=True)) == {
        se(2), se(3), se(5), se(8), se(10)
    }
    assert set(Comment.objects.values_list("external_id", flat=True)) == {
        se("comment:20"), se("comment:21"), se("comment:22")
    }
    assert set(User.objects.exclude(external_id="").values_list("external_id", flat=True)) == {
        se("user:1"), se("user:2"), se("user:3")
    }
    assert thread(1).kind == "question"
    assert thread(1).title == "What is entanglement?"
    assert post(1).thread == thread(1) and post(1).is_opening
    assert post(2).thread == thread(1) and not post(2).is_opening
    assert Comment.objects.get(external_id=se("comment:20")).post == post(1)
    assert stats.created["questions"] == 4
    assert stats.created["answers"] == 5
    assert stats.created["comments"] == 3
    assert stats.created["people"] == 3
    assert Revision.objects.filter(post__in=Post.objects.filter(thread__community=community)).count() == 9
    revision = Revision.objects.get(post=post(1))
    assert (revision.number, revision.title, revision.note) == (1, "What is entanglement?", "Imported")
    assert revision.tags == ["entanglement", "quantum-gate"]
    assert revision.body_source == UNSAFE_BODY  # the text as imported; pages show the sanitised body_html
    assert User.objects.get(external_id=se("user:1")).profile.languages == []


def test_people_keep_their_profile_and_the_sites_reputation(dump: Path, community: Community) -> None:
    run(dump, community)

    alice = User.objects.get(external_id=se("user:1"))
    assert alice.profile.display_name == "Alice Quantum"
    assert alice.profile.location == "Delft"
    assert alice.profile.bio == "I study qubits."
    assert alice.profile.imported_reputation == 1200
    assert alice.profile.external_id == se("user:1")
    assert alice.date_joined == when("2018-03-12T10:00:00")
    assert post(1).author == alice


def test_imported_people_have_no_password_or_email_and_cannot_log_in(dump: Path, community: Community) -> None:
    run(dump, community)

    for user in User.objects.filter(external_id__startswith=f"se:{SITE}:user:"):
        assert not user.has_usable_password()
        assert user.email == ""
        for password in ("", "!", user.password, "pw-Secret-123"):
            assert not Client().login(username=user.username, password=password)


def test_imported_people_are_active_members_of_the_community(dump: Path, community: Community) -> None:
    run(dump, community)

    imported = User.objects.filter(external_id__startswith=f"se:{SITE}:user:")
    memberships = Membership.objects.filter(community=community, user__in=imported)
    assert memberships.count() == 3
    assert set(memberships.values_list("role", "state").distinct()) == {(Role.MEMBER, MembershipState.ACTIVE)}
    # The coordinator stays the coordinator.
    assert Membership.objects.get(community=community, user__username="owner").role == Role.COORDINATOR


def test_the_accepted_answer_is_kept(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    assert thread(1).accepted_post == post(2)
    assert thread(4).accepted_post is None
    assert thread(6).accepted_post == post(10)
    assert stats.created["accepted answers"] == 2


def test_up_and_down_votes_are_counted_from_votes_xml(dump: Path, community: Community) -> None:
    run(dump, community)

    assert (post(1).upvotes, post(1).downvotes) == (3, 1)
    assert (post(2).upvotes, post(2).downvotes) == (2, 0)  # the acceptance vote (type 1) is not an up-vote
    assert (post(3).upvotes, post(3).downvotes) == (0, 0)
    assert thread(1).score == 2


def test_tags_become_community_topics_described_by_their_excerpt(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    entanglement = Topic.objects.get(slug="entanglement")
    assert entanglement.description == "Entanglement is a correlation between qubits."
    assert Topic.objects.get(slug="quantum-gate").description == "Gates act on qubits."
    assert Topic.objects.get(slug="qiskit").description == ""
    assert {"entanglement", "quantum-gate", "qiskit"} <= set(community.topics.values_list("slug", flat=True))
    assert set(thread(1).tags.values_list("slug", flat=True)) == {"entanglement", "quantum-gate"}
    assert set(thread(4).tags.values_list("slug", flat=True)) == {"qiskit"}
    assert stats.created["topics"] == 3
    assert stats.skipped["tag wiki posts (used as topic descriptions)"] == 3


def test_tag_badges_become_declared_expertise_and_other_badges_do_not(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    alice = User.objects.get(external_id=se("user:1"))
    bob = User.objects.get(external_id=se("user:2"))
    assert list(alice.profile.expertise.values_list("slug", flat=True)) == ["entanglement"]
    assert not bob.profile.expertise.exists()
    assert stats.created["expertise from tag badges"] == 1
    assert stats.skipped["badges that are not about a tag (counted only)"] == 1


def test_duplicate_links_set_duplicate_of_and_related_links_relate_both_ways(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    assert thread(6).duplicate_of == thread(1)
    assert thread(1).duplicate_of is None
    assert set(thread(4).related.all()) == {thread(1), thread(7)}
    assert thread(4) in thread(1).related.all()
    assert stats.created["duplicate links"] == 1
    assert stats.created["related links"] == 2


def test_creation_and_last_activity_dates_are_kept(dump: Path, community: Community) -> None:
    run(dump, community)

    assert thread(1).created_at == when("2018-03-13T09:00:00")
    assert thread(1).last_activity_at == when("2018-03-20T08:00:00")
    assert post(1).created_at == when("2018-03-13T09:00:00")
    assert post(1).edited_at == when("2018-03-13T10:00:00")
    assert post(2).created_at == when("2018-03-14T09:00:00")
    assert Comment.objects.get(external_id=se("comment:20")).created_at == when("2018-03-13T15:00:00")
    # No LastActivityDate in the dump: the latest reply is the last activity.
    assert thread(7).last_activity_at == when("2018-06-16T09:00:00")


def test_first_response_is_the_first_reply_by_someone_else_and_reply_counts_are_right(
    dump: Path, community: Community
) -> None:
    run(dump, community)

    q1, q4, q6 = thread(1), thread(4), thread(6)
    assert q1.reply_count == 2
    assert q1.first_response_at == when("2018-03-14T09:00:00")  # Bob's answer, not Alice's own
    assert q4.reply_count == 1
    assert q4.first_response_at == when("2018-03-16T09:00:00")  # unknown author: any reply counts
    assert q6.reply_count == 1
    assert q6.first_response_at == when("2018-06-20T09:00:00")


def test_unsafe_html_is_stripped_and_the_text_kept_for_search(dump: Path, community: Community) -> None:
    run(dump, community)

    opening = post(1)
    assert opening.body_format == "html"
    for unsafe in ("<script", "alert", "onerror", "stolen"):
        assert unsafe not in opening.body_html
        assert unsafe not in opening.body_text
    assert "<strong>Bell states</strong>" in opening.body_html
    assert 'alt="diagram"' in opening.body_html
    assert "How do Bell states work?" in opening.body_text
    assert "See the circuit." in opening.body_text
    assert "<" not in opening.body_text


def test_a_post_whose_owner_is_deleted_is_kept_without_author_and_reported(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    assert thread(4).author is None
    assert post(4).author is None
    assert stats.skipped["questions by a deleted user (kept, attributed to a deleted user)"] == 1


def test_an_answer_whose_question_is_missing_is_skipped_with_the_reason(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    assert not Post.objects.filter(external_id=se(9)).exists()
    assert stats.skipped["answers whose question is missing"] == 1
    assert stats.skipped["comments on posts not imported"] == 1  # the comment on that answer


def test_an_answer_listed_before_its_question_is_still_imported(tmp_path: Path, community: Community) -> None:
    data = dump_data()
    posts = data["Posts"]
    answer = next(row for row in posts if row["Id"] == 2)
    posts.remove(answer)
    posts.insert(0, answer)  # before question 1, and in an earlier batch

    stats = run(write_dump(tmp_path / SITE, data), community, batch_size=2)

    assert post(2).thread == thread(1)
    assert thread(1).accepted_post == post(2)
    assert stats.created["answers"] == 5
    assert stats.skipped["answers whose question is missing"] == 1  # only the orphan


def test_unknown_attributes_and_unknown_post_types_are_ignored(tmp_path: Path, community: Community) -> None:
    data = dump_data()
    data["Posts"].append({"Id": 50, "PostTypeId": 7, "CreationDate": "2018-03-18T00:00:00.000", "Body": "x",
                          "FutureAttribute": "<b>whatever</b>"})
    for rows in data.values():
        for row in rows:
            row["UnheardOfAttribute"] = "42"

    stats = run(write_dump(tmp_path / SITE, data), community)

    assert stats.created["questions"] == 4
    assert stats.created["answers"] == 5
    assert stats.skipped["posts of type 7 (not questions or answers)"] == 1


def test_external_ids_use_the_site_option_when_given(dump: Path, community: Community) -> None:
    run(dump, community, site="Quantum Computing")

    assert Thread.objects.filter(external_id="se:quantum-computing:1").exists()
    assert User.objects.filter(external_id="se:quantum-computing:user:1").exists()


# --- Idempotency and --until ----------------------------------------------------------------------


def test_running_the_import_twice_creates_nothing_the_second_time(dump: Path, community: Community) -> None:
    run(dump, community)
    before = counts()

    again = run(dump, community)

    assert again.total_created == 0
    assert counts() == before
    assert again.existing["questions"] == 4
    assert again.existing["answers"] == 5
    assert again.existing["people"] == 3
    assert again.existing["comments"] == 3


def test_until_imports_only_older_content_and_a_later_run_adds_only_what_is_new(
    dump: Path, community: Community
) -> None:
    first = run(dump, community, until=UNTIL)

    assert set(Thread.objects.values_list("external_id", flat=True)) == {se(1), se(4), se(6)}
    assert set(Post.objects.filter(is_opening=False).values_list("external_id", flat=True)) == {se(2), se(3), se(5)}
    assert set(Comment.objects.values_list("external_id", flat=True)) == {se("comment:20"), se("comment:21")}
    assert not User.objects.filter(external_id=se("user:3")).exists()
    assert first.skipped["questions created on or after --until"] == 1
    assert first.skipped["answers created on or after --until"] == 2
    # What happened after the date is not visible yet: no answer, no acceptance, no late activity.
    q6 = thread(6)
    assert (q6.reply_count, q6.first_response_at, q6.accepted_post) == (0, None, None)
    assert q6.last_activity_at == when("2018-04-01T09:00:00")
    assert thread(4).related.count() == 1
    before = counts()

    later = run(dump, community, until=dt.date(2019, 1, 1))

    assert later.created["questions"] == 1
    assert later.created["answers"] == 2
    assert later.created["comments"] == 1
    assert later.created["people"] == 1
    assert later.created["accepted answers"] == 1
    assert later.created["related links"] == 1
    assert later.created["communities"] == later.created["topics"] == 0
    assert later.existing["questions"] == 3
    after = counts()
    assert after["Thread"] == before["Thread"] + 1
    assert after["Post"] == before["Post"] + 3  # question 7, answers 8 and 10
    assert after["Comment"] == before["Comment"] + 1
    q6 = thread(6)
    assert q6.accepted_post == post(10)
    assert (q6.reply_count, q6.first_response_at) == (1, when("2018-06-20T09:00:00"))
    assert q6.last_activity_at == when("2018-06-20T09:00:00")
    assert run(dump, community).total_created == 0


def test_until_on_the_command_line_must_be_a_date(dump: Path, community: Community) -> None:
    with pytest.raises(CommandError, match="--until must be a date"):
        command(str(dump), "--community", community.slug, "--until", "June")


# --- Bad input ------------------------------------------------------------------------------------


def test_a_missing_folder_is_a_clear_error_naming_it(tmp_path: Path, community: Community) -> None:
    missing = tmp_path / "nowhere"

    with pytest.raises(CommandError, match=rf"No such folder: {re.escape(str(missing))}"):
        command(str(missing), "--community", community.slug)


def test_a_missing_posts_xml_is_a_clear_error_naming_it(dump: Path, community: Community) -> None:
    (dump / "Posts.xml").unlink()

    with pytest.raises(CommandError, match=r"Posts\.xml is missing"):
        command(str(dump), "--community", community.slug)
    assert not Thread.objects.exists()


def test_other_missing_files_are_reported_and_the_rest_imported(dump: Path, community: Community) -> None:
    (dump / "Votes.xml").unlink()
    (dump / "Badges.xml").unlink()

    stats = run(dump, community)

    assert stats.created["questions"] == 4
    assert post(1).upvotes == 0
    assert stats.skipped["Votes.xml absent (nothing imported from it)"] == 1
    assert stats.skipped["Badges.xml absent (nothing imported from it)"] == 1


def test_an_unknown_community_is_an_error_unless_create_is_given(dump: Path, db: None) -> None:
    with pytest.raises(CommandError, match="--create"):
        command(str(dump), "--community", "quantum")
    assert not Community.objects.filter(slug="quantum").exists()


def test_malformed_xml_is_an_error_with_file_and_line_and_leaves_nothing_imported(
    dump: Path, community: Community
) -> None:
    # Comments.xml is read after users, questions and answers: all of those must be rolled back.
    lines = (dump / "Comments.xml").read_text().splitlines()
    assert lines[3].startswith("  <row Id=\"21\"")
    (dump / "Comments.xml").write_text("\n".join([*lines[:3], lines[3][:40]]))
    before = counts()

    with pytest.raises(CommandError) as error:
        command(str(dump), "--community", community.slug)

    assert "Comments.xml" in str(error.value)
    assert "line 4" in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert counts() == before


def test_malformed_xml_in_a_created_community_leaves_no_community(dump: Path, db: None) -> None:
    (dump / "PostLinks.xml").write_text('<?xml version="1.0"?>\n<postlinks>\n  <row Id="1" PostId=\n')

    with pytest.raises(ImportError_, match=r"PostLinks\.xml: malformed XML at line 3"):
        run(dump, "quantum", create=True)

    assert not Community.objects.filter(slug="quantum").exists()
    assert not Thread.objects.exists()
    assert not User.objects.exists()


def test_a_dtd_with_entities_billion_laughs_is_refused(dump: Path, community: Community) -> None:
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    (dump / "Posts.xml").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE posts [<!ENTITY lol0 "lol">' + lol + "]>\n"
        '<posts>\n  <row Id="1" PostTypeId="1" CreationDate="2018-03-13T09:00:00.000" Title="&lol9;" Body="x" />\n'
        "</posts>\n"
    )
    before = counts()

    with pytest.raises(CommandError, match=r"Posts\.xml: refused") as error:
        command(str(dump), "--community", community.slug)

    assert "lol" not in str(error.value)
    assert counts() == before


def test_an_external_entity_is_refused(dump: Path, community: Community, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    (dump / "Users.xml").write_text(
        f'<?xml version="1.0"?>\n<!DOCTYPE users [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        '<users>\n  <row Id="1" CreationDate="2018-03-12T10:00:00.000" DisplayName="&x;" />\n</users>\n'
    )

    with pytest.raises(CommandError, match=r"Users\.xml: refused"):
        command(str(dump), "--community", community.slug)

    assert not Profile.objects.filter(display_name__contains="secret").exists()


# --- The command's output -------------------------------------------------------------------------


def test_the_command_creates_the_community_and_prints_a_summary_with_counts_and_skipped_reasons(
    dump: Path, owner: User
) -> None:
    owner.is_superuser = True
    owner.save(update_fields=["is_superuser"])

    out, _ = command(str(dump), "--community", "quantum", "--create")

    quantum = Community.objects.get(slug="quantum")
    assert quantum.external_id == se("site")
    assert Membership.objects.get(community=quantum, user=owner).role == Role.COORDINATOR
    assert Thread.objects.filter(community=quantum).count() == 4
    for kind, number in (("communities", 1), ("people", 3), ("questions", 4), ("answers", 5),
                         ("accepted answers", 2), ("comments", 3), ("duplicate links", 1), ("related links", 2)):
        assert re.search(rf"^  {kind}\s+{number}$", out, re.M), f"{kind}: {number} not in\n{out}"
    assert re.search(r"^\s+1\s+answers whose question is missing$", out, re.M)
    assert re.search(r"^\s+1\s+questions by a deleted user", out, re.M)
    assert re.search(r"new objects\.", out)


def test_a_second_run_of_the_command_reports_zero_new_objects(dump: Path, community: Community) -> None:
    command(str(dump), "--community", community.slug)

    out, _ = command(str(dump), "--community", community.slug)

    assert " 0 new objects." in out
    assert re.search(r"^  questions\s+0$", out, re.M)


def test_progress_off_a_terminal_is_plain_lines_per_file(dump: Path, community: Community) -> None:
    _, err = command(str(dump), "--community", community.slug)

    assert "\r" not in err
    lines = err.splitlines()
    for name in ("Votes.xml", "Tags.xml", "Users.xml", "Badges.xml", "Posts.xml", "Comments.xml", "PostLinks.xml"):
        assert any(re.fullmatch(rf"{re.escape(name)}: 100% \(\d+ rows\)", line) for line in lines), name
    assert "Posts.xml: 100% (13 rows)" in lines


def test_progress_on_a_terminal_is_a_bar_redrawn_in_place() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    progress = Progress(stream, interval=0)
    progress.start("Posts.xml")

    progress.update(50, 100, 500)
    progress.update(100, 100, 1000, final=True)

    text = stream.getvalue()
    assert text.startswith("\rPosts.xml")
    assert "[###############---------------]  50.0%" in text
    assert "100.0%     1,000 rows\n" in text


def test_progress_reports_to_a_callback_for_web_jobs() -> None:
    seen: list[tuple[str, int, int]] = []
    progress = Progress(None, callback=lambda label, done, total: seen.append((label, done, total)), interval=0)
    progress.start("Users.xml")

    progress.update(10, 40, 5)

    assert seen == [("Users.xml", 10, 40)]


def test_the_import_reports_its_speed(dump: Path, community: Community) -> None:
    stats = run(dump, community)

    assert stats.seconds > 0
    assert set(stats.step_seconds) >= {"posts", "comments"}
    assert stats.posts_per_second > 0
    assert stats.as_dict()["created"]["questions"] == 4


# --- The health history ----------------------------------------------------------------------------


def test_an_imported_community_has_its_health_history_from_its_first_post_to_yesterday(
    dump: Path, community: Community
) -> None:
    run(dump, community)

    first_post = min(Post.objects.filter(thread__community=community).values_list("created_at", flat=True))
    days = list(HealthSnapshot.objects.filter(community=community).order_by("day").values_list("day", flat=True))
    assert days[0] == first_post.astimezone(dt.UTC).date() and days[-1] == utc_today() - dt.timedelta(days=1)
    assert len(days) == (days[-1] - days[0]).days + 1
    assert DailyActivity.objects.filter(community=community, contributed=True).exists()
    day = dt.date(2018, 3, 31)
    assert HealthSnapshot.objects.get(community=community, day=day).values == window_metrics(
        community, window_ending(day, 30)
    )
    assert HealthSnapshot.objects.get(community=community, day=day).values["contributions"] > 0


def test_running_the_import_twice_leaves_the_health_history_as_it_was(dump: Path, community: Community) -> None:
    run(dump, community)
    before = list(HealthSnapshot.objects.order_by("day").values_list("pk", "day", "values"))
    run(dump, community)
    assert list(HealthSnapshot.objects.order_by("day").values_list("pk", "day", "values")) == before
