"""Graduate pages of 宣讲会 (phone, tab 服务): the sessions open to the graduate, one session
with 报名 / 取消报名 and the seats left. Thin: parse, fetch, call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.fairs.selectors_checkin import checked_in_session_ids
from apps.infosessions import services
from apps.infosessions.presenters import seats_left, session_state
from apps.infosessions.selectors import is_signed_up, session_for_graduate, sessions_open_to, signed_up_ids

TAB = "services"


@role_required(Role.GRADUATE)
def sessions_view(request):
    graduate = services.graduate_of(request.user)
    page = bounded_page(request, sessions_open_to(graduate), per_page=20, count=False)
    mine = signed_up_ids(graduate, page)
    checked = checked_in_session_ids(graduate, [s.pk for s in page])
    rows = [(s, session_state(s, viewer_role=Role.GRADUATE, signed_up=s.pk in mine, checked_in=s.pk in checked))
            for s in page]
    return render(request, "infosessions/list.html", {"tab": TAB, "page": page, "rows": rows})


def _detail(request, graduate, session, *, error: str = "", status: int = 200):
    signed_up = is_signed_up(graduate, session)
    checked_in = bool(checked_in_session_ids(graduate, [session.pk]))
    return render(request, "infosessions/detail.html", {
        "tab": TAB, "s": session, "graduate": graduate, "signed_up": signed_up,
        "state": session_state(session, viewer_role=Role.GRADUATE, signed_up=signed_up, checked_in=checked_in),
        "seats_left": seats_left(session), "postings": list(session.postings.all()),
        "refusal": services.signup_refusal(session, graduate) if not signed_up else "",
        "error": error,
    }, status=status)


@role_required(Role.GRADUATE)
def session_view(request, pk: int):
    graduate = services.graduate_of(request.user)
    return _detail(request, graduate, session_for_graduate(graduate, pk))


@require_POST
@role_required(Role.GRADUATE)
def session_signup_view(request, pk: int):
    graduate = services.graduate_of(request.user)
    session = session_for_graduate(graduate, pk)
    want = request.POST.get("action", "signup") != "cancel"
    try:
        now_signed = services.session_signup_toggle(actor=request.user, session=session, signup=want)
    except DomainError as exc:
        if exc.status != 400:
            raise
        return _detail(request, graduate, session_for_graduate(graduate, pk), error=exc.message, status=400)
    messages.success(request, "报名成功，宣讲会前一天会提醒你" if now_signed else "已取消报名")
    return redirect("session", pk=pk)
