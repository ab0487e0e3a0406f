"""网络签约, the employer's pages (a recruiter's phone; no account needed to start).

Step 1 (/sign/c/<token>/ or a typed short code): check the graduate shown. Step 2: the
unit, contact, position, labour-contract and breach terms plus the credit-code
certificate → 邀约确认. Then the secret follow link shows the status, allows 撤回 while the
graduate has not answered and, after a review return, the correction of the unit data.
A registered employer account may also start from /employer/ with school + name + student
number and sees its invitations there."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import role_required
from apps.accounts.scoping import get_visible
from apps.core.errors import DomainError
from apps.core.images import process_image
from apps.core.net import client_address
from apps.graduates.models import Graduate
from apps.organisations.models import School
from apps.signing import certificate_draft, presenters, services
from apps.signing.models import Invitation, InvitationStatus, ProbationType

FORM_FIELDS = ("unit_name", "credit_code", "unit_nature_code", "industry_code", "unit_division", "unit_address",
               "contact_person", "contact_phone", "position_name", "position_category_code", "work_place",
               "contract_years", "probation_type", "probation_months", "monthly_pay", "social_insurance",
               "breach_penalty", "breach_conditions", "accepts_archive", "accepts_household", "remarks")

# form fields a registered employer's start link may prefill (?position_name=…), with their limits
PREFILL_FIELDS = {"position_name": 100, "position_category_code": 4, "work_place": 200}


def _employer_user(request):
    user = request.user
    return user if user.is_authenticated and user.role == Role.EMPLOYER and user.employer_id else None


def _refused(request, message: str, status: int = 400):
    return render(request, "signing/employer/refused.html",
                  {"message": message, "card_validity": presenters.card_validity_text()}, status=status)


def _card_graduate(card) -> Graduate:
    return Graduate.objects.select_related("school", "major").get(pk=card.graduate_id)


# --- step 1: the graduate's card ---------------------------------------------------------------

@never_cache
def card_code_view(request):
    """A recruiter who cannot scan types the 8-character code shown under the QR."""
    error = None
    code = request.POST.get("code", "") if request.method == "POST" else ""
    if request.method == "POST":
        try:
            card = services.card_resolve(short_code=code, client_address=client_address(request))
        except DomainError as exc:
            error = exc.message
        else:
            return redirect("sign-card", token=services.card_token(card))
    return render(request, "signing/employer/code.html", {"error": error, "code": code})


@never_cache
def card_view(request, token: str):
    try:
        card = services.card_resolve(token=token)
    except DomainError as exc:
        return _refused(request, exc.message)
    graduate = _card_graduate(card)
    return render(request, "signing/employer/card.html", {
        "token": token, "card": card, "summary": services.graduate_card_summary(graduate),
        "notice": services.employer_precondition_notice(graduate),
    })


# --- step 2: the invitation form -------------------------------------------------------------------

def _form_context(request, token, card, values, field_errors=None, error=None, certificate=None):
    return {
        # 「已上传：文件名」: the certificate kept with this form's draft (certificate_draft.py)
        "certificate_name": (certificate.original_name or "统一社会信用代码证图片") if certificate else "",
        "token": token, "card": card, "summary": services.graduate_card_summary(_card_graduate(card)),
        "v": values, "errors": field_errors or {}, "error": error, "probation_types": ProbationType.choices,
        "employer_user": _employer_user(request), "card_validity": presenters.card_validity_text(),
    }


@never_cache
def invite_view(request, token: str):
    try:
        card = services.card_resolve(token=token)
    except DomainError as exc:
        return _refused(request, exc.message)
    employer_user = _employer_user(request)
    if request.method != "POST":
        values = {"probation_type": ProbationType.PROBATION, "probation_months": "3"}
        if employer_user is not None:
            employer = employer_user.employer
            values.update(unit_name=employer.name, credit_code=employer.credit_code, unit_nature_code=employer.nature_code,
                          industry_code=employer.industry_code, unit_division=employer.division_id or "",
                          unit_address=employer.address)
            # the position of a hired applicant (apps/applications: 发起网签 from 录用) — a
            # prefill only: the recruiter checks and may change it, the service validates it
            values.update({name: request.GET[name][:limit] for name, limit in PREFILL_FIELDS.items()
                           if request.GET.get(name)})
        return render(request, "signing/employer/invite.html", _form_context(request, token, card, values))
    values = {name: request.POST.get(name, "") for name in FORM_FIELDS}
    # the certificate is checked once and kept with this browser's draft of the form, so an
    # error elsewhere does not make the recruiter choose the picture again
    certificate, certificate_error = certificate_draft.draft_get(request, token), None
    uploaded = request.FILES.get("certificate")
    if uploaded is not None:
        try:
            certificate = process_image(uploaded)
        except DomainError as exc:
            certificate_error = exc.message
        else:
            certificate_draft.draft_keep(request, token, certificate)
    try:
        # a refused picture is sent as none: the service still reports the other fields'
        # errors first and writes nothing
        _, follow_token = services.invitation_create(
            card=card, data=values, certificate=None if certificate_error else certificate,
            employer_user=employer_user, client_address=client_address(request))
    except DomainError as exc:
        fields = {k: v for k, v in exc.fields.items() if k in FORM_FIELDS or k == "certificate"}
        message = services.precondition_message_for_employer(exc)
        if certificate_error:
            fields["certificate"] = certificate_error
            if set(fields) == {"certificate"}:
                message = certificate_error
        if set(fields) == {"certificate"}:
            fields["certificate"] = message
        elif fields:
            message = "请按提示修改标红的内容后重新提交"
        return render(request, "signing/employer/invite.html",
                      _form_context(request, token, card, values, fields, message,
                                    certificate=certificate_draft.draft_get(request, token)), status=400)
    certificate_draft.draft_drop(request, token)
    messages.success(request, "邀约已发送，请等待毕业生确认。请收藏本页面链接，以便随时查看邀约状态。")
    return redirect("sign-follow", token=follow_token)


# --- after sending: the follow link -------------------------------------------------------------

def _detail_context(invitation: Invitation, *, follow_token: str = "", correction_values=None, correction_errors=None,
                    error=None) -> dict:
    invitation = Invitation.objects.select_related("graduate", "graduate__school", "graduate__major", "unit_division",
                                                   "employer").get(pk=invitation.pk)
    agreement = getattr(invitation, "agreement", None) if invitation.status == InvitationStatus.ACCEPTED else None
    returned = services.signed_destination_returned(invitation) if agreement is not None else None
    review = presenters.agreement_review(agreement, viewer_role=Role.EMPLOYER) if agreement is not None else None
    values = correction_values
    if values is None and returned is not None:
        values = {"unit_name": returned.unit_name, "credit_code": returned.credit_code,
                  "unit_nature_code": returned.unit_nature_code, "industry_code": returned.industry_code,
                  "unit_division": returned.unit_division_id or "", "unit_address": returned.unit_address,
                  "position_category_code": returned.position_category_code, "unit_contact": returned.unit_contact,
                  "unit_contact_phone": returned.unit_contact_phone}
    return {
        "invitation": invitation, "summary": services.graduate_card_summary(invitation.graduate),
        "sections": services.invitation_term_sections(invitation), "agreement": agreement,
        "review_state": review,
        "review_status": review.title if review is not None else "",
        "state": presenters.invitation_state(invitation, viewer_role=Role.EMPLOYER, follow_token=follow_token),
        "agreement_state": (presenters.agreement_state(agreement, viewer_role=Role.EMPLOYER)
                            if agreement is not None else None),
        "returned": returned, "cv": values or {}, "ce": correction_errors or {}, "error": error,
    }


def _followed(token: str) -> Invitation:
    """The invitation behind a follow link; an unknown token is a 404 page (NotFound)."""
    return services.invitation_for_follow_token(token)


@never_cache
def follow_view(request, token: str):
    invitation = _followed(token)
    return render(request, "signing/employer/follow.html", {
        **_detail_context(invitation, follow_token=token), "token": token,
        "withdraw_url": reverse("sign-follow-withdraw", args=[token]),
        "correction_url": reverse("sign-follow-correction", args=[token])})


@require_POST
def follow_withdraw_view(request, token: str):
    invitation = _followed(token)
    try:
        services.invitation_withdraw(invitation=invitation, follow_token=token, client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "邀约已撤回")
    return redirect("sign-follow", token=token)


CORRECTION_FIELDS = services.SIGNED_UNIT_FIELDS


@require_POST
def follow_correction_view(request, token: str):
    invitation = _followed(token)
    values = {name: request.POST.get(name, "") for name in CORRECTION_FIELDS}
    try:
        services.signed_unit_correct(invitation=invitation, follow_token=token, changes=values,
                                     client_address=client_address(request))
    except DomainError as exc:
        return render(request, "signing/employer/follow.html", {
            **_detail_context(invitation, follow_token=token, correction_values=values, correction_errors=exc.fields,
                              error=exc.message),
            "token": token, "withdraw_url": reverse("sign-follow-withdraw", args=[token]),
            "correction_url": reverse("sign-follow-correction", args=[token])}, status=400)
    messages.success(request, "单位信息已更正，已重新提交院系审核。协议仍然有效。")
    return redirect("sign-follow", token=token)


# --- a registered employer account -------------------------------------------------------------------

def employer_signing_context(request) -> dict:
    """The 发起网签 form and the invitations list on /employer/ (apps/core employer_home_view)."""
    invitations = list(services.invitations_for_employer(actor=request.user)[:100])
    for invitation in invitations:
        invitation.state = presenters.invitation_state(invitation, viewer_role=Role.EMPLOYER)
    return {"schools": School.objects.filter(is_active=True).order_by("name"), "signing_invitations": invitations}


@require_POST
@role_required(Role.EMPLOYER)
def employer_start_view(request):
    try:
        _, token = services.card_issue_for_employer(
            actor=request.user, school_id=request.POST.get("school", ""), name=request.POST.get("name", ""),
            student_number=request.POST.get("student_number", ""), client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("employer-home") + "#start-signing")
    return redirect("sign-invite", token=token)


def _account_invitation(request, pk: int) -> Invitation:
    return get_visible(services.invitations_for_employer(actor=request.user), request.user, pk=pk)


def _account_detail(request, invitation, **kwargs):
    return render(request, "signing/employer/follow.html", {
        **_detail_context(invitation, **kwargs), "account": True,
        "withdraw_url": reverse("employer-invitation-withdraw", args=[invitation.pk]),
        "correction_url": reverse("employer-invitation-correction", args=[invitation.pk])},
        status=400 if kwargs.get("error") else 200)


@role_required(Role.EMPLOYER)
def employer_invitation_view(request, pk: int):
    return _account_detail(request, _account_invitation(request, pk))


@require_POST
@role_required(Role.EMPLOYER)
def employer_withdraw_view(request, pk: int):
    invitation = _account_invitation(request, pk)
    try:
        services.invitation_withdraw(invitation=invitation, employer_user=request.user,
                                     client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "邀约已撤回")
    if request.POST.get("next") == "home":
        return redirect(reverse("employer-home") + "#signing-invitations")
    return redirect("employer-invitation", pk=pk)


@require_POST
@role_required(Role.EMPLOYER)
def employer_correction_view(request, pk: int):
    invitation = _account_invitation(request, pk)
    values = {name: request.POST.get(name, "") for name in CORRECTION_FIELDS}
    try:
        services.signed_unit_correct(invitation=invitation, employer_user=request.user, changes=values,
                                     client_address=client_address(request))
    except DomainError as exc:
        return _account_detail(request, invitation, correction_values=values, correction_errors=exc.fields,
                               error=exc.message)
    messages.success(request, "单位信息已更正，已重新提交院系审核。协议仍然有效。")
    return redirect("employer-invitation", pk=pk)
