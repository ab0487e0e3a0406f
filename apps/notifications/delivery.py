"""Sending the e-mail and SMS messages notify() queued (OutboundMessage), and the daily 摘要.

Who sends: the django-tasks job `deliver_outbound(ids)` enqueued when notify()'s transaction
commits, and the periodic `deliver_notifications` (every minute, apps/core/schedule.py) for
anything due that no job sent: a lost enqueue, a retry whose time has come, a message whose
worker died.

Claiming: a message is due when pending or failed, `next_attempt_at` ≤ now, and not claimed
or claimed longer ago than NOTIFICATION_LEASE_SECONDS. A sender claims a batch in a short
transaction: the due rows are read (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so two workers
pick different rows), then ONE conditional UPDATE that repeats the due test stamps them with
the sender's random `claim_token` and `claimed_at`; only rows carrying its token are sent. Every
later write is conditional on that token, so a sender whose lease ran out cannot overwrite the
outcome of the sender that took over.

At-least-once, on purpose: the message is marked sent AFTER the e-mail backend (or SMS sender)
has accepted it. A worker killed between the two leaves the message claimed; after the lease the
periodic job sends it again, so the recipient may get it twice. Marking before sending would
instead lose the message whenever the SMTP call fails or the worker dies during it — a missed
invitation costs more than a duplicate. A sender stops taking messages from its batch before
its lease could run out under it (one more send may take EMAIL_TIMEOUT), so a live sender's
claims are not taken over.

Failures: a failed try is retried after min(MAX, BASE·2^(attempts−1)) seconds
(NOTIFICATION_BACKOFF_BASE_SECONDS / _MAX_SECONDS); after NOTIFICATION_MAX_ATTEMPTS tries the
message is dead. `last_error` keeps the exception's class name only (an SMTP error text can
quote the address).

The 摘要: a message whose recipient chose 每日摘要 is stored held, with the day of the digest it
belongs to (`services.digest_day`: today's before DIGEST_HOUR, else tomorrow's). The hourly
`send_notification_digests` does nothing before DIGEST_HOUR local time; from then on, per user
with held messages due by today, ONE transaction creates the day's digest message (unique per
user and day: a second scheduler's insert fails and it moves on) and moves the held messages
into it. The digest is then an ordinary outbound message: same claims, retries and recovery.

Nothing sent contains a full ID or phone number: subjects and bodies pass
`scrub_personal_numbers`. Logs name message ids and counts, never an address.
"""

from __future__ import annotations

import logging
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.jobs import checkpoint
from apps.notifications.kinds import GROUPS, kind_for
from apps.notifications.models import MessageChannel, MessageStatus, OutboundMessage
from apps.notifications.scrub import scrub_personal_numbers
from apps.notifications.services import DIGEST_HOUR

logger = logging.getLogger("platform.notifications")

BATCH = 50
DUE_STATUSES = (MessageStatus.PENDING, MessageStatus.FAILED)


def lease_seconds() -> float:
    return float(getattr(settings, "NOTIFICATION_LEASE_SECONDS", 120))


def max_attempts() -> int:
    return int(getattr(settings, "NOTIFICATION_MAX_ATTEMPTS", 6))


def backoff_seconds(attempts: int) -> float:
    base = float(getattr(settings, "NOTIFICATION_BACKOFF_BASE_SECONDS", 60))
    cap = float(getattr(settings, "NOTIFICATION_BACKOFF_MAX_SECONDS", 3600))
    return min(cap, base * 2 ** max(attempts - 1, 0))


def _due(now: datetime) -> Q:
    stale = now - timedelta(seconds=lease_seconds())
    return (Q(status__in=DUE_STATUSES, next_attempt_at__lte=now)
            & (Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)))


def claim(*, now: datetime, ids: list[int] | None = None, batch: int = BATCH) -> tuple[str, list[OutboundMessage]]:
    """Claim up to `batch` due messages (only among `ids` when given); returns the claim token
    and the claimed messages with what sending needs."""
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = OutboundMessage.objects.filter(_due(now))
        if ids is not None:
            candidates = candidates.filter(pk__in=ids)
        candidates = candidates.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        picked = list(candidates.values_list("pk", flat=True)[:batch])
        if not picked:
            return token, []
        # the due test again: on SQLite (no row locks) a row another sender claimed since is skipped
        OutboundMessage.objects.filter(_due(now), pk__in=picked).update(claimed_at=now, claim_token=token)
    messages = list(OutboundMessage.objects.filter(pk__in=picked, claim_token=token)
                    .select_related("notification", "user", "user__graduate").order_by("next_attempt_at", "id"))
    return token, messages


# --- rendering ---------------------------------------------------------------------------------

def _site() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def _platform() -> str:
    return getattr(settings, "PLATFORM_NAME", "大学生就业服务平台")


def _link(link: str) -> str:
    return f"{_site()}{link}" if link.startswith("/") and not link.startswith("//") else ""


def _footer() -> str:
    return (f"这是{_platform()}自动发送的邮件，请勿直接回复。\n"
            f"如需更改提醒方式，请登录平台后在「消息设置」中修改：{_site()}/notifications/settings/")


def render_single(note) -> tuple[str, str]:
    lines = [note.title]
    if note.body:
        lines.append(note.body)
    if _link(note.link):
        lines.append(f"查看详情：{_link(note.link)}")
    lines += ["", _footer()]
    return (scrub_personal_numbers(f"【{_platform()}】{note.title}"),
            scrub_personal_numbers("\n".join(lines)))


def render_digest(digest: OutboundMessage) -> tuple[str, str]:
    """One e-mail listing the day's messages grouped by kind group (招聘会, 网签 …)."""
    items = list(digest.items.select_related("notification").order_by("created_at", "id"))
    groups: dict[str, list] = {}
    for item in items:
        note = item.notification
        declared = kind_for(note.kind)
        groups.setdefault(declared.group if declared else "其他", []).append(note)
    order = {group: index for index, group in enumerate(GROUPS)}
    day = digest.digest_date
    lines = [f"{day.year}年{day.month}月{day.day}日消息摘要，共{len(items)}条：", ""]
    for group in sorted(groups, key=lambda g: order.get(g, len(order))):
        lines.append(f"【{group}】")
        for note in groups[group]:
            when = timezone.localtime(note.created_at).strftime("%m-%d %H:%M")
            lines.append(f"· {note.title}（{when}）")
            if note.body:
                lines.append(f"  {note.body}")
            if _link(note.link):
                lines.append(f"  查看详情：{_link(note.link)}")
        lines.append("")
    lines.append(_footer())
    subject = f"【{_platform()}】每日消息摘要（{day.month}月{day.day}日，{len(items)}条）"
    return scrub_personal_numbers(subject), scrub_personal_numbers("\n".join(lines))


def _email_address(user) -> str:
    graduate = getattr(user, "graduate", None) if user.graduate_id else None
    return (graduate.email if graduate is not None else user.email) or ""


class NoAddress(Exception):  # noqa: N818 - recorded as the message's last_error
    """The recipient removed their e-mail address (or phone) after the message was queued."""


def _send(message: OutboundMessage, mail_connection) -> None:
    if message.notification_id is None:
        subject, body = render_digest(message)
    else:
        subject, body = render_single(message.notification)
    if message.channel == MessageChannel.EMAIL:
        address = _email_address(message.user)
        if not address:
            raise NoAddress()
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=mail_connection).send()
        return
    graduate = message.user.graduate if message.user.graduate_id else None
    phone = getattr(graduate, "phone", "") if graduate is not None else ""
    if not phone:
        raise NoAddress()
    sms_sender().send(recipient_ref=f"user:{message.user_id}", kind=message.notification.kind,
                      title=subject, phone=phone)


def sms_sender():
    return import_string(settings.NOTIFICATION_SMS_SENDER)()


def _mark_sent(message: OutboundMessage, token: str) -> bool:
    return OutboundMessage.objects.filter(pk=message.pk, claim_token=token).update(
        status=MessageStatus.SENT, sent_at=timezone.now(), claimed_at=None, last_error="") == 1


def _mark_failed(message: OutboundMessage, token: str, error: Exception, now: datetime) -> str:
    attempts = message.attempts + 1
    dead = attempts >= max_attempts() or isinstance(error, NoAddress)
    values = {"attempts": attempts, "claimed_at": None, "last_error": type(error).__name__[:200],
              "status": MessageStatus.DEAD if dead else MessageStatus.FAILED}
    if not dead:
        values["next_attempt_at"] = now + timedelta(seconds=backoff_seconds(attempts))
    OutboundMessage.objects.filter(pk=message.pk, claim_token=token).update(**values)
    return "dead" if dead else "failed"


def _release(messages: list[OutboundMessage], token: str) -> int:
    return OutboundMessage.objects.filter(pk__in=[m.pk for m in messages], claim_token=token,
                                          status__in=DUE_STATUSES).update(claimed_at=None, claim_token="")


def deliver_due(*, now: datetime | None = None, ids: list[int] | None = None, batch: int = BATCH) -> dict[str, int]:
    """Claim and send due messages (only `ids` when given, else batches until none is due).
    Returns counts: sent, failed (retry later), dead, released. Idempotent: a message already
    sent, held or claimed by a live sender is not due."""
    counts = {"sent": 0, "failed": 0, "dead": 0, "released": 0}
    margin = float(getattr(settings, "EMAIL_TIMEOUT", None) or 10) + 1
    while True:
        clock_now = now or timezone.now()
        token, messages = claim(now=clock_now, ids=ids, batch=batch)
        if not messages:
            return counts
        deadline = time.monotonic() + lease_seconds() - margin
        mail_connection = get_connection()
        try:
            for index, message in enumerate(messages):
                if time.monotonic() >= deadline:
                    counts["released"] += _release(messages[index:], token)
                    break
                checkpoint("notifications.claimed")  # tests kill the worker here: claimed, not sent
                try:
                    _send(message, mail_connection)
                except Exception as error:
                    logger.warning("outbound message %s: try %s failed (%s)", message.pk, message.attempts + 1,
                                   type(error).__name__)
                    counts[_mark_failed(message, token, error, timezone.now())] += 1
                    mail_connection.close()  # a broken SMTP session must not fail the next message
                    mail_connection = get_connection()
                    continue
                checkpoint("notifications.sent")  # sent, not yet marked: the at-least-once window
                counts["sent"] += _mark_sent(message, token)
        finally:
            mail_connection.close()
        if ids is not None or len(messages) < batch:
            return counts


def deliver_notifications(*, now: datetime | None = None) -> str:
    """The periodic job (every minute): everything due."""
    counts = deliver_due(now=now)
    return "sent {sent}, failed {failed}, dead {dead}, released {released}".format(**counts)


# --- the daily 摘要 ---------------------------------------------------------------------------------

def _bundle(user_id: int, *, today, now: datetime) -> int | None:
    """Create the user's digest for today and move their held messages into it; None when
    another scheduler already made today's (or nothing is held any more)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                digest = OutboundMessage.objects.create(user_id=user_id, channel=MessageChannel.EMAIL,
                                                        digest_date=today, next_attempt_at=now)
        except IntegrityError:
            return None  # today's digest exists: what is still held goes into tomorrow's
        moved = OutboundMessage.objects.filter(user_id=user_id, status=MessageStatus.HELD,
                                               digest_date__lte=today).update(status=MessageStatus.DIGESTED,
                                                                              digest=digest)
        if not moved:
            transaction.set_rollback(True)
            return None
        checkpoint("notifications.digest")
    return digest.pk


def send_notification_digests(*, now: datetime | None = None) -> int:
    """The hourly job: from DIGEST_HOUR on, one digest e-mail per user and day; returns how
    many digests were made (their sending is the ordinary delivery, started here)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < DIGEST_HOUR:
        return 0
    today = local.date()
    users = (OutboundMessage.objects.filter(status=MessageStatus.HELD, digest_date__lte=today)
             .order_by("user_id").values_list("user_id", flat=True).distinct())
    made: list[int] = []
    last = 0
    while True:
        batch = list(users.filter(user_id__gt=last)[:500])
        for user_id in batch:
            try:
                digest_id = _bundle(user_id, today=today, now=now)
            except Exception:  # one bad row must not stop everyone else's digest; the next run retries
                logger.exception("notification digest of user %s failed", user_id)
                continue
            if digest_id:
                made.append(digest_id)
        if len(batch) < 500:
            break
        last = batch[-1]
    for start in range(0, len(made), BATCH):
        deliver_due(now=now, ids=made[start:start + BATCH])
    return len(made)

