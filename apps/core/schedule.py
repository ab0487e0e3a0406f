"""Periodic jobs (定时任务), declared in ONE list, run by `manage.py run_scheduler`.

Each job runs at most once per period across all schedulers: its PeriodicJobRun row's
`next_run_at` is advanced by one conditional UPDATE (`WHERE next_run_at <= now`), and only
the scheduler whose UPDATE changed the row runs the job. A scheduler killed while a job
runs loses that period's run; the next period runs it again, so every job here must be
idempotent (they are: recovery, expiry sweep and verification only converge).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.management import call_command
from django.db.models import F
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.core.models import PeriodicJobRun

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    every: timedelta
    command: str = ""  # a management command run with call_command …
    function: str = ""  # … or a dotted path to a function taking no arguments

    def run(self) -> str:
        if self.command:
            out = io.StringIO()
            call_command(self.command, stdout=out, stderr=out)
            return out.getvalue().strip()
        return str(import_string(self.function)())


SCHEDULE: list[PeriodicJob] = [
    # killed workers: stale queue rows marked FAILED, lost PDFs / imports re-enqueued
    PeriodicJob("recover_jobs", timedelta(minutes=1), command="recover_jobs"),
    # invitations also lapse on every read; this sends the 已过期 notices promptly
    PeriodicJob("expire_invitations", timedelta(hours=1), command="expire_invitations"),
    # published postings past their deadline leave the search (已过截止日期) and employers are told
    PeriodicJob("expire_postings", timedelta(hours=1), command="expire_postings"),
    # the audit trail's hash chains
    PeriodicJob("audit_verify", timedelta(days=1), command="audit_verify"),
    # each chain's head appended, signed, to AUDIT_HEADS_DIR: catches a later rewrite of the chain
    PeriodicJob("audit_publish_heads", timedelta(days=1), command="audit_publish_heads"),
    # the maintained graduate counts per college (staff home, province school list) rebuilt
    # from the graduates: repairs any write that bypassed apps/graduates/counts.py
    PeriodicJob("recount_graduates", timedelta(days=1), command="recount_graduates"),
    # 新职位提醒: each graduate's digest of new matching postings, at most one a day (the job
    # claims each intention for the day; it sends nothing before 08:00)
    PeriodicJob("send_match_digests", timedelta(hours=1), command="send_match_digests"),
    # 宣讲会提醒: graduates signed up for tomorrow's sessions, once per sign-up (claimed by reminded_at)
    PeriodicJob("send_session_reminders", timedelta(hours=1), command="send_session_reminders"),
    # 招聘会提醒: the day-before reminder to registered graduates (each registration claimed once)
    PeriodicJob("send_fair_reminders", timedelta(hours=1), command="send_fair_reminders"),
    # e-mail / SMS of notifications: whatever is due (a lost enqueue, a retry, a killed worker's claim)
    PeriodicJob("deliver_notifications", timedelta(minutes=1), command="deliver_notifications"),
    # the daily 消息摘要: one e-mail per person and day from 08:00 on (claimed per person and day)
    PeriodicJob("send_notification_digests", timedelta(hours=1), command="send_notification_digests"),
    # 就业统计每日快照: every school's figures of the day (trend line, province ranking); idempotent per day
    PeriodicJob("stats_snapshot", timedelta(days=1), command="stats_snapshot"),
]


def _claim(job: PeriodicJob, now: datetime) -> bool:
    """True for exactly one caller per period (one conditional UPDATE, atomic on SQLite and
    PostgreSQL: a second UPDATE waits for the row and then no longer matches)."""
    PeriodicJobRun.objects.bulk_create([PeriodicJobRun(name=job.name, next_run_at=now)], ignore_conflicts=True)
    return PeriodicJobRun.objects.filter(name=job.name, next_run_at__lte=now).update(
        next_run_at=now + job.every, last_started_at=now, runs=F("runs") + 1) == 1


def run_due(*, now: datetime | None = None, jobs: list[PeriodicJob] | None = None) -> list[str]:
    """Run every job whose period has come and that no other scheduler claimed; returns the
    names run. A failing job is logged and recorded (last_ok=False); the others still run."""
    now = now or timezone.now()
    ran = []
    for job in SCHEDULE if jobs is None else jobs:
        if not _claim(job, now):
            continue
        ran.append(job.name)
        ok = True
        try:
            output = job.run()
            logger.info("periodic job %s done: %s", job.name, output[:500])
        except Exception:
            ok = False
            logger.exception("periodic job %s failed", job.name)
        PeriodicJobRun.objects.filter(name=job.name).update(last_finished_at=timezone.now(), last_ok=ok)
    return ran
