"""Background work of the insights app (Django Tasks API): the daily health snapshots."""

from __future__ import annotations

from django_tasks import task

from practica.insights import services


@task()
def snapshot_health_task() -> int:
    """Every community's health snapshot of yesterday (UTC); safe to enqueue as often as wanted (each snapshot is
    an upsert of the same values)."""
    return services.snapshots_take_due()
