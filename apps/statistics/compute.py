"""毕业去向落实率 and its breakdowns, computed in the database (issue 14; docs/statistics.md).
The dataclasses below are the shapes the pages, exports and API read: add fields, never change.

The rule (docs/statistics.md): 落实率 = (单位就业 + 自主创业 + 自由职业 + 升学) / all graduates of
the cohort in scope, the four parts taken from the destination code table's `rate_item`
column (never from literal codes here). A graduate counts in a part only when their
destination is 审核通过 (school_approved); every graduate of the cohort counts in the
denominator, registered or not. A terminated agreement resets the destination (待就业, draft),
so it no longer counts.

Every figure is an aggregate query (COUNT … FILTER / GROUP BY), never a Python loop over
graduates; labels come from the reference snapshot (`code_labels`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, FilteredRelation, IntegerField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Substr
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, require_role
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import DomainError, NotFound
from apps.core.pagination import MAX_ID
from apps.destinations.models import DestinationSource, DestinationStatus
from apps.graduates.models import Graduate
from apps.organisations.models import College, Major, School
from apps.reference.selectors import code_entry_refs, code_labels, division_ref
from apps.signing.models import Termination, TerminationStatus

# 分组维度: the `by` values every page, export and API accepts
DIMENSIONS: dict[str, str] = {
    "college": "院系",
    "major": "专业",
    "education_level": "学历层次",
    "gender": "性别",
    "origin_province": "生源地",
    "hardship": "困难生类别",
    "normal_student": "师范生类别",
    "category": "毕业去向",
    "school": "学校",  # province staff only
}

# the four parts of the rate, in display order: rate_item value in destination.csv → label
RATE_ITEMS: dict[str, str] = {
    "unit": "单位就业",
    "self_employed": "自主创业",
    "freelance": "自由职业",
    "further_study": "升学",
}


@dataclass(frozen=True)
class RateRow:
    """One line of a breakdown (a college, a gender, …) or the total."""

    key: str  # the group's code or id as a string ("" for 未填写 / the total)
    label: str
    graduates: int  # denominator: every graduate of the cohort in the group
    unit: int  # 单位就业 (approved)
    self_employed: int  # 自主创业
    freelance: int  # 自由职业
    further_study: int  # 升学
    placed: int  # the sum of the four
    rate: Decimal  # placed / graduates × 100, two decimals (Decimal("0.00") when graduates is 0)


@dataclass(frozen=True)
class Overview:
    """The head of a dashboard: the total and the counts beside the rate."""

    cohort: int
    scope_label: str  # e.g. 安徽示例大学 · 计算机学院
    total: RateRow
    origin_confirmed: int  # 生源已确认
    online_signed: int  # 单位就业 through an online agreement (source online_signing, approved)
    online_share: Decimal  # online_signed / unit × 100, two decimals
    pending_review: int  # 审核积压: submitted + college_approved
    terminations: int  # 解约 (terminations completed this cohort)
    computed_at: datetime


@dataclass(frozen=True)
class TrendPoint:
    day: date
    graduates: int
    placed: int
    rate: Decimal


@dataclass(frozen=True)
class SchoolRank:
    """Province overview: one school, from its latest snapshot, with its rank by rate."""

    rank: int
    school_id: int
    school_name: str
    graduates: int
    placed: int
    rate: Decimal
    parts: dict = field(default_factory=dict)  # RATE_ITEMS key → count
    taken_at: datetime | None = None


# ---------------------------------------------------------------------------------------------
# The grouping as data

APPROVED = DestinationStatus.SCHOOL_APPROVED
PENDING_STATUSES = (DestinationStatus.SUBMITTED, DestinationStatus.COLLEGE_APPROVED)
UNFILLED_LABEL = "未填写"
# category breakdown: graduates whose destination is not (yet) 审核通过
CATEGORY_PENDING_KEY, CATEGORY_PENDING_LABEL = "pending", "审核中"
CATEGORY_NONE_KEY, CATEGORY_NONE_LABEL = "", "未登记"
COUNT_FIELDS = ("graduates", *RATE_ITEMS)
EDUCATION_SCHEME = "employment-xldm"
# the code tables behind the code dimensions: DIMENSIONS key → (Graduate field, table, scheme)
CODE_DIMENSIONS = {
    "education_level": ("education_level_code", "education_level", EDUCATION_SCHEME),
    "gender": ("gender_code", "gender", ""),
    "hardship": ("hardship_code", "hardship", ""),
    "normal_student": ("normal_student_code", "normal_student", ""),
}
TREND_MAX_DAYS = 400  # a season is at most a little over a year of daily snapshots


@dataclass(frozen=True)
class RateCodes:
    """destination.csv's `rate_item` column read from the reference snapshot."""

    by_item: dict[str, list[str]]  # rate item → codes
    item_of: dict[str, str]  # code → rate item ("" for 未就业)
    parent_of: dict[str, str]  # code → its two-digit category (itself when none)
    order: dict[str, int]  # category code → file order
    labels: dict[str, str]


def rate_codes() -> RateCodes:
    entries = code_entry_refs("destination")
    by_item: dict[str, list[str]] = {item: [] for item in RATE_ITEMS}
    item_of, parent_of, order = {}, {}, {}
    for position, entry in enumerate(entries):
        item = str(entry.extra.get("rate_item", "") or "")
        item_of[entry.code] = item
        if item in by_item:
            by_item[item].append(entry.code)
        parent_of[entry.code] = entry.parent_code or entry.code
        order[entry.code] = position
    return RateCodes(by_item, item_of, parent_of, order, dict(code_labels("destination")))


def rate_of(placed: int, graduates: int) -> Decimal:
    """placed / graduates × 100, two decimals, half up (0.00 for an empty group)."""
    if not graduates:
        return Decimal("0.00")
    return (Decimal(placed) * 100 / Decimal(graduates)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def make_row(key: str, label: str, counts: dict) -> RateRow:
    parts = {item: int(counts.get(item) or 0) for item in RATE_ITEMS}
    graduates = int(counts.get("graduates") or 0)
    placed = sum(parts.values())
    return RateRow(key=key, label=label, graduates=graduates, placed=placed, rate=rate_of(placed, graduates), **parts)


def row_to_dict(row: RateRow) -> dict:
    return {"key": row.key, "label": row.label, **{name: getattr(row, name) for name in COUNT_FIELDS}}


def row_from_dict(data: dict) -> RateRow:
    return make_row(str(data.get("key", "")), str(data.get("label", "")), data)


def _item_counts(codes: RateCodes, prefix: str = "dest__") -> dict:
    """COUNT(id) FILTER (…) per rate item: approved destinations of the item's codes."""
    approved = Q(**{f"{prefix}status": APPROVED})
    counts: dict = {"graduates": Count("id")}
    for item in RATE_ITEMS:
        item_codes = codes.by_item[item]
        counts[item] = (Count("id", filter=approved & Q(**{f"{prefix}category_code__in": item_codes}))
                        if item_codes else Value(0, output_field=IntegerField()))
    return counts


# ---------------------------------------------------------------------------------------------
# Scope: who sees what (always through visible_to)


@dataclass(frozen=True)
class StatsScope:
    actor: object
    school: School | None
    college: College | None
    label: str

    @property
    def province_wide(self) -> bool:
        return self.school is None and self.college is None

    def filters(self) -> dict:
        if self.college is not None:
            return {"college_id": self.college.pk}
        if self.school is not None:
            return {"school_id": self.school.pk}
        return {}

    def graduates(self, cohort: int, *, school_ids: list[int] | None = None) -> QuerySet:
        """The scope's graduates of the cohort, each with its destination as `dest`.

        The destination is joined through a FilteredRelation that repeats the scope on the
        destination's own school / college column (a destination always carries its graduate's):
        without it PostgreSQL hashes the whole province's destinations for one school's
        graduates; with it the join reads dest_school_category_idx / dest_college_category_idx."""
        qs = visible_to(Graduate, self.actor).filter(cohort=cohort, **self.filters())
        if school_ids is not None:
            qs = qs.filter(school_id__in=school_ids)
            condition = Q(destination__school_id__in=school_ids)
        elif self.college is not None:
            condition = Q(destination__college_id=self.college.pk)
        elif self.school is not None:
            condition = Q(destination__school_id=self.school.pk)
        else:
            condition = Q(destination__graduate_id__isnull=False)
        return qs.annotate(dest=FilteredRelation("destination", condition=condition))

    def terminations(self, cohort: int) -> QuerySet:
        return visible_to(Termination, self.actor).filter(status=TerminationStatus.APPROVED,
                                                          graduate__cohort=cohort, **self.filters())


def _id(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 0 < number <= MAX_ID:  # no row has it, and the database would overflow on it
        raise NotFound()
    return number


def stats_scope(*, actor, school_id=None, college_id=None) -> StatsScope:
    """The school / college the figures are for. Out-of-scope ids look like missing ones
    (NotFound); college staff are pinned to their own college."""
    require_role(actor, STAFF)
    school_id, college_id = _id(school_id), _id(college_id)
    if actor.role == Role.COLLEGE_STAFF:
        if college_id not in (None, actor.college_id) or school_id not in (None, actor.school_id):
            raise NotFound()
        college_id = actor.college_id
    if college_id is not None:
        college = get_visible(College.objects.select_related("school"), actor, pk=college_id)
        if school_id is not None and college.school_id != school_id:
            raise NotFound()
        return StatsScope(actor, college.school, college, f"{college.school.name} · {college.name}")
    if school_id is None and actor.role == Role.SCHOOL_STAFF:
        school_id = actor.school_id
    if school_id is not None:
        school = get_visible(School, actor, pk=school_id)
        return StatsScope(actor, school, None, school.name)
    province = actor.province
    return StatsScope(actor, None, None, province.name if province else "")


def default_cohort(scope: StatsScope) -> int:
    """The school's current cohort (当前届别), or the latest one among the schools in scope."""
    if scope.school is not None:
        return scope.school.current_cohort
    latest = visible_to(School, scope.actor).aggregate(latest=Max("current_cohort"))["latest"]
    return latest or timezone.localdate().year


def _cohort(scope: StatsScope, cohort) -> int:
    if cohort in (None, ""):
        return default_cohort(scope)
    try:
        value = int(cohort)
    except (TypeError, ValueError):
        raise DomainError("届别应为四位年份，例如 2027", fields={"cohort": "届别应为四位年份"}) from None
    if not 2000 <= value <= 2100:
        raise DomainError("届别应为四位年份，例如 2027", fields={"cohort": "届别应为四位年份"})
    return value


# ---------------------------------------------------------------------------------------------
# Live figures (one scope, any size: every query starts from a school/college-leading index)


def _overview_counts(graduates: QuerySet, codes: RateCodes) -> dict:
    approved = Q(dest__status=APPROVED)
    unit_codes = codes.by_item["unit"]
    online = (Count("id", filter=approved & Q(dest__source=DestinationSource.ONLINE_SIGNING,
                                             dest__category_code__in=unit_codes))
              if unit_codes else Value(0, output_field=IntegerField()))
    return graduates.aggregate(
        **_item_counts(codes),
        origin_confirmed=Count("id", filter=Q(origin_confirmed_at__isnull=False)),
        online_signed=online,
        pending_review=Count("id", filter=Q(dest__status__in=PENDING_STATUSES)),
    )


def _overview_from_counts(*, cohort: int, label: str, counts: dict, terminations: int,
                          computed_at: datetime) -> Overview:
    total = make_row("", "合计", counts)
    online = int(counts.get("online_signed") or 0)
    return Overview(
        cohort=cohort, scope_label=label, total=total,
        origin_confirmed=int(counts.get("origin_confirmed") or 0),
        online_signed=online, online_share=rate_of(online, total.unit),
        pending_review=int(counts.get("pending_review") or 0),
        terminations=int(terminations or 0), computed_at=computed_at,
    )


def _live_overview(scope: StatsScope, cohort: int, codes: RateCodes, graduates: QuerySet | None = None,
                   terminations: QuerySet | None = None) -> Overview:
    graduates = scope.graduates(cohort) if graduates is None else graduates
    terminations = scope.terminations(cohort) if terminations is None else terminations
    counts = _overview_counts(graduates, codes)
    return _overview_from_counts(cohort=cohort, label=scope.label, counts=counts,
                                 terminations=terminations.count(), computed_at=timezone.now())


def _labelled_rows(groups: Iterable[dict], key_field: str, labels: dict[str, str],
                   order: dict[str, int] | None = None) -> list[RateRow]:
    """RateRows from GROUP BY rows; empty keys become 「未填写」 (last)."""
    rows = []
    for group in groups:
        raw = group[key_field]
        key = "" if raw is None else str(raw)
        label = labels.get(key, key) if key else UNFILLED_LABEL
        rows.append(make_row(key, label, group))
    return sort_rows(rows, order)


def sort_rows(rows: list[RateRow], order: dict[str, int] | None = None) -> list[RateRow]:
    """Code order (the code table's order when given, else the label), 「未填写」 last."""
    big = 1 << 30
    if order is not None:
        return sorted(rows, key=lambda r: (r.key == "", order.get(r.key, big), r.key))
    return sorted(rows, key=lambda r: (r.key == "", r.label, r.key))


def _grouped(graduates: QuerySet, group_by, codes: RateCodes) -> list[dict]:
    """One GROUP BY: the counts per value of `group_by` (a field name or an expression), each
    row with its value under "group_key" (and, for a field, under the field's name too)."""
    if isinstance(group_by, str):
        name, qs = group_by, graduates.values(group_by)
    else:
        name, qs = "group_key", graduates.annotate(group_key=group_by).values("group_key")
    return [{**row, "group_key": row[name]} for row in qs.annotate(**_item_counts(codes)).order_by()]


def _live_breakdown(graduates: QuerySet, by: str, codes: RateCodes, actor) -> list[RateRow]:
    if by == "category":
        return _category_rows(graduates, codes)
    if by in CODE_DIMENSIONS:
        field_name, table, scheme = CODE_DIMENSIONS[by]
        labels = code_labels(table, scheme)
        order = {code: position for position, code in enumerate(labels)}
        return _labelled_rows(_grouped(graduates, field_name, codes), "group_key", labels, order)
    if by == "origin_province":
        groups = _grouped(graduates, Substr("origin_division_id", 1, 2), codes)
        labels = {}
        for group in groups:
            code = group["group_key"]
            if code:
                ref = division_ref(str(code).ljust(6, "0"))
                labels[str(code)] = ref.name if ref else str(code)
        return _labelled_rows(groups, "group_key", labels, {code: int(code) for code in labels if code.isdigit()})
    model, field_name = {"college": (College, "college_id"), "major": (Major, "major_id"),
                         "school": (School, "school_id")}[by]
    groups = _grouped(graduates, field_name, codes)
    ids = [group["group_key"] for group in groups if group["group_key"] is not None]
    names = dict(visible_to(model, actor).filter(pk__in=ids).values_list("pk", "name")) if ids else {}
    return _labelled_rows(groups, "group_key", {str(pk): name for pk, name in names.items()})


def _category_rows(graduates: QuerySet, codes: RateCodes) -> list[RateRow]:
    """毕业去向 mix: one row per approved two-digit category (sub-codes folded into their
    category), then 审核中 (submitted / college-approved), then 未登记 (no registration,
    a draft or a returned one). The rows add up to all graduates."""
    groups = graduates.values("dest__category_code", "dest__status").annotate(graduates=Count("id")).order_by()
    totals: dict[str, int] = {}
    for group in groups:
        code, status = group["dest__category_code"], group["dest__status"]
        if status == APPROVED and code:
            key = codes.parent_of.get(code, code)
        elif status in PENDING_STATUSES:
            key = CATEGORY_PENDING_KEY
        else:
            key = CATEGORY_NONE_KEY
        totals[key] = totals.get(key, 0) + group["graduates"]
    rows = []
    for key, count in totals.items():
        if key in (CATEGORY_PENDING_KEY, CATEGORY_NONE_KEY):
            label = CATEGORY_PENDING_LABEL if key == CATEGORY_PENDING_KEY else CATEGORY_NONE_LABEL
            rows.append(make_row(key, label, {"graduates": count}))
            continue
        counts = {"graduates": count}
        item = codes.item_of.get(key, "")
        if item in RATE_ITEMS:
            counts[item] = count
        rows.append(make_row(key, codes.labels.get(key, key), counts))
    return sort_category_rows(rows, codes)


def sort_category_rows(rows: list[RateRow], codes: RateCodes) -> list[RateRow]:
    """Code table order, then 审核中 and 未登记; `rate` is each row's share of all graduates
    (not a placement rate: a category row is placed entirely or not at all)."""
    tail = {CATEGORY_PENDING_KEY: 1, CATEGORY_NONE_KEY: 2}
    total = sum(r.graduates for r in rows)
    rows = [replace(r, rate=rate_of(r.graduates, total)) for r in rows]
    return sorted(rows, key=lambda r: (tail.get(r.key, 0), codes.order.get(r.key, 1 << 30), r.key))


def figures_compute(scope: StatsScope, cohort: int, *, dimensions: Iterable[str] | None = None) -> dict:
    """Every figure of one scope as JSON-ready data (snapshots, frozen reports, the province
    totals for schools without a snapshot): the overview and each breakdown."""
    codes = rate_codes()
    overview = _live_overview(scope, cohort, codes)
    graduates = scope.graduates(cohort)
    dims = [d for d in (dimensions or DIMENSIONS) if d != "school"]
    return {
        "cohort": cohort,
        "scope_label": scope.label,
        "computed_at": overview.computed_at.isoformat(),
        "overview": overview_to_dict(overview),
        "breakdowns": {by: [row_to_dict(r) for r in _live_breakdown(graduates, by, codes, scope.actor)]
                       for by in dims},
    }


OVERVIEW_COUNTS = ("origin_confirmed", "online_signed", "pending_review", "terminations")


def overview_to_dict(overview: Overview) -> dict:
    return {"total": row_to_dict(overview.total), **{name: getattr(overview, name) for name in OVERVIEW_COUNTS}}


def overview_from_figures(figures: dict, *, label: str | None = None) -> Overview:
    data = figures.get("overview", {})
    total = data.get("total", {})
    counts = {**total, **{name: data.get(name, 0) for name in OVERVIEW_COUNTS}}
    computed = figures.get("computed_at")
    return _overview_from_counts(
        cohort=int(figures.get("cohort") or 0), label=figures.get("scope_label", "") if label is None else label,
        counts=counts, terminations=data.get("terminations", 0),
        computed_at=datetime.fromisoformat(computed) if computed else timezone.now())


def figure_columns(figures: dict) -> dict:
    """The head counts kept as columns beside the JSON (models.FigureColumns)."""
    overview = overview_from_figures(figures)
    return {name: getattr(overview.total, name) for name in (*COUNT_FIELDS, "placed")} | {
        name: getattr(overview, name) for name in OVERVIEW_COUNTS}


# ---------------------------------------------------------------------------------------------
# Public functions (the pages, exports and API call these)


def _check_by(by: str, scope: StatsScope) -> None:
    if by not in DIMENSIONS:
        raise DomainError(f"不支持的分组维度：{by}。可选：" + "、".join(DIMENSIONS.values()),
                          fields={"by": "不支持的分组维度"})
    if by == "school" and scope.actor.role != Role.PROVINCE_STAFF:
        raise DomainError("按学校分组仅供省级管理员使用", fields={"by": "按学校分组仅供省级管理员使用"})


def stats_overview(*, actor, cohort=None, school_id=None, college_id=None) -> Overview:
    scope = stats_scope(actor=actor, school_id=school_id, college_id=college_id)
    cohort = _cohort(scope, cohort)
    if scope.province_wide:
        from apps.statistics.selectors import province_overview

        return province_overview(scope, cohort)
    return _live_overview(scope, cohort, rate_codes())


def stats_breakdown(*, actor, cohort=None, by: str, school_id=None, college_id=None) -> list[RateRow]:
    scope = stats_scope(actor=actor, school_id=school_id, college_id=college_id)
    _check_by(by, scope)
    cohort = _cohort(scope, cohort)
    if scope.province_wide:
        from apps.statistics.selectors import province_breakdown

        return province_breakdown(scope, cohort, by)
    return _live_breakdown(scope.graduates(cohort), by, rate_codes(), actor)


def stats_trend(*, actor, cohort=None, school_id=None, college_id=None) -> list[TrendPoint]:
    """The rate day by day from the daily snapshots (each school's own row; a college's row
    of its school's snapshot; the province: the sum over its schools per day)."""
    from apps.statistics.models import StatsSnapshot

    scope = stats_scope(actor=actor, school_id=school_id, college_id=college_id)
    cohort = _cohort(scope, cohort)
    since = timezone.localdate() - timedelta(days=TREND_MAX_DAYS)
    snapshots = visible_to(StatsSnapshot, actor).filter(cohort=cohort, day__gte=since)
    if scope.college is not None:
        key = str(scope.college.pk)
        points = []
        for day, rows in (snapshots.filter(school_id=scope.college.school_id).order_by("day")
                          .values_list("day", "figures__breakdowns__college")):
            row = next((r for r in rows or [] if str(r.get("key")) == key), None)
            if row is not None:
                total = row_from_dict(row)
                points.append(TrendPoint(day=day, graduates=total.graduates, placed=total.placed, rate=total.rate))
        return points
    if scope.school is not None:
        snapshots = snapshots.filter(school_id=scope.school.pk)
    days = snapshots.values("day").annotate(graduates=Sum("graduates"), placed=Sum("placed")).order_by("day")
    return [TrendPoint(day=d["day"], graduates=d["graduates"] or 0, placed=d["placed"] or 0,
                       rate=rate_of(d["placed"] or 0, d["graduates"] or 0)) for d in days]


def province_ranking(*, actor, cohort=None) -> list[SchoolRank]:
    """Every school of the province side by side, ranked by rate (highest first), from each
    school's latest snapshot of the cohort (a school without one: computed live)."""
    require_role(actor, (Role.PROVINCE_STAFF,))
    scope = stats_scope(actor=actor)
    cohort = _cohort(scope, cohort)
    from apps.statistics.selectors import school_ranking

    return school_ranking(scope, cohort)


