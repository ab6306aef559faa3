"""What people may watch or mute besides a community and a tag: the registry of watchable things.

The notifications app stands below the content apps and may not import them, yet its pages and its API let a
person watch or mute a thread. A content app that has something watchable registers, from its
``AppConfig.ready()``, how to find one for a person (:func:`register`): a lookup that answers 404 for what the
person may not read, the same answer as for what does not exist (``practica/discussions/apps.py`` registers
"thread"). The notifications app asks through :func:`find`, knowing no content model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model
from django.http import Http404

# (the object's id, the viewer) -> the object, or Http404 when the viewer may not read it or it does not exist.
Lookup = Callable[[int, Any], Model]

_lookups: dict[str, Lookup] = {}


def register(name: str, lookup: Lookup) -> None:
    """Declare a watchable kind of thing (from its app's ``AppConfig.ready()``); registering again replaces it."""
    _lookups[name] = lookup


def names() -> list[str]:
    """The registered kinds, sorted."""
    return sorted(_lookups)


def find(name: str, object_id: int, user: Any) -> Model:
    """The watchable thing of this kind and id that the user may read, else Http404 (also for a kind no app
    registered)."""
    lookup = _lookups.get(name)
    if lookup is None:
        raise Http404(f"No such {name}.")
    return lookup(object_id, user)


__all__ = ["Lookup", "find", "names", "register"]
