"""The network view in templates: a metric's value as people read it, and the link to the view for those who
may see it (the home page)."""

from __future__ import annotations

from typing import Any

from django import template

from practica.insights import catalogue
from practica.insights.dashboard import format_value
from practica.insights.network import HEADLINE, network_visible

register = template.Library()


@register.filter
def metric_value(value: Any, name: str) -> str:
    """``value`` of the metric ``name`` in its unit (a share as a percentage, hours with one decimal); "—" when
    there is none (a share of nothing)."""
    if name == "net_contributor_change" and value is not None:
        return f"{value:+d}"
    return format_value(catalogue.info(name).unit, value)


@register.inclusion_tag("insights/_network_link.html", takes_context=True)
def network_health_link(context: dict[str, Any]) -> dict[str, Any]:
    """The link to the network view, shown to whoever sees the health of at least one community (one query, none
    for a network admin)."""
    user = context.get("user")
    return {"show": user is not None and network_visible(user=user)}


@register.filter
def headline_cells(row: Any) -> list[dict[str, str]]:
    """A network row's headline metrics in the table's order: each its value and its previous value, as read."""
    return [
        {"name": name, "value": metric_value(row.metrics[name].value, name),
         "previous": metric_value(row.metrics[name].previous, name)}
        for name in HEADLINE
    ]
