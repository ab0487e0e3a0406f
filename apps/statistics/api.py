"""JSON API of 就业统计 (mounted at /api/v1/statistics/): the overview, one breakdown, the trend
from daily snapshots, the province ranking, and the frozen reports (list, one, freeze). Every
number comes from apps/statistics/compute.py, the same functions the pages and exports use."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from ninja import Router, Schema, Status

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.core.api import AUTH
from apps.core.errors import DomainError
from apps.core.listing import bounded_api_page
from apps.core.net import client_address
from apps.core.pagination import BodyCohort, BodyId, OptionalCohort, OptionalId, PageNumber, PageSize, api_page_bounds
from apps.statistics import compute, selectors, services
from apps.statistics.models import FrozenReport

router = Router(tags=["就业统计"], auth=AUTH)


class StatsInvalidDimension(DomainError):
    status = 422
    code = "validation"


class StatsRateRowOut(Schema):
    key: str
    label: str
    graduates: int
    unit: int
    self_employed: int
    freelance: int
    further_study: int
    placed: int
    rate: Decimal


class StatsOverviewOut(Schema):
    cohort: int
    scope_label: str
    total: StatsRateRowOut
    origin_confirmed: int
    online_signed: int
    online_share: Decimal
    pending_review: int
    terminations: int
    computed_at: datetime


class StatsBreakdownOut(Schema):
    cohort: int
    by: str
    by_label: str
    rows: list[StatsRateRowOut]


class StatsTrendPointOut(Schema):
    day: date
    graduates: int
    placed: int
    rate: Decimal


class StatsTrendOut(Schema):
    cohort: int
    points: list[StatsTrendPointOut]


class StatsSchoolRankOut(Schema):
    rank: int
    school_id: int
    school_name: str
    graduates: int
    placed: int
    rate: Decimal
    unit: int
    self_employed: int
    freelance: int
    further_study: int
    taken_at: datetime | None


class StatsProvinceOut(Schema):
    cohort: int
    overview: StatsOverviewOut
    schools: list[StatsSchoolRankOut]


class StatsFrozenOut(Schema):
    id: int
    school_id: int
    school_name: str
    cohort: int
    as_of: date
    frozen_at: datetime
    frozen_by: str
    graduates: int
    placed: int
    rate: Decimal


class StatsFrozenDetailOut(StatsFrozenOut):
    overview: StatsOverviewOut
    breakdowns: dict[str, list[StatsRateRowOut]]


class StatsFrozenPage(Schema):
    count: int
    count_capped: bool
    has_next: bool
    page: int
    page_size: int
    items: list[StatsFrozenOut]


class StatsFreezeIn(Schema):
    school_id: BodyId
    cohort: BodyCohort
    as_of: date


def _row(row: compute.RateRow) -> dict:
    return {**compute.row_to_dict(row), "placed": row.placed, "rate": row.rate}


def _overview(overview: compute.Overview) -> dict:
    return {"cohort": overview.cohort, "scope_label": overview.scope_label, "total": _row(overview.total),
            "origin_confirmed": overview.origin_confirmed, "online_signed": overview.online_signed,
            "online_share": overview.online_share, "pending_review": overview.pending_review,
            "terminations": overview.terminations, "computed_at": overview.computed_at}


def _frozen(report: FrozenReport, *, detail: bool = False) -> dict:
    data = {"id": report.pk, "school_id": report.school_id, "school_name": report.school.name,
            "cohort": report.cohort, "as_of": report.as_of, "frozen_at": report.frozen_at,
            "frozen_by": report.frozen_by.display_name or report.frozen_by.username,
            "graduates": report.graduates, "placed": report.placed,
            "rate": compute.rate_of(report.placed, report.graduates)}
    if detail:
        data["overview"] = _overview(selectors.frozen_overview(report))
        data["breakdowns"] = {by: [_row(r) for r in selectors.frozen_breakdown(report, by)]
                              for by in report.figures.get("breakdowns", {}) if by in compute.DIMENSIONS}
    return data


@router.get("/overview", response=StatsOverviewOut, summary="毕业去向落实率总览（本人权限范围；可按学校、院系筛选）")
def stats_overview(request, cohort: OptionalCohort = None, school_id: OptionalId = None,
                   college_id: OptionalId = None):
    return _overview(compute.stats_overview(actor=request.user, cohort=cohort, school_id=school_id,
                                            college_id=college_id))


@router.get("/breakdown", response=StatsBreakdownOut,
            summary="落实率分组统计（by：college 院系、major 专业、education_level 学历层次、gender 性别、"
                    "origin_province 生源地、hardship 困难生类别、normal_student 师范生类别、category 毕业去向、"
                    "school 学校〔仅省级〕）")
def stats_breakdown(request, by: str, cohort: OptionalCohort = None, school_id: OptionalId = None,
                    college_id: OptionalId = None):
    if by not in compute.DIMENSIONS:
        raise StatsInvalidDimension("不支持的分组维度，可选：" + "、".join(f"{k}（{v}）" for k, v in compute.DIMENSIONS.items()),
                                    fields={"by": "不支持的分组维度"})
    rows = compute.stats_breakdown(actor=request.user, cohort=cohort, by=by, school_id=school_id,
                                   college_id=college_id)
    scope = compute.stats_scope(actor=request.user, school_id=school_id, college_id=college_id)
    return {"cohort": compute._cohort(scope, cohort), "by": by, "by_label": compute.DIMENSIONS[by],
            "rows": [_row(r) for r in rows]}


@router.get("/trend", response=StatsTrendOut, summary="落实率走势（每日快照）")
def stats_trend(request, cohort: OptionalCohort = None, school_id: OptionalId = None, college_id: OptionalId = None):
    points = compute.stats_trend(actor=request.user, cohort=cohort, school_id=school_id, college_id=college_id)
    scope = compute.stats_scope(actor=request.user, school_id=school_id, college_id=college_id)
    return {"cohort": compute._cohort(scope, cohort),
            "points": [{"day": p.day, "graduates": p.graduates, "placed": p.placed, "rate": p.rate} for p in points]}


@router.get("/province", response=StatsProvinceOut, summary="省级：各校落实率并列与排名（各校最新快照）")
def stats_province(request, cohort: OptionalCohort = None):
    require_role(request.user, (Role.PROVINCE_STAFF,))
    ranks = compute.province_ranking(actor=request.user, cohort=cohort)
    overview = compute.stats_overview(actor=request.user, cohort=cohort)
    return {"cohort": overview.cohort, "overview": _overview(overview),
            "schools": [{"rank": r.rank, "school_id": r.school_id, "school_name": r.school_name,
                         "graduates": r.graduates, "placed": r.placed, "rate": r.rate, "taken_at": r.taken_at,
                         **{item: r.parts.get(item, 0) for item in compute.RATE_ITEMS}} for r in ranks]}


@router.get("/frozen", response=StatsFrozenPage, summary="冻结报表列表")
def stats_frozen_list(request, school_id: OptionalId = None, cohort: OptionalCohort = None,
                      page: PageNumber = 1, page_size: PageSize = 20):
    page, page_size, _ = api_page_bounds(page, page_size)
    reports = selectors.frozen_reports(actor=request.user, school_id=school_id, cohort=cohort)
    listed = bounded_api_page(reports, page=page, page_size=page_size)
    return {"count": listed.total, "count_capped": listed.total_capped, "has_next": listed.has_next,
            "page": page, "page_size": page_size, "items": [_frozen(r) for r in listed.object_list]}


@router.get("/frozen/{report_id}", response=StatsFrozenDetailOut, summary="一份冻结报表（总览与全部分组）")
def stats_frozen_detail(request, report_id: int):
    return _frozen(selectors.frozen_report_get(actor=request.user, report_id=report_id), detail=True)


@router.post("/freeze", response={201: StatsFrozenDetailOut},
             summary="学校：冻结某届别截至某日的统计报表（冻结后不再改变）")
def stats_freeze(request, payload: StatsFreezeIn):
    report = services.stats_freeze(actor=request.user, school_id=payload.school_id, cohort=payload.cohort,
                                   as_of=payload.as_of, client_address=client_address(request))
    return Status(201, _frozen(selectors.frozen_report_get(actor=request.user, report_id=report.pk), detail=True))
