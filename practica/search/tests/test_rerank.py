"""The learnt order of a whole question's results (rerank.py): what it learns, and that learning or ordering
never sees a thread the viewer may not read."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions import services
from practica.discussions.models import Thread
from practica.lib.testing.content import ask
from practica.search import rerank, selectors, training
from practica.search.models import SearchDocument
from practica.search.tests.conftest import find, titles, viewer

VALVES = "valve actuator torque gearbox grease seal"
QUESTION = "Valve actuator torque keeps rising"
PRIVATE = "Actuator torque on the private valve"
SIDES = ["owner", "member", "outsider", "anonymous"]
READS_PRIVATE = {"owner": True, "member": True, "outsider": False, "anonymous": False}
VOTES = rerank.FEATURES.index("votes")


def test_fit_learns_to_put_the_sought_row_first_on_queries_it_never_saw() -> None:
    rng = random.Random(3)

    def example() -> tuple[Any, list[int]]:
        rows = np.array([[rng.random() for _ in rerank.FEATURES] for _ in range(8)])
        wanted = rng.randrange(8)
        rows[wanted, VOTES] += 1.0  # what is sought has more votes, give or take the noise of the other features
        return rows, [wanted]

    weights = training.fit([example() for _ in range(60)])
    assert max(range(len(weights)), key=lambda i: weights[i]) == VOTES
    held_out = [example() for _ in range(40)]
    first = sum(1 for rows, wanted in held_out if int(np.argmax(rows @ np.array(weights))) == wanted[0])
    assert first >= 36


def test_fit_without_anything_to_learn_from_learns_nothing() -> None:
    assert training.fit([(np.zeros((3, len(rerank.FEATURES))), [])]) == tuple(0.0 for _ in rerank.FEATURES)


@pytest.mark.parametrize("weights", [(), (1.0,) * (len(rerank.FEATURES) + 1)])
def test_weights_of_the_wrong_length_are_refused(weights: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match=f"{len(rerank.FEATURES)} weights expected"), rerank.using(weights):
        pass


def test_an_empty_group_orders_to_nothing() -> None:
    assert rerank.order(rerank.Group(doc_ids=[], thread_ids=[], features=np.zeros((0, len(rerank.FEATURES))))) == []


@pytest.fixture
def corpus(
    settings: Any,
    public_community: Community,
    private_community: Community,
    owner: User,
    member: User,
    reindex: Callable[[], Any],
) -> dict[str, Thread]:
    """Twelve valve threads in public (the last much voted for), one in private; indexed with a latent space."""
    settings.LATENT_MIN_DOCUMENTS = 5
    settings.LATENT_SEARCH = "auto"
    threads = {}
    for n in range(12):
        threads[f"valve {n}"] = ask(public_community, member, f"Valve report {n}", body=f"{VALVES} unit{n}a unit{n}b")
        ask(public_community, member, f"Cement report {n}", body=f"cement barrier bond slurry well{n}")
    Thread.objects.filter(pk=threads["valve 11"].pk).update(score=80)
    threads["private"] = ask(private_community, owner, PRIVATE, body=VALVES)
    reindex()
    assert SearchDocument.objects.get(object_id=threads["valve 11"].pk, doc_type="thread").votes == 80
    return threads


@pytest.mark.django_db
def test_a_whole_question_follows_the_weights_it_is_given(corpus: dict[str, Thread], member: User) -> None:
    def only(feature: str) -> list[float]:
        return [1.0 if name == feature else 0.0 for name in rerank.FEATURES]

    with rerank.using(only("votes")):
        assert titles(find(member, QUESTION))[0] == "Valve report 11"
    with rerank.using(only("title_cosine")):
        assert titles(find(member, QUESTION))[0] == PRIVATE  # its title has three of the question's words
    found = titles(find(member, QUESTION))
    assert {found[0], found[1]} == {"Valve report 11", PRIVATE}  # the shipped weights count both
    assert all(title.startswith("Valve report") for title in found[2:13])


@pytest.mark.django_db
@pytest.mark.parametrize("side", SIDES)
def test_what_is_ordered_and_learnt_from_holds_only_what_the_viewer_may_read(
    request: Any, corpus: dict[str, Thread], side: str
) -> None:
    who = None if side == "anonymous" else request.getfixturevalue(side)
    with rerank.collecting() as groups:
        results = find(who, QUESTION)
        asked = selectors.similar_questions(text=QUESTION, user=viewer(who), limit=20)
    assert len(groups) == 2  # the search and "asked already?" were both ordered by the learnt weights
    private = corpus["private"].pk
    for group in groups:
        assert (private in group.thread_ids) is READS_PRIVATE[side]
        assert len(group.thread_ids) == len(group.doc_ids) == group.features.shape[0]
    assert (PRIVATE in titles(results)) is READS_PRIVATE[side]
    assert (PRIVATE in titles(asked)) is READS_PRIVATE[side]


@pytest.mark.django_db
def test_a_short_query_is_not_reordered(corpus: dict[str, Thread], member: User) -> None:
    with rerank.collecting() as groups:
        find(member, "valve torque")
        selectors.similar_questions(text="valve torque", user=viewer(member))
    assert groups == []


@pytest.mark.django_db
def test_a_retitled_thread_is_ordered_by_its_new_title(
    corpus: dict[str, Thread], member: User, django_capture_on_commit_callbacks: Any
) -> None:
    title_only = [1.0 if name == "title_cosine" else 0.0 for name in rerank.FEATURES]
    with rerank.using(title_only):
        assert titles(find(member, QUESTION))[0] == PRIVATE  # the titles' vectors are now kept in memory
        thread = corpus["valve 3"]
        with django_capture_on_commit_callbacks(execute=True):
            services.post_edit(
                post=thread.posts.get(is_opening=True), editor=member, title="Valve actuator torque keeps rising fast",
                body=f"{VALVES} unit3a unit3b", expected_version=1,
            )
        assert titles(find(member, QUESTION))[0] == "Valve actuator torque keeps rising fast"
