"""操作日志 page (every staff role, in scope) and the 审计链校验 button. Thin: parse the filters,
read a bounded page, render; the check runs only on the POST."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, role_required
from apps.accounts.scoping import visible_to
from apps.backoffice import selectors_audit as selectors
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.pagination import int_or_none, querystring_without_page
from apps.organisations.models import School


def _filters(request) -> selectors.AuditFilters:
    action = request.GET.get("action", "")
    return selectors.AuditFilters(
        actor_username=request.GET.get("actor", "").strip()[:150],
        student_number=request.GET.get("student_number", "").strip()[:40],
        action=action if action in selectors.ACTION_LABELS else "",
        date_from=selectors.parse_date(request.GET.get("date_from")),
        date_to=selectors.parse_date(request.GET.get("date_to")),
        school_id=int_or_none(request.GET.get("school")) if request.user.role == Role.PROVINCE_STAFF else None,
    )


@role_required(*STAFF)
def staff_audit_view(request):
    filters = _filters(request)
    error = None
    try:
        entries = selectors.audit_entries(actor=request.user, filters=filters)
    except DomainError as exc:
        error = exc.message
        entries = selectors.audit_entries(actor=request.user, filters=selectors.AuditFilters())
    page = bounded_page(request, entries)
    school = selectors.verification_school(request.user, filters.school_id) if (
        request.user.role != Role.PROVINCE_STAFF or filters.school_id) else None
    verification = selectors.last_verification(school)
    schools = (list(visible_to(School, request.user).order_by("code", "id").values_list("id", "name"))
               if request.user.role == Role.PROVINCE_STAFF else [])
    return render(request, "backoffice/audit_list.html", {
        "page": page, "rows": [selectors.viewer_row(e) for e in page], "filters": filters, "error": error,
        "actions": selectors.action_choices(), "schools": schools,
        "school": school, "verification": verification,
        "verification_text": selectors.verification_text(verification),
        "querystring": querystring_without_page(request),
    }, status=400 if error else 200)


@require_POST
@role_required(*STAFF)
def staff_audit_verify_view(request):
    school_id = int_or_none(request.POST.get("school_id"))
    try:
        result = selectors.verify_school_chain(actor=request.user, school_id=school_id)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
        return redirect("staff-audit")
    if result["ok"]:
        messages.success(request, f"{result['school_name']}的审计链校验通过")
    else:
        messages.error(request, f"{result['school_name']}的审计链校验未通过")
    target = reverse("staff-audit")
    return redirect(f"{target}?school={result['school_id']}" if request.user.role == Role.PROVINCE_STAFF else target)
