"""The destination categories with their forms: names from the code table, field sets,
proof rules and flags from reference_data/destination_forms.json. No code value appears
in logic: behaviour hangs on the flags here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings

FORMS_FILE = Path(settings.BASE_DIR) / "reference_data" / "destination_forms.json"

# Labels of the Destination columns a field set may use.
FIELD_LABELS = {
    "unit_name": "单位名称",
    "credit_code": "统一社会信用代码",
    "unit_nature_code": "单位性质",
    "industry_code": "单位行业",
    "unit_division": "单位所在地",
    "unit_address": "单位地址",
    "position_category_code": "工作职位类别",
    "sign_date": "签约日期",
    "unit_contact": "单位联系人",
    "unit_contact_phone": "单位联系电话",
    "description": "说明",
    "study_school": "升学院校",
    "study_major": "升学专业",
    "country_region": "国家（地区）",
    "abroad_school_cn": "留学院校中文名称",
    "abroad_school_foreign": "留学院校外文名称",
    "abroad_major_cn": "留学专业中文名称",
    "abroad_major_foreign": "留学专业外文名称",
}
# code-table fields: column → (table, scheme)
CODE_FIELDS = {
    "unit_nature_code": ("unit_nature", ""),
    "industry_code": ("industry", ""),
    "position_category_code": ("position_category", ""),
}
ALL_FIELDS = tuple(FIELD_LABELS)


@dataclass(frozen=True)
class FormField:
    field: str
    label: str
    required: bool


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    group: str
    parent_code: str
    field_set: str
    fields: tuple[FormField, ...]
    selectable: bool
    allows_signing: bool
    proof_required: bool
    proof: str

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.field for f in self.fields)


@lru_cache(maxsize=1)
def _forms() -> dict:
    return json.loads(FORMS_FILE.read_text(encoding="utf-8"))


def _build(code: str, names: dict[str, tuple[str, str, str]]) -> Category | None:
    spec = _forms()["categories"].get(code)
    if spec is None or code not in names:
        return None
    name, group, parent = names[code]
    fields = tuple(
        FormField(f["field"], f.get("label") or FIELD_LABELS[f["field"]], bool(f.get("required")))
        for f in _forms()["field_sets"][spec["field_set"]]
    )
    return Category(
        code=code, name=name, group=group, parent_code=parent, field_set=spec["field_set"], fields=fields,
        selectable=bool(spec.get("selectable")), allows_signing=bool(spec.get("allows_signing")),
        proof_required=bool(spec.get("proof_required")), proof=spec.get("proof", ""),
    )


def _names() -> dict[str, tuple[str, str, str]]:
    # from the per-process reference snapshot: no query per call (issue 9)
    from apps.reference.selectors import code_entry_refs

    return {e.code: (e.name, e.group, e.parent_code) for e in code_entry_refs("destination")}


def categories() -> list[Category]:
    names = _names()
    out = [c for c in (_build(code, names) for code in names) if c is not None]
    return out


def category(code: str) -> Category | None:
    names = _names()
    return _build(code, names)


def selectable_categories() -> list[Category]:
    return [c for c in categories() if c.selectable]


def online_signing_category_code() -> str:
    return _forms()["online_signing_category"]


def after_termination_category_code() -> str:
    return _forms()["unregistered_after_termination"]


def archive_holding_unit_natures() -> frozenset[str]:
    return frozenset(_forms().get("archive_holding_unit_natures", []))
