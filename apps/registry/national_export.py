"""The national 就业方案 export (就业方案导出, 2024届 layout): a cohort of a school (or of a
college) as .xlsx, in exactly ``national.EXPORT_HEADERS`` order, values from the same getters as
``national.registry_record`` (codes where the header says 代码, two-digit strings kept).

Why streamed to a temporary file: a whole school is 20,000 graduates × 39 columns. The graduates
are read with ``.iterator(chunk_size=…)`` (the destination and the major joined in the same
query, the encrypted columns left out), each row goes straight into openpyxl's write-only sheet
(which spools rows to disk) and the finished workbook is saved into a temporary file that the
view hands out with a FileResponse — nothing holds the whole cohort in memory. The archive
record is not read: no column of the 就业方案 layout comes from it.

Who: school staff (their school, optionally one college), college staff (their college only:
``visible_to`` decides), province staff (one school of their province at a time — a provincial
file of half a million rows is not a download). Every export is audited (who, rows, filters).
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import BinaryIO

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, require_role
from apps.accounts.scoping import visible_to
from apps.audit.services import audit_record
from apps.core.errors import DomainError
from apps.core.exports import Column, XlsxBook
from apps.graduates.models import Graduate
from apps.organisations.models import College, School
from apps.registry.national import EXPORT_HEADERS, FIELD_BY_KEY

SHEET_TITLE = "就业方案"
CHUNK_SIZE = 2000
EXPORT_FIELDS = tuple(FIELD_BY_KEY[h] for h in EXPORT_HEADERS)
# Only the columns the exported fields read: the encrypted ones (ID number, phones) are never
# loaded, and at 20,000 rows every column left out saves a conversion per row. A getter of
# national.py reading another column would load it row by row — the constant-query test fails.
_ONLY = (
    "school_id", "college_id", "major_id", "cohort", "student_number", "exam_number", "name", "gender_code",
    "birth_date", "origin_division_id", "ethnicity_code", "political_status_code", "urban_rural_code",
    "education_level_code", "enrolment_date", "graduation_date", "training_mode_code", "sponsor_unit",
    "study_form", "major__name", "major__code", "college__name",
    *(f"destination__{name}" for name in (
        "category_code", "sign_date", "unit_name", "credit_code", "country_region", "abroad_school_cn",
        "abroad_school_foreign", "abroad_major_cn", "abroad_major_foreign", "unit_nature_code", "industry_code",
        "unit_division_id", "unit_address", "position_category_code")),
)
_WIDE = {"姓名": 10, "单位名称": 30, "单位地址": 30, "留学院校中文名称": 24, "留学院校外文名称": 24,
         "留学专业中文名称": 20, "留学专业外文名称": 20, "生源地名称": 24, "单位所在地": 24, "毕业去向": 18}

NO_COHORT = "请填写届别（毕业年份，如2026）"
BAD_COHORT = "届别应为4位年份，如2026"
PICK_SCHOOL = "请选择要导出的院校"
BAD_COLLEGE = "所选院系不存在或不在您的管理范围内"


def export_columns() -> list[Column]:
    """Every column is text: 学号, 考生号 and the codes must not become numbers ("01")."""
    return [Column(h, _WIDE.get(h, 14), text=True) for h in EXPORT_HEADERS]


@dataclass(frozen=True)
class ExportFilters:
    cohort: int
    school: School
    college: College | None = None


def clean_cohort(value) -> int:
    if value in (None, ""):
        raise DomainError(NO_COHORT, fields={"cohort": NO_COHORT})
    try:
        cohort = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(BAD_COHORT, fields={"cohort": BAD_COHORT}) from None
    if not 2000 <= cohort <= 2100:
        raise DomainError(BAD_COHORT, fields={"cohort": BAD_COHORT})
    return cohort


def resolve_filters(*, actor, cohort, college_id=None, school_id=None) -> ExportFilters:
    """The school and college an export or a check covers, from what the actor may see.
    College staff are held to their college whatever they ask; province staff name a school."""
    require_role(actor, STAFF)
    cohort = clean_cohort(cohort)
    college = None
    if actor.role == Role.COLLEGE_STAFF:
        college = College.objects.select_related("school").get(pk=actor.college_id)
        return ExportFilters(cohort=cohort, school=college.school, college=college)
    if actor.role == Role.PROVINCE_STAFF:
        school = visible_to(School, actor).filter(pk=school_id).first() if school_id else None
        if school is None:
            raise DomainError(PICK_SCHOOL, fields={"school_id": PICK_SCHOOL})
    else:
        school = School.objects.get(pk=actor.school_id)
    if college_id:
        college = visible_to(College, actor).filter(pk=college_id, school=school).first()
        if college is None:
            raise DomainError(BAD_COLLEGE, fields={"college_id": BAD_COLLEGE})
    return ExportFilters(cohort=cohort, school=school, college=college)


def cohort_graduates(*, actor, filters: ExportFilters) -> QuerySet[Graduate]:
    """The cohort's graduates the actor may see, with the major and the destination in the same
    query. Ordered (college, student number, id) after the equality filters (school|college,
    cohort): the order of graduate_school_list_idx / graduate_college_list_idx."""
    qs = visible_to(Graduate, actor).filter(school=filters.school, cohort=filters.cohort)
    if filters.college is not None:
        qs = qs.filter(college=filters.college)
    return (qs.select_related("major", "destination", "college")
            .only(*_ONLY)
            .order_by("college_id", "student_number", "id"))


def destination_of(graduate):
    try:
        return graduate.destination
    except ObjectDoesNotExist:
        return None


def export_values(graduate) -> list[str]:
    """One row of the layout: the registry record's values for the exported columns."""
    destination = destination_of(graduate)
    return [f.getter(graduate, destination, None) for f in EXPORT_FIELDS]


def export_filename(filters: ExportFilters) -> str:
    college = f"-{filters.college.name}" if filters.college is not None else ""
    return f"就业方案-{filters.school.name}{college}-{filters.cohort}届.xlsx"


@dataclass
class NationalExport:
    file: BinaryIO  # a temporary file positioned at 0; closing it deletes it
    rows: int
    filename: str


def national_export(*, actor, cohort, college_id=None, school_id=None, client_address: str = "") -> NationalExport:
    """Write the cohort's 就业方案 workbook into a temporary file and audit the export."""
    filters = resolve_filters(actor=actor, cohort=cohort, college_id=college_id, school_id=school_id)
    book = XlsxBook()
    sheet = book.sheet(SHEET_TITLE, export_columns())
    rows = 0
    for graduate in cohort_graduates(actor=actor, filters=filters).iterator(chunk_size=CHUNK_SIZE):
        sheet.append(export_values(graduate))
        rows += 1
    handle = tempfile.TemporaryFile(suffix=".xlsx")
    try:
        book.save(handle)
        handle.seek(0)
        with transaction.atomic():
            audit_record(
                actor=actor, action="registry.national_export",
                summary=f"导出{filters.cohort}届就业方案：{rows}条", target=None,
                school_id=filters.school.pk, college_id=filters.college.pk if filters.college else None,
                changes={"届别": filters.cohort, "院系": filters.college.name if filters.college else "全部",
                         "条数": rows},
                client_address=client_address,
            )
    except BaseException:
        handle.close()
        raise
    return NationalExport(file=handle, rows=rows, filename=export_filename(filters))
