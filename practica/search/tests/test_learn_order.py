"""A site learns the order of a whole question's results from its own linked questions (learn_search_order):
kept only when it finds the linked thread better, undone with --reset, kept across builds, and never a word of
a private thread in what it says."""

from __future__ import annotations

from collections.abc import Callable
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from practica.accounts.models import User
from practica.communities.models import Community
from practica.discussions.models import Thread
from practica.lib.testing.content import ask
from practica.search import latent, rerank, training
from practica.search.models import LatentSpace
from practica.search.tests.conftest import find, titles

pytestmark = pytest.mark.django_db

GROUPS = 24
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _word(group: int, n: int) -> str:
    """A made-up word of its own for each group (letters only: digits would not be words)."""
    return f"{LETTERS[group % 26]}{LETTERS[group // 26]}{LETTERS[n]}vel"


@pytest.fixture
def site(
    settings: Any,
    public_community: Community,
    private_community: Community,
    owner: User,
    member: User,
    reindex: Callable[[], Any],
) -> dict[str, list[Thread]]:
    """Groups of three threads with the same three words: a question, the thread it links to (no votes) and a
    much-voted one it does not link to. On this site people link to the less voted thread — the shipped weights,
    which count votes, put the other first. The last four groups are in the private community."""
    settings.LATENT_MIN_DOCUMENTS = 5
    settings.LATENT_SEARCH = "auto"
    threads: dict[str, list[Thread]] = {"question": [], "linked": [], "voted": []}
    for group in range(GROUPS):
        community, author = (private_community, owner) if group >= GROUPS - 4 else (public_community, member)
        words = " ".join(_word(group, n) for n in range(3))
        for role, extra in (("question", "asked"), ("linked", "noted"), ("voted", "reported")):
            thread = ask(community, author, f"{words} {extra}", body=f"{words} casing pressure {extra}")
            threads[role].append(thread)
        threads["question"][-1].related.add(threads["linked"][-1])
        Thread.objects.filter(pk=threads["voted"][-1].pk).update(score=200)
    reindex()
    return threads


def _learn(*args: str) -> str:
    out = StringIO()
    call_command("learn_search_order", *args, stdout=out)
    return out.getvalue()


def _first(user: User | None, thread: Thread) -> str:
    return next(title for title in titles(find(user, thread.title)) if title != thread.title)


def test_the_site_learns_from_its_own_links_and_searches_follow(site: dict[str, list[Thread]], member: User) -> None:
    question, linked, voted = site["question"][0], site["linked"][0], site["voted"][0]
    assert _first(member, question) == voted.title  # the shipped weights: votes count
    out = _learn("--min-pairs", "20")
    assert "48 linked pairs from 48 questions" in out
    assert "Stored: searches now order whole questions by the learnt weights." in out
    assert _first(member, question) == linked.title
    assert LatentSpace.objects.get().order_learnt_at is not None
    assert latent.LoadedSpace.order_weights is not None and latent.LoadedSpace.order_weights != rerank.WEIGHTS


def test_what_it_says_holds_no_title_even_of_private_threads(site: dict[str, list[Thread]]) -> None:
    out = _learn("--min-pairs", "20")
    for role in site.values():
        for thread in role:
            assert thread.title not in out
            assert _word(GROUPS - 1, 0) not in out


def test_outsiders_still_never_see_private_threads_with_learnt_weights(
    site: dict[str, list[Thread]], outsider: User, member: User
) -> None:
    _learn("--min-pairs", "20")
    private = site["question"][-1]
    assert private.title not in titles(find(outsider, private.title))
    assert private.title in titles(find(member, private.title))


def test_a_dry_run_measures_and_stores_nothing(site: dict[str, list[Thread]], member: User) -> None:
    out = _learn("--min-pairs", "20", "--dry-run")
    assert "learnt weights recall@10" in out and "Dry run: nothing stored." in out
    assert LatentSpace.objects.get().order_weights == ""
    assert _first(member, site["question"][0]) == site["voted"][0].title


def test_reset_goes_back_to_the_shipped_weights(site: dict[str, list[Thread]], member: User) -> None:
    _learn("--min-pairs", "20")
    assert "Back to the shipped weights." in _learn("--reset")
    assert _first(member, site["question"][0]) == site["voted"][0].title
    assert "There were no learnt weights" in _learn("--reset")


def test_a_rebuild_of_the_space_keeps_what_was_learnt(site: dict[str, list[Thread]], member: User) -> None:
    _learn("--min-pairs", "20")
    weights = LatentSpace.objects.get().order_weights
    call_command("build_latent_space", stdout=StringIO())
    assert LatentSpace.objects.get().order_weights == weights
    assert _first(member, site["question"][0]) == site["linked"][0].title


def test_too_few_linked_pairs_learn_nothing(site: dict[str, list[Thread]], member: User) -> None:
    out = _learn()  # 48 pairs, fewer than the 100 needed by default
    assert "Nothing learnt (48 linked pairs, fewer than 100): the weights in force stay." in out
    assert LatentSpace.objects.get().order_weights == ""


def test_weights_that_do_worse_are_not_kept(site: dict[str, list[Thread]], member: User, monkeypatch: Any) -> None:
    # A learner gone wrong: it turns the shipped order upside down, so the linked thread comes last.
    monkeypatch.setattr(training, "fit", lambda examples, **_: tuple(-w for w in rerank.WEIGHTS))
    out = _learn("--min-pairs", "20")
    assert "Not stored (the learnt weights did not do better than the shipped ones)" in out
    assert LatentSpace.objects.get().order_weights == ""
    assert _first(member, site["question"][0]) == site["voted"][0].title


def test_learning_needs_a_latent_space(settings: Any) -> None:
    settings.LATENT_SEARCH = "auto"
    with pytest.raises(CommandError, match="There is no latent space yet: run build_latent_space first"):
        _learn()


@pytest.mark.parametrize(("args", "message"), [
    (("--folds", "1"), "--folds must be between 2 and 20."),
    (("--min-pairs", "5"), "--min-pairs must be between 10 and 1,000,000."),
])
def test_bad_arguments_are_refused(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message):
        _learn(*args)


@pytest.mark.parametrize("stored", ["", "not json", "[1, 2]", '["a", 1, 2, 3, 4, 5, 6, 7, 8, 9]', "[1e999, 0, 0, 0, 0, 0, 0, 0, 0, 0]", "[true, 0, 0, 0, 0, 0, 0, 0, 0, 0]"])
def test_stored_weights_that_do_not_fit_are_ignored(stored: str) -> None:
    assert rerank.stored_weights(stored) is None


def test_stored_weights_that_fit_are_read() -> None:
    assert rerank.stored_weights("[1, 0, 0, 0, 0, 0, 0, 0, 0, -2.5]") == (1.0, 0, 0, 0, 0, 0, 0, 0, 0, -2.5)
