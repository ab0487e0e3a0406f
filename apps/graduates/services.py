"""The one door for changing a graduate's record (生源信息, 联系方式, corrections) and
for 生源确认. Every change is validated by the field registry, written in one
transaction and recorded in the audit trail; the national-registry outbox (C6) will
hook in here too."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.audit.services import audit_record
from apps.core.crypto import keyed_hash
from apps.core.errors import DomainError, Forbidden
from apps.graduates.fields import GRADUATE_EDITABLE, SPECS
from apps.graduates.models import Graduate
from apps.registry.outbox import ORIGIN, graduate_change_reason, registry_enqueue

STAFF_EDITORS = (Role.SCHOOL_STAFF, Role.COLLEGE_STAFF)
_HASHED = {"id_number": "id_number_hash", "phone": "phone_hash"}


def _assert_may_edit(actor, graduate: Graduate, fields: set[str]) -> None:
    if actor is None or not actor.is_authenticated:
        raise Forbidden()
    if actor.role == Role.GRADUATE:
        if actor.graduate_id != graduate.pk:
            raise Forbidden()
        read_only = sorted(f for f in fields if f not in GRADUATE_EDITABLE)
        if read_only:
            labels = "、".join(SPECS[f].label if f in SPECS else f for f in read_only)
            raise DomainError(
                f"{labels}不能由本人修改，如有错误请点击“去纠错”提交信息反馈",
                code="read_only_field",
                fields={f: "不能修改，请去纠错" for f in read_only},
            )
        return
    in_scope = (actor.role == Role.SCHOOL_STAFF and actor.school_id == graduate.school_id) or (
        actor.role == Role.COLLEGE_STAFF and actor.college_id == graduate.college_id
    )
    if not in_scope:
        raise Forbidden()


def graduate_update(
    *, actor, graduate: Graduate, changes: dict[str, Any], client_address: str = "", reason: str = ""
) -> list[str]:
    """Validate and apply `changes` ({field: raw value}); returns the fields that changed.

    A graduate may change only the fields marked editable (生源所在地, contacts); staff in
    scope may change roster fields too (used when a correction is accepted). Changing the
    生源所在地 after 确认 withdraws the confirmation: the graduate confirms again."""
    unknown = sorted(set(changes) - set(SPECS))
    if unknown:
        raise DomainError("存在不能修改的字段", code="unknown_field", fields={f: "不存在或不能修改" for f in unknown})
    _assert_may_edit(actor, graduate, set(changes))
    errors, cleaned = {}, {}
    for field, raw in changes.items():
        try:
            cleaned[field] = SPECS[field].clean(raw, graduate)
        except DomainError as exc:
            errors[field] = exc.message
    if errors:
        first = next(iter(errors))
        raise DomainError(f"{SPECS[first].label}：{errors[first]}", code="invalid", fields=errors)
    if "major" in cleaned and "college" not in cleaned and cleaned["major"].college_id != graduate.college_id:
        cleaned["college"] = cleaned["major"].college

    with transaction.atomic():
        locked = Graduate.objects.select_for_update().get(pk=graduate.pk)
        college_before = locked.college_id
        diff: dict[str, list[str]] = {}
        for field, value in cleaned.items():
            before = getattr(locked, field)
            before_key = getattr(before, "pk", before)
            after_key = getattr(value, "pk", value)
            if before_key == after_key or (before in (None, "") and value in (None, "")):
                continue
            diff[field] = [SPECS[field].display(before), SPECS[field].display(value)]
            setattr(locked, field, value)
            if field in _HASHED:
                setattr(locked, _HASHED[field], keyed_hash(value) if value else "")
        if not diff:
            return []
        if "origin_division" in diff and locked.origin_confirmed_at:
            locked.origin_confirmed_at = None
            locked.origin_confirmed_by = None
            diff["origin_confirmed"] = ["已确认", "未确认（生源所在地已修改，需重新确认）"]
        locked.save()
        if locked.college_id != college_before:  # the maintained per-college counts follow a move
            from apps.graduates.counts import graduate_counts_add

            graduate_counts_add({(locked.school_id, college_before): -1, (locked.school_id, locked.college_id): 1})
        registry_enqueue(graduate=locked, reason=graduate_change_reason(diff), actor=actor)  # 全国登记系统报送
        labels = "、".join(SPECS[f].label for f in diff if f in SPECS)
        audit_record(
            actor=actor,
            action="graduate.update",
            summary=(f"{reason}：" if reason else "修改") + labels,
            target=locked,
            school_id=locked.school_id,
            college_id=locked.college_id,
            graduate_id=locked.pk,
            changes=diff,
            client_address=client_address,
        )
    # the caller's object reflects what was saved
    for field in cleaned:
        setattr(graduate, field, getattr(locked, field))
    graduate.origin_confirmed_at, graduate.origin_confirmed_by_id = locked.origin_confirmed_at, locked.origin_confirmed_by_id
    return [f for f in diff if f in SPECS]


def graduate_confirm_origin(*, actor, graduate: Graduate, client_address: str = "") -> Graduate:
    """生源确认 by the graduate: 生源所在地 (county level) and own phone must be filled."""
    if actor is None or actor.role != Role.GRADUATE or actor.graduate_id != graduate.pk:
        raise Forbidden("只有毕业生本人可以确认生源信息")
    with transaction.atomic():
        locked = Graduate.objects.select_for_update(of=("self",)).select_related("origin_division").get(pk=graduate.pk)
        missing = {}
        if not (locked.origin_division_id and locked.origin_division.is_county_level):
            missing["origin_division"] = "请先维护生源所在地（到区县）"
        if not locked.phone:
            missing["phone"] = "请先填写本人联系电话"
        if missing:
            raise DomainError("确认前请先完善：" + "；".join(missing.values()), code="incomplete", fields=missing)
        locked.origin_confirmed_at = timezone.now()
        locked.origin_confirmed_by = actor
        locked.save(update_fields=["origin_confirmed_at", "origin_confirmed_by", "updated_at"])
        registry_enqueue(graduate=locked, reason=ORIGIN, actor=actor)
        audit_record(
            actor=actor, action="graduate.confirm_origin", summary="确认生源信息", target=locked,
            school_id=locked.school_id, college_id=locked.college_id, graduate_id=locked.pk,
            changes={"origin_confirmed": ["未确认", "已确认"]}, client_address=client_address,
        )
    graduate.origin_confirmed_at, graduate.origin_confirmed_by_id = locked.origin_confirmed_at, actor.pk
    return graduate


def origin_suggestion(graduate: Graduate):
    """The county the ID number's first six digits point to, when it is still a current
    county-level code (codes are reassigned over time, so it is only a suggestion)."""
    from apps.reference.selectors import county_division

    return county_division((graduate.id_number or "")[:6])
