"""Employer pages of 招聘会 (phone): the fairs of the employer's channel with its own
applications, one fair with the booth application form (postings as checkboxes) and the
application's state, withdraw. Thin: parse, fetch the scoped row, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.fairs import services
from apps.fairs.models import ACTIVE_BOOTH_STATUSES
from apps.fairs.presenters import booth_state, fair_state
from apps.fairs.selectors import (
    employer_booth_get,
    employer_booths,
    employer_booths_of_fair,
    employer_fair_get,
    employer_fairs,
    employer_open_postings,
)


@role_required(Role.EMPLOYER)
def employer_fairs_view(request):
    now = timezone.now()
    page = bounded_page(request, employer_fairs(actor=request.user, now=now), per_page=20, count=False)
    rows = [(f, fair_state(f, now=now)) for f in page]
    mine = [(b, booth_state(b, viewer_role=Role.EMPLOYER)) for b in employer_booths(actor=request.user)[:10]]
    return render(request, "fairs/employer_list.html", {"page": page, "rows": rows, "mine": mine})


def _fair_context(request, fair, **extra) -> dict:
    employer = request.user.employer
    booths = employer_booths_of_fair(actor=request.user, fair=fair)
    rows = [(b, booth_state(b, viewer_role=Role.EMPLOYER, fair=fair)) for b in booths]
    live = next((b for b in booths if b.status in ACTIVE_BOOTH_STATUSES), None)
    refusal = services.apply_refusal(fair, employer)
    return {
        "fair": fair, "state": fair_state(fair), "rows": rows, "live": live,
        "apply_refusal": refusal,
        "postings": list(employer_open_postings(employer)[: services.POSTINGS_MAX * 5]) if not (refusal or live)
        else [],
        "error": None, "field_errors": {}, "posted": {}, "chosen": set(),
        "defaults": {"contact_name": employer.contact_name, "contact_phone": employer.contact_mobile},
        **extra,
    }


@role_required(Role.EMPLOYER)
def employer_fair_view(request, pk: int):
    fair = employer_fair_get(actor=request.user, pk=pk)
    if request.method == "POST":
        try:
            services.booth_apply(actor=request.user, fair=fair, posting_ids=request.POST.getlist("postings"),
                                 contact_name=request.POST.get("contact_name", ""),
                                 contact_phone=request.POST.get("contact_phone", ""),
                                 note=request.POST.get("note", ""))
        except DomainError as exc:
            if exc.status != 400:
                raise
            return render(request, "fairs/employer_fair.html", _fair_context(
                request, fair, error=exc.message, field_errors=exc.fields, posted=request.POST,
                chosen=set(request.POST.getlist("postings"))), status=400)
        messages.success(request, "展位申请已提交，等待学校审核")
        return redirect("employer-fair", pk=fair.pk)
    return render(request, "fairs/employer_fair.html", _fair_context(request, fair))


@require_POST
@role_required(Role.EMPLOYER)
def employer_booth_withdraw_view(request, pk: int):
    booth = employer_booth_get(actor=request.user, pk=pk)
    try:
        services.booth_withdraw(actor=request.user, booth=booth)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "展位申请已撤回")
    return redirect("employer-fair", pk=booth.fair_id)
