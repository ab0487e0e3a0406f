"""The throttle message tells the true wait: the window opens with the first counted try,
so ten minutes later 「请15分钟后再试」 would be a lie. The clock is moved forward by hand."""

from __future__ import annotations

import pytest
from django.test import override_settings

from apps.accounts.services import LoginAttempt, graduate_check_signing_pin, graduate_login
from apps.core import throttle
from apps.core.errors import DomainError, Throttled
from tests import factories as f


def attempt(world, id_number):
    g = world.graduate
    return LoginAttempt(world.school.pk, g.name, g.student_number, id_number, "10.1.1.1")


@override_settings(LOGIN_THROTTLE_PER_ACCOUNT=5, LOGIN_THROTTLE_WINDOW_SECONDS=15 * 60)
def test_the_login_throttle_message_counts_down_from_the_first_failure(world, throttle_clock):
    wrong = f.make_id_number(serial=901)
    for _ in range(5):
        with pytest.raises(DomainError, match="信息不匹配或没有注册"):
            graduate_login(attempt(world, wrong))
        throttle_clock.advance(minutes=1)
    with pytest.raises(Throttled, match="请10分钟后再试"):  # 5 of the 15 minutes have passed
        graduate_login(attempt(world, world.graduate.id_number))
    throttle_clock.advance(minutes=6)
    with pytest.raises(Throttled, match="请4分钟后再试"):
        graduate_login(attempt(world, world.graduate.id_number))
    throttle_clock.advance(minutes=3, seconds=59)
    with pytest.raises(Throttled, match="请1分钟后再试"):  # rounded up, never too early
        graduate_login(attempt(world, world.graduate.id_number))
    throttle_clock.advance(seconds=1)  # exactly 15 minutes after the first failure: the window has closed
    assert graduate_login(attempt(world, world.graduate.id_number)).graduate_id == world.graduate.pk


@override_settings(LOGIN_THROTTLE_PER_ACCOUNT=3, LOGIN_THROTTLE_WINDOW_SECONDS=10 * 60)
def test_the_pin_throttle_message_follows_the_window_setting(world, throttle_clock):
    for _ in range(3):
        with pytest.raises(DomainError, match="签约密码错误"):
            graduate_check_signing_pin(graduate=world.graduate, pin="975318", client_address="x")
    throttle_clock.advance(minutes=2, seconds=30)
    with pytest.raises(Throttled, match="请8分钟后再试"):
        graduate_check_signing_pin(graduate=world.graduate, pin="246810", client_address="x")
    throttle_clock.advance(minutes=7, seconds=30)
    graduate_check_signing_pin(graduate=world.graduate, pin="246810", client_address="x")  # window over


@override_settings(LOGIN_THROTTLE_PER_ACCOUNT=2)
def test_refused_tries_do_not_extend_or_fill_the_window(world, throttle_clock):
    """A refused (unchecked) try gives its count back: the counter says how many were checked."""
    for _ in range(2):
        with pytest.raises(DomainError):
            graduate_check_signing_pin(graduate=world.graduate, pin="975318", client_address="x")
    for _ in range(5):
        with pytest.raises(Throttled):
            graduate_check_signing_pin(graduate=world.graduate, pin="246810", client_address="x")
    assert throttle.peek("pin", str(world.graduate.pk)).count == 2


REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}}


@pytest.mark.parametrize("backend", ["database", "redis"])
def test_counters_behave_alike_in_the_database_and_in_redis(db, backend):
    caches = REDIS if backend == "redis" else None
    if caches:
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url(REDIS["default"]["LOCATION"], socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    with override_settings(**({"CACHES": caches} if caches else {})):
        from django.core.cache import cache

        cache.clear()
        assert throttle.peek("t", "a").count == 0
        first = throttle.hit("t", "a", 600)
        assert (first.count, first.minutes) == (1, 10)
        assert [throttle.hit("t", "a", 600).count for _ in range(3)] == [2, 3, 4]
        throttle.undo("t", "a")
        assert throttle.peek("t", "a").count == 3 and throttle.peek("t", "b").count == 0
        assert 0 < throttle.peek("t", "a").retry_after <= 600
        throttle.reset("t", "a")
        throttle.undo("t", "a")  # nothing to give back: stays at zero
        assert throttle.peek("t", "a").count == 0
        assert throttle.hit("t", "a", 600).count == 1
        cache.clear()


def test_closed_windows_are_purged_now_and_then(db, throttle_clock, monkeypatch):
    from apps.core.models import ThrottleCounter

    throttle.hit("t", "old", 60)
    throttle_clock.advance(minutes=2)
    monkeypatch.setattr(throttle.secrets, "randbelow", lambda n: 0)  # the 1-in-100 purge happens now
    throttle.hit("t", "new", 60)
    assert ThrottleCounter.objects.count() == 1 and throttle.peek("t", "new").count == 1
