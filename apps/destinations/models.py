"""毕业去向登记 (C4): one current destination per graduate, its proof images and review."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.accounts.scoping import graduate_record_scope
from apps.core.crypto import EncryptedTextField


class DestinationStatus(models.TextChoices):
    DRAFT = "draft", "未提交"
    SUBMITTED = "submitted", "待审核"
    COLLEGE_APPROVED = "college_approved", "初审通过"
    SCHOOL_APPROVED = "school_approved", "审核通过"
    RETURNED = "returned", "退回"


LOCKED_STATUSES = (DestinationStatus.COLLEGE_APPROVED, DestinationStatus.SCHOOL_APPROVED)


class DestinationSource(models.TextChoices):
    MANUAL = "manual", "本人登记"
    ONLINE_SIGNING = "online_signing", "网络签约自动登记"
    SYSTEM = "system", "系统"


class Destination(models.Model):
    graduate = models.OneToOneField("graduates.Graduate", on_delete=models.CASCADE, related_name="destination")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    college = models.ForeignKey("organisations.College", on_delete=models.PROTECT, related_name="+")
    category_code = models.CharField("毕业去向代码", max_length=10)
    status = models.CharField(max_length=20, choices=DestinationStatus.choices, default=DestinationStatus.DRAFT)
    source = models.CharField(max_length=20, choices=DestinationSource.choices, default=DestinationSource.MANUAL)
    # employer block of the national export (就业方案)
    unit_name = models.CharField("单位名称", max_length=200, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    credit_code_flagged = models.BooleanField("信用代码待人工核验", default=False)
    unit_nature_code = models.CharField("单位性质", max_length=4, blank=True)
    industry_code = models.CharField("单位行业", max_length=4, blank=True)
    unit_division = models.ForeignKey(
        "reference.Division", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="单位所在地"
    )
    unit_address = models.CharField("单位地址", max_length=200, blank=True)
    position_category_code = models.CharField("工作职位类别", max_length=4, blank=True)
    sign_date = models.DateField("签约日期", null=True, blank=True)
    unit_contact = models.CharField("单位联系人", max_length=50, blank=True)
    unit_contact_phone = EncryptedTextField("单位联系电话", blank=True)
    description = models.CharField("说明", max_length=500, blank=True)
    # 升学 / 出国出境
    study_school = models.CharField("升学院校", max_length=200, blank=True)
    study_major = models.CharField("升学专业", max_length=200, blank=True)
    country_region = models.CharField("国家（地区）", max_length=100, blank=True)
    abroad_school_cn = models.CharField("留学院校中文名称", max_length=200, blank=True)
    abroad_school_foreign = models.CharField("留学院校外文名称", max_length=200, blank=True)
    abroad_major_cn = models.CharField("留学专业中文名称", max_length=200, blank=True)
    abroad_major_foreign = models.CharField("留学专业外文名称", max_length=200, blank=True)
    # review
    submitted_at = models.DateTimeField(null=True, blank=True)
    college_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    college_reviewed_at = models.DateTimeField(null=True, blank=True)
    school_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    school_reviewed_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.CharField("退回原因", max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = graduate_record_scope()

    class Meta:
        # The review queue (selectors.review_queue) orders by (submitted_at, id) after the
        # scope (school | college) and, usually, the status: these four serve that order, so a
        # page of 30 reads 31 index entries whatever the province's size (issue 9).
        indexes = [
            models.Index(fields=["school", "status", "submitted_at", "id"], name="dest_school_queue_idx"),
            models.Index(fields=["college", "status", "submitted_at", "id"], name="dest_college_queue_idx"),
            models.Index(fields=["school", "submitted_at", "id"], name="dest_school_all_idx"),
            models.Index(fields=["college", "submitted_at", "id"], name="dest_college_all_idx"),
            models.Index(fields=["school", "category_code", "status"], name="dest_school_category_idx"),
            models.Index(fields=["college", "category_code", "status"], name="dest_college_category_idx"),
        ]


class ProofImage(models.Model):
    """就业证明材料: re-encoded, EXIF-free, ≤300 KB, stored under a random name."""

    destination = models.ForeignKey(Destination, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = graduate_record_scope("destination")

    class Meta:
        ordering = ["id"]
