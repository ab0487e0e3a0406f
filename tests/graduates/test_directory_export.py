"""毕业生查询 → 导出 Excel: the file holds exactly the filtered list (masked ID numbers only,
formula-looking names neutralised), it is audited with the filters and row count, an oversized
export is refused in Chinese, and the scope of the list is the scope of the file."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest

from apps.audit.models import AuditEntry
from apps.destinations.models import DestinationStatus
from tests import factories as f
from tests.destinations.builders import make_destination

pytestmark = pytest.mark.django_db

EXPORT = "/staff/graduates/export/"
API_EXPORT = "/directory/graduates.xlsx"


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.content[:300]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    return rows


def page_count(client, **params) -> int:
    html = client.get("/staff/graduates/", params).content.decode()
    return int(re.search(r'id="graduate-count">共 (\d+) 条', html).group(1))


def test_the_file_holds_the_filtered_list_with_masked_id_numbers(world, client):
    for i in range(5):
        make_destination(f.make_graduate(college=world.college, major=world.major, name=f"导出{i}"),
                         code="11", status=DestinationStatus.SCHOOL_APPROVED)
    client.force_login(world.school_admin)
    rows = sheet_rows(client.get(EXPORT, {"college": world.college.pk, "status": "school_approved"}))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("学号", "姓名", "身份证号") and "毕业去向" in header and "网签" in header
    assert len(body) == page_count(client, college=world.college.pk, status="school_approved") == 5
    assert {r[1] for r in body} == {f"导出{i}" for i in range(5)}
    all_rows = sheet_rows(client.get(EXPORT))
    assert len(all_rows) - 1 == page_count(client) == 7
    text = repr(all_rows)
    assert world.graduate.id_number not in text and world.graduate.masked_id_number in text


def test_a_formula_looking_name_arrives_as_text(world, client):
    f.make_graduate(college=world.college, major=world.major, name="=1+1", student_number="+8613900000000")
    client.force_login(world.school_admin)
    rows = sheet_rows(client.get(EXPORT, {"college": world.college.pk}))
    names = {r[1] for r in rows[1:]}
    assert "'=1+1" in names and "=1+1" not in names
    assert "'+8613900000000" in {r[0] for r in rows[1:]}


def test_the_export_is_audited_with_its_filters_and_rows(world, client):
    client.force_login(world.school_admin)
    response = client.get(EXPORT, {"college": world.college.pk, "signed": "no"})
    assert response["X-Export-Rows"] == "1"
    entry = AuditEntry.objects.filter(action="graduates.export").get()
    assert entry.actor == world.school_admin and entry.school_id == world.school.pk
    assert entry.changes["条数"] == 1
    assert "院系：计算机学院" in entry.changes["筛选条件"] and "网签：未网签" in entry.changes["筛选条件"]
    assert world.graduate.id_number not in repr(entry.changes)


def test_too_many_rows_are_refused_in_chinese_and_nothing_is_audited(world, client, api_client, settings):
    settings.DIRECTORY_EXPORT_MAX_ROWS = 1
    client.force_login(world.school_admin)
    response = client.get(EXPORT, {"cohort": world.school.current_cohort}, follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "一次最多导出 1 条" in html and "请先按院系" in html
    assert f'value="{world.school.current_cohort}"' in html  # back on the list with the filters kept
    api_client.login_as(world.school_admin)
    refused = api_client.get(API_EXPORT)
    assert refused.status_code == 400 and "一次最多导出 1 条" in refused.json()["error"]["message"]
    assert not AuditEntry.objects.filter(action="graduates.export").exists()
    assert len(sheet_rows(client.get(EXPORT, {"college": world.college.pk}))) == 2  # one row is allowed


def test_college_staff_export_only_their_college(world, client, api_client):
    client.force_login(world.college_admin)
    names = {r[1] for r in sheet_rows(client.get(EXPORT))[1:]}
    assert names == {"王小明"}
    assert sheet_rows(client.get(EXPORT, {"college": world.other_college.pk}))[1:] == []
    api_client.login_as(world.college_admin)
    assert {r[1] for r in sheet_rows(api_client.get(API_EXPORT))[1:]} == {"王小明"}
    assert sheet_rows(api_client.get(API_EXPORT, college_id=world.other_college.pk))[1:] == []


def test_api_export_equals_api_list(world, api_client):
    for i in range(3):
        f.make_graduate(college=world.other_college, major=world.other_major, name=f"外语{i}")
    api_client.login_as(world.school_admin)
    listed = api_client.get("/directory/graduates", college_id=world.other_college.pk).json()
    rows = sheet_rows(api_client.get(API_EXPORT, college_id=world.other_college.pk))[1:]
    assert listed["count"] == len(rows) == 4
    assert [r[0] for r in rows] == [i["student_number"] for i in listed["items"]]  # the list's order


def test_province_export_of_one_school_goes_to_that_schools_chain(world, client):
    client.force_login(world.province_admin)
    rows = sheet_rows(client.get(EXPORT, {"school": world.other_school.pk}))
    assert {r[1] for r in rows[1:]} == {"赵强"}
    entry = AuditEntry.objects.filter(action="graduates.export").get()
    assert entry.school_id == world.other_school.pk
