"""Append-only, hash-chained record of every change to a graduate's data and every
staff action (审计日志). One chain per school, so schools do not queue behind each other."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.accounts.scoping import graduate_record_scope


class ActorKind(models.TextChoices):
    GRADUATE = "graduate", "毕业生"
    STAFF = "staff", "工作人员"
    EMPLOYER = "employer", "用人单位"
    SYSTEM = "system", "系统"


class AuditChainHead(models.Model):
    """The last hash of a chain; locked FOR UPDATE while appending."""

    chain = models.CharField(max_length=40, primary_key=True)
    last_hash = models.CharField(max_length=64)
    length = models.PositiveBigIntegerField(default=0)


class AuditEntry(models.Model):
    chain = models.CharField(max_length=40)
    position = models.PositiveBigIntegerField()
    occurred_at = models.DateTimeField()
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # PROTECT: the actor id is part of the hashed row, so removing the account must not
    # rewrite it (deactivate accounts instead of deleting them).
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    actor_label = models.CharField(max_length=100)
    action = models.CharField(max_length=60)
    summary = models.CharField(max_length=200)
    target_type = models.CharField(max_length=60)
    target_id = models.CharField(max_length=40)
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, null=True, blank=True)
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, null=True, blank=True)
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.PROTECT, null=True, blank=True)
    changes = models.JSONField(default=dict, blank=True)  # {field: [before, after]}, personal data masked
    client_address = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    scope = graduate_record_scope()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["chain", "position"], name="audit_position_unique")]
        indexes = [
            models.Index(fields=["graduate", "-occurred_at"], name="audit_graduate_idx"),
            models.Index(fields=["school", "-occurred_at"], name="audit_school_idx"),
            models.Index(fields=["college", "-occurred_at"], name="audit_college_idx"),
        ]
