from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.audit.chain import GENESIS, canonical_time_v2, digest, sign_head, truncate_to_millis
from apps.audit.models import ActorKind, AuditChainHead, AuditEntry

logger = logging.getLogger("apps.audit")
HEADS_FILE = "audit-heads.jsonl"


def _actor_kind(actor) -> str:
    if actor is None:
        return ActorKind.SYSTEM
    role = getattr(actor, "role", "")
    if role == "graduate":
        return ActorKind.GRADUATE
    if role == "employer":
        return ActorKind.EMPLOYER
    return ActorKind.STAFF


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
    # No savepoint of its own: the entry belongs to the caller's transaction (a failure here
    # must undo the change anyway), and a save is two statements fewer.
    with transaction.atomic(savepoint=False):
        # the head is locked in one statement; the get_or_create only for a chain's first entry
        head = AuditChainHead.objects.select_for_update().filter(chain=chain).first()
        if head is None:
            AuditChainHead.objects.get_or_create(chain=chain, defaults={"last_hash": GENESIS})
            head = AuditChainHead.objects.select_for_update().get(chain=chain)
        entry = AuditEntry(
            chain=chain,
            position=head.length + 1,
            occurred_at=truncate_to_millis(timezone.now()),
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
        entry.entry_hash = digest(entry)
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
    problem: str = ""  # 中文说明 for the operator
    published_checked: int = 0  # published heads of this chain that were found intact
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problem


def _heads_path(heads_dir: Path | None = None) -> Path:
    return Path(heads_dir or settings.AUDIT_HEADS_DIR) / HEADS_FILE


def read_published_heads(heads_dir: Path | None = None) -> tuple[dict[str, dict[int, set[str]]], list[str]]:
    """Published heads by chain and position, plus problems with the file itself (a line
    that is not valid JSON or whose signature does not verify was not written by us)."""
    path = _heads_path(heads_dir)
    heads: dict[str, dict[int, set[str]]] = {}
    problems: list[str] = []
    if not path.exists():
        return heads, problems
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                signature = record.pop("sig")
                valid = signature == sign_head(record)
                chain, seq, head_digest = record["chain"], int(record["seq"]), record["digest"]
            except (ValueError, KeyError, TypeError, AttributeError):
                problems.append(f"已发布链头文件第 {number} 行无法解析")
                continue
            if not valid:
                problems.append(f"已发布链头文件第 {number} 行签名无效（文件被改写，或密钥不同）")
                continue
            heads.setdefault(chain, {}).setdefault(seq, set()).add(head_digest)
    return heads, problems


def _verify_chain(chain: str, head: AuditChainHead | None, published: dict[int, set[str]], using: str) -> ChainReport:
    prev, count, broken, problem, checked = GENESIS, 0, None, "", 0
    entries = AuditEntry.objects.using(using).filter(chain=chain).order_by("position")
    for entry in entries.iterator(chunk_size=2000):
        count += 1
        if entry.position != count or entry.prev_hash != prev or digest(entry) != entry.entry_hash:
            broken, problem = entry.position, f"第 {entry.position} 条记录被改动、插入或删除（摘要不符）"
            break
        if entry.position in published:
            if published[entry.position] != {entry.entry_hash}:
                broken = entry.position
                problem = f"第 {entry.position} 条记录与已发布的链头不符：链被整体改写"
                break
            checked += 1
        prev = entry.entry_hash
    if broken is None:
        beyond = sorted(seq for seq in published if seq > count)
        if beyond:
            broken = count + 1
            problem = f"已发布的链头（第 {beyond[-1]} 条）在数据库中已不存在：链尾记录被删除，链头被回滚"
        elif head is None:
            broken, problem = (count + 1 if count else None), ("缺少链头记录" if count else "")
        elif count != head.length or prev != head.last_hash:
            broken, problem = count + 1, "链尾记录缺失（与链头不符）"  # rows missing at the end
    return ChainReport(chain, count, broken, problem, checked)


def audit_verify(*, using: str = "default", heads_dir: Path | None = None) -> list[ChainReport]:
    """Recompute every chain with the HMAC key; an altered, inserted or deleted row breaks
    it. Then check every head published by `audit_publish_heads` is still in its chain
    with the same digest: that catches the tail deleted and the head rolled back, and a
    chain re-forged by someone holding the key."""
    published, file_problems = read_published_heads(heads_dir)
    heads = {head.chain: head for head in AuditChainHead.objects.using(using).all()}
    chains = set(heads) | set(published)
    chains |= set(AuditEntry.objects.using(using).order_by().values_list("chain", flat=True).distinct())
    reports = [_verify_chain(chain, heads.get(chain), published.get(chain, {}), using) for chain in sorted(chains)]
    reports += [ChainReport("audit-heads", 0, None, problem) for problem in file_problems]
    return reports


def _extends_published(head: AuditChainHead, published: dict[int, set[str]], using: str) -> bool:
    """Whether the chain still holds its last published head and verifies from there to
    its current head (only the part added since the last publication is recomputed)."""
    last_seq = max(published, default=0)
    prev = GENESIS
    if last_seq:
        if len(published[last_seq]) != 1 or head.length < last_seq:
            return False
        (prev,) = published[last_seq]
        anchor = AuditEntry.objects.using(using).filter(chain=head.chain, position=last_seq).first()
        if anchor is None or anchor.entry_hash != prev:
            return False
    expected = last_seq + 1
    newer = AuditEntry.objects.using(using).filter(chain=head.chain, position__gt=last_seq).order_by("position")
    for entry in newer.iterator(chunk_size=2000):
        if entry.position != expected or entry.prev_hash != prev or digest(entry) != entry.entry_hash:
            return False
        prev, expected = entry.entry_hash, expected + 1
    return expected - 1 == head.length and prev == head.last_hash


def audit_publish_heads(*, heads_dir: Path | None = None, using: str = "default") -> tuple[list[dict], list[str]]:
    """发布链头: append one signed line per chain (school id, seq, digest, time) to the
    append-only heads file, and log it, so a later rewrite of the database is detected
    against something it cannot reach. A head is published only if the chain still holds
    the previously published head and verifies from it (a rewrite is never enshrined);
    the chains refused are returned and logged as errors. Idempotent: a chain whose head
    has not moved since its last published line is not published again. Not itself an
    audit entry — that would move the head it has just published.
    Returns (published records, refused chains)."""
    path = _heads_path(heads_dir)
    if not AuditChainHead.objects.using(using).filter(length__gt=0).exists():
        return [], []  # nothing to publish: do not even create the directory
    path.parent.mkdir(parents=True, exist_ok=True)
    import fcntl

    published, refused = [], []
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two publishers must not both decide "not yet published"
        already, _ = read_published_heads(path.parent)
        now = canonical_time_v2(timezone.now())
        lines = []
        for head in AuditChainHead.objects.using(using).order_by("chain"):
            if head.length == 0 or head.last_hash in already.get(head.chain, {}).get(head.length, set()):
                continue
            if not _extends_published(head, already.get(head.chain, {}), using):
                refused.append(head.chain)
                continue
            school_id = int(head.chain.split(":", 1)[1]) if head.chain.startswith("school:") else None
            record = {"chain": head.chain, "school_id": school_id, "seq": head.length,
                      "digest": head.last_hash, "published_at": now}
            record["sig"] = sign_head(record)
            lines.append(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            published.append(record)
        if lines:
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
            try:
                os.write(fd, "".join(lines).encode())
                os.fsync(fd)
            finally:
                os.close(fd)
    for record in published:
        logger.info("audit head published %s", json.dumps(record, ensure_ascii=False, sort_keys=True))
    for chain in refused:
        logger.error("audit head NOT published for %s: the chain does not verify from its last published head", chain)
    return published, refused
