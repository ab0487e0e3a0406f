"""In-app notifications (消息通知) for graduates and employers."""

from __future__ import annotations

from django.db import models


class Notification(models.Model):
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications")
    employer = models.ForeignKey("organisations.Employer", on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications")
    kind = models.CharField(max_length=40)
    title = models.CharField(max_length=120)
    body = models.CharField(max_length=500, blank=True)
    link = models.CharField(max_length=300, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {
        "graduate": ("graduate", "graduate_id"),
        "employer": ("employer", "employer_id"),
    }

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["graduate", "-created_at"], name="notification_graduate_idx"),
            models.Index(fields=["employer", "-created_at"], name="notification_employer_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                name="notification_has_recipient",
                condition=models.Q(graduate__isnull=False) | models.Q(employer__isnull=False),
            )
        ]
