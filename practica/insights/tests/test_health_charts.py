"""The health charts: pygal's SVG made safe for a page without inline script or style, named for assistive
technology, with the same numbers as a table; and the concentration curve they draw."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

from practica.insights import charts
from practica.insights.dashboard import CurvePoint, LevelRow, concentration_curve

SVG = "{http://www.w3.org/2000/svg}"


def _parsed(chart: charts.Chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # our own output


def test_a_chart_has_no_script_no_style_and_a_title_and_description_that_name_it() -> None:
    chart = charts.ladder_chart([LevelRow("core", "Core", 3, 2), LevelRow("inactive", "Inactive", 10, 9)])
    root = _parsed(chart)
    assert [e for e in root.iter() if e.tag in (f"{SVG}script", f"{SVG}style")] == []
    assert all("style" not in e.attrib for e in root.iter())
    assert root.get("role") == "img" and root.get("aria-labelledby") == "chart-ladder-title chart-ladder-desc"
    title, desc = root[0], root[1]
    assert (title.tag, title.get("id"), title.text) == (f"{SVG}title", "chart-ladder-title", "Participation ladder")
    assert desc.get("id") == "chart-ladder-desc" and "Core 3 (before 2); Inactive 10 (before 9)" in (desc.text or "")
    assert [e.get("id") for e in root.iter() if e.get("id")] == ["chart-ladder", "chart-ladder-title", "chart-ladder-desc"]
    assert chart.rows == [["Core", "3", "2"], ["Inactive", "10", "9"]]


def test_the_concentration_curve_keeps_the_first_ten_people_and_ends_with_everyone() -> None:
    curve = concentration_curve([1] * 100 + [0, 0], points=40)
    assert len(curve) <= 40
    assert [point.people for point in curve[:10]] == list(range(1, 11))
    assert curve[-1] == CurvePoint(100, 1.0) and curve[9].share == 0.1
    assert concentration_curve([0, 0]) == [] and charts.concentration_chart([]) is None


def test_the_concentration_chart_shows_the_top_people_s_share_in_words_and_in_its_table() -> None:
    chart = charts.concentration_chart(concentration_curve([6, 2, 1, 1]))
    assert chart is not None
    assert chart.description == "The 4 people with most contributions made 100% of them; all 4 contributors made 100%."
    assert chart.rows[0] == ["1", "60%"] and chart.rows[-1] == ["4", "100%"]
    assert _parsed(chart).get("role") == "img"


def test_a_trend_needs_two_known_values_and_lists_them_in_its_table() -> None:
    assert charts.trend_chart(key="t", label="Contributions", points=[(date(2026, 1, 1), 3), (date(2026, 1, 2), None)]) is None
    chart = charts.trend_chart(key="t", label="Contributions", points=[(date(2026, 1, 1), 3), (date(2026, 1, 2), 5)])
    assert chart is not None and chart.rows == [["2026-01-01", "3"], ["2026-01-02", "5"]]
    assert "<script" not in chart.svg and "style=" not in chart.svg
