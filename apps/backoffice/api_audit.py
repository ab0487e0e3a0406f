"""JSON API of 操作日志 (/api/v1/audit/): the audit trail in the caller's scope with the page's
filters (masked before/after), the last 审计链校验 result and a new check on demand."""

from __future__ import annotations

from datetime import date, datetime

from ninja import Query, Router, Schema

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, require_role
from apps.backoffice import selectors_audit as selectors
from apps.core.api import AUTH
from apps.core.errors import DomainError
from apps.core.listing import bounded_api_page
from apps.core.pagination import BodyId, OptionalId, PageNumber, PageSize, api_page_bounds

router = Router(tags=["操作日志"], auth=AUTH)


class AuditViewerChange(Schema):
    field: str
    label: str
    before: str
    after: str


class AuditViewerEntry(Schema):
    id: int
    occurred_at: datetime
    actor_kind: str
    actor_kind_label: str
    actor_label: str
    action: str
    action_label: str
    summary: str
    target: str
    graduate_id: int | None
    changes: list[AuditViewerChange]


class AuditViewerPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[AuditViewerEntry]


class AuditViewerAction(Schema):
    action: str
    label: str


class AuditViewerVerification(Schema):
    school_id: int
    school_name: str
    checked: bool  # false: never checked (or the kept result expired)
    ok: bool | None = None
    entries: int | None = None
    broken_at: int | None = None
    published_checked: int | None = None
    problem: str = ""
    checked_at: datetime | None = None
    checked_by: str = ""
    text: str


class AuditViewerVerifyIn(Schema):
    school_id: BodyId | None = None  # province staff: the school to check


def _verification_out(school, result: dict | None) -> dict:
    base = {"school_id": school.pk, "school_name": school.name, "checked": result is not None,
            "text": selectors.verification_text(result)}
    return {**base, **(result or {})} if result else base


@router.get("/actions", response=list[AuditViewerAction], summary="操作日志可筛选的操作（action 与中文名称）")
def list_audit_actions(request):
    require_role(request.user, STAFF)
    return [{"action": action, "label": label} for action, label in selectors.action_choices()]


@router.get("/entries", response=AuditViewerPage,
            summary="工作人员：范围内的操作记录，新的在前（actor 用户名、student_number 学号、action、date_from、date_to；"
                    "省级可加 school_id）；变更前后的个人信息以掩码显示")
def list_audit_entries(request, actor: str = Query("", max_length=150),
                       student_number: str = Query("", max_length=40), action: str = Query("", max_length=60),
                       date_from: date | None = None, date_to: date | None = None, school_id: OptionalId = None,
                       page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, STAFF)
    if action and action not in selectors.ACTION_LABELS:
        raise DomainError("未知的操作类型", fields={"action": "未知的操作类型"})
    filters = selectors.AuditFilters(
        actor_username=actor, student_number=student_number, action=action, date_from=date_from, date_to=date_to,
        school_id=school_id if request.user.role == Role.PROVINCE_STAFF else None)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(selectors.audit_entries(actor=request.user, filters=filters), page=page,
                              page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next,
            "page": page, "page_size": page_size, "items": [selectors.viewer_row(e) for e in listed]}


@router.get("/verification", response=AuditViewerVerification,
            summary="本校（省级：school_id 指定学校）审计链的上次校验结果与时间")
def get_audit_verification(request, school_id: OptionalId = None):
    require_role(request.user, STAFF)
    school = selectors.verification_school(request.user, school_id)
    if school is None:
        raise DomainError("请指定学校", fields={"school_id": "请指定学校"})
    return _verification_out(school, selectors.last_verification(school))


@router.post("/verify", response=AuditViewerVerification,
             summary="立即校验本校（省级：school_id 指定学校）审计链：逐条重算摘要并核对已发布的链头，结果保留供查看")
def verify_audit_chain(request, payload: AuditViewerVerifyIn):
    require_role(request.user, STAFF)
    result = selectors.verify_school_chain(actor=request.user, school_id=payload.school_id)
    school = selectors.verification_school(request.user, result["school_id"])
    return _verification_out(school, result)
