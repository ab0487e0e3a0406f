"""JSON API of employer accounts (C9): registration (public), the unit's own profile, state and
members; staff list, detail, review, suspension and reinstatement. Pages and endpoints share
the services and the one state presenter (`state`)."""

from __future__ import annotations

from datetime import datetime

from ninja import File, Form, Router, Schema, Status, UploadedFile

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import PageNumber, PageSize, api_page_bounds
from apps.core.text import mask_phone
from apps.employers import services
from apps.employers.presenters import employer_state, verifier_label
from apps.employers.selectors import (
    STAFF_STATUSES,
    employer_member,
    employer_members,
    own_employer,
    staff_employer,
    staff_employers,
)
from apps.organisations.models import Employer
from apps.reference.selectors import code_labels

router = Router(tags=["用人单位账号"], auth=AUTH)
STAFF = (Role.PROVINCE_STAFF, Role.SCHOOL_STAFF)


class EmployersStateAction(Schema):
    code: str
    label: str
    url: str
    method: str


class EmployersStateOut(Schema):
    code: str
    title: str
    text: str
    tone: str
    actions: list[EmployersStateAction]


class EmployersUnitOut(Schema):
    id: int
    credit_code: str
    credit_code_flagged: bool
    name: str
    nature_code: str
    nature: str
    industry_code: str
    industry: str
    division: str
    division_name: str
    address: str
    size: str
    size_label: str
    contact_name: str
    contact_mobile: str  # full for the unit itself, masked for staff
    introduction: str
    verifier: str  # "province:<id>" or "school:<id>"
    verifier_label: str
    status: str
    status_label: str
    status_reason: str
    registered_at: datetime | None
    reviewed_at: datetime | None
    has_licence: bool
    state: EmployersStateOut


class EmployersMeOut(EmployersUnitOut):
    is_main_account: bool


class EmployersRegisteredOut(Schema):
    user_id: int
    username: str
    sub_account: bool  # true: a sub-account waiting for the main account's approval
    active: bool
    employer_status: str
    message: str


class EmployersMemberOut(Schema):
    id: int
    username: str
    display_name: str
    is_main: bool
    status: str
    status_label: str
    created_at: datetime
    decided_at: datetime | None


class EmployersMemberList(Schema):
    items: list[EmployersMemberOut]


class EmployersMemberDecideIn(Schema):
    approve: bool


class EmployersReviewIn(Schema):
    approve: bool
    reason: str = ""


class EmployersReasonIn(Schema):
    reason: str = ""


class EmployersListItem(Schema):
    id: int
    name: str
    credit_code: str
    credit_code_flagged: bool
    nature: str
    industry: str
    verifier_label: str
    status: str
    status_label: str
    registered_at: datetime | None


class EmployersPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[EmployersListItem]


def _verifier_value(e: Employer) -> str:
    if e.verifier_school_id:
        return f"school:{e.verifier_school_id}"
    return f"province:{e.verifier_province_id}" if e.verifier_province_id else ""


def _unit(e: Employer, *, viewer_role: str, actor=None, own: bool) -> dict:
    return {
        "id": e.pk, "credit_code": e.credit_code, "credit_code_flagged": e.credit_code_flagged, "name": e.name,
        "nature_code": e.nature_code, "nature": code_labels("unit_nature").get(e.nature_code, ""),
        "industry_code": e.industry_code, "industry": code_labels("industry").get(e.industry_code, ""),
        "division": e.division_id or "", "division_name": e.division.full_name if e.division_id else "",
        "address": e.address, "size": e.size, "size_label": e.get_size_display() if e.size else "",
        "contact_name": e.contact_name, "contact_mobile": e.contact_mobile if own else mask_phone(e.contact_mobile),
        "introduction": e.introduction, "verifier": _verifier_value(e), "verifier_label": verifier_label(e),
        "status": e.status, "status_label": e.get_status_display(), "status_reason": e.status_reason,
        "registered_at": e.registered_at, "reviewed_at": e.reviewed_at, "has_licence": bool(e.licence),
        "state": employer_state(e, viewer_role=viewer_role, actor=actor).as_dict(),
    }


def _me(request) -> dict:
    require_role(request.user, (Role.EMPLOYER,))
    employer = own_employer(actor=request.user)
    return {**_unit(employer, viewer_role=Role.EMPLOYER, own=True),
            "is_main_account": services.is_main_account(request.user)}


@router.post("/register", response={201: EmployersRegisteredOut}, auth=None,
             summary="用人单位注册（multipart：登录信息、单位信息、licence 营业执照图片；信用代码已有账号的注册为子账号）")
def register(
    request,
    username: Form[str] = "",
    password: Form[str] = "",
    credit_code: Form[str] = "",
    name: Form[str] = "",
    nature_code: Form[str] = "",
    industry_code: Form[str] = "",
    division: Form[str] = "",
    address: Form[str] = "",
    size: Form[str] = "",
    contact_name: Form[str] = "",
    contact_mobile: Form[str] = "",
    verifier: Form[str] = "",
    introduction: Form[str] = "",
    licence: File[UploadedFile] = None,
):
    data = {"username": username, "password": password, "credit_code": credit_code, "name": name,
            "nature_code": nature_code, "industry_code": industry_code, "division": division, "address": address,
            "size": size, "contact_name": contact_name, "contact_mobile": contact_mobile, "verifier": verifier,
            "introduction": introduction}
    user = services.employer_register(data=data, licence=licence, client_address=client_address(request))
    sub = not user.is_active
    return Status(201, {
        "user_id": user.pk, "username": user.username, "sub_account": sub, "active": user.is_active,
        "employer_status": user.employer.status,
        "message": "账号待主账号审核，审核通过后即可登录" if sub else "注册成功，单位信息已提交审核",
    })


@router.get("/me", response=EmployersMeOut, summary="本单位信息与认证状态")
def me(request):
    return _me(request)


@router.post("/me", response=EmployersMeOut,
             summary="修改本单位信息（主账号；multipart，只传要改的字段；已驳回的单位保存即重新提交审核）")
def update_me(
    request,
    name: Form[str] = None,
    nature_code: Form[str] = None,
    industry_code: Form[str] = None,
    division: Form[str] = None,
    address: Form[str] = None,
    size: Form[str] = None,
    contact_name: Form[str] = None,
    contact_mobile: Form[str] = None,
    verifier: Form[str] = None,
    introduction: Form[str] = None,
    licence: File[UploadedFile] = None,
):
    require_role(request.user, (Role.EMPLOYER,))
    given = {"name": name, "nature_code": nature_code, "industry_code": industry_code, "division": division,
             "address": address, "size": size, "contact_name": contact_name, "contact_mobile": contact_mobile,
             "verifier": verifier, "introduction": introduction}
    services.employer_profile_update(actor=request.user, data={k: v for k, v in given.items() if v is not None},
                                     licence=licence, client_address=client_address(request))
    return _me(request)


def _member(m) -> dict:
    return {"id": m.pk, "username": m.user.username, "display_name": m.user.display_name, "is_main": m.is_main,
            "status": m.status, "status_label": m.get_status_display(), "created_at": m.created_at,
            "decided_at": m.decided_at}


@router.get("/members", response=EmployersMemberList, summary="本单位的账号（主账号与子账号申请）")
def members(request):
    require_role(request.user, (Role.EMPLOYER,))
    return {"items": [_member(m) for m in employer_members(actor=request.user)[:200]]}


@router.post("/members/{member_id}/decide", response=EmployersMemberOut,
             summary="主账号通过（approve=true）或拒绝子账号申请")
def decide_member(request, member_id: int, payload: EmployersMemberDecideIn):
    require_role(request.user, (Role.EMPLOYER,))
    member = employer_member(actor=request.user, pk=member_id)
    services.employer_member_decide(actor=request.user, member=member, approve=payload.approve,
                                    client_address=client_address(request))
    return _member(employer_member(actor=request.user, pk=member_id))


@router.get("", response=EmployersPage,
            summary="工作人员：用人单位列表（待审核在前；status 默认 pending，all 为全部；q 单位名称开头或完整信用代码）")
def list_employers(request, status: str = "pending", q: str = "", page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, STAFF)
    page, page_size, _ = api_page_bounds(page, page_size)
    status = status if status in STAFF_STATUSES else ("" if status == "all" else "pending")
    listed = bounded_api_page(staff_employers(actor=request.user, status=status, keyword=q[:60]), page=page,
                              page_size=page_size)
    natures, industries = code_labels("unit_nature"), code_labels("industry")
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next, "page": page,
            "page_size": page_size, "items": [{
                "id": e.pk, "name": e.name, "credit_code": e.credit_code,
                "credit_code_flagged": e.credit_code_flagged, "nature": natures.get(e.nature_code, ""),
                "industry": industries.get(e.industry_code, ""), "verifier_label": verifier_label(e),
                "status": e.status, "status_label": e.get_status_display(), "registered_at": e.registered_at,
            } for e in listed]}


def _staff_unit(request, employer_id: int) -> dict:
    employer = staff_employer(actor=request.user, pk=employer_id)
    return _unit(employer, viewer_role=request.user.role, actor=request.user, own=False)


@router.get("/{employer_id}", response=EmployersUnitOut, summary="工作人员：用人单位详情（含可执行的操作）")
def get_employer(request, employer_id: int):
    require_role(request.user, STAFF)
    return _staff_unit(request, employer_id)


@router.post("/{employer_id}/review", response=EmployersUnitOut, summary="认证审核：通过，或驳回（须填写原因 reason）")
def review_employer(request, employer_id: int, payload: EmployersReviewIn):
    require_role(request.user, STAFF)
    employer = staff_employer(actor=request.user, pk=employer_id)
    services.employer_review(actor=request.user, employer=employer, approve=payload.approve, reason=payload.reason,
                             client_address=client_address(request))
    return _staff_unit(request, employer_id)


@router.post("/{employer_id}/suspend", response=EmployersUnitOut, summary="停用单位账号（须填写原因 reason）")
def suspend_employer(request, employer_id: int, payload: EmployersReasonIn):
    require_role(request.user, STAFF)
    employer = staff_employer(actor=request.user, pk=employer_id)
    services.employer_suspend(actor=request.user, employer=employer, reason=payload.reason,
                              client_address=client_address(request))
    return _staff_unit(request, employer_id)


@router.post("/{employer_id}/reinstate", response=EmployersUnitOut, summary="恢复已停用的单位账号")
def reinstate_employer(request, employer_id: int):
    require_role(request.user, STAFF)
    employer = staff_employer(actor=request.user, pk=employer_id)
    services.employer_reinstate(actor=request.user, employer=employer, client_address=client_address(request))
    return _staff_unit(request, employer_id)
