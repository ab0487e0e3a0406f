"""用人单位账号 (C9): the people of an employer. The first registrant is the main account
(主账号); further people of the same employer register as sub-accounts (子账号) that the main
account approves. The account's User row stays inactive until then."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class MemberStatus(models.TextChoices):
    PENDING = "pending", "待主账号审核"
    APPROVED = "approved", "已通过"
    REJECTED = "rejected", "已拒绝"


class EmployerMember(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="employer_member")
    employer = models.ForeignKey("organisations.Employer", on_delete=models.CASCADE, related_name="members")
    is_main = models.BooleanField("主账号", default=False)
    status = models.CharField("状态", max_length=10, choices=MemberStatus.choices, default=MemberStatus.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {"employer": ("employer", "employer_id")}

    class Meta:
        ordering = ["-is_main", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["employer"], condition=Q(is_main=True), name="employer_one_main_account"),
        ]
