"""Signed tokens: one purpose cannot stand in for another, tampering and wrong claims read as nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from practica.lib import signing


def test_a_personal_token_gives_back_its_claims() -> None:
    token = signing.personal_token(user_id=7, purpose=signing.PERSONAL_FEED, k="key")
    assert signing.personal_claims(token, purpose=signing.PERSONAL_FEED, k=str) == {"u": 7, "k": "key"}


def test_a_token_made_for_one_purpose_is_refused_for_another() -> None:
    token = signing.personal_token(user_id=7, purpose=signing.UNSUBSCRIBE)
    assert signing.personal_claims(token, purpose=signing.PERSONAL_FEED) is None


def test_a_tampered_token_or_a_claim_of_the_wrong_type_reads_as_nothing() -> None:
    token = signing.personal_token(user_id=7, purpose=signing.CALENDAR_FEED, v=1)
    assert signing.personal_claims(token[:-2] + "xx", purpose=signing.CALENDAR_FEED, v=int) is None
    assert signing.personal_claims(token, purpose=signing.CALENDAR_FEED, v=str) is None
    flag = signing.sign({"u": True}, purpose=signing.CALENDAR_FEED)
    assert signing.personal_claims(flag, purpose=signing.CALENDAR_FEED) is None


def test_an_old_token_expires_with_a_max_age() -> None:
    token = signing.sign(3, purpose=signing.INVITATION)
    assert signing.unsign(token, purpose=signing.INVITATION, max_age=dt.timedelta(days=1)) == 3
    with pytest.raises(signing.Expired):
        signing.unsign(token, purpose=signing.INVITATION, max_age=dt.timedelta(seconds=-1))
