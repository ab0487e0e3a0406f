"""协议书自助打印 (self-print): the public PC page with a one-time QR + code, its status
poll and PDF, and the graduate's page that claims a session by its code.

The PC page keeps the session's secret in the page itself (htmx values), never in a cookie:
another tab or another visitor of the same PC cannot use it. The secret is sent with every
poll and with the PDF request; `print_session_for_pc` checks it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.core.errors import DomainError, NotFound
from apps.core.files import private_file_response
from apps.core.net import client_address
from apps.signing import presenters
from apps.signing.documents import agreement_generate_pdf, qr_data_uri
from apps.signing.models import Agreement, PrintSession
from apps.signing.services import (
    PRINT_SESSION_MINUTES,
    agreement_in_force,
    agreement_is_approved,
    print_session_claim,
    print_session_for_pc,
    print_session_start,
)

# the handbook's three steps (协议书自助打印)
PRINT_STEPS = (
    "毕业生在手机上打开【登记】→【网签协议书打印】",
    "在电脑上打开本页面（协议书自助打印）",
    "用手机扫描本页二维码，或在手机页面输入下方打印码并确认，电脑上即显示协议书，点击“打印”",
)


def claim_url(request, short_code: str) -> str:
    """The absolute address the PC page's QR encodes (the graduate's claim page), on the host
    the PC used (validated by ALLOWED_HOSTS), like the 二维码名片's link."""
    return request.build_absolute_uri(f"{reverse('signing-print')}?code={short_code}")


def _pdf_url(session: PrintSession, secret: str) -> str:
    from urllib.parse import urlencode

    return f"{reverse('print-pc-pdf', args=[session.pk])}?{urlencode({'secret': secret})}"


# --- the PC --------------------------------------------------------------------------------------

@never_cache
@require_GET
def print_pc_view(request):
    """打开即生成一次性打印码；本页面不需要登录。"""
    try:
        session, secret = print_session_start(client_address=client_address(request))
    except DomainError as exc:
        return render(request, "signing/print/pc.html", {"error": exc.message, "steps": PRINT_STEPS,
                                                         "requirement": presenters.print_requirement_text()}, status=503)
    return render(request, "signing/print/pc.html", {
        "session": session,
        "secret": secret,
        "qr": qr_data_uri(claim_url(request, session.short_code), scale=6),
        "claim_url": claim_url(request, session.short_code),
        "minutes": PRINT_SESSION_MINUTES,
        "steps": PRINT_STEPS,
        "requirement": presenters.print_requirement_text(),
    })


def _status_context(session_id, secret: str) -> dict:
    try:
        session = print_session_for_pc(session_id=int(session_id), secret=secret)
    except (TypeError, ValueError, NotFound):
        return {"state": "missing", "message": "打印会话不存在，请刷新页面"}
    except DomainError as exc:
        return {"state": "expired", "message": exc.message}
    if session.claimed_at is None:
        remaining = max(0, int((session.expires_at - timezone.now()).total_seconds()))
        return {"state": "waiting", "session": session, "secret": secret, "remaining": remaining}
    return {"state": "ready", "session": session, "secret": secret, "agreement": session.agreement,
            "pdf_url": _pdf_url(session, secret)}


@never_cache
@require_POST
def print_pc_status_view(request):
    """htmx poll (every 2 s) with the session id + secret: waiting / ready / expired."""
    context = _status_context(request.POST.get("session"), request.POST.get("secret", ""))
    return render(request, "signing/print/_pc_status.html", context)


@never_cache
@xframe_options_sameorigin
@require_http_methods(["GET", "HEAD"])
def print_pc_pdf_view(request, pk: int):
    """The claimed agreement's PDF for the PC (no login; the page's secret is the key)."""
    try:
        session = print_session_for_pc(session_id=pk, secret=request.GET.get("secret", ""))
    except DomainError as exc:
        raise Http404(exc.message) from None
    if session.claimed_at is None or session.agreement is None:
        raise Http404("尚未扫码确认")
    agreement = session.agreement
    if not agreement.pdf:
        agreement_generate_pdf(agreement.pk)
        agreement = Agreement.objects.get(pk=agreement.pk)
    PrintSession.objects.filter(pk=session.pk, printed_at__isnull=True).update(printed_at=timezone.now())
    response = private_file_response(agreement.pdf, download_name=f"{agreement.number}.pdf", inline=True)
    response["Content-Type"] = "application/pdf"
    return response


# --- the graduate --------------------------------------------------------------------------------

@role_required(Role.GRADUATE)
def graduate_print_view(request):
    """网签协议书打印: the graduate confirms the code shown on the PC."""
    agreement = agreement_in_force(request.user.graduate_id)
    approved = agreement is not None and agreement_is_approved(agreement)
    code = (request.POST.get("code") if request.method == "POST" else request.GET.get("code")) or ""
    error, claimed = None, None
    if request.method == "POST":
        try:
            claimed = print_session_claim(actor=request.user, short_code=code, client_address=client_address(request))
        except DomainError as exc:
            error = exc.message
    return render(request, "signing/print/graduate.html", {
        "tab": "register",
        "agreement": agreement,
        "approved": approved,
        "review_status": presenters.agreement_review(agreement).title if agreement else "",
        "state": presenters.agreement_state(agreement, viewer_role=Role.GRADUATE) if agreement else None,
        "requirement": presenters.print_requirement_text(),
        "code": code.strip()[:8],
        "error": error,
        "claimed": claimed,
        "steps": PRINT_STEPS,
    }, status=400 if error else 200)
