"""Background jobs that survive a killed worker (后台任务中断恢复).

A worker killed mid-task (SIGKILL, OOM, a lost machine) never marks its task finished: the
django_tasks_db row stays RUNNING forever and the work it stood for (an agreement PDF, a
roster validation) never happens. Recovery therefore has two halves, both run by
`manage.py recover_jobs` (every minute from `manage.py run_scheduler`):

1. queue truth: a database-queue task RUNNING for longer than `JOB_LEASE_SECONDS` is marked
   FAILED (django_tasks_db records worker ids but no heartbeat, so a lease is the only
   signal that its worker is gone);
2. the work itself: each app's recoverer in `RECOVERERS` looks at its own domain rows
   (approved agreement without a PDF, import stuck in validation) and re-enqueues the
   idempotent task. A recoverer takes `now=` and returns how many things it re-enqueued.

Every task must therefore be idempotent: run twice, or once half-way and then again, it
leaves the same result as one complete run.

`checkpoint(name)` is a fault-injection point for tests (tests/worker_harness.py): with
`PLATFORM_JOB_PAUSE=<name>:<seconds>` in the environment the job sleeps there, so a test
can kill the worker deterministically mid-job; `PLATFORM_JOB_PAUSE_SIGNAL=<file>` makes the
checkpoint write its name to that file first, so the test knows the pause has begun.
Without the variable (and always in production) it does nothing.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# The one list of recoverers (dotted paths, imported when run so an app's import errors
# surface in recover_jobs rather than at start-up). Each: fn(now=None) -> int.
RECOVERERS = [
    "apps.signing.recovery.recover_missing_pdfs",
    "apps.roster.recovery.recover_stale_imports",
    "apps.statistics.snapshots.recover_missing_snapshots",
]

# Written into a task row marked FAILED by the lease: what staff see in the admin queue.
LOST_WORKER_EXCEPTION = "apps.core.jobs.WorkerLost"
LOST_WORKER_MESSAGE = "后台任务执行中工作进程中断（超过租约时间未完成），已标记为失败；相关业务由恢复任务重新提交。"


class WorkerLost(Exception):  # noqa: N818 - names the recorded cause, not a raised error
    """Recorded as the exception class of a task whose worker vanished."""


def checkpoint(name: str) -> None:
    """Test-only pause point inside a job (see the module docstring)."""
    spec = os.environ.get("PLATFORM_JOB_PAUSE", "")
    if not spec or getattr(settings, "PRODUCTION", False):
        return
    wanted, _, seconds = spec.partition(":")
    if wanted != name:
        return
    signal_file = os.environ.get("PLATFORM_JOB_PAUSE_SIGNAL", "")
    if signal_file:
        Path(signal_file).write_text(name)
    time.sleep(float(seconds or 60))


def lease_seconds() -> int:
    return int(getattr(settings, "JOB_LEASE_SECONDS", 600))


def fail_stale_tasks(*, now: datetime | None = None) -> int:
    """Mark database-queue tasks RUNNING longer than the lease as FAILED. One conditional
    UPDATE: a worker that does finish meanwhile simply overwrites the row with its result."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - timedelta(seconds=lease_seconds()),
    ).update(status=TaskResultStatus.FAILED, finished_at=now, exception_class_path=LOST_WORKER_EXCEPTION,
             traceback=LOST_WORKER_MESSAGE, return_value=None)


def recover_stale_jobs(*, now: datetime | None = None) -> dict[str, int]:
    """Run the queue sweep, then every recoverer; returns counts by name. One recoverer's
    failure is logged and does not stop the others."""
    now = now or timezone.now()
    counts = {"stale_tasks": fail_stale_tasks(now=now)}
    for path in RECOVERERS:
        try:
            counts[path] = import_string(path)(now=now)
        except Exception:
            logger.exception("recoverer %s failed", path)
            counts[path] = -1
    return counts
