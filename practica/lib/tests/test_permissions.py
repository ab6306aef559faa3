"""The one form of the apps' permission rules (``practica.lib.permissions``) and its DRF adapter."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.test import APIRequestFactory

from practica.lib.api.permissions import RulePermission
from practica.lib.permissions import ALLOWED, Decision, Rule, decides, first_refusal, rule


@rule("Only adults may vote.")
def may_vote(age: int) -> bool:
    """Adults vote."""
    return age >= 18


@rule("No such ballot.", hidden=True)
def may_see_ballot(*, open_ballot: bool) -> bool:
    return open_ballot


@decides
def may_stand(age: int, *, registered: bool) -> Decision:
    return first_refusal(
        Decision(registered, "Register first."), may_vote.decide(age), Decision(age >= 21, "Candidates are 21 or over.")
    )


def test_calling_a_rule_answers_whether_it_allows() -> None:
    assert may_vote(30) is True
    assert may_vote(12) is False
    assert may_vote.__doc__ == "Adults vote." and may_vote.__name__ == "may_vote"


def test_require_refuses_with_the_rules_message_and_lets_the_allowed_through() -> None:
    may_vote.require(30)
    with pytest.raises(PermissionDenied, match="Only adults may vote"):
        may_vote.require(12)


def test_a_hidden_rule_refuses_as_if_the_thing_did_not_exist() -> None:
    may_see_ballot.require(open_ballot=True)
    with pytest.raises(Http404, match="No such ballot"):
        may_see_ballot.require(open_ballot=False)


def test_saying_keeps_the_rule_and_changes_only_its_message() -> None:
    may_vote_early = may_vote.saying("Only adults may vote early.")
    assert may_vote_early(30) and not may_vote_early(12)
    with pytest.raises(PermissionDenied, match="Only adults may vote early"):
        may_vote_early.require(12)
    hidden = may_see_ballot.saying("No such poll.")
    with pytest.raises(Http404, match="No such poll"):
        hidden.require(open_ballot=False)


def test_a_deciding_rule_refuses_with_the_message_of_the_first_condition_that_failed() -> None:
    assert may_stand(30, registered=True)
    assert may_stand.decide(12, registered=False) == Decision(False, "Register first.")
    with pytest.raises(PermissionDenied, match="Only adults may vote"):
        may_stand.require(12, registered=True)
    with pytest.raises(PermissionDenied, match="Candidates are 21 or over"):
        may_stand.require(19, registered=True)


def test_a_decision_is_true_only_when_allowed_and_requires_like_a_rule() -> None:
    assert ALLOWED and first_refusal() is ALLOWED
    assert not Decision(False, "No.")
    ALLOWED.require()
    with pytest.raises(PermissionDenied, match="No"):
        Decision(False, "No.").require()
    with pytest.raises(Http404, match="Gone"):
        Decision(False, "Gone.", hidden=True).require()


class _AgeRule(RulePermission):
    rule: Rule[[int]] = may_vote
    reads_pass = True

    def object_arguments(self, request: object, view: object, obj: object) -> tuple[object, ...] | None:
        return (obj,) if isinstance(obj, int) else None


def test_the_api_adapter_refuses_writes_with_the_rules_message_and_lets_reads_pass() -> None:
    factory = APIRequestFactory()
    post, get = factory.post("/"), factory.get("/")
    permission = _AgeRule()
    assert permission.has_object_permission(post, None, 30)
    assert not permission.has_object_permission(post, None, 12)
    assert permission.message == "Only adults may vote."
    assert permission.has_object_permission(get, None, 12)  # reads are the selector's business
    assert permission.has_object_permission(post, None, "not an age")  # the rule does not apply to it


def test_the_api_adapter_answers_a_hidden_refusal_with_404() -> None:
    class BallotRule(RulePermission):
        rule = Rule(lambda open_ballot: open_ballot, "No such ballot.", hidden=True)

        def view_arguments(self, request: object, view: object) -> tuple[object, ...]:
            return (False,)

    with pytest.raises(Http404, match="No such ballot"):
        BallotRule().has_permission(APIRequestFactory().post("/"), None)
