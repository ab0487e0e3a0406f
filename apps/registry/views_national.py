"""Staff pages of the national 就业方案 export and its check (就业方案导出与核对), desktop layout.

The page offers the export (cohort, college; province staff pick a school) and the upload of a
就业方案 file; the upload answers with a redirect to its report (POST → GET: a reload does not
upload again), which pages through the differences and links the Excel download.
"""
from __future__ import annotations

from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, STAFF, role_required
from apps.accounts.scoping import visible_to
from apps.core.errors import DomainError
from apps.core.exports import XLSX_CONTENT_TYPE, safe_cell
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none
from apps.organisations.models import College, School
from apps.registry import national_check, national_export

SHOWN = 100  # file-only rows and missing graduates listed on the page (all of them in the Excel)


def _form(request, data) -> dict:
    user = request.user
    default_cohort = user.school.current_cohort if user.school_id else ""
    return {
        "cohort": data.get("cohort", default_cohort) if data is not None else default_cohort,
        "college_id": int_or_none(data.get("college_id")) if data is not None else None,
        "school_id": int_or_none(data.get("school_id")) if data is not None else None,
    }


def _page(request, *, form, export_error=None, check_error=None, status=200):
    user = request.user
    colleges = schools = None
    if user.role == Role.SCHOOL_STAFF:
        colleges = visible_to(College, user).order_by("code", "id").only("id", "name")
    elif user.role == Role.PROVINCE_STAFF:
        schools = visible_to(School, user).order_by("code", "id").only("id", "name")
    return render(request, "registry/national/index.html", {
        "form": form, "colleges": colleges, "schools": schools,
        "can_check": user.role in REVIEWERS,
        "export_error": export_error, "check_error": check_error,
    }, status=status)


@role_required(*STAFF)
def national_view(request):
    return _page(request, form=_form(request, None))


@role_required(*STAFF)
def national_export_view(request):
    """The .xlsx (GET with the form's filters): written to a temporary file, streamed back."""
    form = _form(request, request.GET)
    try:
        export = national_export.national_export(
            actor=request.user, cohort=form["cohort"], college_id=form["college_id"],
            school_id=form["school_id"], client_address=client_address(request))
    except DomainError as exc:
        return _page(request, form=form, export_error=exc.message, status=400)
    response = FileResponse(export.file, as_attachment=True, filename=export.filename,
                            content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"
    response["X-Export-Rows"] = str(export.rows)
    return response


@require_POST
@role_required(*REVIEWERS)
def national_check_view(request):
    form = _form(request, request.POST)
    try:
        report = national_check.national_check(
            actor=request.user, uploaded_file=request.FILES.get("file"), cohort=form["cohort"],
            college_id=form["college_id"], client_address=client_address(request))
    except DomainError as exc:
        return _page(request, form=form, check_error=exc.message, status=400)
    return redirect("registry-national-report", token=report.token)


@role_required(*REVIEWERS)
def national_report_view(request, token: str):
    try:
        report = national_check.load_report(token, actor=request.user)
    except DomainError as exc:
        return _page(request, form=_form(request, None), check_error=exc.message, status=404)
    page = bounded_page(request, report.differences, per_page=50, count=False)
    return render(request, "registry/national/report.html", {
        "report": report, "page": page, "token": token,
        "differences": [_shown(d) for d in page.object_list],
        "extras": report.extras[:SHOWN], "missing": report.missing[:SHOWN],
        "formulas": [_shown(c) for c in report.formulas[:SHOWN]], "shown": SHOWN,
    })


def _shown(item):
    """File cells as the Excel report shows them: a formula-looking value neutralised."""
    values = dict(vars(item))
    for key in ("file_value", "platform_value", "value"):
        if key in values:
            values[key] = safe_cell(values[key])
    return values


@role_required(*REVIEWERS)
def national_report_download_view(request, token: str):
    try:
        report = national_check.load_report(token, actor=request.user)
    except DomainError as exc:
        return _page(request, form=_form(request, None), check_error=exc.message, status=404)
    response = HttpResponse(national_check.report_workbook(report), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"就业方案核对报告-{report.cohort}届.xlsx")
    response["Cache-Control"] = "private, no-store"
    return response
