"""Reads of 消息设置 (the person's effective choice for every kind they can receive) and of the
unread count shown on 我的, the graduate tab bar and the employer home."""

from __future__ import annotations

from dataclasses import dataclass

from apps.accounts.models import Role
from apps.accounts.scoping import visible_to
from apps.notifications.kinds import Kind, grouped_for_role
from apps.notifications.models import Notification, NotificationPreference


@dataclass(frozen=True)
class PreferenceRow:
    kind: Kind
    channel: str
    digest: bool
    saved: bool  # False: the kind's defaults (nothing saved yet)


def my_preferences(*, actor) -> list[tuple[str, list[PreferenceRow]]]:
    """(group, rows) in group order; saved choices over the defaults of kinds.py. One query."""
    saved = {p.kind: p for p in visible_to(NotificationPreference, actor).only("kind", "channel", "digest")}
    groups = []
    for group, kinds in grouped_for_role(actor.role):
        rows = []
        for kind in kinds:
            pref = saved.get(kind.key)
            rows.append(PreferenceRow(kind, pref.channel, pref.digest, True) if pref is not None
                        else PreferenceRow(kind, kind.default_channel, kind.default_digest, False))
        groups.append((group, rows))
    return groups


def delivery_address(*, actor) -> str:
    """The e-mail address messages go to: the graduate's 联系方式 e-mail, or the employer user's own."""
    if actor.role == Role.GRADUATE:
        graduate = actor.graduate
        return graduate.email if graduate is not None else ""
    return actor.email or ""


# --- 消息通知: the unread count on 我的, the tab bar and the employer home --------------------------

UNREAD_CAP = 99  # counted up to UNREAD_CAP + 1; shown as "99+" above it


def unread_count(*, actor) -> int:
    """The person's unread messages, counted up to UNREAD_CAP + 1: ONE statement
    (SELECT COUNT(*) FROM (… WHERE graduate_id|employer_id = … AND read_at IS NULL LIMIT 100)),
    served by the partial unread indexes. 0 without a statement for anyone else."""
    if getattr(actor, "role", None) not in (Role.GRADUATE, Role.EMPLOYER):
        return 0
    return visible_to(Notification, actor).filter(read_at__isnull=True).order_by().values("pk")[: UNREAD_CAP + 1].count()


def unread_badge(count: int | None) -> str:
    """The badge text: "" for none, "1" … "99", then "99+"."""
    if not count:
        return ""
    return f"{UNREAD_CAP}+" if count > UNREAD_CAP else str(count)


def with_unread_notifications(graduates):
    """Annotate a Graduate queryset with `unread_notifications` (that graduate's unread
    messages) as a correlated subquery, so a page that already reads the graduate's row gets
    the count without another statement (the partial index keeps it to the unread rows)."""
    from django.db.models import Count, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    unread = (Notification.objects.filter(graduate_id=OuterRef("pk"), read_at__isnull=True)
              .order_by().values("graduate_id").annotate(n=Count("pk")).values("n"))
    return graduates.annotate(unread_notifications=Coalesce(Subquery(unread), 0))
