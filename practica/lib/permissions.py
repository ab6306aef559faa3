"""The one form every app's permission rules take (``<app>/permissions.py``): a ``Rule`` is a predicate with the
refusal a person reads when it says no.

One spelling for callers, whatever the app:

- ``RULE(...)`` asks the question (a ``bool``): selectors turn it into a page's flags, templates read those flags;
- ``RULE.require(...)`` is the guard: services (and views that refuse early) call it, and it raises
  ``PermissionDenied`` with the rule's message (a 403 in the API, a message or a 403 page in the pages), or
  ``Http404`` for a ``hidden`` rule (about what the person may see at all: a hidden thing does not exist for them);
- ``RULE.decide(...)`` answers with the ``Decision`` itself, for a caller that shows the refusal (the API's
  permission classes, ``practica.lib.api.permissions``).

A rule whose refusal depends on which of its conditions failed ("join to reply" or "this thread is locked")
returns a ``Decision`` instead of a ``bool`` (``@decides``); ``first_refusal`` chains them.

This module is the lowest floor: it knows no app (the viewer's ``Access`` is the communities app's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, ParamSpec

from django.core.exceptions import PermissionDenied
from django.http import Http404

P = ParamSpec("P")


@dataclass(frozen=True)
class Decision:
    """Allowed, or refused with the message the person is shown (``hidden``: refused as "does not exist")."""

    allowed: bool
    message: str = ""
    hidden: bool = False

    def __bool__(self) -> bool:
        return self.allowed

    def require(self) -> None:
        """Raise ``PermissionDenied`` (``Http404`` when hidden) with the refusal's message unless allowed."""
        if self.allowed:
            return
        if self.hidden:
            raise Http404(self.message)
        raise PermissionDenied(self.message)


ALLOWED = Decision(True)


def first_refusal(*decisions: Decision) -> Decision:
    """The first of ``decisions`` that refuses, or ``ALLOWED`` when none does."""
    for decision in decisions:
        if not decision:
            return decision
    return ALLOWED


class Rule(Generic[P]):
    """A predicate with its refusal: ``rule(...)`` answers whether, ``rule.require(...)`` refuses otherwise.

    The predicate answers a ``bool`` (refused with ``message``) or a ``Decision`` (refused with its own message).
    """

    def __init__(self, test: Callable[P, bool | Decision], message: str = "", *, hidden: bool = False) -> None:
        self.test = test
        self.message = message
        self.hidden = hidden  # refused as "does not exist" (404), not as "not allowed" (403)
        self.__name__ = getattr(test, "__name__", "rule")
        self.__doc__ = test.__doc__

    def __repr__(self) -> str:
        return f"<Rule {self.__name__}: {self.message!r}>"

    def decide(self, *args: P.args, **kwargs: P.kwargs) -> Decision:
        """Allowed, or the refusal with its message."""
        answer = self.test(*args, **kwargs)
        if isinstance(answer, Decision):
            return answer
        return ALLOWED if answer else Decision(False, self.message, self.hidden)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> bool:
        return self.decide(*args, **kwargs).allowed

    def require(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Raise ``PermissionDenied`` (``Http404`` for a hidden rule) with the refusal's message unless allowed."""
        self.decide(*args, **kwargs).require()

    def saying(self, message: str) -> Rule[P]:
        """The same rule, refused with another message (the same right asked for another action)."""
        return Rule(self.test, message, hidden=self.hidden)


def rule(message: str, *, hidden: bool = False) -> Callable[[Callable[P, bool]], Rule[P]]:
    """Make the decorated predicate a ``Rule`` refused with ``message`` (``hidden``: with a 404)."""

    def wrap(test: Callable[P, bool]) -> Rule[P]:
        return Rule(test, message, hidden=hidden)

    return wrap


def decides(test: Callable[P, Decision]) -> Rule[P]:
    """Make the decorated function, which answers a ``Decision``, a ``Rule`` (each refusal carries its message)."""
    return Rule(test)
