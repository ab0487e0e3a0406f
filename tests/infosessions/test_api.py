"""The 宣讲会 API: each role's endpoints with `state`, refusals in the one error shape."""

from __future__ import annotations

import pytest

from apps.infosessions.models import InfoSession, Room, SessionStatus
from tests import factories as f
from tests.infosessions.conftest import future_day

pytestmark = pytest.mark.django_db


def test_employer_requests_school_allocates_graduate_signs_up(world, api_client, room):
    api_client.login_as(world.employer_user)
    r = api_client.post("/infosessions/employer/sessions", {
        "school_id": world.school.pk, "date": future_day().isoformat(), "slot": "am2", "audience": "school",
        "topic": "春季招聘宣讲", "contact_name": "王经理", "contact_phone": "13900001111", "expected_size": 2})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"]["title"] == "待安排" and body["state"]["actions"][0]["code"] == "withdraw"
    session_id = body["id"]

    api_client.login_as(world.school_admin)
    queue = api_client.get("/infosessions/staff/sessions").json()
    assert [i["id"] for i in queue["items"]] == [session_id]
    detail = api_client.get(f"/infosessions/staff/sessions/{session_id}").json()
    assert [c["room"]["id"] for c in detail["rooms"] if c["free"]] == [room.pk]
    r = api_client.post(f"/infosessions/staff/sessions/{session_id}/allocate", {"room_id": room.pk})
    assert r.status_code == 200, r.content
    assert r.json()["session"]["state"]["title"] == "已安排"

    api_client.login_as(world.graduate_user)
    listed = api_client.get("/infosessions/open").json()
    assert listed["items"][0]["seats_left"] == 3 and listed["items"][0]["signed_up"] is False
    r = api_client.post(f"/infosessions/open/{session_id}/signup")
    assert r.status_code == 200, r.content
    assert r.json()["seats_left"] == 2 and r.json()["signed_up"] is True
    assert r.json()["contact_phone"] is None  # the employer's contact is not the graduate's business
    assert r.json()["state"]["actions"][0]["code"] == "cancel_signup"
    r = api_client.delete(f"/infosessions/open/{session_id}/signup")
    assert r.json()["seats_left"] == 3


def test_graduate_of_another_school_neither_sees_nor_signs_up(world, api_client, scheduled):
    api_client.login_as(world.stranger_user)
    assert api_client.get("/infosessions/open").json()["items"] == []
    assert api_client.get(f"/infosessions/open/{scheduled.pk}").status_code == 404
    assert api_client.post(f"/infosessions/open/{scheduled.pk}/signup").status_code == 404


def test_full_session_refused_in_error_shape(world, api_client, scheduled):
    InfoSession.objects.filter(pk=scheduled.pk).update(signup_count=3)
    api_client.login_as(world.graduate_user)
    r = api_client.post(f"/infosessions/open/{scheduled.pk}/signup")
    assert r.status_code == 400
    assert "已满" in r.json()["error"]["message"]


def test_double_booking_refused_over_api(world, api_client, room, scheduled, request_session):
    other = f.make_employer(credit_code="91340100MA2N0XXX02", name="芜湖别家有限公司")
    second = request_session(actor=f.make_staff("employer", employer=other, username="employer-2"))
    api_client.login_as(world.school_admin)
    detail = api_client.get(f"/infosessions/staff/sessions/{second.pk}").json()
    taken = [c for c in detail["rooms"] if c["room"]["id"] == room.pk][0]
    assert taken["free"] is False and scheduled.topic in taken["taken_by"]
    r = api_client.post(f"/infosessions/staff/sessions/{second.pk}/allocate", {"room_id": room.pk})
    assert r.status_code == 400 and "请选择其他场地" in r.json()["error"]["message"]
    assert InfoSession.objects.get(pk=second.pk).status == SessionStatus.PENDING


def test_rooms_api(world, api_client):
    api_client.login_as(world.school_admin)
    r = api_client.post("/infosessions/staff/rooms", {"name": "报告厅A", "capacity": 300})
    assert r.status_code == 201
    room_id = r.json()["id"]
    assert api_client.post("/infosessions/staff/rooms", {"name": "报告厅A", "capacity": 3}).status_code == 400
    assert api_client.put(f"/infosessions/staff/rooms/{room_id}", {"name": "报告厅甲", "capacity": 280}).json()[
        "capacity"] == 280
    assert api_client.post(f"/infosessions/staff/rooms/{room_id}/deactivate").json()["active"] is False
    api_client.login_as(world.province_admin)
    assert [r["id"] for r in api_client.get("/infosessions/staff/rooms").json()] == [room_id]
    assert api_client.post("/infosessions/staff/rooms", {"name": "省里", "capacity": 3}).status_code == 403
    api_client.login_as(world.other_school_admin)
    assert api_client.post(f"/infosessions/staff/rooms/{room_id}/deactivate").status_code == 404
    assert Room.objects.count() == 1


def test_week_grid_marks_the_taken_slot(world, api_client, room, scheduled):
    api_client.login_as(world.school_admin)
    body = api_client.get("/infosessions/staff/week", start=scheduled.date.isoformat()).json()
    taken = [c for row in body["rows"] for c in row["cells"] if c["session_id"]]
    assert taken == [{"date": scheduled.date.isoformat(), "slot": "pm1", "session_id": scheduled.pk,
                      "topic": scheduled.topic}]


def test_reject_and_cancel_and_withdraw(world, api_client, room, request_session, scheduled):
    pending = request_session(slot="ev")
    api_client.login_as(world.school_admin)
    assert api_client.post(f"/infosessions/staff/sessions/{pending.pk}/reject", {"reason": ""}).status_code == 400
    r = api_client.post(f"/infosessions/staff/sessions/{pending.pk}/reject", {"reason": "时段冲突"})
    assert r.json()["session"]["state"]["title"] == "已驳回"
    r = api_client.post(f"/infosessions/staff/sessions/{scheduled.pk}/cancel", {"reason": "停电"})
    assert r.json()["session"]["state"]["title"] == "已取消"
    third = request_session(slot="am1")
    api_client.login_as(world.employer_user)
    r = api_client.post(f"/infosessions/employer/sessions/{third.pk}/withdraw")
    assert r.json()["state"]["title"] == "已撤回"
    assert [i["id"] for i in api_client.get("/infosessions/employer/sessions").json()["items"]] == [
        third.pk, pending.pk, scheduled.pk]


def test_request_refusal_over_api(world, api_client):
    api_client.login_as(world.employer_user)
    r = api_client.post("/infosessions/employer/sessions", {
        "school_id": world.school.pk, "date": future_day(1).isoformat(), "slot": "am2", "topic": "宣讲",
        "contact_name": "王经理", "contact_phone": "13900001111"})
    assert r.status_code == 400 and "提前" in r.json()["error"]["message"]
    assert not InfoSession.objects.exists()
