"""全国毕业去向登记系统 sync (C6): the transactional outbox and each graduate's sync state.

An ``OutboxEntry`` is written in the same transaction as the change it reports (生源, contact,
destination, archive forwarding, agreement state), from the service doors that make those
changes (``apps.registry.outbox.registry_enqueue``). It carries the graduate's whole record as
it stood after the change, in the registry's record shape (``apps.registry.national``: the
national column names, codes not labels), so delivering entries in per-graduate order leaves the
registry with exactly the platform's latest record. The payload holds personal data (phone
numbers) and is therefore encrypted at rest.
"""
from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.accounts.scoping import graduate_record_scope
from apps.core.crypto import EncryptedTextField


class OutboxState(models.TextChoices):
    PENDING = "pending", "待发送"
    DELIVERED = "delivered", "已送达"
    DEAD = "dead", "发送失败，待处理"


class OutboxEntry(models.Model):
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="+")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")
    # per graduate, 1, 2, 3 … allocated atomically from GraduateSync.last_sequence
    sequence = models.PositiveIntegerField()
    # sent as the Idempotency-Key header: a retry after a lost answer is harmless
    idempotency_key = models.CharField(max_length=64, unique=True)
    reason = models.CharField("变更内容", max_length=30)  # see outbox.REASONS
    payload = EncryptedTextField("登记记录")  # JSON of apps.registry.national.registry_record
    state = models.CharField(max_length=12, choices=OutboxState.choices, default=OutboxState.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # a relay claims an entry for a short lease (works on SQLite too); a killed relay's lease runs out
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    # the registry refused the record itself (422/409): it stored nothing under this key, so a
    # staff retry sends the graduate's record as it is NOW (after the fix) under a new key
    rejected = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    scope = graduate_record_scope()

    class Meta:
        ordering = ["graduate_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["graduate", "sequence"], name="registry_outbox_graduate_sequence"),
            models.CheckConstraint(
                name="registry_outbox_delivered_has_time",
                condition=~Q(state="delivered") | Q(delivered_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="registry_outbox_due"),
            models.Index(fields=["school", "state", "created_at"], name="registry_outbox_school"),
            models.Index(fields=["college", "state", "created_at"], name="registry_outbox_college"),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_id}#{self.sequence} {self.reason} {self.state}"


class GraduateSync(models.Model):
    """One row per graduate who has ever had an outbox entry: the sequence counter, how far
    delivery got, and the last copy read back from the registry (shown when it is down)."""

    graduate = models.OneToOneField("graduates.Graduate", on_delete=models.CASCADE, primary_key=True,
                                    related_name="registry_sync")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")
    last_sequence = models.PositiveIntegerField(default=0)
    delivered_sequence = models.PositiveIntegerField(default=0)
    last_delivered_at = models.DateTimeField(null=True, blank=True)
    verification_code = models.CharField("核验编号", max_length=40, blank=True)
    # the registry's record as last read (JSON, encrypted: it holds phone numbers), and when
    registry_copy = EncryptedTextField(blank=True)
    registry_version = models.PositiveIntegerField(null=True, blank=True)
    copy_fetched_at = models.DateTimeField(null=True, blank=True)

    scope = graduate_record_scope()

    def __str__(self) -> str:
        return f"{self.graduate_id}: {self.delivered_sequence}/{self.last_sequence}"
