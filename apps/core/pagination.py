from __future__ import annotations

from django.core.paginator import Paginator


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
    """A filter id from a query string; anything else means "no filter"."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def api_page_bounds(page: int, page_size: int, maximum: int = 100) -> tuple[int, int, int]:
    """(page, page_size, offset) clamped for API list endpoints."""
    page, page_size = max(page, 1), max(1, min(page_size, maximum))
    return page, page_size, (page - 1) * page_size
