"""Reusable pickers for forms.

    {% load reference_tags %}
    {% division_picker "origin_division" value=obj.origin_division_id %}
    {% code_picker "ethnicity_code" table="ethnicity" value=obj.ethnicity_code %}

Each submits one field under the name given. Element ids are prefixed with that name, so
several pickers can share a page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from apps.reference import selectors
from apps.reference.selectors import DivisionRef

register = template.Library()

FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,59}$")

_COLUMN_TEXT = {
    "province": ("省份", "请选择省份"),
    "city": ("城市", "请选择城市"),
    "county": ("区县", "请选择区县"),
}


def valid_field_name(field: str) -> bool:
    return bool(FIELD_NAME.match(field or ""))


def _check_field(field: str) -> str:
    if not valid_field_name(field):
        raise template.TemplateSyntaxError(f"picker field name {field!r}: letters, digits, _ and - only")
    return field


def _selectable(division: DivisionRef, county_only: bool) -> bool:
    return division.is_current and (division.is_county_level or not county_only)


def division_picker_query(field: str, *, county_only: bool, suggest: str = "") -> str:
    """The query string that keeps a picker's options across its htmx requests."""
    params = {"field": field, "county_only": "1" if county_only else "0"}
    if suggest:
        params["suggest"] = suggest
    return urlencode(params)


def division_widget_context(field: str, *, value: str | None = None, at: str | None = None,
                            county_only: bool = True, suggest: str | None = None) -> dict:
    """Context of reference/_division_widget.html.

    `value` (a prefilled form value) is kept as given, even when it is no longer
    acceptable, so re-saving a form never drops data silently; the widget then says
    what is wrong. `at` (from the cascade or a search result) is where the user has
    navigated: the field takes it when it is selectable, and is emptied otherwise.
    `suggest` (e.g. the first six digits of the ID number for 生源所在地) is offered as a
    one-click choice while it is selectable and not already chosen."""
    if at is not None:
        cursor = selectors.division_ref(at)
        value = cursor.code if cursor is not None and _selectable(cursor, county_only) else ""
        chosen = cursor if value else None
    else:
        value = str(value or "").strip()
        chosen = cursor = selectors.division_ref(value) if value else None
        if chosen is not None:
            value = chosen.code  # '3401' → '340100'
    if not value:
        state = "empty"
    elif chosen is None:
        state = "unknown"
    elif not chosen.is_current:
        state = "not_current"
    elif county_only and not chosen.is_county_level:
        state = "not_county"
    else:
        state = "ok"

    # from the per-process snapshot: no queries, option lists rendered once per version
    columns = selectors.division_cascade_refs(selectors.division_ref_path(cursor))
    for column in columns:
        column["label"], column["placeholder"] = _COLUMN_TEXT[column["key"]]
        if column["key"] == "city" and any(option.level == 3 for option in column["options"]):
            column["placeholder"] = "请选择城市或区县"
    # a greyed next step tells what comes after the last choice
    waiting = None
    if len(columns) == 1 and not columns[0]["selected"]:
        waiting = {"key": "city", "label": "城市", "text": "请先选择省份"}
    elif columns[-1]["key"] == "city" and not columns[-1]["selected"]:
        waiting = {"key": "county", "label": "区县", "text": "请先选择城市"}

    suggested = selectors.division_ref(suggest) if suggest else None
    if suggested is not None and not _selectable(suggested, county_only):
        suggested = None
    query = division_picker_query(field, county_only=county_only, suggest=suggested.code if suggested else "")
    return {
        "field": field,
        "value": value,
        "chosen": chosen,
        "state": state,
        "county_only": county_only,
        "columns": columns,
        "waiting": waiting,
        "suggested": suggested if suggested is not None and suggested.code != value else None,
        "picker_url": f"{reverse('reference-division-picker')}?{query}",
        "search_url": f"{reverse('reference-division-search')}?{query}",
    }


@register.inclusion_tag("reference/_division_picker.html")
def division_picker(field: str, value=None, county_only: bool = True, label: str = "", suggest=None):
    """Province → city → county selects plus a search box; submits the six-digit code as `field`."""
    context = division_widget_context(_check_field(field), value=value, county_only=bool(county_only),
                                      suggest=str(suggest or "")[:6])
    context["label"] = label
    return context


def code_picker_context(field: str, *, table: str, value=None, scheme: str = "", group: str = "",
                        label: str = "", required: bool = False, filter=None, empty_label: str = "请选择") -> dict:
    value = "" if value is None else str(value).strip()
    # the options come pre-rendered from the snapshot (once per reference version), the
    # chosen one marked there
    options = selectors.code_option_html(table, scheme=scheme, group=group, selected=value)

    # a prefilled code that is not offered (withdrawn, other group) stays selected, marked
    stale = None
    if value and value not in options.codes:
        old = selectors.code_entry_any(table, value, scheme)
        if old is None:
            stale = {"code": value, "label": f"{value}（未知代码）"}
        elif not old.is_active:
            stale = {"code": value, "label": f"{old.name}（已停用）"}
        else:
            stale = {"code": value, "label": old.name}
    show_filter = options.count > 12 if filter is None else bool(filter)
    return {
        "field": field, "table": table, "value": value, "options_html": options.html, "stale": stale,
        "label": label, "required": bool(required), "show_filter": show_filter, "empty_label": empty_label,
        "loaded": bool(options.count) or selectors.code_table_loaded(table),
    }


@register.inclusion_tag("reference/_code_picker.html")
def code_picker(field: str, table: str, value=None, scheme: str = "", group: str = "", label: str = "",
                required: bool = False, filter=None, empty_label: str = "请选择"):
    """A <select> of the active entries of one code table; submits the code as `field`."""
    return code_picker_context(_check_field(field), table=table, value=value, scheme=scheme, group=group,
                               label=label, required=required, filter=filter, empty_label=empty_label)
