"""Charter goals bind to a metric of the catalogue (``practica/insights/catalogue.py``) instead of free text.

A goal whose metric text matches a catalogue metric's name or label (case-insensitive; spaces, hyphens and
underscores alike) gets that metric's name. Any other text moves to the end of the goal's description
("… (measured as: medication errors per month)") and the goal gets an empty metric: it is shown as "not
measured" until a coordinator picks a metric. Target values and due dates stay as they are.

The catalogue is frozen below as it was when this migration was written (a migration never imports live code
that may change; communities may not import insights anyway).

Reversing it keeps the data as it is (``RunPython.noop``): catalogue names are valid free text, and the text of
unmatched metrics is still in the descriptions, so nothing is lost, but it is not moved back.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations, models

DESCRIPTION_LENGTH = 500

CATALOGUE = (
    ("new_threads", "New threads"),
    ("contributions", "Contributions"),
    ("contributors", "Contributors"),
    ("dau", "Daily active people"),
    ("wau", "Weekly active people"),
    ("mau", "Monthly active people"),
    ("dau_mau", "Stickiness (DAU/MAU)"),
    ("active_members", "Active members"),
    ("reply_coverage_7d", "Reply coverage (7 days)"),
    ("median_first_response_hours", "Median time to first response"),
    ("p90_first_response_hours", "Time to first response (90th percentile)"),
    ("newcomer_reply_coverage_7d", "Newcomers answered (7 days)"),
    ("unanswered", "Unanswered questions"),
    ("unanswered_rate", "Unanswered rate"),
    ("solo_thread_rate", "Solo threads"),
    ("accepted_answer_rate", "Accepted answers"),
    ("top10_share", "Top-10 share"),
    ("absence_factor", "Absence factor"),
    ("elephant_factor", "Elephant factor"),
    ("participation_core", "Core"),
    ("participation_active", "Active"),
    ("participation_occasional", "Occasional"),
    ("participation_peripheral", "Peripheral"),
    ("participation_inactive", "Inactive"),
    ("new_contributors", "New contributors"),
    ("reactivated_contributors", "Reactivated contributors"),
    ("lost_regulars", "Lost regulars"),
    ("net_contributor_change", "Net contributor change"),
    ("meetings_planned", "Meetings planned"),
    ("meetings_held", "Meetings held"),
    ("attendance_rate", "Attendance rate"),
    ("actions_closed_on_time", "Actions closed on time"),
)


def _key(text: str) -> str:
    return re.sub(r"[\s_\-]+", "_", text.strip().lower()).strip("_")


_BY_KEY = {key: name for name, label in CATALOGUE for key in (_key(name), _key(label))}


def metric_for(text: str) -> str | None:
    """The catalogue name that ``text`` names (by name or label), or None."""
    return _BY_KEY.get(_key(text)) if text.strip() else None


def description_with(description: str, metric: str) -> str:
    """The description with the old metric text kept at its end, within the field's length."""
    suffix = f" (measured as: {metric.strip()})"
    room = DESCRIPTION_LENGTH - len(suffix)
    kept = description if len(description) <= room else description[: max(room - 1, 0)].rstrip() + "…"
    return (kept + suffix)[:DESCRIPTION_LENGTH]


def bind_goals_to_catalogue(apps: Any, schema_editor: Any) -> None:
    """Each goal with a metric text: the catalogue's name for it, or its text in the description and no metric."""
    Goal = apps.get_model("communities", "Goal")
    for goal in Goal.objects.exclude(metric="").only("id", "description", "metric").iterator():
        name = metric_for(goal.metric)
        if name == goal.metric:
            continue
        if name is None:
            goal.description = description_with(goal.description, goal.metric)
            goal.metric = ""
        else:
            goal.metric = name
        goal.save(update_fields=["description", "metric"])


class Migration(migrations.Migration):

    dependencies = [
        ("communities", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="goal",
            name="metric",
            field=models.CharField(
                blank=True, default="",
                help_text="A metric of the catalogue (goal_metrics.choices()), e.g. reply_coverage_7d; empty: not measured.",
                max_length=100,
            ),
        ),
        migrations.RunPython(bind_goals_to_catalogue, migrations.RunPython.noop),
    ]
