"""JSON API of the national registry sync (全国毕业去向登记系统): the graduate's comparison
(``GET /registry/mine``) and the staff sync monitor (list, summary, retry). The same selectors,
presenters and services as the pages."""
from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, require_role
from apps.accounts.scoping import get_visible
from apps.core.api import AUTH
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import BodyId, OptionalId, PageNumber, PageSize, api_page_bounds
from apps.organisations.models import College, School
from apps.registry import presenters, selectors
from apps.registry.comparison import graduate_comparison
from apps.registry.models import OutboxEntry, OutboxState
from apps.registry.services import outbox_retry, outbox_retry_all_dead

router = Router(tags=["全国毕业去向登记"], auth=AUTH)


class RegistryStateOut(Schema):
    code: str
    title: str
    text: str
    tone: str


class RegistryFixOut(Schema):
    label: str
    url: str


class RegistryRowOut(Schema):
    key: str  # the national column name
    platform: str
    registry: str | None  # None: no copy of the registry's record to compare with
    differs: bool
    fix: RegistryFixOut


class RegistrySectionOut(Schema):
    key: str
    title: str
    difference_count: int
    rows: list[RegistryRowOut]


class RegistryCopyOut(Schema):
    state: RegistryStateOut
    version: int | None = None
    fetched_at: datetime | None = None


class RegistryMineOut(Schema):
    state: RegistryStateOut  # the sync state (presenters.sync_state)
    waiting: bool  # a change of the graduate's is still undelivered (waiting or failed)
    last_delivered_at: datetime | None = None
    verification_code: str = ""  # 核验编号, once the registry issued it
    registry_copy: RegistryCopyOut
    changes_until: str
    sections: list[RegistrySectionOut]
    differences: list[RegistryRowOut]


class RegistryEntryOut(Schema):
    id: int
    graduate_id: int
    sequence: int
    reason: str
    reason_label: str
    state: str
    state_label: str
    attempts: int
    next_attempt_at: datetime | None = None
    last_error: str = ""
    created_at: datetime
    delivered_at: datetime | None = None


class RegistryOutboxItemOut(RegistryEntryOut):
    graduate_name: str
    student_number: str
    school_name: str
    college_name: str


class RegistryOutboxPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    state: str
    items: list[RegistryOutboxItemOut]


class RegistryCountOut(Schema):
    count: int
    capped: bool  # more than count (the count is bounded)


class RegistrySummaryOut(Schema):
    pending: RegistryCountOut
    delivered: RegistryCountOut
    dead: RegistryCountOut
    oldest_undelivered_at: datetime | None = None
    oldest_undelivered_age_seconds: int | None = None
    oldest_undelivered_age: str


class RegistryRetryDeadIn(Schema):
    school_id: BodyId | None = None
    college_id: BodyId | None = None


class RegistryRetryDeadOut(Schema):
    count: int


def _row(row: presenters.Row) -> dict:
    return {"key": row.key, "platform": row.platform, "registry": row.registry, "differs": row.differs,
            "fix": row.fix}


@router.get("/mine", response=RegistryMineOut,
            summary="毕业生：全国毕业去向登记系统数据查看（登记系统与平台信息对照、不一致项、同步状态）")
def my_comparison(request):
    require_role(request.user, (Role.GRADUATE,))
    graduate = selectors.own_graduate(actor=request.user)
    shown = graduate_comparison(actor=request.user, graduate=graduate)
    return {
        "state": shown["sync"].as_dict(), "waiting": shown["waiting"],
        "last_delivered_at": shown["last_delivered_at"], "verification_code": shown["verification_code"],
        "registry_copy": {"state": shown["copy_state"].as_dict(), "version": shown["copy"].version,
                 "fetched_at": shown["copy"].fetched_at},
        "changes_until": shown["changes_until"],
        "sections": [{"key": s.key, "title": s.title, "difference_count": s.difference_count,
                      "rows": [_row(r) for r in s.rows]} for s in shown["sections"]],
        "differences": [_row(r) for r in shown["differences"]],
    }


def _filters(state: str, school_id: int | None, college_id: int | None) -> selectors.OutboxFilters:
    return selectors.OutboxFilters.parse(state=state, school_id=school_id, college_id=college_id)


@router.get("/outbox", response=RegistryOutboxPage,
            summary="工作人员：管理范围内的同步变更（默认发送失败的；state=pending|delivered|dead|all）")
def list_outbox(request, state: str = OutboxState.DEAD, school_id: OptionalId = None, college_id: OptionalId = None,
                page: PageNumber = 1, page_size: PageSize = 30):
    require_role(request.user, STAFF)
    filters = _filters(state, school_id, college_id)
    page, page_size, _ = api_page_bounds(page, page_size)
    listed = bounded_api_page(selectors.outbox_list(actor=request.user, filters=filters), page=page,
                              page_size=page_size)
    items = [{**presenters.entry_row(e), "graduate_name": e.graduate.name,
              "student_number": e.graduate.student_number, "school_name": e.school.name,
              "college_name": e.college.name} for e in listed]
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next,
            "page": page, "page_size": page_size, "state": filters.state, "items": items}


@router.get("/summary", response=RegistrySummaryOut,
            summary="工作人员：同步概况（各状态条数，超过上限时 capped=true；最早未送达变更及其等待时长）")
def outbox_summary(request, school_id: OptionalId = None, college_id: OptionalId = None):
    require_role(request.user, STAFF)
    summary = selectors.outbox_summary(actor=request.user, filters=_filters("all", school_id, college_id),
                                       now=timezone.now())
    counts = {state: {"count": n, "capped": capped} for state, (n, capped) in summary.counts.items()}
    oldest = summary.oldest_waiting
    return {**counts, "oldest_undelivered_at": oldest.created_at if oldest else None,
            "oldest_undelivered_age_seconds": summary.oldest_age_seconds,
            "oldest_undelivered_age": presenters.age_text(summary.oldest_age_seconds)}


@router.post("/outbox/retry-dead", response=RegistryRetryDeadOut,
             summary="学校/省级工作人员：重新发送管理范围内（或 school_id / college_id 指定范围）全部发送失败的变更")
def retry_dead(request, payload: RegistryRetryDeadIn):
    require_role(request.user, presenters.RETRIERS)
    school = get_visible(School, request.user, pk=payload.school_id) if payload.school_id else None
    college = get_visible(College, request.user, pk=payload.college_id) if payload.college_id else None
    return {"count": outbox_retry_all_dead(actor=request.user, school=school, college=college,
                                           client_address=client_address(request))}


@router.post("/outbox/{entry_id}/retry", response=RegistryEntryOut,
             summary="学校/省级工作人员：重新发送一条发送失败的变更")
def retry_one(request, entry_id: int):
    require_role(request.user, presenters.RETRIERS)
    entry = get_visible(OutboxEntry, request.user, pk=entry_id)
    return presenters.entry_row(outbox_retry(actor=request.user, entry=entry, client_address=client_address(request)))
