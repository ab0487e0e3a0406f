"""Staff pages of 就业统计 (employment statistics), desktop: the dashboard (college, school, or a
school opened by province staff), the province overview (every school side by side, ranked),
their .xlsx, and the frozen reports (冻结报表) of a school.

Thin: the scope comes from the query string through `dashboard_scope` (one parser for a page
and its export, so the file holds the page's numbers), the figures from apps/statistics/compute
(scoped there too), the files from apps/statistics/exports. Charts read their numbers from a
`json_script` block drawn by static/js/charts.js (no inline script: the CSP refuses it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.db.models import Max
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header, urlencode
from django.views.decorators.http import require_POST

from apps.accounts.models import Role
from apps.accounts.permissions import STAFF, role_required
from apps.accounts.scoping import get_visible, visible_to
from apps.core.errors import DomainError
from apps.core.exports import XLSX_CONTENT_TYPE
from apps.core.listing import bounded_page
from apps.core.net import client_address
from apps.core.pagination import int_or_none, querystring_without_page
from apps.organisations.models import College, School
from apps.statistics import compute, exports

FREEZERS = (Role.SCHOOL_STAFF,)
# frozen reports hold every college's figures of a school: never college staff
FROZEN_READERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
COHORTS_SHOWN = 4  # the cohort select offers the current cohort and the three before it
MIN_COHORT, MAX_COHORT = 2000, 2100
FREEZE_MONTH, FREEZE_DAY = 8, 31  # the usual 统计截止日: 31 August of the cohort's year


# --- which figures: the scope of a dashboard --------------------------------------------------

@dataclass(frozen=True)
class DashboardScope:
    cohort: int
    school: School
    college: College | None
    by: str
    dimensions: dict
    cohorts: list

    def query(self, actor, **extra) -> str:
        """The query string that reopens this view (export link, freeze form)."""
        params = {}
        if actor.role == Role.PROVINCE_STAFF:
            params["school"] = self.school.pk
        params["cohort"] = self.cohort
        if self.college is not None and actor.role != Role.COLLEGE_STAFF:
            params["college"] = self.college.pk
        params["by"] = self.by
        params.update(extra)
        return urlencode(params)

    @property
    def compute_scope(self) -> dict:
        return {"cohort": self.cohort, "school_id": self.school.pk,
                "college_id": self.college.pk if self.college is not None else None}


def _cohort_choices(current: int, chosen: int) -> list[int]:
    return sorted({current - offset for offset in range(COHORTS_SHOWN)} | {chosen}, reverse=True)


def _parse_cohort(value, default: int) -> int:
    if value in (None, ""):
        return default
    cohort = int_or_none(value)
    if cohort is None or not MIN_COHORT <= cohort <= MAX_COHORT:
        raise DomainError("届别应为2000至2100之间的年份")
    return cohort


def dimensions_for(actor, college) -> dict[str, str]:
    """The breakdowns a dashboard offers: by school is the province overview's, by college only
    where more than one college is in view."""
    dims = {key: label for key, label in compute.DIMENSIONS.items() if key != "school"}
    if actor.role == Role.COLLEGE_STAFF or college is not None:
        dims.pop("college", None)
    return dims


def dashboard_scope(actor, params) -> DashboardScope:
    """College staff are pinned to their own college whatever the query says; an id outside the
    person's scope is a 404 (it looks like a missing one); province staff name the school."""
    college = None
    if actor.role == Role.PROVINCE_STAFF:
        school_id = int_or_none(params.get("school"))
        if school_id is None:
            raise DomainError("请选择院校")
        school = get_visible(School, actor, pk=school_id)
    else:
        school = get_visible(School, actor, pk=actor.school_id)
    if actor.role == Role.COLLEGE_STAFF:
        college = get_visible(College, actor, pk=actor.college_id)
    elif params.get("college"):
        college = get_visible(College.objects.filter(school=school), actor, pk=int_or_none(params.get("college")))
    cohort = _parse_cohort(params.get("cohort"), school.current_cohort)
    dims = dimensions_for(actor, college)
    by = params.get("by") or next(iter(dims))
    if by not in compute.DIMENSIONS:
        raise DomainError("不支持的分组方式，请从列表中选择")
    if by not in dims:  # e.g. 按院系 just after one college was chosen: that college's first breakdown
        by = next(iter(dims))
    return DashboardScope(cohort=cohort, school=school, college=college, by=by, dimensions=dims,
                          cohorts=_cohort_choices(school.current_cohort, cohort))


def province_cohort(actor, params) -> tuple[int, list[int]]:
    """The province overview's cohort: by default the newest current cohort of its schools."""
    current = visible_to(School, actor).aggregate(latest=Max("current_cohort"))["latest"]
    if current is None:
        raise DomainError("本省还没有院校")
    cohort = _parse_cohort(params.get("cohort"), current)
    return cohort, _cohort_choices(current, cohort)


# --- what the page shows ------------------------------------------------------------------------

def _number(value) -> float:
    return float(value)


def _rate_rows(rows) -> list[dict]:
    return [{"row": row, "parts": [getattr(row, key) for key in compute.RATE_ITEMS]} for row in rows]


def dashboard_figures(actor, scope: DashboardScope) -> dict:
    """The figures of one dashboard: overview, the chosen breakdown, the category mix, the trend."""
    overview = compute.stats_overview(actor=actor, **scope.compute_scope)
    breakdown = compute.stats_breakdown(actor=actor, by=scope.by, **scope.compute_scope)
    categories = breakdown if scope.by == "category" else \
        compute.stats_breakdown(actor=actor, by="category", **scope.compute_scope)
    trend = compute.stats_trend(actor=actor, **scope.compute_scope)
    return {"overview": overview, "breakdown": breakdown, "categories": categories, "trend": trend}


def _chart_data(scope: DashboardScope, figures: dict) -> dict:
    by_label = scope.dimensions[scope.by]
    breakdown = figures["breakdown"]
    if scope.by == "category":
        bar = {"title": "毕业去向分布（人数）", "labels": [r.label for r in breakdown],
               "values": [r.graduates for r in breakdown], "unit": "人"}
    else:
        bar = {"title": f"各{by_label}毕业去向落实率（%）", "labels": [r.label for r in breakdown],
               "values": [_number(r.rate) for r in breakdown], "unit": "%"}
    return {
        "bar": bar,
        "pie": {"title": "毕业去向构成", "items": [{"name": r.label, "value": r.graduates, "share": _number(r.rate)}
                                                  for r in figures["categories"] if r.graduates]},
        "trend": {"title": "毕业去向落实率走势（%）", "labels": [p.day.strftime("%m-%d") for p in figures["trend"]],
                  "values": [_number(p.rate) for p in figures["trend"]], "unit": "%"},
    }


def _freeze_default(cohort: int) -> date:
    """31 August of the cohort's year; before that day, today (a report cannot be frozen under a
    date still to come)."""
    return min(date(cohort, FREEZE_MONTH, FREEZE_DAY), timezone.localdate())


@role_required(*STAFF)
def dashboard_view(request):
    user = request.user
    if user.role == Role.PROVINCE_STAFF and not request.GET.get("school"):
        return redirect("staff-statistics-province")
    scope = dashboard_scope(user, request.GET)
    figures = dashboard_figures(user, scope)
    colleges = [] if user.role == Role.COLLEGE_STAFF else \
        visible_to(College, user).filter(school=scope.school).order_by("code", "id").only("id", "name")
    return render(request, "statistics/dashboard.html", {
        "scope": scope, **figures,
        "rows": _rate_rows(figures["breakdown"]),
        "head_parts": [{"key": key, "label": label, "value": getattr(figures["overview"].total, key)}
                       for key, label in compute.RATE_ITEMS.items()],
        "category_rows": figures["categories"], "rate_items": compute.RATE_ITEMS,
        "by_label": scope.dimensions[scope.by], "colleges": colleges,
        "charts": _chart_data(scope, figures),
        "export_query": scope.query(user),
        "may_freeze": user.role in FREEZERS, "freeze_default": _freeze_default(scope.cohort),
        "freeze_latest": timezone.localdate(),
        "may_read_frozen": user.role in FROZEN_READERS,
    })


def _province_rows(ranking, cohort: int) -> list[dict]:
    """The province table's cells as text, formatted once here: a province lists a hundred
    schools, and eleven numbers a row each through the template's localisation, a {% url %} and a
    date filter per row made the page's rendering grow with the schools (bench/README.md)."""
    base = reverse("staff-statistics")
    rows = []
    for r in ranking:
        rows.append({
            "school_id": str(r.school_id), "rank": str(r.rank), "name": r.school_name,
            "link": f"{base}?{urlencode({'school': r.school_id, 'cohort': cohort})}",
            "numbers": [str(r.graduates), *[str(r.parts.get(key, 0)) for key in compute.RATE_ITEMS], str(r.placed)],
            "rate": f"{r.rate}%",
            "taken": timezone.localtime(r.taken_at).strftime("%m-%d %H:%M") if r.taken_at else "暂无快照",
        })
    return rows


@role_required(Role.PROVINCE_STAFF)
def province_view(request):
    cohort, cohorts = province_cohort(request.user, request.GET)
    ranking = compute.province_ranking(actor=request.user, cohort=cohort)
    taken = [r.taken_at for r in ranking if r.taken_at is not None]
    return render(request, "statistics/province.html", {
        "cohort": cohort, "cohorts": cohorts, "rate_items": compute.RATE_ITEMS,
        "rows": _province_rows(ranking, cohort),
        "taken_from": min(taken) if taken else None, "taken_to": max(taken) if taken else None,
        "missing": sum(1 for r in ranking if r.taken_at is None), "totals": exports.province_totals(ranking),
        "chart": {"title": "各院校毕业去向落实率（%）", "labels": [r.school_name for r in ranking],
                  "values": [_number(r.rate) for r in ranking], "unit": "%"},
        "export_query": urlencode({"cohort": cohort}),
    })


def _xlsx_response(filename: str, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(*STAFF)
def export_view(request):
    """The current view's numbers as .xlsx: a dashboard's (overview + the chosen breakdown), or,
    for province staff without a school, the province ranking."""
    user = request.user
    if user.role == Role.PROVINCE_STAFF and not request.GET.get("school"):
        cohort, _ = province_cohort(user, request.GET)
        ranking = compute.province_ranking(actor=user, cohort=cohort)
        filename, content = exports.province_workbook(actor=user, cohort=cohort, ranking=ranking,
                                                      client_address=client_address(request))
        return _xlsx_response(filename, content)
    scope = dashboard_scope(user, request.GET)
    overview = compute.stats_overview(actor=user, **scope.compute_scope)
    breakdown = compute.stats_breakdown(actor=user, by=scope.by, **scope.compute_scope)
    filename, content = exports.dashboard_workbook(
        actor=user, school=scope.school, college=scope.college, by=scope.by, by_label=scope.dimensions[scope.by],
        overview=overview, breakdown=breakdown, client_address=client_address(request))
    return _xlsx_response(filename, content)


# --- 冻结报表: freeze a school's figures as of a date, and read them back ---------------------------

@require_POST
@role_required(*FREEZERS)
def freeze_view(request):
    from apps.statistics.services import stats_freeze

    user = request.user
    school = get_visible(School, user, pk=user.school_id)
    back = f"{reverse('staff-statistics')}?{urlencode({'cohort': request.POST.get('cohort', '')})}"
    try:
        cohort = _parse_cohort(request.POST.get("cohort"), school.current_cohort)
        as_of = _parse_date(request.POST.get("as_of"))
        report = stats_freeze(actor=user, school_id=school.pk, cohort=cohort, as_of=as_of,
                              client_address=client_address(request))
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, f"已冻结{cohort}届截至{as_of:%Y年%m月%d日}的统计报表。")
    return redirect("staff-statistics-frozen-detail", pk=report.pk)


def _parse_date(value) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError:
        raise DomainError("请填写统计截止日期（年-月-日）", fields={"as_of": "日期格式不正确"}) from None


@role_required(*FROZEN_READERS)
def frozen_list_view(request):
    from apps.statistics.selectors import frozen_reports

    school_id = int_or_none(request.GET.get("school")) if request.user.role == Role.PROVINCE_STAFF else None
    school = get_visible(School, request.user, pk=school_id) if school_id else None
    reports = frozen_reports(actor=request.user, school_id=school.pk if school else None)
    page = bounded_page(request, reports.select_related("school", "frozen_by").defer("figures"), per_page=30)
    rows = [{"report": r, "rate": exports.rate_of(r.placed, r.graduates)} for r in page.object_list]
    return render(request, "statistics/frozen_list.html", {
        "rows": rows, "page": page, "school": school,
        "querystring": querystring_without_page(request)})


def _frozen_report(request, pk: int):
    from apps.statistics.models import FrozenReport

    return get_visible(FrozenReport.objects.select_related("school", "frozen_by"), request.user, pk=pk)


@role_required(*FROZEN_READERS)
def frozen_detail_view(request, pk: int):
    report = _frozen_report(request, pk)
    view = exports.frozen_view(report)
    return render(request, "statistics/frozen_detail.html", {
        "report": report, "view": view, "rate_items": compute.RATE_ITEMS,
    })


@role_required(*FROZEN_READERS)
def frozen_export_view(request, pk: int):
    report = _frozen_report(request, pk)
    filename, content = exports.frozen_workbook(actor=request.user, report=report,
                                                client_address=client_address(request))
    return _xlsx_response(filename, content)
