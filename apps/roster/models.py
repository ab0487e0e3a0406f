"""Roster import (生源导入): an uploaded Excel file, validated row by row, committed whole."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", "已上传，等待校验"
    VALIDATING = "validating", "校验中"
    INVALID = "invalid", "校验未通过"
    VALID = "valid", "校验通过，待确认导入"
    COMMITTING = "committing", "导入中"
    COMMITTED = "committed", "已导入"
    FAILED = "failed", "导入失败"


class ImportMode(models.TextChoices):
    CREATE = "create", "仅新增（已存在的记录报错）"
    UPSERT = "upsert", "新增并更新已存在的记录"


class RosterImport(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="roster_imports")
    cohort = models.PositiveSmallIntegerField("毕业年份")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="roster/%Y/%m/", max_length=200)
    original_name = models.CharField(max_length=200)
    mode = models.CharField(max_length=10, choices=ImportMode.choices, default=ImportMode.CREATE)
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    failure_message = models.CharField(max_length=300, blank=True)
    # Issues found beyond ROSTER_MAX_STORED_ISSUES: counted, not stored (另有N条问题未列出).
    unlisted_issue_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The lease of the background job (validation or commit): set when it is queued or
    # starts and refreshed while it works; older than JOB_LEASE_SECONDS means its worker
    # died (apps/roster/recovery.py).
    worker_heartbeat_at = models.DateTimeField(null=True, blank=True)
    recovery_attempts = models.PositiveSmallIntegerField(default=0)
    # Who confirmed the import: a recovered commit runs (and is audited) in their name.
    committed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    # Storage name of the rows a passed validation kept, encrypted, for the commit
    # (apps/roster/parsed.py); empty once committed or when the file did not pass.
    parsed_rows = models.CharField(max_length=220, blank=True, default="")

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["school", "-created_at"], name="roster_import_list_idx"),
            models.Index(fields=["status", "worker_heartbeat_at"], name="roster_import_lease_idx"),
        ]


class RosterIssue(models.Model):
    """One problem found in one row (an error blocks the import; a warning does not)."""

    roster_import = models.ForeignKey(RosterImport, on_delete=models.CASCADE, related_name="issues")
    row_number = models.PositiveIntegerField()  # as Excel shows it (header is row 1)
    column = models.CharField(max_length=30, blank=True)
    message = models.CharField(max_length=300)
    is_warning = models.BooleanField(default=False)

    scope = {
        "province_staff": ("roster_import__school__province", "province_id"),
        "school_staff": ("roster_import__school", "school_id"),
    }

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["roster_import", "row_number"], name="roster_issue_row_idx")]
