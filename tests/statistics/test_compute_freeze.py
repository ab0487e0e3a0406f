"""冻结报表: a school's staff freeze the figures under a date; the report keeps them whatever
happens afterwards; refusals in Chinese; an audit entry."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.destinations.models import Destination
from apps.statistics.models import FrozenReport
from apps.statistics.selectors import frozen_breakdown, frozen_overview, frozen_report_get, frozen_reports
from apps.statistics.services import stats_freeze

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_freeze_keeps_the_figures_of_the_moment(cohort_world):
    w = cohort_world
    report = stats_freeze(actor=w.school_admin, school_id=w.school.pk, cohort=2027, as_of=TODAY)
    assert (report.graduates, report.placed, report.unit, report.further_study, report.pending_review) == (
        18, 8, 4, 2, 3)
    assert report.frozen_by == w.school_admin
    entry = AuditEntry.objects.get(action="statistics.freeze")
    assert "落实率44.44%" in entry.summary and entry.school_id == w.school.pk
    # later approvals change the live figures, never the frozen report
    Destination.objects.filter(graduate__in=[w.g.a5, w.g.a6]).update(status="school_approved")
    kept = frozen_report_get(actor=w.school_admin, report_id=report.pk)
    overview = frozen_overview(kept)
    assert (overview.total.placed, overview.total.rate, overview.pending_review) == (8, Decimal("44.44"), 3)
    assert [(r.label, r.placed) for r in frozen_breakdown(kept, "college")] == [("外国语学院", 4), ("计算机学院", 4)]
    assert sum(r.graduates for r in frozen_breakdown(kept, "category")) == 18


def test_freeze_refusals(cohort_world):
    w = cohort_world
    with pytest.raises(DomainError, match="尚未到来"):
        stats_freeze(actor=w.school_admin, school_id=w.school.pk, cohort=2027, as_of=TODAY + timedelta(days=1))
    stats_freeze(actor=w.school_admin, school_id=w.school.pk, cohort=2027, as_of="2026-08-31")
    with pytest.raises(DomainError, match="已冻结"):
        stats_freeze(actor=w.school_admin, school_id=w.school.pk, cohort=2027, as_of=date(2026, 8, 31))
    with pytest.raises(DomainError, match="日期格式"):
        stats_freeze(actor=w.school_admin, school_id=w.school.pk, cohort=2027, as_of="8月31日")
    with pytest.raises(NotFound):  # another school's
        stats_freeze(actor=w.other_school_admin, school_id=w.school.pk, cohort=2027, as_of=TODAY)
    for actor in (w.college_admin, w.province_admin, w.graduate_user, w.employer_user):
        with pytest.raises(Forbidden):
            stats_freeze(actor=actor, school_id=w.school.pk, cohort=2027, as_of=TODAY)
    assert FrozenReport.objects.count() == 1
    assert AuditEntry.objects.filter(action="statistics.freeze").count() == 1


def test_who_reads_frozen_reports(cohort_world):
    w = cohort_world
    report = stats_freeze(actor=w.school_admin, school_id=w.school.pk, cohort=2027, as_of=TODAY)
    assert list(frozen_reports(actor=w.school_admin)) == [report]
    assert list(frozen_reports(actor=w.province_admin, school_id=w.school.pk)) == [report]
    assert list(frozen_reports(actor=w.other_school_admin)) == []
    with pytest.raises(NotFound):
        frozen_report_get(actor=w.other_school_admin, report_id=report.pk)
    with pytest.raises(NotFound):
        frozen_reports(actor=w.other_school_admin, school_id=w.school.pk)
    with pytest.raises(Forbidden):
        frozen_reports(actor=w.college_admin)
