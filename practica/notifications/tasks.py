"""Background work of the notifications app, run by the configured Django Tasks backend."""

from __future__ import annotations

from django_tasks import task


@task()
def send_immediate_emails() -> int:
    """Send the emails of notifications whose recipients want them immediately."""
    from practica.notifications.emails import send_pending_immediate

    return send_pending_immediate()


@task()
def send_digests() -> int:
    """Send the daily and weekly digests that are due (same work as ``manage.py send_digests``)."""
    from practica.notifications.emails import send_digests as run

    return run().sent


@task()
def deliver_webhook(delivery_id: int) -> str:
    """Post one webhook delivery; on failure it is rescheduled with backoff (see ``webhooks.attempt``)."""
    from practica.notifications.webhooks import attempt

    return attempt(delivery_id)
