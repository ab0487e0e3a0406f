"""The effective per-school dates and limits, with the handbook's defaults:
signing and termination open on 1 September of the graduating academic year (the
September before the cohort's June), destination changes close on 31 August of the
cohort year (教学厅〔2023〕5号), invitations last 7 days, at most 3 terminations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from apps.organisations.models import School, SchoolPolicy


@dataclass(frozen=True)
class EffectivePolicy:
    signing_opens_on: date
    termination_opens_on: date
    invitation_validity_days: int
    max_terminations: int
    destination_cutoff_on: date


def policy_for(school: School, cohort: int | None = None) -> EffectivePolicy:
    cohort = cohort or school.current_cohort
    stored = SchoolPolicy.objects.filter(school=school).first()
    # stored dates are set for the cohort the school is working on; earlier cohorts keep
    # the defaults of their own year
    dates = stored if stored is not None and cohort == school.current_cohort else None
    academic_start = date(cohort - 1, 9, 1)
    return EffectivePolicy(
        signing_opens_on=(dates and dates.signing_opens_on) or academic_start,
        termination_opens_on=(dates and dates.termination_opens_on) or academic_start,
        invitation_validity_days=stored.invitation_validity_days if stored else 7,
        max_terminations=stored.max_terminations if stored else 3,
        destination_cutoff_on=(dates and dates.destination_cutoff_on) or date(cohort, 8, 31),
    )
