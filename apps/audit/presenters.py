"""How an audit entry's `changes` read to a person (信息变更记录): one row per change with a
Chinese label, code values shown by their code-table names and changes from empty to
empty left out. Personal data stays exactly as stored (it was masked when written).

Used by the graduate's history page, the staff history page and the history API, so the
three never disagree."""

from __future__ import annotations

import re
from typing import Any

# keys written by services other than the graduate field registry and the destination catalog
_EXTRA_LABELS = {
    "origin_confirmed": "生源确认",
    "pin": "签约密码",
    "category": "毕业去向",
    "status": "状态",
    "images": "证明材料",
    "reason": "原因",
    "invitations_superseded": "失效的其他邀约",
    "contact_phone": "单位联系电话",
    "cohort": "届别",
    "kind": "类别",
}
# how a count reads (证明材料 0 → 1 means pictures)
_UNITS = {"images": "张", "invitations_superseded": "份"}
_BARE_CODE = re.compile(r"^[0-9A-Z]{1,6}$")
EMPTY = "（空）"


def field_label(name: str) -> str:
    """Chinese label of a key stored in an audit entry's changes (graduate fields, destination
    fields, signing/correction/archive keys; the latter two are stored as labels already)."""
    from apps.destinations.catalog import FIELD_LABELS
    from apps.graduates.fields import SPECS

    spec = SPECS.get(name)
    if spec:
        return spec.label
    return FIELD_LABELS.get(name) or _EXTRA_LABELS.get(name) or name


def _category_text(value: str) -> str:
    """A destination category stored as a bare code (older entries, online signing) gets
    its catalog name; 「70 名称」 stays as written."""
    from apps.destinations import catalog

    if not _BARE_CODE.match(value):
        return value
    category = catalog.category(value)
    return f"{value} {category.name}" if category else value


def _value_text(name: str, value: Any) -> str:
    from apps.destinations.catalog import CODE_FIELDS
    from apps.reference.selectors import code_label

    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    text = str(value)
    if name == "category":
        return _category_text(text)
    if name in CODE_FIELDS and _BARE_CODE.match(text):
        table, scheme = CODE_FIELDS[name]
        label = code_label(table, text, scheme)
        return label if label != text else text
    if name in _UNITS and isinstance(value, int):
        return f"{value}{_UNITS[name]}"
    return text


def _pair(raw: Any) -> tuple[Any, Any]:
    if isinstance(raw, (list, tuple)):
        if len(raw) >= 2:
            return raw[0], raw[-1]
        return "", raw[0] if raw else ""
    return "", raw  # a single value (e.g. a count) reads as what it became


def history_rows(changes: dict[str, Any] | None) -> list[dict[str, str]]:
    """[{field, label, before, after}] for one entry; before/after are '' when empty (the
    page shows （空）). A row whose before equals its after (empty → empty) is no change and
    is dropped."""
    rows = []
    for name, raw in (changes or {}).items():
        before, after = _pair(raw)
        before_text, after_text = _value_text(name, before), _value_text(name, after)
        if before_text == after_text:  # empty → empty, or 0份 → 0份: nothing changed
            continue
        rows.append({"field": name, "label": field_label(name), "before": before_text, "after": after_text})
    return rows


def history_entry(entry) -> dict[str, Any]:
    """One entry as the pages and the API show it."""
    return {
        "occurred_at": entry.occurred_at,
        "actor_kind": entry.actor_kind,
        "actor_kind_label": entry.get_actor_kind_display(),
        "actor_label": entry.actor_label,
        "action": entry.action,
        "summary": entry.summary,
        "changes": entry.changes,
        "rows": history_rows(entry.changes),
        "client_address": entry.client_address,
    }
