"""Staff pages (desktop) of employer verification: the queue, an employer's data with its
licence, and the review / suspend / reinstate doors. Province staff see every employer of
their province, school staff the ones that asked their school; college staff have no access."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import querystring_without_page
from apps.core.text import mask_phone
from apps.employers import services
from apps.employers.presenters import employer_state, verifier_label
from apps.employers.selectors import STAFF_STATUSES, staff_employer, staff_employers
from apps.organisations.models import EmployerStatus
from apps.reference.selectors import code_labels

STAFF = (Role.PROVINCE_STAFF, Role.SCHOOL_STAFF)
ALL = "all"


@role_required(*STAFF)
def queue_view(request):
    status = request.GET.get("status", EmployerStatus.PENDING)
    if status not in STAFF_STATUSES and status != ALL:
        status = EmployerStatus.PENDING
    keyword = request.GET.get("q", "").strip()[:60]
    page = bounded_page(request, staff_employers(actor=request.user, status="" if status == ALL else status,
                                                 keyword=keyword), per_page=30)
    natures, industries = code_labels("unit_nature"), code_labels("industry")
    rows = [{"e": e, "nature": natures.get(e.nature_code, ""), "industry": industries.get(e.industry_code, ""),
             "verifier": verifier_label(e)} for e in page]
    return render(request, "employers/staff_queue.html", {
        "page": page, "rows": rows, "status": status, "keyword": keyword,
        "statuses": [(s.value, s.label) for s in STAFF_STATUSES], "querystring": querystring_without_page(request),
    })


def _detail(request, employer, *, error=None, status=200):
    state = employer_state(employer, viewer_role=request.user.role, actor=request.user)
    return render(request, "employers/staff_detail.html", {
        "e": employer, "state": state, "actions": {a.code: a for a in state.actions},
        "contact_mobile": mask_phone(employer.contact_mobile),
        "verifier": verifier_label(employer), "nature": code_labels("unit_nature").get(employer.nature_code, ""),
        "industry": code_labels("industry").get(employer.industry_code, ""), "error": error,
    }, status=status)


@role_required(*STAFF)
def detail_view(request, pk: int):
    return _detail(request, staff_employer(actor=request.user, pk=pk))


@role_required(*STAFF)
def licence_view(request, pk: int):
    """The business licence picture, for the staff in scope only (never a public URL)."""
    return private_file_response(staff_employer(actor=request.user, pk=pk).licence)


def _act(request, pk: int, action, done: str):
    employer = staff_employer(actor=request.user, pk=pk)
    try:
        action(employer)
    except DomainError as exc:
        if exc.status == 403:
            raise
        return _detail(request, employer, error=exc.message, status=400)
    messages.success(request, done.format(name=employer.name))
    return redirect("staff-employer-detail", pk=employer.pk)


@require_POST
@role_required(*STAFF)
def review_view(request, pk: int):
    approve = request.POST.get("decision") == "approve"

    def review(employer):
        services.employer_review(actor=request.user, employer=employer, approve=approve,
                                 reason=request.POST.get("reason", ""), client_address=client_address(request))

    return _act(request, pk, review, "{name}已认证" if approve else "已驳回{name}的认证申请，原因已告知单位")


@require_POST
@role_required(*STAFF)
def suspend_view(request, pk: int):
    def suspend(employer):
        services.employer_suspend(actor=request.user, employer=employer, reason=request.POST.get("reason", ""),
                                  client_address=client_address(request))

    return _act(request, pk, suspend, "已停用{name}，其职位已从搜索中下线")


@require_POST
@role_required(*STAFF)
def reinstate_view(request, pk: int):
    def reinstate(employer):
        services.employer_reinstate(actor=request.user, employer=employer, client_address=client_address(request))

    return _act(request, pk, reinstate, "已恢复{name}的账号")
