"""消息通知: storing a notification and queueing its e-mail / SMS; the 消息设置 writes.

`notify()` is called inside many services' transactions, so it stays cheap: one INSERT of the
in-app row, ONE query for the recipients with their preference for this kind, and one bulk
INSERT of the outbound messages. Delivery happens after the caller commits (a django-tasks job,
and every minute the periodic `deliver_notifications` for anything the job missed): see
apps/notifications/delivery.py.

Unknown kinds: every kind must be declared in apps/notifications/kinds.py. With
NOTIFICATION_STRICT_KINDS on (the default outside production, so development and every test)
`notify()` raises ValueError; in production it logs an error and still stores the in-app message
(delivered in-app only) — a missing declaration must not roll back the caller's business change.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from apps.accounts.models import Role, User
from apps.accounts.permissions import require_role
from apps.audit.services import audit_record
from apps.core.errors import DomainError
from apps.notifications.kinds import CHANNEL_LABELS, EMAIL, IN_APP, SMS, kind_for, kinds_for_role
from apps.notifications.models import MessageStatus, Notification, NotificationPreference, OutboundMessage

logger = logging.getLogger("platform.notifications")

DIGEST_HOUR = 8  # local time: the daily 摘要 goes out from 08:00 on (apps/notifications/delivery.py)


def sms_available() -> bool:
    """SMS is offered only when an SMS sender is configured (settings.NOTIFICATION_SMS_SENDER)."""
    return bool(getattr(settings, "NOTIFICATION_SMS_SENDER", ""))


def digest_day(now: datetime):
    """The day whose 摘要 a message held now goes into: today's before DIGEST_HOUR, else tomorrow's."""
    local = timezone.localtime(now)
    return local.date() if local.hour < DIGEST_HOUR else local.date() + timedelta(days=1)


def _recipients(*, graduate, employer):
    """Recipient users with their saved preference for the kind (None = defaults) and the
    address e-mail would use: ONE query."""
    if graduate is not None:
        users = User.objects.filter(graduate_id=graduate.pk, role=Role.GRADUATE, is_active=True)
        address = "graduate__email"
    else:
        users = User.objects.filter(employer_id=employer.pk, role=Role.EMPLOYER, is_active=True)
        address = "email"
    return users, address


def notify(*, kind: str, title: str, body: str = "", link: str = "", graduate=None, employer=None) -> Notification:
    """Store the in-app message and, from the recipients' preferences, its e-mail / SMS
    messages (sent after the caller's transaction commits)."""
    declared = kind_for(kind)
    if declared is None:
        if getattr(settings, "NOTIFICATION_STRICT_KINDS", True):
            raise ValueError(f"notification kind {kind!r} is not declared in apps/notifications/kinds.py")
        logger.error("undeclared notification kind %s: delivered in-app only", kind)
    note = Notification.objects.create(graduate=graduate, employer=employer, kind=kind, title=title[:120],
                                       body=body[:500], link=link[:300])
    if declared is None:
        return note
    users, address = _recipients(graduate=graduate, employer=employer)
    pref = NotificationPreference.objects.filter(user=OuterRef("pk"), kind=kind)
    fields = ["pk", address, "pref_channel", "pref_digest"]
    with_sms = sms_available() and graduate is not None
    if with_sms:
        fields.append("graduate__phone")
    rows = users.annotate(pref_channel=Subquery(pref.values("channel")[:1]),
                          pref_digest=Subquery(pref.values("digest")[:1])).values(*fields)
    now = timezone.now()
    messages = []
    for row in rows:
        channel = row["pref_channel"] or declared.default_channel
        digest = row["pref_digest"] if row["pref_channel"] else declared.default_digest
        if channel == EMAIL and row[address]:
            held = bool(digest)
            messages.append(OutboundMessage(
                notification=note, user_id=row["pk"], channel=EMAIL, next_attempt_at=now,
                status=MessageStatus.HELD if held else MessageStatus.PENDING,
                digest_date=digest_day(now) if held else None))
        elif channel == SMS and with_sms and row.get("graduate__phone"):
            messages.append(OutboundMessage(notification=note, user_id=row["pk"], channel=SMS, next_attempt_at=now))
    if messages:
        OutboundMessage.objects.bulk_create(messages)
        due = [m.pk for m in messages if m.status == MessageStatus.PENDING]
        if due:
            transaction.on_commit(lambda: _enqueue(due))
    return note


def _enqueue(message_ids: list[int]) -> None:
    """Hand the messages to the worker. A failed enqueue loses nothing: the periodic
    deliver_notifications sends whatever is due."""
    from apps.notifications.tasks import deliver_outbound

    try:
        deliver_outbound.enqueue(message_ids)
    except Exception:
        logger.exception("could not enqueue %d outbound message(s); the periodic job will send them",
                         len(message_ids))


def notifications_mark_read(*, actor, ids: list[int] | None = None) -> int:
    """Mark the person's own messages read: those in `ids` (others' ids are ignored), or every
    unread one (ids None: 全部标为已读). One UPDATE, so one transaction; returns how many
    changed. Opening 消息通知 marks the messages on the page shown. No audit entry: reading
    one's own messages changes nothing anybody else sees (like the other reads)."""
    from apps.accounts.scoping import visible_to

    require_role(actor, (Role.GRADUATE, Role.EMPLOYER))
    qs = visible_to(Notification, actor).filter(read_at__isnull=True)
    if ids is not None:
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- 消息设置 ---------------------------------------------------------------------------------------

def mask_email(address: str) -> str:
    """w***@example.com — for the audit trail."""
    if not address or "@" not in address:
        return ""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _choice_text(channel: str, digest: bool) -> str:
    return CHANNEL_LABELS[channel] + ("（每日摘要）" if digest else "")


def preferences_save(*, actor, choices: dict[str, tuple[str, bool]], email: str | None = None,
                     client_address: str = "") -> int:
    """Save the person's channel and digest choice for each kind in `choices` (kinds left out
    keep what they had), and for an employer user the e-mail address (`email`, None = unchanged;
    graduates change theirs under 联系方式). One transaction, one audit entry; returns the number
    of kinds whose choice changed. Refuses the whole form on any bad value."""
    require_role(actor, (Role.GRADUATE, Role.EMPLOYER))
    allowed = {k.key: k for k in kinds_for_role(actor.role)}
    channels = {IN_APP, EMAIL} | ({SMS} if sms_available() and actor.role == Role.GRADUATE else set())
    errors: dict[str, str] = {}
    for key, (channel, digest) in choices.items():
        if key not in allowed:
            errors[key] = "没有这种消息类型"
        elif channel not in channels:
            errors[key] = "短信提醒未开通" if channel == SMS else "请选择提醒方式"
        elif digest and channel != EMAIL:
            errors[key] = "每日摘要通过电子邮件发送，请同时选择「站内消息 + 电子邮件」"
    if email is not None and actor.role != Role.EMPLOYER:
        errors["email"] = "毕业生的电子邮箱请在「联系方式」中修改"
    new_email = None
    if email is not None and actor.role == Role.EMPLOYER:
        new_email = email.strip()
        if new_email:
            local, _, domain = new_email.rpartition("@")
            new_email = f"{local}@{domain.lower()}" if local else new_email
            try:
                validate_email(new_email)
            except ValidationError:
                errors["email"] = "电子邮箱格式不正确"
            if len(new_email) > 254:
                errors["email"] = "电子邮箱太长"
    if errors:
        raise DomainError("消息设置未保存：" + "；".join(sorted(set(errors.values()))), fields=errors)

    with transaction.atomic():
        user = User.objects.select_for_update(of=("self",)).select_related("graduate").get(pk=actor.pk)
        old_email = user.email
        address = user.graduate.email if user.role == Role.GRADUATE else (
            new_email if new_email is not None else user.email)
        if not address and any(channel == EMAIL for channel, _ in choices.values()):
            raise DomainError("还没有电子邮箱，不能选择邮件提醒：请先填写电子邮箱",
                              fields={"email": "请先填写电子邮箱"})
        saved = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
        changes: dict[str, list[str]] = {}
        rows = []
        for key, (channel, digest) in choices.items():
            kind = allowed[key]
            before = saved.get(key)
            before_text = _choice_text(before.channel, before.digest) if before else _choice_text(
                kind.default_channel, kind.default_digest)
            after_text = _choice_text(channel, bool(digest))
            if before_text != after_text:
                changes[f"消息设置·{kind.label}"] = [before_text, after_text]
            rows.append(NotificationPreference(user=user, kind=key, channel=channel, digest=bool(digest)))
        if rows:
            NotificationPreference.objects.bulk_create(
                rows, update_conflicts=True, unique_fields=["user", "kind"], update_fields=["channel", "digest", "updated_at"])
        if new_email is not None and new_email != old_email:
            user.email = new_email
            user.save(update_fields=["email"])
            changes["电子邮箱"] = [mask_email(old_email), mask_email(new_email)]
        if changes:
            audit_record(actor=actor, action="notifications.preferences", summary="修改消息设置", target=user,
                         school_id=user.school_id, changes=changes, client_address=client_address)
    return sum(1 for key in changes if key != "电子邮箱")
