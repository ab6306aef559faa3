"""Ids posted or typed by people (``practica.lib.ids.id_from``)."""

from __future__ import annotations

import pytest

from practica.lib.ids import MAX_ID, id_from


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7", 7),
        ("007", 7),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),
        ("9" * 25, None),
        ("0", None),
        ("-1", None),
        (" 7", None),
        ("7.0", None),
        ("²", None),  # a digit to str.isdigit, not to int()
        ("٣", None),  # an Arabic-Indic three: int() takes it, a URL or a form never means it
        ("", None),
        (None, None),
        (True, None),
        ([7], None),
    ],
)
def test_id_from_takes_plain_numbers_a_database_id_can_hold(value: object, expected: int | None) -> None:
    assert id_from(value) == expected
