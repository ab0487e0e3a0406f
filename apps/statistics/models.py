"""Kept statistics: the daily snapshot (每日快照, the trend and the province ranking) and the
frozen report (冻结报表, a school's figures kept as of a date, never changed afterwards).

Both hold the whole figure set as JSON (`compute.figures_compute`: the overview and every
breakdown) plus the head counts as plain columns, so the province ranking and the province
totals are one SUM over ~100 narrow rows instead of a GROUP BY over 500,000 graduates."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# Who sees a school's kept figures. College staff see the rows of their school, but the
# selectors hand them only their own college's slice of `figures` (compute.py).
_SCHOOL_FIGURES_SCOPE = {
    "province_staff": ("school__province", "province_id"),
    "school_staff": ("school", "school_id"),
    "college_staff": ("school", "school_id"),
}


class FigureColumns(models.Model):
    """The head counts of `figures['overview']`, kept as columns for SUM / ORDER BY."""

    graduates = models.IntegerField(default=0)
    unit = models.IntegerField(default=0)
    self_employed = models.IntegerField(default=0)
    freelance = models.IntegerField(default=0)
    further_study = models.IntegerField(default=0)
    placed = models.IntegerField(default=0)
    origin_confirmed = models.IntegerField(default=0)
    online_signed = models.IntegerField(default=0)
    pending_review = models.IntegerField(default=0)
    terminations = models.IntegerField(default=0)
    figures = models.JSONField(default=dict)

    class Meta:
        abstract = True


class StatsSnapshot(FigureColumns):
    """One school's figures for one cohort on one day; the job re-run on the same day
    overwrites the row (idempotent)."""

    school = models.ForeignKey("organisations.School", on_delete=models.CASCADE, related_name="+")
    cohort = models.PositiveSmallIntegerField("毕业年份")
    day = models.DateField("快照日期")
    taken_at = models.DateTimeField("计算时间")

    scope = _SCHOOL_FIGURES_SCOPE

    class Meta:
        ordering = ["school_id", "cohort", "day"]
        constraints = [
            models.UniqueConstraint(fields=["school", "cohort", "day"], name="stats_snapshot_one_per_day"),
        ]
        # the unique constraint's index serves the trend (school, cohort, day range) and the
        # province's "latest per school" probe (school, cohort, day DESC LIMIT 1)

    def __str__(self) -> str:
        return f"{self.school_id} {self.cohort}届 {self.day}"


class FrozenReport(FigureColumns):
    """冻结报表: a school's figures recorded once under a label date (`as_of`, e.g. 8月31日).
    Computed when frozen (the platform keeps no back-dated states); never edited."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="+")
    cohort = models.PositiveSmallIntegerField("毕业年份")
    as_of = models.DateField("截止日期")
    frozen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    frozen_at = models.DateTimeField("冻结时间")

    scope = {
        "province_staff": ("school__province", "province_id"),
        "school_staff": ("school", "school_id"),
    }

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "cohort", "as_of"], name="frozen_report_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.school_id} {self.cohort}届 截至{self.as_of}"
