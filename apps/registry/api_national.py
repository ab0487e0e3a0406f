"""JSON API of the national 就业方案 export and check (its own router, mounted beside
apps/registry/api.py under /registry/): the same services as the pages."""
from __future__ import annotations

from django.http import FileResponse
from ninja import File, Form, Router, Schema, UploadedFile

from apps.core.api import AUTH
from apps.core.exports import XLSX_CONTENT_TYPE, safe_cell
from apps.core.net import client_address
from apps.core.pagination import OptionalCohort, OptionalId
from apps.registry import national_check, national_export

router = Router(tags=["就业方案导出与核对"], auth=AUTH)

API_LIMIT = 500  # entries of each list in the JSON answer; the counts stay exact


class NationalDifferenceOut(Schema):
    row_number: int
    student_number: str
    name: str
    column: str
    file_value: str  # formula-looking values neutralised (leading apostrophe)
    platform_value: str


class NationalExtraOut(Schema):
    row_number: int
    student_number: str
    name: str
    reason: str


class NationalMissingOut(Schema):
    student_number: str
    name: str
    college: str


class NationalFormulaOut(Schema):
    row_number: int
    column: str
    value: str
    note: str


class NationalCheckOut(Schema):
    cohort: int
    school: str
    college: str
    no_difference: bool
    summary: str
    file_rows: int
    matched_rows: int
    differing_rows: int
    difference_count: int
    extra_count: int
    missing_count: int
    formula_count: int
    truncated: bool  # a list holds fewer entries than its count (the Excel report has more)
    differences: list[NationalDifferenceOut]
    extras: list[NationalExtraOut]
    missing: list[NationalMissingOut]
    formulas: list[NationalFormulaOut]
    report_url: str  # the Excel report (kept for an hour, for the same person)


def _neutral(item) -> dict:
    values = dict(vars(item))
    for key in ("file_value", "platform_value", "value"):
        if key in values:
            values[key] = safe_cell(values[key])
    return values


@router.get("/national-export",
            summary="工作人员：导出就业方案（xlsx，全国就业方案格式；学院管理员仅本院系；省级须指定院校；记入审计）")
def national_export_file(request, cohort: OptionalCohort = None, college_id: OptionalId = None,
                         school_id: OptionalId = None):
    if cohort is None and request.user.is_authenticated and request.user.school_id:
        cohort = request.user.school.current_cohort
    export = national_export.national_export(actor=request.user, cohort=cohort, college_id=college_id,
                                             school_id=school_id, client_address=client_address(request))
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    response["X-Export-Rows"] = str(export.rows)
    return response


@router.post("/national-check", response=NationalCheckOut,
             summary="学校/学院管理员：上传就业方案文件（multipart：file、cohort、college_id），逐行核对差异，不修改数据")
def national_check_file(request, file: File[UploadedFile], cohort: Form[int | None] = None,
                        college_id: Form[int | None] = None):
    from django.urls import reverse

    if cohort is None and request.user.school_id:
        cohort = request.user.school.current_cohort
    report = national_check.national_check(actor=request.user, uploaded_file=file, cohort=cohort,
                                           college_id=college_id, client_address=client_address(request))
    lists = {
        "differences": [_neutral(d) for d in report.differences[:API_LIMIT]],
        "extras": [vars(e) for e in report.extras[:API_LIMIT]],
        "missing": [vars(m) for m in report.missing[:API_LIMIT]],
        "formulas": [_neutral(c) for c in report.formulas[:API_LIMIT]],
    }
    truncated = (report.difference_count > API_LIMIT or report.extra_count > API_LIMIT
                 or report.missing_count > API_LIMIT or report.formula_count > API_LIMIT)
    return {
        "cohort": report.cohort, "school": report.school, "college": report.college,
        "no_difference": report.no_difference, "summary": report.summary,
        "file_rows": report.file_rows, "matched_rows": report.matched_rows,
        "differing_rows": report.differing_rows, "difference_count": report.difference_count,
        "extra_count": report.extra_count, "missing_count": report.missing_count,
        "formula_count": report.formula_count, "truncated": truncated, **lists,
        "report_url": reverse("registry-national-report-download", args=[report.token]),
    }
