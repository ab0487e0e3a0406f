"""Reads of 宣讲会. Staff and employers start from `visible_to` (school staff: their school's;
province staff: the province's; employers: their own); graduates from `sessions_open_to`
(scheduled, not started, an audience they belong to: apps/fairs/rules.audience_q)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import NotFound
from apps.fairs.rules import audience_q
from apps.infosessions.models import InfoSession, Room, SessionSignup, SessionStatus
from apps.infosessions.slots import SLOTS

ALL_STATUSES = "all"
STATUS_FILTERS = (*SessionStatus.choices, (ALL_STATUSES, "全部"))
LIST_COLUMNS = (
    "id", "employer_id", "school_id", "date", "slot", "starts_at", "audience", "topic", "expected_size", "status",
    "room_id", "capacity", "reason", "signup_count", "checkin_count", "created_at",
    "employer__id", "employer__name", "school__id", "school__name", "school__province_id",
    "room__id", "room__name",
)


def sessions_open_to(graduate) -> QuerySet[InfoSession]:
    """Scheduled sessions not yet started that the graduate may attend, soonest first
    ((status, starts_at, id) index)."""
    return (InfoSession.objects.filter(status=SessionStatus.SCHEDULED, starts_at__gt=timezone.now())
            .filter(audience_q(graduate)).select_related("employer", "school", "room").only(*LIST_COLUMNS)
            .order_by("starts_at", "id"))


def session_for_graduate(graduate, pk) -> InfoSession:
    """One session the graduate may read: one they may attend (any state, so a cancelled or
    past one they signed up for still opens), or one they signed up for."""
    session = (InfoSession.objects.filter(pk=pk).filter(audience_q(graduate))
               .select_related("employer", "school", "room").prefetch_related("postings").first())
    if session is None or (session.status not in (SessionStatus.SCHEDULED, SessionStatus.CANCELLED)
                           and not is_signed_up(graduate, session)):
        raise NotFound()
    return session


def is_signed_up(graduate, session) -> bool:
    return SessionSignup.objects.filter(session_id=session.pk, graduate_id=graduate.pk).exists()


def signed_up_ids(graduate, sessions) -> set[int]:
    ids = [s.pk for s in sessions]
    return set(SessionSignup.objects.filter(graduate_id=graduate.pk, session_id__in=ids)
               .values_list("session_id", flat=True))


def my_signups(*, actor) -> QuerySet[SessionSignup]:
    """The graduate's own sign-ups, newest first ((graduate, created_at, id) index)."""
    return (visible_to(SessionSignup, actor).select_related("session", "session__employer", "session__room")
            .order_by("-created_at", "-id"))


@dataclass(frozen=True)
class QueueFilters:
    status: str = SessionStatus.PENDING
    date_from: date | None = None
    date_to: date | None = None


def sessions_queue(*, actor, filters: QueueFilters) -> QuerySet[InfoSession]:
    """The staff queue. 待安排 (the default) soonest first; one status soonest first; 全部 the
    latest date first. A school's pages are served by (school, status, starts_at, id) /
    (school, starts_at, id); the province's by (status, starts_at, id) with the province as a
    join filter."""
    qs = visible_to(InfoSession, actor).select_related("employer", "school", "room").only(*LIST_COLUMNS)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.status in SessionStatus.values:
        return qs.filter(status=filters.status).order_by("starts_at", "id")
    return qs.order_by("-starts_at", "-id")


def session_get(*, actor, pk) -> InfoSession:
    qs = InfoSession.objects.select_related("employer", "school", "room", "decided_by").prefetch_related("postings")
    return get_visible(qs, actor, pk=pk)


def sessions_of_employer(*, actor) -> QuerySet[InfoSession]:
    """The employer's own sessions, newest request first ((employer, created_at, id) index)."""
    return (visible_to(InfoSession, actor).select_related("school", "room").only(*LIST_COLUMNS)
            .order_by("-created_at", "-id"))


def rooms_of(*, actor) -> QuerySet[Room]:
    return visible_to(Room, actor).select_related("school").order_by("school_id", "-active", "name", "id")


def room_get(*, actor, pk) -> Room:
    return get_visible(Room, actor, pk=pk)


@dataclass
class RoomChoice:
    room: Room
    taken_by: InfoSession | None
    small: bool

    @property
    def free(self) -> bool:
        return self.taken_by is None


def rooms_for_slot(session: InfoSession) -> list[RoomChoice]:
    """The school's active rooms for the session's date and slot: free ones first, each taken
    one with the session in it (two queries whatever the number of rooms)."""
    rooms = list(Room.objects.filter(school_id=session.school_id, active=True).order_by("name", "id"))
    taken = {s.room_id: s for s in InfoSession.objects.filter(
        school_id=session.school_id, date=session.date, slot=session.slot, status=SessionStatus.SCHEDULED,
        room__isnull=False).exclude(pk=session.pk).select_related("employer").only(
        "id", "room_id", "topic", "date", "slot", "employer__id", "employer__name")}
    choices = [RoomChoice(r, taken.get(r.pk), bool(session.expected_size and r.capacity < session.expected_size))
               for r in rooms]
    return sorted(choices, key=lambda c: (not c.free, c.room.name))


@dataclass
class WeekGrid:
    days: list[date]
    slots: tuple
    rows: list[tuple[Room, list[list[InfoSession | None]]]]  # per room: per day, per slot


def week_start(value: date | None = None) -> date:
    day = value or timezone.localdate()
    return day - timedelta(days=day.weekday())


def room_week_grid(*, actor, start: date) -> WeekGrid:
    """Which rooms are taken in which slot over a week (Monday `start` to Sunday), for the
    school staff's own school (province staff: not offered). Two queries."""
    school_id = actor.school_id if actor.role == Role.SCHOOL_STAFF else None
    days = [start + timedelta(days=i) for i in range(7)]
    rooms = list(visible_to(Room, actor).filter(school_id=school_id, active=True).order_by("name", "id"))
    sessions = (visible_to(InfoSession, actor)
                .filter(school_id=school_id, status=SessionStatus.SCHEDULED, date__gte=days[0], date__lte=days[-1])
                .select_related("employer").only("id", "room_id", "date", "slot", "topic", "employer__id",
                                                  "employer__name"))
    at = {(s.room_id, s.date, s.slot): s for s in sessions}
    rows = [(room, [[at.get((room.pk, day, slot.code)) for slot in SLOTS] for day in days]) for room in rooms]
    return WeekGrid(days=days, slots=SLOTS, rows=rows)


def request_schools(employer) -> list:
    """Schools whose channel the employer may use (the rule postings use decides)."""
    from apps.employers.rules import employer_channel_refusal
    from apps.organisations.models import School

    if employer is None:
        return []
    if employer.verifier_school_id:
        candidates = School.objects.filter(pk=employer.verifier_school_id)
    else:
        candidates = School.objects.filter(province_id=employer.verifier_province_id)
    return [s for s in candidates.order_by("code", "id")[:200] if employer_channel_refusal(employer, s) is None]
