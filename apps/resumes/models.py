"""简历维护 (C8): a graduate's structured resume. Basic information is read from 生源 (the
Graduate row) and never stored here; items of every section share one table."""

from __future__ import annotations

from django.db import models


class ResumeSection(models.TextChoices):
    EDUCATION = "education", "教育经历"
    EXPERIENCE = "experience", "实习与工作经历"
    PROJECT = "project", "项目经历"
    AWARD = "award", "获奖情况"
    LANGUAGE = "language", "语言能力"
    SOFTWARE = "software", "计算机与软件"
    SKILL = "skill", "其他技能"
    CERTIFICATE = "certificate", "证书"


class Resume(models.Model):
    graduate = models.OneToOneField("graduates.Graduate", on_delete=models.CASCADE, related_name="resume")
    self_evaluation = models.TextField("自我评价", blank=True)
    # 允许已认证单位查找我的简历: off by default
    discoverable = models.BooleanField("允许单位查找", default=False)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "graduate": ("graduate", "graduate_id"),
        "school_staff": ("graduate__school", "school_id"),
        "college_staff": ("graduate__college", "college_id"),
    }

    class Meta:
        indexes = [
            # employers' 人才查找: discoverable resumes, most recently updated first
            models.Index(fields=["discoverable", "updated_at", "id"], name="resume_discoverable_idx"),
        ]


class ResumeItem(models.Model):
    """One entry of a section. Which fields a section uses is declared in
    apps/resumes/sections.py (labels, required fields, lengths)."""

    resume = models.ForeignKey(Resume, on_delete=models.CASCADE, related_name="items")
    section = models.CharField("栏目", max_length=12, choices=ResumeSection.choices)
    position = models.PositiveIntegerField("顺序", default=0)
    title = models.CharField("名称", max_length=100)  # school / unit / project / award / language / certificate
    role = models.CharField("专业、职务或角色", max_length=100, blank=True)
    level = models.CharField("级别或水平", max_length=50, blank=True)
    start_month = models.CharField("开始年月", max_length=7, blank=True)  # YYYY-MM
    end_month = models.CharField("结束年月", max_length=7, blank=True)  # YYYY-MM, blank = 至今
    description = models.TextField("描述", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {
        "graduate": ("resume__graduate", "graduate_id"),
        "school_staff": ("resume__graduate__school", "school_id"),
        "college_staff": ("resume__graduate__college", "college_id"),
    }

    class Meta:
        ordering = ["section", "position", "id"]
        indexes = [models.Index(fields=["resume", "section", "position", "id"], name="resume_item_order_idx")]
