"""协议打印、验证与解约 API: staff agreement list, public verification, self-print sessions,
网络解约 (graduate apply, staff review) and 学校设置.

Strangers' ids answer 404 (`get_visible`), a wrong role 403 (`require_role` / the services);
every refusal is the platform's one error shape. Pages and API share the same services."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Prefetch
from django.urls import reverse
from ninja import File, Form, Router, Schema, Status, UploadedFile

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, STAFF, require_role
from apps.accounts.scoping import get_visible
from apps.core.api import AUTH
from apps.core.errors import DomainError, NotFound
from apps.core.files import private_file_response
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import OptionalId, PageNumber, PageSize, api_page_bounds
from apps.graduates.models import Graduate
from apps.organisations.services import policy_form_values, school_policy_update
from apps.signing import presenters
from apps.signing import views_staff as staff
from apps.signing.api import SigningStateOut
from apps.signing.documents import agreement_generate_pdf
from apps.signing.models import Agreement, Termination, TerminationLetter
from apps.signing.recovery import agreement_pdf_retry
from apps.signing.services import (
    print_session_claim,
    print_session_for_pc,
    print_session_start,
    termination_apply,
    termination_review,
)
from apps.signing.views_print import claim_url
from apps.signing.views_termination import termination_overview
from apps.signing.views_verify import verify_lookup_throttled, verify_pdf_upload

router = Router(tags=["协议打印、验证与解约"], auth=AUTH)
GRADUATE = (Role.GRADUATE,)


# --- shapes ------------------------------------------------------------------------------------

class AgreementDetailOut(Schema):
    id: int
    number: str
    verification_code: str
    status: str
    status_label: str
    review_status: str
    graduate_id: int
    student_number: str
    name: str
    college: str
    unit_name: str
    credit_code: str
    position_name: str
    accepted_at: datetime
    terminated_at: datetime | None
    pdf_available: bool
    pdf_missing: bool  # approved but not generated (a lost background job): GET …/pdf renders it, POST …/pdf/retry re-enqueues
    pdf_generated_at: datetime | None
    pdf_sha256: str
    state: SigningStateOut


class AgreementPage(Schema):
    count: int  # exact unless count_capped (then the cap: 「超过 count 条」)
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[AgreementDetailOut]


class VerifyOut(Schema):
    status: str
    status_label: str
    number: str
    employer_name: str
    graduate_name: str
    id_number: str
    school: str
    signed_at: datetime
    approved_at: datetime | None
    terminated_at: datetime | None


class UploadCheckOut(Schema):
    signature_intact: bool
    matches_current: bool
    agreement_number: str | None
    agreement_in_force: bool | None
    message: str


class PrintSessionOut(Schema):
    id: int
    short_code: str
    secret: str
    expires_at: datetime
    claim_url: str


class PrintStatusOut(Schema):
    state: str  # waiting / ready / expired
    message: str
    agreement_number: str | None
    pdf_url: str | None


class ClaimIn(Schema):
    code: str


class ClaimOut(Schema):
    session_id: int
    agreement_number: str
    message: str


class LetterOut(Schema):
    id: int
    width: int
    height: int
    size: int
    url: str


class TerminationOut(Schema):
    id: int
    agreement_id: int
    agreement_number: str
    unit_name: str
    reason: str
    reason_label: str
    explanation: str
    is_change: bool
    status: str
    status_label: str
    submitted_at: datetime
    college_reviewed_at: datetime | None
    school_reviewed_at: datetime | None
    reject_reason: str
    letters: list[LetterOut]
    state: SigningStateOut


class TerminationGraduateRef(Schema):
    id: int
    name: str
    student_number: str
    college: str
    major: str


class StaffTerminationOut(TerminationOut):
    graduate: TerminationGraduateRef
    can_review: bool


class TerminationPage(Schema):
    count: int  # exact unless count_capped
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    status: str
    items: list[StaffTerminationOut]


class TerminationMineOut(Schema):
    online_signed: bool
    agreement_number: str | None
    unit_name: str | None
    termination_opens_on: date
    max_terminations: int
    used: int
    can_apply: bool
    blocked: str
    items: list[TerminationOut]
    state: SigningStateOut


class TerminationRejectIn(Schema):
    reason: str = ""


class PolicyOut(Schema):
    school_id: int
    cohort: int
    signing_opens_on: date | None
    termination_opens_on: date | None
    invitation_validity_days: int
    max_terminations: int
    destination_cutoff_on: date | None
    effective_signing_opens_on: date
    effective_termination_opens_on: date
    effective_destination_cutoff_on: date


class PolicyIn(Schema):
    """Empty dates (null) mean the handbook's default."""

    signing_opens_on: str | None = None
    termination_opens_on: str | None = None
    invitation_validity_days: int | None = None
    max_terminations: int | None = None
    destination_cutoff_on: str | None = None


# --- presenters ------------------------------------------------------------------------------

def _agreement_out(a: Agreement, role: str) -> dict:
    return {
        "state": presenters.agreement_state(a, viewer_role=role).as_dict(),
        "id": a.pk, "number": a.number, "verification_code": a.verification_code, "status": a.status,
        "status_label": a.get_status_display(), "review_status": staff.review_status_of(a),
        "graduate_id": a.graduate_id, "student_number": a.graduate.student_number, "name": a.graduate.name,
        "college": a.college.name, "unit_name": a.invitation.unit_name, "credit_code": a.invitation.credit_code,
        "position_name": a.invitation.position_name, "accepted_at": a.accepted_at, "terminated_at": a.terminated_at,
        "pdf_available": bool(a.pdf), "pdf_generated_at": a.pdf_generated_at, "pdf_sha256": a.pdf_sha256,
        "pdf_missing": staff.pdf_missing_of(a),
    }


def _letter_out(letter: TerminationLetter) -> dict:
    return {"id": letter.pk, "width": letter.width, "height": letter.height, "size": letter.size,
            "url": reverse("api:termination_letter", kwargs={"letter_id": letter.pk})}


def _termination_out(t: Termination, role: str = Role.GRADUATE) -> dict:
    return {
        "state": presenters.termination_state(t, viewer_role=role).as_dict(),
        "id": t.pk, "agreement_id": t.agreement_id, "agreement_number": t.agreement.number,
        "unit_name": t.agreement.invitation.unit_name, "reason": t.reason, "reason_label": t.get_reason_display(),
        "explanation": t.explanation, "is_change": t.is_change, "status": t.status,
        "status_label": t.get_status_display(), "submitted_at": t.submitted_at,
        "college_reviewed_at": t.college_reviewed_at, "school_reviewed_at": t.school_reviewed_at,
        "reject_reason": t.reject_reason, "letters": [_letter_out(x) for x in t.letters.all()],
    }


def _staff_termination_out(actor, t: Termination) -> dict:
    g = t.graduate
    return {**_termination_out(t, actor.role), "can_review": staff.can_review_termination(actor, t),
            "graduate": {"id": g.pk, "name": g.name, "student_number": g.student_number, "college": t.college.name,
                         "major": g.major.name if g.major_id else ""}}


def _staff_termination(request, termination_id: int) -> Termination:
    require_role(request.user, REVIEWERS)
    return get_visible(Termination.objects.select_related("graduate", "graduate__major", "college", "agreement",
                                                          "agreement__invitation").prefetch_related("letters"),
                       request.user, pk=termination_id)


# --- staff: agreements ----------------------------------------------------------------------------

@router.get("", response=AgreementPage, summary="工作人员：网签协议列表（按管理范围；可按状态、院系、关键字筛选）")
def list_agreements(request, status: str = "", college_id: OptionalId = None, q: str = "", page: PageNumber = 1,
                    page_size: PageSize = 20):
    require_role(request.user, STAFF)
    filters = staff.agreement_filters({"status": status, "college_id": college_id or "", "q": q})
    # each item's state reads the latest termination: fetched for the whole page at once
    qs = staff.agreements_for_staff(actor=request.user, filters=filters).prefetch_related(
        Prefetch("terminations", queryset=Termination.objects.only("id", "agreement_id", "status", "submitted_at")))
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": [_agreement_out(a, request.user.role) for a in listed]}


def _visible_agreement(request, agreement_id: int) -> Agreement:
    return get_visible(Agreement.objects.select_related("graduate", "graduate__destination", "college", "invitation"),
                       request.user, pk=agreement_id)


@router.get("/{int:agreement_id}", response=AgreementDetailOut, summary="网签协议详情（管理范围内的工作人员、毕业生本人、签约单位）")
def get_agreement(request, agreement_id: int):
    return _agreement_out(_visible_agreement(request, agreement_id), request.user.role)


@router.get("/{int:agreement_id}/pdf",
            summary="网签协议书PDF（带平台电子签章与防伪二维码；审核通过而尚未生成时即时生成）")
def get_agreement_pdf(request, agreement_id: int):
    agreement = staff.agreement_pdf_on_demand(_visible_agreement(request, agreement_id))
    return private_file_response(agreement.pdf, download_name=f"{agreement.number}.pdf", inline=True)


@router.post("/{int:agreement_id}/pdf/retry", response=AgreementDetailOut,
             summary="院系/学校工作人员：重新生成缺失的协议书PDF（后台任务中断时；已生成或未审核通过时拒绝）")
def retry_agreement_pdf(request, agreement_id: int):
    require_role(request.user, REVIEWERS)
    agreement = agreement_pdf_retry(actor=request.user, agreement=_visible_agreement(request, agreement_id),
                                    client_address=client_address(request))
    return _agreement_out(_visible_agreement(request, agreement.pk), request.user.role)


# --- public: verification ------------------------------------------------------------------------

@router.post("/verify/upload", response=UploadCheckOut, auth=None,
             summary="公开：上传协议书PDF核验（multipart 字段 pdf，不超过10MB）；是否平台签发、是否被修改、是否当前有效")
def verify_upload(request, pdf: File[UploadedFile] = None):
    check = verify_pdf_upload(pdf, client_address(request))
    agreement = check.agreement
    return {"signature_intact": check.signature_intact, "matches_current": check.matches_current,
            "agreement_number": agreement.number if agreement else None,
            "agreement_in_force": (agreement.status == "in_force") if agreement else None, "message": check.message}


@router.get("/verify/{code}", response=VerifyOut, auth=None, summary="公开：按验证码核验协议（信息已脱敏）")
def verify_code(request, code: str):
    found = verify_lookup_throttled(code, client_address(request))
    if found is None:
        raise NotFound("未找到该验证码对应的网签协议")
    return {"status": "in_force" if found.in_force else "terminated", "status_label": found.status,
            "number": found.number, "employer_name": found.employer_name, "graduate_name": found.graduate_name,
            "id_number": found.id_number, "school": found.school, "signed_at": found.signed_on,
            "approved_at": found.approved_on, "terminated_at": found.terminated_on}


# --- self-print ------------------------------------------------------------------------------------

@router.post("/print-sessions", response={201: PrintSessionOut}, auth=None,
             summary="公开（电脑端）：创建一次性打印会话；页面保存 secret，展示 claim_url 二维码与打印码")
def create_print_session(request):
    session, secret = print_session_start(client_address=client_address(request))
    return Status(201, {"id": session.pk, "short_code": session.short_code, "secret": secret,
                        "expires_at": session.expires_at, "claim_url": claim_url(request, session.short_code)})


@router.get("/print-sessions/{int:session_id}", response=PrintStatusOut, auth=None,
            summary="公开（电脑端）：打印会话状态（需 secret）：waiting / ready / expired")
def print_session_status(request, session_id: int, secret: str = ""):
    try:
        session = print_session_for_pc(session_id=session_id, secret=secret)
    except NotFound:
        raise
    except DomainError as exc:
        return {"state": "expired", "message": exc.message, "agreement_number": None, "pdf_url": None}
    if session.claimed_at is None:
        return {"state": "waiting", "message": "等待手机扫码确认", "agreement_number": None, "pdf_url": None}
    pdf_url = reverse("api:print_session_pdf", kwargs={"session_id": session.pk})
    return {"state": "ready", "message": "请打印协议书", "agreement_number": session.agreement.number,
            "pdf_url": f"{pdf_url}?secret={secret}"}


@router.get("/print-sessions/{int:session_id}/pdf", url_name="print_session_pdf", auth=None,
            summary="公开（电脑端）：已确认的打印会话的协议书PDF（需 secret）")
def print_session_pdf(request, session_id: int, secret: str = ""):
    session = print_session_for_pc(session_id=session_id, secret=secret)
    if session.claimed_at is None or session.agreement is None:
        raise NotFound("尚未扫码确认")
    agreement = session.agreement
    if not agreement.pdf:
        agreement_generate_pdf(agreement.pk)
        agreement = Agreement.objects.get(pk=agreement.pk)
    return private_file_response(agreement.pdf, download_name=f"{agreement.number}.pdf", inline=True)


@router.post("/print-sessions/claim", response=ClaimOut, summary="毕业生：扫码或输入打印码确认打印（仅审核通过的网签协议）")
def claim_print_session(request, payload: ClaimIn):
    session = print_session_claim(actor=request.user, short_code=payload.code, client_address=client_address(request))
    return {"session_id": session.pk, "agreement_number": session.agreement.number, "message": "请在电脑上打印"}


# --- termination -------------------------------------------------------------------------------------

def _own_graduate(request) -> Graduate:
    require_role(request.user, GRADUATE)
    return get_visible(Graduate.objects.select_related("school"), request.user, pk=request.user.graduate_id or 0)


@router.post("/terminations", response={201: TerminationOut},
             summary="毕业生：网络解约申请（multipart：reason, explanation, letters 多张解约材料图片, pin, is_change）")
def apply_termination(request, reason: Form[str] = "", explanation: Form[str] = "", pin: Form[str] = "",
                      is_change: Form[bool] = False, letters: File[list[UploadedFile]] = None):
    _own_graduate(request)
    files = list(letters or []) + request.FILES.getlist("letters[]")
    termination = termination_apply(actor=request.user, reason=reason, explanation=explanation, letters=files,
                                    pin=pin, is_change=is_change, client_address=client_address(request))
    termination = Termination.objects.select_related("agreement", "agreement__invitation").prefetch_related(
        "letters").get(pk=termination.pk)
    return Status(201, _termination_out(termination))


@router.get("/terminations/mine", response=TerminationMineOut, summary="毕业生本人：解约申请记录、解约日期与已用/允许次数")
def my_terminations(request):
    overview = termination_overview(_own_graduate(request))
    agreement = overview["agreement"]
    return {"online_signed": overview["online_signed"], "agreement_number": agreement.number if agreement else None,
            "unit_name": agreement.invitation.unit_name if agreement else None,
            "termination_opens_on": overview["policy"].termination_opens_on,
            "max_terminations": overview["policy"].max_terminations, "used": overview["used"],
            "can_apply": overview["can_apply"], "blocked": overview["blocked"],
            "items": [_termination_out(t) for t in overview["history"]], "state": overview["state"].as_dict()}


@router.get("/terminations/letters/{int:letter_id}", url_name="termination_letter",
            summary="解约证明材料图片（本人或管理范围内的审核人员）")
def get_termination_letter(request, letter_id: int):
    letter = get_visible(TerminationLetter, request.user, pk=letter_id)
    return private_file_response(letter.file)


@router.get("/terminations", response=TerminationPage,
            summary="审核人员：解约审核列表（默认院系看待院系初审、学校看待学校终审；status=all 为全部）")
def list_terminations(request, status: str = "", college_id: OptionalId = None, reason: str = "", q: str = "",
                      page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, REVIEWERS)
    filters, shown = staff.termination_filters(request.user, {"status": status, "college_id": college_id or "",
                                                              "reason": reason, "q": q})
    qs = staff.terminations_for_staff(actor=request.user, filters=filters).prefetch_related("letters")
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "status": shown,
            "items": [_staff_termination_out(request.user, t) for t in listed]}


@router.get("/terminations/{int:termination_id}", response=StaffTerminationOut, summary="审核人员：解约申请详情")
def get_termination(request, termination_id: int):
    return _staff_termination_out(request.user, _staff_termination(request, termination_id))


@router.post("/terminations/{int:termination_id}/approve", response=StaffTerminationOut,
             summary="审核人员：通过（院系初审 / 学校终审；终审通过后协议解除，去向恢复待就业）")
def approve_termination(request, termination_id: int):
    termination = _staff_termination(request, termination_id)
    termination_review(actor=request.user, termination=termination, approve=True, client_address=client_address(request))
    return _staff_termination_out(request.user, _staff_termination(request, termination_id))


@router.post("/terminations/{int:termination_id}/reject", response=StaffTerminationOut,
             summary="审核人员：不通过（须填写原因）")
def reject_termination(request, termination_id: int, payload: TerminationRejectIn):
    termination = _staff_termination(request, termination_id)
    termination_review(actor=request.user, termination=termination, approve=False, reason=payload.reason,
                       client_address=client_address(request))
    return _staff_termination_out(request.user, _staff_termination(request, termination_id))


# --- 学校设置 ----------------------------------------------------------------------------------------

def _policy_out(school) -> dict:
    stored, effective = policy_form_values(school)
    return {
        "school_id": school.pk, "cohort": school.current_cohort,
        "signing_opens_on": stored.signing_opens_on if stored else None,
        "termination_opens_on": stored.termination_opens_on if stored else None,
        "invitation_validity_days": effective.invitation_validity_days,
        "max_terminations": effective.max_terminations,
        "destination_cutoff_on": stored.destination_cutoff_on if stored else None,
        "effective_signing_opens_on": effective.signing_opens_on,
        "effective_termination_opens_on": effective.termination_opens_on,
        "effective_destination_cutoff_on": effective.destination_cutoff_on,
    }


@router.get("/school-policy", response=PolicyOut, summary="学校管理员：学校设置（签约/解约日期、邀约有效期、最大解约次数）")
def get_school_policy(request):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    return _policy_out(request.user.school)


@router.put("/school-policy", response=PolicyOut, summary="学校管理员：修改学校设置（日期留空为默认；有效期1–60天；解约次数0–10）")
def put_school_policy(request, payload: PolicyIn):
    require_role(request.user, (Role.SCHOOL_STAFF,))
    school_policy_update(actor=request.user, school=request.user.school, data=payload.dict(),
                         client_address=client_address(request))
    return _policy_out(request.user.school)
