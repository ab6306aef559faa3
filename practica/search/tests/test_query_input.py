"""User input never breaks the engine: operators, quotes, ``*``, ``NEAR``, unbalanced parentheses, SQL-looking
text, emoji, random unicode and 10 KB queries give results or an empty list, never an error or a 500."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.auth.models import AnonymousUser
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from practica.accounts.models import User
from practica.discovery.experts import find_experts
from practica.lib.testing.client import Api
from practica.search import selectors
from practica.search.tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_search_limits(settings: Any) -> None:  # pytest-django's settings fixture, not hypothesis's
    """Hundreds of queries a minute: this module fuzzes the input, practica/accounts/tests test the limits."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "search": None, "search-anonymous": None}

FRAGMENTS = [
    '"', '""', "'", "*", "**", "NEAR", "NEAR(", "NEAR/3", "near", "AND", "OR", "NOT", "and", "or", "not", "(", ")",
    "((", "))", "^", "-", "--", ":", "::", ":*", "title:", "body:", "{", "}", "[", "]", "+", "~", "!", "&", "|", "<->",
    "<2>", "\\", "/", "%", "_", "__", "@", "#", "$", ";", ",", ".", "?", "=", "<", ">", "`",
    "' OR 1=1 --", "\" OR \"\"=\"", "; DROP TABLE search_searchdocument; --", "; DROP TABLE search_fts", "UNION SELECT",
    "1=1", "/* comment */", "%00", "%s", "%(q)s", "{0}", "\\x00", "\t", "\n", "\r\n", " ", "\u200b", "\u00a0",
    "🔥", "👩‍🔬", "🇳🇴", "💩", "ﬁ", "ß", "İ", "ǅ", "Ω", "ω", "日本語", "العربية", "עברית", "ä", "é", "ñ", "²", "½",
    "cement", "barrier", "entanglement", "qubit", "verification", "wells", "the", "a", "of",
]

words = st.sampled_from(FRAGMENTS)
unicode_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)
mixed = st.lists(st.one_of(words, unicode_text), min_size=1, max_size=25).flatmap(
    lambda parts: st.sampled_from([" ", "", "  ", "\t"]).map(lambda sep: sep.join(parts))
)
ten_kb = st.one_of(words, st.text(min_size=1, max_size=12)).filter(lambda s: s.strip("\x00")).map(
    lambda seed: (seed.replace("\x00", "") + " ") * (10_240 // (len(seed) + 1) + 1)
).map(lambda s: s[:10_240])
QUERIES = st.one_of(mixed, unicode_text, ten_kb, words)

NASTY_EXAMPLES = [
    '"cement', "cement*", "NEAR(cement barrier)", "cement NEAR/2 barrier", "(cement OR", "NOT", "AND OR NOT",
    "^cement", "-cement", "title:cement", "cement:*", "' OR 1=1 --", "'; DROP TABLE search_fts; --", "_", "___",
    "🔥🔥🔥", "a" * 10_240, "é" * 10_240, "cement " * 1500, "x" * 3000 + " cement", "日本語のテキスト", "ǅemal",
    "the of a", "!!!", "&|!", "<->", "\\", "%", "²", "NEAR(\"cement\" \"barrier\", 2)",
]


def _check_results(results: Any) -> None:
    assert isinstance(results, selectors.Results)
    assert results.count >= len(results.hits)
    assert len(results.hits) <= 20
    for hit in results.hits:
        assert hit.title
        assert "<script" not in hit.snippet.lower()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=QUERIES)
@example(q=NASTY_EXAMPLES[0])
def test_any_query_gives_results_or_an_empty_list(world: World, member: User, q: str) -> None:
    for user in (member, AnonymousUser()):
        _check_results(selectors.search(user=user, q=q, suggest=True))
        _check_results(selectors.search(user=user, q=q, types=["person"], community_ids=[world.public.pk]))
        selectors.similar_questions(text=q, user=user, community_ids=[world.public.pk])


@pytest.mark.parametrize("q", NASTY_EXAMPLES, ids=range(len(NASTY_EXAMPLES)))
def test_known_nasty_queries_give_results_or_an_empty_list(world: World, member: User, q: str) -> None:
    _check_results(selectors.search(user=member, q=q, suggest=True))


def test_operators_are_words_not_syntax(world: World, member: User) -> None:
    """Quotes, prefixes and operators are dropped: what remains is the words, all of them first."""
    plain = [h.id for h in selectors.search(user=member, q="cement barrier").hits]
    for q in ('"cement barrier"', "cement AND barrier", "(cement barrier", "cement* barrier*", "+cement -barrier",
              "cement NEAR barrier", "title:cement body:barrier"):
        assert {h.id for h in selectors.search(user=member, q=q).hits} >= set(plain[:1]), q
    assert selectors.search(user=member, q="' OR 1=1 --").count == 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=QUERIES)
@example(q="a" * 10_240)
@example(q="' OR 1=1 --")
def test_the_search_api_answers_200_with_json_for_any_query(world: World, api: Api, member: User, q: str) -> None:
    response = api.as_user(member).get(f"/api/v1/search/?q={quote(q)}")
    assert response.status_code == 200, (q[:200], response.content[:500])
    body = json.loads(response.content)
    assert set(body) == {"count", "count_capped", "broadened", "suggestion", "next", "previous", "results"}
    assert isinstance(body["results"], list)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=QUERIES)
def test_pages_and_experts_never_fail_on_any_query(world: World, api: Api, member: User, q: str) -> None:
    client = client_for(member)
    assert client.get(f"/search/?q={quote(q)}").status_code == 200
    assert client.get(f"/communities/public-wells/similar/?title={quote(q)}").status_code == 200
    assert client.get(f"/experts/?q={quote(q)}&community=public-wells").status_code == 200
    response = api.as_user(member).get(f"/api/v1/experts/?q={quote(q)}&community=public-wells")
    assert response.status_code == 200, (q[:200], response.content[:500])
    assert isinstance(response.json(), list)
    find_experts(text=q, community=world.private, viewer=member)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(q=QUERIES, sort=st.sampled_from(["newest", "votes"]), page=st.integers(min_value=1, max_value=12))
def test_sorted_searches_never_fail_on_any_query(world: World, api: Api, member: User, q: str, sort: str, page: int) -> None:
    response = api.as_user(member).get(f"/api/v1/search/?q={quote(q)}&sort={sort}&page={page}")
    assert response.status_code == 200, (q[:200], response.content[:500])
    body = response.json()
    assert body["count"] <= 200 and len(body["results"]) <= 20
    assert all(hit["score"] == 0 for hit in body["results"])
    assert client_for(member).get(f"/search/?q={quote(q)}&sort={sort}&page={page}").status_code == 200


def test_a_nul_character_is_refused_politely_not_with_a_500(world: World, api: Api, member: User) -> None:
    response = api.as_user(member).get("/api/v1/search/?q=cement%00barrier")
    assert response.status_code in (200, 400)
    assert response["Content-Type"].startswith("application/json")
    assert client_for(member).get("/search/?q=cement%00barrier").status_code in (200, 400)
    assert isinstance(selectors.search(user=member, q="cement\x00barrier"), selectors.Results)


@pytest.mark.parametrize(
    "param", ["community", "tag", "author", "kind", "solved", "date_from", "type", "page", "page_size", "sort"]
)
@pytest.mark.parametrize("value", ["' OR 1=1 --", "%", "🔥", "x" * 500, "\x00", "-1", "99999999999999999999"])
def test_hostile_filter_values_never_give_a_500(world: World, api: Api, member: User, param: str, value: str) -> None:
    response = api.as_user(member).get("/api/v1/search/", {"q": "cement", param: value})
    assert response.status_code in (200, 400, 404), response.content[:300]
    page = client_for(member).get("/search/", {"q": "cement", param: value})
    assert page.status_code in (200, 400, 404)


@pytest.mark.parametrize("value", ["' OR 1=1 --", "%", "🔥", "x" * 500, "\x00", "public-wells\x00", ""])
def test_hostile_experts_parameters_never_give_a_500(world: World, api: Api, member: User, value: str) -> None:
    for params in ({"q": "cement", "community": value}, {"q": value, "community": "public-wells"},
                   {"q": "cement", "community": "public-wells", "limit": value}):
        response = api.as_user(member).get("/api/v1/experts/", params)
        assert response.status_code in (200, 400, 404), (params, response.content[:300])
        page = client_for(member).get("/experts/", params)
        assert page.status_code in (200, 400, 404), params
