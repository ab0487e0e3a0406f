"""Roster files for tests, built with openpyxl like a school would fill the template."""

from __future__ import annotations

import io
from datetime import date

import openpyxl
from stdnum.cn import ric

from apps.roster.parsing import COLUMNS

HEADERS = [c.template_header for c in COLUMNS]
BIRTH = date(2004, 1, 2)  # differs from the world fixture's people, so no accidental duplicates


def make_valid_id_number(birth: date, serial: int, county: str = "340104") -> str:
    """A valid 18-character ID number. (tests.factories.make_id_number passes the 17-digit
    body to stdnum's calc_check_digit, which expects the check digit's place included, so
    most of its numbers fail the checksum.)"""
    body = f"{county}{birth:%Y%m%d}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "?")


def id_number(n: int, birth: date = BIRTH) -> str:
    return make_valid_id_number(birth, n)


def person(n: int, **overrides) -> dict[str, object]:
    """A valid row for the world fixture's school (keys are the plain Chinese headers)."""
    row = {
        "学号": f"2026{n:06d}", "姓名": f"学生{n}", "身份证号": id_number(n), "性别": "男" if n % 2 else "女",
        "院系": "计算机学院", "专业名称": "软件工程", "专业代码": "080902", "学历层次": "31",
        "民族": "汉族", "政治面貌": "共青团员", "城乡生源": "农村", "培养方式": "非定向", "学习形式": "全日制",
        "入学年月": "2022-09", "毕业日期": "2026-06-30", "生源地代码": "340104", "困难生类别": "非困难生",
        "师范生类别": "非师范生", "手机号": f"139{n:08d}",
    }
    row.update(overrides)
    return row


def xlsx(rows, headers: list[str] | None = None) -> bytes:
    """rows: dicts keyed by plain header (None for a blank line)."""
    headers = headers or HEADERS
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "生源"
    sheet.append(headers)
    plain = [h.rstrip("*") for h in headers]
    for row in rows:
        sheet.append([None] * len(headers) if row is None else [row.get(h) for h in plain])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def id_number_ending_in_x(birth: date = BIRTH) -> str:
    for serial in range(1000):
        number = make_valid_id_number(birth, serial)
        if number.endswith("X"):
            return number
    raise AssertionError("no serial gives X")


def issues_of(roster_import, *, warnings: bool | None = None) -> set[tuple[int, str, str]]:
    qs = roster_import.issues.all()
    if warnings is not None:
        qs = qs.filter(is_warning=warnings)
    return {(i.row_number, i.column, i.message) for i in qs}
