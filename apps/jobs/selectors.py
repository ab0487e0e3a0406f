"""Reads of postings. Every list a graduate sees starts from `postings_open_to(graduate)`:
published, before its deadline, its employer verified (a suspended employer's postings vanish
at once, with no job in between), in a channel the graduate may see (their school's, or their
province's)."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils import timezone

from apps.jobs.models import Posting, PostingStatus
from apps.organisations.models import EmployerStatus


def today() -> date:
    return timezone.localdate()


def open_postings(*, on: date | None = None) -> QuerySet[Posting]:
    """Published, not past the deadline, employer verified: in every channel."""
    return Posting.objects.filter(status=PostingStatus.PUBLISHED, deadline__gte=on or today(),
                                  employer__status=EmployerStatus.VERIFIED)


def channel_q(graduate, prefix: str = "") -> Q:
    """The channels a graduate sees: their school's and their province's."""
    school = graduate.school
    # channel_province is set on school-channel postings too (the school's province), so both
    # branches lead with it and the (status, channel_province, channel_school, …) index serves them
    return Q(**{f"{prefix}channel_province_id": school.province_id}) & (
        Q(**{f"{prefix}channel_school_id": school.pk}) | Q(**{f"{prefix}channel_school__isnull": True}))


def postings_open_to(graduate, *, on: date | None = None) -> QuerySet[Posting]:
    return open_postings(on=on).filter(channel_q(graduate))


def posting_is_open_to(posting: Posting, graduate, *, on: date | None = None) -> bool:
    return postings_open_to(graduate, on=on).filter(pk=posting.pk).exists()
