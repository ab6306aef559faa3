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

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db.models import Model
from django.db.models.signals import post_delete
from django.http import Http404

# (the object's id, the viewer) -> the object, or Http404 when the viewer may not read it or it does not exist.
Lookup = Callable[[int, Any], Model]

_lookups: dict[str, Lookup] = {}
_names: dict[type[Model], str] = {}


def register(name: str, model: type[Model], lookup: Lookup) -> None:
    """Declare a watchable kind of thing (from its app's ``AppConfig.ready()``); registering again replaces it.

    Deleting one deletes its subscriptions, as a foreign key's cascade would: through the model's
    ``GenericRelation`` to ``Subscription`` when it declares one (Django then deletes them in batches with their
    targets, a community's thousands of threads in a few queries), else one query per deleted object."""
    _lookups[name] = lookup
    _names[model] = name
    if not _cascades(model):
        post_delete.connect(
            _forget_subscriptions, sender=model, weak=False, dispatch_uid=f"notifications.targets.{name}"
        )


def _cascades(model: type[Model]) -> bool:
    """Whether the model's own ``GenericRelation`` deletes its subscriptions with it."""
    from practica.notifications.models import Subscription

    return any(
        isinstance(field, GenericRelation) and field.related_model is Subscription
        for field in model._meta.private_fields
    )


def name_of(content_type: ContentType) -> str:
    """The registered name of a watchable kind ("thread"), or the model's name when no app registered it."""
    model = content_type.model_class()
    return _names.get(model, content_type.model) if model is not None else content_type.model


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


def _forget_subscriptions(sender: type[Model], instance: Model, **kwargs: Any) -> None:
    from practica.notifications.models import Subscription

    Subscription.objects.of(instance).delete()


__all__ = ["Lookup", "find", "name_of", "names", "register"]
