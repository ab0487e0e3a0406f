"""The employer's pages of 投递 (phone and desktop): every applicant across its postings with
filters, one posting's applicants, one applicant (the resume AS SENT, the status form), and
发起网签 from 录用. Opening an applicant marks it 已查看 (through the service)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.applications import services
from apps.applications.models import ApplicationStatus
from apps.applications.presenters import application_state
from apps.applications.selectors import (
    EmployerFilters,
    application_get,
    applications_for_employer,
    employer_posting_get,
    employer_postings,
    snapshot_for,
)
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none, querystring_without_page
from apps.reference.selectors import code_labels


def _list(request, *, posting=None):
    status = request.GET.get("status", "")
    posting_id = posting.pk if posting is not None else int_or_none(request.GET.get("posting"))
    filters = EmployerFilters(posting_id=posting_id, status=status if status in ApplicationStatus.values else "")
    page = bounded_page(request, applications_for_employer(actor=request.user, filters=filters), per_page=30)
    levels = code_labels("education_level", "employment-xldm")
    for application in page:
        application.state = application_state(application, viewer_role=Role.EMPLOYER)
        application.education_label = levels.get(application.graduate.education_level_code, "")
    return render(request, "applications/employer_list.html", {
        "page": page, "filters": filters, "posting": posting, "statuses": ApplicationStatus.choices,
        "postings": employer_postings(actor=request.user) if posting is None else [],
        "querystring": querystring_without_page(request),
    })


@role_required(Role.EMPLOYER)
def employer_applications_view(request):
    return _list(request)


@role_required(Role.EMPLOYER)
def employer_applicants_view(request, pk: int):
    return _list(request, posting=employer_posting_get(actor=request.user, pk=pk))


def _detail(request, application, *, error=None, errors=None, values=None, contact=None, status=200):
    return render(request, "applications/employer_detail.html", {
        "a": application, "posting": application.posting,
        "state": application_state(application, viewer_role=Role.EMPLOYER),
        "resume": snapshot_for(application, viewer_role=Role.EMPLOYER), "contact": contact,
        "error": error, "errors": errors or {}, "v": values or {}, "statuses": ApplicationStatus,
        "min_interview": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }, status=status)


@role_required(Role.EMPLOYER)
def employer_application_detail_view(request, pk: int):
    application = application_get(actor=request.user, pk=pk)
    application = services.application_mark_viewed(actor=request.user, application=application,
                                                   client_address=client_address(request))
    return _detail(request, application_get(actor=request.user, pk=application.pk))


@require_POST
@role_required(Role.EMPLOYER)
def employer_application_contact_view(request, pk: int):
    application = application_get(actor=request.user, pk=pk)
    contact = services.application_contact(actor=request.user, application=application,
                                           client_address=client_address(request))
    return _detail(request, application, contact=contact)


def parse_local_datetime(raw: str) -> datetime | None:
    """A <input type=datetime-local> value (2026-12-10T14:30) in the site's time zone."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError("面试时间格式不正确", code="invalid", fields={"interview_at": "面试时间格式不正确"}) from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@require_POST
@role_required(Role.EMPLOYER)
def employer_application_advance_view(request, pk: int):
    application = application_get(actor=request.user, pk=pk)
    values = {name: request.POST.get(name, "") for name in ("status", "interview_at", "interview_place", "note")}
    try:
        services.application_advance(
            actor=request.user, application=application, status=values["status"],
            interview_at=parse_local_datetime(values["interview_at"]), interview_place=values["interview_place"],
            note=values["note"], client_address=client_address(request))
    except DomainError as exc:
        return _detail(request, application, error=exc.message, errors=exc.fields, values=values, status=400)
    messages.success(request, "投递状态已更新，毕业生将收到通知。")
    return redirect("employer-application-detail", pk=pk)


@require_POST
@role_required(Role.EMPLOYER)
def employer_application_sign_view(request, pk: int):
    application = application_get(actor=request.user, pk=pk)
    try:
        _, token, prefill = services.application_signing_start(actor=request.user, application=application,
                                                               client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("employer-application-detail", pk=pk)
    return redirect(reverse("sign-invite", args=[token]) + "?" + urlencode(prefill))
