"""档案转寄登记 (C7): where a graduate's personnel archive (档案) is sent, and how.

One record per graduate. The graduate registers it; school staff export the mailing list
and enter the tracking numbers, after which the record is 已寄出 and no longer editable by
the graduate. `school` and `college` are copies of the graduate's, kept for scoping and for
the indexes behind the staff filters (refreshed on every save)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.scoping import graduate_record_scope
from apps.core.crypto import EncryptedTextField
from apps.core.text import mask_phone


class TransferMethod(models.TextChoices):
    """档案转递方式: never handed to the student (DOMAIN.md, Archives)."""

    EMS = "ems", "EMS（高校学生档案专用）"
    CONFIDENTIAL = "confidential", "机要"
    UNIT_COURIER = "unit_courier", "单位专人"


class TransferStatus(models.TextChoices):
    REGISTERED = "registered", "已登记"
    SENT = "sent", "已寄出"


class ArchiveTransfer(models.Model):
    graduate = models.OneToOneField("graduates.Graduate", on_delete=models.CASCADE, related_name="archive_transfer")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")

    receiving_unit_name = models.CharField("档案接收单位名称", max_length=100, blank=True)
    receiving_department = models.CharField("接收档案部门", max_length=100, blank=True)
    address_division = models.ForeignKey(
        "reference.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="档案接收单位所在地",
    )
    street_address = models.CharField("详细地址", max_length=200, blank=True)
    post_code = models.CharField("邮政编码", max_length=6, blank=True)
    contact_person = models.CharField("档案接收联系人", max_length=50, blank=True)
    contact_phone = EncryptedTextField("档案接收联系电话", blank=True)
    transfer_method = models.CharField("档案转递方式", max_length=20, choices=TransferMethod.choices,
                                       default=TransferMethod.EMS)
    accepts_archive = models.BooleanField("是否接受档案", default=True)
    accepts_household = models.BooleanField("是否接受户口", default=False)
    household_address = models.CharField("户口迁移地址", max_length=200, blank=True)
    deferred = models.BooleanField("是否缓寄", default=False)
    deferred_reason = models.CharField("缓寄原因", max_length=200, blank=True)

    status = models.CharField("状态", max_length=20, choices=TransferStatus.choices, default=TransferStatus.REGISTERED)
    tracking_number = models.CharField("快递单号", max_length=30, blank=True)
    sent_at = models.DateTimeField("寄出时间", null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = graduate_record_scope()

    class Meta:
        ordering = ["school_id", "college_id", "id"]
        constraints = [
            models.CheckConstraint(
                name="archive_sent_has_tracking",
                condition=Q(status="registered") | (Q(status="sent", sent_at__isnull=False) & ~Q(tracking_number="")),
            ),
            models.CheckConstraint(
                name="archive_deferred_has_reason",
                condition=Q(deferred=False) | ~Q(deferred_reason=""),
            ),
            models.CheckConstraint(
                name="archive_not_deferred_is_complete",
                condition=Q(deferred=True) | (~Q(receiving_unit_name="") & Q(address_division__isnull=False)),
            ),
        ]
        # The staff list orders by (college_id, id) (selectors.ARCHIVE_LIST_ORDER): each index
        # starts with the scope (school | college), then a filter, then that order.
        indexes = [
            models.Index(fields=["school", "college", "id"], name="archive_school_list_idx"),
            models.Index(fields=["college", "id"], name="archive_college_list_idx"),
            models.Index(fields=["school", "status", "college", "id"], name="archive_school_status_idx"),
            models.Index(fields=["college", "status", "id"], name="archive_college_status_idx"),
            models.Index(fields=["school", "transfer_method", "college", "id"], name="archive_school_method_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.graduate_id} → {self.receiving_unit_name or '缓寄'}"

    @property
    def masked_contact_phone(self) -> str:
        return mask_phone(self.contact_phone)

    @property
    def is_sent(self) -> bool:
        return self.status == TransferStatus.SENT

    @property
    def full_address(self) -> str:
        """省市区县 + 详细地址, as written on the envelope."""
        region = self.address_division.full_name if self.address_division_id else ""
        return f"{region}{self.street_address}"
