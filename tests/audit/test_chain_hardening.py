"""Issue 8, defect 5: the audit chain survives dumpdata → empty database → loaddata, is keyed
(database write access alone cannot re-forge it) and is checked against published heads
(deleting the tail and rolling the head back is detected)."""

from __future__ import annotations

import base64
import hashlib
import json
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from apps.audit.models import AuditChainHead, AuditEntry
from apps.audit.services import audit_record, audit_verify


def _entries(world, n=3):
    for i in range(n):
        audit_record(actor=world.school_admin, action="test.action", summary=f"第{i}条", target=world.graduate,
                     school_id=world.school.pk, graduate_id=world.graduate.pk,
                     changes={"phone": ["138****0000", f"139****000{i}"], "score": 1.5})


def _unkeyed_digest(entry) -> str:
    """What an attacker without the key can compute: the first scheme's bare SHA-256."""
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


def _reforge(chain: str, digest_fn) -> None:
    """Recompute a whole chain and its head the way someone with database access would."""
    prev = "0" * 64
    for entry in AuditEntry.objects.filter(chain=chain).order_by("position"):
        entry.prev_hash = prev
        entry.entry_hash = digest_fn(entry)
        AuditEntry.objects.filter(pk=entry.pk).update(prev_hash=entry.prev_hash, entry_hash=entry.entry_hash)
        prev = entry.entry_hash
    AuditChainHead.objects.filter(chain=chain).update(last_hash=prev)


@pytest.mark.django_db(transaction=True)  # flush truncates: PostgreSQL refuses that inside the test's transaction
def test_dumpdata_into_an_empty_database_and_loaddata_still_verifies(world, tmp_path):
    _entries(world)
    before = list(AuditEntry.objects.order_by("position").values_list("position", "entry_hash"))
    dump = tmp_path / "dump.json"
    call_command("dumpdata", exclude=["contenttypes", "auth.permission", "sessions"], output=str(dump), verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists() and not AuditChainHead.objects.exists()
    call_command("loaddata", str(dump), verbosity=0)
    assert list(AuditEntry.objects.order_by("position").values_list("position", "entry_hash")) == before
    assert [(r.chain, r.entries, r.ok) for r in audit_verify()] == [(f"school:{world.school.pk}", 3, True)]
    call_command("audit_verify", verbosity=0)


def test_editing_a_summary_is_detected(world):
    _entries(world)
    AuditEntry.objects.filter(position=2).update(summary="改过的摘要")
    report = audit_verify()[0]
    assert not report.ok and report.broken_at == 2 and "第 2 条" in report.problem


def test_a_chain_reforged_without_the_key_fails_verification(world):
    _entries(world)
    AuditEntry.objects.filter(position=2).update(summary="改过的摘要")
    _reforge(f"school:{world.school.pk}", _unkeyed_digest)
    report = audit_verify()[0]
    assert not report.ok and report.broken_at == 1
    with pytest.raises(CommandError):
        call_command("audit_verify", verbosity=0)


def test_a_chain_hashed_with_another_key_fails_verification(world, settings):
    genuine_key = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY = os.urandom(32)  # an attacker's own key
    _entries(world)
    assert audit_verify()[0].ok
    settings.AUDIT_HMAC_KEY = genuine_key
    report = audit_verify()[0]
    assert not report.ok and report.broken_at == 1


def test_tail_deletion_with_head_rollback_is_detected_against_a_published_head(world, settings, tmp_path):
    settings.AUDIT_HEADS_DIR = tmp_path / "heads"
    _entries(world)
    call_command("audit_publish_heads", verbosity=0)
    chain = f"school:{world.school.pk}"
    # Someone with database access removes the last entry and rolls the head back to match.
    AuditEntry.objects.filter(chain=chain, position=3).delete()
    second = AuditEntry.objects.get(chain=chain, position=2)
    AuditChainHead.objects.filter(chain=chain).update(last_hash=second.entry_hash, length=2)
    # The chain on its own is consistent again: only the published head shows the loss.
    assert audit_verify(heads_dir=tmp_path / "nothing-published")[0].ok
    report = audit_verify()[0]
    assert not report.ok and report.broken_at == 3 and "已发布的链头" in report.problem
    with pytest.raises(CommandError, match="failed verification"):
        call_command("audit_verify", verbosity=0)

    # New activity refills position 3 with another entry; the next publication refuses to
    # enshrine the rewritten chain, and the heads file keeps its one true line.
    _entries(world, 1)
    with pytest.raises(CommandError, match=chain):
        call_command("audit_publish_heads", verbosity=0)
    assert len((tmp_path / "heads" / "audit-heads.jsonl").read_text().splitlines()) == 1
    assert not audit_verify()[0].ok


def test_a_whole_chain_reforged_with_the_key_is_caught_by_the_published_head(world, settings, tmp_path):
    settings.AUDIT_HEADS_DIR = tmp_path
    _entries(world)
    call_command("audit_publish_heads", verbosity=0)
    from apps.audit.chain import digest

    AuditEntry.objects.filter(position=2).update(summary="改过的摘要")
    _reforge(f"school:{world.school.pk}", digest)  # the application server's key leaked
    report = audit_verify()[0]
    assert not report.ok and report.broken_at == 3 and "已发布的链头" in report.problem  # only seq 3 was published


def test_publication_is_signed_logged_and_idempotent(world, settings, tmp_path, caplog):
    settings.AUDIT_HEADS_DIR = tmp_path
    _entries(world, 2)
    audit_record(actor=world.other_school_admin, action="x", summary="y", target=world.stranger,
                 school_id=world.other_school.pk)
    with caplog.at_level("INFO", logger="apps.audit"):
        call_command("audit_publish_heads", verbosity=0)
        call_command("audit_publish_heads", verbosity=0)  # nothing moved: nothing appended
    lines = [json.loads(line) for line in (tmp_path / "audit-heads.jsonl").read_text().splitlines()]
    assert [(line["school_id"], line["seq"]) for line in lines] == [(world.school.pk, 2), (world.other_school.pk, 1)]
    assert sum("audit head published" in r.getMessage() for r in caplog.records) == 2
    _entries(world, 1)
    call_command("audit_publish_heads", verbosity=0)
    assert len((tmp_path / "audit-heads.jsonl").read_text().splitlines()) == 3
    assert all(r.ok for r in audit_verify()) and audit_verify()[0].published_checked == 2

    # A line edited in the file (without the key) is reported, not trusted.
    text = (tmp_path / "audit-heads.jsonl").read_text()
    first = json.loads(text.splitlines()[0])
    forged = text.replace(first["digest"], "f" * 64, 1)
    (tmp_path / "audit-heads.jsonl").write_text(forged)
    problems = [r.problem for r in audit_verify() if not r.ok]
    assert problems == ["已发布链头文件第 1 行签名无效（文件被改写，或密钥不同）"]


@pytest.mark.django_db(transaction=True)
def test_the_migration_rehashes_intact_chains_and_keeps_broken_ones_broken():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("audit")
    executor.migrate([("audit", "0001_initial")])
    try:
        old_apps = MigrationExecutor(connection).loader.project_state([("audit", "0001_initial")]).apps
        OldEntry = old_apps.get_model("audit", "AuditEntry")
        OldHead = old_apps.get_model("audit", "AuditChainHead")
        for chain in ("platform", "school:999"):
            prev = "0" * 64
            for position in (1, 2, 3):
                entry = OldEntry(chain=chain, position=position, occurred_at=timezone.now(), actor_kind="system",
                                 actor_label="系统", action="demo", summary=f"第{position}条", target_type="",
                                 target_id="", changes={"k": [1, 2]}, prev_hash=prev)
                entry.entry_hash = _unkeyed_digest(entry)
                entry.save()
                prev = entry.entry_hash
            OldHead.objects.create(chain=chain, last_hash=prev, length=3)
        OldEntry.objects.filter(chain="school:999", position=2).update(summary="篡改")  # broken before upgrading
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(latest)
    reports = {r.chain: r for r in audit_verify()}
    assert reports["platform"].ok and reports["platform"].entries == 3
    assert not reports["school:999"].ok and reports["school:999"].broken_at == 2
    assert all(e.occurred_at.microsecond % 1000 == 0 for e in AuditEntry.objects.filter(chain="platform"))


def test_the_development_secrets_gain_the_audit_key(tmp_path):
    from config.env import development_secrets

    path = tmp_path / "dev-secrets.json"
    path.write_text(json.dumps({"SECRET_KEY": "x", "PII_ENCRYPTION_KEY": "a", "PII_HASH_KEY": "b"}))
    values = development_secrets(path)
    assert values["PII_ENCRYPTION_KEY"] == "a"  # existing keys are kept: the data depends on them
    assert len(base64.b64decode(values["AUDIT_HMAC_KEY"])) == 32
    assert development_secrets(path) == values
