"""Staff lists at provincial scale: a bounded page, a bounded count and keyword search as separate
indexed lookups (issue 9).

Why not Django's Paginator for staff lists: it runs ``COUNT(*)`` over every matching row on every
view and lets a client ask for page 100,000 (OFFSET 3,000,000). With 500,000 graduates both grow
with the province, not with the page. Here:

* the page is read with ``LIMIT per_page + 1`` (the extra row says whether a next page exists);
* the page number is bounded (``LIST_MAX_PAGE``); beyond it the person is asked to filter — a list
  nobody reads past page 200 need not be served from OFFSET 6,000,000;
* the count is bounded too: ``COUNT(*)`` over at most ``LIST_COUNT_CAP + 1`` rows (a subquery with
  LIMIT), shown as 「共 N 条」 or 「超过 N 条」;
* a keyword (name prefix OR exact student number …) is NOT one ``a = q OR b LIKE 'q%'`` predicate
  (which defeats both indexes on PostgreSQL and SQLite): each alternative is its own indexed
  lookup, bounded, and the list is filtered by the primary keys found.

Every staff list (and its JSON twin) uses ``bounded_page`` / ``bounded_api_page`` and
``keyword_pks``; the list's ORDER BY must match an index that starts with the list's scope
filter (school / college) so the LIMIT stops early.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connections
from django.db.models import QuerySet

LIST_MAX_PAGE = 200  # 200 × 30 rows: deeper than anyone reads; filters narrow further
LIST_COUNT_CAP = 10_000  # 「超过 10000 条」 beyond this
KEYWORD_MATCH_CAP = 2_000  # rows one keyword alternative may contribute


def list_max_page() -> int:
    return int(getattr(settings, "LIST_MAX_PAGE", LIST_MAX_PAGE))


def list_count_cap() -> int:
    return int(getattr(settings, "LIST_COUNT_CAP", LIST_COUNT_CAP))


@dataclass
class ListPage:
    """One page of a staff list; the template partial ``_list_pagination.html`` renders it."""

    object_list: list
    number: int
    per_page: int
    has_next: bool
    total: int  # exact when not ``total_capped``, else the cap
    total_capped: bool
    max_page: int
    clamped: bool = False  # the asked-for page was past ``max_page``
    extra: dict = field(default_factory=dict)

    def __iter__(self) -> Iterator:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def count_label(self) -> str:
        return f"超过 {self.total} 条" if self.total_capped else f"共 {self.total} 条"

    @property
    def limit_note(self) -> str:
        """What a person reads at the last page we serve (Chinese; empty otherwise)."""
        if self.number >= self.max_page and (self.has_next or self.clamped):
            return f"列表最多显示前 {self.max_page} 页，请使用筛选条件缩小范围。"
        return ""


def clamp_page_number(raw, max_page: int) -> tuple[int, bool]:
    """A page number from a query string: 1 for anything unreadable, at most `max_page`
    (True when it was clamped)."""
    try:
        number = int(str(raw).strip())
    except (TypeError, ValueError):
        return 1, False
    if number < 1:
        return 1, False
    if number > max_page:
        return max_page, True
    return number, False


def bounded_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, bool]:
    """(count, capped): ``COUNT(*)`` over at most ``cap + 1`` rows of the (unordered) queryset."""
    cap = list_count_cap() if cap is None else cap
    n = queryset.order_by()[: cap + 1].count()
    return (cap, True) if n > cap else (n, False)


def read_page(queryset: QuerySet, *, number: int, per_page: int, max_page: int, clamped: bool = False,
              count: bool = True, count_cap: int | None = None) -> ListPage:
    start = (number - 1) * per_page
    rows = _deferred_join(queryset, start, per_page + 1) if start else list(queryset[start : start + per_page + 1])
    has_next = len(rows) > per_page
    rows = rows[:per_page]
    if number == 1 and not has_next:
        total, capped = len(rows), False  # the whole list is on this page: no COUNT needed
    elif count:
        total, capped = bounded_count(queryset, count_cap)
    else:
        total, capped = start + len(rows), has_next
    return ListPage(object_list=rows, number=number, per_page=per_page, has_next=has_next, total=total,
                    total_capped=capped, max_page=max_page, clamped=clamped)


def _deferred_join(queryset: QuerySet, start: int, limit: int) -> list:
    """A page past the first: the OFFSET is walked on the primary keys alone (the order's index,
    no joined rows, no wide columns), then the page's rows are read by primary key. With
    ``select_related`` the plain OFFSET builds every skipped row's joins — page 200 of a
    province list joined 6,000 graduates to throw them away (measured 251 → 49 ms on the
    500,000 set). Grouped or ``values()`` querysets are read as they are."""
    from django.db.models.query import ModelIterable

    if (not isinstance(queryset, QuerySet) or queryset._iterable_class is not ModelIterable
            or queryset.query.group_by is not None or queryset.query.distinct):  # a list, grouped, values()
        return list(queryset[start : start + limit])
    pks = list(queryset.values_list("pk", flat=True)[start : start + limit])
    if not pks:
        return []
    found = {row.pk: row for row in queryset.order_by().filter(pk__in=pks)}
    return [found[pk] for pk in pks if pk in found]


def bounded_page(request, queryset: QuerySet, *, per_page: int = 30, count: bool = True,
                 count_cap: int | None = None) -> ListPage:
    """The page ``?page=N`` of a staff list (N bounded by ``LIST_MAX_PAGE``; junk means page 1)."""
    max_page = list_max_page()
    number, clamped = clamp_page_number(request.GET.get("page"), max_page)
    return read_page(queryset, number=number, per_page=per_page, max_page=max_page, clamped=clamped,
                     count=count, count_cap=count_cap)


def bounded_api_page(queryset: QuerySet, *, page: int, page_size: int, count: bool = True,
                     count_cap: int | None = None) -> ListPage:
    """The JSON twin: ``page`` past ``LIST_MAX_PAGE`` answers the last served page's position with
    no items and ``has_next`` false (a client walking pages stops), never a deep OFFSET."""
    max_page = list_max_page()
    if page > max_page:
        total, capped = bounded_count(queryset, count_cap) if count else (0, True)
        return ListPage(object_list=[], number=page, per_page=page_size, has_next=False, total=total,
                        total_capped=capped, max_page=max_page, clamped=True)
    return read_page(queryset, number=max(1, page), per_page=page_size, max_page=max_page, count=count,
                     count_cap=count_cap)


def keyword_pks(queryset: QuerySet, keyword: str, *, exact: Sequence[str] = (), prefix: Sequence[str] = (),
                cap: int = KEYWORD_MATCH_CAP) -> list:
    """Primary keys of rows in ``queryset`` where any ``exact`` field equals the keyword or any
    ``prefix`` field starts with it — one bounded, separately indexed lookup per alternative, so
    each can use its own (scope, field) index; callers filter with ``pk__in``. At most ``cap``
    rows per alternative (a one-character name prefix in a province would match 100,000)."""
    found: dict = {}
    base = queryset.order_by()
    lookups: Iterable[tuple[str, str]] = [(f, "exact") for f in exact] + [(f, "startswith") for f in prefix]
    for field_name, lookup in lookups:
        condition = {f"{field_name}__{lookup}": keyword}
        if lookup == "startswith" and queryset.db and connections[queryset.db].vendor == "sqlite":
            # SQLite serves LIKE 'q%' from an index only for NOCASE columns; the same prefix as
            # a range (binary order = code point order) is an index range. PostgreSQL uses a
            # pattern-ops index for the LIKE itself (a range there would follow the collation).
            condition.update({f"{field_name}__gte": keyword, f"{field_name}__lt": keyword + _AFTER_ALL})
        for pk in base.filter(**condition).values_list("pk", flat=True)[:cap]:
            found[pk] = None
    return list(found)


_AFTER_ALL = chr(0x10FFFF)  # sorts after every character a name can hold


def province_first(actor, *order: str) -> tuple[str, ...]:
    """The ORDER BY of a staff list for this actor. 省级 lists go school by school: the province
    scope is a join (school → province), so no index of a school-scoped table starts with it;
    leading with ``school_id`` lets the list's (school, …, order) index serve the order across the
    province's schools instead of sorting the whole province for every page. The school column
    takes the direction of the order's first column (one index scan direction)."""
    if getattr(actor, "role", "") != "province_staff":
        return tuple(order)
    return ("-school_id" if order[0].startswith("-") else "school_id", *order)
