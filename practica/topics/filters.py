"""A topic query parameter for the apps' FilterSets (``<app>/filters.py``): a topic by its slug or its name."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from practica.topics.services import MAX_TOPIC_LENGTH, topic_normalise


class TopicField(forms.CharField):
    """A topic by its slug or its name (``Well integrity`` and ``well-integrity`` are the same tag)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_TOPIC_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        # The length is the text's as given: the normalised slug is cut short, and would pass.
        self.run_validators(text)
        return topic_normalise(text) if text else ""

    def bound_data(self, data: Any, initial: Any) -> Any:
        # The page's tag menu marks the option whose slug this is, however the tag was written.
        return topic_normalise(data) if isinstance(data, str) and data.strip() else data


class TopicFilter(django_filters.CharFilter):
    field_class = TopicField
