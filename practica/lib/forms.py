"""Form helpers: show a service's ValidationError next to the fields it names."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Attach a service's errors to the form: to the named field when the form has it, else to the form."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for message in errors:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class TopicsField(forms.CharField):
    """Comma-separated topics, shown and edited as text."""

    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("help_text", "Separate with commas, e.g. well integrity, cementing, barriers")
        super().__init__(**kwargs)  # type: ignore[arg-type]
