"""Read side of the code tables and divisions. Labels are cached per process and
invalidated whenever a table is (re)loaded."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Q, QuerySet

from apps.core.text import normalise
from apps.reference.models import CodeEntry, Division

_LOCAL: dict[str, dict[str, str]] = {}


def _version() -> int:
    return cache.get_or_set("reference:version", 1, None)


def bump_version() -> None:
    try:
        cache.incr("reference:version")
    except ValueError:
        cache.set("reference:version", 2, None)
    _LOCAL.clear()


def code_labels(table: str, scheme: str = "") -> dict[str, str]:
    key = f"{table}:{scheme}:{_version()}"
    if key not in _LOCAL:
        _LOCAL[key] = dict(
            CodeEntry.objects.filter(table__slug=table, scheme=scheme, is_active=True).values_list("code", "name")
        )
    return _LOCAL[key]


def code_label(table: str, code: str | None, scheme: str = "") -> str:
    if not code:
        return ""
    return code_labels(table, scheme).get(code, code)


def code_entries(table: str, *, scheme: str = "", keyword: str = "", group: str = "") -> QuerySet[CodeEntry]:
    qs = CodeEntry.objects.filter(table__slug=table, scheme=scheme, is_active=True)
    if group:
        qs = qs.filter(group=group)
    keyword = normalise(keyword)
    if keyword:
        qs = qs.filter(Q(name__icontains=keyword) | Q(code__startswith=keyword))
    return qs.order_by("sort_order")


def division_children(parent_code: str | None) -> QuerySet[Division]:
    qs = Division.objects.filter(is_current=True)
    if parent_code:
        return qs.filter(parent_id=parent_code)
    return qs.filter(parent__isnull=True)


def divisions_search(keyword: str, *, county_only: bool = False, limit: int = 30) -> QuerySet[Division]:
    keyword = normalise(keyword)
    qs = Division.objects.filter(is_current=True)
    if county_only:
        qs = qs.filter(is_county_level=True)
    if not keyword:
        return qs.none()
    if keyword.isdigit():
        return qs.filter(code__startswith=keyword)[:limit]
    return qs.filter(Q(full_name__contains=keyword) | Q(name__contains=keyword))[:limit]


def county_division(code: str | None) -> Division | None:
    """The current county-level division with this code, or None."""
    if not code:
        return None
    return Division.objects.filter(code=code, is_county_level=True, is_current=True).first()
