"""Reads of kept figures: the province totals and ranking from each school's latest daily
snapshot, and the frozen reports (冻结报表).

Why snapshots for the province: a live GROUP BY over a province (500,000 graduates) costs a
hundred times a school's; the latest snapshot per school is ~100 narrow rows. A school
without a snapshot of the cohort yet (a new school, a cohort the job has not reached, the
first day) is computed live, alone — so the figures are complete whatever the job did."""

from __future__ import annotations

from django.db.models import Min, OuterRef, Subquery, Sum
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.accounts.scoping import get_visible, visible_to
from apps.organisations.models import School
from apps.statistics import compute as c
from apps.statistics.models import FrozenReport, StatsSnapshot

SUMMED = (*c.COUNT_FIELDS, *c.OVERVIEW_COUNTS)
# a frozen report is a school's whole set of figures: its school staff and the province read it
FROZEN_READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)


def _province_schools(scope: c.StatsScope, cohort: int) -> list[tuple[int, str, str, int | None]]:
    """(school id, name, code, id of its latest snapshot of the cohort or None), one query:
    one probe of the (school, cohort, day) unique index per school."""
    latest = (visible_to(StatsSnapshot, scope.actor).filter(school=OuterRef("pk"), cohort=cohort)
              .order_by("-day").values("pk")[:1])
    return list(visible_to(School, scope.actor).annotate(snapshot_id=Subquery(latest))
                .order_by("code").values_list("pk", "name", "code", "snapshot_id"))


def _split(schools) -> tuple[list[int], list[int]]:
    snapshot_ids = [snapshot_id for _, _, _, snapshot_id in schools if snapshot_id]
    missing = [pk for pk, _, _, snapshot_id in schools if not snapshot_id]
    return snapshot_ids, missing


def province_overview(scope: c.StatsScope, cohort: int) -> c.Overview:
    schools = _province_schools(scope, cohort)
    snapshot_ids, missing = _split(schools)
    counts = dict.fromkeys(SUMMED, 0)
    computed_at = timezone.now()
    if snapshot_ids:
        sums = StatsSnapshot.objects.filter(pk__in=snapshot_ids).aggregate(
            oldest=Min("taken_at"), **{name: Sum(name) for name in SUMMED})
        computed_at = min(computed_at, sums.pop("oldest") or computed_at)
        counts = {name: value or 0 for name, value in sums.items()}
    if missing:
        live = c._overview_counts(scope.graduates(cohort, school_ids=missing), c.rate_codes())
        live["terminations"] = scope.terminations(cohort).filter(school_id__in=missing).count()
        counts = {name: counts[name] + int(live.get(name) or 0) for name in SUMMED}
    return c._overview_from_counts(cohort=cohort, label=scope.label, counts=counts,
                                   terminations=counts["terminations"], computed_at=computed_at)


def _merge(rows_lists) -> list[c.RateRow]:
    merged: dict[str, dict] = {}
    for rows in rows_lists:
        for row in rows or []:
            data = row if isinstance(row, dict) else c.row_to_dict(row)
            key = str(data.get("key", ""))
            slot = merged.setdefault(key, {"key": key, "label": data.get("label", ""), **dict.fromkeys(c.COUNT_FIELDS, 0)})
            for name in c.COUNT_FIELDS:
                slot[name] += int(data.get(name) or 0)
    return [c.row_from_dict(data) for data in merged.values()]


def province_breakdown(scope: c.StatsScope, cohort: int, by: str) -> list[c.RateRow]:
    if by == "school":
        ranks = school_ranking(scope, cohort)
        rows = [c.make_row(str(r.school_id), r.school_name, {"graduates": r.graduates, **r.parts}) for r in ranks]
        return c.sort_rows(rows)
    schools = _province_schools(scope, cohort)
    snapshot_ids, missing = _split(schools)
    codes = c.rate_codes()
    parts = []
    if snapshot_ids:
        parts.extend(StatsSnapshot.objects.filter(pk__in=snapshot_ids)
                     .values_list(f"figures__breakdowns__{by}", flat=True))
    if missing:
        parts.append(c._live_breakdown(scope.graduates(cohort, school_ids=missing), by, codes, scope.actor))
    rows = _merge(parts)
    if by == "category":
        return c.sort_category_rows(rows, codes)
    if by in c.CODE_DIMENSIONS:
        _, table, scheme = c.CODE_DIMENSIONS[by]
        order = {code: position for position, code in enumerate(c.code_labels(table, scheme))}
        return c.sort_rows(rows, order)
    if by == "origin_province":
        return c.sort_rows(rows, {r.key: int(r.key) for r in rows if r.key.isdigit()})
    return c.sort_rows(rows)


def school_ranking(scope: c.StatsScope, cohort: int) -> list[c.SchoolRank]:
    schools = _province_schools(scope, cohort)
    snapshot_ids, missing = _split(schools)
    figures: dict[int, dict] = {}
    if snapshot_ids:
        for row in (StatsSnapshot.objects.filter(pk__in=snapshot_ids)
                    .values("school_id", "taken_at", *c.COUNT_FIELDS)):
            figures[row["school_id"]] = row
    if missing:
        now = timezone.now()
        for row in c._grouped(scope.graduates(cohort, school_ids=missing), "school_id", c.rate_codes()):
            figures[row["school_id"]] = {**row, "taken_at": now}
    unranked = []
    for pk, name, code, _ in schools:
        data = figures.get(pk, {"taken_at": None})
        row = c.make_row(str(pk), name, data)
        unranked.append((row, code, data.get("taken_at")))
    unranked.sort(key=lambda item: (-item[0].rate, -item[0].graduates, item[1]))
    ranks: list[c.SchoolRank] = []
    for position, (row, _, taken_at) in enumerate(unranked, start=1):
        # equal rates share a rank (1, 1, 3)
        rank = ranks[-1].rank if ranks and ranks[-1].rate == row.rate else position
        ranks.append(c.SchoolRank(rank=rank, school_id=int(row.key), school_name=row.label, graduates=row.graduates,
                                  placed=row.placed, rate=row.rate,
                                  parts={item: getattr(row, item) for item in c.RATE_ITEMS}, taken_at=taken_at))
    return ranks


# --- 冻结报表 -------------------------------------------------------------------------------


def frozen_reports(*, actor, school_id=None, cohort=None):
    """The frozen reports the actor may read (newest label date first), without the JSON."""
    require_role(actor, FROZEN_READERS)
    qs = visible_to(FrozenReport, actor).select_related("school", "frozen_by").defer("figures")
    if school_id not in (None, ""):
        school = get_visible(School, actor, pk=c._id(school_id))
        qs = qs.filter(school=school)
    if cohort not in (None, ""):
        qs = qs.filter(cohort=int(cohort))
    return qs.order_by("-as_of", "-id")


def frozen_report_get(*, actor, report_id) -> FrozenReport:
    require_role(actor, FROZEN_READERS)
    return get_visible(FrozenReport.objects.select_related("school", "frozen_by"), actor, pk=c._id(report_id))


def frozen_overview(report: FrozenReport) -> c.Overview:
    return c.overview_from_figures(report.figures)


def frozen_breakdown(report: FrozenReport, by: str) -> list[c.RateRow]:
    if by not in c.DIMENSIONS or by == "school":
        raise c.DomainError(f"不支持的分组维度：{by}", fields={"by": "不支持的分组维度"})
    return [c.row_from_dict(row) for row in report.figures.get("breakdowns", {}).get(by, [])]
