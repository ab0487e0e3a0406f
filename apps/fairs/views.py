"""Graduate pages of 招聘会 (phone, tab 服务): upcoming fairs the graduate may attend, one fair
with its state, the employers and their postings still open to the graduate, 我要参加. Thin:
parse, fetch the scoped row, call one service, render."""

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
from apps.fairs.presenters import graduate_fair_state, graduate_fair_view
from apps.fairs.selectors import (
    fair_employers_for_graduate,
    fairs_open_to,
    graduate_fair_get,
    interested_fair_ids,
)
from apps.fairs.selectors_checkin import checked_in_fair_ids

TAB = "services"


@role_required(Role.GRADUATE)
def fairs_view(request):
    graduate = services.graduate_of(request.user)
    now = timezone.now()
    page = bounded_page(request, fairs_open_to(graduate, now=now), per_page=20, count=False)
    ids = [f.pk for f in page]
    mine, checked = interested_fair_ids(graduate, ids), checked_in_fair_ids(graduate, ids)
    rows = [(f, graduate_fair_state(f, registered=f.pk in mine, checked_in=f.pk in checked, now=now),
             f.pk in mine, f.pk in checked) for f in page]
    return render(request, "fairs/list.html", {"tab": TAB, "page": page, "rows": rows})


@role_required(Role.GRADUATE)
def fair_view(request, pk: int):
    graduate = services.graduate_of(request.user)
    fair = graduate_fair_get(graduate, pk)
    page = bounded_page(request, fair_employers_for_graduate(graduate, fair), per_page=30, count=False)
    view = graduate_fair_view(graduate, fair)
    return render(request, "fairs/detail.html", {
        "tab": TAB, "fair": fair, "graduate": graduate, "state": view.state, "page": page,
        "booths": list(page), "interested": view.registered, "checked_in": view.checked_in,
        "cancelled": view.state.code == "cancelled",
    })


@require_POST
@role_required(Role.GRADUATE)
def fair_interest_view(request, pk: int):
    graduate = services.graduate_of(request.user)
    fair = graduate_fair_get(graduate, pk)
    want = {"1": True, "0": False}.get(request.POST.get("interested", ""))
    try:
        now_interested = services.fair_interest_toggle(actor=request.user, fair=fair, interested=want)
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, "已报名参加，招聘会前一天会提醒你" if now_interested else "已取消报名")
    return redirect("fair", pk=fair.pk)
