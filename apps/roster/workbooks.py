"""Excel files the roster import hands out: the blank template and the issue report."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.reference.models import Division
from apps.reference.selectors import code_entries
from apps.roster.parsing import COLUMNS, EXAMPLE, SHEET

TEMPLATE_ROWS = 20_000  # rows covered by the drop-down lists of code columns
_BOLD = Font(bold=True)
_REQUIRED_FILL = PatternFill("solid", fgColor="FDECEA")
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")
_EXAMPLE_FONT = Font(italic=True, color="808080")

GENERAL_NOTES = (
    "每行一名毕业生；请勿修改第一行的列名，列名带*的为必填列。",
    "第2行是示例，导入前请删除（保留示例行的文件会被拒绝）。",
    "学号、身份证号、考生号、专业代码、生源地代码、手机号请使用文本格式，以免Excel去掉前导0或改写长数字。",
    "代码列（性别、民族、政治面貌、学历层次等）可填写代码或名称，可选值见同名工作表。",
    "同一届中“学号+学历层次”唯一；“新增并更新”方式下，已存在的记录按本文件更新，空白的选填单元格不会清除已有数据。",
    "上传后系统逐行校验并给出报告；有错误时不会导入任何数据，修改后重新上传即可。",
)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template_workbook() -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    sheet.append([c.template_header for c in COLUMNS])
    sheet.append([EXAMPLE.get(c.header, "") for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = _BOLD
        header.fill = _REQUIRED_FILL if column.required else _HEADER_FILL
        sheet.cell(row=2, column=index).font = _EXAMPLE_FONT
        sheet.cell(row=2, column=index).number_format = "@"
        sheet.column_dimensions[letter].width = max(10, len(column.template_header) * 2 + 4)
        sheet.column_dimensions[letter].number_format = "@"  # text: keeps leading zeros and long numbers
    sheet.column_dimensions[get_column_letter(3)].width = 22
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("说明")
    notes.append(["导入说明"])
    notes["A1"].font = _BOLD
    for line in GENERAL_NOTES:
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "填写说明", "示例"])
    for cell in notes[notes.max_row]:
        cell.font = _BOLD
    for column in COLUMNS:
        notes.append([column.header, "必填" if column.required else "选填", column.help, EXAMPLE.get(column.header, "")])
    for letter, width in zip("ABCD", (14, 10, 80, 22), strict=True):
        notes.column_dimensions[letter].width = width

    for index, column in enumerate(COLUMNS, start=1):
        if not column.table:
            continue
        entries = list(code_entries(column.table, scheme=column.scheme))
        codes = workbook.create_sheet(column.header)
        has_old = any((e.extra or {}).get("old_name") for e in entries)
        codes.append(["代码", "名称"] + (["也可填写"] if has_old else []))
        for cell in codes[1]:
            cell.font = _BOLD
        for entry in entries:
            codes.append([entry.code, entry.name] + ([(entry.extra or {}).get("old_name", "")] if has_old else []))
        codes.column_dimensions["B"].width = 28
        if entries:
            # a drop-down of names; codes typed by hand stay allowed (no error box)
            choice = DataValidation(type="list", formula1=f"'{column.header}'!$B$2:$B${len(entries) + 1}",
                                    allow_blank=True, showErrorMessage=False)
            letter = get_column_letter(index)
            choice.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(choice)

    places = workbook.create_sheet("生源地代码")
    places.append(["代码", "名称"])
    for cell in places[1]:
        cell.font = _BOLD
    for code, full_name in Division.objects.filter(is_current=True, is_county_level=True).order_by("code") \
            .values_list("code", "full_name"):
        places.append([code, full_name])
    places.column_dimensions["B"].width = 36
    workbook.active = 0
    return _save(workbook)


def issues_workbook(*, title: str, issues) -> bytes:
    """The report of one import: `issues` is an iterable of RosterIssue (or alike)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("校验结果")
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 8
    sheet.column_dimensions["D"].width = 90
    sheet.append([title])
    sheet.append(["行号", "列", "级别", "说明"])
    for issue in issues:
        sheet.append([issue.row_number, issue.column, "警告" if issue.is_warning else "错误", issue.message])
    return _save(workbook)
