"""Permission-matrix entries for the back office (statistics) pages and API (see
permission_expectations.py).

The figures are scoped like the graduates behind them: any staff member reads their own scope;
asked for the owner's college, the owner's college staff, school staff and the province answer,
another college's or school's staff get 404. The province ranking is the province's; frozen
reports (冻结报表) belong to the school's staff and the province; any school's staff may freeze
their own school (the matrix only sends the write as the other personas)."""

from __future__ import annotations

from tests.security.permission_expectations import OWNER_STAFF, SCHOOL_ADMINS, STAFF, Page, _p

# --- PAGES: entries of the statistics pages (the pages helper appends them here) ---------------
PAGES: dict = {
    # the dashboard of the owner's school and college: college staff are pinned to their own
    # college (200 with it), another school's staff get 404; the export is the same view as .xlsx
    "staff-statistics": Page(STAFF - {"other_school_staff"}, query={"school": "school", "college": "college"}),
    "staff-statistics-export": Page(STAFF - {"other_school_staff"}, query={"school": "school", "college": "college"}),
    "staff-statistics-province": Page(frozenset({"province_staff"})),
    "staff-statistics-freeze": Page(SCHOOL_ADMINS, post_only=True),
    # frozen reports hold every college of a school: school staff (their own list) and the province
    "staff-statistics-frozen": Page(SCHOOL_ADMINS | {"province_staff"}),
    "staff-statistics-frozen-detail": Page(frozenset({"school_staff", "province_staff"}), {"pk": "frozen_report"}),
    "staff-statistics-frozen-export": Page(frozenset({"school_staff", "province_staff"}), {"pk": "frozen_report"}),
}
# --- end of PAGES ------------------------------------------------------------------------------

_SCHOOL_FIGURES = frozenset({"school_staff", "province_staff"})

API: dict = {
    "apps_statistics_api_stats_overview": _p(OWNER_STAFF, query={"college_id": "college"}),
    "apps_statistics_api_stats_breakdown": _p(OWNER_STAFF, query={"by": "=gender", "college_id": "college"}),
    "apps_statistics_api_stats_trend": _p(OWNER_STAFF, query={"college_id": "college"}),
    "apps_statistics_api_stats_province": _p({"province_staff"}),
    "apps_statistics_api_stats_frozen_list": _p(_SCHOOL_FIGURES, query={"school_id": "school"}),
    "apps_statistics_api_stats_frozen_detail": _p(_SCHOOL_FIGURES, {"report_id": "frozen_report"}),
    "apps_statistics_api_stats_freeze": _p(SCHOOL_ADMINS),
}


def build(w, users) -> None:
    """A daily snapshot and a frozen report of the owner's school."""
    from django.utils import timezone

    from apps.statistics.services import stats_freeze
    from apps.statistics.snapshots import stats_snapshot_school

    school = w.objects.school
    stats_snapshot_school(school)
    report = stats_freeze(actor=users["school_staff"], school_id=school.pk, cohort=school.current_cohort,
                          as_of=timezone.localdate())
    w.ids.frozen_report = report.pk
