"""Staff pages of the roster import (学校管理员): upload, progress, report, confirm, duplicates."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import get_visible
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.reference.selectors import code_labels
from apps.roster import services
from apps.roster.models import ImportMode, ImportStatus
from apps.roster.parsing import XLSX_CONTENT_TYPE
from apps.roster.selectors import (
    DUPLICATE_KEYS_PER_PAGE,
    roster_duplicate_groups,
    roster_duplicate_keys,
    roster_imports_visible,
    roster_issues,
)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@role_required(Role.SCHOOL_STAFF)
def imports_view(request):
    error, fields = None, {}
    data = {"cohort": request.user.school.current_cohort, "mode": ImportMode.CREATE}
    if request.method == "POST":
        data = {"cohort": request.POST.get("cohort", ""), "mode": request.POST.get("mode", "")}
        try:
            roster_import = services.roster_import_start(
                actor=request.user, uploaded_file=request.FILES.get("file"), cohort=data["cohort"],
                mode=data["mode"], client_address=client_address(request),
            )
        except DomainError as exc:
            error, fields = exc.message, exc.fields
        else:
            messages.success(request, "文件已上传")
            return redirect("roster-import-detail", pk=roster_import.pk)
    page = bounded_page(request, roster_imports_visible(actor=request.user), per_page=20)
    return render(request, "roster/imports.html", {
        "page": page, "modes": ImportMode.choices, "data": data, "error": error, "fields": fields,
    }, status=400 if error else 200)


@role_required(Role.SCHOOL_STAFF)
def template_view(request):
    return _xlsx(services.roster_template_workbook(), "生源导入模板.xlsx")


def _detail_context(request, roster_import):
    percent = 0
    if roster_import.total_rows:
        percent = min(100, roster_import.processed_rows * 100 // roster_import.total_rows)
    return {"imp": roster_import, "running": roster_import.status in services.RUNNING, "percent": percent,
            "retryable": services.is_retryable(roster_import)}


@role_required(Role.SCHOOL_STAFF)
def import_detail_view(request, pk: int):
    roster_import = get_visible(roster_imports_visible(actor=request.user), request.user, pk=pk)
    context = _detail_context(request, roster_import)
    if not context["running"]:
        context["page"] = bounded_page(request, roster_issues(actor=request.user, roster_import=roster_import),
                                       per_page=50)
    return render(request, "roster/detail.html", context)


@role_required(Role.SCHOOL_STAFF)
def import_progress_view(request, pk: int):
    """htmx fragment polled every second while the import runs; once it is done the whole
    page reloads (HX-Refresh) to show the report."""
    roster_import = get_visible(roster_imports_visible(actor=request.user), request.user, pk=pk)
    context = _detail_context(request, roster_import)
    response = render(request, "roster/_status.html", context)
    if not context["running"]:
        response["HX-Refresh"] = "true"
    return response


@require_POST
@role_required(Role.SCHOOL_STAFF)
def import_commit_view(request, pk: int):
    roster_import = get_visible(roster_imports_visible(actor=request.user), request.user, pk=pk)
    try:
        roster_import = services.roster_import_commit(
            actor=request.user, roster_import=roster_import, client_address=client_address(request)
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "导入完成" if roster_import.status == ImportStatus.COMMITTED else "已提交导入，正在写入")
    return redirect("roster-import-detail", pk=pk)


@require_POST
@role_required(Role.SCHOOL_STAFF)
def import_retry_view(request, pk: int):
    """重试 a failed import, or one whose background job stopped (lease expired)."""
    roster_import = get_visible(roster_imports_visible(actor=request.user), request.user, pk=pk)
    try:
        services.roster_import_retry(actor=request.user, roster_import=roster_import,
                                     client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已重新提交，正在后台处理")
    return redirect("roster-import-detail", pk=pk)


@role_required(Role.SCHOOL_STAFF)
def issues_download_view(request, pk: int):
    roster_import = get_visible(roster_imports_visible(actor=request.user), request.user, pk=pk)
    return _xlsx(services.roster_issues_workbook(roster_import=roster_import), f"校验结果-{roster_import.pk}.xlsx")


@role_required(Role.SCHOOL_STAFF)
def duplicates_view(request):
    try:
        cohort = int(request.GET.get("cohort") or request.user.school.current_cohort)
    except ValueError:
        cohort = request.user.school.current_cohort
    levels = code_labels("education_level", "employment-xldm")
    # a bounded page of the cohort's shared ID numbers, then their groups in one query
    page = bounded_page(request, roster_duplicate_keys(actor=request.user, cohort=cohort),
                        per_page=DUPLICATE_KEYS_PER_PAGE)
    groups = roster_duplicate_groups(actor=request.user, cohort=cohort, keys=page.object_list)
    for group in groups:
        for graduate in group.members:
            graduate.level_label = levels.get(graduate.education_level_code, graduate.education_level_code)
    return render(request, "roster/duplicates.html", {"groups": groups, "cohort": cohort, "page": page,
                                                      "querystring": urlencode({"cohort": cohort})})
