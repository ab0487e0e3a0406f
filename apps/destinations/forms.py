"""Query-string parsing for the staff queue (page and API share it)."""

from __future__ import annotations

from datetime import date

from apps.core.pagination import int_or_none
from apps.destinations import presenters
from apps.destinations.models import DestinationStatus
from apps.destinations.selectors import QueueFilters


def date_or_none(value):
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


def queue_filters(actor, params) -> tuple[QueueFilters, str]:
    """Filters from a query string. The status defaults to what the reviewer acts on
    (college 待审核, school 初审通过); 'all' lists every status. Returns the filters and the
    effective status value ('all' or a status)."""
    status = params.get("status")
    if status is None or (status != "all" and status not in DestinationStatus.values):
        status = presenters.reviewable_status(actor) or "all"
    filters = QueueFilters(
        status="" if status == "all" else status,
        category_code=str(params.get("category") or "").strip()[:10],
        college_id=int_or_none(params.get("college")),
        major_id=int_or_none(params.get("major")),
        submitted_from=date_or_none(params.get("from")),
        submitted_to=date_or_none(params.get("to")),
        keyword=str(params.get("q") or "")[:50],
    )
    return filters, status
