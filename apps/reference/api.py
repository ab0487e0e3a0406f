"""Public reference data: code tables and administrative divisions (no login needed)."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from apps.core.errors import NotFound
from apps.reference import selectors

router = Router(tags=["代码表与行政区划"])

MAX_QUERY = 50


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(Schema):
    error: ErrorDetail


class CodeTableOut(Schema):
    slug: str
    name: str
    source: str
    entry_count: int
    loaded_at: datetime


class CodeEntryOut(Schema):
    code: str
    name: str
    scheme: str
    group: str
    parent_code: str
    status: str  # how far the code can be trusted: national, national-observed, anhui-local, local-unverified, or ""
    extra: dict[str, str]


class CodeTableDetailOut(Schema):
    slug: str
    name: str
    source: str
    entries: list[CodeEntryOut]


class DivisionOut(Schema):
    code: str
    name: str
    full_name: str
    level: int  # 1 province, 2 prefecture, 3 county; municipalities' districts are level 3 under the province
    kind: str
    parent_code: str | None
    is_county_level: bool


class DivisionChildOut(DivisionOut):
    has_children: bool


class DivisionDetailOut(DivisionOut):
    is_current: bool
    dataset_version: str
    ancestors: list[DivisionOut]  # province first, without the division itself


def _division(division) -> dict:
    return {
        "code": division.code, "name": division.name, "full_name": division.full_name, "level": division.level,
        "kind": division.kind, "parent_code": division.parent_id, "is_county_level": division.is_county_level,
    }


NOT_FOUND = {404: ErrorOut}


@router.get("/tables", response=list[CodeTableOut], summary="代码表列表（含有效条目数）")
def list_tables(request):
    return [
        {"slug": t.slug, "name": t.name, "source": t.source, "entry_count": t.active_count, "loaded_at": t.loaded_at}
        for t in selectors.code_tables_with_counts()
    ]


@router.get("/tables/{slug}", response={200: CodeTableDetailOut, **NOT_FOUND}, summary="一个代码表的有效条目")
def get_table(request, slug: str, q: str = "", scheme: str | None = None, group: str = ""):
    """`q` matches a name or a code prefix; `scheme` selects one scheme (学历层次 has two,
    `employment-xldm` and `anhui`; omitted = all); `group` a 大类 (毕业去向: 就业/升学/未就业)."""
    table = selectors.code_table_get(slug)
    if table is None:
        raise NotFound("代码表不存在")
    entries = selectors.code_table_entries(table, scheme=scheme, keyword=q[:MAX_QUERY], group=group)
    return {
        "slug": table.slug, "name": table.name, "source": table.source,
        "entries": [
            {"code": e.code, "name": e.name, "scheme": e.scheme, "group": e.group, "parent_code": e.parent_code,
             "status": e.status, "extra": {k: str(v) for k, v in e.extra.items()}}
            for e in entries
        ],
    }


@router.get("/divisions", response={200: list[DivisionChildOut], **NOT_FOUND}, summary="下级行政区划（省 → 市 → 区县）")
def list_divisions(request, parent: str = ""):
    """Without `parent`: the provinces. With it (340000, or the short form 34 / 3401): its
    current children. A municipality (北京 110000, 重庆 500000) lists its districts directly."""
    parent_code = ""
    if parent:
        division = selectors.division_get(parent[:MAX_QUERY])
        if division is None:
            raise NotFound("行政区划代码不存在")
        parent_code = division.code
    return [{**_division(d), "has_children": d.has_children} for d in selectors.division_options(parent_code or None)]


@router.get("/divisions/search", response=list[DivisionOut], summary="搜索行政区划（名称或代码前缀）")
def search_divisions(request, q: str = "", county_only: bool = True, limit: int = 30):
    """`q`: name words (蜀山, 合肥 蜀山) or a code prefix (3401). `county_only` (default
    true) keeps only what a 生源所在地 or unit location may be: county-level divisions."""
    limit = max(1, min(limit, 100))
    return [_division(d) for d in selectors.divisions_find(q[:MAX_QUERY], county_only=county_only, limit=limit)]


@router.get("/divisions/{code}", response={200: DivisionDetailOut, **NOT_FOUND}, summary="一个行政区划及其上级")
def get_division(request, code: str):
    """Also answers for withdrawn codes (`is_current` false), which old records may hold."""
    division = selectors.division_get(code[:MAX_QUERY])
    if division is None:
        raise NotFound("行政区划代码不存在")
    return {
        **_division(division), "is_current": division.is_current, "dataset_version": division.dataset_version,
        "ancestors": [_division(d) for d in selectors.division_path(division)[:-1]],
    }
