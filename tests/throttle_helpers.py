"""Shared by the throttle tests (the hand-moved clock is the `throttle_clock` fixture in
tests/conftest.py): the two counter stores (database cache, Redis) and thirty tries released
at once by a barrier."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from apps.core.errors import DomainError


def cache_backends(redis_db: int) -> dict[str, dict]:
    """The embedded install's default cache (counters in the database) and Redis, in a database
    of the calling test file's own (files clear their Redis database while they run)."""
    return {
        "database-cache": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "platform_cache"},
        "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                  "LOCATION": f"redis://127.0.0.1:6379/{redis_db}"},
    }


@contextmanager
def counters_in(name: str, backends: dict[str, dict], **settings):
    """Run the block with the counters in `backends[name]` on PostgreSQL (SQLite serialises
    every writer: the race cannot happen there); skip when Redis is not reachable."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, the race cannot happen there")
    if name == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url(backends["redis"]["LOCATION"], socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    with override_settings(CACHES={"default": backends[name]}, **settings):
        from django.core.cache import cache

        call_command("createcachetable", verbosity=0)  # the test database was created with the locmem cache
        cache.clear()
        yield name
        cache.clear()


def outcome_of(attempt: Callable[[int], object], i: int) -> str:
    """"accepted", or the refusal's code."""
    try:
        attempt(i)
    except DomainError as exc:
        return exc.code
    return "accepted"


def in_parallel(count: int, attempt: Callable[[int], object]) -> Counter:
    """Run attempt(i) in `count` threads released together by a barrier; tally the outcomes."""
    barrier = threading.Barrier(count)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            try:
                outcome = outcome_of(attempt, i)
            except Exception as exc:  # noqa: BLE001 - tallied: the caller's count check then fails
                outcome = f"error:{type(exc).__name__}"
            with lock:
                outcomes.append(outcome)
        finally:
            connection.close()  # each thread has its own connection; the test database must drop cleanly

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(outcomes)
