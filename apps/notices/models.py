from __future__ import annotations

from django.conf import settings
from django.db import models


class NoticeKind(models.TextChoices):
    NOTICE = "notice", "通知公告"
    NEWS = "news", "就业动态"


class Notice(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField("类别", max_length=10, choices=NoticeKind.choices)
    title = models.CharField("标题", max_length=120)
    body = models.TextField("正文")
    is_published = models.BooleanField("发布", default=True)
    published_at = models.DateTimeField("发布时间")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
        "college_staff": ("school", "school_id"),
        "graduate": ("school", "school_id"),
    }

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["school", "kind", "is_published", "-published_at"], name="notice_list_idx")]

    def __str__(self) -> str:
        return self.title
