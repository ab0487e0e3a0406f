from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Router, Schema, Status

from apps.accounts.models import Role
from apps.accounts.permissions import REVIEWERS, SCHOOL_STAFF, require_role
from apps.accounts.scoping import get_visible
from apps.accounts.services import staff_reset_signing_pin
from apps.audit.presenters import history_entry
from apps.audit.selectors import graduate_history
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import OptionalCohort, OptionalId, PageNumber, PageSize, api_page_bounds
from apps.graduates.forms import CONTACT_FORM_FIELDS, ORIGIN_FORM_FIELDS
from apps.graduates.models import Graduate
from apps.graduates.presenters import graduate_detail, graduate_own_profile, graduate_summary
from apps.graduates.selectors import GraduateFilters, graduates_list, keyword_capped_total
from apps.graduates.services import graduate_confirm_origin, graduate_update

router = Router(tags=["毕业生"], auth=AUTH)


class GraduateSummaryOut(Schema):
    id: int
    name: str
    student_number: str
    cohort: int
    school: str
    college: str
    major: str
    education_level: str
    id_number_masked: str


class GraduateDetailOut(GraduateSummaryOut):
    exam_number: str
    gender: str
    birth_date: str | None
    ethnicity: str
    political_status: str
    urban_rural: str
    training_mode: str
    hardship: str
    normal_student: str
    origin_division: str
    phone_masked: str
    has_signing_pin: bool


class DivisionRef(Schema):
    code: str
    name: str


class OwnProfileOut(GraduateDetailOut):
    origin_division_code: str
    origin_suggestion: DivisionRef | None
    origin_confirmed: bool
    origin_confirmed_at: datetime | None
    phone: str
    email: str
    home_address: str
    family_contact_name: str
    family_contact_relation: str
    family_contact_phone: str


class HistoryRowOut(Schema):
    field: str
    label: str
    before: str
    after: str


class HistoryEntryOut(Schema):
    occurred_at: datetime
    actor_kind: str
    actor_label: str
    action: str
    summary: str
    changes: dict[str, Any]
    rows: list[HistoryRowOut]  # what the pages show: labels, code names, no empty → empty rows


class HistoryPage(Schema):
    count: int
    items: list[HistoryEntryOut]


class GraduatePage(Schema):
    count: int  # exact, or the cap when count_capped (「超过 N 条」)
    count_capped: bool
    has_next: bool  # walk pages by this, not by count: pages stop at LIST_MAX_PAGE
    page: int
    page_size: int
    items: list[GraduateSummaryOut]


_RELATED = ("school", "college", "major", "origin_division")


def _own(request) -> Graduate:
    return get_visible(Graduate.objects.select_related(*_RELATED), request.user, pk=request.user.graduate_id or 0)


@router.get("/me", response=OwnProfileOut, summary="毕业生本人的学籍、生源与联系方式")
def my_record(request):
    return graduate_own_profile(_own(request))


def _patch(request, payload: dict):
    graduate = _own(request)
    # read-only fields sent here are refused by the service with a 去纠错 message
    graduate_update(actor=request.user, graduate=graduate, changes=payload, client_address=client_address(request))
    return graduate_own_profile(_own(request))


@router.patch("/me/origin", response=OwnProfileOut,
              summary="修改生源所在地与联系方式（只读字段请走纠错）", openapi_extra={"requestBody": {"content": {
                  "application/json": {"schema": {"type": "object", "properties": {
                      f: {"type": "string"} for f in ORIGIN_FORM_FIELDS}}}}}})
def patch_origin(request):
    return _patch(request, _json_body(request))


@router.patch("/me/contacts", response=OwnProfileOut, summary="联系方式登记", openapi_extra={"requestBody": {
    "content": {"application/json": {"schema": {"type": "object", "properties": {
        f: {"type": "string"} for f in CONTACT_FORM_FIELDS}}}}}})
def patch_contacts(request):
    body = _json_body(request)
    stray = sorted(set(body) - set(CONTACT_FORM_FIELDS))
    if stray:
        from apps.core.errors import DomainError

        raise DomainError("联系方式登记只能修改联系方式", code="read_only_field", fields={f: "不能在此修改" for f in stray})
    return _patch(request, body)


def _json_body(request) -> dict:
    import json

    from apps.core.errors import DomainError

    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        raise DomainError("请求内容不是有效的JSON", code="bad_json") from None
    if not isinstance(body, dict):
        raise DomainError("请求内容应为JSON对象", code="bad_json")
    return body


@router.post("/me/origin/confirm", response=OwnProfileOut, summary="确认生源信息")
def confirm_origin(request):
    graduate = _own(request)
    graduate_confirm_origin(actor=request.user, graduate=graduate, client_address=client_address(request))
    return graduate_own_profile(_own(request))


@router.get("/me/history", response=HistoryPage, summary="本人信息变更记录")
def my_history(request, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, (Role.GRADUATE,))  # a staff token has no own history: 403, not an empty list
    return _history_page(request, request.user.graduate_id, page, page_size)


def _history_page(request, graduate_id: int, page: int, page_size: int):
    page, page_size, start = api_page_bounds(page, page_size)
    qs = graduate_history(actor=request.user, graduate_id=graduate_id)
    return {"count": qs.count(), "items": [history_entry(e) for e in qs[start : start + page_size]]}


@router.get("", response=GraduatePage, summary="工作人员：管理范围内的毕业生（分页，最多前 200 页；q 为完整学号或姓名开头）")
def list_graduates(
    request,
    cohort: OptionalCohort = None,
    school_id: OptionalId = None,
    college_id: OptionalId = None,
    major_id: OptionalId = None,
    education_level_code: str = "",
    q: str = "",
    page: PageNumber = 1,
    page_size: PageSize = 30,
):
    require_role(request.user, REVIEWERS + ("province_staff",))
    page, page_size, _start = api_page_bounds(page, page_size)
    qs = graduates_list(
        actor=request.user,
        filters=GraduateFilters(cohort=cohort, school_id=school_id, college_id=college_id, major_id=major_id,
                                education_level_code=education_level_code, keyword=q),
    )
    listed = bounded_api_page(qs, page=page, page_size=page_size)
    keyword_capped_total(listed, qs)
    return {
        "count": listed.total,
        "count_capped": listed.total_capped,
        "has_next": listed.has_next,
        "page": page,
        "page_size": page_size,
        "items": [graduate_summary(g) for g in listed.object_list],
    }


@router.get("/{graduate_id}", response=GraduateDetailOut, summary="工作人员：毕业生详情")
def get_graduate(request, graduate_id: int):
    require_role(request.user, REVIEWERS + ("province_staff",))
    return graduate_detail(get_visible(Graduate.objects.select_related(*_RELATED), request.user, pk=graduate_id))


@router.get("/{graduate_id}/history", response=HistoryPage, summary="工作人员：毕业生信息变更记录")
def graduate_history_for_staff(request, graduate_id: int, page: PageNumber = 1, page_size: PageSize = 20):
    require_role(request.user, REVIEWERS + ("province_staff",))
    graduate = get_visible(Graduate, request.user, pk=graduate_id)
    return _history_page(request, graduate.pk, page, page_size)


@router.post("/{graduate_id}/reset-pin", response={204: None}, summary="学校管理员重置毕业生签约密码（记入审计）")
def reset_pin(request, graduate_id: int):
    require_role(request.user, SCHOOL_STAFF)
    graduate = get_visible(Graduate, request.user, pk=graduate_id)
    staff_reset_signing_pin(actor=request.user, graduate=graduate, client_address=client_address(request))
    return Status(204, None)
