"""举报 (C9): a graduate reports a fraudulent posting or employer; the report reaches the
reporter's school and the province; staff act (take the posting down, suspend the employer)
and record the outcome the reporter reads."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from apps.core.files import random_storage_name


class ReportStatus(models.TextChoices):
    OPEN = "open", "待处理"
    CLOSED = "closed", "已处理"


class ReportOutcome(models.TextChoices):
    POSTING_TAKEN_DOWN = "posting_taken_down", "职位已下架"
    EMPLOYER_SUSPENDED = "employer_suspended", "单位已停用"
    NO_FRAUD = "no_fraud", "经核实未发现问题"


class FraudReport(models.Model):
    reporter = models.ForeignKey("graduates.Graduate", on_delete=models.PROTECT, related_name="fraud_reports")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="fraud_reports")
    posting = models.ForeignKey("jobs.Posting", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="fraud_reports")
    reason = models.CharField("举报类型", max_length=20)  # a key of apps/reports/reasons.REASONS
    details = models.TextField("举报内容")
    status = models.CharField("状态", max_length=8, choices=ReportStatus.choices, default=ReportStatus.OPEN)
    outcome = models.CharField("处理结果", max_length=20, choices=ReportOutcome.choices, blank=True)
    outcome_note = models.CharField("处理说明", max_length=500, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    created_at = models.DateTimeField("举报时间", auto_now_add=True)

    scope = {
        "graduate": ("reporter", "graduate_id"),
        "school_staff": ("school", "school_id"),
        "province_staff": ("school__province", "province_id"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school", "status", "created_at", "id"], name="report_school_queue_idx"),
            models.Index(fields=["status", "created_at", "id"], name="report_status_idx"),
            models.Index(fields=["reporter", "created_at", "id"], name="report_reporter_idx"),
        ]


def report_image_path(instance: FraudReportImage, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return random_storage_name(f"reports/{instance.report.school_id}", extension)


class FraudReportImage(models.Model):
    report = models.ForeignKey(FraudReport, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=report_image_path, max_length=200)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField()
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {
        "graduate": ("report__reporter", "graduate_id"),
        "school_staff": ("report__school", "school_id"),
        "province_staff": ("report__school__province", "province_id"),
    }

    class Meta:
        ordering = ["id"]
