"""Re-hash existing audit chains with the keyed, round-trip-stable digest (chain.digest_v2).

Each chain is first checked with the old, unkeyed scheme (frozen below); only the prefix
that still verifies is re-hashed. Rows after a break keep their old digests, so the
break stays visible under the new scheme instead of being laundered by the migration.
"""

import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from apps.audit.chain import GENESIS, digest_v2, truncate_to_millis

BATCH = 2000


def _digest_v1(entry) -> str:
    """The first scheme, frozen: unkeyed SHA-256, microsecond timestamps."""
    payload = {
        "chain": entry.chain, "position": entry.position, "occurred_at": entry.occurred_at.isoformat(),
        "actor_kind": entry.actor_kind, "actor_id": entry.actor_id, "actor_label": entry.actor_label,
        "action": entry.action, "summary": entry.summary, "target_type": entry.target_type,
        "target_id": entry.target_id, "school_id": entry.school_id, "college_id": entry.college_id,
        "graduate_id": entry.graduate_id, "changes": entry.changes, "client_address": entry.client_address,
        "prev_hash": entry.prev_hash,
    }
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def rehash(apps, schema_editor):
    alias = schema_editor.connection.alias
    AuditEntry = apps.get_model("audit", "AuditEntry")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    for head in AuditChainHead.objects.using(alias).order_by("chain"):
        old_prev, new_prev, expected, intact = GENESIS, GENESIS, 1, True
        rows = AuditEntry.objects.using(alias).filter(chain=head.chain).order_by("position")
        while intact:
            # a materialised batch: no open cursor on the table while it is being updated
            batch = list(rows.filter(position__gte=expected)[:BATCH])
            if not batch:
                break
            done = []
            for entry in batch:
                if entry.position != expected or entry.prev_hash != old_prev or _digest_v1(entry) != entry.entry_hash:
                    intact = False  # leave the rest as it is: it fails verification either way
                    break
                old_prev = entry.entry_hash
                entry.occurred_at = truncate_to_millis(entry.occurred_at)
                entry.prev_hash = new_prev
                entry.entry_hash = digest_v2(entry)
                new_prev = entry.entry_hash
                done.append(entry)
                expected += 1
            AuditEntry.objects.using(alias).bulk_update(done, ["occurred_at", "prev_hash", "entry_hash"])
        if intact and head.length == expected - 1 and head.last_hash == old_prev:
            head.last_hash = new_prev
            head.save(update_fields=["last_hash"])

class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL),
        ),
        migrations.RunPython(rehash, migrations.RunPython.noop),
    ]
