"""/api/v1/fairs/: staff publish, list, edit, cancel and decide; employers list, apply, withdraw
and follow their applications; graduates list, read a fair with its employers and register.
Every answer carries the presenter's `state`; refusals are the one error shape."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.fairs.models import BoothStatus, FairBooth
from tests import factories as f
from tests.fairs.conftest import apply, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(fairs_world):
    return lambda user: f.BearerApi(user)


def _local(dt) -> str:
    return f"{timezone.localtime(dt):%Y-%m-%dT%H:%M}"


def _body(**over):
    now = timezone.now()
    body = {"kind": "job_fair", "title": "冬季招聘会", "venue": "图书馆报告厅", "booth_count": 1,
            "audience": "school", "starts_at": _local(now + timedelta(days=8)),
            "ends_at": _local(now + timedelta(days=8, hours=3)), "apply_deadline": _local(now + timedelta(days=4)),
            "description": ""}
    body.update(over)
    return body


def test_staff_publish_list_and_waiting_list_through_the_api(fairs_world, as_user):
    w = fairs_world
    staff = as_user(w.school_admin)
    r = staff.post("/fairs/staff", _body())
    assert r.status_code == 201, r.json()
    fair = r.json()
    assert fair["state"]["title"] == "报名中" and fair["remaining_booths"] == 1
    fid = fair["id"]
    emp_a, emp_b = as_user(w.emp_a.user), as_user(w.emp_b.user)
    assert [x["id"] for x in emp_a.get("/fairs/employer").json()["items"]] == [fid]
    ra = emp_a.post(f"/fairs/employer/{fid}/booths", {"posting_ids": [w.emp_a.posting.pk], "contact_name": "王经理",
                                                       "contact_phone": "13900001111"})
    assert ra.status_code == 201 and ra.json()["state"]["title"] == "待审核"
    rb = emp_b.post(f"/fairs/employer/{fid}/booths", {"posting_ids": [w.emp_b.posting.pk], "contact_name": "李经理",
                                                       "contact_phone": "0551-62901234"})
    assert rb.status_code == 201
    pending = staff.get(f"/fairs/staff/{fid}/booths").json()
    assert [b["employer_name"] for b in pending["items"]] == ["甲公司有限公司", "乙公司有限公司"]
    assert [a["code"] for a in pending["items"][0]["state"]["actions"]] == ["approve", "reject"]
    first = staff.post(f"/fairs/staff/{fid}/booths/{ra.json()['id']}/decide", {"action": "approve"}).json()
    assert first["state"]["title"] == "已通过（展位号1）"
    second = staff.post(f"/fairs/staff/{fid}/booths/{rb.json()['id']}/decide", {"action": "approve"}).json()
    assert second["state"]["title"] == "候补中（第1位）"
    waiting = staff.get(f"/fairs/staff/{fid}/booths", status="waiting").json()
    assert waiting["items"][0]["state"]["title"] == "候补中（第1位）"
    assert staff.get(f"/fairs/staff/{fid}").json()["state"]["text"].endswith("1个展位已满，新的申请将进入候补。")
    out = emp_a.post(f"/fairs/employer/booths/{ra.json()['id']}/withdraw").json()
    assert out["state"]["title"] == "已撤回"
    mine = emp_b.get(f"/fairs/employer/{fid}").json()
    assert mine["booths"][0]["state"]["title"] == "已通过（展位号1）" and mine["apply_refusal"] == ""
    assert emp_b.get("/fairs/employer/booths").json()["items"][0]["status"] == BoothStatus.APPROVED


def test_staff_refusals_are_400_with_fields_and_change_nothing(fairs_world, as_user):
    w = fairs_world
    staff = as_user(w.school_admin)
    r = staff.post("/fairs/staff", _body(booth_count=0, title=""))
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) >= {"booth_count", "title"}
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    r = staff.post(f"/fairs/staff/{fair.pk}/booths/{booth.pk}/decide", {"action": "reject"})
    assert r.status_code == 400 and "reason" in r.json()["error"]["fields"]
    r = staff.post(f"/fairs/staff/{fair.pk}/cancel", {"reason": ""})
    assert r.status_code == 400
    r = staff.client.put(f"/api/v1/fairs/staff/{fair.pk}", json.dumps(_body(booth_count=3, title="改名的双选会")),
                         content_type="application/json", **staff.headers)
    assert r.status_code == 200 and r.json()["title"] == "改名的双选会" and r.json()["booth_count"] == 3
    booth.refresh_from_db()
    assert booth.status == BoothStatus.PENDING


def test_roles_and_scopes(fairs_world, as_user):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    assert as_user(w.province_admin).get(f"/fairs/staff/{fair.pk}").status_code == 200
    assert as_user(w.province_admin).post(f"/fairs/staff/{fair.pk}/booths/{booth.pk}/decide",
                                          {"action": "approve"}).status_code == 403
    assert as_user(w.other_school_admin).get(f"/fairs/staff/{fair.pk}").status_code == 404
    assert as_user(w.college_admin).get("/fairs/staff").status_code == 403
    assert as_user(w.graduate_user).post("/fairs/staff", _body()).status_code == 403
    assert as_user(w.emp_b.user).post(f"/fairs/employer/booths/{booth.pk}/withdraw").status_code == 404
    assert as_user(w.stranger_user).get(f"/fairs/{fair.pk}").status_code == 404
    assert as_user(w.stranger_user).post(f"/fairs/{fair.pk}/interest", {}).status_code == 404
    assert as_user(w.employer_user).get(f"/fairs/{fair.pk}").status_code == 403
    assert FairBooth.objects.get(pk=booth.pk).status == BoothStatus.PENDING


def test_employer_apply_refusals(fairs_world, as_user):
    w = fairs_world
    fair = publish(w)
    emp = as_user(w.emp_a.user)
    r = emp.post(f"/fairs/employer/{fair.pk}/booths", {"posting_ids": [w.emp_b.posting.pk], "contact_name": "王",
                                                        "contact_phone": "13900001111"})
    assert r.status_code == 400 and "postings" in r.json()["error"]["fields"]
    r = emp.post(f"/fairs/employer/{fair.pk}/booths", {"posting_ids": [0]})
    assert r.status_code == 422
    assert not FairBooth.objects.exists()


def test_graduate_list_detail_and_interest(fairs_world, as_user):
    w = fairs_world
    fair = publish(w)
    booth = apply(w.emp_a, fair)
    from apps.fairs import services

    services.booth_decide(actor=w.school_admin, booth=booth, action="approve")
    closed = f.make_posting(w.emp_a.employer, w.school, title="已截止职位")
    booth.postings.add(closed)
    type(closed).objects.filter(pk=closed.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    me = as_user(w.graduate_user)
    items = me.get("/fairs/").json()["items"]
    assert [i["id"] for i in items] == [fair.pk] and items[0]["interested"] is False
    detail = me.get(f"/fairs/{fair.pk}").json()
    # the graduate reads the fair's own state, not the employers' booth application (报名中)
    assert detail["fair"]["state"]["title"] == "即将开始"
    assert "展位" not in detail["fair"]["state"]["text"]
    assert [a["code"] for a in detail["fair"]["state"]["actions"]] == ["register"]
    assert detail["employers"][0]["employer_name"] == "甲公司有限公司"
    assert [p["title"] for p in detail["employers"][0]["postings"]] == [w.emp_a.posting.title]
    r = me.post(f"/fairs/{fair.pk}/interest", {"interested": True}).json()
    assert r == {"interested": True, "interest_count": 1}
    assert me.get("/fairs/").json()["items"][0]["interested"] is True
    assert me.post(f"/fairs/{fair.pk}/interest", {}).json()["interested"] is False
    assert as_user(w.stranger_user).get("/fairs/").json()["items"] == []
