"""Query-parameter fields shared by the apps' FilterSets (``<app>/filters.py``, STYLE.md convention 13)."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms


class FlagField(forms.Field):
    """A yes/no query parameter: ``on`` (a ticked checkbox), ``true``, ``1``, ``yes``… or ``false``, ``0``, ``no``,
    ``off``; absent or empty is no. Anything else does not parse (the page lists unfiltered, the API answers 400).
    """

    TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
    FALSE = frozenset({"", "0", "false", "f", "no", "n", "off"})
    default_error_messages = {"invalid": "Give true or false."}

    def to_python(self, value: Any) -> bool:
        text = "" if value is None else str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError(self.error_messages["invalid"], code="invalid")

    def bound_data(self, data: Any, initial: Any) -> Any:
        # The page's checkbox is ticked when the flag reads as yes.
        try:
            return self.to_python(data)
        except forms.ValidationError:
            return False


class FlagFilter(django_filters.BooleanFilter):
    field_class = FlagField
