"""The metrics a charter goal may bind to: a registry that communities offers and the insights app fills with its
metric catalogue (``InsightsConfig.ready()``), since communities sits below insights and may not import it.

A goal names a metric by its catalogue name (``reply_coverage_7d``); the charter form offers these names as a
select with their labels, and the service refuses any other name (the API answers 400 with the message). A goal
with no metric is "not measured".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

NOT_MEASURED = "Not measured"

# () -> (name, label) of every metric a goal may bind to, in the catalogue's order.
MetricChoices = Callable[[], Iterable[tuple[str, str]]]

_provider: MetricChoices | None = None


def provide(choices: MetricChoices) -> None:
    """Where goals find their metrics (the insights catalogue's ``goal_choices``). Asked on each use, so metrics
    added to the catalogue are offered at once."""
    global _provider
    _provider = choices


def choices() -> list[tuple[str, str]]:
    """(name, label) of every metric a goal may bind to; none while nothing provides them."""
    return list(_provider()) if _provider is not None else []


def label(name: str) -> str | None:
    """The label of a metric a goal may bind to, or None for a name that is not one."""
    return dict(choices()).get(name)


def unknown_message(name: str) -> str:
    """What a person reads when a goal names a metric Practica does not measure."""
    return f"“{name}” is not a metric Practica measures: choose one from the list, or none."
