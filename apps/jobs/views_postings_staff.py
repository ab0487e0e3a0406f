"""职位审核 (staff, desktop): the queue, a posting's detail, review and take down."""

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
from apps.jobs import presenters
from apps.jobs import services_postings as services
from apps.jobs.models import PostingStatus
from apps.jobs.selectors_postings import STAFF_STATUSES, queue_filters, review_queue, staff_posting_get
from apps.organisations.models import School

STAFF = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


@role_required(*STAFF)
def staff_postings_view(request):
    filters = queue_filters(request.GET)
    page = bounded_page(request, review_queue(actor=request.user, filters=filters), per_page=30)
    rows = []
    for p in page:
        state = presenters.posting_state(p, viewer_role=presenters.STAFF, viewer=request.user)
        rows.append({"p": p, "state": state, "channel": presenters.channel_text(p),
                     "may_review": state.action("review") is not None})
    schools = []
    if request.user.role == Role.PROVINCE_STAFF:
        schools = list(School.objects.filter(province_id=request.user.province_id).order_by("name", "id")
                       .only("id", "name"))
    return render(request, "jobs/staff/queue.html", {
        "page": page, "rows": rows, "filters": filters, "schools": schools,
        "statuses": [(s, PostingStatus(s).label) for s in STAFF_STATUSES],
        "querystring": querystring_without_page(request),
    })


def _detail(request, posting, *, error=None, fields=None, posted=None, status=200):
    state = presenters.posting_state(posting, viewer_role=presenters.STAFF, viewer=request.user)
    return render(request, "jobs/staff/detail.html", {
        "p": posting, "state": state, "detail": presenters.posting_detail(posting),
        "may_review": state.action("review") is not None, "may_take_down": state.action("take_down") is not None,
        "error": error, "field_errors": fields or {}, "posted": posted or {},
    }, status=status)


@role_required(*STAFF)
def staff_posting_detail_view(request, pk: int):
    return _detail(request, staff_posting_get(actor=request.user, pk=pk))


def _decide(request, pk: int, action, done: str):
    posting = staff_posting_get(actor=request.user, pk=pk)
    try:
        action(posting)
    except DomainError as exc:
        if exc.status != 400:
            raise
        return _detail(request, staff_posting_get(actor=request.user, pk=pk), error=exc.message, fields=exc.fields,
                       posted=request.POST, status=400)
    messages.success(request, done.format(title=posting.title))
    return redirect(reverse("staff-posting-detail", args=[pk]))


@require_POST
@role_required(*STAFF)
def staff_posting_review_view(request, pk: int):
    approve = request.POST.get("decision") == "approve"
    return _decide(request, pk, lambda p: services.posting_review(
        actor=request.user, posting=p, approve=approve, reason=request.POST.get("reason", "")),
        "职位“{title}”已审核通过并发布" if approve else "职位“{title}”已驳回，原因已告知单位")


@require_POST
@role_required(*STAFF)
def staff_posting_take_down_view(request, pk: int):
    return _decide(request, pk, lambda p: services.posting_take_down(
        actor=request.user, posting=p, reason=request.POST.get("reason", "")), "职位“{title}”已下架，单位已收到通知")
