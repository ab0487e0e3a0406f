"""A REAL `manage.py db_worker` subprocess against the test database, for tests of what
happens when a worker dies mid-job.

Use it from a transactional test (`@pytest.mark.django_db(transaction=True)`: the worker
is another process and only sees committed rows), with the test process enqueueing on the
database backend (`database_tasks()` below):

    from tests.worker_harness import database_tasks, db_worker

    with database_tasks(), db_worker(pause="agreement_pdf:120") as worker:
        result = generate_agreement_pdf.enqueue(agreement.pk)
        worker.wait_running(result.id)    # the worker claimed it (row RUNNING)
        worker.wait_paused()              # it sits at apps.core.jobs.checkpoint("agreement_pdf")
        worker.kill()                     # SIGKILL: no clean-up, the row stays RUNNING

`pause="<checkpoint>:<seconds>"` sets PLATFORM_JOB_PAUSE for the worker, so the job sleeps
at `apps.core.jobs.checkpoint(<checkpoint>)`; put such a call in your job where "half-way"
matters. Without `pause` the worker just runs jobs; `worker.wait_finished(task_id)` waits
until a task is SUCCESSFUL or FAILED. `worker.log()` returns the worker's output (shown in
the assertion message when a wait times out).

The worker gets this process's environment (same PLATFORM_VAR_DIR, development secrets,
signing keys and media directory, so encrypted fields decrypt and files are shared) with
DATABASE_URL pointing at the test database (SQLite file or PostgreSQL test database),
TASKS_BACKEND=database and DJANGO_SETTINGS_MODULE=config.settings. Settings changed
inside the test (`settings` fixture, override_settings) do NOT reach the worker.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[1]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def database_tasks():
    """Enqueue on the database queue in this (test) process; django-tasks rebuilds its
    backends when the setting changes."""
    return override_settings(TASKS=DATABASE_TASKS)


def worker_database_url() -> str:
    """The DATABASE_URL of the database this test process is using right now."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        # same busy timeout and IMMEDIATE transactions as the embedded default: the worker
        # and the test write to one file
        return f"sqlite:///{Path(db['NAME']).resolve()}?timeout=20&transaction_mode=IMMEDIATE"
    if db["ENGINE"].endswith("postgresql"):
        user = db.get("USER") or "postgres"
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{user}@{host}:{port}/{db['NAME']}"
    raise RuntimeError(f"worker harness: unsupported database engine {db['ENGINE']}")


def worker_environment(**extra: str) -> dict[str, str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "TASKS_BACKEND": "database",
           "DATABASE_URL": worker_database_url(), "PYTHONUNBUFFERED": "1",
           # the test's own published audit heads, never the development database's var/audit-heads
           "AUDIT_HEADS_DIR": str(settings.AUDIT_HEADS_DIR)}
    env.pop("PLATFORM_JOB_PAUSE", None)
    env.pop("PLATFORM_JOB_PAUSE_SIGNAL", None)
    env.update(extra)
    return env


def prepare_database() -> None:
    """What the worker's settings need beyond the test database: the database cache's table
    (tests cache in process memory, the worker in the database unless REDIS_URL is set)."""
    from django.core.management import call_command

    call_command("createcachetable", "platform_cache", verbosity=0)


class KillableProcess:
    """A child process a test kills for real (``process``, ``log_file``): the worker harness here
    and the registry relay harness share these."""

    stop_timeout = 10

    def kill(self) -> None:
        """SIGKILL, like the OOM killer: the process gets no chance to clean up."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def log(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")[-4000:]
        except FileNotFoundError:
            return ""


class Worker(KillableProcess):
    def __init__(self, *, pause: str = "", timeout: float = 120):
        prepare_database()
        self.timeout = timeout
        self._dir = Path(tempfile.mkdtemp(prefix="worker-harness-"))
        self.signal_file = self._dir / "paused"
        self.log_file = self._dir / "worker.log"
        self.worker_id = f"harness-{uuid.uuid4().hex[:12]}"
        extra = {"PLATFORM_JOB_PAUSE": pause, "PLATFORM_JOB_PAUSE_SIGNAL": str(self.signal_file)} if pause else {}
        self.env = worker_environment(**extra)
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2",
                 "--worker-id", self.worker_id, "-v", "2"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    # --- waiting -------------------------------------------------------------------------------

    def _wait(self, what: str, ready) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if ready():
                return
            if self.process.poll() is not None:
                raise AssertionError(f"worker exited ({self.process.returncode}) while waiting for {what}:\n{self.log()}")
            time.sleep(0.1)
        raise AssertionError(f"timed out after {self.timeout}s waiting for {what}:\n{self.log()}")

    @staticmethod
    def _status(task_id) -> str | None:
        from django_tasks_db.models import DBTaskResult

        return DBTaskResult.objects.filter(pk=task_id).values_list("status", flat=True).first()

    def wait_running(self, task_id) -> None:
        """Until this worker has claimed the task (its row is RUNNING)."""
        self._wait(f"task {task_id} RUNNING", lambda: self._status(task_id) == "RUNNING")

    def wait_finished(self, task_id) -> str:
        """Until the task is SUCCESSFUL or FAILED; returns the status."""
        self._wait(f"task {task_id} finished", lambda: self._status(task_id) in ("SUCCESSFUL", "FAILED"))
        return self._status(task_id)

    def wait_paused(self) -> None:
        """Until the job has reached its `checkpoint(...)` and sleeps there."""
        self._wait("the job's checkpoint", self.signal_file.exists)

    # --- stopping ------------------------------------------------------------------------------



@contextlib.contextmanager
def db_worker(*, pause: str = "", timeout: float = 120):
    """Start a worker; stop it (SIGTERM, then SIGKILL) on exit whatever happened."""
    worker = Worker(pause=pause, timeout=timeout)
    try:
        yield worker
    finally:
        worker.stop()
        # the worker's connection must be gone before the test database is flushed/dropped
        for path in (worker.signal_file, worker.log_file):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            worker._dir.rmdir()


def kill_command_at_checkpoint(command: list[str], *, pause: str, timeout: float = 120) -> None:
    """Run `manage.py <command…>` in a process of its own with its job paused at the checkpoint
    `pause` (``"<name>"``), and SIGKILL it as soon as the pause has begun (no clean-up runs).
    Call `prepare_database()` first so the process sees the test's data."""
    folder = Path(tempfile.mkdtemp(prefix="killed-command-"))
    signal_file, log_file = folder / "paused", folder / "command.log"
    env = worker_environment(PLATFORM_JOB_PAUSE=f"{pause}:{int(timeout)}", PLATFORM_JOB_PAUSE_SIGNAL=str(signal_file))
    with log_file.open("wb") as log:
        process = subprocess.Popen([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while not signal_file.exists():
            assert process.poll() is None, log_file.read_text(errors="replace")
            assert time.monotonic() < deadline, f"{command[0]} never reached its checkpoint {pause}"
            time.sleep(0.1)
        process.kill()  # SIGKILL: no clean-up
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        for path in (signal_file, log_file):
            path.unlink(missing_ok=True)
        folder.rmdir()
