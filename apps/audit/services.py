from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from apps.audit.models import ActorKind, AuditChainHead, AuditEntry

GENESIS = "0" * 64


def _actor_kind(actor) -> str:
    if actor is None:
        return ActorKind.SYSTEM
    role = getattr(actor, "role", "")
    if role == "graduate":
        return ActorKind.GRADUATE
    if role == "employer":
        return ActorKind.EMPLOYER
    return ActorKind.STAFF


def _digest(entry: AuditEntry) -> str:
    payload = {
        "chain": entry.chain,
        "position": entry.position,
        "occurred_at": entry.occurred_at.isoformat(),
        "actor_kind": entry.actor_kind,
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "summary": entry.summary,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "school_id": entry.school_id,
        "college_id": entry.college_id,
        "graduate_id": entry.graduate_id,
        "changes": entry.changes,
        "client_address": entry.client_address,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def audit_record(
    *,
    actor,
    action: str,
    summary: str,
    target,
    school_id: int | None = None,
    college_id: int | None = None,
    graduate_id: int | None = None,
    changes: dict | None = None,
    client_address: str = "",
    actor_kind: str | None = None,
    actor_label: str | None = None,
) -> AuditEntry:
    """Append one entry. Call inside the transaction that makes the change, so the change
    and its record commit or roll back together. `changes` must already be masked.
    `actor_kind`/`actor_label` name an actor without an account (an employer using its
    follow link)."""
    chain = f"school:{school_id}" if school_id else "platform"
    with transaction.atomic():
        head, _ = AuditChainHead.objects.get_or_create(chain=chain, defaults={"last_hash": GENESIS})
        head = AuditChainHead.objects.select_for_update().get(pk=head.pk)
        entry = AuditEntry(
            chain=chain,
            position=head.length + 1,
            occurred_at=timezone.now(),
            actor_kind=actor_kind or _actor_kind(actor),
            actor=actor,
            actor_label=(actor_label or (str(actor) if actor is not None else "系统"))[:100],
            action=action,
            summary=summary[:200],
            target_type=type(target).__name__ if target is not None else "",
            target_id=str(getattr(target, "pk", "") or ""),
            school_id=school_id,
            college_id=college_id,
            graduate_id=graduate_id,
            changes=json.loads(json.dumps(changes or {}, default=str, ensure_ascii=False)),
            client_address=client_address[:64],
            prev_hash=head.last_hash,
        )
        entry.entry_hash = _digest(entry)
        entry.save()
        head.last_hash = entry.entry_hash
        head.length = entry.position
        head.save(update_fields=["last_hash", "length"])
    return entry


@dataclass
class ChainReport:
    chain: str
    entries: int
    broken_at: int | None  # position of the first entry that does not verify

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def audit_verify() -> list[ChainReport]:
    """Recompute every chain; an altered, inserted or deleted row breaks it."""
    reports = []
    for head in AuditChainHead.objects.order_by("chain"):
        prev, count, broken = GENESIS, 0, None
        for entry in AuditEntry.objects.filter(chain=head.chain).order_by("position").iterator(chunk_size=2000):
            count += 1
            if entry.position != count or entry.prev_hash != prev or _digest(entry) != entry.entry_hash:
                broken = entry.position
                break
            prev = entry.entry_hash
        if broken is None and (count != head.length or prev != head.last_hash):
            broken = count + 1  # rows missing at the end
        reports.append(ChainReport(head.chain, count, broken))
    return reports
