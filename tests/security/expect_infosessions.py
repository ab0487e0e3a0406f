"""Permission-matrix entries for the 宣讲会 pages and API (see permission_expectations.py).

w.ids.infosession is a scheduled, school-only session of the employer persona at the owner's
school (room w.ids.session_room), the owner signed up; w.ids.pending_infosession a request of
the same employer waiting for a room. School staff of that school decide; province staff read;
another school's staff see their own (empty) lists; college staff have no access. Graduates of
the school read the session; a graduate of another school gets 404."""

from __future__ import annotations

from tests.security.permission_expectations import EMPLOYERS, GRADUATES, SCHOOL_ADMINS, Page, _p

MINE = frozenset({"employer"})
SCHOOL = frozenset({"owner", "peer"})
READERS = frozenset({"school_staff", "other_school_staff", "province_staff"})
IN_SCOPE = frozenset({"school_staff", "province_staff"})
DECIDER = frozenset({"school_staff"})

PAGES: dict = {
    "sessions": Page(GRADUATES),
    "session": Page(SCHOOL, {"pk": "infosession"}),
    "session-signup": Page(SCHOOL, {"pk": "infosession"}, post_only=True),
    "employer-sessions": Page(EMPLOYERS),
    "employer-session-new": Page(EMPLOYERS),
    "employer-session": Page(MINE, {"pk": "infosession"}),
    "employer-session-withdraw": Page(MINE, {"pk": "infosession"}, post_only=True),
    "staff-sessions": Page(READERS),
    "staff-rooms": Page(READERS),
    "staff-room-edit": Page(DECIDER, {"pk": "session_room"}, post_only=True),
    "staff-room-deactivate": Page(DECIDER, {"pk": "session_room"}, post_only=True),
    "staff-session": Page(IN_SCOPE, {"pk": "pending_infosession"}),
    "staff-session-decide": Page(DECIDER, {"pk": "pending_infosession"}, post_only=True),
}
API: dict = {
    "apps_infosessions_api_list_rooms": _p(READERS),
    "apps_infosessions_api_create_room": _p(SCHOOL_ADMINS),
    "apps_infosessions_api_update_room": _p(DECIDER, {"room_id": "session_room"}),
    "apps_infosessions_api_deactivate_room": _p(DECIDER, {"room_id": "session_room"}),
    "apps_infosessions_api_room_week": _p(SCHOOL_ADMINS),
    "apps_infosessions_api_list_session_requests": _p(READERS),
    "apps_infosessions_api_get_session_request": _p(IN_SCOPE, {"session_id": "pending_infosession"}),
    "apps_infosessions_api_allocate_session": _p(DECIDER, {"session_id": "pending_infosession"}),
    "apps_infosessions_api_reject_session": _p(DECIDER, {"session_id": "pending_infosession"}),
    "apps_infosessions_api_cancel_session": _p(DECIDER, {"session_id": "infosession"}),
    "apps_infosessions_api_my_sessions": _p(EMPLOYERS),
    "apps_infosessions_api_request_session": _p(EMPLOYERS),
    "apps_infosessions_api_get_my_session": _p(MINE, {"session_id": "infosession"}),
    "apps_infosessions_api_withdraw_session": _p(MINE, {"session_id": "infosession"}),
    "apps_infosessions_api_list_open_sessions": _p(GRADUATES),
    "apps_infosessions_api_get_open_session": _p(SCHOOL, {"session_id": "infosession"}),
    "apps_infosessions_api_signup_session": _p(SCHOOL, {"session_id": "infosession"}),
    "apps_infosessions_api_cancel_signup_session": _p(SCHOOL, {"session_id": "infosession"}),
}


def build(w, users) -> None:
    """A room, a scheduled session with the owner signed up and a pending request, all at the
    owner's school, through the services (so they look as the services leave them)."""
    from datetime import timedelta

    from django.utils import timezone

    from apps.infosessions import services

    school_id = users["owner"].graduate.school_id
    room = services.room_create(actor=users["school_staff"], name="第一报告厅", capacity=200)
    day = timezone.localdate() + timedelta(days=14)
    common = {"actor": users["employer"], "school_id": school_id, "date": day, "audience": "school",
              "description": "公司介绍与岗位说明", "expected_size": 100, "contact_name": "王经理",
              "contact_phone": "13900001111"}
    session = services.session_request(slot="pm1", topic="校园招聘宣讲会", **common)
    services.session_allocate(actor=users["school_staff"], session=session, room_id=room.pk)
    services.session_signup(actor=users["owner"], session=session)
    pending = services.session_request(slot="ev", topic="技术专场宣讲会", **common)
    w.ids.session_room = room.pk
    w.ids.infosession = session.pk
    w.ids.pending_infosession = pending.pk
