from __future__ import annotations

from typing import Annotated

from django.core.paginator import Paginator
from ninja import Query
from pydantic import Field


def paginate(request, queryset, per_page: int = 20):
    """Page object for templates; bad page numbers fall back to the nearest page."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


def querystring_without_page(request) -> str:
    """The list's current filters, for the pagination links."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def int_or_none(value) -> int | None:
    """A filter id from a query string; anything else — including a number no database column
    can hold (college=10**25 would overflow the query: a 500) — means "no filter"."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) <= MAX_ID else None


# --- bounded query parameters of the JSON API ---------------------------------------------------
# Every integer a client puts in a query string is bounded here, so an absurd value (page=10**25)
# is refused up front as a 422 in the one error shape instead of overflowing the database's
# OFFSET or integer columns (a 500). The bounds are published in the OpenAPI document.

MAX_PAGE = 100_000
MAX_PAGE_SIZE = 100
MAX_ID = 2**63 - 1  # the largest primary key of a BigAutoField

PageNumber = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"页码，从1开始（不超过{MAX_PAGE}）")]
PageSize = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"每页条数（1–{MAX_PAGE_SIZE}）")]
OptionalId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="按编号筛选（省略为不筛选）")]
OptionalCohort = Annotated[int | None, Query(ge=2000, le=2100, description="届别（毕业年份，如2026）")]
# the same bounds for integers in request bodies (an id list reaches a pk__in lookup unguarded)
BodyId = Annotated[int, Field(ge=1, le=MAX_ID)]
BodyCohort = Annotated[int, Field(ge=2000, le=2100)]


def api_page_bounds(page: int, page_size: int, maximum: int = MAX_PAGE_SIZE) -> tuple[int, int, int]:
    """(page, page_size, offset) for API list endpoints; the parameters are already bounded by
    `PageNumber` / `PageSize`, the clamp keeps direct callers safe too."""
    page, page_size = max(1, min(page, MAX_PAGE)), max(1, min(page_size, maximum))
    return page, page_size, (page - 1) * page_size
