"""The streaming sheet reader (apps/roster/xlsx_stream.py) gives the rows openpyxl gives, on the
project's own template, on a file with every kind of cell, on a package written by hand the
way Excel writes one (shared strings, rich text, cells without coordinates, the 1904 date
system) and on a LibreOffice file; anything unusual is read by openpyxl instead."""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import zipfile
from datetime import date, datetime, time

import openpyxl
import pytest
from openpyxl.chart import BarChart, Reference

from apps.roster import parsing
from apps.roster.models import ImportStatus
from apps.roster.parsing import COLUMNS, RosterSheet, UnreadableFile
from apps.roster.services import roster_template_workbook
from apps.roster.xlsx_stream import StreamingRosterSheet, Unsupported, open_sheet
from tests.roster.builders import HEADERS, id_number, issues_of, person, xlsx

HEADER_NAMES = [c.header for c in COLUMNS]
# the hand-made packages carry no fonts or fills; openpyxl warns and reads them anyway
pytestmark = pytest.mark.filterwarnings("ignore:Workbook contains no default style")


def _read(reader, content: bytes):
    sheet = reader(io.BytesIO(content))
    try:
        rows = [(r.number, r.values) for r in sheet.rows() if not r.is_blank()]
        return {"positions": sheet.positions, "missing": sheet.missing, "duplicated": sheet.duplicated,
                "estimated_rows": sheet.estimated_rows, "rows": rows}
    finally:
        sheet.close()


def assert_same_as_openpyxl(content: bytes) -> dict:
    fast = _read(StreamingRosterSheet, content)
    slow = _read(RosterSheet, content)
    for key in ("positions", "missing", "duplicated", "estimated_rows"):
        assert fast[key] == slow[key], key
    assert len(fast["rows"]) == len(slow["rows"])
    for mine, theirs in zip(fast["rows"], slow["rows"], strict=True):
        assert mine == theirs  # row number and every field's value, type included
        assert [type(v) for v in mine[1].values()] == [type(v) for v in theirs[1].values()]
    return fast


@pytest.mark.django_db
def test_the_project_template_reads_the_same(reference):
    read = assert_same_as_openpyxl(roster_template_workbook())
    assert read["missing"] == [] and [n for n, _ in read["rows"]] == [2]
    assert read["rows"][0][1]["name"] == "张三"


def test_every_kind_of_cell_reads_the_same():
    workbook = openpyxl.Workbook()
    workbook.active.title = "说明"
    sheet = workbook.create_sheet("生源")  # not the first sheet: chosen by its name
    sheet.append(HEADERS)
    values = [
        ["2026000001", "张 三", id_number(1), "男", "计算机学院", "软件工程", 80902, 31, 22340104150123, 1, "01",
         True, False, None, "全日制", datetime(2022, 9, 1), date(2026, 6, 30), 340104, "", "  ", 13912345678],
        [2026000002, "李四", 340104200401020011, "女", "计算机学院", "软件工程", "080902", "本科生毕业", 2.5, 1.0,
         "=1+1", None, None, "委培单位", time(8, 30), "2022-09", "20260630", "340104", 0, -3, "+86 139-1234-5678"],
    ]
    for row in values:
        sheet.append(row)
    sheet.append([])  # a blank row in the middle
    sheet.append(["2026000003", "王五"] + [None] * 18 + ["139"])
    sheet.cell(row=9, column=2, value="隔了几行")  # rows missing in between
    sheet.cell(row=9, column=16).value = datetime(2022, 9, 1)
    sheet.cell(row=9, column=16).number_format = "yyyy年m月"  # a custom date format
    sheet.cell(row=9, column=17).value = 46203.0
    sheet.cell(row=9, column=17).number_format = "[h]:mm"  # a duration
    buffer = io.BytesIO()
    workbook.save(buffer)
    read = assert_same_as_openpyxl(buffer.getvalue())
    assert [n for n, _ in read["rows"]] == [2, 3, 5, 9]
    first = read["rows"][0][1]
    assert first["enrolment_date"] == datetime(2022, 9, 1) and first["major_code"] == 80902
    assert first["urban_rural_code"] is True


def _package(sheet_xml: str, *, shared: str | None = None, styles: str | None = None, date1904: bool = False,
             sheets=(("生源", "rId1"),)) -> bytes:
    """A workbook zipped by hand, as Excel writes one (shared strings, styles, relationships)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    sheet_entries = "".join(f'<sheet name="{name}" sheetId="{i}" r:id="{rid}"/>'
                            for i, (name, rid) in enumerate(sheets, start=1))
    properties = ' date1904="1"' if date1904 else ""
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook {ns} {rns}>'
                f'<workbookPr{properties}/><sheets>{sheet_entries}</sheets></workbook>')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rels = [f'<Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>',
            f'<Relationship Id="rId9" Type="{rel}/styles" Target="styles.xml"/>']
    overrides = ['<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.sheet.main+xml"/>',
                 '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.worksheet+xml"/>',
                 '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
                 'officedocument.spreadsheetml.styles+xml"/>']
    if shared is not None:
        rels.append(f'<Relationship Id="rId8" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>')
        overrides.append('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                         'officedocument.spreadsheetml.sharedStrings+xml"/>')
    styles = styles or (f'<styleSheet {ns}><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy/mm/dd"/>'
                        '</numFmts><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="164"/>'
                        '</cellXfs></styleSheet>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"><Default Extension="rels" ContentType="application/'
                         'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                         'ContentType="application/xml"/>' + "".join(overrides) + "</Types>")
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats'
                         '.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                         'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                         'Target="xl/workbook.xml"/></Relationships>')
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels",
                         '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/relationships">' + "".join(rels) + "</Relationships>")
        archive.writestr("xl/styles.xml", styles)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared is not None:
            archive.writestr("xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst {ns}>{shared}</sst>')
    return buffer.getvalue()


def _header_row_shared() -> tuple[str, str]:
    """Row 1 as shared strings 0..20 (the required mark on some, as in the template)."""
    strings = "".join(f"<si><t>{h}</t></si>" for h in HEADERS)
    cells = "".join(f'<c r="{openpyxl.utils.get_column_letter(i)}1" t="s"><v>{i - 1}</v></c>'
                    for i in range(1, len(HEADERS) + 1))
    return strings, f'<row r="1">{cells}</row>'


def test_a_package_written_like_excel_reads_the_same():
    strings, header = _header_row_shared()
    n = len(HEADERS)
    # shared strings from index n on: rich text, a phonetic run (left out), escapes and spaces
    strings += ("<si><r><rPr><b/></rPr><t>张</t></r><r><t xml:space=\"preserve\"> 三 </t></r>"
                "<rPh sb=\"0\" eb=\"1\"><t>ちょう</t></rPh></si>"
                "<si><t>计算机学院&amp;软件</t></si><si><t>_x005F_x000D_</t></si><si><t/></si>")
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<x:dimension ref="A1:U6"/><x:sheetData>'
        + header.replace("<row", "<x:row").replace("</row>", "</x:row>").replace("<c ", "<x:c ")
        .replace("</c>", "</x:c>").replace("<v>", "<x:v>").replace("</v>", "</x:v>")
        + f'<x:row r="2"><x:c r="A2" t="s"><x:v>{n + 2}</x:v></x:c><x:c r="B2" t="s"><x:v>{n}</x:v></x:c>'
        f'<x:c r="C2" t="inlineStr"><x:is><x:t>{id_number(3)}</x:t></x:is></x:c>'
        f'<x:c r="E2" t="s"><x:v>{n + 1}</x:v></x:c>'
        '<x:c r="G2"><x:v>80902</x:v></x:c><x:c r="H2" t="str"><x:f>A1</x:f><x:v>31</x:v></x:c>'
        '<x:c r="I2" t="e"><x:v>#N/A</x:v></x:c><x:c r="J2" t="b"><x:v>1</x:v></x:c>'
        '<x:c r="K2" t="inlineStr"><x:is><x:r><x:t>共青</x:t></x:r><x:r><x:t>团员</x:t></x:r></x:is></x:c>'
        '<x:c r="P2" s="1"><x:v>44805</x:v></x:c><x:c r="Q2" s="2"><x:v>46203.5</x:v></x:c>'
        f'<x:c r="T2" t="s"><x:v>{n + 3}</x:v></x:c><x:c r="U2"><x:v>1.3912345678E10</x:v></x:c></x:row>'
        # a row and cells without coordinates (allowed, counted on from the previous ones)
        '<x:row><x:c t="inlineStr"><x:is><x:t>2026000004</x:t></x:is></x:c><x:c t="inlineStr"><x:is><x:t>赵六'
        '</x:t></x:is></x:c><x:c r="P3" t="d"><x:v>2022-09-01T00:00:00</x:v></x:c><x:c><x:v>7</x:v></x:c></x:row>'
        '<x:row r="6" spans="1:21"><x:c r="B6" s="1"/><x:c r="C6" t="inlineStr"/><x:c r="D6"><x:v></x:v></x:c>'
        '<x:c r="E6" t="inlineStr"><x:is><x:t>只有院系</x:t></x:is></x:c></x:row>'
        '</x:sheetData></x:worksheet>'
    )
    content = _package(sheet, shared=strings)
    read = assert_same_as_openpyxl(content)
    assert [number for number, _ in read["rows"]] == [2, 3, 6]
    second = read["rows"][0][1]
    assert second["name"] == "张 三 " and second["college"] == "计算机学院&软件"
    assert second["political_status_code"] == "共青团员" and second["ethnicity_code"] is True
    assert second["exam_number"] == "#N/A" and second["education_level_code"] == "31"
    assert second["enrolment_date"] == datetime(2022, 9, 1)
    third = read["rows"][1][1]
    assert third["student_number"] == "2026000004" and third["graduation_date"] == 7
    assert third["enrolment_date"] == datetime(2022, 9, 1)

    # the same cells under the 1904 date system (Mac Excel): dates move by 1,462 days
    read_1904 = assert_same_as_openpyxl(_package(sheet, shared=strings, date1904=True))
    assert read_1904["rows"][0][1]["enrolment_date"] == datetime(2026, 9, 2)


def test_a_sheet_without_a_header_row_reads_the_same():
    sheet = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="3"><c r="A3" t="inlineStr"><is><t>学号</t></is></c></row></sheetData></worksheet>')
    read = assert_same_as_openpyxl(_package(sheet))
    assert read["missing"] == [c.header for c in COLUMNS if c.required]


@pytest.mark.skipif(shutil.which("libreoffice") is None and shutil.which("soffice") is None,
                    reason="LibreOffice is not installed on this machine")
def test_a_file_saved_by_libreoffice_reads_the_same(tmp_path):
    source = tmp_path / "roster.xlsx"
    source.write_bytes(xlsx([person(1), person(2, 入学年月=date(2022, 9, 1), 手机号=13912345678), None, person(4)]))
    out = tmp_path / "out"
    binary = shutil.which("libreoffice") or shutil.which("soffice")
    subprocess.run([binary, "--headless", "--convert-to", "xlsx", "--outdir", str(out), str(source)],
                   check=True, timeout=120, capture_output=True)
    read = assert_same_as_openpyxl((out / "roster.xlsx").read_bytes())
    assert [n for n, _ in read["rows"]] == [2, 3, 5]


def test_a_chart_sheet_first_falls_back_to_openpyxl(caplog):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "名单"
    sheet.append(HEADERS)
    sheet.append([person(1).get(h) for h in HEADER_NAMES])
    chart = workbook.create_chartsheet("图表", 0)  # the first sheet is a chart: openpyxl skips to the worksheet
    bars = BarChart()
    bars.add_data(Reference(sheet, min_col=7, min_row=1, max_row=2))
    chart.add_chart(bars)
    assert workbook.sheetnames[0] == chart.title
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(Unsupported):
        StreamingRosterSheet(io.BytesIO(buffer.getvalue()))
    with caplog.at_level(logging.WARNING, logger="apps.roster.xlsx_stream"):
        sheet = open_sheet(io.BytesIO(buffer.getvalue()))
    try:
        assert sheet.reader == "openpyxl"
        assert [r.values["name"] for r in sheet.rows()] == ["学生1"]
    finally:
        sheet.close()
    assert "read with openpyxl" in caplog.text and "学生1" not in caplog.text


def test_an_ordinary_upload_is_streamed():
    sheet = open_sheet(io.BytesIO(xlsx([person(1)])))
    try:
        assert sheet.reader == "stream"
    finally:
        sheet.close()


def test_entity_declarations_are_refused_not_expanded():
    bomb = ('<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            '<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>')
    with pytest.raises(UnreadableFile):
        sheet = StreamingRosterSheet(io.BytesIO(_package(bomb)))
        sheet.close()


@pytest.mark.django_db
def test_validation_reports_the_same_issues_with_either_reader(world, upload, monkeypatch):
    rows = [person(1), person(2, 身份证号="123", 手机号="12"), None, person(3, 性别="女", 民族="火星族"),
            person(1, 姓名="重复"), person(5, 入学年月=date(2022, 9, 1), 毕业日期="2020-01-01"),
            person(6, 院系="新能源学院")]
    content = xlsx(rows)
    streamed = upload(content)
    monkeypatch.setattr(parsing, "open_roster_sheet", RosterSheet)
    with_openpyxl = upload(content)
    assert streamed.status == with_openpyxl.status == ImportStatus.INVALID
    assert (streamed.total_rows, streamed.error_count, streamed.warning_count) == \
        (with_openpyxl.total_rows, with_openpyxl.error_count, with_openpyxl.warning_count)
    assert issues_of(streamed) == issues_of(with_openpyxl)
    assert len(issues_of(streamed, warnings=False)) >= 5
