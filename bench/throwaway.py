"""The throwaway Django a standalone benchmark runs in (shared by checkin, signing_confirm and
job_search): its own directory under var/bench/ for keys, files and the SQLite database (only
that directory is deleted), or an empty PostgreSQL database named by --database-url; the
embedded task backend so jobs are queued, never run inside a timed request; fast password
hashing; DEBUG off; migrated, with the cache table."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_django(var: Path, *, database_url: str = "", keep: bool = False, baseline: bool = False,
                 quiet_refusals: bool = False) -> None:
    """`keep`: reuse the previous run's directory (and data); `baseline`: mount the bare
    baseline page (apps/core/bench_views.py); `quiet_refusals`: expected 4xx answers are not
    logged as warnings."""
    sys.path.insert(0, str(ROOT))
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)  # never the development database
    if var.exists() and not keep:
        shutil.rmtree(var)  # this benchmark's keys, files and SQLite database only
    var.mkdir(parents=True, exist_ok=True)
    os.environ["PLATFORM_VAR_DIR"] = str(var)
    os.environ["TASKS_BACKEND"] = "database"  # jobs are queued, never run inside the request
    os.environ["PLATFORM_FAST_HASHER"] = "1"
    if baseline:
        os.environ["PLATFORM_BENCH_BASELINE"] = "1"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    warnings.filterwarnings("ignore", message="No directory at")

    import django

    django.setup()
    from django.core.management import call_command
    from django.test.utils import setup_test_environment

    setup_test_environment()  # 'testserver' allowed
    if quiet_refusals:
        logging.getLogger("django.request").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)


def refuse_a_used_database(database_url: str) -> None:
    """--database-url must be an empty, throwaway database (never one holding graduates)."""
    from apps.graduates.models import Graduate

    if database_url and Graduate.objects.exists():
        sys.exit("--database-url already holds graduates: use an empty, throwaway database")


def run_header(title: str) -> str:
    """The first two lines of a benchmark's report: what ran, when, on which machine and how
    busy it was (ratios are comparable within one run only)."""
    import platform
    from datetime import date

    from django.db import connection

    load = os.getloadavg()
    return (f"{title} — {date.today():%Y-%m-%d}\n"
            f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{connection.vendor}; load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
