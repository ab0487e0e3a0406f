from __future__ import annotations

from django.db.models import Q, QuerySet

from apps.core.text import normalise
from apps.organisations.models import School


def schools_search(*, keyword: str, limit: int = 20) -> QuerySet[School]:
    """院校名称关键字 search for the login page (public: school names are public facts)."""
    keyword = normalise(keyword)
    qs = School.objects.filter(is_active=True)
    if not keyword:
        return qs.none()
    return qs.filter(Q(name__icontains=keyword) | Q(short_name__icontains=keyword) | Q(code=keyword))[:limit]
