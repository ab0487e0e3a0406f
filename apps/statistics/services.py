"""冻结报表: a school records its figures under a label date (e.g. 8月31日). The figures are
computed at the moment of freezing — the platform keeps no back-dated states, so `as_of`
names the report, it does not rewind the data (docs/statistics.md)."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.accounts.permissions import SCHOOL_STAFF, require_role
from apps.accounts.scoping import get_visible
from apps.audit.services import audit_record
from apps.core.errors import DomainError
from apps.organisations.models import School
from apps.statistics import compute
from apps.statistics.models import FrozenReport
from apps.statistics.snapshots import school_figures

ALREADY_FROZEN = "该届别在此截止日期的报表已冻结，冻结后的报表不能修改"


def _as_of(value) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        raise DomainError("截止日期格式应为 年-月-日，例如 2027-08-31", fields={"as_of": "日期格式不正确"}) from None


def stats_freeze(*, actor, school_id, cohort, as_of, client_address: str = "") -> FrozenReport:
    """Freeze the school's figures of `cohort` under the date `as_of` (school staff of that
    school only). Refused: a date in the future, a date already frozen for the cohort."""
    require_role(actor, SCHOOL_STAFF)
    school = get_visible(School, actor, pk=compute._id(school_id))
    as_of = _as_of(as_of)
    scope = compute.StatsScope(actor, school, None, school.name)
    cohort = compute._cohort(scope, cohort)
    today = timezone.localdate()
    if as_of > today:
        raise DomainError(f"截止日期 {as_of:%Y-%m-%d} 尚未到来，只能冻结今天（{today:%Y-%m-%d}）或之前的日期",
                          fields={"as_of": "截止日期不能晚于今天"})
    if FrozenReport.objects.filter(school=school, cohort=cohort, as_of=as_of).exists():
        raise DomainError(ALREADY_FROZEN, fields={"as_of": "该日期已冻结"})
    try:
        with transaction.atomic():
            figures = school_figures(school, cohort)
            now = timezone.now()
            report = FrozenReport.objects.create(
                school=school, cohort=cohort, as_of=as_of, frozen_by=actor, frozen_at=now, figures=figures,
                **compute.figure_columns(figures))
            total = compute.overview_from_figures(figures).total
            audit_record(actor=actor, action="statistics.freeze", target=report, school_id=school.pk,
                         summary=(f"冻结{cohort}届就业统计报表（截至{as_of:%Y-%m-%d}）：毕业生{total.graduates}人，"
                                  f"落实{total.placed}人，毕业去向落实率{total.rate}%"),
                         client_address=client_address)
    except IntegrityError:  # a parallel freeze of the same date won the unique constraint
        raise DomainError(ALREADY_FROZEN, fields={"as_of": "该日期已冻结"}) from None
    return report
