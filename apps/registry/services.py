"""Staff actions on the registry outbox (全国毕业去向登记系统 同步监控): 重新发送.

A dead entry (rejected by the registry, or out of attempts) blocks every later entry of its
graduate, so the registry never receives a graduate's changes out of order. Staff act here once
the cause is fixed: the entry goes back to pending with its attempts reset and is delivered again
— with its own idempotency key when it died of failed tries (a registry that did store it answers
with the first receipt), or rebuilt from the graduate's current record under a new key when the
registry refused its content (the refusal stored nothing; staff fix the data, then retry).
"""
from __future__ import annotations

import uuid

from django.db import transaction
from django.utils import timezone

from apps.accounts.models import Role
from apps.accounts.permissions import require_role
from apps.accounts.scoping import visible_to
from apps.audit.services import audit_record
from apps.core.errors import DomainError, NotFound
from apps.registry.models import OutboxEntry, OutboxState
from apps.registry.outbox import REASONS, current_payload

# who may send dead entries again: the school's staff and the province (in their scope)
RETRIERS = (Role.SCHOOL_STAFF, Role.PROVINCE_STAFF)
_BACK_TO_PENDING = {"attempts": 0, "claimed_until": None, "last_error": ""}


def _back_to_pending(entry: OutboxEntry) -> list[str]:
    """Make a dead entry pending again; return the fields changed. An entry the registry refused
    (422/409: nothing stored under its key) is sent with the graduate's record as it is now —
    staff retry after fixing the data — under a new idempotency key; an entry that died of
    failed tries keeps its record and key (the registry may hold it already: a replay)."""
    entry.state, entry.next_attempt_at = OutboxState.PENDING, timezone.now()
    for name, value in _BACK_TO_PENDING.items():
        setattr(entry, name, value)
    fields = ["state", "next_attempt_at", *_BACK_TO_PENDING]
    if entry.rejected:
        entry.payload = current_payload(entry.graduate_id)
        entry.idempotency_key = uuid.uuid4().hex
        entry.rejected = False
        fields += ["payload", "idempotency_key", "rejected"]
    return fields


def outbox_retry(*, actor, entry: OutboxEntry, client_address: str = "") -> OutboxEntry:
    """Send one dead entry again (重新发送)."""
    require_role(actor, RETRIERS)
    with transaction.atomic():
        locked = visible_to(OutboxEntry, actor).select_for_update().filter(pk=entry.pk).first()
        if locked is None:
            raise NotFound()
        if locked.state != OutboxState.DEAD:
            raise DomainError(f"该变更当前为“{locked.get_state_display()}”，只有发送失败的变更可以重新发送",
                              code="not_dead")
        error = locked.last_error
        fields = _back_to_pending(locked)
        locked.save(update_fields=fields)
        audit_record(
            actor=actor, action="registry.retry",
            summary=f"重新发送全国毕业去向登记系统变更（第{locked.sequence}条，{REASONS.get(locked.reason, locked.reason)}）",
            target=locked, school_id=locked.school_id, college_id=locked.college_id, graduate_id=locked.graduate_id,
            changes={"状态": [OutboxState.DEAD.label, OutboxState.PENDING.label], "失败原因": [error, ""]},
            client_address=client_address,
        )
    entry.state, entry.attempts, entry.last_error = locked.state, locked.attempts, locked.last_error
    return locked


def outbox_retry_all_dead(*, actor, school=None, college=None, client_address: str = "") -> int:
    """Send every dead entry in the actor's scope again (全部重新发送), or only one school's /
    college's; one UPDATE and one audit entry. Returns how many entries went back to pending."""
    require_role(actor, RETRIERS)
    dead = visible_to(OutboxEntry, actor).filter(state=OutboxState.DEAD)
    if school is not None:
        dead = dead.filter(school_id=school.pk)
    if college is not None:
        dead = dead.filter(college_id=college.pk)
    with transaction.atomic():
        # refused records are rebuilt one by one (bounded by what the registry refused); the
        # rest — dead after too many failed tries — go back as they are, in one UPDATE
        count = 0
        for entry in dead.filter(rejected=True).select_for_update():
            entry.save(update_fields=_back_to_pending(entry))
            count += 1
        count += dead.filter(rejected=False).update(
            state=OutboxState.PENDING, next_attempt_at=timezone.now(), **_BACK_TO_PENDING)
        if count:
            where = (college.name if college is not None else school.name if school is not None else "管理范围内")
            audit_record(
                actor=actor, action="registry.retry_all",
                summary=f"重新发送{where}全部发送失败的全国毕业去向登记系统变更：{count}条",
                target=None, school_id=(school.pk if school is not None else getattr(actor, "school_id", None)),
                changes={"重新发送": [0, count]}, client_address=client_address,
            )
    return count
