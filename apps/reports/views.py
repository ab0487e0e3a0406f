"""Graduate pages of 举报 (phone, tab 服务): the form, the graduate's reports and one report;
the report's images for its reporter and the staff in scope. Thin: parse, fetch the scoped
row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.images import MAX_IMAGES_PER_ITEM
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.reports import services
from apps.reports.presenters import report_state
from apps.reports.reasons import HOTLINE, REASONS, WARNING, reason_label
from apps.reports.selectors import report_get, report_image_get, reports_of_graduate

TAB = "services"


@role_required(Role.GRADUATE)
def report_new_view(request):
    graduate = services.reporter_of(request.user)
    source = request.POST if request.method == "POST" else request.GET
    posting_id, employer_id = source.get("posting", "").strip(), source.get("employer", "").strip()
    target_error = None
    posting = employer = None
    try:
        posting, employer = services.report_target(graduate, posting=posting_id, employer=employer_id)
    except DomainError as exc:
        target_error = exc.message

    error, field_errors = None, {}
    values = {"reason": "", "details": ""}
    if request.method == "POST" and target_error is None:
        values = {"reason": request.POST.get("reason", ""), "details": request.POST.get("details", "")}
        try:
            report = services.report_file(
                actor=request.user, posting=posting_id, employer=employer_id, reason=values["reason"],
                details=values["details"], images=request.FILES.getlist("images"),
                client_address=client_address(request),
            )
        except DomainError as exc:
            if exc.status not in (400, 429):
                raise
            error, field_errors = exc.message, exc.fields
        else:
            messages.success(request, "举报已提交，学校和省教育厅将核实处理，处理结果会通知你。")
            return redirect("report-detail", pk=report.pk)

    return render(request, "reports/new.html", {
        "tab": TAB,
        "posting": posting,
        "employer": employer,
        "posting_id": posting_id if posting else "",
        "employer_id": employer_id if (employer and not posting) else "",
        "target_error": target_error,
        "reasons": REASONS,
        "values": values,
        "error": error,
        "field_errors": field_errors,
        "max_images": MAX_IMAGES_PER_ITEM,
        "max_details": services.MAX_DETAILS,
        "warning": WARNING,
        "hotline": HOTLINE,
    }, status=400 if error else 200)


@role_required(Role.GRADUATE)
def my_reports_view(request):
    page = bounded_page(request, reports_of_graduate(actor=request.user), per_page=20, count=False)
    rows = [(r, report_state(r, viewer_role=Role.GRADUATE)) for r in page]
    return render(request, "reports/my_list.html", {"tab": TAB, "page": page, "rows": rows,
                                                    "warning": WARNING, "hotline": HOTLINE})


@role_required(Role.GRADUATE)
def report_detail_view(request, pk: int):
    report = report_get(actor=request.user, pk=pk)
    return render(request, "reports/my_detail.html", {
        "tab": TAB, "r": report, "state": report_state(report, viewer_role=Role.GRADUATE),
        "reason_label": reason_label(report.reason), "warning": WARNING, "hotline": HOTLINE,
    })


@role_required(Role.GRADUATE, Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
def report_image_view(request, pk: int, image_id: int):
    """A report's picture, for its reporter and the staff in scope only."""
    image = report_image_get(actor=request.user, report_id=pk, image_id=image_id)
    return private_file_response(image.file)
