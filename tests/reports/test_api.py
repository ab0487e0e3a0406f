"""/api/v1/reports/: filing (multipart with images), the graduate's list and detail, the staff
queue and the decision; strangers' ids are 404, wrong roles 403, errors in the one shape."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.jobs.selectors import open_postings
from apps.reports.models import FraudReport, ReportStatus
from apps.reports.reasons import HOTLINE
from tests import factories as f
from tests.reports.conftest import fake_image, make_posting, png

pytestmark = pytest.mark.django_db



@pytest.fixture
def as_user(world):
    return lambda persona: f.BearerApi(getattr(world, persona))


@pytest.fixture
def file(posting):
    def _file(api, **data):
        body = {"posting": posting.pk, "reason": "fee", "details": "要求先交800元服装费"}
        body.update(data)
        return api.multipart("/reports/", body)

    return _file


def test_file_with_images_and_follow_it(world, as_user, file, posting):
    me = as_user("graduate_user")
    r = file(me, images=[png("a.png"), png("b.png", colour=(0, 0, 255))])
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["reason_label"] == "收取费用" and body["posting_title"] == posting.title
    assert body["employer_name"] == world.employer.name and body["image_count"] == 2
    assert body["state"]["title"] == "待处理" and HOTLINE in body["state"]["text"]
    assert body["reporter"] is None and body["details"] == "要求先交800元服装费"
    picture = me.client.get(body["images"][0]["url"], **me.headers)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    mine = me.get("/reports/mine").json()
    assert mine["count"] == 1 and mine["items"][0]["image_count"] == 2 and mine["items"][0]["details"] is None
    guide = me.get("/reports/guide").json()
    assert guide["hotline"] == HOTLINE and guide["max_images"] == 4 and guide["reasons"][0]["label"] == "收取费用"


@pytest.mark.parametrize("data, field", [
    ({"details": ""}, "details"),
    ({"reason": "x"}, "reason"),
    ({"posting": ""}, "posting"),
    ({"posting": "1" * 40}, "posting"),
])
def test_refusals_answer_400_with_the_field(world, as_user, file, data, field):
    r = file(as_user("graduate_user"), **data)
    assert r.status_code == 400
    assert field in r.json()["error"]["fields"]
    assert not FraudReport.objects.exists()


def test_fifth_image_and_a_fake_image(world, as_user, file):
    me = as_user("graduate_user")
    r = file(me, images=[png(f"{i}.png") for i in range(5)])
    assert r.status_code == 400 and r.json()["error"]["message"] == "最多上传4张图片"
    r = file(me, images=[fake_image()])
    assert r.status_code == 400 and "images" in r.json()["error"]["fields"]
    assert not FraudReport.objects.exists()


def test_a_posting_of_another_schools_channel_is_refused(world, as_user, file):
    far = make_posting(world.employer, school=world.other_school, title="外校渠道职位")
    r = file(as_user("graduate_user"), posting=far.pk)
    assert r.status_code == 400 and r.json()["error"]["code"] == "posting_not_open"


@pytest.mark.parametrize("persona", ["school_admin", "college_admin", "employer_user", "province_admin"])
def test_only_graduates_file(world, as_user, file, persona):
    assert file(as_user(persona)).status_code == 403
    assert as_user(persona).get("/reports/mine").status_code == 403


def test_strangers_ids_are_404_and_college_staff_403(world, as_user, file):
    body = file(as_user("graduate_user"), images=[png()]).json()
    rid, iid = body["id"], body["images"][0]["id"]
    f.graduate_user(world.classmate)
    for persona in ("stranger_user", "other_school_admin"):
        api = as_user(persona)
        assert api.get(f"/reports/{rid}").status_code == 404
        assert api.get(f"/reports/{rid}/images/{iid}").status_code == 404
    assert f.BearerApi(world.classmate.user).get(f"/reports/{rid}").status_code == 404  # same school, not theirs
    assert as_user("other_school_admin").post(f"/reports/{rid}/decide", {"outcome": "no_fraud", "note": "x"}
                                              ).status_code == 404
    college = as_user("college_admin")
    assert college.get("/reports/").status_code == 403
    assert college.get(f"/reports/{rid}").status_code == 403
    assert college.post(f"/reports/{rid}/decide", {"outcome": "no_fraud", "note": "x"}).status_code == 403
    assert as_user("graduate_user").post(f"/reports/{rid}/decide", {"outcome": "no_fraud", "note": "x"}
                                         ).status_code == 403
    assert FraudReport.objects.get().status == ReportStatus.OPEN
    assert as_user("province_admin").get(f"/reports/{rid}").status_code == 200
    assert as_user("other_school_admin").get("/reports/").json()["count"] == 0


def test_staff_queue_and_decide_take_down(world, as_user, file, posting):
    me = as_user("graduate_user")
    rid = file(me).json()["id"]
    queue = as_user("school_admin").get("/reports/").json()
    assert queue["count"] == 1 and queue["items"][0]["reporter"]["name"] == world.graduate.name
    assert queue["items"][0]["state"]["actions"][0]["code"] == "decide"
    assert as_user("province_admin").get("/reports/").json()["count"] == 1
    r = as_user("school_admin").post(f"/reports/{rid}/decide", {"outcome": "posting_taken_down", "note": "已核实收费"})
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "closed" and r.json()["state"]["title"] == "职位已下架"
    assert not open_postings().filter(pk=posting.pk).exists()
    mine = me.get(f"/reports/{rid}").json()
    assert mine["outcome_label"] == "职位已下架" and "已核实收费" in mine["state"]["text"]
    again = as_user("province_admin").post(f"/reports/{rid}/decide", {"outcome": "no_fraud", "note": "x"})
    assert again.status_code == 400 and again.json()["error"]["message"] == "该举报已处理"
    assert as_user("school_admin").get("/reports/").json()["count"] == 0  # 待处理 only by default
    assert as_user("school_admin").get("/reports/", status="all").json()["count"] == 1


def test_a_school_suspending_a_province_verified_employer_gets_the_employer_areas_refusal(world, as_user, file):
    rid = file(as_user("graduate_user")).json()["id"]
    r = as_user("school_admin").post(f"/reports/{rid}/decide", {"outcome": "employer_suspended", "note": "收费"})
    assert r.status_code == 403 and r.json()["error"]["message"]
    assert FraudReport.objects.get().status == ReportStatus.OPEN


def test_queue_api_costs_the_same_with_1_and_35_reports(world, as_user, monkeypatch):
    from apps.reports.models import FraudReport as R

    monkeypatch.setattr("apps.core.throttle.secrets.randbelow", lambda n: 1)
    staff = as_user("province_admin")

    def add(n, start):
        for i in range(start, start + n):
            g = f.make_graduate(college=world.college, major=world.major, name=f"举报人{i:03d}",
                                student_number=f"2031{i:06d}")
            p = make_posting(world.employer, school=world.school, title=f"职位{i}")
            R.objects.create(reporter=g, school=world.school, employer=world.employer, posting=p, reason="fee",
                             details="收费")

    add(1, 0)
    staff.get("/reports/")  # warm the reference snapshot
    with CaptureQueriesContext(connection) as one:
        assert staff.get("/reports/").json()["count"] == 1
    add(34, 1)
    with CaptureQueriesContext(connection) as many:
        body = staff.get("/reports/").json()
    assert len(body["items"]) == 30 and body["has_next"]
    assert len(many.captured_queries) <= len(one.captured_queries) + 1  # + the bounded COUNT
