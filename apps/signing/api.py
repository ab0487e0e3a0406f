"""网络签约 API for the graduate and the employer (C5, C12).

- The graduate (session or bearer): the QR card, the invitations (网签邀约通知), decline,
  accept (opens the 60-second window) and confirm with the signing PIN, the agreement.
- The employer without an account: the card (scanned link or typed short code) and the
  invitation's follow link are public but protected by their secret tokens.
- A registered employer account: start from school + name + student number, its
  invitations (scoped by employer) and withdraw.

Strangers' ids answer 404 (`get_visible`), a wrong role 403; every refusal is the
platform's one error shape."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile

from apps.accounts.models import Role, User
from apps.accounts.permissions import require_role
from apps.accounts.scoping import get_visible
from apps.core.api import AUTH, BearerTokenAuth
from apps.core.net import client_address
from apps.graduates.models import Graduate
from apps.signing import presenters, services
from apps.signing.models import Invitation, InvitationStatus

router = Router(tags=["网络签约"])
GRADUATE = (Role.GRADUATE,)
EMPLOYER = (Role.EMPLOYER,)


def _public(request):
    """Token-protected endpoints: anyone holding the token may call them."""
    return "public"


# an employer account's bearer token binds the invitation to it; otherwise anonymous
EMPLOYER_OR_PUBLIC = [BearerTokenAuth(), _public]


# --- shapes ---------------------------------------------------------------------------------

class SigningActionOut(Schema):
    code: str
    label: str
    url: str
    method: str


class SigningStateOut(Schema):
    """What the pages show for this state (apps/signing/presenters.py): title, explanation,
    tone (good/warn/bad/info) and what the caller may do next."""

    code: str
    title: str
    text: str
    tone: str
    actions: list[SigningActionOut]


class UnmetOut(Schema):
    code: str
    message: str


class GraduateCardOut(Schema):
    name: str
    school: str
    major: str
    education_level: str
    id_number_masked: str


class CardOut(Schema):
    token: str
    short_code: str
    link: str
    expires_at: datetime
    unmet: list[UnmetOut]
    graduate: GraduateCardOut


class PublicCardOut(Schema):
    token: str
    expires_at: datetime
    graduate: GraduateCardOut
    can_invite: bool
    notice: str


class TermsOut(Schema):
    unit_name: str
    credit_code: str
    credit_code_flagged: bool
    unit_nature_code: str
    unit_nature: str
    industry_code: str
    industry: str
    unit_division_code: str
    unit_division: str
    unit_address: str
    contact_person: str
    contact_phone: str
    position_name: str
    position_category_code: str
    position_category: str
    work_place: str
    contract_years: int
    probation_type: str
    probation_type_label: str
    probation_months: int
    monthly_pay: int
    social_insurance: str
    breach_penalty: int
    breach_conditions: str
    accepts_archive: bool
    accepts_household: bool
    remarks: str


class InvitationOut(Schema):
    id: int
    status: str
    status_label: str
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    decline_reason: str
    terms: TermsOut
    state: SigningStateOut


class AgreementBrief(Schema):
    number: str
    review_status: str
    accepted_at: datetime
    state: SigningStateOut


class FollowOut(InvitationOut):
    graduate: GraduateCardOut
    can_withdraw: bool
    agreement: AgreementBrief | None
    return_reason: str
    can_correct: bool


class EmployerInvitationOut(FollowOut):
    student_number: str


class InvitationCreated(Schema):
    id: int
    status: str
    status_label: str
    follow_token: str
    follow_link: str
    expires_at: datetime


class InvitationForm(Schema):
    """The fields of the employer's form; validated with Chinese messages by the service."""

    unit_name: str = ""
    credit_code: str = ""
    unit_nature_code: str = ""
    industry_code: str = ""
    unit_division: str = ""
    unit_address: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    position_name: str = ""
    position_category_code: str = ""
    work_place: str = ""
    contract_years: str = ""
    probation_type: str = ""
    probation_months: str = ""
    monthly_pay: str = ""
    social_insurance: str = ""
    breach_penalty: str = ""
    breach_conditions: str = ""
    accepts_archive: str = ""
    accepts_household: str = ""
    remarks: str = ""


class CorrectionIn(Schema):
    unit_name: str | None = None
    credit_code: str | None = None
    unit_nature_code: str | None = None
    industry_code: str | None = None
    unit_division: str | None = None
    unit_address: str | None = None
    position_category_code: str | None = None
    unit_contact: str | None = None
    unit_contact_phone: str | None = None


class DeclineIn(Schema):
    reason: str = ""


class ConfirmIn(Schema):
    pin: str = ""


class AcceptOut(Schema):
    deadline: datetime
    seconds: int
    binding_notice: str


class SignedAgreementOut(Schema):
    number: str
    status: str
    review_status: str
    approved: bool
    accepted_at: datetime
    binding_notice: str
    invitation: InvitationOut
    state: SigningStateOut


class AgreementMine(Schema):
    agreement: SignedAgreementOut | None


class EmployerStartIn(Schema):
    school_id: int
    name: str
    student_number: str


class EmployerCardOut(Schema):
    token: str
    expires_at: datetime
    invitation_link: str
    graduate: GraduateCardOut


# --- presenters -------------------------------------------------------------------------------

def _invitation(invitation: Invitation, role: str = Role.GRADUATE, follow_token: str = "",
                in_force: bool | None = None) -> dict:
    # `in_force`: whether the graduate has an agreement in force, when the caller knows (a list asks once)
    has_other = role == Role.GRADUATE and invitation.status == InvitationStatus.OPEN and (
        in_force if in_force is not None else services.agreement_in_force(invitation.graduate_id) is not None)
    state = presenters.invitation_state(invitation, viewer_role=role, follow_token=follow_token,
                                        has_other_agreement=has_other)
    return {
        "state": state.as_dict(),
        "id": invitation.pk, "status": invitation.status, "status_label": invitation.get_status_display(),
        "created_at": invitation.created_at, "expires_at": invitation.expires_at, "decided_at": invitation.decided_at,
        "decline_reason": invitation.decline_reason, "terms": services.invitation_terms(invitation),
    }


def _follow(invitation: Invitation, follow_token: str = "") -> dict:
    agreement = getattr(invitation, "agreement", None) if invitation.status == InvitationStatus.ACCEPTED else None
    returned = services.signed_destination_returned(invitation) if agreement is not None else None
    return {
        **_invitation(invitation, Role.EMPLOYER, follow_token),
        "graduate": services.graduate_card_summary(invitation.graduate),
        "can_withdraw": invitation.status == InvitationStatus.OPEN,
        "agreement": {"number": agreement.number,
                      "review_status": presenters.agreement_review(agreement, viewer_role=Role.EMPLOYER).title,
                      "accepted_at": agreement.accepted_at,
                      "state": presenters.agreement_state(agreement, viewer_role=Role.EMPLOYER).as_dict()}
        if agreement is not None else None,
        "return_reason": returned.return_reason if returned is not None else "",
        "can_correct": returned is not None,
    }


def _agreement(agreement) -> dict:
    return {
        "number": agreement.number, "status": agreement.status,
        "review_status": presenters.agreement_review(agreement).title,
        "approved": services.agreement_is_approved(agreement), "accepted_at": agreement.accepted_at,
        "binding_notice": services.BINDING_NOTICE, "invitation": _invitation(agreement.invitation),
        "state": presenters.agreement_state(agreement, viewer_role=Role.GRADUATE).as_dict(),
    }


def _card_public(card, token: str) -> dict:
    graduate = Graduate.objects.select_related("school", "major").get(pk=card.graduate_id)
    notice = services.employer_precondition_notice(graduate)
    return {"token": token, "expires_at": card.expires_at, "graduate": services.graduate_card_summary(graduate),
            "can_invite": not notice, "notice": notice}


# --- the graduate -----------------------------------------------------------------------------

def _graduate_invitation(request, invitation_id: int) -> Invitation:
    require_role(request.user, GRADUATE)
    return get_visible(services.invitations_for_graduate(actor=request.user), request.user, pk=invitation_id)


@router.get("/card", response=CardOut, auth=AUTH,
            summary="毕业生：二维码名片（签名链接、8位名片码、有效期；未满足的签约条件及处理办法）")
def get_card(request):
    require_role(request.user, GRADUATE)
    card, token = services.card_issue(actor=request.user)
    graduate = Graduate.objects.select_related("school", "major").get(pk=card.graduate_id)
    return {
        "token": token, "short_code": card.short_code, "expires_at": card.expires_at,
        "link": request.build_absolute_uri(reverse("sign-card", args=[token])),
        "unmet": [{"code": u.code, "message": u.message} for u in services.signing_preconditions(graduate)],
        "graduate": services.graduate_card_summary(graduate),
    }


@router.get("/invitations", response=list[InvitationOut], auth=AUTH,
            summary="毕业生：网签邀约通知（可同时收到多家单位的邀约，只能与一家签约）")
def list_invitations(request):
    require_role(request.user, GRADUATE)
    in_force = services.agreement_in_force(request.user.graduate_id) is not None
    return [_invitation(i, in_force=in_force) for i in services.invitations_for_graduate(actor=request.user)]


@router.get("/invitations/{invitation_id}", response=InvitationOut, auth=AUTH, summary="毕业生：邀约详情（全部条款）")
def get_invitation(request, invitation_id: int):
    return _invitation(_graduate_invitation(request, invitation_id))


@router.post("/invitations/{invitation_id}/decline", response=InvitationOut, auth=AUTH,
             summary="毕业生：拒绝邀约（须填写原因）")
def decline_invitation(request, invitation_id: int, payload: DeclineIn):
    invitation = _graduate_invitation(request, invitation_id)
    declined = services.invitation_decline(actor=request.user, invitation=invitation, reason=payload.reason,
                                           client_address=client_address(request))
    return _invitation(declined)


@router.post("/invitations/{invitation_id}/accept", response=AcceptOut, auth=AUTH,
             summary="毕业生：接受邀约，打开60秒确认窗口（须在截止前用签约密码确认）")
def accept_invitation(request, invitation_id: int):
    invitation = _graduate_invitation(request, invitation_id)
    deadline = services.acceptance_open(actor=request.user, invitation=invitation)
    return {"deadline": deadline, "seconds": services.CONFIRM_WINDOW_SECONDS, "binding_notice": services.BINDING_NOTICE}


@router.post("/invitations/{invitation_id}/confirm", response=SignedAgreementOut, auth=AUTH,
             summary="毕业生：60秒内输入签约密码确认签约，生成协议（签约成功，待学校审核）")
def confirm_invitation(request, invitation_id: int, payload: ConfirmIn):
    invitation = _graduate_invitation(request, invitation_id)
    agreement = services.acceptance_confirm(actor=request.user, invitation=invitation, pin=payload.pin,
                                            client_address=client_address(request),
                                            user_agent=request.headers.get("User-Agent", ""))
    return _agreement(services.agreement_in_force(agreement.graduate_id))


@router.get("/agreement", response=AgreementMine, auth=AUTH, summary="毕业生：当前生效的网签协议及审核状态")
def get_agreement(request):
    require_role(request.user, GRADUATE)
    agreement = services.agreement_in_force(request.user.graduate_id)
    return {"agreement": _agreement(agreement) if agreement is not None else None}


# --- the employer without an account: card and follow links ---------------------------------------

@router.get("/cards/by-code/{code}", response=PublicCardOut, auth=None,
            summary="用人单位：输入8位名片码查看毕业生（姓名、院校、专业、学历层次、脱敏身份证号）")
def card_by_code(request, code: str):
    card = services.card_resolve(short_code=code, client_address=client_address(request))
    return _card_public(card, services.card_token(card))


@router.get("/cards/{token}", response=PublicCardOut, auth=None,
            summary="用人单位：扫描二维码名片查看毕业生（伪造或过期的链接被拒绝）")
def card_by_token(request, token: str):
    return _card_public(services.card_resolve(token=token), token)


@router.post("/cards/{token}/invitations", response={201: InvitationCreated}, auth=EMPLOYER_OR_PUBLIC,
             summary="用人单位：邀约确认（multipart：单位信息、联系方式、劳动合同与违约约定，certificate 为统一社会信用代码证图片）")
def create_invitation(request, token: str, payload: Form[InvitationForm],
                      certificate: File[UploadedFile] = None):
    card = services.card_resolve(token=token)
    employer_user = request.auth if isinstance(request.auth, User) and request.auth.role == Role.EMPLOYER else None
    invitation, follow_token = services.invitation_create(
        card=card, data=payload.dict(), certificate=certificate, employer_user=employer_user,
        client_address=client_address(request))
    return Status(201, {
        "id": invitation.pk, "status": invitation.status, "status_label": invitation.get_status_display(),
        "follow_token": follow_token, "expires_at": invitation.expires_at,
        "follow_link": request.build_absolute_uri(reverse("sign-follow", args=[follow_token])),
    })


def _followed(token: str) -> Invitation:
    invitation = services.invitation_for_follow_token(token)
    return Invitation.objects.select_related("graduate", "graduate__school", "graduate__major", "unit_division").get(
        pk=invitation.pk)


@router.get("/follow/{follow_token}", response=FollowOut, auth=None,
            summary="用人单位：凭跟踪链接查看邀约状态（请收藏该链接）")
def follow(request, follow_token: str):
    return _follow(_followed(follow_token), follow_token)


@router.post("/follow/{follow_token}/withdraw", response=FollowOut, auth=None,
             summary="用人单位：毕业生接受前撤回邀约")
def follow_withdraw(request, follow_token: str):
    invitation = _followed(follow_token)
    services.invitation_withdraw(invitation=invitation, follow_token=follow_token,
                                 client_address=client_address(request))
    return _follow(_followed(follow_token), follow_token)


@router.post("/follow/{follow_token}/correction", response=FollowOut, auth=None,
             summary="用人单位：学校退回后更正单位信息（协议仍然有效，更正后重新进入院系审核）")
def follow_correction(request, follow_token: str, payload: CorrectionIn):
    invitation = _followed(follow_token)
    services.signed_unit_correct(invitation=invitation, follow_token=follow_token,
                                 changes=payload.dict(exclude_none=True), client_address=client_address(request))
    return _follow(_followed(follow_token), follow_token)


# --- a registered employer account --------------------------------------------------------------

def _employer_out(invitation: Invitation) -> dict:
    return {**_follow(invitation), "student_number": invitation.graduate.student_number}


@router.post("/employer/cards", response={201: EmployerCardOut}, auth=AUTH,
             summary="用人单位账号：按院校、姓名和学号找到本届毕业生并发起网签（随后 POST /cards/{token}/invitations）")
def employer_start(request, payload: EmployerStartIn):
    require_role(request.user, EMPLOYER)
    card, token = services.card_issue_for_employer(actor=request.user, school_id=payload.school_id,
                                                   name=payload.name, student_number=payload.student_number,
                                                   client_address=client_address(request))
    graduate = Graduate.objects.select_related("school", "major").get(pk=card.graduate_id)
    return Status(201, {"token": token, "expires_at": card.expires_at,
                        "invitation_link": request.build_absolute_uri(reverse("sign-invite", args=[token])),
                        "graduate": services.graduate_card_summary(graduate)})


@router.get("/employer/invitations", response=list[EmployerInvitationOut], auth=AUTH,
            summary="用人单位账号：本单位发出的邀约")
def employer_invitations(request):
    require_role(request.user, EMPLOYER)
    return [_employer_out(i) for i in services.invitations_for_employer(actor=request.user)]


def _employer_invitation(request, invitation_id: int) -> Invitation:
    require_role(request.user, EMPLOYER)
    return get_visible(services.invitations_for_employer(actor=request.user), request.user, pk=invitation_id)


@router.get("/employer/invitations/{invitation_id}", response=EmployerInvitationOut, auth=AUTH,
            summary="用人单位账号：邀约详情")
def employer_invitation(request, invitation_id: int):
    return _employer_out(_employer_invitation(request, invitation_id))


@router.post("/employer/invitations/{invitation_id}/withdraw", response=EmployerInvitationOut, auth=AUTH,
             summary="用人单位账号：毕业生接受前撤回邀约")
def employer_withdraw(request, invitation_id: int):
    invitation = _employer_invitation(request, invitation_id)
    services.invitation_withdraw(invitation=invitation, employer_user=request.user,
                                 client_address=client_address(request))
    return _employer_out(_employer_invitation(request, invitation_id))


@router.post("/employer/invitations/{invitation_id}/correction", response=EmployerInvitationOut, auth=AUTH,
             summary="用人单位账号：学校退回后更正单位信息（协议仍然有效）")
def employer_correction(request, invitation_id: int, payload: CorrectionIn):
    invitation = _employer_invitation(request, invitation_id)
    services.signed_unit_correct(invitation=invitation, employer_user=request.user,
                                 changes=payload.dict(exclude_none=True), client_address=client_address(request))
    return _employer_out(_employer_invitation(request, invitation_id))

