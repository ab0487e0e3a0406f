"""生源信息 (C2) and 联系方式登记: the graduate's own data, its rules and refusals."""

from __future__ import annotations

import pytest

from apps.audit.models import AuditEntry
from apps.audit.services import audit_verify
from apps.graduates.models import Graduate
from tests import factories as f


@pytest.fixture
def me(world, api_client):
    api_client.login_as(world.graduate_user)
    return api_client


def patch(api, path, data):
    return api.client_patch(path, data) if hasattr(api, "client_patch") else _patch(api, path, data)


def _patch(api, path, data):
    from django.test import Client

    client = Client()
    return client.patch(f"/api/v1{path}", data, content_type="application/json",
                        HTTP_AUTHORIZATION=f"Bearer {api.token}")


def test_profile_suggests_the_id_number_county(world, me):
    body = me.get("/graduates/me").json()
    assert body["origin_division_code"] == ""
    assert body["origin_suggestion"] == {"code": "340104", "name": "安徽省合肥市蜀山区"}
    assert body["id_number_masked"] == world.graduate.masked_id_number
    assert world.graduate.id_number not in str(body)


def test_no_suggestion_for_a_code_that_is_no_longer_current(world, api_client):
    g = f.make_graduate(college=world.college, name="老代码", id_number=f.make_id_number(county="342101"))
    api_client.login_as(f.graduate_user(g))
    assert api_client.get("/graduates/me").json()["origin_suggestion"] is None


def test_save_and_confirm(world, me):
    r = _patch(me, "/graduates/me/origin", {"origin_division": "340104", "phone": "138 1234 5678",
                                           "email": "wxm@example.com", "family_contact_phone": "0551-62901234"})
    assert r.status_code == 200, r.json()
    assert r.json()["phone"] == "13812345678" and r.json()["origin_division"] == "安徽省合肥市蜀山区"
    r = me.post("/graduates/me/origin/confirm")
    assert r.status_code == 200 and r.json()["origin_confirmed"] is True
    g = Graduate.objects.get(pk=world.graduate.pk)
    assert g.origin_confirmed_by == world.graduate_user and g.origin_confirmed_at is not None
    entry = AuditEntry.objects.filter(action="graduate.update").get()
    assert entry.changes["phone"] == ["", "138****5678"]  # masked in the trail
    assert entry.actor_kind == "graduate"
    assert all(r.ok for r in audit_verify())


@pytest.mark.parametrize("code, message", [("340000", "生源所在地须维护到具体的区县，不能只选省或市"),
                                           ("340100", "生源所在地须维护到具体的区县，不能只选省或市"),
                                           ("349999", "生源所在地代码不存在"), ("", "请选择生源所在地，并维护到具体的区县")])
def test_origin_must_be_a_county(world, me, code, message):
    r = _patch(me, "/graduates/me/origin", {"origin_division": code})
    assert r.status_code == 400
    assert r.json()["error"]["fields"]["origin_division"] == message
    assert Graduate.objects.get(pk=world.graduate.pk).origin_division_id is None


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "abc", "+8613812345678x", ""])
def test_malformed_or_missing_phone_is_refused(world, me, phone):
    r = _patch(me, "/graduates/me/contacts", {"phone": phone})
    assert r.status_code == 400
    assert "phone" in r.json()["error"]["fields"]
    assert not AuditEntry.objects.exists()


def test_a_failed_save_changes_nothing(world, me):
    r = _patch(me, "/graduates/me/origin", {"email": "ok@example.com", "phone": "bad"})
    assert r.status_code == 400
    assert Graduate.objects.get(pk=world.graduate.pk).email == ""


@pytest.mark.parametrize("field, value", [("name", "王大明"), ("id_number", "340104200305170000"),
                                          ("college", "外国语学院"), ("cohort", 2020), ("school", 1)])
def test_read_only_fields_cannot_be_edited_directly(world, me, field, value):
    r = _patch(me, "/graduates/me/origin", {field: value})
    assert r.status_code == 400
    assert r.json()["error"]["code"] in ("read_only_field", "unknown_field")
    g = Graduate.objects.get(pk=world.graduate.pk)
    assert (g.name, g.college_id) == (world.graduate.name, world.college.pk)


def test_read_only_message_points_to_corrections(world, me):
    r = _patch(me, "/graduates/me/origin", {"name": "王大明"})
    assert r.json()["error"]["message"] == "姓名不能由本人修改，如有错误请点击“去纠错”提交信息反馈"


def test_contacts_endpoint_refuses_origin(world, me):
    r = _patch(me, "/graduates/me/contacts", {"origin_division": "340104"})
    assert r.status_code == 400


def test_confirm_needs_origin_and_phone(world, me):
    r = me.post("/graduates/me/origin/confirm")
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"origin_division", "phone"}


def test_changing_origin_after_confirmation_asks_to_confirm_again(world, me):
    _patch(me, "/graduates/me/origin", {"origin_division": "340104", "phone": "13812345678"})
    me.post("/graduates/me/origin/confirm")
    r = _patch(me, "/graduates/me/origin", {"origin_division": "653229"})
    assert r.json()["origin_confirmed"] is False
    # a phone change alone keeps the confirmation
    me.post("/graduates/me/origin/confirm")
    assert _patch(me, "/graduates/me/contacts", {"phone": "13912345678"}).json()["origin_confirmed"] is True


def test_another_graduate_cannot_act_on_my_record(world, api_client):
    from apps.core.errors import Forbidden
    from apps.graduates.services import graduate_confirm_origin, graduate_update

    with pytest.raises(Forbidden):
        graduate_update(actor=world.stranger_user, graduate=world.graduate, changes={"phone": "13800000000"})
    with pytest.raises(Forbidden):
        graduate_confirm_origin(actor=world.stranger_user, graduate=world.graduate)
    with pytest.raises(Forbidden):
        graduate_confirm_origin(actor=world.school_admin, graduate=world.graduate)


@pytest.mark.parametrize("persona", ["other_college_admin", "other_school_admin", "province_admin", "employer_user"])
def test_staff_outside_scope_cannot_change_a_record(world, persona):
    from apps.core.errors import Forbidden
    from apps.graduates.services import graduate_update

    with pytest.raises(Forbidden):
        graduate_update(actor=getattr(world, persona), graduate=world.graduate, changes={"name": "改名"})
    assert Graduate.objects.get(pk=world.graduate.pk).name == "王小明"


def test_history_is_visible_to_owner_and_staff_in_scope(world, me, api_client):
    _patch(me, "/graduates/me/contacts", {"phone": "13812345678"})
    mine = me.get("/graduates/me/history").json()
    assert mine["count"] == 1 and mine["items"][0]["summary"] == "修改本人联系电话"
    api_client.login_as(world.college_admin)
    assert api_client.get(f"/graduates/{world.graduate.pk}/history").json()["count"] == 1
    api_client.login_as(world.other_college_admin)
    assert api_client.get(f"/graduates/{world.graduate.pk}/history").status_code == 404


def test_origin_page_shows_grey_fields_and_the_rule(world, client):
    client.force_login(world.graduate_user)
    page = client.get("/register/origin/").content.decode()
    assert "父母户口簿首页地址" in page and "具体的区县" in page
    assert world.graduate.masked_id_number in page and world.graduate.id_number not in page
    assert 'data-correct="name"' in page
    r = client.post("/register/origin/", {"origin_division": "340100", "phone": "13812345678"})
    assert "生源所在地须维护到具体的区县" in r.content.decode()
