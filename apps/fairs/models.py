"""校园招聘会 / 双选会: a school's fair, the employers' booth applications (with the waiting
list), graduates' interest, check-ins at the door and booth visits (résumé sharing)."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q


def new_checkin_secret() -> str:
    return secrets.token_hex(16)


class Audience(models.TextChoices):
    """Who may attend a fair or an info session (used by apps/infosessions too)."""

    SCHOOL = "school", "本校毕业生"
    PROVINCE = "province", "全省毕业生"


class FairKind(models.TextChoices):
    JOB_FAIR = "job_fair", "校园招聘会"
    MUTUAL_CHOICE = "mutual_choice", "双选会"


class FairStatus(models.TextChoices):
    PUBLISHED = "published", "已发布"
    CANCELLED = "cancelled", "已取消"


class JobFair(models.Model):
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="fairs")
    kind = models.CharField("类型", max_length=16, choices=FairKind.choices, default=FairKind.MUTUAL_CHOICE)
    title = models.CharField("名称", max_length=100)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    venue = models.CharField("地点", max_length=120)
    booth_count = models.PositiveIntegerField("展位数")
    audience = models.CharField("面向", max_length=10, choices=Audience.choices, default=Audience.SCHOOL)
    apply_deadline = models.DateTimeField("单位报名截止时间")
    description = models.TextField("简介", blank=True)
    status = models.CharField("状态", max_length=12, choices=FairStatus.choices, default=FairStatus.PUBLISHED)
    cancel_reason = models.CharField("取消原因", max_length=300, blank=True)
    # 签到: the secret the rotating check-in code is derived from (apps/fairs/checkin.py)
    checkin_secret = models.CharField(max_length=32, default=new_checkin_secret, editable=False)
    # maintained counters (F() updates in the services; never counted per view)
    approved_booths = models.PositiveIntegerField(default=0)
    interest_count = models.PositiveIntegerField(default=0)
    checkin_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "school_staff": ("school", "school_id"),
        "province_staff": ("school__province", "province_id"),
    }

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["school", "starts_at", "id"], name="fair_school_start_idx"),
            models.Index(fields=["status", "audience", "ends_at", "id"], name="fair_open_idx"),
        ]
        constraints = [
            models.CheckConstraint(name="fair_ends_after_start", condition=Q(ends_at__gt=models.F("starts_at"))),
            models.CheckConstraint(name="fair_booths_positive", condition=Q(booth_count__gte=1)),
            models.CheckConstraint(name="fair_booths_not_overbooked",
                                   condition=Q(approved_booths__lte=models.F("booth_count"))),
        ]

    def __str__(self) -> str:
        return self.title


class BoothStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已通过"
    WAITING = "waiting", "候补中"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"
    REMOVED = "removed", "已取消参会"


ACTIVE_BOOTH_STATUSES = (BoothStatus.PENDING, BoothStatus.APPROVED, BoothStatus.WAITING)


class FairBooth(models.Model):
    """An employer's application for a booth (展位申请); approved up to the fair's booth count,
    then on the waiting list (候补) ordered by `waiting_since`."""

    fair = models.ForeignKey(JobFair, on_delete=models.CASCADE, related_name="booths")
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="fair_booths")
    status = models.CharField("状态", max_length=12, choices=BoothStatus.choices, default=BoothStatus.PENDING)
    postings = models.ManyToManyField("jobs.Posting", blank=True, related_name="fair_booths",
                                      verbose_name="携带职位")
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)
    note = models.CharField("备注", max_length=300, blank=True)
    reason = models.CharField("驳回或取消原因", max_length=300, blank=True)
    booth_number = models.PositiveIntegerField("展位号", null=True, blank=True)
    waiting_since = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    visit_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "employer": ("employer", "employer_id"),
        "school_staff": ("fair__school", "school_id"),
        "province_staff": ("fair__school__province", "province_id"),
    }

    class Meta:
        ordering = ["fair", "created_at", "id"]
        indexes = [
            models.Index(fields=["fair", "status", "waiting_since", "id"], name="booth_fair_status_idx"),
            models.Index(fields=["employer", "created_at", "id"], name="booth_employer_idx"),
        ]
        constraints = [
            # one live application per employer and fair (a withdrawn or rejected one may be followed by a new one)
            models.UniqueConstraint(fields=["fair", "employer"], name="booth_one_active_per_employer",
                                    condition=Q(status__in=["pending", "approved", "waiting"])),
            models.UniqueConstraint(fields=["fair", "booth_number"], name="booth_number_unique",
                                    condition=Q(status="approved", booth_number__isnull=False)),
        ]


class FairInterest(models.Model):
    """A graduate's 我要参加 for a fair; the day-before reminder is sent once (`reminded_at`)."""

    fair = models.ForeignKey(JobFair, on_delete=models.CASCADE, related_name="interests")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="fair_interests")
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {"graduate": ("graduate", "graduate_id")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["fair", "graduate"], name="fair_interest_unique")]
        indexes = [models.Index(fields=["graduate", "created_at", "id"], name="fair_interest_graduate_idx")]


class CheckInMethod(models.TextChoices):
    SCAN_EVENT_CODE = "scan_code", "扫现场二维码"
    STAFF_SCAN_CARD = "staff_card", "工作人员扫名片"


class CheckInRecord(models.Model):
    """What every 签到 row holds, for a fair or a 宣讲会 alike: how the graduate checked in, the
    staff member who scanned their card (none for a self-scan) and when."""

    method = models.CharField(max_length=12, choices=CheckInMethod.choices)
    recorded_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    checked_in_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-checked_in_at", "-id"]


class FairCheckIn(CheckInRecord):
    """签到: one row per graduate and fair, whichever way they checked in."""

    fair = models.ForeignKey(JobFair, on_delete=models.CASCADE, related_name="checkins")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="fair_checkins")

    scope = {
        "graduate": ("graduate", "graduate_id"),
        "school_staff": ("fair__school", "school_id"),
        "province_staff": ("fair__school__province", "province_id"),
    }

    class Meta(CheckInRecord.Meta):
        constraints = [models.UniqueConstraint(fields=["fair", "graduate"], name="fair_checkin_once")]
        indexes = [models.Index(fields=["fair", "checked_in_at", "id"], name="fair_checkin_time_idx")]


class BoothVisit(models.Model):
    """A checked-in graduate's 到访 of a booth; `share_resume` is their consent that the
    employer may read their résumé (taken at the time the graduate agreed)."""

    booth = models.ForeignKey(FairBooth, on_delete=models.CASCADE, related_name="visits")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="booth_visits")
    share_resume = models.BooleanField("同意单位查看简历", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "graduate": ("graduate", "graduate_id"),
        "employer": ("booth__employer", "employer_id"),
    }

    class Meta:
        constraints = [models.UniqueConstraint(fields=["booth", "graduate"], name="booth_visit_once")]
        indexes = [models.Index(fields=["booth", "share_resume", "created_at", "id"], name="booth_visit_idx")]
