"""Test settings: the same settings with tasks run inline and a fast password hasher."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("TASKS_BACKEND", "immediate")
os.environ.setdefault("PLATFORM_FAST_HASHER", "1")
# Playwright's sync API runs an event loop in the test thread; the ORM calls in the
# test body are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.settings import *  # noqa: E402,F403

# The cache in process memory (no database access outside a test's transaction). Throttle counters
# live in the database (core.ThrottleCounter) unless the cache is Redis, so tests see them roll back.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}

# Static files by their plain names: the live server of the browser tests serves them from the
# source directories, so hashed names from an earlier collectstatic (scripts/start.sh) must not leak in.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# One SQLite test database per test process: parallel runs (developers, helpers, CI) must
# not share a file.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": VAR_DIR / f"test-platform-{os.getpid()}.sqlite3"}  # noqa: F405
else:
    # PostgreSQL: parallel runs on one server (developers, helpers, CI) each get their own
    # test database when TEST_DB_SUFFIX is set.
    _suffix = os.environ.get("TEST_DB_SUFFIX", "")
    if _suffix:
        DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{_suffix}"}  # noqa: F405

# Published audit chain heads of the development database (var/audit-heads) must not be
# checked against test databases: a per-process directory, created only when a test publishes.
AUDIT_HEADS_DIR = Path(tempfile.gettempdir()) / f"platform-test-audit-heads-{os.getpid()}"

# The registry: nothing listens on port 1, so a test that reads the registry without the
# `registry_standin` fixture sees "unreachable" — never a developer's running stand-in on 8770.
REGISTRY_URL = "http://127.0.0.1:1"
REGISTRY_TIMEOUT_SECONDS = 2
