"""The one door of 求职意向职位: `intention_save` (the page and the API both call it)."""

from __future__ import annotations

from django.db import transaction

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.audit.services import audit_record
from apps.core.errors import DomainError
from apps.core.text import normalise
from apps.graduates.models import Graduate
from apps.jobs.intentions import (
    CODE_CRITERIA,
    MAX_PER_CRITERION,
    PLACE_LABEL,
    SALARY_LABEL,
    SPECIAL_PLACES,
    place_label,
    salary_band_label,
)
from apps.jobs.models import JobIntention
from apps.jobs.salary import BAND_BY_KEY

_TRUE = {"1", "true", "on", "yes", "是"}


def _as_list(value) -> list | None:
    """A list of values from a JSON list or one form value; None when it is neither."""
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, (str, int)):
        return [value]
    return None


def _clean_codes(raw, *, label: str, field: str, known, errors: dict[str, str]) -> list[str]:
    values = _as_list(raw)
    if values is None:
        errors[field] = f"{label}的格式不正确"
        return []
    codes: list[str] = []
    for value in values:
        code = normalise(str(value))
        if code and code not in codes:
            codes.append(code)
    if len(codes) > MAX_PER_CRITERION:
        errors[field] = f"{label}最多选择{MAX_PER_CRITERION}项（您选择了{len(codes)}项）"
        return []
    unknown = [code for code in codes if code not in known]
    if unknown:
        errors[field] = f"{label}中有不在代码表中的选项（{unknown[0][:20]}），请从列表中选择"
        return []
    return codes


def _place_code(code: str) -> tuple[str, str]:
    """(stored code, error): a special key, a province ('34', '340000') or a city ('3401',
    '340100') of the current division list."""
    from apps.reference.selectors import division_ref

    if code in SPECIAL_PLACES:
        return code, ""
    wrong = f"{PLACE_LABEL}中有无法识别的地点（{code[:20]}），请从列表中选择"
    if not code.isdigit() or len(code) not in (2, 4, 6):
        return "", wrong
    ref = division_ref(code)
    if ref is None or not ref.is_current:
        return "", wrong
    if ref.level == 1:
        return ref.code[:2], ""
    if ref.level == 2:
        return ref.code[:4], ""
    return "", f"{PLACE_LABEL}请选择省份或城市，不需要选到区县（{ref.full_name}）"


def _clean_places(raw, errors: dict[str, str]) -> list[str]:
    values = _as_list(raw)
    if values is None:
        errors["place_codes"] = f"{PLACE_LABEL}的格式不正确"
        return []
    places: list[str] = []
    for value in values:
        text = normalise(str(value))
        if not text:
            continue
        code, error = _place_code(text)
        if error:
            errors["place_codes"] = error
            return []
        if code not in places:
            places.append(code)
    if len(places) > MAX_PER_CRITERION:
        errors["place_codes"] = f"{PLACE_LABEL}最多选择{MAX_PER_CRITERION}项（您选择了{len(places)}项）"
        return []
    return places


def _as_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return normalise(str(value or "")).lower() in _TRUE


def intention_clean(data: dict) -> dict:
    """Every field checked; a DomainError naming each wrong field (nothing is stored then)."""
    from apps.reference.selectors import code_labels

    errors: dict[str, str] = {}
    clean: dict = {}
    for criterion in CODE_CRITERIA:
        clean[criterion.field] = _clean_codes(data.get(criterion.field), label=criterion.label, field=criterion.field,
                                              known=code_labels(criterion.table), errors=errors)
    clean["place_codes"] = _clean_places(data.get("place_codes"), errors)
    band = normalise(str(data.get("salary_band") or ""))
    if band and band not in BAND_BY_KEY:
        errors["salary_band"] = f"{SALARY_LABEL}请从列表中选择"
    clean["salary_band"] = band
    clean["notify"] = _as_bool(data.get("notify"))
    if errors:
        raise DomainError(next(iter(errors.values())), code="invalid_intention", fields=errors)
    return clean


def _readable(field: str, value) -> str:
    """How a value reads in the audit entry (信息变更记录): names, not codes."""
    from apps.reference.selectors import code_label

    if field == "place_codes":
        return "、".join(place_label(code) for code in value)
    if field == "salary_band":
        return salary_band_label(value)
    if field == "notify":
        return "开启" if value else "关闭"
    table = next(c.table for c in CODE_CRITERIA if c.field == field)
    return "、".join(code_label(table, code) for code in value)


_AUDIT_LABELS = {**{c.field: c.label for c in CODE_CRITERIA}, "place_codes": PLACE_LABEL,
                 "salary_band": SALARY_LABEL, "notify": "新职位提醒"}


def intention_save(*, actor, data: dict) -> JobIntention:
    """Create or replace the graduate's own intention. Every list at most MAX_PER_CRITERION
    known codes; a wrong value refuses the whole save."""
    require_role(actor, (Role.GRADUATE,))
    clean = intention_clean(data)
    with transaction.atomic():
        graduate = Graduate.objects.only("pk", "school_id").get(pk=actor.graduate_id)
        intention, _ = JobIntention.objects.select_for_update().get_or_create(graduate=graduate)
        changes = {}
        for field, value in clean.items():
            before = getattr(intention, field)
            if before != value:
                # stored under their Chinese labels with names as values, like the other
                # history rows a graduate reads
                changes[_AUDIT_LABELS[field]] = [_readable(field, before), _readable(field, value)]
                setattr(intention, field, value)
        if changes:
            intention.save()
            audit_record(actor=actor, action="jobs.intention_save", summary="保存求职意向职位", target=intention,
                         school_id=graduate.school_id, graduate_id=graduate.pk, changes=changes)
    return intention
