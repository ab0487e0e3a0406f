"""Staff pages of 举报 (desktop): the queue, one report, the decision (POST). School staff see
their school's reports, province staff every school's of the province; college staff have no
access (403). Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import querystring_without_page
from apps.reports import services
from apps.reports.models import ReportOutcome, ReportStatus
from apps.reports.presenters import report_state
from apps.reports.reasons import reason_label
from apps.reports.selectors import ALL_STATUSES, STATUS_FILTERS, report_get, reports_queue

STAFF_READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


def _url_or_empty(name: str, pk) -> str:
    """A link to another area's staff page when that page exists (and the id is set)."""
    if not pk:
        return ""
    try:
        return reverse(name, args=[pk])
    except NoReverseMatch:
        return ""


@role_required(*STAFF_READERS)
def staff_reports_view(request):
    status = request.GET.get("status", ReportStatus.OPEN)
    if status not in ReportStatus.values and status != ALL_STATUSES:
        status = ReportStatus.OPEN
    page = bounded_page(request, reports_queue(actor=request.user, status=status), per_page=30)
    rows = [(r, reason_label(r.reason), report_state(r, viewer_role=request.user.role)) for r in page]
    return render(request, "reports/staff_queue.html", {
        "page": page, "rows": rows, "status": status, "statuses": STATUS_FILTERS,
        "querystring": querystring_without_page(request),
    })


def _detail_context(request, report, **extra) -> dict:
    refusal = services.report_decide_refusal(request.user, report)
    return {
        "r": report,
        "reason_label": reason_label(report.reason),
        "state": report_state(report, viewer_role=request.user.role, actor=request.user),
        "may_decide": refusal is None,
        "take_down_refusal": services.take_down_refusal(request.user, report) if refusal is None else "",
        "suspend_refusal": services.suspend_refusal(request.user, report) if refusal is None else "",
        "outcomes": ReportOutcome.choices,
        "posting_url": _url_or_empty("staff-posting-detail", report.posting_id),
        "employer_url": _url_or_empty("staff-employer-detail", report.employer_id),
        "error": None, "field_errors": {}, "posted": {},
        **extra,
    }


@role_required(*STAFF_READERS)
def staff_report_detail_view(request, pk: int):
    report = report_get(actor=request.user, pk=pk)
    return render(request, "reports/staff_detail.html", _detail_context(request, report))


@require_POST
@role_required(*STAFF_READERS)
def staff_report_decide_view(request, pk: int):
    report = report_get(actor=request.user, pk=pk)
    try:
        services.report_decide(
            actor=request.user, report=report, outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""), take_down=request.POST.get("take_down") == "1",
            suspend=request.POST.get("suspend") == "1", client_address=client_address(request),
        )
    except DomainError as exc:
        if exc.status not in (400, 403):
            raise
        report = report_get(actor=request.user, pk=pk)
        return render(request, "reports/staff_detail.html", _detail_context(
            request, report, error=exc.message, field_errors=exc.fields, posted=request.POST,
        ), status=exc.status)
    messages.success(request, f"举报#{report.pk}已处理，处理结果已通知举报人")
    return redirect("staff-report-detail", pk=report.pk)
