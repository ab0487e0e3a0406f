"""JSON API of 宣讲会 (mounted at /api/v1/infosessions/): school staff manage rooms and decide
requests (province staff read), employers request / withdraw / list their own, graduates list,
read and sign up. The pages and these endpoints share the services and the presenter (`state`)."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Router, Schema, Status

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.pagination import BodyId, PageNumber, PageSize, api_page_bounds
from apps.fairs.selectors_checkin import checked_in_session_ids
from apps.infosessions import services
from apps.infosessions.models import InfoSession, Room, SessionStatus
from apps.infosessions.presenters import session_state
from apps.infosessions.selectors import (
    ALL_STATUSES,
    QueueFilters,
    is_signed_up,
    room_get,
    room_week_grid,
    rooms_for_slot,
    rooms_of,
    session_for_graduate,
    session_get,
    sessions_of_employer,
    sessions_open_to,
    sessions_queue,
    signed_up_ids,
    week_start,
)
from apps.infosessions.slots import SLOTS

router = Router(tags=["宣讲会"], auth=AUTH)
READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


class InfoSessionAction(Schema):
    code: str
    label: str
    url: str
    method: str


class InfoSessionState(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[InfoSessionAction]


class InfoSessionRoomOut(Schema):
    id: int
    school_id: int
    name: str
    capacity: int
    active: bool


class InfoSessionRoomIn(Schema):
    name: str = ""
    capacity: int | str = ""
    active: bool | None = None


class InfoSessionPostingRef(Schema):
    id: int
    title: str


class InfoSessionOut(Schema):
    id: int
    employer_id: int
    employer_name: str
    school_id: int
    school_name: str
    date: date
    slot: str
    slot_label: str
    starts_at: datetime | None
    audience: str
    audience_label: str
    topic: str
    description: str | None = None
    expected_size: int | None = None
    status: str
    status_label: str
    room_id: int | None
    room_name: str
    capacity: int
    signup_count: int
    seats_left: int
    reason: str
    signed_up: bool | None = None
    contact_name: str | None = None
    contact_phone: str | None = None
    postings: list[InfoSessionPostingRef] | None = None
    state: InfoSessionState


class InfoSessionPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[InfoSessionOut]


class InfoSessionRequestIn(Schema):
    school_id: BodyId
    date: str
    slot: str
    audience: str = "school"
    topic: str = ""
    description: str = ""
    expected_size: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    posting_ids: list[BodyId] = []


class InfoSessionAllocateIn(Schema):
    room_id: BodyId


class InfoSessionReasonIn(Schema):
    reason: str = ""


class InfoSessionRoomChoiceOut(Schema):
    room: InfoSessionRoomOut
    free: bool
    below_expected: bool
    taken_by_session_id: int | None
    taken_by: str


class InfoSessionStaffOut(Schema):
    session: InfoSessionOut
    rooms: list[InfoSessionRoomChoiceOut]


class InfoSessionSlotOut(Schema):
    code: str
    label: str


class InfoSessionGridCell(Schema):
    date: date
    slot: str
    session_id: int | None
    topic: str


class InfoSessionGridRow(Schema):
    room: InfoSessionRoomOut
    cells: list[InfoSessionGridCell]


class InfoSessionWeekOut(Schema):
    start: date
    slots: list[InfoSessionSlotOut]
    rows: list[InfoSessionGridRow]


def _room(r: Room) -> dict:
    return {"id": r.pk, "school_id": r.school_id, "name": r.name, "capacity": r.capacity, "active": r.active}


def _out(s: InfoSession, *, user, detail: bool = False, signed_up: bool | None = None,
         checked_in: bool = False) -> dict:
    body = {
        "id": s.pk, "employer_id": s.employer_id, "employer_name": s.employer.name, "school_id": s.school_id,
        "school_name": s.school.name, "date": s.date, "slot": s.slot, "slot_label": s.slot_label,
        "starts_at": s.starts_at, "audience": s.audience, "audience_label": s.get_audience_display(),
        "topic": s.topic, "expected_size": s.expected_size, "status": s.status,
        "status_label": s.get_status_display(), "room_id": s.room_id, "room_name": s.room.name if s.room_id else "",
        "capacity": s.capacity, "signup_count": s.signup_count, "seats_left": s.seats_left, "reason": s.reason,
        "signed_up": signed_up,
        "state": session_state(s, viewer_role=user.role, signed_up=signed_up, actor=user,
                               checked_in=checked_in).as_dict(),
    }
    if detail:
        body["description"] = s.description
        body["postings"] = [{"id": p.pk, "title": p.title} for p in s.postings.all()]
        if user.role != Role.GRADUATE:  # the employer's contact is for the school and the employer
            body["contact_name"], body["contact_phone"] = s.contact_name, s.contact_phone
    return body


def _page(qs, *, page: int, page_size: int, user, signed=None, checked=None) -> dict:
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(qs, page=page, page_size=page_size, count=signed is None)
    mine = signed(listed) if signed else None
    done = checked(listed) if checked else set()
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size,
            "items": [_out(s, user=user, signed_up=(s.pk in mine) if mine is not None else None,
                           checked_in=s.pk in done) for s in listed]}


# ------------------------------------------------------------------ staff


@router.get("/staff/rooms", response=list[InfoSessionRoomOut], summary="宣讲会场地（学校管理员本校；省级只读）")
def list_rooms(request):
    require_role(request.user, READERS)
    return [_room(r) for r in rooms_of(actor=request.user)[:500]]


@router.post("/staff/rooms", response={201: InfoSessionRoomOut}, summary="学校管理员新增场地：name、capacity（1–5000）")
def create_room(request, payload: InfoSessionRoomIn):
    room = services.room_create(actor=request.user, name=payload.name, capacity=payload.capacity)
    return Status(201, _room(room))


@router.put("/staff/rooms/{room_id}", response=InfoSessionRoomOut, summary="修改场地名称、容纳人数，active=true 重新启用")
def update_room(request, room_id: int, payload: InfoSessionRoomIn):
    require_role(request.user, READERS)
    room = room_get(actor=request.user, pk=room_id)
    room = services.room_update(actor=request.user, room=room, name=payload.name, capacity=payload.capacity,
                                active=True if payload.active else None)
    return _room(room)


@router.post("/staff/rooms/{room_id}/deactivate", response=InfoSessionRoomOut, summary="停用场地（已安排的宣讲会不受影响）")
def deactivate_room(request, room_id: int):
    require_role(request.user, READERS)
    room = services.room_deactivate(actor=request.user, room=room_get(actor=request.user, pk=room_id))
    return _room(room)


@router.get("/staff/week", response=InfoSessionWeekOut, summary="学校管理员：一周内各场地各时段的占用情况（start 为该周任一天）")
def room_week(request, start: date | None = None):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    grid = room_week_grid(actor=request.user, start=week_start(start))
    rows = []
    for room, days in grid.rows:
        cells = [{"date": day, "slot": slot.code, "session_id": cell.pk if cell else None,
                  "topic": cell.topic if cell else ""}
                 for day, per_slot in zip(grid.days, days, strict=True)
                 for slot, cell in zip(grid.slots, per_slot, strict=True)]
        rows.append({"room": _room(room), "cells": cells})
    return {"start": grid.days[0], "slots": [{"code": s.code, "label": s.label} for s in SLOTS], "rows": rows}


@router.get("/staff/sessions", response=InfoSessionPage,
            summary="工作人员：宣讲会队列（status 默认 pending 待安排，all 全部；date_from、date_to 筛选日期）")
def list_session_requests(request, status: str = SessionStatus.PENDING, date_from: date | None = None,
                          date_to: date | None = None, page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, READERS)
    if status not in SessionStatus.values and status != ALL_STATUSES:
        status = SessionStatus.PENDING
    qs = sessions_queue(actor=request.user, filters=QueueFilters(status=status, date_from=date_from,
                                                                   date_to=date_to))
    return _page(qs, page=page, page_size=page_size, user=request.user)


def _staff_detail(request, session_id: int) -> dict:
    session = session_get(actor=request.user, pk=session_id)
    deciding = request.user.role == Role.SCHOOL_STAFF and session.status == SessionStatus.PENDING
    choices = rooms_for_slot(session) if deciding else []
    return {"session": _out(session, user=request.user, detail=True),
            "rooms": [{"room": _room(c.room), "free": c.free, "below_expected": c.small,
                       "taken_by_session_id": c.taken_by.pk if c.taken_by else None,
                       "taken_by": f"{c.taken_by.employer.name}：{c.taken_by.topic}" if c.taken_by else ""}
                      for c in choices]}


@router.get("/staff/sessions/{session_id}", response=InfoSessionStaffOut,
            summary="工作人员：宣讲会详情；待安排时附本校场地在该时段是否空闲")
def get_session_request(request, session_id: int):
    require_role(request.user, READERS)
    return _staff_detail(request, session_id)


@router.post("/staff/sessions/{session_id}/allocate", response=InfoSessionStaffOut,
             summary="学校管理员安排场地：room_id（同一场地同一时段只能安排一场）")
def allocate_session(request, session_id: int, payload: InfoSessionAllocateIn):
    require_role(request.user, READERS)
    session = session_get(actor=request.user, pk=session_id)
    services.session_allocate(actor=request.user, session=session, room_id=payload.room_id)
    return _staff_detail(request, session_id)


@router.post("/staff/sessions/{session_id}/reject", response=InfoSessionStaffOut, summary="学校管理员驳回申请：reason 必填")
def reject_session(request, session_id: int, payload: InfoSessionReasonIn):
    require_role(request.user, READERS)
    services.session_reject(actor=request.user, session=session_get(actor=request.user, pk=session_id),
                            reason=payload.reason)
    return _staff_detail(request, session_id)


@router.post("/staff/sessions/{session_id}/cancel", response=InfoSessionStaffOut,
             summary="学校管理员取消已安排的宣讲会：reason 必填，通知单位和已报名毕业生")
def cancel_session(request, session_id: int, payload: InfoSessionReasonIn):
    require_role(request.user, READERS)
    services.session_cancel(actor=request.user, session=session_get(actor=request.user, pk=session_id),
                            reason=payload.reason)
    return _staff_detail(request, session_id)


# ------------------------------------------------------------------ employers


@router.get("/employer/sessions", response=InfoSessionPage, summary="用人单位：本单位的宣讲会（最新申请在前）")
def my_sessions(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.EMPLOYER,))
    return _page(sessions_of_employer(actor=request.user), page=page, page_size=page_size, user=request.user)


@router.post("/employer/sessions", response={201: InfoSessionOut},
             summary="用人单位申请宣讲会：school_id、date（至少提前若干天）、slot（am1/am2/pm1/pm2/ev）、audience、topic 等")
def request_session(request, payload: InfoSessionRequestIn):
    session = services.session_request(
        actor=request.user, school_id=payload.school_id, date=payload.date, slot=payload.slot,
        audience=payload.audience, topic=payload.topic, description=payload.description,
        expected_size=payload.expected_size, contact_name=payload.contact_name, contact_phone=payload.contact_phone,
        posting_ids=payload.posting_ids)
    return Status(201, _out(session_get(actor=request.user, pk=session.pk), user=request.user, detail=True))


@router.get("/employer/sessions/{session_id}", response=InfoSessionOut, summary="用人单位：本单位的一场宣讲会")
def get_my_session(request, session_id: int):
    require_role(request.user, (Role.EMPLOYER,))
    return _out(session_get(actor=request.user, pk=session_id), user=request.user, detail=True)


@router.post("/employer/sessions/{session_id}/withdraw", response=InfoSessionOut, summary="用人单位撤回宣讲会（待安排或已安排、未开始）")
def withdraw_session(request, session_id: int):
    require_role(request.user, (Role.EMPLOYER,))
    session = session_get(actor=request.user, pk=session_id)
    services.session_withdraw(actor=request.user, session=session)
    return _out(session_get(actor=request.user, pk=session_id), user=request.user, detail=True)


# ------------------------------------------------------------------ graduates


@router.get("/open", response=InfoSessionPage, summary="毕业生：可报名的宣讲会（本校及全省开放，最近的在前）")
def list_open_sessions(request, page: PageNumber = 1, page_size: PageSize = 20):
    graduate = services.graduate_of(request.user)
    return _page(sessions_open_to(graduate), page=page, page_size=page_size, user=request.user,
                 signed=lambda listed: signed_up_ids(graduate, listed),
                 checked=lambda listed: checked_in_session_ids(graduate, [s.pk for s in listed]))


def _graduate_detail(request, session_id: int, *, graduate=None, session=None, signed_up: bool | None = None) -> dict:
    """The graduate's view of one session; a write endpoint passes what it already read."""
    graduate = graduate or services.graduate_of(request.user)
    session = session or session_for_graduate(graduate, session_id)
    return _out(session, user=request.user, detail=True,
                signed_up=is_signed_up(graduate, session) if signed_up is None else signed_up,
                checked_in=bool(checked_in_session_ids(graduate, [session.pk])))


@router.get("/open/{session_id}", response=InfoSessionOut, summary="毕业生：宣讲会详情（剩余名额、是否已报名）")
def get_open_session(request, session_id: int):
    return _graduate_detail(request, session_id)


@router.post("/open/{session_id}/signup", response=InfoSessionOut, summary="毕业生报名宣讲会（名额有限，报满即止）")
def signup_session(request, session_id: int):
    graduate = services.graduate_of(request.user)
    session = session_for_graduate(graduate, session_id)
    services.session_signup(actor=request.user, session=session)
    session.refresh_from_db(fields=["signup_count"])  # the seat just taken (and others' meanwhile)
    return _graduate_detail(request, session_id, graduate=graduate, session=session, signed_up=True)


@router.delete("/open/{session_id}/signup", response=InfoSessionOut, summary="毕业生取消报名（宣讲会开始前）")
def cancel_signup_session(request, session_id: int):
    graduate = services.graduate_of(request.user)
    session = session_for_graduate(graduate, session_id)
    services.session_signup_cancel(actor=request.user, session=session)
    session.refresh_from_db(fields=["signup_count"])
    return _graduate_detail(request, session_id, graduate=graduate, session=session, signed_up=False)
