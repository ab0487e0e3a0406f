"""Background work of notifications (apps/notifications/delivery.py explains claims and retries)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_outbound(message_ids: list[int]) -> int:
    """Send these messages if they are still due; idempotent (a sent or claimed message is
    not due). Returns how many were sent."""
    from apps.notifications.delivery import deliver_due

    return deliver_due(ids=message_ids)["sent"]
