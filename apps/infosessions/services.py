"""The doors of 宣讲会 (info sessions): the school's rooms, an employer's request, the school's
allocation of a room (never two sessions in one room, date and slot), rejection, withdrawal,
cancellation, graduates' sign-ups up to the room's capacity and the day-before reminder. Each
door checks who acts, runs in one transaction and leaves an audit entry; a refusal changes
nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import acting_employer, acting_graduate
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.core.text import mask_phone, normalise
from apps.employers.rules import employer_channel_refusal
from apps.fairs.models import Audience
from apps.fairs.rules import ATTENDEE_COLUMNS, attendance_refusal
from apps.graduates.fields import LANDLINE, MOBILE
from apps.graduates.models import Graduate
from apps.infosessions.models import InfoSession, Room, SessionCheckIn, SessionSignup, SessionStatus
from apps.infosessions.slots import BY_CODE, slot_ends_at, slot_label, slot_starts_at
from apps.jobs.models import Posting, PostingStatus
from apps.organisations.models import School

ROOM_NAME_MAX = 60
ROOM_CAPACITY_MAX = 5000
MAX_LEAD_DAYS = 180
TOPIC_MAX = 100
DESCRIPTION_MAX = 2000
REASON_MAX = 300
POSTINGS_MAX = 20
# statuses that hold a date+slot request of an employer at a school (a second one is refused)
LIVE_STATUSES = (SessionStatus.PENDING, SessionStatus.SCHEDULED)


def min_lead_days() -> int:
    """宣讲会 are requested at least this many days ahead (settings.INFOSESSION_MIN_LEAD_DAYS)."""
    return int(getattr(settings, "INFOSESSION_MIN_LEAD_DAYS", 2))


def _today() -> date:
    return timezone.localdate()


def session_starts(session: InfoSession) -> datetime | None:
    return session.starts_at or slot_starts_at(session.date, session.slot)


def session_ends(session: InfoSession) -> datetime | None:
    return slot_ends_at(session.date, session.slot)


def when_label(session: InfoSession) -> str:
    """"2026-12-10 14:00–15:30": the date and the slot's times, as every page and message says it."""
    return f"{session.date:%Y-%m-%d} {slot_label(session.slot)}"


# ---------------------------------------------------------------- who acts


def _school_staff(actor, school_id: int | None = None) -> None:
    """School staff (学校管理员) of `school_id`; everybody else is refused."""
    if actor is None or not actor.is_authenticated or actor.role != Role.SCHOOL_STAFF:
        raise Forbidden("只有学校管理员可以办理")
    if school_id is not None and actor.school_id != school_id:
        raise Forbidden("只能办理本校的宣讲会")


_employer_of = acting_employer


def graduate_of(actor) -> Graduate:
    return acting_graduate(actor, refusal="只有毕业生可以报名宣讲会", only=ATTENDEE_COLUMNS)


def _text(value, *, field: str, label: str, max_len: int, required: bool = True) -> str:
    text = (str(value) if value is not None else "").strip()
    if required and not text:
        raise DomainError(f"请填写{label}", code="required", fields={field: f"请填写{label}"})
    if len(text) > max_len:
        message = f"{label}不超过{max_len}个字（当前{len(text)}个字）"
        raise DomainError(message, code="too_long", fields={field: message})
    return text


def _int(value, *, field: str, label: str, low: int, high: int, required: bool = True) -> int | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            raise DomainError(f"请填写{label}", code="required", fields={field: f"请填写{label}"})
        return None
    if not text.isdigit() or not (low <= int(text) <= high):
        message = f"{label}应为{low}–{high}之间的整数"
        raise DomainError(message, code="out_of_range", fields={field: message})
    return int(text)


# ---------------------------------------------------------------- rooms (场地)


def _room_name_taken(school_id: int, name: str, exclude_pk=None) -> None:
    qs = Room.objects.filter(school_id=school_id, name=name)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if qs.exists():
        message = f"本校已有名为“{name}”的场地"
        raise DomainError(message, code="room_name_taken", fields={"name": message})


def _save_room(room: Room, **kwargs) -> None:
    """Save in a savepoint: two staff adding the same name at once get the same refusal."""
    try:
        with transaction.atomic():
            room.save(**kwargs)
    except IntegrityError:
        _room_name_taken(room.school_id, room.name, exclude_pk=room.pk)
        raise


def room_create(*, actor, name, capacity) -> Room:
    """A school's staff add a room (教室 / 报告厅) for 宣讲会: name unique in the school."""
    _school_staff(actor)
    name = _text(name, field="name", label="场地名称", max_len=ROOM_NAME_MAX)
    capacity = _int(capacity, field="capacity", label="容纳人数", low=1, high=ROOM_CAPACITY_MAX)
    _room_name_taken(actor.school_id, name)
    with transaction.atomic():
        room = Room(school_id=actor.school_id, name=name, capacity=capacity)
        _save_room(room)
        audit_record(actor=actor, action="infosession.room_create", summary=f"新增宣讲会场地“{name}”（{capacity}人）",
                     target=room, school_id=room.school_id,
                     changes={"场地名称": ["", name], "容纳人数": ["", str(capacity)]})
    return room


def room_update(*, actor, room: Room, name, capacity, active: bool | None = None) -> Room:
    """Rename / resize (sessions already scheduled keep the capacity they were given) or put
    a room back in use."""
    _school_staff(actor, room.school_id)
    name = _text(name, field="name", label="场地名称", max_len=ROOM_NAME_MAX)
    capacity = _int(capacity, field="capacity", label="容纳人数", low=1, high=ROOM_CAPACITY_MAX)
    _room_name_taken(room.school_id, name, exclude_pk=room.pk)
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        before = {"场地名称": locked.name, "容纳人数": str(locked.capacity), "可用": "是" if locked.active else "否"}
        locked.name, locked.capacity = name, capacity
        if active is not None:
            locked.active = bool(active)
        _save_room(locked)
        after = {"场地名称": locked.name, "容纳人数": str(locked.capacity), "可用": "是" if locked.active else "否"}
        changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
        audit_record(actor=actor, action="infosession.room_update", summary=f"修改宣讲会场地“{locked.name}”",
                     target=locked, school_id=locked.school_id, changes=changes)
    return locked


def room_deactivate(*, actor, room: Room) -> Room:
    """The room is no longer offered for new allocations (sessions already in it stay)."""
    _school_staff(actor, room.school_id)
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        if not locked.active:
            raise DomainError("该场地已停用", code="room_inactive")
        locked.active = False
        locked.save(update_fields=["active"])
        audit_record(actor=actor, action="infosession.room_deactivate", summary=f"停用宣讲会场地“{locked.name}”",
                     target=locked, school_id=locked.school_id, changes={"可用": ["是", "否"]})
    return locked


# ---------------------------------------------------------------- the employer's request


def _parse_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        return None


def request_date_refusal(day: date | None) -> str:
    """'' when `day` may be requested; the lead days come from the setting the form shows."""
    if day is None:
        return "请选择日期"
    lead = min_lead_days()
    if day < _today() + timedelta(days=lead):
        return f"宣讲会需至少提前{lead}天申请"
    if day > _today() + timedelta(days=MAX_LEAD_DAYS):
        return f"只能申请{MAX_LEAD_DAYS}天以内的宣讲会"
    return ""


def session_request(*, actor, school_id, date, slot, audience, topic, description="", expected_size=None,
                    contact_name, contact_phone, posting_ids=()) -> InfoSession:
    """An employer user asks a school for a 宣讲会 on a date and slot. The employer must be
    allowed in the school's channel (the rule postings use); postings named are its own
    published ones."""
    employer = _employer_of(actor)
    school = School.objects.filter(pk=_id_or_none(school_id)).first() if _id_or_none(school_id) else None
    if school is None:
        raise DomainError("请选择院校", code="required", fields={"school": "请选择院校"})
    refusal = employer_channel_refusal(employer, school)
    if refusal:
        raise DomainError(refusal.replace("发布职位", "申请宣讲会"), code="channel_refused", fields={"school": refusal})
    day = _parse_date(date)
    refusal = request_date_refusal(day)
    if refusal:
        raise DomainError(refusal, code="bad_date", fields={"date": refusal})
    if slot not in BY_CODE:
        raise DomainError("请选择时段", code="bad_slot", fields={"slot": "请选择时段"})
    if audience not in Audience.values:
        raise DomainError("请选择面向对象", code="bad_audience", fields={"audience": "请选择面向对象"})
    topic = _text(topic, field="topic", label="宣讲主题", max_len=TOPIC_MAX)
    description = _text(description, field="description", label="内容介绍", max_len=DESCRIPTION_MAX, required=False)
    expected = _int(expected_size, field="expected_size", label="预计人数", low=1, high=ROOM_CAPACITY_MAX,
                    required=False)
    contact_name = _text(contact_name, field="contact_name", label="联系人", max_len=50)
    phone = normalise(contact_phone)
    if not phone:
        raise DomainError("请填写联系电话", code="required", fields={"contact_phone": "请填写联系电话"})
    if not (MOBILE.match(phone) or LANDLINE.match(phone)):
        message = "请输入正确的手机号码或固定电话"
        raise DomainError(message, code="bad_phone", fields={"contact_phone": message})
    ids = sorted({i for i in (_id_or_none(p) for p in (posting_ids or ())) if i})
    if len(ids) > POSTINGS_MAX:
        message = f"最多选择{POSTINGS_MAX}个职位"
        raise DomainError(message, code="too_many_postings", fields={"posting_ids": message})
    postings = list(Posting.objects.filter(pk__in=ids, employer=employer, status=PostingStatus.PUBLISHED))
    if len(postings) != len(ids):
        message = "只能选择本单位已发布的职位"
        raise DomainError(message, code="bad_postings", fields={"posting_ids": message})
    with transaction.atomic():
        duplicate = (InfoSession.objects.select_for_update()
                     .filter(employer=employer, school=school, date=day, slot=slot, status__in=LIVE_STATUSES).first())
        if duplicate is not None:
            message = f"本单位已申请该时段的宣讲会（{duplicate.get_status_display()}），请勿重复申请"
            raise DomainError(message, code="duplicate_request", fields={"slot": message})
        session = InfoSession.objects.create(
            employer=employer, school=school, date=day, slot=slot, audience=audience, topic=topic,
            description=description, expected_size=expected, contact_name=contact_name, contact_phone=phone,
            requested_by=actor,
        )
        if postings:
            session.postings.set(postings)
        audit_record(actor=actor, action="infosession.request",
                     summary=f"{employer.name}申请宣讲会“{topic}”（{when_label(session)}）", target=session,
                     school_id=school.pk,
                     changes={"状态": ["", SessionStatus.PENDING.label], "时间": ["", when_label(session)],
                              "联系人": ["", contact_name], "联系电话": ["", mask_phone(phone)]})
    return session


def _id_or_none(value) -> int | None:
    value = getattr(value, "pk", value)
    text = str(value).strip() if value is not None else ""
    if not text.isdigit() or len(text) > 18:
        return None
    return int(text) or None


# ---------------------------------------------------------------- the school decides


def _locked(session: InfoSession) -> InfoSession:
    return (InfoSession.objects.select_for_update(of=("self",)).select_related("school", "employer", "room")
            .get(pk=session.pk))


def _copy_back(session: InfoSession, locked: InfoSession) -> InfoSession:
    for field in ("status", "room_id", "capacity", "reason", "decided_by_id", "decided_at", "signup_count"):
        setattr(session, field, getattr(locked, field))
    if locked.room_id:
        session.room = locked.room
    return session


def _tell_employer(session: InfoSession, title: str) -> None:
    from apps.infosessions.presenters import session_state
    from apps.notifications.services import notify

    state = session_state(session, viewer_role=Role.EMPLOYER)
    notify(kind="session.decision", employer=session.employer, title=title, body=state.text,
           link=reverse("employer-session", args=[session.pk]))


def _tell_signed_up(session: InfoSession, reason: str) -> int:
    """`session.cancelled` to every graduate signed up (bodies carry no personal number)."""
    from apps.notifications.services import notify

    sent = 0
    signups = SessionSignup.objects.filter(session=session).select_related("graduate").order_by("id")
    for signup in signups.iterator(chunk_size=500):
        notify(kind="session.cancelled", graduate=signup.graduate, title=f"宣讲会已取消：{session.topic}",
               body=f"原定于{when_label(session)}举行的{session.employer.name}宣讲会已取消。原因：{reason}",
               link=reverse("session", args=[session.pk]))
        sent += 1
    return sent


def room_taken_message(other: InfoSession, room: Room) -> str:
    return (f"{room.name}在{when_label(other)}已安排了{other.employer.name}的宣讲会“{other.topic}”，"
            f"请选择其他场地")


def _room_taken(session: InfoSession, room: Room) -> None:
    other = (InfoSession.objects.select_related("employer")
             .filter(room=room, date=session.date, slot=session.slot, status=SessionStatus.SCHEDULED)
             .exclude(pk=session.pk).first())
    if other is not None:
        message = room_taken_message(other, room)
        raise DomainError(message, code="room_taken", fields={"room": message})


def allocation_warning(session: InfoSession, room: Room) -> str:
    """Allowed but said: a room smaller than the employer expects."""
    if session.expected_size and room.capacity < session.expected_size:
        return f"{room.name}容纳{room.capacity}人，少于单位预计的{session.expected_size}人，报名满额后将不能再报名"
    return ""


def session_allocate(*, actor, session: InfoSession, room_id) -> InfoSession:
    """The school gives a pending request a room for its date and slot. A room already taken
    in that date+slot is refused naming the session there; the partial unique constraint
    (session_room_slot_unique) is the last word when two staff race for one room."""
    _school_staff(actor, session.school_id)
    room = Room.objects.filter(pk=_id_or_none(room_id), school_id=session.school_id).first() if _id_or_none(
        room_id) else None
    if room is None:
        raise DomainError("请选择本校的场地", code="bad_room", fields={"room": "请选择本校的场地"})
    if not room.active:
        raise DomainError(f"{room.name}已停用，请选择其他场地", code="room_inactive", fields={"room": "该场地已停用"})
    with transaction.atomic():
        locked = _locked(session)
        if locked.status != SessionStatus.PENDING:
            raise DomainError(f"该宣讲会{locked.get_status_display()}，不能安排场地", code="not_pending")
        if (session_starts(locked) or timezone.now()) <= timezone.now():
            raise DomainError("宣讲会时间已过，不能再安排场地", code="past")
        _room_taken(locked, room)
        locked.status, locked.room, locked.capacity = SessionStatus.SCHEDULED, room, room.capacity
        locked.decided_by, locked.decided_at = actor, timezone.now()
        try:
            with transaction.atomic():
                locked.save(update_fields=["status", "room", "capacity", "decided_by", "decided_at", "updated_at"])
        except IntegrityError:
            # another allocation committed between the check and the save: same answer as the check
            _room_taken(locked, room)
            raise
        audit_record(actor=actor, action="infosession.allocate",
                     summary=f"安排宣讲会“{locked.topic}”：{room.name}，{when_label(locked)}", target=locked,
                     school_id=locked.school_id,
                     changes={"状态": [SessionStatus.PENDING.label, SessionStatus.SCHEDULED.label],
                              "场地": ["", room.name], "容纳人数": ["", str(room.capacity)]})
        _tell_employer(locked, f"宣讲会已安排：{locked.topic}")
    return _copy_back(session, locked)


def session_reject(*, actor, session: InfoSession, reason) -> InfoSession:
    _school_staff(actor, session.school_id)
    reason = _text(reason, field="reason", label="驳回原因", max_len=REASON_MAX)
    with transaction.atomic():
        locked = _locked(session)
        if locked.status != SessionStatus.PENDING:
            raise DomainError(f"该宣讲会{locked.get_status_display()}，不能驳回", code="not_pending")
        locked.status, locked.reason = SessionStatus.REJECTED, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        audit_record(actor=actor, action="infosession.reject", summary=f"驳回宣讲会申请“{locked.topic}”",
                     target=locked, school_id=locked.school_id,
                     changes={"状态": [SessionStatus.PENDING.label, SessionStatus.REJECTED.label],
                              "驳回原因": ["", reason]})
        _tell_employer(locked, f"宣讲会申请未通过：{locked.topic}")
    return _copy_back(session, locked)


def session_cancel(*, actor, session: InfoSession, reason) -> InfoSession:
    """The school calls off a scheduled session before it starts: the room and slot are free
    again, signed-up graduates and the employer are told."""
    _school_staff(actor, session.school_id)
    reason = _text(reason, field="reason", label="取消原因", max_len=REASON_MAX)
    with transaction.atomic():
        locked = _locked(session)
        if locked.status != SessionStatus.SCHEDULED:
            raise DomainError(f"该宣讲会{locked.get_status_display()}，不能取消", code="not_scheduled")
        if (session_starts(locked) or timezone.now()) <= timezone.now():
            raise DomainError("宣讲会已开始，不能取消", code="started")
        locked.status, locked.reason = SessionStatus.CANCELLED, reason
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        audit_record(actor=actor, action="infosession.cancel", summary=f"取消宣讲会“{locked.topic}”",
                     target=locked, school_id=locked.school_id,
                     changes={"状态": [SessionStatus.SCHEDULED.label, SessionStatus.CANCELLED.label],
                              "取消原因": ["", reason]})
        _tell_employer(locked, f"宣讲会已取消：{locked.topic}")
        _tell_signed_up(locked, reason)
    return _copy_back(session, locked)


def session_withdraw(*, actor, session: InfoSession) -> InfoSession:
    """The employer withdraws its own request, pending or scheduled, before it starts; signed-up
    graduates are told."""
    employer = _employer_of(actor)
    if session.employer_id != employer.pk:
        raise Forbidden("只能撤回本单位的宣讲会")
    with transaction.atomic():
        locked = _locked(session)
        if locked.status not in LIVE_STATUSES:
            raise DomainError(f"该宣讲会{locked.get_status_display()}，不能撤回", code="not_live")
        if (session_starts(locked) or timezone.now()) <= timezone.now():
            raise DomainError("宣讲会已开始，不能撤回", code="started")
        before = locked.get_status_display()
        was_scheduled = locked.status == SessionStatus.SCHEDULED
        locked.status = SessionStatus.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="infosession.withdraw", summary=f"{employer.name}撤回宣讲会“{locked.topic}”",
                     target=locked, school_id=locked.school_id,
                     changes={"状态": [before, SessionStatus.WITHDRAWN.label]})
        if was_scheduled:
            _tell_signed_up(locked, "用人单位已撤回")
    return _copy_back(session, locked)


# ---------------------------------------------------------------- graduates sign up


def signup_refusal(session: InfoSession, graduate: Graduate, *, now: datetime | None = None) -> str:
    """'' when the graduate may sign up (seats aside); the page and the service both ask."""
    refusal = attendance_refusal(session, graduate)
    if refusal:
        return refusal
    if session.status != SessionStatus.SCHEDULED:
        return "该宣讲会不在报名中"
    if (session_starts(session) or timezone.now()) <= (now or timezone.now()):
        return "宣讲会已开始，报名已结束"
    return ""


def session_signup(*, actor, session: InfoSession) -> SessionSignup:
    """A graduate takes a seat. The seat is counted first by one conditional UPDATE (never more
    sign-ups than the capacity, whatever runs at once); a second sign-up by the same graduate
    hits the unique constraint and gives its seat back."""
    graduate = graduate_of(actor)
    session = InfoSession.objects.select_related("school", "employer").get(pk=session.pk)
    refusal = signup_refusal(session, graduate)
    if refusal:
        raise DomainError(refusal, code="not_open")
    if SessionSignup.objects.filter(session=session, graduate=graduate).exists():
        raise DomainError("你已报名该宣讲会", code="already_signed_up")
    with transaction.atomic():
        taken = (InfoSession.objects.filter(pk=session.pk, status=SessionStatus.SCHEDULED,
                                            signup_count__lt=F("capacity"))
                 .update(signup_count=F("signup_count") + 1))
        if taken != 1:
            now = InfoSession.objects.only("status", "capacity").get(pk=session.pk)
            if now.status != SessionStatus.SCHEDULED:  # cancelled or withdrawn meanwhile
                raise DomainError("该宣讲会不在报名中", code="not_open")
            raise DomainError(f"报名人数已满（{now.capacity}人），不能再报名", code="full")
        try:
            with transaction.atomic():
                signup = SessionSignup.objects.create(session=session, graduate=graduate)
        except IntegrityError:
            InfoSession.objects.filter(pk=session.pk).update(signup_count=F("signup_count") - 1)
            raise DomainError("你已报名该宣讲会", code="already_signed_up") from None
        audit_record(actor=actor, action="infosession.signup", summary=f"报名宣讲会“{session.topic}”",
                     target=session, school_id=graduate.school_id, college_id=graduate.college_id,
                     graduate_id=graduate.pk, changes={"宣讲会报名": ["", "已报名"]})
    return signup


def session_signup_cancel(*, actor, session: InfoSession) -> None:
    """The graduate gives the seat back before the session starts."""
    graduate = graduate_of(actor)
    session = InfoSession.objects.select_related("school", "employer").get(pk=session.pk)
    if (session_starts(session) or timezone.now()) <= timezone.now():
        raise DomainError("宣讲会已开始，不能取消报名", code="started")
    if SessionCheckIn.objects.filter(session=session, graduate=graduate).exists():
        raise DomainError("你已在现场签到，不能取消报名", code="checked_in")
    with transaction.atomic():
        deleted, _ = SessionSignup.objects.filter(session=session, graduate=graduate).delete()
        if not deleted:
            raise DomainError("你未报名该宣讲会", code="not_signed_up")
        InfoSession.objects.filter(pk=session.pk, signup_count__gt=0).update(signup_count=F("signup_count") - 1)
        audit_record(actor=actor, action="infosession.signup_cancel", summary=f"取消报名宣讲会“{session.topic}”",
                     target=session, school_id=graduate.school_id, college_id=graduate.college_id,
                     graduate_id=graduate.pk, changes={"宣讲会报名": ["已报名", "已取消"]})


def session_signup_toggle(*, actor, session: InfoSession, signup: bool | None = None) -> bool:
    """报名 / 取消报名: `signup` says which (a page form sends it, so a double submit does not
    undo itself); None flips. Returns whether the graduate is signed up afterwards."""
    if signup is None:
        graduate = graduate_of(actor)
        signup = not SessionSignup.objects.filter(session_id=session.pk, graduate=graduate).exists()
    if signup:
        session_signup(actor=actor, session=session)
        return True
    session_signup_cancel(actor=actor, session=session)
    return False


# ---------------------------------------------------------------- reminders


def send_session_reminders(now: datetime | None = None) -> int:
    """提醒: the day before a session, each signed-up graduate once. Each sign-up is claimed by a
    conditional UPDATE of `reminded_at` in the transaction that stores the notification, so two
    runs (or a re-run after a crash) never send twice. Returns how many were sent."""
    now = now or timezone.now()
    tomorrow = timezone.localdate(now) + timedelta(days=1)
    due = (SessionSignup.objects.filter(reminded_at__isnull=True, session__status=SessionStatus.SCHEDULED,
                                        session__date=tomorrow)
           .select_related("session", "session__employer", "session__room", "graduate").order_by("id"))
    sent = 0
    for signup in due.iterator(chunk_size=500):
        session = signup.session
        with transaction.atomic():
            if SessionSignup.objects.filter(pk=signup.pk, reminded_at__isnull=True).update(reminded_at=now) != 1:
                continue
            from apps.notifications.services import notify

            notify(kind="session.reminder", graduate=signup.graduate, title=f"明天宣讲会：{session.topic}",
                   body=f"{session.employer.name}宣讲会将于{when_label(session)}在"
                        f"{session.room.name if session.room_id else '学校安排的场地'}举行，请准时参加。",
                   link=reverse("session", args=[session.pk]))
            sent += 1
    return sent
