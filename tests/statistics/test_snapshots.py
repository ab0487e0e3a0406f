"""每日快照: one row per school and day (a re-run overwrites), the trend read from them, the
province figures and ranking read from each school's latest row (a school without one live),
and a real snapshot process killed half-way whose re-run completes the day."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from apps.core import schedule
from apps.destinations.models import Destination
from apps.statistics.compute import province_ranking, stats_breakdown, stats_overview, stats_trend
from apps.statistics.models import StatsSnapshot
from apps.statistics.snapshots import stats_snapshot_all
from tests import factories as f

D = Decimal
TODAY = timezone.localdate()


def at(day, hour=9) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=hour))


def rows_of_day(day):
    return sorted(StatsSnapshot.objects.filter(day=day).values_list("school_id", flat=True))


@pytest.mark.django_db
def test_snapshot_holds_the_dashboard_figures_and_a_rerun_overwrites(cohort_world):
    w = cohort_world
    assert stats_snapshot_all(at(TODAY)) == 2
    snapshot = StatsSnapshot.objects.get(school=w.school, day=TODAY)
    assert (snapshot.cohort, snapshot.graduates, snapshot.placed, snapshot.unit, snapshot.pending_review) == (
        2027, 18, 8, 4, 3)
    assert (snapshot.online_signed, snapshot.origin_confirmed, snapshot.terminations) == (1, 3, 1)
    assert [r["label"] for r in snapshot.figures["breakdowns"]["college"]] == ["外国语学院", "计算机学院"]
    # a destination approved later the same day: the re-run overwrites the day's row
    Destination.objects.filter(graduate=w.g.a5).update(status="school_approved")
    assert stats_snapshot_all(at(TODAY, 18)) == 2
    assert rows_of_day(TODAY) == sorted([w.school.pk, w.other_school.pk])
    snapshot.refresh_from_db()
    assert (snapshot.placed, snapshot.pending_review) == (9, 2)


@pytest.mark.django_db
def test_trend_by_day_for_school_college_and_province(cohort_world):
    w = cohort_world
    yesterday = TODAY - timedelta(days=1)
    Destination.objects.filter(graduate__in=[w.g.a5, w.g.a6]).update(status="submitted")
    Destination.objects.filter(graduate=w.g.a1).update(status="submitted")
    stats_snapshot_all(at(yesterday))  # school: 7 of 18; 计算机学院: 3 of 10
    Destination.objects.filter(graduate=w.g.a1).update(status="school_approved")
    stats_snapshot_all(at(TODAY))  # school: 8 of 18; 计算机学院: 4 of 10
    school = stats_trend(actor=w.school_admin, cohort=2027)
    assert [(p.day, p.graduates, p.placed, p.rate) for p in school] == [
        (yesterday, 18, 7, D("38.89")), (TODAY, 18, 8, D("44.44"))]
    college = stats_trend(actor=w.college_admin, cohort=2027)
    assert [(p.day, p.graduates, p.placed, p.rate) for p in college] == [
        (yesterday, 10, 3, D("30.00")), (TODAY, 10, 4, D("40.00"))]
    assert stats_trend(actor=w.school_admin, cohort=2027, college_id=w.other_college.pk)[-1].placed == 4
    province = stats_trend(actor=w.province_admin, cohort=2027)  # + the other school's 1 of 1
    assert [(p.graduates, p.placed) for p in province] == [(19, 8), (19, 9)]
    assert stats_trend(actor=w.other_school_admin, cohort=2027)[-1].graduates == 1


@pytest.mark.django_db
def test_province_reads_the_latest_snapshots_and_computes_schools_without_one_live(cohort_world):
    w = cohort_world
    stats_snapshot_all(at(TODAY))
    # approved after the snapshot: the school's dashboard (live) sees it, the province not yet
    Destination.objects.filter(graduate=w.g.a5).update(status="school_approved")
    assert stats_overview(actor=w.school_admin, cohort=2027).total.placed == 9
    # the province: 8 from the school's snapshot + 1 from 江淮理工学院's snapshot
    assert stats_overview(actor=w.province_admin, cohort=2027).total.placed == 8 + 1
    # a school that has no snapshot yet is computed live
    new_school = f.make_school(name="皖南医学院", province=w.province)
    new_college = f.make_college(new_school, "临床医学院")
    for _ in range(3):
        f.make_graduate(college=new_college)
    ranks = province_ranking(actor=w.province_admin, cohort=2027)
    assert [(r.rank, r.school_name, r.graduates, r.placed, r.rate) for r in ranks] == [
        (1, "江淮理工学院", 1, 1, D("100.00")),
        (2, "安徽示例大学", 18, 8, D("44.44")),
        (3, "皖南医学院", 3, 0, D("0.00")),
    ]
    assert ranks[0].taken_at is not None and ranks[1].taken_at is not None
    overview = stats_overview(actor=w.province_admin, cohort=2027)
    assert (overview.total.graduates, overview.total.placed, overview.pending_review) == (22, 9, 3)
    categories = {r.key: r.graduates for r in stats_breakdown(actor=w.province_admin, cohort=2027, by="category")}
    assert categories["10"] == 2 and categories[""] == 6 + 3 and sum(categories.values()) == 22
    colleges = stats_breakdown(actor=w.province_admin, cohort=2027, by="college")
    assert {r.label: (r.graduates, r.placed) for r in colleges} == {
        "计算机学院": (10, 4), "外国语学院": (8, 4), "机械学院": (1, 1), "临床医学院": (3, 0)}


@pytest.mark.django_db
def test_equal_rates_share_a_rank(cohort_world):
    w = cohort_world
    third = f.make_school(name="皖西学院", province=w.province)
    graduate = f.make_graduate(college=f.make_college(third))
    Destination.objects.create(graduate=graduate, school=third, college=graduate.college, category_code="10",
                               status="school_approved")
    ranks = province_ranking(actor=w.province_admin, cohort=2027)
    assert [(r.rank, r.rate) for r in ranks] == [(1, D("100.00")), (1, D("100.00")), (3, D("44.44"))]


@pytest.mark.django_db
def test_province_figures_cost_the_same_for_more_schools(cohort_world, django_assert_max_num_queries):
    w = cohort_world
    stats_snapshot_all(at(TODAY))
    province_ranking(actor=w.province_admin, cohort=2027)  # warm the reference snapshot

    def read():
        province_ranking(actor=w.province_admin, cohort=2027)
        stats_overview(actor=w.province_admin, cohort=2027)
        stats_breakdown(actor=w.province_admin, cohort=2027, by="category")

    with django_assert_max_num_queries(20) as few:
        read()
    for n in range(6):
        school = f.make_school(province=w.province)
        f.make_graduate(college=f.make_college(school))
    stats_snapshot_all(at(TODAY))
    with django_assert_max_num_queries(len(few.captured_queries)):
        read()


@pytest.mark.django_db
def test_management_command_for_one_school(cohort_world):
    w = cohort_world
    out = __import__("io").StringIO()
    call_command("stats_snapshot", "--school", str(w.other_school.pk), stdout=out)
    assert "1 school snapshot" in out.getvalue()
    assert rows_of_day(TODAY) == [w.other_school.pk]
    call_command("stats_snapshot", "--missing", stdout=out)
    assert rows_of_day(TODAY) == sorted([w.school.pk, w.other_school.pk])


def test_the_scheduler_takes_the_snapshot_daily():
    assert {job.name: (job.every, job.command) for job in schedule.SCHEDULE}["stats_snapshot"] == (
        timedelta(days=1), "stats_snapshot")


@pytest.mark.django_db(transaction=True)
def test_a_snapshot_process_killed_half_way_is_completed_by_a_rerun(world):
    """A real `manage.py stats_snapshot` is SIGKILLed at its checkpoint, after the first
    school's transaction committed: that school has the day's row, the rest none; the re-run
    gives every school exactly one row for the day."""
    from tests.worker_harness import kill_command_at_checkpoint, prepare_database

    for n in range(2):  # four schools in all
        school = f.make_school(province=world.province)
        f.make_graduate(college=f.make_college(school))
    schools = sorted(world.province.schools.values_list("pk", flat=True))
    now = at(TODAY, 10)
    prepare_database()
    kill_command_at_checkpoint(["stats_snapshot", "--now", now.isoformat()], pause="statistics.snapshot")

    assert rows_of_day(TODAY) == schools[:1]  # the first school committed, nothing of the others
    assert stats_snapshot_all(now) == len(schools)
    assert stats_snapshot_all(now) == len(schools)
    assert rows_of_day(TODAY) == schools
    assert StatsSnapshot.objects.count() == len(schools)


@pytest.mark.django_db
def test_recoverer_completes_a_day_a_killed_run_left_half_done(cohort_world, settings):
    from apps.statistics.snapshots import recover_missing_snapshots, stats_snapshot_school

    w = cohort_world
    settings.JOB_LEASE_SECONDS = 600
    morning = at(TODAY, 2)
    assert recover_missing_snapshots(morning) == 0  # the day's run has not begun: nothing to recover
    stats_snapshot_school(w.school, now=morning)  # the run began, then died
    assert recover_missing_snapshots(morning + timedelta(minutes=5)) == 0  # perhaps still running
    assert recover_missing_snapshots(morning + timedelta(minutes=11)) == 1
    assert rows_of_day(TODAY) == sorted([w.school.pk, w.other_school.pk])
    assert recover_missing_snapshots(morning + timedelta(minutes=12)) == 0
