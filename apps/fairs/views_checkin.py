"""签到 pages: the staff screen with the rotating QR (desktop / projector), the card scan, live
attendance; the page the QR opens on the graduate's phone (result + booths to mark 到访); the
employer's visitors of its booth. Thin: parse, fetch the scoped row, call one service, render.

The QR link is opened with a GET because that is what a phone camera does; the code in it is
the proof of presence (valid for CHECKIN_CODE_VALID_SECONDS) and a second opening changes
nothing."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import require_role, role_required
from apps.core.errors import DomainError
from apps.core.listing import bounded_page
from apps.core.net import client_address, safe_return_url
from apps.fairs import checkin, services_checkin
from apps.fairs import selectors_checkin as sel
from apps.fairs.presenters_checkin import CREATED, checkin_state
from apps.fairs.rules import visitor_resume_refusal
from apps.resumes.presenters import employer_resume_view
from apps.resumes.snapshot import resume_snapshot

ATTENDANCE_PER_PAGE = 30
VISITORS_PER_PAGE = 20
# the screen asks for a fresh QR this often (never slower than the rotation)
SCREEN_POLL_SECONDS = 5


def _poll_seconds() -> int:
    return max(1, min(SCREEN_POLL_SECONDS, checkin.rotate_seconds()))


# --- graduate: the page the QR opens --------------------------------------------------------

def _scan_page(request, event, code: str):
    user = request.user
    if not user.is_authenticated:
        # remember a good scan across the login (it takes longer than a code lives)
        now, target = timezone.now(), request.path
        if checkin.code_is_valid(event.checkin_secret, code, at=now):
            target += "?" + urlencode({"scan": checkin.scan_note(event, code, at=now)})
        return redirect_to_login(target, reverse("graduate-login"))
    require_role(user, (Role.GRADUATE,))
    session = checkin.is_session(event)
    door = services_checkin.session_check_in if session else services_checkin.fair_check_in
    try:
        result = door(actor=user, **{"session" if session else "fair": event}, code=code,
                      scanned_at=checkin.scan_note_time(event, code, request.GET.get("scan", "")),
                      client_address=client_address(request))
    except DomainError as exc:
        if exc.status != 400:
            raise
        return render(request, "fairs/checkin_refused.html",
                      {"tab": "services", "message": exc.message, "session": session}, status=400)
    return _result_page(request, event, result.row, result.outcome)


def _result_page(request, event, row, outcome: str = ""):
    session = checkin.is_session(event)
    context = {"tab": "services", "event": event, "session": session,
               "state": checkin_state(event, viewer_role=Role.GRADUATE, checkin_row=row, outcome=outcome)}
    if not session and row is not None:
        context["booth_rows"] = sel.booth_rows_for_graduate(actor=request.user, fair=event,
                                                            just_checked_in=outcome == CREATED)
        context["visit_next"] = request.path
    return render(request, "fairs/checkin_result.html", context)


@never_cache
def fair_checkin_view(request, pk: int, code: str):
    return _scan_page(request, sel.fair_for_graduate(pk), code)


@never_cache
def session_checkin_view(request, pk: int, code: str):
    return _scan_page(request, sel.session_for_graduate(pk), code)


@never_cache
@role_required(Role.GRADUATE)
def fair_checkin_booths_view(request, pk: int):
    """现场展位: after check-in, the fair's booths to mark 到访 (where a visit form returns)."""
    fair = sel.fair_for_graduate(pk)
    row = sel.own_fair_checkin(actor=request.user, fair=fair)
    if row is None:
        return render(request, "fairs/checkin_refused.html",
                      {"tab": "services", "message": services_checkin.MSG_NOT_CHECKED_IN, "session": False},
                      status=400)
    return _result_page(request, fair, row)


@require_POST
@role_required(Role.GRADUATE)
def fair_booth_visit_view(request, pk: int):
    booth = sel.booth_for_graduate(pk)
    share = request.POST.get("share_resume") in ("1", "on", "true")
    try:
        visit, created = services_checkin.booth_visit_record(actor=request.user, booth=booth, share_resume=share,
                                                             client_address=client_address(request))
    except DomainError as exc:
        if exc.status != 400:
            raise
        messages.error(request, exc.message)
    else:
        name = booth.employer.name
        if created:
            messages.success(request, f"已登记到访{name}" + ("，并同意该单位查看你的简历" if share else ""))
        elif visit.share_resume:
            messages.success(request, f"已同意{name}查看你的简历")
        else:
            messages.success(request, f"已登记到访{name}，该单位看不到你的简历")
    back = (safe_return_url(request, request.POST.get("next", ""), within="/services/fairs/")
            or safe_return_url(request, request.POST.get("next", ""), within="/checkin/fair/"))
    return redirect(back or reverse("fair-checkin-booths", args=[booth.fair_id]))


# --- staff: screen, card, attendance ------------------------------------------------------------

_NAMES = {
    False: {"screen": "staff-fair-checkin-screen", "card": "staff-fair-checkin-card",
            "attendance": "staff-fair-attendance"},
    True: {"screen": "staff-session-checkin-screen", "card": "staff-session-checkin-card",
           "attendance": "staff-session-attendance"},
}


def _staff_event(request, pk: int, session: bool):
    getter = sel.staff_session_get if session else sel.staff_fair_get
    return getter(actor=request.user, pk=pk)


def _screen_context(request, event) -> dict:
    now = timezone.now()
    code = checkin.rotating_code(event.checkin_secret, at=now)
    url = checkin.checkin_url(event, code)
    session = checkin.is_session(event)
    from apps.signing.documents import qr_data_uri

    return {
        "event": event, "session": session, "names": _NAMES[session], "code": code, "url": url,
        "qr": qr_data_uri(url, scale=8), "seconds_left": checkin.code_seconds_left(at=now),
        "rotation": checkin.rotation_text(), "rotate_seconds": checkin.rotate_seconds(),
        "poll_seconds": _poll_seconds(), "open": checkin.window_phase(event, at=now) == "open",
        "state": checkin_state(event, viewer_role=request.user.role, now=now),
    }


@never_cache
@role_required(Role.SCHOOL_STAFF)
def _screen(request, pk: int, session: bool):
    event = _staff_event(request, pk, session)
    context = _screen_context(request, event)
    # 全屏显示 (?display=1): the same screen for a projector, without the staff navigation; the
    # live part keeps the mode in its own refresh link
    context["display"] = request.GET.get("display") == "1"
    if request.headers.get("HX-Request"):
        return render(request, "fairs/checkin_screen_live.html", context)
    return render(request, "fairs/checkin_screen_display.html" if context["display"] else "fairs/checkin_screen.html",
                  context)


def staff_fair_checkin_screen_view(request, pk: int):
    return _screen(request, pk, False)


def staff_session_checkin_screen_view(request, pk: int):
    return _screen(request, pk, True)


@require_POST
@role_required(Role.SCHOOL_STAFF)
def _card(request, pk: int, session: bool):
    event = _staff_event(request, pk, session)
    door = services_checkin.session_check_in_card if session else services_checkin.fair_check_in_card
    try:
        result = door(actor=request.user, **{"session" if session else "fair": event},
                      card_code=request.POST.get("card_code", ""), client_address=client_address(request))
    except DomainError as exc:
        if exc.status not in (400, 429):
            raise
        messages.error(request, f"签到未成功：{exc.message}")
    else:
        who = f"{sel.name_for_staff(request.user, result.graduate)}（{result.graduate.school.name}）"
        if result.created:
            messages.success(request, f"{who}签到成功")
        else:
            messages.info(request, f"{who}此前已签到，不重复计数")
    return redirect(_NAMES[session]["screen"], pk=event.pk)


def staff_fair_checkin_card_view(request, pk: int):
    return _card(request, pk, False)


def staff_session_checkin_card_view(request, pk: int):
    return _card(request, pk, True)


@never_cache
@role_required(Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
def _attendance(request, pk: int, session: bool):
    event = _staff_event(request, pk, session)
    rows = (sel.session_attendance(actor=request.user, session=event) if session
            else sel.fair_attendance(actor=request.user, fair=event))
    # the maintained counter says how many; the page reads no more than one page of rows
    page = bounded_page(request, rows, per_page=ATTENDANCE_PER_PAGE, count=False)
    items = [(r, sel.name_for_staff(request.user, r.graduate)) for r in page]
    return render(request, "fairs/checkin_attendance.html", {
        "event": event, "session": session, "names": _NAMES[session], "page": page, "items": items,
        "state": checkin_state(event, viewer_role=request.user.role),
    })


def staff_fair_attendance_view(request, pk: int):
    return _attendance(request, pk, False)


def staff_session_attendance_view(request, pk: int):
    return _attendance(request, pk, True)


# --- employer: who came to its booth ---------------------------------------------------------------

@never_cache
@role_required(Role.EMPLOYER)
def employer_fair_visitors_view(request, booth_id: int):
    booth = sel.employer_booth_get(actor=request.user, pk=booth_id)
    page = bounded_page(request, sel.booth_shared_visits(actor=request.user, booth=booth),
                        per_page=VISITORS_PER_PAGE, count=False)
    return render(request, "fairs/checkin_visitors.html", {"booth": booth, "fair": booth.fair, "page": page,
                                                           "refusal": visitor_resume_refusal(booth)})


@never_cache
@role_required(Role.EMPLOYER)
def employer_fair_visitor_view(request, booth_id: int, visit_id: int):
    """One visitor's résumé as it is now — only while their consent stands."""
    booth = sel.employer_booth_get(actor=request.user, pk=booth_id)
    visit = sel.booth_shared_visit_get(actor=request.user, booth=booth, pk=visit_id)
    snapshot = employer_resume_view(resume_snapshot(visit.graduate))
    return render(request, "fairs/checkin_visitor.html", {"booth": booth, "fair": booth.fair, "visit": visit,
                                                          "snapshot": snapshot})
