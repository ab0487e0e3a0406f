"""Attempt counters for throttling (限流): login, signing PIN, lookups.

Counted atomically on every backend, so parallel requests cannot slip past a limit:
Redis (one Lua script: INCR and the window's expiry together) when the cache is Redis,
otherwise a database row counted with one conditional UPDATE (`core.ThrottleCounter`).
The database cache cannot be used for this: its `incr` is a get followed by a set.

Callers count first, then decide: `hit()` returns the new count and the time left in the
window; a try whose count is over the limit is refused without evaluating it (and `undo()`
gives the slot back). `take()` does exactly that for one limit. The window is fixed, opened
by the first counted try; `retry_after` is what the refusal message must show. There is no
"how many so far?" check to call before counting: tests/core/test_no_check_then_count.py
keeps that pattern out of apps/.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.cache import caches
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.core.errors import Throttled

_HIT = """
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
"""
_PEEK = "return {redis.call('GET', KEYS[1]) or '0', redis.call('PTTL', KEYS[1])}"
_UNDO = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class Window:
    """A counter's state: tries counted in the open window and seconds until it closes."""

    count: int
    retry_after: float

    @property
    def minutes(self) -> int:
        """Whole minutes to wait, rounded up: the refusal message must not promise too early."""
        return max(1, math.ceil(self.retry_after / 60))


def _now() -> datetime:
    return timezone.now()


def _key(scope: str, subject: str) -> str:
    # Hash the subject: keys may contain personal data (name + student number).
    return "throttle:" + scope + ":" + hashlib.sha256(subject.encode()).hexdigest()[:32]


def _redis():
    """The default cache when it is Redis, else None (counters live in the database)."""
    from django.core.cache.backends.redis import RedisCache

    backend = caches["default"]
    if not isinstance(backend, RedisCache):
        return None
    return backend


def _redis_eval(backend, script: str, key: str, *args):
    full_key = backend.make_and_validate_key(key)
    return backend._cache.get_client(full_key, write=True).eval(script, 1, full_key, *args)


def hit(scope: str, subject: str, window_seconds: int) -> Window:
    """Count one try and return the new count (atomic on every backend)."""
    key = _key(scope, subject)
    backend = _redis()
    if backend is not None:
        count, ttl_ms = _redis_eval(backend, _HIT, key, int(window_seconds * 1000))
        return Window(int(count), int(ttl_ms) / 1000)
    return _db_hit(key, window_seconds)


def take(scope: str, subject: str, *, limit: int, window_seconds: int, message: str) -> Window:
    """Count this try, then decide: a try counted beyond `limit` gives its slot back and is
    refused with `message` (its `{minutes}` is the wait left in the window) before the caller
    does the guarded work. Returns the window of an admitted try; a caller whose try turns
    out not to be a guess gives the slot back with `undo()`."""
    window = hit(scope, subject, window_seconds)
    if window.count > limit:
        undo(scope, subject)  # refused unevaluated: the counter keeps meaning "tries evaluated"
        raise Throttled(message.format(minutes=window.minutes))
    return window


# One statement, atomic on PostgreSQL and SQLite (>= 3.35): count in the open window, or
# open a new one when there is none or it has closed. The row lock taken by the upsert
# makes the returned count this try's own number.
_UPSERT = """
INSERT INTO {table} ("key", "count", "expires_at") VALUES (%s, 1, %s)
ON CONFLICT ("key") DO UPDATE SET
  "count" = CASE WHEN {table}."expires_at" > %s THEN {table}."count" + 1 ELSE 1 END,
  "expires_at" = CASE WHEN {table}."expires_at" > %s THEN {table}."expires_at" ELSE %s END
RETURNING "count", "expires_at"
"""


def _db_hit(key: str, window_seconds: int) -> Window:
    from apps.core.models import ThrottleCounter

    now = _now()
    ops = connection.ops
    new_end, now_value = (ops.adapt_datetimefield_value(now + timedelta(seconds=window_seconds)),
                          ops.adapt_datetimefield_value(now))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=connection.ops.quote_name(ThrottleCounter._meta.db_table)),
                       [key, new_end, now_value, now_value, new_end])
        count, expires_at = cursor.fetchone()
    if isinstance(expires_at, str):  # SQLite: the stored text, in UTC
        expires_at = parse_datetime(expires_at)
    if timezone.is_naive(expires_at):  # SQLite stores UTC without an offset
        expires_at = expires_at.replace(tzinfo=UTC)
    if count == 1 and secrets.randbelow(100) == 0:
        _purge_expired(now)  # now and then, when a window opens: closed windows pile up otherwise
    return Window(count, (expires_at - now).total_seconds())


def _purge_expired(now: datetime) -> None:
    """Drop closed windows (client addresses come and go). Best effort: two purges racing
    may deadlock in PostgreSQL; the loser leaves the rows to the next one."""
    from apps.core.models import ThrottleCounter

    try:
        with transaction.atomic():
            stale = list(ThrottleCounter.objects.filter(expires_at__lte=now).values_list("pk", flat=True)[:500])
            if stale:
                ThrottleCounter.objects.filter(pk__in=stale, expires_at__lte=now).delete()
    except DatabaseError:
        pass


def peek(scope: str, subject: str) -> Window:
    """The counter as it stands, without counting."""
    key = _key(scope, subject)
    backend = _redis()
    if backend is not None:
        count, ttl_ms = _redis_eval(backend, _PEEK, key)
        return Window(int(count), max(0, int(ttl_ms)) / 1000)
    from apps.core.models import ThrottleCounter

    now = _now()
    row = ThrottleCounter.objects.filter(key=key, expires_at__gt=now).values_list("count", "expires_at").first()
    return Window(row[0], (row[1] - now).total_seconds()) if row else Window(0, 0.0)


def undo(scope: str, subject: str) -> None:
    """Give back one counted try (it was refused unevaluated, or it succeeded)."""
    key = _key(scope, subject)
    backend = _redis()
    if backend is not None:
        _redis_eval(backend, _UNDO, key)
        return
    from apps.core.models import ThrottleCounter

    ThrottleCounter.objects.filter(key=key, expires_at__gt=_now(), count__gt=0).update(count=F("count") - 1)


def reset(scope: str, subject: str) -> None:
    key = _key(scope, subject)
    backend = _redis()
    if backend is not None:
        backend.delete(key)
        return
    from apps.core.models import ThrottleCounter

    ThrottleCounter.objects.filter(key=key).delete()
