"""Roster imports whose worker died (生源导入后台处理中断恢复).

A worker killed while validating or committing leaves the import 校验中/导入中 for ever: the
task is never retried by the queue. Its lease (`worker_heartbeat_at`, renewed while the job
works) tells: once it is older than JOB_LEASE_SECONDS the job is re-enqueued, at most
MAX_RECOVERIES times; after that the import is marked failed for staff to retry by hand.

Re-running is safe: a killed commit's transaction was never committed, and validation
replaces its whole report. Called by apps.core.jobs (manage.py recover_jobs / the scheduler).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import DatabaseError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.audit.services import audit_record
from apps.core.jobs import lease_seconds
from apps.roster import services
from apps.roster.models import ImportStatus, RosterImport

logger = logging.getLogger(__name__)

MAX_RECOVERIES = 3
GAVE_UP = "后台处理中断，已自动重试{n}次仍未完成，请点击重试"


def recover_stale_imports(now: datetime | None = None) -> int:
    """Re-enqueue (or, after MAX_RECOVERIES, fail) every import whose job's lease expired;
    returns how many imports it changed."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=lease_seconds())
    stale = list(
        RosterImport.objects.filter(status__in=services.RUNNING)
        .filter(Q(worker_heartbeat_at__lt=cutoff) | Q(worker_heartbeat_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)
    )
    changed = 0
    for import_id in stale:
        try:
            changed += _recover(import_id, now=now)
        except DatabaseError:  # e.g. SQLite still locked by a running commit: next sweep
            logger.warning("roster import %s: recovery deferred, database busy", import_id)
    return changed


def _recover(import_id: int, *, now: datetime) -> int:
    with transaction.atomic():
        current = RosterImport.objects.select_for_update().filter(pk=import_id, status__in=services.RUNNING).first()
        # finished, or its lease renewed, since the list was read
        if current is None or not services.lease_expired(current, now):
            return 0
        commit = current.status == ImportStatus.COMMITTING
        if commit and services.commit_in_progress(current):
            return 0  # alive, just long: a running commit cannot renew its lease mid-transaction
        attempts, before = current.recovery_attempts, current.status
        gave_up = attempts >= MAX_RECOVERIES
        if gave_up:
            message = GAVE_UP.format(n=attempts)
            RosterImport.objects.filter(pk=import_id).update(
                status=ImportStatus.FAILED, failure_message=message, finished_at=now
            )
            after = ImportStatus.FAILED
            summary = f"生源导入后台处理中断，自动重试{attempts}次后标记为失败：{current.original_name}"
        else:
            services.requeue(current, commit=commit, recovery_attempts=F("recovery_attempts") + 1)
            after = current.status
            summary = f"生源导入后台处理中断，自动重新提交（第{attempts + 1}次）：{current.original_name}"
        audit_record(
            actor=None, action="roster.recover", summary=summary, target=current, school_id=current.school_id,
            changes={"status": [before, after], "recovery_attempts": [attempts, attempts if gave_up else attempts + 1]},
        )
    logger.info("roster import %s: %s", import_id, "failed after retries" if gave_up else "re-enqueued")
    return 1
