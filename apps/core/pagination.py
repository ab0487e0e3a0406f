from __future__ import annotations

from django.core.paginator import Paginator


def paginate(request, queryset, per_page: int = 20):
    """Page object for templates; bad page numbers fall back to the nearest page."""
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))
