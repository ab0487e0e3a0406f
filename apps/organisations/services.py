"""学校设置 (school settings): the per-school dates and limits of SchoolPolicy. Only school
staff edit their own school's settings; every change is audited with before/after.
`school_policy_update` is the one door (the page and the API call it)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from apps.accounts.models import Role
from apps.audit.services import audit_record
from apps.core.errors import DomainError, Forbidden
from apps.core.text import normalise
from apps.organisations.models import School, SchoolPolicy
from apps.organisations.policy import EffectivePolicy, policy_for

DATE_FIELDS = {"signing_opens_on": "签约开始日期", "termination_opens_on": "解约开始日期",
               "destination_cutoff_on": "去向登记变更截止日期"}
INT_FIELDS = {"invitation_validity_days": ("邀约有效期", 1, 60, 7), "max_terminations": ("最大解约次数", 0, 10, 3)}
FIELDS = (*DATE_FIELDS, *INT_FIELDS)
LABELS = {**DATE_FIELDS, **{k: v[0] for k, v in INT_FIELDS.items()}}


def _parse_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    text = normalise(str(value))
    if not text:
        return None
    try:
        return date.fromisoformat(text.replace("/", "-"))
    except ValueError:
        raise ValueError from None


def clean_policy(data: dict[str, Any]) -> dict[str, Any]:
    """Empty dates mean the handbook's default; empty numbers take the default value."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, label in DATE_FIELDS.items():
        try:
            out[name] = _parse_date(data.get(name))
        except ValueError:
            errors[name] = f"{label}格式不正确，应为“年-月-日”"
    for name, (label, low, high, default) in INT_FIELDS.items():
        raw = data.get(name)
        if raw is None or normalise(str(raw)) == "":
            out[name] = default
            continue
        try:
            value = int(normalise(str(raw)))
        except ValueError:
            errors[name] = f"{label}应为整数"
            continue
        if not low <= value <= high:
            errors[name] = f"{label}应在{low}到{high}之间"
            continue
        out[name] = value
    if errors:
        first = next(iter(errors))
        raise DomainError(errors[first], code="invalid", fields=errors)
    return out


def shown(value) -> str:
    if value is None:
        return "默认"
    return value.isoformat() if isinstance(value, date) else str(value)


def school_policy_update(*, actor, school: School, data: dict[str, Any], client_address: str = "") -> SchoolPolicy:
    if actor is None or actor.role != Role.SCHOOL_STAFF or actor.school_id != school.pk:
        raise Forbidden()
    cleaned = clean_policy(data)
    with transaction.atomic():
        policy, _ = SchoolPolicy.objects.select_for_update().get_or_create(school=school)
        changes = {name: [shown(getattr(policy, name)), shown(cleaned[name])]
                   for name in FIELDS if getattr(policy, name) != cleaned[name]}
        if not changes:
            return policy
        for name in FIELDS:
            setattr(policy, name, cleaned[name])
        policy.save()
        audit_record(actor=actor, action="school.policy_update",
                     summary="修改学校设置：" + "、".join(LABELS[n] for n in changes), target=policy,
                     school_id=school.pk, changes=changes, client_address=client_address)
    return policy


def policy_form_values(school: School) -> tuple[SchoolPolicy | None, EffectivePolicy]:
    return SchoolPolicy.objects.filter(school=school).first(), policy_for(school)
