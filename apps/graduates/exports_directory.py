"""毕业生查询 → 导出 Excel: any filtered directory list as an .xlsx, written row by row into a
temporary file (openpyxl write-only through apps.core.exports) and handed out as a FileResponse,
so a school's 30,000 graduates never sit in memory as one workbook or one bytes object.

The rows are the list's own (selectors.graduates_list + directory_row): the same scope, filters,
order and masked ID number as the page. Every cell passes apps.core.exports.safe_cell (a name
typed as ``=1+1`` arrives as the text ``'=1+1``). One audit entry per export names the filters
and the number of rows."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.errors import DomainError
from apps.core.exports import Column, XlsxBook
from apps.core.listing import bounded_count
from apps.graduates.selectors import GraduateFilters, directory_row, filters_summary, graduates_list

EXPORT_MAX_ROWS = 100_000  # one export; a province's whole directory is refused with advice
CHUNK_SIZE = 2_000
SHEET_TITLE = "毕业生名单"

COLUMNS = (
    Column("学号", 16, text=True),
    Column("姓名", 12),
    Column("身份证号", 22, text=True),
    Column("院校", 20),
    Column("院系", 20),
    Column("专业", 20),
    Column("学历层次", 10),
    Column("届别", 8),
    Column("毕业去向", 20),
    Column("审核状态", 10),
    Column("生源确认", 10),
    Column("网签", 8),
)


def export_max_rows() -> int:
    return int(getattr(settings, "DIRECTORY_EXPORT_MAX_ROWS", EXPORT_MAX_ROWS))


def export_values(graduate) -> list:
    row = directory_row(graduate)
    return [row.student_number, row.name, row.id_number_masked, row.school, row.college, row.major,
            row.education_level, row.cohort, row.destination_category, row.destination_status,
            "已确认" if row.origin_confirmed else "未确认", "已网签" if row.signed_online else "未网签"]


def _audit_school_id(actor, filters: GraduateFilters) -> int | None:
    """The school whose chain records the export: the actor's own, or the school province staff
    picked (only one of their province: a foreign id must not put an entry in another chain)."""
    from apps.accounts.scoping import visible_to
    from apps.organisations.models import School

    if getattr(actor, "school_id", None):
        return actor.school_id
    if filters.school_id and visible_to(School, actor).filter(pk=filters.school_id).exists():
        return filters.school_id
    return None


@dataclass
class DirectoryExport:
    file: BinaryIO  # a temporary file positioned at 0; closing it deletes it
    rows: int
    filename: str


def directory_export(*, actor, filters: GraduateFilters, client_address: str = "") -> DirectoryExport:
    """Write the filtered list into a temporary file and audit the export (graduates.export).
    More rows than export_max_rows() is refused before anything is written."""
    listed = graduates_list(actor=actor, filters=filters)
    cap = export_max_rows()
    total, capped = bounded_count(listed, cap)
    if capped:
        raise DomainError(f"符合条件的毕业生超过 {cap} 人，一次最多导出 {cap} 条。请先按院系、届别等条件筛选后再导出。",
                          code="export_too_large")
    book = XlsxBook()
    sheet = book.sheet(SHEET_TITLE, COLUMNS)
    rows = 0
    for graduate in listed.iterator(chunk_size=CHUNK_SIZE):
        sheet.append(export_values(graduate))
        rows += 1
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        book.save(handle)
        handle.seek(0)
        summary = filters_summary(filters)
        with transaction.atomic():
            audit_record(
                actor=actor, action="graduates.export",
                summary=f"导出毕业生名单：{rows}条", target=None,
                school_id=_audit_school_id(actor, filters), college_id=getattr(actor, "college_id", None),
                changes={"筛选条件": "；".join(f"{k}：{v}" for k, v in summary.items()) or "全部", "条数": rows},
                client_address=client_address,
            )
    except BaseException:
        handle.close()
        raise
    filename = f"毕业生名单-{timezone.localdate():%Y%m%d}.xlsx"
    return DirectoryExport(file=handle, rows=rows, filename=filename)
