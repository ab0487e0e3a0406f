from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from apps.notifications.models import Notification
from apps.notifications.senders import sender


def notify(*, kind: str, title: str, body: str = "", link: str = "", graduate=None, employer=None) -> Notification:
    """Store the in-app message and hand it to the outbound sender after commit."""
    note = Notification.objects.create(graduate=graduate, employer=employer, kind=kind, title=title[:120],
                                       body=body[:500], link=link[:300])
    ref = f"graduate:{graduate.pk}" if graduate is not None else f"employer:{employer.pk}"
    phone = getattr(graduate, "phone", "") if graduate is not None else ""
    transaction.on_commit(lambda: sender().send(recipient_ref=ref, kind=kind, title=title, phone=phone))
    return note


def notifications_mark_read(*, actor, ids: list[int] | None = None) -> int:
    from apps.accounts.scoping import visible_to

    qs = visible_to(Notification, actor).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
