"""The one door every export (导出) goes through: spreadsheets and CSV files the platform hands out.

Why one door: a graduate types the 接收单位 of an archive forwarding as ``=HYPERLINK("http://…")``
or the 部门 as ``=cmd|' /C calc'!A0``; if that text reaches a spreadsheet as it is, Excel or WPS
treats it as a live formula (CSV/formula injection) on the staff member's computer. Every cell
written here passes through `safe_cell`, and a standing test (tests/core/test_exports.py) fails
when any other module under apps/ creates an openpyxl Workbook or writes CSV.

How a dangerous cell is neutralised: a text starting with ``=``, ``+``, ``-``, ``@``, tab or CR is
prefixed with an apostrophe that is part of the text (OWASP's advice for CSV injection). Chosen
over an invisible zero-width or space prefix because

- the cell is a plain string cell (never ``data_type == "f"``); Excel and WPS show
  ``'=HYPERLINK(…)`` as harmless text and do not evaluate it, also after F2 + Enter;
- the mark stays visible, so staff see exactly what the graduate typed and that it was altered
  — an invisible character would silently travel into courier systems and break look-ups;
- it survives a "save as CSV" round trip, where a space may be trimmed and a quote-prefix style
  (the xlsx-only way) is lost.

The workbook writer uses openpyxl's write-only (streaming) mode: rows go to a temporary file as
they are appended, so a mailing list of tens of thousands of rows does not sit in memory as cells.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISING_PREFIX = "'"
TEXT_FORMAT = "@"  # Excel "text": keeps leading zeros and long digit strings (学号, 邮编, 电话)
HEADER_FILL = "E8EEF7"
BOLD = Font(bold=True)


def safe_cell(value: Any) -> Any:
    """`value` as it may go into a spreadsheet cell. Text that a spreadsheet would read as a
    formula gets the visible apostrophe prefix; control characters that are illegal in .xlsx
    (and would abort the whole export) are dropped. Numbers, dates and None pass unchanged."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if value.startswith(FORMULA_TRIGGERS):
        return NEUTRALISING_PREFIX + value
    return value


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, width (characters) and whether it holds text that
    Excel must not turn into a number; `fill` overrides the header colour (RRGGBB)."""

    header: str = ""
    width: float | None = None
    text: bool = False
    fill: str | None = None


class XlsxSheet:
    """A streaming sheet: widths and formats are fixed when it is created, then rows are appended."""

    def __init__(self, book: XlsxBook, title: str, columns: Sequence[Column], *, header: bool,
                 header_fill: str | None, freeze_header: bool):
        self._ws = book._workbook.create_sheet(title=title)
        self._columns = list(columns)
        for index, column in enumerate(self._columns, start=1):
            dimension = self._ws.column_dimensions[get_column_letter(index)]
            if column.width is not None:
                dimension.width = column.width
            if column.text:
                dimension.number_format = TEXT_FORMAT  # also the cells the user types in later
        if header and self._columns:
            self._ws.append([
                self._cell(c.header, font=BOLD, fill=c.fill or header_fill) for c in self._columns
            ])
            if freeze_header:
                self._ws.freeze_panes = "A2"

    def _cell(self, value, *, column: Column | None = None, font: Font | None = None, fill: str | None = None,
              number_format: str | None = None) -> WriteOnlyCell:
        cell = WriteOnlyCell(self._ws, value=safe_cell(value))
        if font is not None:
            cell.font = font
        if fill:
            cell.fill = PatternFill("solid", fgColor=fill)
        if number_format or (column is not None and column.text):
            cell.number_format = number_format or TEXT_FORMAT
        return cell

    def append(self, values: Iterable[Any], *, font: Font | None = None, fill: str | None = None,
               number_format: str | None = None) -> None:
        """One row; every value is passed through `safe_cell`. `font`, `fill` and
        `number_format` style the whole row (e.g. a bold sub-header, a grey example row)."""
        row = []
        for index, value in enumerate(values):
            column = self._columns[index] if index < len(self._columns) else None
            row.append(self._cell(value, column=column, font=font, fill=fill, number_format=number_format))
        self._ws.append(row)

    def add_data_validation(self, validation) -> None:
        """A drop-down list or other validation (written when the book is saved)."""
        self._ws.data_validations.append(validation)


class XlsxBook:
    """An .xlsx workbook written in openpyxl's write-only mode; the only way apps/ make one.

        book = XlsxBook()
        sheet = book.sheet("邮寄清单", [Column("学号", 14, text=True), Column("姓名", 10)])
        for row in rows:
            sheet.append(row)
        content = book.to_bytes()
    """

    def __init__(self):
        self._workbook = openpyxl.Workbook(write_only=True)

    def sheet(self, title: str, columns: Sequence[Column | str] = (), *, header: bool = True,
              header_fill: str | None = HEADER_FILL, freeze_header: bool = True) -> XlsxSheet:
        """A new sheet (in creation order). With `header`, the first row shows the column
        headers in bold on `header_fill` and stays visible while scrolling."""
        columns = [c if isinstance(c, Column) else Column(c) for c in columns]
        return XlsxSheet(self, title, columns, header=header, header_fill=header_fill, freeze_header=freeze_header)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()

    def save(self, fileobj) -> None:
        """Write the workbook into an open binary file (e.g. a temporary file handed to a
        FileResponse): a whole school's export never sits in memory as one bytes object."""
        self._workbook.save(fileobj)


def csv_bytes(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV export (UTF-8 with BOM so that Excel shows Chinese correctly); every cell through
    `safe_cell`, because a CSV opened in Excel evaluates formulas just the same."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(h) for h in headers])
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
