"""The roster file's layout (columns of the 生源 sheet) and reading it cell by cell.

Knows nothing about the database: it turns an .xlsx file into (row number, {field: text})
pairs. The rules that judge the values live in apps/roster/validation.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import openpyxl
from stdnum.cn import ric

from apps.core.text import normalise

SHEET = "生源"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass(frozen=True)
class Column:
    header: str  # as written in the template, without the required mark
    field: str  # key of the cleaned record
    required: bool = False
    max_length: int | None = None
    table: str = ""  # code table slug (apps.reference), empty for free text
    scheme: str = ""
    help: str = ""

    @property
    def template_header(self) -> str:
        return f"{self.header}*" if self.required else self.header


COLUMNS: tuple[Column, ...] = (
    Column("学号", "student_number", True, 30, help="学校内唯一的学号。同一学号可因学历层次不同出现多条记录。"),
    Column("姓名", "name", True, 50, help="与身份证一致；少数民族姓名中的间隔号请用“·”。"),
    Column("身份证号", "id_number", True, help="18位居民身份证号，末位可为X。请将单元格设为文本格式，以免Excel改写数字。"),
    Column("性别", "gender_code", True, table="gender", help="填写代码或名称（见“性别”工作表），须与身份证号一致。"),
    Column("院系", "college", True, 100, help="院系名称或院系代码；系统中没有的院系将在导入时新建（校验报告中有提示）。"),
    Column("专业名称", "major_name", True, 100, help="专业名称；该院系下没有的专业将在导入时新建。"),
    Column("专业代码", "major_code", False, 20, help="国家专业目录代码，如080902；同一院系有同名专业时必填。"),
    Column("学历层次", "education_level_code", True, table="education_level", scheme="employment-xldm",
           help="填写学历代码或名称（见“学历层次”工作表），如31或本科生毕业。"),
    Column("考生号", "exam_number", False, 30, help="高考考生号（14位）。"),
    Column("民族", "ethnicity_code", table="ethnicity", help="两位代码或名称（见“民族”工作表），如01或汉族。"),
    Column("政治面貌", "political_status_code", table="political_status", help="两位代码或名称（见“政治面貌”工作表）。"),
    Column("城乡生源", "urban_rural_code", table="urban_rural", help="代码或名称（见“城乡生源”工作表）。"),
    Column("培养方式", "training_mode_code", table="training_mode", help="代码或名称（见“培养方式”工作表）。"),
    Column("委培单位", "sponsor_unit", False, 200, help="培养方式为委培或定向时填写。"),
    Column("学习形式", "study_form", False, 20, help="如全日制、非全日制。"),
    Column("入学年月", "enrolment_date", help="格式YYYY-MM或YYYYMM，如2022-09。"),
    Column("毕业日期", "graduation_date", help="格式YYYY-MM-DD，如2026-06-30。"),
    Column("生源地代码", "origin_division", help="高考时户籍所在区县的6位行政区划代码（须精确到区县，见“生源地代码”工作表）。"),
    Column("困难生类别", "hardship_code", table="hardship", help="代码或名称（见“困难生类别”工作表）。"),
    Column("师范生类别", "normal_student_code", table="normal_student", help="代码或名称（见“师范生类别”工作表）。"),
    Column("手机号", "phone", help="11位大陆手机号码。"),
)
COLUMN_BY_FIELD = {c.field: c for c in COLUMNS}

# The template's example row (by header). Codes are given by name, as most staff will.
# A row with this student number and ID number is refused, so a forgotten example
# never becomes a graduate.
_EXAMPLE_ID_BODY = "34010420030517123"
EXAMPLE = {
    "学号": "2022000001", "姓名": "张三", "身份证号": _EXAMPLE_ID_BODY + ric.calc_check_digit(_EXAMPLE_ID_BODY + "?"),
    "性别": "男", "院系": "计算机学院", "专业名称": "软件工程", "专业代码": "080902", "学历层次": "本科生毕业",
    "考生号": "22340104150123", "民族": "汉族", "政治面貌": "共青团员", "城乡生源": "城镇", "培养方式": "非定向",
    "委培单位": "", "学习形式": "全日制", "入学年月": "2022-09", "毕业日期": "2026-06-30", "生源地代码": "340104",
    "困难生类别": "非困难生", "师范生类别": "非师范生", "手机号": "13912345678",
}


class UnreadableFile(Exception):
    """The file is not an .xlsx workbook openpyxl can read."""


def looks_like_xlsx(head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC)


def looks_like_xls(head: bytes) -> bool:
    return head.startswith(OLE_MAGIC)


def open_workbook(fileobj):
    try:
        return openpyxl.load_workbook(fileobj, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, XML errors …
        raise UnreadableFile(str(exc)) from None


def _header_key(value) -> str:
    text = normalise(value if isinstance(value, str) else ("" if value is None else str(value)))
    return text.replace("*", "").replace("＊", "")


@dataclass
class RawRow:
    number: int  # as Excel shows it
    values: dict[str, object]  # field → cell value as read (None for blank)

    def is_blank(self) -> bool:
        return all(v is None or (isinstance(v, str) and not v.strip()) for v in self.values.values())


class RosterSheet:
    """The 生源 sheet of an uploaded workbook (or its first sheet when none is named so), read
    by openpyxl: the fallback of the streaming reader and the reference it is tested against."""

    reader = "openpyxl"

    def __init__(self, fileobj):
        self.workbook = open_workbook(fileobj)
        names = self.workbook.sheetnames
        self.sheet = self.workbook[SHEET] if SHEET in names else self.workbook.worksheets[0]
        self.positions: dict[str, int] = {}
        self.missing: list[str] = []
        self.duplicated: list[str] = []
        self._read_header()

    def _read_header(self) -> None:
        by_header = {c.header: c for c in COLUMNS}
        first = next(self.sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
        for index, value in enumerate(first):
            column = by_header.get(_header_key(value))
            if column is None:
                continue
            if column.field in self.positions:
                self.duplicated.append(column.header)
                continue
            self.positions[column.field] = index
        self.missing = [c.header for c in COLUMNS if c.required and c.field not in self.positions]

    @property
    def estimated_rows(self) -> int:
        """From the sheet's dimension record; blank trailing rows may be included."""
        max_row = self.sheet.max_row or 0
        return max(0, max_row - 1)

    def rows(self) -> Iterator[RawRow]:
        for number, cells in enumerate(self.sheet.iter_rows(min_row=2, values_only=True), start=2):
            values = {}
            for field, index in self.positions.items():
                values[field] = cells[index] if index < len(cells) else None
            yield RawRow(number, values)

    def close(self) -> None:
        self.workbook.close()


def open_roster_sheet(fileobj):
    """The roster sheet of an upload, for validation: the streaming reader
    (apps/roster/xlsx_stream.py), or openpyxl's RosterSheet when the package is unusual."""
    from apps.roster.xlsx_stream import open_sheet

    return open_sheet(fileobj)


def cell_text(value) -> str:
    """A cell as text: numbers without a trailing .0, dates as ISO, text stripped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


_YM_SEP = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$")
_YM_COMPACT = re.compile(r"^(\d{4})(\d{2})$")
_YMD_SEP = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_YMD_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def parse_year_month(value) -> date | None:
    """入学年月: YYYY-MM / YYYYMM (also 2022.9, 2022年9月, or an Excel date); the 1st of the month."""
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    text = normalise(cell_text(value))
    match = _YM_SEP.match(text) or _YM_COMPACT.match(text)
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 1950 <= year <= 2100):
        return None
    return date(year, month, 1)


def parse_date(value) -> date | None:
    """毕业日期: YYYY-MM-DD / YYYYMMDD (also with / or . or 年月日, or an Excel date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = normalise(cell_text(value))
    match = _YMD_SEP.match(text) or _YMD_COMPACT.match(text)
    if not match:
        return None
    try:
        parsed = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return parsed if 1950 <= parsed.year <= 2100 else None
