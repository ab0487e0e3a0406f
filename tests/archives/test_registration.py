"""档案转寄登记 by the graduate: defaults, saving, the rules and who may change what."""

from __future__ import annotations

import pytest

from apps.archives import services
from apps.archives.models import ArchiveTransfer
from apps.audit.models import AuditEntry
from apps.audit.services import audit_verify
from apps.core.errors import DomainError, Forbidden, NotFound
from tests import factories as f
from tests.archives.conftest import register, send, valid


def test_defaults_propose_the_talent_centre_of_the_origin_county(shushan, me):
    body = me.get("/archives/mine/defaults").json()
    assert body["source"] == "origin" and body["origin_missing"] is False
    assert body["values"] == {"transfer_method": "ems", "accepts_archive": True, "accepts_household": False,
                              "deferred": False, "receiving_unit_name": "蜀山区人才服务中心",
                              "address_division": "340104"}
    assert "安徽省合肥市蜀山区" in body["message"]


def test_defaults_without_origin_ask_for_it(world, me):
    body = me.get("/archives/mine/defaults").json()
    assert body["source"] == "none" and body["origin_missing"] is True
    assert "receiving_unit_name" not in body["values"]
    assert "生源信息" in body["message"]


def test_nothing_is_stored_before_the_first_save(shushan, me):
    body = me.get("/archives/mine").json()
    assert body["registered"] is False and body["status_label"] == "未登记"
    assert not ArchiveTransfer.objects.exists()


def test_save_and_read_back(world, shushan, me):
    r = me.put("/archives/mine", valid(contact_phone="138 1234 5678", post_code="２３００３１"))
    assert r.status_code == 200, r.json()
    body = me.get("/archives/mine").json()
    assert body["registered"] is True and body["editable"] is True
    assert (body["status"], body["status_label"]) == ("registered", "已登记")
    assert body["receiving_unit_name"] == "蜀山区人才服务中心"
    assert body["address_division_code"] == "340104"
    assert body["full_address"] == "安徽省合肥市蜀山区长江西路100号"
    assert body["post_code"] == "230031"  # full-width digits normalised
    assert body["contact_phone"] == "13812345678"  # the owner sees it in full
    assert body["transfer_method_label"] == "EMS（高校学生档案专用）"
    transfer = ArchiveTransfer.objects.get()
    assert (transfer.school_id, transfer.college_id) == (world.school.pk, world.college.pk)
    entry = AuditEntry.objects.get(action="archive.register")
    assert entry.graduate_id == world.graduate.pk and entry.actor_kind == "graduate"
    assert entry.changes["档案接收联系电话"] == ["", "138****5678"]
    assert "13812345678" not in str(entry.changes)
    assert all(report.ok for report in audit_verify())


def test_phone_is_stored_encrypted(world, shushan, me):
    from django.db import connection

    me.put("/archives/mine", valid(contact_phone="13812345678"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_phone FROM archives_archivetransfer")
        (stored,) = cursor.fetchone()
    assert stored and "13812345678" not in stored


def test_a_change_is_audited_with_before_and_after(world, shushan, me):
    me.put("/archives/mine", valid())
    me.put("/archives/mine", valid(transfer_method="confidential", contact_phone="13900001111"))
    entry = AuditEntry.objects.get(action="archive.update")
    assert entry.changes == {"档案转递方式": ["EMS（高校学生档案专用）", "机要"],
                             "档案接收联系电话": ["055******3456", "139****1111"]}
    me.put("/archives/mine", valid(transfer_method="confidential", contact_phone="13900001111"))
    assert AuditEntry.objects.filter(action="archive.update").count() == 1  # nothing changed, nothing recorded


@pytest.mark.parametrize("overrides, field, message", [
    ({"address_division": "340100"}, "address_division", "档案接收单位所在地须选择到具体的区县，不能只选省或市"),
    ({"address_division": "340000"}, "address_division", "档案接收单位所在地须选择到具体的区县，不能只选省或市"),
    ({"address_division": "349999"}, "address_division", "行政区划代码不存在或已撤销，请重新选择"),
    ({"address_division": ""}, "address_division", "请选择档案接收单位所在地（到区县）"),
    ({"post_code": "12345"}, "post_code", "邮政编码应为6位数字"),
    ({"post_code": "abcdef"}, "post_code", "邮政编码应为6位数字"),
    ({"post_code": ""}, "post_code", "请填写邮政编码（6位数字）"),
    ({"contact_phone": "12345"}, "contact_phone", "请输入正确的手机号码或固定电话（如0551-12345678）"),
    ({"contact_phone": "1381234567x"}, "contact_phone", "请输入正确的手机号码或固定电话（如0551-12345678）"),
    ({"contact_phone": ""}, "contact_phone", "请填写档案接收联系电话"),
    ({"receiving_unit_name": "  "}, "receiving_unit_name", "请填写档案接收单位名称"),
    ({"street_address": ""}, "street_address", "请填写详细地址（街道、楼栋、门牌号）"),
    ({"contact_person": ""}, "contact_person", "请填写档案接收联系人"),
    ({"transfer_method": "self"}, "transfer_method", "请选择档案转递方式（EMS、机要或单位专人）"),
    ({"receiving_unit_name": "单" * 101}, "receiving_unit_name", "不超过100个字"),
])
def test_invalid_data_is_refused_and_nothing_is_stored(world, me, overrides, field, message):
    r = me.put("/archives/mine", valid(**overrides))
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["fields"][field] == message
    assert error["message"].endswith(message)
    assert not ArchiveTransfer.objects.exists()
    assert not AuditEntry.objects.exists()


def test_all_field_errors_are_reported_at_once(world, me):
    r = me.put("/archives/mine", valid(post_code="12345", contact_phone="abc", receiving_unit_name=""))
    assert set(r.json()["error"]["fields"]) == {"post_code", "contact_phone", "receiving_unit_name"}
    assert r.json()["error"]["message"] == "档案接收单位名称：请填写档案接收单位名称"


def test_transfer_method_may_be_given_by_its_label(world, me):
    assert me.put("/archives/mine", valid(transfer_method="机要")).json()["transfer_method"] == "confidential"


def test_deferred_needs_only_a_reason(world, me):
    blank = {k: "" for k in ("receiving_unit_name", "address_division", "street_address", "post_code",
                             "contact_person", "contact_phone")}
    r = me.put("/archives/mine", valid(deferred=True, **blank))
    assert r.status_code == 400 and r.json()["error"]["fields"] == {"deferred_reason": "申请缓寄请填写缓寄原因"}
    r = me.put("/archives/mine", valid(deferred=True, deferred_reason="准备二战考研", **blank))
    assert r.status_code == 200 and r.json()["deferred"] is True
    # what is filled in is still checked
    r = me.put("/archives/mine", valid(deferred=True, deferred_reason="准备二战考研", **{**blank, "post_code": "123"}))
    assert r.json()["error"]["fields"] == {"post_code": "邮政编码应为6位数字"}


def test_graduate_cannot_change_the_record_once_sent(world, shushan, me):
    transfer = register(world.graduate)
    send(world, transfer)
    r = me.put("/archives/mine", valid(receiving_unit_name="包河区人才服务中心"))
    assert r.status_code == 400
    assert r.json()["error"]["message"] == "档案已寄出，如需修改请联系学校"
    assert ArchiveTransfer.objects.get().receiving_unit_name == "蜀山区人才服务中心"
    assert me.get("/archives/mine").json()["editable"] is False


def test_school_staff_may_correct_the_record_even_after_sending(world):
    transfer = register(world.graduate)
    send(world, transfer)
    services.archive_save(actor=world.school_admin, graduate=world.graduate, data=valid(post_code="230088"))
    assert ArchiveTransfer.objects.get().post_code == "230088"
    entry = AuditEntry.objects.get(action="archive.update")
    assert entry.actor == world.school_admin and entry.changes == {"邮政编码": ["230031", "230088"]}


def test_another_graduates_record_looks_missing(world, me):
    theirs = register(world.classmate)
    with pytest.raises(NotFound):
        services.archive_save(actor=world.graduate_user, graduate=world.classmate, data=valid())
    assert me.get(f"/archives/{theirs.pk}").status_code == 404
    assert me.get("/archives/mine").json()["registered"] is False


def test_the_owner_may_read_their_record_by_id(world, me):
    mine = register(world.graduate)
    assert me.get(f"/archives/{mine.pk}").json()["student_number"] == world.graduate.student_number


@pytest.mark.parametrize("persona", ["college_admin", "province_admin", "employer_user"])
def test_only_the_graduate_and_school_staff_may_save(world, persona):
    with pytest.raises(Forbidden):
        services.archive_save(actor=getattr(world, persona), graduate=world.graduate, data=valid())
    assert not ArchiveTransfer.objects.exists()


def test_staff_of_another_school_cannot_save(world):
    with pytest.raises(NotFound):
        services.archive_save(actor=world.other_school_admin, graduate=world.graduate, data=valid())


def test_staff_have_no_own_record(world, api_client):
    api_client.login_as(world.school_admin)
    assert api_client.get("/archives/mine").status_code == 403
    assert api_client.put("/archives/mine", valid()).status_code == 403


def test_record_follows_the_graduate_to_another_college(world):
    transfer = register(world.graduate)
    g = world.graduate
    g.college, g.major = world.other_college, world.other_major
    g.save()
    services.archive_save(actor=world.school_admin, graduate=g, data=valid())  # no field change
    transfer.refresh_from_db()
    assert transfer.college_id == world.other_college.pk


def test_invalid_reads_as_domain_error_in_service(world):
    with pytest.raises(DomainError) as exc:
        services.archive_save(actor=f.graduate_user(world.graduate), graduate=world.graduate,
                              data=valid(address_division="340100"))
    assert "区县" in exc.value.message


def _employer_receiver(graduate):
    return {"receiving_unit_name": "合肥市第一人民医院", "receiving_department": "人事处", "address_division": "340103"}


def test_defaults_use_the_destination_hook_when_it_answers(shushan, me, monkeypatch):
    """The seam the destination app (C4) fills in: an employer that holds archives wins
    over the talent centre; no answer falls back to it."""
    monkeypatch.setattr(services, "DESTINATION_HOOK", f"{__name__}._employer_receiver")
    body = me.get("/archives/mine/defaults").json()
    assert body["source"] == "destination"
    assert (body["values"]["receiving_unit_name"], body["values"]["address_division"]) == ("合肥市第一人民医院", "340103")
    monkeypatch.setattr(services, "DESTINATION_HOOK", f"{__name__}._no_receiver")
    assert me.get("/archives/mine/defaults").json()["source"] == "origin"


def _no_receiver(graduate):
    return None
