"""Staff side of 档案转寄: the list, the mailing-list export, tracking numbers by form,
API and Excel, and who may do which."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.archives import services
from apps.archives.models import ArchiveTransfer
from apps.audit.models import AuditEntry
from apps.audit.services import audit_verify
from apps.core.errors import DomainError, Forbidden, NotFound
from tests import factories as f
from tests.archives.conftest import register, send, tracking_xlsx, valid, workbook_rows


def unknown(world) -> str:
    return f"学号不存在，或不是本校{world.school.current_cohort}届（您管理范围内）的毕业生"


HEADER = ["学号", "姓名", "院系", "接收单位", "接收部门", "地址（省市区县+详细地址）", "邮编", "联系人", "联系电话",
          "转递方式", "快递单号", "备注"]


@pytest.fixture
def three(world):
    """Registered records: one in the admin's college, one in another college, one at another school."""
    return (register(world.graduate, contact_phone="13812345678"),
            register(world.classmate, receiving_unit_name="包河区人才服务中心", address_division="340111",
                     contact_phone="13900002222"),
            register(world.stranger, receiving_unit_name="芜湖市人才服务中心", address_division="340202"))


# --- list ----------------------------------------------------------------------------------

def test_school_staff_list_shows_their_school_with_masked_phones(world, three, api_client):
    api_client.login_as(world.school_admin)
    body = api_client.get("/archives/").json()
    assert body["count"] == 2
    assert {i["student_number"] for i in body["items"]} == {world.graduate.student_number,
                                                             world.classmate.student_number}
    mine = next(i for i in body["items"] if i["graduate_id"] == world.graduate.pk)
    assert mine["contact_phone_masked"] == "138****5678"
    assert "13812345678" not in str(body)


def test_college_staff_list_shows_their_college_only(world, three, api_client):
    api_client.login_as(world.college_admin)
    body = api_client.get("/archives/").json()
    assert [i["name"] for i in body["items"]] == [world.graduate.name]
    assert api_client.get(f"/archives/{three[1].pk}").status_code == 404


@pytest.mark.parametrize("params, expected", [
    ({"status": "registered"}, {"王小明", "李华"}),
    ({"status": "sent"}, set()),
    ({"transfer_method": "confidential"}, {"李华"}),
    ({"q": "王"}, {"王小明"}),
    ({"q": "2022020202"}, {"李华"}),
])
def test_list_filters(world, three, api_client, params, expected):
    ArchiveTransfer.objects.filter(pk=three[1].pk).update(transfer_method="confidential")
    api_client.login_as(world.school_admin)
    assert {i["name"] for i in api_client.get("/archives/", **params).json()["items"]} == expected


def test_list_filter_by_college(world, three, api_client):
    api_client.login_as(world.school_admin)
    items = api_client.get("/archives/", college_id=world.other_college.pk).json()["items"]
    assert [i["name"] for i in items] == ["李华"]


def test_deferred_records_have_their_own_filter(world, three, api_client):
    services.archive_save(actor=world.school_admin, graduate=world.classmate,
                          data=valid(deferred=True, deferred_reason="考研"))
    api_client.login_as(world.school_admin)
    assert [i["name"] for i in api_client.get("/archives/", status="deferred").json()["items"]] == ["李华"]
    assert [i["name"] for i in api_client.get("/archives/", status="registered").json()["items"]] == ["王小明"]


@pytest.mark.parametrize("persona", ["graduate_user", "province_admin", "employer_user"])
def test_list_is_for_school_and_college_staff(world, persona, api_client):
    api_client.login_as(getattr(world, persona))
    assert api_client.get("/archives/").status_code == 403


def _records(world, n):
    for i in range(n):
        g = f.make_graduate(college=world.college, major=world.major, name=f"学生{i}")
        register(g)


@pytest.mark.parametrize("path", ["/staff/archives/", "/api/v1/archives/"])
def test_staff_list_query_count_does_not_grow_with_rows(world, client, path):
    client.force_login(world.school_admin)
    _records(world, 1)
    with CaptureQueriesContext(connection) as one:
        assert client.get(path).status_code == 200
    _records(world, 4)
    with CaptureQueriesContext(connection) as five:
        response = client.get(path)
    assert response.status_code == 200
    assert len(five) == len(one), [q["sql"] for q in five.captured_queries]


# --- export --------------------------------------------------------------------------------

def test_export_of_the_selection_has_full_phone_and_address(world, three, api_client):
    api_client.login_as(world.school_admin)
    r = api_client.post("/archives/export", {"ids": [three[0].pk]})
    assert r.status_code == 200
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = workbook_rows(r.content)
    assert rows[0] == HEADER
    assert rows[1:] == [[world.graduate.student_number, "王小明", "计算机学院", "蜀山区人才服务中心", "档案室",
                         "安徽省合肥市蜀山区长江西路100号", "230031", "陈老师", "13812345678",
                         "EMS（高校学生档案专用）", None, None]]
    entry = AuditEntry.objects.get(action="archive.export")
    assert entry.actor == world.school_admin and entry.changes == {"条数": 1}


def test_export_without_selection_is_the_filtered_list(world, three, api_client):
    api_client.login_as(world.school_admin)
    rows = workbook_rows(api_client.post("/archives/export", {}).content)
    assert {r[1] for r in rows[1:]} == {"王小明", "李华"}
    rows = workbook_rows(api_client.post("/archives/export", {"college_id": world.other_college.pk}).content)
    assert [r[1] for r in rows[1:]] == ["李华"]


def test_export_is_scoped(world, three, api_client):
    """College staff export their college only; ids outside the scope are ignored."""
    api_client.login_as(world.college_admin)
    rows = workbook_rows(api_client.post("/archives/export", {}).content)
    assert [r[1] for r in rows[1:]] == ["王小明"]
    rows = workbook_rows(api_client.post("/archives/export", {"ids": [t.pk for t in three]}).content)
    assert [r[1] for r in rows[1:]] == ["王小明"]
    api_client.login_as(world.other_school_admin)
    rows = workbook_rows(api_client.post("/archives/export", {"ids": [three[0].pk, three[1].pk]}).content)
    assert rows[1:] == []


def test_export_page_form(world, three, client):
    client.force_login(world.college_admin)
    r = client.post("/staff/archives/export/", {"ids": [three[0].pk, three[1].pk]})
    assert r.status_code == 200
    assert [row[1] for row in workbook_rows(r.content)[1:]] == ["王小明"]
    assert "attachment" in r["Content-Disposition"]


def test_deferred_rows_are_marked_in_the_export(world, three, api_client):
    services.archive_save(actor=world.school_admin, graduate=world.classmate,
                          data=valid(deferred=True, deferred_reason="考研"))
    api_client.login_as(world.school_admin)
    rows = workbook_rows(api_client.post("/archives/export", {"ids": [three[1].pk]}).content)
    assert rows[1][-1] == "缓寄：考研"


# --- tracking numbers ----------------------------------------------------------------------

def test_school_staff_set_tracking_numbers_and_the_graduate_sees_them(world, three, api_client):
    api_client.login_as(world.school_admin)
    r = api_client.post("/archives/tracking", [{"graduate_id": world.graduate.pk, "tracking_number": "ea123456789cn"},
                                               {"transfer_id": three[1].pk, "tracking_number": "1234567890123"}])
    assert r.status_code == 200, r.json()
    assert r.json()["updated"] == 2
    api_client.login_as(world.graduate_user)
    body = api_client.get("/archives/mine").json()
    assert (body["status"], body["status_label"], body["tracking_number"]) == ("sent", "已寄出", "EA123456789CN")
    assert body["tracking_hint"] == "可凭单号在EMS官网查询"
    assert body["sent_at"] is not None
    entries = AuditEntry.objects.filter(action="archive.sent").order_by("id")
    assert [e.graduate_id for e in entries] == [world.graduate.pk, world.classmate.pk]
    assert entries[0].changes == {"快递单号": ["", "EA123456789CN"], "状态": ["已登记", "已寄出"]}
    assert all(report.ok for report in audit_verify())


def test_tracking_with_a_sending_date(world, three):
    day = timezone.localdate() - timedelta(days=3)
    services.archive_set_tracking(actor=world.school_admin, transfers_and_numbers=[(three[0], "EA123456789CN", day)])
    three[0].refresh_from_db()
    assert timezone.localtime(three[0].sent_at).date() == day
    with pytest.raises(DomainError) as exc:
        services.archive_set_tracking(actor=world.school_admin, transfers_and_numbers=[
            (three[1], "EA123456780CN", timezone.localdate() + timedelta(days=1))])
    assert exc.value.fields == {world.classmate.student_number: "寄出日期不能晚于今天"}


def test_correcting_a_tracking_number_keeps_the_sending_time(world, three):
    send(world, three[0])
    three[0].refresh_from_db()
    sent_at = three[0].sent_at
    send(world, three[0], "EA000000001CN")
    three[0].refresh_from_db()
    assert (three[0].tracking_number, three[0].sent_at) == ("EA000000001CN", sent_at)
    assert AuditEntry.objects.filter(action="archive.sent").order_by("id").last().changes == {
        "快递单号": ["EA123456789CN", "EA000000001CN"]}
    send(world, three[0], "EA000000001CN")  # same number again: nothing to record
    assert AuditEntry.objects.filter(action="archive.sent").count() == 2


@pytest.mark.parametrize("number, message", [
    ("", "请填写快递单号"),
    ("  ", "请填写快递单号"),
    ("A" * 31, "快递单号不超过30位"),
    ("EA12", "快递单号应为5～30位字母、数字或连字符（如EMS单号EA123456789CN）"),
    ("EA 1234 5678 9CN", None),  # spaces are removed
    ("单号123456", "快递单号应为5～30位字母、数字或连字符（如EMS单号EA123456789CN）"),
])
def test_tracking_number_format(number, message):
    if message is None:
        assert services.clean_tracking_number(number) == "EA123456789CN"
    else:
        with pytest.raises(DomainError) as exc:
            services.clean_tracking_number(number)
        assert exc.value.message == message


def test_one_bad_number_changes_nothing(world, three, api_client):
    api_client.login_as(world.school_admin)
    r = api_client.post("/archives/tracking", [{"graduate_id": world.graduate.pk, "tracking_number": "EA123456789CN"},
                                               {"graduate_id": world.classmate.pk, "tracking_number": "x"}])
    assert r.status_code == 400
    assert r.json()["error"]["fields"] == {world.classmate.student_number: "快递单号应为5～30位字母、数字或连字符（如EMS单号EA123456789CN）"}
    assert not ArchiveTransfer.objects.filter(status="sent").exists()
    assert not AuditEntry.objects.filter(action="archive.sent").exists()


def test_deferred_records_cannot_be_sent(world, three):
    services.archive_save(actor=world.school_admin, graduate=world.classmate,
                          data=valid(deferred=True, deferred_reason="考研"))
    with pytest.raises(DomainError) as exc:
        send(world, ArchiveTransfer.objects.get(graduate=world.classmate))
    assert exc.value.fields == {world.classmate.student_number: "该毕业生申请了缓寄，不能登记寄出"}


def test_college_staff_cannot_set_tracking_numbers(world, three, api_client, client):
    api_client.login_as(world.college_admin)
    r = api_client.post("/archives/tracking", [{"graduate_id": world.graduate.pk, "tracking_number": "EA123456789CN"}])
    assert r.status_code == 403
    with pytest.raises(Forbidden):
        services.archive_set_tracking(actor=world.college_admin, transfers_and_numbers=[(three[0], "EA123456789CN")])
    client.force_login(world.college_admin)
    assert client.post("/staff/archives/tracking/", {f"tracking_{three[0].pk}": "EA123456789CN"}).status_code == 403
    upload = SimpleUploadedFile("t.xlsx", tracking_xlsx([[world.graduate.student_number, "EA123456789CN"]]))
    assert client.post("/staff/archives/tracking/import/", {"file": upload}).status_code == 403
    assert not ArchiveTransfer.objects.filter(status="sent").exists()


def test_staff_of_another_school_cannot_set_tracking_numbers(world, three, api_client):
    api_client.login_as(world.other_school_admin)
    r = api_client.post("/archives/tracking", [{"graduate_id": world.graduate.pk, "tracking_number": "EA123456789CN"}])
    assert r.status_code == 404
    with pytest.raises(NotFound):
        services.archive_set_tracking(actor=world.other_school_admin,
                                      transfers_and_numbers=[(three[0], "EA123456789CN")])
    assert not ArchiveTransfer.objects.filter(status="sent").exists()


def test_tracking_form_on_the_staff_page(world, three, client):
    client.force_login(world.school_admin)
    r = client.post(f"/staff/archives/tracking/?college={world.college.pk}",
                    {f"tracking_{three[0].pk}": "EA123456789CN", f"tracking_{three[1].pk}": ""})
    assert r.status_code == 302 and r["Location"].endswith(f"college={world.college.pk}")
    three[0].refresh_from_db()
    three[1].refresh_from_db()
    assert (three[0].status, three[0].tracking_number, three[0].sent_by) == ("sent", "EA123456789CN", world.school_admin)
    assert three[1].status == "registered"
    client.force_login(world.graduate_user)
    page = client.get("/register/archive/").content.decode()
    assert "EA123456789CN" in page and "可凭单号在EMS官网查询" in page and "已寄出" in page


def test_tracking_form_reports_a_bad_number(world, three, client):
    client.force_login(world.school_admin)
    r = client.post("/staff/archives/tracking/", {f"tracking_{three[0].pk}": "x"})
    assert r.status_code == 400
    assert "快递单号应为5～30位字母" in r.content.decode()
    assert not ArchiveTransfer.objects.filter(status="sent").exists()


def test_tracking_form_ignores_other_schools_rows(world, three, client):
    client.force_login(world.school_admin)
    client.post("/staff/archives/tracking/", {f"tracking_{three[2].pk}": "EA123456789CN"})
    three[2].refresh_from_db()
    assert three[2].status == "registered"


# --- Excel import --------------------------------------------------------------------------

def test_excel_round_trip(world, three, api_client, bearer):
    api_client.login_as(world.school_admin)
    exported = api_client.post("/archives/export", {}).content
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(exported))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[header.index("学号")].value == world.graduate.student_number:
            row[header.index("快递单号")].value = "EA123456789CN"
    buffer = io.BytesIO()
    book.save(buffer)

    r = bearer(world.school_admin, "/archives/tracking/import",
               {"file": SimpleUploadedFile("邮寄清单.xlsx", buffer.getvalue())})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert (body["applied"], body["updated"], body["skipped_count"], body["error_count"]) == (True, 1, 1, 0)
    assert {(row["student_number"], row["result"]) for row in body["rows"]} == {
        (world.graduate.student_number, "ok"), (world.classmate.student_number, "skipped")}
    assert AuditEntry.objects.filter(action="archive.tracking_import").count() == 1

    api_client.login_as(world.graduate_user)
    mine = api_client.get("/archives/mine").json()
    assert (mine["status_label"], mine["tracking_number"]) == ("已寄出", "EA123456789CN")


def test_bad_rows_in_the_upload_change_nothing(world, three, bearer):
    content = tracking_xlsx([
        [world.graduate.student_number, "EA123456789CN", (timezone.localdate() - timedelta(days=2)).isoformat()],
        [world.stranger.student_number, "EA123456780CN", None],  # another school
        ["2099999999", "EA123456781CN", None],  # unknown
        [world.classmate.student_number, "12", None],  # bad number
        [world.graduate.student_number, "EA123456782CN", None],  # duplicate
        [world.classmate.student_number, "EA123456783CN", "明天"],
    ], headers=("学号", "快递单号", "寄出日期"))
    r = bearer(world.school_admin, "/archives/tracking/import", {"file": SimpleUploadedFile("t.xlsx", content)})
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["code"] == "import_invalid"
    assert error["message"] == "文件中有5行错误，未登记任何快递单号。请修改后重新上传。"
    assert error["fields"] == {
        "第3行": unknown(world),
        "第4行": unknown(world),
        "第5行": "快递单号应为5～30位字母、数字或连字符（如EMS单号EA123456789CN）",
        "第6行": "学号与第2行重复",
        "第7行": "学号与第5行重复",
    }
    report = r.json()["report"]
    assert report["applied"] is False and report["rows"][0]["result"] == "ok"
    assert not ArchiveTransfer.objects.filter(status="sent").exists()
    assert not AuditEntry.objects.filter(action__in=["archive.sent", "archive.tracking_import"]).exists()


def test_upload_reports_unregistered_graduates_and_bad_dates(world, three):
    g = f.make_graduate(college=world.college, major=world.major, name="未登记")
    content = tracking_xlsx([[g.student_number, "EA123456789CN", None],
                             [world.graduate.student_number, "EA123456780CN", "2026/13/40"]],
                            headers=("学号", "快递单号", "寄出日期"))
    report = services.archive_tracking_import(actor=world.school_admin,
                                              uploaded_file=SimpleUploadedFile("t.xlsx", content))
    assert [(r.row_number, r.message) for r in report.errors] == [
        (2, "该毕业生尚未登记档案转寄信息"), (3, "寄出日期格式应为YYYY-MM-DD，且不能晚于今天")]


def test_upload_only_finds_the_current_cohort(world, three):
    old = f.make_graduate(college=world.college, major=world.major, name="往届",
                          cohort=world.school.current_cohort - 1)
    register(old)
    content = tracking_xlsx([[old.student_number, "EA123456789CN"]])
    report = services.archive_tracking_import(actor=world.school_admin,
                                              uploaded_file=SimpleUploadedFile("t.xlsx", content))
    assert report.errors[0].message == unknown(world)


@pytest.mark.parametrize("content, message", [
    (b"", "请选择要上传的Excel文件"),
    (b"student,number\n1,2\n", "文件不是有效的Excel（.xlsx）文件"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "不支持旧版Excel（.xls）文件，请在Excel中另存为.xlsx后上传"),
])
def test_upload_must_be_an_xlsx(world, content, message):
    with pytest.raises(DomainError) as exc:
        services.archive_tracking_import(actor=world.school_admin, uploaded_file=SimpleUploadedFile("t.xlsx", content))
    assert exc.value.message == message


def test_upload_needs_the_two_columns(world):
    content = tracking_xlsx([["2022010101", "EA123456789CN"]], headers=("学号", "单号"))
    with pytest.raises(DomainError) as exc:
        services.archive_tracking_import(actor=world.school_admin, uploaded_file=SimpleUploadedFile("t.xlsx", content))
    assert exc.value.message.startswith("第一行缺少列：快递单号")


def test_upload_page_shows_the_report(world, three, client):
    client.force_login(world.school_admin)
    content = tracking_xlsx([[world.graduate.student_number, "EA123456789CN"], ["2099999999", "EA123456781CN"]])
    r = client.post("/staff/archives/tracking/import/", {"file": SimpleUploadedFile("t.xlsx", content)})
    assert r.status_code == 400
    page = r.content.decode()
    assert "文件中有1行错误，未登记任何快递单号" in page and "学号不存在" in page
    r = client.post("/staff/archives/tracking/import/", {"file": SimpleUploadedFile("t.xlsx", content[:0])})
    assert "请选择要上传的Excel文件" in r.content.decode()
