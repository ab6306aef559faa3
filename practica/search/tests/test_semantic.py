"""The optional semantic extra: sentence embeddings, stored per thread, fused into related threads, similar
questions and search. Skipped (with the reason) where the extra is not installed; run them with a venv that has
it, e.g. ``/tmp/semvenv/bin/python -m pytest practica/search/tests/test_semantic.py -q``.

A handful of threads only, so the model loads once and the tests take seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.discussions.models import Thread
from practica.discussions.search import index_threads
from practica.lib.testing.client import Api
from practica.lib.testing.content import ask, opening
from practica.search import indexing, selectors, semantic
from practica.search.models import ThreadEmbedding
from practica.search.tests.conftest import client_for, find, titles, viewer

NO_EXTRA = "the semantic extra is not installed (pip install torch==2.13.0 && pip install '.[semantic]')"
needs_extra = pytest.mark.skipif(not semantic.available(), reason=NO_EXTRA)

pytestmark = [pytest.mark.semantic, pytest.mark.django_db]

KICK = "How do I stop a kick while drilling?"
INFLUX = "Controlling an influx of formation fluid into the wellbore"
COFFEE = "Choosing a coffee machine for the site office"


@pytest.fixture(autouse=True)
def _fresh_index() -> Iterator[None]:
    # The in-process matrix and the queries' embeddings are shared by the process: never let one test see
    # another's vectors.
    semantic.EmbeddingIndex.invalidate()
    semantic.embed_query.cache_clear()
    yield
    semantic.EmbeddingIndex.invalidate()


@dataclass
class Kicks:
    kick: Thread
    influx: Thread
    coffee: Thread


def _embed_all() -> int:
    indexing.rebuild()
    return semantic.embed_threads(Thread.objects.values_list("id", flat=True))


@pytest.fixture
def kicks(community: Community, owner: User, member: User) -> Kicks:
    kick = ask(community, member, KICK, body="The pit gain rose during the trip.")
    influx = ask(community, owner, INFLUX, body="Shut in the well and circulate with heavier mud.")
    coffee = ask(community, owner, COFFEE, body="Espresso or filter for twenty people?")
    _embed_all()
    return Kicks(kick, influx, coffee)


# --- Without the extra ----------------------------------------------------------------------------


@pytest.mark.skipif(semantic.available(), reason="the semantic extra is installed")
def test_without_the_extra_the_embed_command_says_how_to_install_it(db: None) -> None:
    with pytest.raises(CommandError, match=r"pip install"):
        call_command("embed_threads", stdout=StringIO())


@pytest.mark.skipif(semantic.available(), reason="the semantic extra is installed")
def test_without_the_extra_related_threads_stay_lexical(community: Community, member: User, api: Api) -> None:
    kick = ask(community, member, KICK, body="The pit gain rose.")
    ask(community, member, "Another kick while drilling", body="Pit gain again.")
    indexing.rebuild()
    rows = api.as_user(member).get(f"/api/v1/threads/{kick.pk}/related/").json()
    assert [row["title"] for row in rows] == ["Another kick while drilling"]
    assert not ThreadEmbedding.objects.exists()


# --- With the extra -------------------------------------------------------------------------------


@needs_extra
def test_embed_gives_l2_normalised_384_dimensional_float32_vectors() -> None:
    import numpy as np

    vectors = semantic.embed(["a", "b"])
    assert vectors.shape == (2, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert not np.allclose(vectors[0], vectors[1])


@needs_extra
def test_embed_threads_stores_one_embedding_per_indexed_thread(kicks: Kicks, community: Community) -> None:
    rows = {row.thread_id: row for row in ThreadEmbedding.objects.all()}
    assert set(rows) == {kicks.kick.pk, kicks.influx.pk, kicks.coffee.pk}
    for row in rows.values():
        assert row.model_name == semantic.MODEL_NAME
        assert row.community_id == community.pk
        assert len(bytes(row.vector)) == 384 * 4
    assert semantic.embed_threads([kicks.kick.pk]) == 0  # its text has not changed: nothing to compute
    assert semantic.embed_threads([kicks.kick.pk], force=True) == 1
    assert ThreadEmbedding.objects.count() == 3


@needs_extra
def test_saving_a_thread_embeds_it_by_a_task_after_commit_and_deleting_it_empties_the_embedding(
    community: Community, member: User, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        thread = ask(community, member, KICK, body="The pit gain rose.")
    assert len(bytes(ThreadEmbedding.objects.get(thread_id=thread.pk).vector)) == 384 * 4
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=opening(thread), actor=member)
    assert bytes(ThreadEmbedding.objects.get(thread_id=thread.pk).vector) == b""
    assert semantic.nearest(semantic.embed([KICK])[0], community_ids=[community.pk], exclude_thread=None, limit=5) == []


def _counting(monkeypatch: pytest.MonkeyPatch, target: Any, name: str) -> list[int]:
    """Count the calls of ``target.name`` (which still runs)."""
    calls: list[int] = []
    real = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, counted)
    return calls


@needs_extra
def test_a_process_holding_the_index_takes_in_new_and_deleted_threads_without_loading_it_again(
    kicks: Kicks, community: Community, member: User, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    vector = semantic.embed(["Shutting in a flowing well"])[0]
    assert kicks.influx.pk in {t for t, _ in semantic.nearest(vector, community_ids=[community.pk], exclude_thread=None, limit=5)}
    loads = _counting(monkeypatch, semantic.EmbeddingIndex, "_reset")
    with django_capture_on_commit_callbacks(execute=True):
        shut_in = ask(community, member, "Shut-in procedure for a flowing well", body="Close the BOP and read the pressures.")
    with django_capture_on_commit_callbacks(execute=True):
        services.post_delete(post=opening(kicks.influx), actor=kicks.influx.author)
    near = {t for t, _ in semantic.nearest(vector, community_ids=[community.pk], exclude_thread=None, limit=5)}
    assert shut_in.pk in near
    assert kicks.influx.pk not in near
    assert loads == []


@needs_extra
def test_rows_deleted_without_a_trace_leave_the_index_at_the_next_count(
    kicks: Kicks, community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    vector = semantic.embed([INFLUX])[0]
    assert kicks.influx.pk in {t for t, _ in semantic.nearest(vector, community_ids=[community.pk], exclude_thread=None, limit=5)}
    ThreadEmbedding.objects.filter(thread_id=kicks.influx.pk).delete()  # as a cascade or a restored database would
    monkeypatch.setattr(semantic, "RECOUNT_SECONDS", 0.0)
    assert kicks.influx.pk not in {t for t, _ in semantic.nearest(vector, community_ids=[community.pk], exclude_thread=None, limit=5)}


@needs_extra
def test_a_thread_queued_again_with_the_same_text_is_not_computed_again_but_follows_a_move(
    kicks: Kicks, private_community: Community, owner: User, monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    before = ThreadEmbedding.objects.get(thread_id=kicks.influx.pk)
    computed = _counting(monkeypatch, semantic, "embed")
    with django_capture_on_commit_callbacks(execute=True):
        services.thread_move(thread=kicks.influx, actor=owner, target=private_community)
    after = ThreadEmbedding.objects.get(thread_id=kicks.influx.pk)
    assert computed == []
    assert after.community_id == private_community.pk
    assert bytes(after.vector) == bytes(before.vector)
    assert after.updated_at > before.updated_at  # so that every process reads the move


@needs_extra
def test_related_threads_rank_a_paraphrase_above_an_unrelated_thread(kicks: Kicks, api: Api, member: User) -> None:
    rows = api.as_user(member).get(f"/api/v1/threads/{kicks.kick.pk}/related/?limit=3").json()
    ids = [row["id"] for row in rows]
    assert kicks.kick.pk not in ids
    assert ids[0] == kicks.influx.pk
    if kicks.coffee.pk in ids:
        assert ids.index(kicks.coffee.pk) > ids.index(kicks.influx.pk)


@needs_extra
def test_nearest_neighbours_put_the_paraphrase_first(kicks: Kicks, community: Community) -> None:
    vector = semantic.embed([KICK])[0]
    nearest = semantic.nearest(vector, community_ids=[community.pk], exclude_thread=kicks.kick.pk, limit=2)
    assert [thread_id for thread_id, _ in nearest] == [kicks.influx.pk, kicks.coffee.pk]
    assert nearest[0][1] > nearest[1][1]


@needs_extra
def test_similar_questions_while_asking_find_a_paraphrase(kicks: Kicks, community: Community, member: User) -> None:
    hits = selectors.similar_questions(text="Well is flowing, how to stop the kick", user=member, community_ids=[community.pk])
    assert INFLUX in titles(hits)
    html = client_for(member).get(f"/communities/{community.slug}/similar/", {"title": "Stopping formation fluid entering the well"}).content.decode()
    assert INFLUX in html


@needs_extra
def test_search_fuses_in_threads_near_in_meaning_and_leaves_out_unrelated_ones(kicks: Kicks, member: User) -> None:
    # No word in common with the influx thread; close in meaning (cosine about 0.55). The coffee thread is not.
    results = find(member, "shutting in a flowing well")
    assert INFLUX in titles(results)
    assert COFFEE not in titles(results)
    assert results.count == len(results.hits)  # the count covers what the fusion added


@needs_extra
def test_a_keyword_search_does_not_ask_the_sentence_model_and_a_question_does(
    kicks: Kicks, member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed = _counting(monkeypatch, semantic, "embed")
    find(member, "kick drilling")  # two words: a keyword lookup (10-35 ms of CPU saved)
    assert computed == []
    assert INFLUX in titles(find(member, "shutting in a flowing well"))
    assert len(computed) == 1
    assert INFLUX in titles(find(member, "shutting in a flowing well"))  # the page, then its htmx partial
    assert len(computed) == 1  # the same text is not embedded twice


@needs_extra
def test_a_search_only_meaning_matches_still_counts_its_results(kicks: Kicks, member: User) -> None:
    results = find(member, "shutting in a flowing well")
    assert results.hits
    assert results.count == len(results.hits)  # fewer than a page: every result is on it


@needs_extra
def test_the_embed_threads_command_backfills_and_reports(
    kicks: Kicks, community: Community, monkeypatch: pytest.MonkeyPatch
) -> None:
    ThreadEmbedding.objects.filter(thread_id=kicks.coffee.pk).delete()
    monkeypatch.setattr(semantic, "BACKFILL_ANALYZE", 1)
    analyzed = _counting(monkeypatch, semantic, "analyze_embeddings")
    out = StringIO()
    call_command("embed_threads", "--missing", stdout=out)
    assert out.getvalue().startswith("Embedded 1 threads in ")
    assert analyzed == [1]  # a back-fill refreshes the table's statistics
    assert ThreadEmbedding.objects.count() == 3
    out = StringIO()
    call_command("embed_threads", "--community", community.slug, stdout=out)
    assert out.getvalue().startswith("Embedded 0 threads in ")
    assert "3 unchanged since their last embedding" in out.getvalue()
    out = StringIO()
    call_command("embed_threads", "--community", community.slug, "--force", stdout=out)
    assert out.getvalue().startswith("Embedded 3 threads in ")
    assert "unchanged" not in out.getvalue()
    out = StringIO()
    call_command("embed_threads", "--community", "nowhere", stdout=out)
    assert out.getvalue().startswith("Embedded 0 threads in ")


@pytest.fixture
def secret_influx(private_community: Community, members_only_community: Community, owner: User) -> list[Thread]:
    return [
        ask(private_community, owner, "Handling an influx of formation fluid in a confidential well",
            body="Shut in and bullhead with heavier mud."),
        ask(members_only_community, owner, "Members discuss an influx of formation fluid",
            body="Shut in, then the driller's method."),
    ]


@needs_extra
@pytest.mark.parametrize("side", ["outsider", "anonymous"])
def test_embedded_threads_of_unreadable_communities_never_come_back(
    request: Any, kicks: Kicks, secret_influx: list[Thread], api: Api, side: str
) -> None:
    _embed_all()
    user = None if side == "anonymous" else request.getfixturevalue(side)
    secret_ids = {t.pk for t in secret_influx}
    rows = api.as_user(user).get(f"/api/v1/threads/{kicks.kick.pk}/related/?limit=100").json()
    assert not secret_ids & {row["id"] for row in rows}
    assert kicks.influx.pk in {row["id"] for row in rows}
    similar = selectors.similar_questions(text=KICK, user=viewer(user))
    assert not secret_ids & {hit.id for hit in similar}
    assert not secret_ids & {hit.id for hit in find(user, "stopping a kick").hits}
    assert not secret_ids & {hit.id for hit in find(user, "influx of formation fluid").hits}


@needs_extra
def test_members_get_the_embedded_threads_of_their_private_communities(
    kicks: Kicks, secret_influx: list[Thread], api: Api, member: User
) -> None:
    _embed_all()
    rows = api.as_user(member).get(f"/api/v1/threads/{kicks.kick.pk}/related/?limit=100").json()
    assert {t.pk for t in secret_influx} <= {row["id"] for row in rows}


@needs_extra
def test_a_thread_moved_into_a_private_community_never_comes_back_through_a_stale_embedding(
    kicks: Kicks, private_community: Community, owner: User, outsider: User, api: Api
) -> None:
    """The embedding is recomputed by a background task; until it runs, it still names the old community."""
    services.thread_move(thread=kicks.influx, actor=owner, target=private_community)
    index_threads([kicks.influx.pk])  # the search document follows at once; the embedding task has not run
    assert ThreadEmbedding.objects.get(thread_id=kicks.influx.pk).community_id == kicks.kick.community_id
    rows = api.as_user(outsider).get(f"/api/v1/threads/{kicks.kick.pk}/related/?limit=100").json()
    assert kicks.influx.pk not in {row["id"] for row in rows}
    similar = selectors.similar_questions(text=INFLUX, user=outsider)
    assert kicks.influx.pk not in {hit.id for hit in similar}
    assert kicks.influx.pk not in {hit.id for hit in find(outsider, "formation fluid influx").hits}


@needs_extra
def test_experts_weigh_no_thread_the_embedding_finds_after_the_moment_asked_about(
    kicks: Kicks, community: Community, owner: User, member: User
) -> None:
    """``before`` (the evaluation's time split, a question's own time) holds for the embedding's neighbours as
    for the threads sharing the question's words: an answer written later is no evidence yet."""
    from django.utils import timezone

    from practica.discovery import experts

    cut = timezone.now()
    later = ask(community, owner, "Taking a kick during a trip out of the hole", body="Shut in, then circulate.")
    _embed_all()
    question = "How do I stop a kick while drilling the next section?"
    assert later.pk in experts.similar_threads(text=question, community=community, viewer=member)
    found = experts.similar_threads(text=question, community=community, viewer=member, before=cut)
    assert kicks.kick.pk in found
    assert later.pk not in found


@needs_extra
def test_torch_keeps_to_the_configured_threads_and_the_backfill_takes_what_it_is_told(
    kicks: Kicks, settings: Any, member: User
) -> None:
    import torch

    settings.SEMANTIC_THREADS = 1
    semantic.use_threads()
    selectors.related_threads(thread=kicks.kick, user=member)
    assert torch.get_num_threads() == 1
    try:
        call_command("embed_threads", "--threads", "2", stdout=StringIO())
        assert torch.get_num_threads() == 2
        with pytest.raises(CommandError, match="at least 1"):
            call_command("embed_threads", "--threads", "0", stdout=StringIO())
    finally:
        semantic.use_threads()
    assert torch.get_num_threads() == 1
