"""Reads of postings for their owners (employers) and their reviewers (staff). Graduates read
through apps/jobs/selectors.py (published only)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from apps.accounts.models import Role
from apps.accounts.scoping import get_visible, visible_to
from apps.jobs.models import Posting, PostingStatus

S = PostingStatus
ALL = "all"
PROVINCE = "province"
# staff never see an employer's drafts
STAFF_STATUSES = (S.PENDING, S.PUBLISHED, S.REJECTED, S.CLOSED)
LIST_COLUMNS = ("id", "title", "status", "closed_reason", "review_reason", "deadline", "submitted_at",
                "published_at", "view_count", "application_count", "channel_school_id", "channel_province_id",
                "employer_id", "salary_min", "salary_max", "channel_school__id", "channel_school__name")


def employer_postings(*, actor, status: str = "") -> QuerySet[Posting]:
    """单位的职位: newest first (index posting_employer_idx)."""
    qs = (visible_to(Posting, actor).select_related("employer", "channel_school")
          .only(*LIST_COLUMNS, "employer__id", "employer__name"))
    if status in S.values:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def employer_posting_get(*, actor, pk) -> Posting:
    return get_visible(Posting.objects.select_related("employer", "channel_school"), actor, pk=pk)


@dataclass(frozen=True)
class QueueFilters:
    status: str = S.PENDING
    channel: str = ""  # "province", a school id, or "all" (province staff); school staff: their school


def queue_filters(params) -> QueueFilters:
    status = str(params.get("status") or S.PENDING)
    if status not in STAFF_STATUSES and status != ALL:
        status = S.PENDING
    return QueueFilters(status=status, channel=str(params.get("channel") or ""))


def review_queue(*, actor, filters: QueueFilters) -> QuerySet[Posting]:
    """职位审核: 待审核 by default, oldest submission first. School staff see their school's
    channel; province staff the province channel by default (every channel of the province on
    request). Ordered by (status, submitted_at, id) after the channel: the queue indexes
    posting_school_queue_idx / posting_province_queue_idx."""
    qs = visible_to(Posting, actor).filter(status__in=STAFF_STATUSES)
    if actor.role == Role.PROVINCE_STAFF:
        channel = filters.channel or PROVINCE
        if channel == PROVINCE:
            qs = qs.filter(channel_school__isnull=True)
        elif channel.isdigit() and len(channel) <= 18:
            qs = qs.filter(channel_school_id=int(channel))
    if filters.status != ALL:
        qs = qs.filter(status=filters.status)
    return (qs.select_related("employer", "channel_school")
            .only(*LIST_COLUMNS, "employer__id", "employer__name")
            .order_by("status", "submitted_at", "id"))


def staff_posting_get(*, actor, pk) -> Posting:
    qs = Posting.objects.filter(status__in=STAFF_STATUSES).select_related("employer", "channel_school")
    return get_visible(qs, actor, pk=pk)
