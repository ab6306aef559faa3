"""The imported Quantum Computing community (../shared/datasets/quantumcomputing) can capture its accepted
answers: a real Stack Exchange thread, with HTML bodies and imported people, becomes a draft that credits them.

Only the site's first days are imported (``--until``), to keep the test fast; skipped when the dump is absent.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from practica.communities.models import Community, Membership, Role
from practica.discussions.models import Thread
from practica.knowledge import services
from practica.knowledge.models import KnowledgeAuthor
from practica.lib.testing.factories import UserFactory

pytestmark = [pytest.mark.dataset, pytest.mark.django_db]

REPO = Path(__file__).resolve().parents[3]
CANDIDATES = [Path(settings.SHARED_DATASETS_DIR) / "quantumcomputing", REPO.parent / "shared" / "datasets" / "quantumcomputing"]
DATASET = next((p for p in CANDIDATES if (p / "Posts.xml").is_file()), None)


@pytest.mark.skipif(
    DATASET is None,
    reason="the shared Stack Exchange dump is absent (looked for Posts.xml in "
    + " and ".join(str(p) for p in CANDIDATES)
    + "); this test needs ../shared/datasets/quantumcomputing",
)
def test_an_imported_accepted_answer_is_captured_as_a_draft_crediting_its_authors() -> None:
    coordinator = UserFactory(username="qc-coordinator", is_superuser=False)
    call_command(
        "import_stackexchange", str(DATASET), "--community", "quantum", "--create", "--until", "2018-03-16",
        "--coordinator", "qc-coordinator", stdout=io.StringIO(), stderr=io.StringIO(),
    )
    community = Community.objects.get(slug="quantum")
    thread = (
        Thread.objects.filter(community=community, accepted_post__isnull=False)
        .select_related("accepted_post", "accepted_post__author", "author")
        .order_by("id")
        .first()
    )
    assert thread is not None, "the first days of the dump have accepted answers"
    assert thread.external_id.startswith("se:quantumcomputing:")
    capturer = UserFactory(username="capturer")
    Membership.objects.create(community=community, user=capturer, role=Role.MEMBER, state="active")

    item = services.capture_from_thread(user=capturer, thread=thread)

    accepted = thread.accepted_post
    assert accepted is not None and accepted.author is not None
    assert item.source_thread == thread and item.status == "draft"
    assert accepted.body_text.split()[0] in item.body_text
    credited = set(KnowledgeAuthor.objects.filter(item=item).values_list("user__username", flat=True))
    assert {capturer.username, accepted.author.username} <= credited
    assert "<script" not in item.body_html
    assert coordinator.is_authenticated
