"""The employer's postings (phone and desktop): list, new, edit, detail, submit, close.
Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.pagination import querystring_without_page
from apps.jobs import forms_postings as forms
from apps.jobs import presenters
from apps.jobs import services_postings as services
from apps.jobs.models import PostingStatus
from apps.jobs.selectors_postings import employer_posting_get, employer_postings
from apps.organisations.models import Major


def _major_school(posting, channels):
    """Whose major catalogue the form offers: the posting's school channel, or the only school
    an employer may post in."""
    if posting is not None and posting.channel_school_id:
        return posting.channel_school
    schools = [value for value, _ in channels if value != services.PROVINCE_CHANNEL]
    if len(schools) == 1 and len(channels) == 1:
        from apps.organisations.models import School

        return School.objects.filter(pk=int(schools[0])).first()
    return None


def _form(request, *, posting=None, data=None, error=None, fields=None, status=200):
    employer = request.user.employer
    channels = services.channel_options(employer)
    values = forms.values_for(posting, employer=employer, data=data)
    school = _major_school(posting, channels)
    majors = list(Major.objects.filter(school=school).order_by("name", "id").only("id", "name")) if school else []
    return render(request, "jobs/postings/form.html", {
        "posting": posting, "values": values, "channels": channels, "majors": majors, "major_school": school,
        "education": forms.education_options(values.get("education_codes")),
        "refusal": None if channels else services.employer_channel_refusal(employer, None),
        "error": error, "field_errors": fields or {}, "material_note": presenters.MATERIAL_NOTE,
        "limits": {"title": services.TITLE_MAX, "description": services.DESCRIPTION_MAX,
                   "places": services.PLACES_MAX, "majors_text": services.MAJORS_TEXT_MAX},
    }, status=status)


@role_required(Role.EMPLOYER)
def employer_postings_view(request):
    status = request.GET.get("status", "")
    page = bounded_page(request, employer_postings(actor=request.user, status=status), per_page=20)
    rows = [{"p": p, "state": presenters.posting_state(p, viewer_role=presenters.EMPLOYER),
             "channel": presenters.channel_text(p)} for p in page]
    return render(request, "jobs/postings/list.html", {
        "page": page, "rows": rows, "status": status, "statuses": PostingStatus.choices,
        "querystring": querystring_without_page(request),
    })


@role_required(Role.EMPLOYER)
def employer_posting_new_view(request):
    if request.method == "POST":
        data = forms.data_from_post(request.POST)
        try:
            posting = services.posting_save(actor=request.user, data=data)
        except DomainError as exc:
            if exc.status != 400:
                raise
            return _form(request, data=data, error=exc.message, fields=exc.fields, status=400)
        messages.success(request, "职位已保存为草稿，核对后请提交审核")
        return redirect(reverse("employer-posting-detail", args=[posting.pk]))
    return _form(request)


@role_required(Role.EMPLOYER)
def employer_posting_edit_view(request, pk: int):
    posting = employer_posting_get(actor=request.user, pk=pk)
    if request.method == "POST":
        data = forms.data_from_post(request.POST)
        was = posting.status
        try:
            services.posting_save(actor=request.user, posting=posting, data=data)
        except DomainError as exc:
            if exc.status != 400:
                raise
            return _form(request, posting=posting, data=data, error=exc.message, fields=exc.fields, status=400)
        if was == PostingStatus.PUBLISHED and posting.status == PostingStatus.PENDING:
            messages.success(request, "职位已修改，修改涉及职位内容，已重新提交审核")
        else:
            messages.success(request, "职位已修改")
        return redirect(reverse("employer-posting-detail", args=[pk]))
    return _form(request, posting=posting)


@role_required(Role.EMPLOYER)
def employer_posting_detail_view(request, pk: int):
    posting = employer_posting_get(actor=request.user, pk=pk)
    return render(request, "jobs/postings/detail.html", {
        "p": posting, "state": presenters.posting_state(posting, viewer_role=presenters.EMPLOYER),
        "detail": presenters.posting_detail(posting), "close_reasons": services.CLOSE_REASONS.values(),
    })


def _act(request, pk: int, action, done: str):
    posting = employer_posting_get(actor=request.user, pk=pk)
    try:
        action(posting)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(reverse("employer-posting-detail", args=[pk]))


@require_POST
@role_required(Role.EMPLOYER)
def employer_posting_submit_view(request, pk: int):
    return _act(request, pk, lambda p: services.posting_submit(actor=request.user, posting=p), "已提交审核")


@require_POST
@role_required(Role.EMPLOYER)
def employer_posting_close_view(request, pk: int):
    return _act(request, pk, lambda p: services.posting_close(actor=request.user, posting=p,
                                                             reason=request.POST.get("reason", "")), "职位已下线")
