"""每日快照: each school's figures for its current cohort, once a day (the trend line and the
province ranking read them).

`stats_snapshot_all` takes the schools one at a time, each in its own transaction, and
overwrites that school's row of the day (unique school + cohort + day): a run killed half-way
leaves the schools it finished and nothing of the one it was on, and running it again (the
next scheduled run, or `manage.py stats_snapshot` by hand) completes the day with one row per
school. Until then the province figures compute the schools without a snapshot live
(selectors.py), so nothing is missing from them."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from apps.accounts.models import Role
from apps.core.jobs import checkpoint, lease_seconds
from apps.organisations.models import School
from apps.statistics import compute
from apps.statistics.models import StatsSnapshot

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SchoolReader:
    """The job reads a school exactly as its school staff would (through visible_to), so the
    snapshot holds the same numbers as the school's dashboard."""

    school_id: int
    role: str = Role.SCHOOL_STAFF
    college_id: None = None
    province_id: None = None
    graduate_id: None = None
    employer_id: None = None
    is_authenticated: bool = True
    is_active: bool = True


def school_figures(school: School, cohort: int) -> dict:
    scope = compute.StatsScope(SchoolReader(school.pk), school, None, school.name)
    return compute.figures_compute(scope, cohort)


def stats_snapshot_school(school: School, *, now: datetime | None = None) -> StatsSnapshot:
    now = now or timezone.now()
    with transaction.atomic():
        figures = school_figures(school, school.current_cohort)
        snapshot, _ = StatsSnapshot.objects.update_or_create(
            school=school, cohort=school.current_cohort, day=timezone.localdate(now),
            defaults={"taken_at": now, "figures": figures, **compute.figure_columns(figures)})
    return snapshot


def stats_snapshot_all(now: datetime | None = None, *, school_ids: list[int] | None = None,
                       missing_only: bool = False) -> int:
    """Snapshot every school (or those given); returns how many rows were written.
    `missing_only` skips schools that already have the day's row (completing a killed run)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    # every school, switched off or not: the province figures read a snapshot of each
    schools = School.objects.order_by("pk")
    if school_ids:
        schools = schools.filter(pk__in=school_ids)
    written = 0
    for school in schools.only("pk", "name", "current_cohort"):
        if missing_only and StatsSnapshot.objects.filter(school=school, cohort=school.current_cohort, day=day).exists():
            continue
        try:
            stats_snapshot_school(school, now=now)
        except Exception:  # one school's failure must not cost the others their day
            logger.exception("statistics snapshot failed for school %s", school.pk)
            continue
        written += 1
        checkpoint("statistics.snapshot")  # tests kill the process here: one school committed, the rest not
    return written


def recover_missing_snapshots(now: datetime | None = None) -> int:
    """A recoverer (`fn(now=None) -> int`, for apps.core.jobs.RECOVERERS): when the day's run
    began (some school has today's row) more than a lease ago and schools still lack theirs,
    the run was killed — take the missing ones. Returns how many rows it wrote."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    started = StatsSnapshot.objects.filter(day=day).aggregate(first=Min("taken_at"))["first"]
    if started is None or now - started < timedelta(seconds=lease_seconds()):
        return 0  # not begun today (the schedule will run it), or possibly still running
    return stats_snapshot_all(now, missing_only=True)
