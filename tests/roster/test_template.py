"""The downloadable template: headers the parser reads, explanations, code sheets."""

from __future__ import annotations

import io

import openpyxl
import pytest

from apps.roster.models import ImportStatus
from apps.roster.services import roster_template_workbook
from tests.roster.builders import issues_of, person

pytestmark = pytest.mark.django_db

EXPECTED_HEADERS = [
    "学号*", "姓名*", "身份证号*", "性别*", "院系*", "专业名称*", "专业代码", "学历层次*", "考生号", "民族", "政治面貌",
    "城乡生源", "培养方式", "委培单位", "学习形式", "入学年月", "毕业日期", "生源地代码", "困难生类别", "师范生类别", "手机号",
]


def _load(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def test_template_has_the_roster_sheet_notes_and_one_sheet_per_code_table(reference):
    workbook = _load(roster_template_workbook())
    assert workbook.sheetnames[:2] == ["生源", "说明"]
    assert {"性别", "民族", "政治面貌", "城乡生源", "培养方式", "学历层次", "困难生类别", "师范生类别", "生源地代码"} \
        <= set(workbook.sheetnames)
    sheet = workbook["生源"]
    assert [c.value for c in sheet[1]] == EXPECTED_HEADERS
    example = dict(zip(EXPECTED_HEADERS, [c.value for c in sheet[2]], strict=True))
    assert example["姓名*"] == "张三" and example["学历层次*"] == "本科生毕业"
    notes = [row[0] for row in workbook["说明"].iter_rows(values_only=True)]
    assert all(h.rstrip("*") in notes for h in EXPECTED_HEADERS)
    ethnicity = list(workbook["民族"].iter_rows(values_only=True))
    assert ethnicity[0] == ("代码", "名称", "也可填写")
    assert ("20", "傈僳族", "傈傈族") in ethnicity
    levels = list(workbook["学历层次"].iter_rows(min_row=2, values_only=True))
    assert ("31", "本科生毕业") in levels and all(code != "231" for code, _ in levels)  # xldm scheme only
    places = dict(workbook["生源地代码"].iter_rows(min_row=2, values_only=True))
    assert places["340104"] == "安徽省合肥市蜀山区" and "340100" not in places


def test_template_round_trip_filled_in_is_valid(world, upload):
    workbook = _load(roster_template_workbook())
    sheet = workbook["生源"]
    headers = [c.value.rstrip("*") for c in sheet[1]]
    sheet.delete_rows(2)  # the example
    for n in (1, 2):
        row = person(n)
        sheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)

    roster_import = upload(buffer.getvalue())

    assert roster_import.status == ImportStatus.VALID
    assert roster_import.total_rows == 2
    assert issues_of(roster_import) == set()


def test_template_example_row_itself_passes_every_check_but_the_example_guard(world, upload):
    """The example shows valid values: only the guard against a forgotten example stops it."""
    workbook = _load(roster_template_workbook())
    sheet = workbook["生源"]
    sheet.cell(row=2, column=1, value="2026999999")  # another student number: no longer "the example"
    buffer = io.BytesIO()
    workbook.save(buffer)
    roster_import = upload(buffer.getvalue())
    assert roster_import.status == ImportStatus.VALID
    assert issues_of(roster_import, warnings=False) == set()
