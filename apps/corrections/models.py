"""毕业生信息反馈 (去纠错, C3): a graduate reports a wrong read-only value of the roster record
(or of the destination / archive data) and school or college staff accept or reject it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.accounts.scoping import graduate_record_scope
from apps.core.crypto import EncryptedTextField
from apps.core.files import random_storage_name


class CorrectionKind(models.TextChoices):
    ENROLMENT = "enrolment", "学籍信息"
    BASIC = "basic", "基本信息"
    DESTINATION = "destination", "毕业去向信息"
    ARCHIVE = "archive", "档案信息"
    OTHER = "other", "其他"


# Kinds that name one field of the roster record (apps.graduates.fields.SPECS); the value of
# the mapping is that field's `group` in SPECS.
FIELD_KIND_GROUPS = {CorrectionKind.ENROLMENT: "学籍信息", CorrectionKind.BASIC: "基本信息"}
GROUP_KINDS = {group: kind for kind, group in FIELD_KIND_GROUPS.items()}


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", "待处理"
    ACCEPTED = "accepted", "已采纳"
    REJECTED = "rejected", "未采纳"
    WITHDRAWN = "withdrawn", "已撤回"


class Correction(models.Model):
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.PROTECT, related_name="corrections")
    # denormalised from the graduate: scoping and the staff queue's indexes
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("反馈类型", max_length=20, choices=CorrectionKind.choices)
    field = models.CharField("字段", max_length=40, blank=True)  # a key of SPECS, blank for other kinds
    current_value = models.CharField("当前信息", max_length=300, blank=True)  # display snapshot, masked
    # As typed; encrypted because it may be a personal number. Emptied after the decision when
    # the field is masked (身份证号): it is kept only as long as it may still be applied.
    proposed_value = EncryptedTextField("正确信息", blank=True)
    proposed_display = models.CharField("正确信息（显示）", max_length=600, blank=True)  # masked
    explanation = models.TextField("说明")
    status = models.CharField("状态", max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decision_note = models.TextField("处理说明", blank=True)  # accept note or reject reason
    promised_by = models.DateField("最晚处理日期")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)

    scope = graduate_record_scope()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["graduate", "field"],
                condition=Q(status="pending") & ~Q(field=""),
                name="correction_one_pending_per_field",
            ),
            models.CheckConstraint(
                name="correction_field_kinds_name_a_field",
                condition=Q(kind__in=["enrolment", "basic"], field__gt="") | (~Q(kind__in=["enrolment", "basic"]) & Q(field="")),
            ),
        ]
        indexes = [
            # the staff queue's orders (selectors.corrections_queue), forwards and backwards
            models.Index(fields=["school", "status", "created_at", "id"], name="correction_school_queue_idx"),
            models.Index(fields=["college", "status", "created_at", "id"], name="correction_college_queue_idx"),
            models.Index(fields=["school", "created_at", "id"], name="correction_school_all_idx"),
            models.Index(fields=["college", "created_at", "id"], name="correction_college_all_idx"),
            models.Index(fields=["kind"], name="correction_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"信息反馈#{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.status == CorrectionStatus.PENDING

    @property
    def names_a_field(self) -> bool:
        return bool(self.field)

    @property
    def field_label(self) -> str:
        from apps.graduates.fields import SPECS

        spec = SPECS.get(self.field)
        return spec.label if spec else ""

    @property
    def subject(self) -> str:
        """`基本信息 · 民族` or `档案信息`."""
        label = self.field_label
        return f"{self.get_kind_display()} · {label}" if label else self.get_kind_display()


def correction_image_path(instance: CorrectionImage, filename: str) -> str:
    """A random name under the school: the user's file name never becomes a path."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return random_storage_name(f"corrections/{instance.correction.school_id}", extension)


class CorrectionImage(models.Model):
    correction = models.ForeignKey(Correction, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=correction_image_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    original_name = models.CharField("原文件名", max_length=200, blank=True)  # a label only
    created_at = models.DateTimeField(auto_now_add=True)

    scope = graduate_record_scope("correction")

    class Meta:
        ordering = ["id"]
