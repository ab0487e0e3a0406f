"""Failure counters in the cache (database cache by default, Redis at scale)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def _key(scope: str, subject: str) -> str:
    # Hash the subject: keys may contain personal data (name + student number).
    return "throttle:" + scope + ":" + hashlib.sha256(subject.encode()).hexdigest()[:32]


def failures(scope: str, subject: str) -> int:
    return int(cache.get(_key(scope, subject), 0))


def record_failure(scope: str, subject: str, window_seconds: int) -> int:
    key = _key(scope, subject)
    if cache.add(key, 1, window_seconds):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window_seconds)
        return 1


def reset(scope: str, subject: str) -> None:
    cache.delete(_key(scope, subject))
