"""Background work of postings: the hourly expiry sweep (apps/core/schedule.py runs the
management command expire_postings, which calls this)."""

from __future__ import annotations

from apps.jobs.services_postings import postings_expire


def expire_postings() -> int:
    """Published postings past their deadline → 已下线 (已过截止日期). Idempotent."""
    return postings_expire()
