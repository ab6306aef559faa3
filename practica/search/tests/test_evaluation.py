"""The quality evaluation (bench/evaluate_retrieval.py) measures related threads and search on text without the
links between questions: those links are its labels, and their text is usually the other question's title."""

from __future__ import annotations

import pytest

from bench import evaluate_retrieval as evaluation
from practica.discussions import services
from practica.discussions.models import Comment, Post
from practica.lib.markdown import html_to_text, sanitize_html
from practica.lib.testing.content import answer, ask, opening, person
from practica.lib.testing.factories import CommunityFactory
from practica.search import indexing, selectors
from practica.search.models import SearchDocument

pytestmark = pytest.mark.django_db


def imported_post(post: Post, html: str) -> None:
    """Give a post the HTML body an import from Stack Exchange would."""
    safe = sanitize_html(html)
    Post.objects.filter(pk=post.pk).update(body_format="html", body_source=html, body_html=safe, body_text=html_to_text(safe))


def test_links_to_questions_and_their_text_leave_posts_comments_and_the_index() -> None:
    community = CommunityFactory()
    author = person("author", community)
    thread = ask(community, author, "Noise in surface codes")
    imported_post(
        opening(thread),
        '<p>Similar to <a href="https://quantumcomputing.stackexchange.com/questions/1/could-a-turing-machine">'
        "Could a Turing machine simulate a quantum computer?</a> and "
        '<a href="/q/77">Magic state distillation</a>, see <a href="https://arxiv.org/abs/1234">Gottesman</a>.</p>',
    )
    reply = answer(thread, author, "See the stabilizer paper.")
    imported_post(reply, '<p>Answered at https://physics.stackexchange.com/a/42/7 already; also on Wikipedia.</p>')
    services.comment_create(
        post=opening(thread), author=author,
        body="Possible duplicate of [Decoherence times of trapped ions](https://quantumcomputing.stackexchange.com/questions/9/decoherence)",
    )
    indexing.rebuild()
    assert selectors.search(user=author, q="turing", types=["thread"]).hits

    changed = evaluation.remove_question_links()

    assert changed == {"posts": 2, "comments": 1}
    post = Post.objects.get(pk=opening(thread).pk)
    assert "Turing" not in post.body_text and "Magic state" not in post.body_text
    assert "Gottesman" in post.body_text and "arxiv.org" in post.body_html  # other links stay
    assert "physics.stackexchange" not in Post.objects.get(pk=reply.pk).body_text
    assert "Wikipedia" in Post.objects.get(pk=reply.pk).body_text
    comment = Comment.objects.get(post=opening(thread))
    assert "Decoherence" not in comment.body_source and "Decoherence" not in comment.body_html
    assert "Possible duplicate of" in comment.body_source
    document = SearchDocument.objects.get(doc_type="thread", object_id=thread.pk)
    assert "Turing" not in document.body and "Gottesman" in document.body
    assert selectors.search(user=author, q="turing", types=["thread"]).hits == []


def test_a_pair_whose_source_quotes_the_partners_title_counts_as_given_away() -> None:
    community = CommunityFactory()
    author = person("author", community)
    first = ask(community, author, "Magic state distillation")
    second = ask(community, author, "Which code for a small device?", body="Unlike magic state distillation, this…")
    third = ask(community, author, "Ion trap lifetimes", body="Nothing in common.")
    indexing.rebuild()

    pairs = [(second.pk, first.pk, "related"), (first.pk, second.pk, "related"), (third.pk, first.pk, "duplicate")]

    assert evaluation.titles_in_text(pairs) == 1


def test_the_best_fixed_list_covers_what_hindsight_allows_and_no_more() -> None:
    # Person 1 answered three questions, 2 two others, 3 one more; 4 shares a question with 1.
    answerers = [{1}, {1, 4}, {1}, {2}, {2}, {3}, set()]
    assert evaluation.best_fixed_list(answerers, size=1) == 3
    assert evaluation.best_fixed_list(answerers, size=2) == 5
    assert evaluation.best_fixed_list(answerers, size=10) == 6  # the question nobody answered stays uncovered
    assert evaluation.best_fixed_list([], size=10) == 0
