"""就业方案导出与核对 (issue 11 item 6): the national layout export and the upload-back check.

What a staff member notices: the file opens with exactly the national headers, codes stay
codes ("01"), a formula typed by a graduate arrives as harmless text, an unchanged export
checks as 无差异, one edited cell is reported as exactly that cell, and every bad file gets a
Chinese message and leaves the platform as it was."""
from __future__ import annotations

import io
import zipfile
from datetime import date
from html import unescape

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEntry
from apps.core.exports import Column, XlsxBook
from apps.destinations.models import Destination
from apps.graduates.models import Graduate
from apps.registry.national import EXPORT_HEADERS
from apps.registry.national_export import cohort_graduates, resolve_filters
from tests import factories as f
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan

EXPORT_URL = "/staff/registry/national/export/"
CHECK_URL = "/staff/registry/national/check/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_UNIT = '=HYPERLINK("http://evil.example","点我")'


@pytest.fixture
def cohort_world(world):
    """The school's graduates with codes and a destination whose unit name looks like a formula."""
    g = world.graduate
    g.ethnicity_code, g.political_status_code, g.urban_rural_code = "01", "01", "1"
    g.exam_number, g.birth_date = "22340104150123", date(2004, 5, 6)
    g.save()
    Destination.objects.create(graduate=g, school=g.school, college=g.college, category_code="10",
                               unit_name=FORMULA_UNIT, credit_code="91340100MA2N0XXX01", unit_nature_code="39",
                               industry_code="I", sign_date=date(2027, 3, 1), unit_address="+86 合肥市")
    return world


def _export(client, user, **params) -> bytes:
    client.force_login(user)
    response = client.get(EXPORT_URL, {"cohort": user.school.current_cohort if user.school_id else 2027, **params})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == XLSX
    return b"".join(response.streaming_content)


def _rows(content: bytes) -> list[list]:
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["就业方案"]
    return [["" if v is None else v for v in row] for row in wb["就业方案"].iter_rows(values_only=True)]


def _upload(content: bytes, name="就业方案.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def _check(client, user, content: bytes, **data):
    client.force_login(user)
    return client.post(CHECK_URL, {"cohort": 2027, "file": _upload(content), **data})


def _report(client, response):
    assert response.status_code == 302, response.content.decode()[:2000]
    page = client.get(response["Location"])
    assert page.status_code == 200
    return page, page.context["report"]


def _book(rows: list[list], *, sheet="就业方案", headers=EXPORT_HEADERS) -> bytes:
    book = XlsxBook()
    s = book.sheet(sheet, [Column(h, text=True) for h in headers])
    for row in rows:
        s.append(row)
    return book.to_bytes()


def _edited(content: bytes, edit) -> bytes:
    """The export opened and saved again in a spreadsheet program (openpyxl), after `edit(ws)`."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    edit(wb["就业方案"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _column(header: str) -> int:
    return EXPORT_HEADERS.index(header) + 1


# --- export ------------------------------------------------------------------------------------

def test_export_has_the_national_headers_in_order_and_codes_as_text(client, cohort_world):
    rows = _rows(_export(client, cohort_world.school_admin))
    assert tuple(rows[0]) == EXPORT_HEADERS
    by_number = {r[0]: dict(zip(EXPORT_HEADERS, r, strict=True)) for r in rows[1:]}
    assert set(by_number) == {"2022010101", "2022020202"}  # not the other school's 2022030303
    mine = by_number["2022010101"]
    assert mine["姓名"] == "王小明"
    assert mine["政治面貌"] == "01"  # two-digit code kept as text, never 1
    assert mine["考生号"] == "22340104150123"
    assert mine["出生日期"] == "2004-05-06"
    assert mine["毕业去向类别代码"] == "10"
    assert mine["毕业去向"] == "签就业协议形式就业"
    assert mine["单位性质代码"] == "39"
    assert mine["专业代码"] == "080902"
    assert mine["毕业年份"] == "2027"
    assert mine["签约日期"] == "2027-03-01"


def test_export_neutralises_formula_looking_cells(client, cohort_world):
    content = _export(client, cohort_world.school_admin)
    wb = openpyxl.load_workbook(io.BytesIO(content))
    ws = wb["就业方案"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value}
    assert "'" + FORMULA_UNIT in cells and cells["'" + FORMULA_UNIT].data_type == "s"
    assert "'+86 合肥市" in cells
    assert not any(c.data_type == "f" for c in cells.values())


def test_export_is_audited_with_rows_and_filters(client, cohort_world):
    before = AuditEntry.objects.count()
    _export(client, cohort_world.school_admin, college_id=cohort_world.college.pk)
    entry = AuditEntry.objects.order_by("-id").first()
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "registry.national_export"
    assert "1条" in entry.summary
    assert entry.changes["院系"] == "计算机学院"
    assert entry.changes["条数"] == 1


def test_college_staff_export_only_their_college(client, cohort_world):
    rows = _rows(_export(client, cohort_world.college_admin, college_id=cohort_world.other_college.pk))
    assert [r[0] for r in rows[1:]] == ["2022010101"]  # the other college's filter is ignored
    rows = _rows(_export(client, cohort_world.other_college_admin))
    assert [r[0] for r in rows[1:]] == ["2022020202"]


def test_province_staff_export_a_chosen_school(client, cohort_world):
    w = cohort_world
    client.force_login(w.province_admin)
    refused = client.get(EXPORT_URL, {"cohort": 2027})
    assert refused.status_code == 400 and "请选择要导出的院校" in refused.content.decode()
    for school in (w.school, w.other_school):  # both schools belong to the default province
        school.province = w.province
        school.save()
    rows = _rows(_export(client, w.province_admin, school_id=w.other_school.pk))
    assert [r[0] for r in rows[1:]] == ["2022030303"]


def test_graduates_and_employers_cannot_export_or_check(client, cohort_world):
    w = cohort_world
    for user in (w.graduate_user, w.employer_user):
        client.force_login(user)
        assert client.get(EXPORT_URL, {"cohort": 2027}).status_code == 403
        assert client.get("/staff/registry/national/").status_code == 403
        assert client.post(CHECK_URL, {"cohort": 2027, "file": _upload(b"PK\x03\x04")}).status_code == 403
    client.logout()
    assert client.get(EXPORT_URL).status_code == 302


def test_api_export_and_check(client, api_client, cohort_world):
    w = cohort_world
    api_client.login_as(w.school_admin)
    response = api_client.get("/registry/national-export", cohort=2027)
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert tuple(_rows(content)[0]) == EXPORT_HEADERS
    checked = client.post("/api/v1/registry/national-check", {"cohort": 2027, "file": _upload(content)},
                          HTTP_AUTHORIZATION=f"Bearer {api_client.token}")
    assert checked.status_code == 200, checked.content
    body = checked.json()
    assert body["no_difference"] is True and body["file_rows"] == 2 and body["differences"] == []
    assert body["summary"].startswith("无差异")

    bad = client.post("/api/v1/registry/national-check", {"cohort": 2027, "file": _upload(_book([], sheet="名单"))},
                      HTTP_AUTHORIZATION=f"Bearer {api_client.token}")
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("文件中没有名为“就业方案”的工作表")

    api_client.login_as(w.graduate_user)
    graduate_check = client.post("/api/v1/registry/national-check", {"cohort": 2027, "file": _upload(content)},
                                 HTTP_AUTHORIZATION=f"Bearer {api_client.token}")
    assert graduate_check.status_code == 403
    refused = api_client.get("/registry/national-export", cohort=2027)
    assert refused.status_code == 403 and refused.json()["error"]["message"] == "无权执行此操作"
    api_client.login_as(w.school_admin)
    bad = api_client.get("/registry/national-export", cohort=99999)
    assert bad.status_code == 422


def test_export_query_count_is_constant(client, cohort_world):
    """Same number of queries for 2 and 42 graduates (the destination and major are joined)."""
    w = cohort_world
    client.force_login(w.school_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(EXPORT_URL, {"cohort": 2027})
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    count()  # warms the reference snapshot (code labels, divisions) and the session
    few = count()
    for i in range(40):
        g = f.make_graduate(college=w.college, major=w.major, student_number=f"2022990{i:03d}")
        if i % 2:
            Destination.objects.create(graduate=g, school=g.school, college=g.college, category_code="10",
                                       unit_name=f"单位{i}")
    assert count() == few


# --- check -------------------------------------------------------------------------------------

def test_unchanged_export_uploaded_back_has_no_difference(client, cohort_world):
    content = _export(client, cohort_world.school_admin)
    page, report = _report(client, _check(client, cohort_world.school_admin, content))
    assert report.no_difference and report.file_rows == 2 and report.matched_rows == 2
    assert "无差异" in page.content.decode()
    # the formula-looking unit name was neutralised by the export and compares equal
    assert report.formula_count == 0


def test_one_changed_cell_is_reported_exactly(client, cohort_world):
    content = _export(client, cohort_world.school_admin)

    def edit(ws):
        for row in ws.iter_rows(min_row=2):
            if row[0].value == "2022010101":
                row[_column("单位名称") - 1].value = "合肥新单位有限公司"

    page, report = _report(client, _check(client, cohort_world.school_admin, _edited(content, edit)))
    assert report.difference_count == 1 and report.differing_rows == 1
    assert report.extra_count == report.missing_count == 0
    [d] = report.differences
    assert (d.student_number, d.column, d.file_value, d.platform_value) == (
        "2022010101", "单位名称", "合肥新单位有限公司", FORMULA_UNIT)
    html = unescape(page.content.decode())
    assert "合肥新单位有限公司" in html and "'=HYPERLINK" in html  # the platform value shown neutralised


def test_missing_and_extra_rows_are_reported(client, cohort_world):
    w = cohort_world
    content = _export(client, w.school_admin)

    def edit(ws):
        ws.delete_rows(3)  # the second graduate (sorted by college then number: 李华)
        ws.append(["2099000001", "", "查无此人"] + [""] * (len(EXPORT_HEADERS) - 3))

    page, report = _report(client, _check(client, w.school_admin, _edited(content, edit)))
    assert report.difference_count == 0
    assert [(m.student_number, m.name, m.college) for m in report.missing] == [("2022020202", "李华", "外国语学院")]
    assert [(e.student_number, e.name) for e in report.extras] == [("2099000001", "查无此人")]

    def duplicate(ws):
        ws.append([c.value for c in ws[2]])  # the first graduate's row twice

    _, twice = _report(client, _check(client, w.school_admin, _edited(content, duplicate)))
    assert twice.matched_rows == 2 and twice.difference_count == 0
    [extra] = twice.extras
    assert (extra.row_number, extra.reason) == (4, "学号在文件中重复出现，本行未能对应到毕业生")
    html = unescape(page.content.decode())
    assert "查无此人" in html and "李华" in html and "文件中缺少的毕业生" in html


def test_difference_report_downloads_as_xlsx_for_its_owner_only(client, cohort_world):
    w = cohort_world
    content = _export(client, w.school_admin)

    def edit(ws):
        ws.cell(row=2, column=_column("单位地址")).value = "@SUM(1)"

    response = _check(client, w.school_admin, _edited(content, edit))
    page, report = _report(client, response)
    download = client.get(response["Location"] + "download/")
    assert download.status_code == 200 and download["Content-Type"] == XLSX
    wb = openpyxl.load_workbook(io.BytesIO(download.content))
    assert wb.sheetnames == ["概况", "不一致", "文件多出", "文件缺少", "公式样式单元格"]
    diffs = list(wb["不一致"].iter_rows(min_row=2, values_only=True))
    assert [(r[3], r[4]) for r in diffs] == [("单位地址", "'@SUM(1)")]  # neutralised in the report
    assert report.formula_count == 1 and report.formulas[0].column == "单位地址"
    client.force_login(w.other_school_admin)  # someone else with the link sees nothing
    assert client.get(response["Location"] + "download/").status_code == 404


def test_college_staff_check_only_their_college(client, cohort_world):
    w = cohort_world
    content = _export(client, w.school_admin)  # the whole school
    page, report = _report(client, _check(client, w.college_admin, content))
    assert report.matched_rows == 1 and report.missing_count == 0
    assert [e.student_number for e in report.extras] == ["2022020202"]  # not theirs: not revealed as a match


def _unchanged(before_graduates, before_audit):
    assert list(Graduate.objects.order_by("pk").values()) == before_graduates
    assert AuditEntry.objects.count() == before_audit


@pytest.mark.parametrize(("content", "message"), [
    (b"this is not a spreadsheet", "不是有效的Excel"),
    (b"PK\x03\x04 broken zip", "无法读取"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old xls", "旧版Excel"),
])
def test_malformed_upload_is_refused_in_chinese(client, cohort_world, content, message):
    before = list(Graduate.objects.order_by("pk").values()), AuditEntry.objects.count()
    response = _check(client, cohort_world.school_admin, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    _unchanged(*before)


def test_wrong_sheet_and_wrong_headers_are_named(client, cohort_world):
    w = cohort_world
    before = list(Graduate.objects.order_by("pk").values()), AuditEntry.objects.count()
    response = _check(client, w.school_admin, _book([["2022010101"]], sheet="Sheet1"))
    assert response.status_code == 400
    assert "没有名为“就业方案”的工作表（文件中的工作表：Sheet1）" in response.content.decode()

    headers = [h for h in EXPORT_HEADERS if h not in ("考生号", "单位地址")] + ["备注"]
    response = _check(client, w.school_admin, _book([["2022010101"]], headers=headers))
    text = response.content.decode()
    assert response.status_code == 400
    assert "缺少列：考生号、单位地址" in text and "多出列：备注" in text
    _unchanged(*before)


def _many_rows(rows: int) -> bytes:
    """A 就业方案 workbook of `rows` data rows, written as raw sheet XML (inline strings): seconds,
    not the minutes openpyxl would need."""
    cells = "".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>' for h in EXPORT_HEADERS)
    body = [f'<row r="1">{cells}</row>']
    body.extend(f'<row r="{n}"><c t="inlineStr"><is><t>{n}</t></is></c></row>' for n in range(2, rows + 2))
    sheet = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             'spreadsheetml/2006/main"><sheetData>' + "".join(body) + "</sheetData></worksheet>")
    template = _book([])
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = sheet.encode() if info.filename == "xl/worksheets/sheet1.xml" else src.read(info)
            dst.writestr(info.filename, data)
    return out.getvalue()


def test_sixty_thousand_rows_are_refused(client, cohort_world):
    before = list(Graduate.objects.order_by("pk").values()), AuditEntry.objects.count()
    response = _check(client, cohort_world.school_admin, _many_rows(60_000))
    assert response.status_code == 400
    assert "文件超过50000行，请按院系拆分后分别核对" in response.content.decode()
    _unchanged(*before)


def test_formula_cells_are_compared_as_text_and_change_nothing(client, cohort_world):
    """A real formula and formula-looking text in the upload: read as text, never evaluated,
    reported with a note and shown neutralised; nothing on the platform changes."""
    w = cohort_world
    content = _export(client, w.school_admin)

    def edit(ws):
        ws.cell(row=2, column=_column("单位名称")).value = "=1+1"  # openpyxl writes a formula cell
        ws.cell(row=2, column=_column("单位地址")).value = "-合肥"

    before = list(Graduate.objects.order_by("pk").values()), list(Destination.objects.values())
    page, report = _report(client, _check(client, w.school_admin, _edited(content, edit)))
    assert {(d.column, d.file_value) for d in report.differences} == {("单位名称", "=1+1"), ("单位地址", "-合肥")}
    assert {c.column for c in report.formulas} == {"单位名称", "单位地址"}
    assert all("未作为公式计算" in c.note for c in report.formulas)
    html = unescape(page.content.decode())
    assert "'=1+1" in html and "'-合肥" in html and "公式样式的单元格" in html
    assert (list(Graduate.objects.order_by("pk").values()), list(Destination.objects.values())) == before


def test_report_page_is_bounded_and_query_count_constant(client, cohort_world):
    """Differences are paged (50 a page); the report comes from the cache, not the database."""
    w = cohort_world
    for i in range(40):
        f.make_graduate(college=w.college, major=w.major, student_number=f"2022880{i:03d}")
    content = _export(client, w.school_admin)

    def edit(ws):
        for row in ws.iter_rows(min_row=2):
            row[_column("单位地址") - 1].value = "改过的地址"
            row[_column("学习形式") - 1].value = "改过"

    response = _check(client, w.school_admin, _edited(content, edit))
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as ctx:
        first = client.get(response["Location"])
    assert first.context["report"].difference_count == 84
    assert len(first.context["differences"]) == 50 and first.context["page"].has_next
    with CaptureQueriesContext(connection) as ctx2:
        second = client.get(response["Location"], {"page": 2})
    assert len(second.context["differences"]) == 34
    assert len(ctx.captured_queries) == len(ctx2.captured_queries)


@needs_postgresql
@pytest.mark.parametrize("persona,college", [("school_admin", False), ("school_admin", True), ("college_admin", False)])
def test_postgresql_reads_the_cohort_in_index_order(cohort_world, persona, college):
    """The export and the check walk the cohort in (college, student number, id) order straight
    from graduate_school_list_idx / graduate_college_list_idx: no sort of a whole school."""
    w = cohort_world
    user = getattr(w, persona)
    filters = resolve_filters(actor=user, cohort=2027, college_id=w.college.pk if college else None)
    plan = page_plan(cohort_graduates(actor=user, filters=filters))
    assert_index_ordered(plan, "graduates_graduate")
