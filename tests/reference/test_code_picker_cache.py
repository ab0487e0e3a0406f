"""Code pickers (代码选择框) rendered once per reference version (issue 9): the cached
<option> list, with the chosen option marked per call, is byte for byte what the old
per-request `{% for %}` loop rendered, and a reference reload (bump_version) rebuilds it."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from apps.reference import selectors
from apps.reference.models import CodeEntry

# The option loop of reference/_code_picker.html before the cache (the rest of the
# template is unchanged), and the context it was given, kept here as the reference.
OLD_TEMPLATE = """{% load static %}<div class="code-picker" id="{{ field }}-picker">
  {% if label %}<label for="{{ field }}-select"{% if required %} class="required"{% endif %}>{{ label }}</label>{% endif %}
  {% if show_filter %}<input type="search" id="{{ field }}-filter" data-code-filter="{{ field }}-select" autocomplete="off"
    aria-label="筛选{{ label|default:'选项' }}" placeholder="输入名称或代码筛选" style="margin-bottom:.35rem">{% endif %}
  <select id="{{ field }}-select" name="{{ field }}"{% if required %} required{% endif %}>
    <option value="">{% if loaded %}{{ empty_label }}{% else %}（代码表未加载）{% endif %}</option>
    {% if stale %}<option value="{{ stale.code }}" data-keywords="{{ stale.code }}" selected>{{ stale.label }}</option>{% endif %}
    {% for group in groups %}{% if group.name %}<optgroup label="{{ group.name }}">{% endif %}
    {% for o in group.options %}<option value="{{ o.code }}" data-keywords="{{ o.keywords }}"{% if o.code == value %} selected{% endif %}>{{ o.label }}</option>
    {% endfor %}{% if group.name %}</optgroup>{% endif %}{% endfor %}
  </select>
</div>
{% if show_filter %}<script src="{% static 'js/pickers.js' %}" defer></script>{% endif %}
"""


def _old_context(field, *, table, value=None, scheme="", group="", label="", required=False):
    entries = list(CodeEntry.objects.filter(table__slug=table, scheme=scheme, is_active=True).order_by("sort_order"))
    if group:
        entries = [entry for entry in entries if entry.group == group]
    value = "" if value is None else str(value).strip()
    by_code = {entry.code: entry for entry in entries}
    order = {entry.code: position for position, entry in enumerate(entries)}
    entries.sort(key=lambda e: (order.get(e.parent_code, order[e.code]) if e.parent_code else order[e.code],
                                1 if e.parent_code else 0, order[e.code]))
    options = []
    for entry in entries:
        extra = entry.extra or {}
        keywords = " ".join([entry.code, entry.name, *(str(extra.get(k, "")) for k in ("old_name", "gbt4754_section"))])
        indent = "\u3000" if entry.parent_code and entry.parent_code in by_code else ""
        options.append({"code": entry.code, "label": f"{indent}{entry.name}", "group": entry.group,
                        "keywords": keywords.strip()})
    if not group and any(option["group"] for option in options):
        grouped: dict[str, list[dict]] = {}
        for option in options:
            grouped.setdefault(option["group"], []).append(option)
        groups = [{"name": name, "options": items} for name, items in grouped.items()]
    else:
        groups = [{"name": "", "options": options}]
    stale = None
    if value and value not in by_code:
        old = CodeEntry.objects.filter(table__slug=table, scheme=scheme, code=value).first()
        if old is None:
            stale = {"code": value, "label": f"{value}（未知代码）"}
        elif not old.is_active:
            stale = {"code": value, "label": f"{old.name}（已停用）"}
        else:
            stale = {"code": value, "label": old.name}
    return {"field": field, "table": table, "value": value, "groups": groups, "stale": stale, "label": label,
            "required": required, "show_filter": len(entries) > 12, "empty_label": "请选择",
            "loaded": bool(entries) or selectors.code_table_loaded(table)}


def _old(field, **kwargs) -> str:
    return Template(OLD_TEMPLATE).render(Context(_old_context(field, **kwargs)))


def _new(field, *, table, value=None, scheme="", group="", label="", required=False) -> str:
    return Template(
        '{% load reference_tags %}{% code_picker field table=table value=value scheme=scheme group=group '
        'label=label required=required %}'
    ).render(Context({"field": field, "table": table, "value": value, "scheme": scheme, "group": group,
                      "label": label, "required": required}))


CASES = [
    # the three pickers of 去向登记 (flat lists, industry with its sections as keywords)
    dict(field="industry_code", table="industry", value="34", label="单位行业", required=True),
    dict(field="unit_nature_code", table="unit_nature", value="39", label="单位性质", required=True),
    dict(field="position_category_code", table="position_category", value="10", label="工作职位类别"),
    # <optgroup>s with indented sub-codes, a group filter, a scheme, a short list without filter box
    dict(field="destination_code", table="destination", value="76"),
    dict(field="destination_code", table="destination", value="46", group="升学"),
    dict(field="education_level_code", table="education_level", scheme="employment-xldm", value="31"),
    dict(field="gender_code", table="gender", value="2", required=True, label="性别"),
    # withdrawn and unknown codes stay selected as a marked extra option
    dict(field="ethnicity_code", table="ethnicity", value="98"),
    dict(field="ethnicity_code", table="ethnicity", value="77"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['table']}-{c.get('group') or c.get('scheme') or c['value']}")
def test_cached_picker_is_the_old_rendering_selected_and_unselected(reference, case):
    selected = _new(**case)
    assert selected == _old(**case)
    assert selected.count(" selected>") == 1  # the chosen (or kept stale) value is marked, once
    unselected = _new(**{**case, "value": ""})
    assert unselected == _old(**{**case, "value": ""})
    assert " selected>" not in unselected
    # marking one value leaves the cached list unmarked for the next request
    assert _new(**{**case, "value": None}) == unselected


def test_cached_picker_selects_each_value_as_the_old_loop_did(reference):
    codes = list(selectors.code_labels("unit_nature"))
    assert len(codes) > 12
    for code in codes:
        assert _new("u", table="unit_nature", value=code) == _old("u", table="unit_nature", value=code)


def test_picker_is_rendered_without_queries_once_cached(reference):
    _new("industry_code", table="industry", value="34")
    with CaptureQueriesContext(connection) as ctx, selectors.reference_scope():
        html = _new("industry_code", table="industry", value="35")
    assert len(ctx.captured_queries) == 0, [q["sql"] for q in ctx.captured_queries]
    assert 'value="35"' in html and html.count(" selected>") == 1


def test_picker_is_rebuilt_after_bump_version(reference):
    before = _new("unit_nature_code", table="unit_nature", value="39")
    entry = CodeEntry.objects.get(table__slug="unit_nature", scheme="", code="39")
    CodeEntry.objects.filter(pk=entry.pk).update(name="改名后的单位性质")
    # within one version the cached options are served (the rename is not seen yet) ...
    assert _new("unit_nature_code", table="unit_nature", value="39") == before
    selectors.bump_version()
    # ... and a reload rebuilds them: the new name, selected, exactly as the old loop renders it
    after = _new("unit_nature_code", table="unit_nature", value="39")
    assert "改名后的单位性质</option>" in after and after != before
    assert after == _old("unit_nature_code", table="unit_nature", value="39")
