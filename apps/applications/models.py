"""投递 (C9): a graduate's application to a posting, with the resume as it was when sent."""

from __future__ import annotations

from django.db import models

from apps.core.crypto import EncryptedTextField


class ApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "已投递"
    VIEWED = "viewed", "已查看"
    INTERVIEW = "interview", "邀请面试"
    HIRED = "hired", "录用"
    UNSUITABLE = "unsuitable", "不合适"
    WITHDRAWN = "withdrawn", "已撤回"


class Application(models.Model):
    posting = models.ForeignKey("jobs.Posting", on_delete=models.PROTECT, related_name="applications")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.PROTECT, related_name="applications")
    # denormalised: scoping and the employer's lists without joins
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="applications")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    status = models.CharField("状态", max_length=12, choices=ApplicationStatus.choices,
                              default=ApplicationStatus.SUBMITTED)
    # the resume as JSON at the moment of applying (apps/resumes snapshot); personal data,
    # encrypted at rest; this, not the live resume, is what the employer reads
    resume_snapshot = EncryptedTextField("投递时的简历")
    interview_at = models.DateTimeField("面试时间", null=True, blank=True)
    interview_place = models.CharField("面试地点", max_length=200, blank=True)
    employer_note = models.CharField("单位备注", max_length=300, blank=True)  # shown to the graduate
    status_changed_at = models.DateTimeField("状态更新时间", auto_now_add=True)
    created_at = models.DateTimeField("投递时间", auto_now_add=True)

    scope = {
        "graduate": ("graduate", "graduate_id"),
        "employer": ("employer", "employer_id"),
        "school_staff": ("school", "school_id"),
        "province_staff": ("school__province", "province_id"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["posting", "graduate"], name="application_one_per_posting")]
        indexes = [
            models.Index(fields=["graduate", "created_at", "id"], name="application_graduate_idx"),
            models.Index(fields=["posting", "status", "created_at", "id"], name="application_posting_idx"),
            models.Index(fields=["employer", "status", "created_at", "id"], name="application_employer_idx"),
            # the employer's lists without a status filter (all applicants / one posting's)
            models.Index(fields=["employer", "created_at", "id"], name="application_employer_all_idx"),
            models.Index(fields=["posting", "created_at", "id"], name="application_posting_all_idx"),
        ]
