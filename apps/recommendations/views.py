"""Pages of 就业推荐表. Graduate (phone, tab 我的): the state, the request button, the PDF of the
issued form. Staff (desktop; college staff of the graduate's college, school staff of the
school): the queue, one graduate's forms with the content preview and the opinion form (签发 /
重新签发), void, PDF. Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, role_required
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import querystring_without_page
from apps.recommendations import documents, selectors, services
from apps.recommendations.models import RecommendationStatus
from apps.recommendations.presenters import recommendation_state

TAB = "me"


def _download_name(form) -> str:
    return f"就业推荐表-{form.graduate.name}.pdf"


def _graduate_context(request) -> dict:
    forms = selectors.forms_of_graduate(actor=request.user, graduate_id=request.user.graduate_id)
    current = selectors.current_form(forms)
    role = request.user.role
    return {
        "tab": TAB,
        "state": recommendation_state(current, viewer_role=role),
        "current": current,
        "issued": selectors.issued_form(forms),
        "history": [(f, recommendation_state(f, viewer_role=role)) for f in forms if f is not current],
    }


@role_required(Role.GRADUATE)
def my_recommendation_view(request):
    return render(request, "recommendations/mine.html", _graduate_context(request))


@require_POST
@role_required(Role.GRADUATE)
def my_recommendation_request_view(request):
    try:
        services.recommendation_request(actor=request.user, client_address=client_address(request))
    except DomainError as exc:
        if exc.status != 400:
            raise
        return render(request, "recommendations/mine.html", {**_graduate_context(request), "error": exc.message},
                      status=400)
    messages.success(request, "已提交申请，院系填写推荐意见并签发后会通知你")
    return redirect("my-recommendation")


@role_required(Role.GRADUATE)
def my_recommendation_pdf_view(request):
    form = documents.recommendation_pdf_ensure(selectors.own_issued_form(actor=request.user))
    return private_file_response(form.pdf, download_name=_download_name(form), inline=False)


# --- staff ------------------------------------------------------------------------------------

@role_required(*REVIEWERS)
def staff_recommendations_view(request):
    status = request.GET.get("status", RecommendationStatus.REQUESTED)
    if status not in RecommendationStatus.values and status != selectors.ALL_STATUSES:
        status = RecommendationStatus.REQUESTED
    keyword = request.GET.get("q", "").strip()[:50]
    page = bounded_page(request, selectors.recommendations_queue(actor=request.user, status=status, keyword=keyword))
    rows = [(f, recommendation_state(f, viewer_role=request.user.role)) for f in page]
    return render(request, "recommendations/staff_queue.html", {
        "page": page, "rows": rows, "status": status, "statuses": selectors.STATUS_FILTERS, "q": keyword,
        "querystring": querystring_without_page(request),
    })


def _staff_context(request, graduate_id: int, **extra) -> dict:
    graduate = selectors.graduate_get(actor=request.user, pk=graduate_id)
    forms = selectors.forms_of_graduate(actor=request.user, graduate_id=graduate.pk)
    current = selectors.current_form(forms)
    role = request.user.role
    return {
        "graduate": graduate,
        "state": recommendation_state(current, viewer_role=role),
        "current": current,
        "issued": selectors.issued_form(forms),
        "history": [(f, recommendation_state(f, viewer_role=role)) for f in forms],
        # what 签发 would write into the form now (the issued form keeps its own snapshot)
        "preview": documents.recommendation_content(graduate),
        "refusal": services.recommendation_issue_refusal(request.user, graduate),
        "max_opinion": services.MAX_OPINION,
        "today": timezone.localdate(),
        "error": None, "field_errors": {}, "posted": {},
        **extra,
    }


@role_required(*REVIEWERS)
def staff_recommendation_view(request, graduate_id: int):
    return render(request, "recommendations/staff_detail.html", _staff_context(request, graduate_id))


@require_POST
@role_required(*REVIEWERS)
def staff_recommendation_issue_view(request, graduate_id: int):
    graduate = selectors.graduate_get(actor=request.user, pk=graduate_id)
    try:
        form = services.recommendation_issue(
            actor=request.user, graduate=graduate, opinion=request.POST.get("opinion", ""),
            reviewer_name=request.POST.get("reviewer_name", ""), opinion_date=request.POST.get("opinion_date", ""),
            client_address=client_address(request))
    except DomainError as exc:
        if exc.status not in (400, 403):
            raise
        return render(request, "recommendations/staff_detail.html", _staff_context(
            request, graduate_id, error=exc.message, field_errors=exc.fields, posted=request.POST), status=exc.status)
    messages.success(request, f"就业推荐表已签发（验证码{form.verification_code}），已通知毕业生")
    return redirect("staff-recommendation", graduate_id=graduate.pk)


@require_POST
@role_required(*REVIEWERS)
def staff_recommendation_void_view(request, pk: int):
    form = selectors.form_get(actor=request.user, pk=pk)
    try:
        services.recommendation_void(actor=request.user, form=form, reason=request.POST.get("reason", ""),
                                     client_address=client_address(request))
    except DomainError as exc:
        if exc.status not in (400, 403):
            raise
        return render(request, "recommendations/staff_detail.html", _staff_context(
            request, form.graduate_id, error=exc.message, void_errors=exc.fields, posted=request.POST),
            status=exc.status)
    messages.success(request, f"推荐表（验证码{form.verification_code}）已作废")
    return redirect("staff-recommendation", graduate_id=form.graduate_id)


@role_required(*REVIEWERS)
def staff_recommendation_pdf_view(request, pk: int):
    form = documents.recommendation_pdf_ensure(selectors.form_get(actor=request.user, pk=pk))
    return private_file_response(form.pdf, download_name=_download_name(form), inline=False)
