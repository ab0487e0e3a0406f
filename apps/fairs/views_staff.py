"""Staff pages of 招聘会 (desktop): the list, publish, edit, one fair with its booth
applications (通过 / 驳回 / 取消参会, the waiting list in its order) and cancel. School staff
manage their school's fairs; province staff read every school's of the province. Thin: parse,
fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.pagination import querystring_without_page
from apps.fairs import services
from apps.fairs.models import Audience, BoothStatus, FairKind
from apps.fairs.presenters import booth_state, fair_state
from apps.fairs.selectors import BOOTH_FILTERS, fair_booths, staff_booth_get, staff_fair_get, staff_fairs

READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
EDITORS = (Role.SCHOOL_STAFF,)
FORM_FIELDS = ("kind", "title", "starts_at", "ends_at", "venue", "booth_count", "audience", "apply_deadline",
               "description")


def _local_input(value) -> str:
    return f"{timezone.localtime(value):%Y-%m-%dT%H:%M}" if value else ""


@role_required(*READERS)
def staff_fairs_view(request):
    ended = request.GET.get("when") == "ended"
    page = bounded_page(request, staff_fairs(actor=request.user, ended=ended), per_page=30)
    now = timezone.now()
    rows = [(f, fair_state(f, now=now)) for f in page]
    return render(request, "fairs/staff_list.html", {
        "page": page, "rows": rows, "ended": ended, "querystring": querystring_without_page(request),
        "may_publish": request.user.role == Role.SCHOOL_STAFF,
    })


def _form_context(values: dict, *, fair=None, error=None, field_errors=None) -> dict:
    return {"fair": fair, "values": values, "error": error, "field_errors": field_errors or {},
            "kinds": FairKind.choices, "audiences": Audience.choices,
            "booths_min": services.BOOTHS_MIN, "booths_max": services.BOOTHS_MAX}


@role_required(*EDITORS)
def staff_fair_new_view(request):
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in FORM_FIELDS}
        try:
            fair = services.fair_publish(actor=request.user, **values)
        except DomainError as exc:
            if exc.status != 400:
                raise
            return render(request, "fairs/staff_form.html",
                          _form_context(values, error=exc.message, field_errors=exc.fields), status=400)
        messages.success(request, f"招聘会“{fair.title}”已发布")
        return redirect("staff-fair", pk=fair.pk)
    values = {"kind": FairKind.MUTUAL_CHOICE, "audience": Audience.SCHOOL}
    return render(request, "fairs/staff_form.html", _form_context(values))


@role_required(*EDITORS)
def staff_fair_edit_view(request, pk: int):
    fair = staff_fair_get(actor=request.user, pk=pk)
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in FORM_FIELDS}
        try:
            fair = services.fair_update(actor=request.user, fair=fair, **values)
        except DomainError as exc:
            if exc.status != 400:
                raise
            return render(request, "fairs/staff_form.html",
                          _form_context(values, fair=fair, error=exc.message, field_errors=exc.fields), status=400)
        messages.success(request, "招聘会信息已保存")
        return redirect("staff-fair", pk=fair.pk)
    values = {k: getattr(fair, k) for k in FORM_FIELDS}
    for k in ("starts_at", "ends_at", "apply_deadline"):
        values[k] = _local_input(values[k])
    return render(request, "fairs/staff_form.html", _form_context(values, fair=fair))


def _detail_context(request, fair, **extra) -> dict:
    status = request.GET.get("status", BoothStatus.PENDING)
    if status not in BoothStatus.values:
        status = BoothStatus.PENDING
    page = bounded_page(request, fair_booths(fair, status=status), per_page=50, count=False)
    offset = (page.number - 1) * page.per_page
    role = request.user.role
    waiting = status == BoothStatus.WAITING
    rows = [(b, booth_state(b, viewer_role=role, fair=fair, position=offset + n if waiting else None),
             offset + n) for n, b in enumerate(page, start=1)]
    now = timezone.now()
    return {
        "fair": fair, "state": fair_state(fair, now=now), "page": page, "rows": rows, "status": status,
        "statuses": BOOTH_FILTERS, "querystring": querystring_without_page(request),
        "may_manage": role == Role.SCHOOL_STAFF and not services.fair_stage_refusal(fair, now=now),
        "may_edit": role == Role.SCHOOL_STAFF and not services.fair_stage_refusal(fair, now=now)
        and fair.starts_at > now,
        "show_contacts": role == Role.SCHOOL_STAFF,
        "error": None, "field_errors": {}, "posted": {}, **extra,
    }


@role_required(*READERS)
def staff_fair_view(request, pk: int):
    fair = staff_fair_get(actor=request.user, pk=pk)
    return render(request, "fairs/staff_detail.html", _detail_context(request, fair))


@require_POST
@role_required(*EDITORS)
def staff_fair_cancel_view(request, pk: int):
    fair = staff_fair_get(actor=request.user, pk=pk)
    try:
        services.fair_cancel(actor=request.user, fair=fair, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status != 400:
            raise
        fair = staff_fair_get(actor=request.user, pk=pk)
        return render(request, "fairs/staff_detail.html", _detail_context(
            request, fair, error=exc.message, field_errors=exc.fields, posted=request.POST), status=400)
    messages.success(request, "招聘会已取消，已通知报名的毕业生和申请展位的单位")
    return redirect("staff-fair", pk=fair.pk)


@require_POST
@role_required(*EDITORS)
def staff_fair_booth_decide_view(request, pk: int, booth_id: int):
    fair = staff_fair_get(actor=request.user, pk=pk)
    booth = staff_booth_get(actor=request.user, fair=fair, booth_id=booth_id)
    action = request.POST.get("action", "")
    try:
        booth = services.booth_decide(actor=request.user, booth=booth, action=action,
                                      reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status != 400:
            raise
        fair = staff_fair_get(actor=request.user, pk=pk)
        return render(request, "fairs/staff_detail.html", _detail_context(
            request, fair, error=f"{booth.employer.name}：{exc.message}", field_errors=exc.fields,
            posted={**request.POST.dict(), "booth": booth.pk}), status=400)
    state = booth_state(booth, viewer_role=request.user.role)
    messages.success(request, f"{booth.employer.name}：{state.title}")
    back = request.POST.get("back", "")
    back = back if back in BoothStatus.values else booth.status
    return redirect(f"{reverse('staff-fair', args=[fair.pk])}?status={back}")
