"""The audit chain's digest: HMAC-SHA256 over a canonical, round-trip-stable form of a row.

Two things the first scheme got wrong (issue 8, defect 5):
- it hashed `occurred_at.isoformat()` with microseconds, which `dumpdata` truncates to
  milliseconds, so a chain did not survive dump → load;
- it was a bare SHA-256, so anyone able to write to the database could recompute a whole
  chain after editing it.

The digest below hashes the time as UTC milliseconds and the row as sorted-key JSON, and
is keyed with `settings.AUDIT_HMAC_KEY`, which lives outside the database. The functions
are versioned: a data migration imports the exact version it writes, so a later scheme
change gets its own function and migration instead of silently changing old ones.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from django.conf import settings

GENESIS = "0" * 64


def truncate_to_millis(moment: datetime) -> datetime:
    """What is stored and hashed: serialisers keep milliseconds, not microseconds."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def canonical_time_v2(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def canonical_v2(entry) -> bytes:
    """`entry` is an AuditEntry (or a historical model of it in a migration)."""
    payload = {
        "chain": entry.chain,
        "position": entry.position,
        "occurred_at": canonical_time_v2(entry.occurred_at),
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
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def digest_v2(entry, key: bytes | None = None) -> str:
    return hmac.new(key or settings.AUDIT_HMAC_KEY, canonical_v2(entry), hashlib.sha256).hexdigest()


digest = digest_v2


def sign_head(fields: dict, key: bytes | None = None) -> str:
    """Signature of a published chain head (domain-separated from row digests)."""
    canonical = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hmac.new(key or settings.AUDIT_HMAC_KEY, b"audit-head:" + canonical.encode(), hashlib.sha256).hexdigest()
