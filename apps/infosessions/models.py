"""宣讲会: the school's rooms, employers' session requests, the school's allocation of a room
and time slot (never two sessions in one room and slot), graduates' sign-ups up to the room's
capacity and their check-ins."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from apps.fairs.models import Audience, CheckInRecord, new_checkin_secret
from apps.infosessions.slots import slot_label, slot_starts_at


class Room(models.Model):
    """A room the school lends for 宣讲会 (教室 / 报告厅)."""

    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="session_rooms")
    name = models.CharField("名称", max_length=60)
    capacity = models.PositiveIntegerField("容纳人数")
    active = models.BooleanField("可用", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    scope = {
        "school_staff": ("school", "school_id"),
        "province_staff": ("school__province", "province_id"),
    }

    class Meta:
        ordering = ["school", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="room_name_unique"),
            models.CheckConstraint(name="room_capacity_positive", condition=Q(capacity__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class SessionStatus(models.TextChoices):
    PENDING = "pending", "待安排"
    SCHEDULED = "scheduled", "已安排"
    REJECTED = "rejected", "已驳回"
    WITHDRAWN = "withdrawn", "已撤回"
    CANCELLED = "cancelled", "已取消"


class InfoSession(models.Model):
    employer = models.ForeignKey("organisations.Employer", on_delete=models.PROTECT, related_name="info_sessions")
    school = models.ForeignKey("organisations.School", on_delete=models.PROTECT, related_name="info_sessions")
    date = models.DateField("日期")
    # one of apps/infosessions/slots.SLOTS (declared once, with its times)
    slot = models.CharField("时段", max_length=8)
    # date + the slot's start, kept by save(): lists order and cut off "past" by it (slot codes
    # do not sort by time), served by the indexes below
    starts_at = models.DateTimeField(null=True, editable=False)
    audience = models.CharField("面向", max_length=10, choices=Audience.choices, default=Audience.SCHOOL)
    topic = models.CharField("主题", max_length=100)
    description = models.TextField("内容介绍", blank=True)
    expected_size = models.PositiveIntegerField("预计人数", null=True, blank=True)
    contact_name = models.CharField("联系人", max_length=50)
    contact_phone = models.CharField("联系电话", max_length=20)
    postings = models.ManyToManyField("jobs.Posting", blank=True, related_name="info_sessions",
                                      verbose_name="招聘职位")
    status = models.CharField("状态", max_length=12, choices=SessionStatus.choices, default=SessionStatus.PENDING)
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions")
    capacity = models.PositiveIntegerField("容纳人数", default=0)  # the room's, copied when allocated
    reason = models.CharField("驳回或取消原因", max_length=300, blank=True)
    checkin_secret = models.CharField(max_length=32, default=new_checkin_secret, editable=False)
    signup_count = models.PositiveIntegerField(default=0)
    checkin_count = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = {
        "employer": ("employer", "employer_id"),
        "school_staff": ("school", "school_id"),
        "province_staff": ("school__province", "province_id"),
    }

    class Meta:
        ordering = ["date", "slot", "id"]
        indexes = [
            models.Index(fields=["school", "status", "date", "slot", "id"], name="session_school_idx"),
            models.Index(fields=["employer", "created_at", "id"], name="session_employer_idx"),
            # staff queue per status and "all" per school; graduates' open list (status first)
            models.Index(fields=["school", "status", "starts_at", "id"], name="session_school_start_idx"),
            models.Index(fields=["school", "starts_at", "id"], name="session_school_all_idx"),
            models.Index(fields=["status", "starts_at", "id"], name="session_open_idx"),
        ]
        constraints = [
            # the double-booking guard: one scheduled session per room, date and slot
            models.UniqueConstraint(fields=["room", "date", "slot"], name="session_room_slot_unique",
                                    condition=Q(status="scheduled")),
            models.CheckConstraint(name="session_scheduled_has_room",
                                   condition=~Q(status="scheduled") | Q(room__isnull=False)),
            models.CheckConstraint(name="session_signups_within_capacity",
                                   condition=Q(signup_count__lte=models.F("capacity")) | Q(status="pending")),
        ]

    def __str__(self) -> str:
        return self.topic

    def save(self, *args, **kwargs):
        self.starts_at = slot_starts_at(self.date, self.slot)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "date" in update_fields:
            kwargs["update_fields"] = {*update_fields, "starts_at"}
        super().save(*args, **kwargs)

    @property
    def slot_label(self) -> str:
        return slot_label(self.slot)

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.signup_count, 0)


class SessionSignup(models.Model):
    session = models.ForeignKey(InfoSession, on_delete=models.CASCADE, related_name="signups")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="session_signups")
    created_at = models.DateTimeField(auto_now_add=True)
    # 提醒: set by the one conditional UPDATE that claims the day-before reminder (sent once)
    reminded_at = models.DateTimeField(null=True, blank=True)

    scope = {"graduate": ("graduate", "graduate_id")}

    class Meta:
        constraints = [models.UniqueConstraint(fields=["session", "graduate"], name="session_signup_unique")]
        indexes = [models.Index(fields=["graduate", "created_at", "id"], name="session_signup_graduate_idx")]


class SessionCheckIn(CheckInRecord):
    """宣讲会签到: one row per graduate and session."""

    session = models.ForeignKey(InfoSession, on_delete=models.CASCADE, related_name="checkins")
    graduate = models.ForeignKey("graduates.Graduate", on_delete=models.CASCADE, related_name="session_checkins")

    scope = {
        "graduate": ("graduate", "graduate_id"),
        "school_staff": ("session__school", "school_id"),
        "province_staff": ("session__school__province", "province_id"),
    }

    class Meta(CheckInRecord.Meta):
        constraints = [models.UniqueConstraint(fields=["session", "graduate"], name="session_checkin_once")]
        indexes = [models.Index(fields=["session", "checked_in_at", "id"], name="session_checkin_time_idx")]
