"""The effective per-school dates and limits, with the handbook's defaults:
signing and termination open on 1 September of the graduating academic year (the
September before the cohort's June), destination changes close on 31 August of the
cohort year (教学厅〔2023〕5号), invitations last 7 days, at most 3 terminations.

The stored row (学校设置, SchoolPolicy) is read at most once per school per request: the
destination page and its API ask for the policy from three presenters/guards (issue 9: three
identical queries per request). The memo lives only between request_started and
request_finished (signals connected in apps.py), so another process's change is seen by the
next request; a save or delete of a SchoolPolicy in this process empties the memo and turns
it off for the rest of that request, so a request that writes the policy (and may roll back)
always reads the database. Outside a request (shell, jobs, commands) every call reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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


class _Memo:
    """Stored policies by school id (None = no row) for one request."""

    __slots__ = ("rows", "enabled")

    def __init__(self) -> None:
        self.rows: dict[int, SchoolPolicy | None] = {}
        self.enabled = True


_MEMO: ContextVar[_Memo | None] = ContextVar("school_policy_memo", default=None)


@contextmanager
def policy_scope() -> Iterator[None]:
    """Read each school's stored policy at most once inside the block (a request, a job)."""
    token = _MEMO.set(_Memo())
    try:
        yield
    finally:
        _MEMO.reset(token)


def request_started(**kwargs) -> None:
    _MEMO.set(_Memo())


def request_finished(**kwargs) -> None:
    _MEMO.set(None)


def forget_policy(sender, instance: SchoolPolicy, **kwargs) -> None:
    """post_save / post_delete of a SchoolPolicy: the memo of this request is no longer
    trusted (the write may still roll back), so it reads the database from now on."""
    memo = _MEMO.get()
    if memo is not None:
        memo.rows.clear()
        memo.enabled = False


def stored_policy(school_id: int) -> SchoolPolicy | None:
    memo = _MEMO.get()
    if memo is None or not memo.enabled:
        return SchoolPolicy.objects.filter(school_id=school_id).first()
    if school_id not in memo.rows:
        memo.rows[school_id] = SchoolPolicy.objects.filter(school_id=school_id).first()
    return memo.rows[school_id]


def policy_for(school: School, cohort: int | None = None) -> EffectivePolicy:
    cohort = cohort or school.current_cohort
    stored = stored_policy(school.pk)
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
