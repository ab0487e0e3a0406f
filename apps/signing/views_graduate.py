"""网络签约, the graduate's pages (mobile): 二维码名片, 网签邀约通知, an invitation's terms with
接受 / 拒绝, the 60-second confirmation with the signing PIN, and the agreement's status.
Thin: fetch the graduate's own rows, call one service, render."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import DomainError
from apps.core.files import private_file_response
from apps.core.net import client_address
from apps.graduates.models import Graduate
from apps.notifications.models import Notification
from apps.signing import presenters, services
from apps.signing.documents import qr_data_uri
from apps.signing.models import Agreement, AgreementStatus, Invitation, InvitationStatus


def _own_graduate(request) -> Graduate:
    return Graduate.objects.select_related("school", "college", "major").get(pk=request.user.graduate_id)


def _page(request, template, tab, **context):
    graduate = context.get("graduate") or _own_graduate(request)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    return render(request, template, {"tab": tab, "graduate": graduate, "binding_notice": services.BINDING_NOTICE, **context})


@role_required(Role.GRADUATE)
def card_view(request):
    """二维码名片: a fresh signed link on every opening, its QR and its short code."""
    graduate = _own_graduate(request)
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    card, token = services.card_issue(actor=request.user)
    link = request.build_absolute_uri(reverse("sign-card", args=[token]))
    remaining = max(0, int((card.expires_at - timezone.now()).total_seconds()))
    return _page(request, "signing/graduate/card.html", "me", graduate=graduate, card=card, link=link,
                 qr=qr_data_uri(link, scale=5), remaining=remaining, card_minutes=services.card_minutes(),
                 confirm_window=presenters.confirm_window_text(),
                 summary=services.graduate_card_summary(graduate),
                 unmet=services.signing_preconditions(graduate))


@role_required(Role.GRADUATE)
def invitations_view(request):
    """网签邀约通知 in 4 statements (session, user, graduate, invitations; one more with an
    agreement in force): the unread-notice count and whether an agreement is in force come with
    the graduate's row, and the PIN check runs before anything is expired."""
    unread = (visible_to(Notification, request.user).filter(graduate_id=OuterRef("pk"), read_at__isnull=True)
              .order_by().values("graduate_id").annotate(n=Count("pk")).values("n"))
    in_force = Agreement.objects.filter(graduate_id=OuterRef("pk"), status=AgreementStatus.IN_FORCE)
    graduate = (Graduate.objects.select_related("school", "college", "major")
                .annotate(unread=Coalesce(Subquery(unread), 0), has_agreement=Exists(in_force))
                .get(pk=request.user.graduate_id))
    if not graduate.has_signing_pin:
        return redirect("graduate-pin")
    invitations = services.graduate_invitation_list(actor=request.user)
    agreement = services.agreement_in_force(graduate.pk) if graduate.has_agreement else None
    for invitation in invitations:
        invitation.state = presenters.invitation_state(invitation, viewer_role=Role.GRADUATE,
                                                       has_other_agreement=agreement is not None)
    return _page(request, "signing/graduate/invitations.html", "register", graduate=graduate,
                 invitations=invitations, agreement=agreement, unread=graduate.unread)


def _invitation(request, pk: int) -> Invitation:
    return get_visible(services.invitations_for_graduate(actor=request.user), request.user, pk=pk)


def _detail(request, invitation, *, error=None, field_errors=None, reason=""):
    agreement = services.agreement_in_force(request.user.graduate_id)
    state = presenters.invitation_state(invitation, viewer_role=Role.GRADUATE, has_other_agreement=agreement is not None)
    return _page(request, "signing/graduate/invitation.html", "register", invitation=invitation,
                 sections=services.invitation_term_sections(invitation), agreement=agreement, state=state,
                 can_decide=state.action("accept") is not None, confirm_window=presenters.confirm_window_text(),
                 error=error, field_errors=field_errors or {}, reason=reason)


@role_required(Role.GRADUATE)
def invitation_view(request, pk: int):
    return _detail(request, _invitation(request, pk))


@require_POST
@role_required(Role.GRADUATE)
def accept_view(request, pk: int):
    """接受 opens the 60-second window, then the confirmation page counts it down."""
    invitation = _invitation(request, pk)
    try:
        services.acceptance_open(actor=request.user, invitation=invitation)
    except DomainError as exc:
        invitation.refresh_from_db()
        return _detail(request, invitation, error=exc.message)
    return redirect("signing-invitation-confirm", pk=pk)


@require_POST
@role_required(Role.GRADUATE)
def decline_view(request, pk: int):
    invitation = _invitation(request, pk)
    reason = request.POST.get("reason", "")
    try:
        services.invitation_decline(actor=request.user, invitation=invitation, reason=reason,
                                    client_address=client_address(request))
    except DomainError as exc:
        invitation.refresh_from_db()
        return _detail(request, invitation, error=exc.message, field_errors=exc.fields, reason=reason)
    messages.success(request, f"已拒绝{invitation.unit_name}的签约邀约")
    return redirect("signing-invitations")


@role_required(Role.GRADUATE)
def confirm_view(request, pk: int):
    """确认签约: the key terms, the binding warning, the countdown and the signing PIN."""
    invitation = _invitation(request, pk)
    error = None
    if request.method == "POST":
        try:
            agreement = services.acceptance_confirm(actor=request.user, invitation=invitation,
                                                    pin=request.POST.get("pin", ""),
                                                    client_address=client_address(request),
                                                    user_agent=request.headers.get("User-Agent", ""))
        except DomainError as exc:
            error = exc.message
            invitation.refresh_from_db()
        else:
            messages.success(request, presenters.agreement_review(agreement).title)
            return redirect("signing-agreement")
    remaining = 0
    if invitation.status == InvitationStatus.OPEN and invitation.confirm_opened_at is not None:
        deadline = invitation.confirm_opened_at + timedelta(seconds=services.CONFIRM_WINDOW_SECONDS)
        remaining = max(0, int((deadline - timezone.now()).total_seconds()))
    else:
        deadline = None
    if not remaining and error is None:
        state = presenters.invitation_state(invitation, viewer_role=Role.GRADUATE)
        error = (presenters.confirm_expired_text() if state.code == "open"
                 else f"邀约当前状态为“{state.title}”，不能签约")
    sections = services.invitation_term_sections(invitation)
    return _page(request, "signing/graduate/confirm.html", "register", invitation=invitation,
                 key_terms=sections[0][1][:1] + sections[1][1] + sections[2][1], deadline=deadline,
                 remaining=remaining, error=error, expired_text=presenters.confirm_expired_text())


@role_required(Role.GRADUATE)
def agreement_view(request):
    agreement = services.agreement_in_force(request.user.graduate_id)
    context = {"agreement": agreement}
    if agreement is not None:
        context.update(review_status=presenters.agreement_review(agreement).title,
                       state=presenters.agreement_state(agreement, viewer_role=Role.GRADUATE),
                       sections=services.invitation_term_sections(agreement.invitation))
    return _page(request, "signing/graduate/agreement.html", "register", **context)


@role_required(Role.GRADUATE)
def certificate_view(request, pk: int):
    """The employer's credit-code certificate of an invitation addressed to the graduate."""
    invitation = get_visible(Invitation, request.user, pk=pk)
    return private_file_response(invitation.certificate)
