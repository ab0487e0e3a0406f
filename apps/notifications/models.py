"""In-app notifications (消息通知) for graduates and employers."""

from __future__ import annotations

from django.db import models


class Notification(models.Model):
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications")
    employer = models.ForeignKey("organisations.Employer", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {
        "graduate": ("graduate", "graduate_id"),
        "employer": ("employer", "employer_id"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["graduate", "-created_at"], name="notification_graduate_idx"),
            models.Index(fields=["employer", "-created_at"], name="notification_employer_idx"),
            # the unread count (我的, tab bar, employer home): only unread rows are indexed
            models.Index(fields=["graduate"], condition=models.Q(read_at__isnull=True),
                         name="notification_grad_unread_idx"),
            models.Index(fields=["employer"], condition=models.Q(read_at__isnull=True),
                         name="notification_emp_unread_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="notification_has_recipient",
                condition=models.Q(graduate__isnull=False) | models.Q(employer__isnull=False),
            )
        ]


class Channel(models.TextChoices):
    IN_APP = "in_app", "仅站内消息"
    EMAIL = "email", "站内消息 + 电子邮件"
    SMS = "sms", "站内消息 + 短信"


class NotificationPreference(models.Model):
    """One person's choice for one kind (消息设置); no row = the kind's defaults in kinds.py.
    Graduates have a User (user.graduate); every employer member has their own User."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    digest = models.BooleanField("每日摘要", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "graduate": ("user", "pk"),
        "employer": ("user", "pk"),
    }

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_one_per_kind"),
            # the digest is an e-mail: only e-mail preferences may ask for it
            models.CheckConstraint(name="notification_preference_digest_is_email",
                                   condition=models.Q(digest=False) | models.Q(channel="email")),
        ]


class MessageChannel(models.TextChoices):
    EMAIL = "email", "电子邮件"
    SMS = "sms", "短信"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    HELD = "held", "等待每日摘要"
    DIGESTED = "digested", "已并入摘要"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败，等待重试"
    DEAD = "dead", "多次失败，已放弃"


class OutboundMessage(models.Model):
    """One e-mail or SMS to one user (发送队列). Created by notify() inside the caller's
    transaction; sent by apps/notifications/delivery.py. A daily digest is itself a message
    (notification empty, digest_date set) that the held messages point to (`digest`).
    Subject and body are rendered at send time from the notification, scrubbed of ID and phone
    numbers; the address is read at send time too, so nothing personal is stored here."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="outbound")
    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="outbound_messages")
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    status = models.CharField(max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=200, blank=True)  # the error's class name, never an address
    digest_date = models.DateField(null=True, blank=True)
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="items")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            # the deliverer's due scan: status in (pending, failed), next_attempt_at <= now
            models.Index(fields=["status", "next_attempt_at", "id"], name="outbound_due_idx"),
            # the digest job: held messages per user and day
            models.Index(fields=["status", "digest_date", "user"], name="outbound_held_idx"),
        ]
        constraints = [
            # one digest e-mail per user and day: the digest job's claim
            models.UniqueConstraint(fields=["user", "digest_date"], condition=models.Q(notification__isnull=True),
                                    name="outbound_one_digest_per_user_day"),
        ]
