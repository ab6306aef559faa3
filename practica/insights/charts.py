"""The health dashboard's charts: server-side SVG drawn with pygal, made safe for the page.

pygal's SVG comes with a script (its tooltips, and a CDN script unless ``js=[]``), a ``<style>`` element and a few
``style`` attributes; the site's Content-Security-Policy allows no inline script or style, so ``_clean`` takes
them all out and the page's own stylesheet (``insights/health.css``) colours the chart by pygal's classes. Each
chart is an image with an accessible name (``role="img"``, ``aria-labelledby`` its ``<title>`` and ``<desc>``) and
comes with a table of the same numbers (``Chart.headers`` and ``Chart.rows``) that the page shows beside it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # we parse nothing: pygal's own tree is edited and written out
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pygal
from django.utils.safestring import SafeString, mark_safe

from practica.insights.dashboard import CurvePoint, LevelRow

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG)
ET.register_namespace("xlink", XLINK)

_COMMON: dict[str, Any] = {
    "js": [],  # no JavaScript from pygal's CDN (nor any: _clean removes the inline config script too)
    "disable_xml_declaration": True,
    "width": 640,
    "height": 300,
    "margin": 12,
    "spacing": 12,
    "legend_at_bottom": True,
    "legend_at_bottom_columns": 2,
    "truncate_legend": -1,
    "truncate_label": -1,
    "show_y_guides": True,
    "tooltip_fancy_mode": False,
}


@dataclass(frozen=True)
class Chart:
    """One chart: its SVG (safe to put in the page as it is), what it shows in words, and the same numbers as a
    table."""

    key: str
    title: str
    description: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _tag(element: ET.Element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _clean(root: ET.Element, *, key: str, title: str, description: str) -> str:
    """pygal's tree without script, style or comments, named for assistive technology, as an SVG string."""
    for parent in list(root.iter()):
        for child in list(parent):
            kind = _tag(child)
            classes = (child.get("class") or "").split()
            if (
                not isinstance(child.tag, str)  # a comment
                or kind in ("script", "style", "desc", "title")  # pygal's tooltips' words; ours come below
                or "tooltip" in classes
            ):
                parent.remove(child)
    for element in root.iter():
        element.attrib.pop("style", None)
        element.attrib.pop("id", None)  # pygal's legend ids repeat from one chart to the next on a page
    for written_out in ("xmlns", "xmlns:xlink"):  # ElementTree writes the namespaces itself
        root.attrib.pop(written_out, None)
    chart_id = f"chart-{key}"
    root.set("id", chart_id)
    root.set("class", f"pygal-chart health-chart health-chart-{key}")
    root.set("role", "img")
    root.set("aria-labelledby", f"{chart_id}-title {chart_id}-desc")
    name = ET.Element(f"{{{SVG}}}title", {"id": f"{chart_id}-title"})
    name.text = title
    words = ET.Element(f"{{{SVG}}}desc", {"id": f"{chart_id}-desc"})
    words.text = description
    root.insert(0, words)
    root.insert(0, name)
    return ET.tostring(root, encoding="unicode")


def _render(chart: Any, *, key: str, title: str, description: str) -> SafeString:
    # Everything in the tree is ours or pygal's (labels and numbers made here, escaped by ElementTree).
    return mark_safe(_clean(chart.render_tree(), key=key, title=title, description=description))  # noqa: S308


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def ladder_chart(levels: Sequence[LevelRow]) -> Chart:
    """The ladder of participation: how many members on each level, this window and the one before."""
    most = max([row.count for row in levels] + [row.previous for row in levels] + [1])
    # Whole people on the axis: no more ticks than people.
    chart = pygal.HorizontalBar(**_COMMON, print_values=False, show_legend=True, min_scale=1, max_scale=min(most, 10))
    bottom_up = list(reversed(levels))  # a horizontal bar chart draws its first label at the bottom: core on top
    chart.x_labels = [row.label for row in bottom_up]
    chart.add("This window", [row.count for row in bottom_up])
    chart.add("The window before", [row.previous for row in bottom_up])
    title = "Participation ladder"
    description = "Members on each level of participation, this window and the window before: " + "; ".join(
        f"{row.label} {row.count} (before {row.previous})" for row in levels
    ) + "."
    return Chart(
        key="ladder", title=title, description=description,
        svg=_render(chart, key="ladder", title=title, description=description),
        headers=["Level", "This window", "The window before"],
        rows=[[row.label, str(row.count), str(row.previous)] for row in levels],
    )


def concentration_chart(curve: Sequence[CurvePoint]) -> Chart | None:
    """The concentration curve: the share of the window's contributions made by the N people with most; None
    when nobody contributed."""
    if not curve:
        return None
    everyone = curve[-1].people
    chart = pygal.XY(**_COMMON, show_legend=False, dots_size=3, range=(0, 100), xrange=(0, everyone),
                     x_title="People, most contributions first", y_title="Share of contributions (%)")
    if everyone <= 10:  # whole people on the axis
        chart.x_labels = list(range(everyone + 1))
    # From nobody (0%) to everyone (100%).
    chart.add("Share of contributions", [(0, 0)] + [(point.people, round(point.share * 100, 1)) for point in curve])
    title = "Concentration of contributions"
    top = curve[min(len(curve), 10) - 1]
    description = (
        f"The {top.people} people with most contributions made {_percent(top.share)} of them; "
        f"all {curve[-1].people} contributors made 100%."
    )
    return Chart(
        key="concentration", title=title, description=description,
        svg=_render(chart, key="concentration", title=title, description=description),
        headers=["Top people", "Share of contributions"],
        rows=[[str(point.people), _percent(point.share)] for point in curve],
    )


def trend_chart(*, key: str, label: str, points: Sequence[tuple[date, float | int | None]]) -> Chart | None:
    """A metric's daily values as a line (the history, where one is kept); None with fewer than two values."""
    known = [(day, value) for day, value in points if value is not None]
    if len(known) < 2:
        return None
    chart = pygal.DateLine(**_COMMON, show_legend=False, dots_size=2, x_label_rotation=0,
                           x_value_formatter=lambda day: day.isoformat())
    chart.add(label, [(day, value) for day, value in known])
    title = f"{label}: trend"
    description = (
        f"{label} from {known[0][0].isoformat()} ({known[0][1]:g}) to {known[-1][0].isoformat()} ({known[-1][1]:g})."
    )
    return Chart(
        key=key, title=title, description=description,
        svg=_render(chart, key=key, title=title, description=description),
        headers=["Day", label], rows=[[day.isoformat(), f"{value:g}"] for day, value in known],
    )
