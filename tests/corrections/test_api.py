"""/api/v1/corrections/: filing (multipart), the graduate's list, the staff queue and decisions,
images behind permission checks; strangers' ids are 404, wrong roles 403."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.corrections.models import Correction, CorrectionStatus
from apps.graduates.models import Graduate
from tests import factories as f
from tests.corrections.conftest import png, valid_id_number


@pytest.fixture
def as_user(world):
    return lambda persona: f.BearerApi(getattr(world, persona))


def _file(api, **data):
    body = {"kind": "basic", "field": "ethnicity_code", "proposed_value": "03", "explanation": "户口簿为回族"}
    body.update(data)
    return api.multipart("/corrections/", body)


def test_file_with_images_and_follow_it(world, as_user):
    me = as_user("graduate_user")
    r = _file(me, images=[png("a.png"), png("b.png", colour=(0, 0, 255))])
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["status"] == "pending" and body["status_label"] == "待处理"
    assert body["kind_label"] == "基本信息" and body["field_label"] == "民族" and body["proposed_value"] == "回族"
    assert body["image_count"] == 2 and body["graduate"] is None
    image_url = body["images"][0]["url"]
    assert image_url == f"/api/v1/corrections/{body['id']}/images/{body['images'][0]['id']}"
    picture = me.client.get(image_url, **me.headers)
    assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
    assert picture["Cache-Control"] == "private, no-store"
    mine = me.get("/corrections/mine").json()
    assert mine["count"] == 1 and mine["items"][0]["image_count"] == 2
    assert me.get(f"/corrections/{body['id']}").json()["promised_by"] == body["promised_by"]


@pytest.mark.parametrize("data, field", [
    ({"field": "phone", "proposed_value": "13812345678"}, "field"),
    ({"field": "nonexistent"}, "field"),
    ({"field": "id_number", "proposed_value": "340104200305170000"}, "proposed_value"),
    ({"proposed_value": "99"}, "proposed_value"),
    ({"explanation": ""}, "explanation"),
])
def test_refusals_answer_400_with_the_field(world, as_user, data, field):
    r = _file(as_user("graduate_user"), **data)
    assert r.status_code == 400
    assert field in r.json()["error"]["fields"]
    assert not Correction.objects.exists()


def test_fifth_image_and_text_file(world, as_user):
    me = as_user("graduate_user")
    r = _file(me, images=[png(f"{i}.png") for i in range(5)])
    assert r.status_code == 400 and r.json()["error"]["message"] == "最多上传4张图片"
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = _file(me, images=[SimpleUploadedFile("x.jpg", b"hello", content_type="image/jpeg")])
    assert r.status_code == 400 and "images" in r.json()["error"]["fields"]
    assert not Correction.objects.exists()


def test_images_may_be_sent_as_images_brackets(world, as_user):
    r = _file(as_user("graduate_user"), **{"images[]": [png("a.png"), png("b.png")]})
    assert r.status_code == 201 and r.json()["image_count"] == 2


def test_second_pending_for_the_same_field(world, as_user):
    me = as_user("graduate_user")
    assert _file(me).status_code == 201
    r = _file(me, proposed_value="04")
    assert r.status_code == 400 and r.json()["error"]["code"] == "duplicate_pending"


@pytest.mark.parametrize("persona", ["school_admin", "college_admin", "employer_user", "province_admin"])
def test_only_graduates_file(world, as_user, persona):
    assert _file(as_user(persona)).status_code == 403
    assert as_user(persona).get("/corrections/mine").status_code == 403


def test_strangers_ids_are_404(world, as_user):
    me = as_user("graduate_user")
    body = _file(me, images=[png()]).json()
    cid, iid = body["id"], body["images"][0]["id"]
    for persona in ("stranger_user", "other_college_admin", "other_school_admin"):
        api = as_user(persona)
        assert api.get(f"/corrections/{cid}").status_code == 404
        assert api.get(f"/corrections/{cid}/images/{iid}").status_code == 404
    assert as_user("stranger_user").post(f"/corrections/{cid}/withdraw").status_code == 404
    for persona in ("other_college_admin", "other_school_admin"):
        assert as_user(persona).post(f"/corrections/{cid}/accept", {"note": ""}).status_code == 404
        assert as_user(persona).post(f"/corrections/{cid}/reject", {"reason": "x"}).status_code == 404
    # the image id must belong to the correction in the path
    other = _file(me, field="name", proposed_value="王晓明", images=[png()]).json()
    assert me.get(f"/corrections/{cid}/images/{other['images'][0]['id']}").status_code == 404
    assert Correction.objects.get(pk=cid).status == CorrectionStatus.PENDING
    assert as_user("province_admin").get(f"/corrections/{cid}").status_code == 200


@pytest.mark.parametrize("persona", ["graduate_user", "employer_user", "province_admin"])
def test_wrong_roles_cannot_decide_or_list(world, as_user, persona):
    cid = _file(as_user("graduate_user")).json()["id"]
    api = as_user(persona)
    assert api.post(f"/corrections/{cid}/accept", {}).status_code == 403
    assert api.post(f"/corrections/{cid}/reject", {"reason": "x"}).status_code == 403
    if persona != "province_admin":
        assert api.get("/corrections/").status_code == 403
    assert Correction.objects.get(pk=cid).status == CorrectionStatus.PENDING


def test_staff_accept_and_reject(world, as_user):
    me = as_user("graduate_user")
    first = _file(me, field="name", proposed_value="王晓明").json()["id"]
    second = _file(me).json()["id"]
    staff = as_user("college_admin")
    r = staff.post(f"/corrections/{first}/accept", {"note": "已核对"})
    assert r.status_code == 200 and r.json()["status"] == "accepted" and r.json()["decision_note"] == "已核对"
    assert Graduate.objects.get(pk=world.graduate.pk).name == "王晓明"
    again = staff.post(f"/corrections/{first}/accept", {})
    assert again.status_code == 400 and again.json()["error"]["message"] == "该反馈已处理"
    r = staff.post(f"/corrections/{second}/reject", {})
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"reason": "请填写未采纳的原因"}
    r = staff.post(f"/corrections/{second}/reject", {"reason": "学籍系统为汉族"})
    assert r.status_code == 200 and r.json()["status_label"] == "未采纳"
    # the graduate reads the reply
    items = me.get("/corrections/mine").json()["items"]
    assert [(i["status"], i["decision_note"]) for i in items] == [("rejected", "学籍系统为汉族"),
                                                                  ("accepted", "已核对")]


def test_accept_without_a_body(world, as_user):
    cid = _file(as_user("graduate_user")).json()["id"]
    staff = as_user("school_admin")
    r = staff.client.post(f"/api/v1/corrections/{cid}/accept", content_type="application/json", **staff.headers)
    assert r.status_code == 200, r.content


def test_withdraw(world, as_user):
    me = as_user("graduate_user")
    cid = _file(me).json()["id"]
    r = me.post(f"/corrections/{cid}/withdraw")
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert me.post(f"/corrections/{cid}/withdraw").status_code == 400


def test_queue_filters_and_masking(world, as_user):
    me = as_user("graduate_user")
    new_id = valid_id_number(321)
    _file(me, field="id_number", proposed_value=new_id)
    _file(me, kind="archive", field="", proposed_value="档案地址有误")
    other = f.graduate_user(world.classmate)
    f.BearerApi(other).multipart("/corrections/", {"kind": "basic", "field": "name", "proposed_value": "李桦",
                                           "explanation": "错字"})
    school = as_user("school_admin")
    body = school.get("/corrections/").json()
    assert body["count"] == 3
    assert new_id not in str(body) and world.graduate.id_number not in str(body)
    id_row = next(i for i in body["items"] if i["field"] == "id_number")
    assert id_row["proposed_value"] == new_id[:4] + "*" * 10 + new_id[-4:]
    assert id_row["graduate"]["id_number_masked"] == world.graduate.masked_id_number
    assert school.get("/corrections/", kind="archive").json()["count"] == 1
    assert school.get("/corrections/", college_id=world.other_college.pk).json()["count"] == 1
    assert school.get("/corrections/", q="李").json()["count"] == 1
    assert school.get("/corrections/", q=world.graduate.student_number).json()["count"] == 2
    assert school.get("/corrections/", status="accepted").json()["count"] == 0
    assert school.get("/corrections/", status="all").json()["count"] == 3
    assert as_user("college_admin").get("/corrections/").json()["count"] == 2
    assert as_user("other_college_admin").get("/corrections/").json()["count"] == 1
    assert as_user("other_school_admin").get("/corrections/").json()["count"] == 0


def test_api_queue_query_count_is_constant(world, as_user):
    from apps.corrections.services import correction_file

    def add(n):
        for i in range(n):
            g = f.make_graduate(college=world.college, name=f"学生{i}{n}")
            correction_file(actor=f.graduate_user(g), graduate=g, kind="basic", field="name",
                            proposed_value=f"新名{i}", explanation="错字", images=[png()])

    school = as_user("school_admin")
    add(1)
    school.get("/corrections/")  # warm caches (token, code labels)
    with CaptureQueriesContext(connection) as one:
        assert school.get("/corrections/").json()["count"] == 1
    add(4)
    with CaptureQueriesContext(connection) as five:
        assert school.get("/corrections/").json()["count"] == 5
    assert len(one) == len(five)
