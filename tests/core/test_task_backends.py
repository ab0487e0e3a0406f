"""Background work really runs on both backends: the embedded database queue (worker:
manage.py db_worker) and, at scale, Redis through RQ (worker: manage.py rqworker)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_database_backend_runs_an_enqueued_task_in_the_worker():
    from django_tasks.base import TaskResultStatus

    # django-tasks rebuilds its backends on setting_changed
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        from apps.core.tasks import echo

        result = echo.enqueue("生源导入")
        assert result.status == TaskResultStatus.READY
        call_command("db_worker", batch=True, verbosity=0)
        result.refresh()
        assert (result.status, result.return_value) == (TaskResultStatus.SUCCESSFUL, "生源导入")


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379 (the RQ backend needs one)")
def test_rq_backend_runs_an_enqueued_task_in_an_rq_worker(tmp_path):
    env = {**os.environ, "TASKS_BACKEND": "rq", "REDIS_URL": "redis://127.0.0.1:6379/15",
           "DJANGO_SETTINGS_MODULE": "config.settings", "PLATFORM_VAR_DIR": str(tmp_path)}

    def manage(*args):
        return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=120, check=True).stdout.strip().splitlines()

    task_id = manage("shell", "-c", "from apps.core.tasks import echo; print(echo.enqueue('网络签约').id)")[-1]
    manage("rqworker", "default", "--burst", "--job-class", "django_tasks_rq.Job")
    out = manage("shell", "-c", f"from apps.core.tasks import echo; r = echo.get_result('{task_id}'); "
                                "print(r.status, r.return_value)")[-1]
    assert out == "SUCCESSFUL 网络签约"
