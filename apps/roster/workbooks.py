"""Excel files the roster import hands out: the blank template and the issue report. Both are
written through apps.core.exports (every export's one door: formula-safe cells, streaming)."""

from __future__ import annotations

from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from apps.core.exports import BOLD, Column, XlsxBook
from apps.reference.models import Division
from apps.reference.selectors import code_entries
from apps.roster.parsing import COLUMNS, EXAMPLE, SHEET

TEMPLATE_ROWS = 20_000  # rows covered by the drop-down lists of code columns
_REQUIRED_FILL = "FDECEA"
_EXAMPLE_FONT = Font(italic=True, color="808080")

GENERAL_NOTES = (
    "每行一名毕业生；请勿修改第一行的列名，列名带*的为必填列。",
    "第2行是示例，导入前请删除（保留示例行的文件会被拒绝）。",
    "学号、身份证号、考生号、专业代码、生源地代码、手机号请使用文本格式，以免Excel去掉前导0或改写长数字。",
    "代码列（性别、民族、政治面貌、学历层次等）可填写代码或名称，可选值见同名工作表。",
    "同一届中“学号+学历层次”唯一；“新增并更新”方式下，已存在的记录按本文件更新，空白的选填单元格不会清除已有数据。",
    "上传后系统逐行校验并给出报告；有错误时不会导入任何数据，修改后重新上传即可。",
)


def template_workbook() -> bytes:
    book = XlsxBook()
    # the code tables first: the drop-down lists of the roster sheet need their lengths
    code_tables = {index: list(code_entries(column.table, scheme=column.scheme))
                   for index, column in enumerate(COLUMNS, start=1) if column.table}

    sheet = book.sheet(SHEET, [
        Column(c.template_header, 22 if index == 3 else max(10, len(c.template_header) * 2 + 4),
               text=True,  # text: keeps leading zeros and long numbers
               fill=_REQUIRED_FILL if c.required else None)
        for index, c in enumerate(COLUMNS, start=1)
    ])
    sheet.append([EXAMPLE.get(c.header, "") for c in COLUMNS], font=_EXAMPLE_FONT)
    for index, column in enumerate(COLUMNS, start=1):
        entries = code_tables.get(index)
        if entries:
            # a drop-down of names; codes typed by hand stay allowed (no error box)
            choice = DataValidation(type="list", formula1=f"'{column.header}'!$B$2:$B${len(entries) + 1}",
                                    allow_blank=True, showErrorMessage=False)
            letter = get_column_letter(index)
            choice.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
            sheet.add_data_validation(choice)

    notes = book.sheet("说明", [Column(width=w) for w in (14, 10, 80, 22)], header=False)
    notes.append(["导入说明"], font=BOLD)
    for line in GENERAL_NOTES:
        notes.append([line])
    notes.append([])
    notes.append(["列名", "是否必填", "填写说明", "示例"], font=BOLD)
    for column in COLUMNS:
        notes.append([column.header, "必填" if column.required else "选填", column.help, EXAMPLE.get(column.header, "")])

    for index, column in enumerate(COLUMNS, start=1):
        if index not in code_tables:
            continue
        entries = code_tables[index]
        has_old = any((e.extra or {}).get("old_name") for e in entries)
        codes = book.sheet(column.header, [Column("代码"), Column("名称", 28)] + ([Column("也可填写")] if has_old else []))
        for entry in entries:
            codes.append([entry.code, entry.name] + ([(entry.extra or {}).get("old_name", "")] if has_old else []))

    places = book.sheet("生源地代码", [Column("代码"), Column("名称", 36)])
    for code, full_name in Division.objects.filter(is_current=True, is_county_level=True).order_by("code") \
            .values_list("code", "full_name"):
        places.append([code, full_name])
    return book.to_bytes()


def issues_workbook(*, title: str, issues, note: str = "") -> bytes:
    """The report of one import: `issues` is an iterable of RosterIssue (or alike). The messages
    quote what the uploader typed, so they go through the formula-safe writer too. `note`
    ends it (how many issues were found beyond the stored ones)."""
    book = XlsxBook()
    sheet = book.sheet("校验结果", [Column(width=8), Column(width=14), Column(width=8), Column(width=90)],
                       header=False)
    sheet.append([title])
    sheet.append(["行号", "列", "级别", "说明"], font=BOLD)
    for issue in issues:
        sheet.append([issue.row_number, issue.column, "警告" if issue.is_warning else "错误", issue.message])
    if note:
        sheet.append([note])
    return book.to_bytes()
