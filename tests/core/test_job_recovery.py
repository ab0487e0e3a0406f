"""A killed worker no longer leaves its job RUNNING forever: recover_jobs marks tasks past
their lease FAILED (the queue shows the truth) and runs every app's recoverer; the
scheduler runs periodic jobs once per period however many schedulers are running."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from apps.core import jobs, schedule
from apps.core.models import PeriodicJobRun
from tests.worker_harness import database_tasks, db_worker


@task()
def paused_echo(value: str) -> str:
    """A job with a checkpoint: the worker harness can kill it half-way."""
    jobs.checkpoint("paused_echo")
    return value


@pytest.mark.django_db(transaction=True)
def test_killed_worker_task_stays_running_until_recover_jobs_marks_it_failed(settings):
    settings.JOB_LEASE_SECONDS = 600
    with database_tasks(), db_worker(pause="paused_echo:120") as worker:
        result = paused_echo.enqueue("生源导入")
        worker.wait_running(result.id)
        worker.wait_paused()
        worker.kill()
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "RUNNING"  # the defect: nobody will ever finish it

    # within the lease the worker might still be alive: untouched
    call_command("recover_jobs", verbosity=0)
    assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"

    settings.JOB_LEASE_SECONDS = 0
    call_command("recover_jobs", verbosity=0)
    row.refresh_from_db()
    assert row.status == "FAILED"
    assert row.exception_class_path == jobs.LOST_WORKER_EXCEPTION
    assert "工作进程中断" in row.traceback


@pytest.mark.django_db(transaction=True)
def test_worker_without_pause_runs_the_job_to_success():
    with database_tasks(), db_worker() as worker:
        result = paused_echo.enqueue("网络签约")
        assert worker.wait_finished(result.id) == "SUCCESSFUL"
    assert DBTaskResult.objects.get(pk=result.id).return_value == "网络签约"


@pytest.mark.django_db
def test_lease_sweep_leaves_finished_and_fresh_tasks_alone(settings):
    settings.JOB_LEASE_SECONDS = 600
    now = timezone.now()
    with database_tasks():
        stale, fresh, done = (paused_echo.enqueue(v) for v in ("a", "b", "c"))
    DBTaskResult.objects.filter(pk=stale.id).update(status="RUNNING", started_at=now - timedelta(seconds=601))
    DBTaskResult.objects.filter(pk=fresh.id).update(status="RUNNING", started_at=now - timedelta(seconds=30))
    DBTaskResult.objects.filter(pk=done.id).update(status="SUCCESSFUL", started_at=now - timedelta(hours=2))
    assert jobs.recover_stale_jobs(now=now)["stale_tasks"] == 1
    statuses = {str(pk): status for pk, status in DBTaskResult.objects.values_list("pk", "status")}
    assert (statuses[stale.id], statuses[fresh.id], statuses[done.id]) == ("FAILED", "RUNNING", "SUCCESSFUL")
    again = jobs.recover_stale_jobs(now=now)
    assert again["stale_tasks"] == 0  # idempotent
    assert {path: again[path] for path in jobs.RECOVERERS} == dict.fromkeys(jobs.RECOVERERS, 0)  # all ran, none failed


def test_recoverers_are_importable_and_take_now():
    for path in jobs.RECOVERERS:
        from django.utils.module_loading import import_string

        assert callable(import_string(path)), path


def test_checkpoint_is_a_no_op_unless_asked(monkeypatch, tmp_path):
    signal_file = tmp_path / "paused"
    monkeypatch.setenv("PLATFORM_JOB_PAUSE", "other:5")
    monkeypatch.setenv("PLATFORM_JOB_PAUSE_SIGNAL", str(signal_file))
    jobs.checkpoint("paused_echo")
    assert not signal_file.exists()
    monkeypatch.setenv("PLATFORM_JOB_PAUSE", "paused_echo:0")
    jobs.checkpoint("paused_echo")
    assert signal_file.read_text() == "paused_echo"


# --- the scheduler ---------------------------------------------------------------------------

RUNS: list[str] = []
RUNS_LOCK = threading.Lock()


def record_run():
    with RUNS_LOCK:
        RUNS.append("ran")


TEST_JOBS = [schedule.PeriodicJob("test_minutely", timedelta(minutes=1), function="tests.core.test_job_recovery.record_run")]


@pytest.mark.django_db
def test_schedule_runs_a_job_once_per_period():
    RUNS.clear()
    now = timezone.now()
    assert schedule.run_due(now=now, jobs=TEST_JOBS) == ["test_minutely"]
    assert schedule.run_due(now=now + timedelta(seconds=30), jobs=TEST_JOBS) == []
    assert schedule.run_due(now=now + timedelta(seconds=61), jobs=TEST_JOBS) == ["test_minutely"]
    assert len(RUNS) == 2
    assert PeriodicJobRun.objects.get(name="test_minutely").runs == 2


def test_schedule_declares_the_periodic_jobs():
    names = {job.name: job.every for job in schedule.SCHEDULE}
    assert names["recover_jobs"] == timedelta(minutes=1)
    assert names["expire_invitations"] == timedelta(hours=1)
    assert names["audit_verify"] == timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_two_schedulers_at_the_same_moment_run_a_job_once():
    RUNS.clear()
    now = timezone.now()
    schedule.run_due(now=now - timedelta(minutes=5), jobs=TEST_JOBS)  # the row exists and is due
    RUNS.clear()
    racers = 6
    barrier = threading.Barrier(racers)
    ran: list[list[str]] = []

    def scheduler():
        try:
            barrier.wait(timeout=30)
            names = schedule.run_due(now=now, jobs=TEST_JOBS)
            with RUNS_LOCK:
                ran.append(names)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scheduler) for _ in range(racers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(ran) == racers
    assert sum(len(names) for names in ran) == 1
    assert RUNS == ["ran"]


@pytest.mark.django_db
def test_a_failing_job_does_not_stop_the_others(monkeypatch):
    RUNS.clear()
    jobs_ = [schedule.PeriodicJob("broken", timedelta(minutes=1), function="tests.core.test_job_recovery.no_such"),
             *TEST_JOBS]
    assert schedule.run_due(now=timezone.now(), jobs=jobs_) == ["broken", "test_minutely"]
    assert RUNS == ["ran"]


@pytest.mark.django_db
def test_run_scheduler_once_runs_recover_jobs(settings):
    settings.JOB_LEASE_SECONDS = 0
    with database_tasks():
        stuck = paused_echo.enqueue("x")
    DBTaskResult.objects.filter(pk=stuck.id).update(status="RUNNING", started_at=timezone.now() - timedelta(seconds=5))
    call_command("run_scheduler", once=True, verbosity=0)
    assert DBTaskResult.objects.get(pk=stuck.id).status == "FAILED"
    assert PeriodicJobRun.objects.filter(name="recover_jobs").exists()


@pytest.mark.django_db(transaction=True)
def test_scheduler_process_runs_due_jobs_and_stops_on_sigterm():
    import signal
    import subprocess
    import sys
    import time

    from tests.worker_harness import ROOT, prepare_database, worker_environment

    prepare_database()
    process = subprocess.Popen([sys.executable, "manage.py", "run_scheduler", "--tick", "0.5"], cwd=ROOT,
                               env=worker_environment(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while not PeriodicJobRun.objects.filter(name="audit_verify", last_finished_at__isnull=False).exists():
            assert process.poll() is None and time.monotonic() < deadline, process.stdout.read().decode()
            time.sleep(0.2)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    runs = dict(PeriodicJobRun.objects.values_list("name", "runs"))
    assert runs["recover_jobs"] >= 1 and runs["expire_invitations"] == 1 and runs["audit_verify"] == 1
