"""The five throttles of online signing count first, then decide (issue 8, defect 2):
名片码 lookup, self-print session start (自助打印), the employer's graduate lookup, and the
public 协议验证 code lookup and PDF upload.

Checked before and counted after, 30 requests released at once all read "under the limit"
and all get evaluated. Counted first, at most `limit` are evaluated and the rest are
refused with a Chinese message whose wait is the window's true remainder."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.core import throttle
from apps.core.errors import DomainError, Throttled
from apps.signing import services as signing
from apps.signing import views_verify
from apps.signing.models import PrintSession, SigningCard
from tests.signing.helpers import accept, invite, make_ready

LIMIT = 5
WINDOW_MINUTES = 15  # LOGIN_THROTTLE_WINDOW_SECONDS below and views_verify.WINDOW_SECONDS
ADDRESS = "10.7.7.7"
CACHE_BACKENDS = {
    # the embedded install's default cache (config/settings.py without REDIS_URL): counters in the database
    "database-cache": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "platform_cache"},
    # a Redis database of its own: other test files clear database 15 while they run
    "redis": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379/13"},
}


@dataclass(frozen=True)
class Case:
    """One throttle: a try that is counted and evaluated, the outcome an evaluated try has,
    and the refusal message once the limit is reached."""

    attempt: Callable[[int], object]
    evaluated: str  # the DomainError code of an evaluated try, or "accepted"
    message: str  # with {minutes}
    work_done: Callable[[], int]  # how much guarded work was done (e.g. sessions created)


@pytest.fixture
def limits(settings, monkeypatch):
    """Every one of the five at LIMIT, windows of WINDOW_MINUTES."""
    settings.LOGIN_THROTTLE_PER_ADDRESS = LIMIT
    settings.LOGIN_THROTTLE_WINDOW_SECONDS = WINDOW_MINUTES * 60
    monkeypatch.setattr(signing, "PRINT_SESSIONS_PER_ADDRESS", LIMIT)
    monkeypatch.setattr(views_verify, "LOOKUPS_PER_ADDRESS", LIMIT)
    monkeypatch.setattr(views_verify, "UPLOADS_PER_ADDRESS", LIMIT)
    assert views_verify.WINDOW_SECONDS == WINDOW_MINUTES * 60


@pytest.fixture
def cases(world, limits, monkeypatch) -> dict[str, Case]:
    employer = world.employer_user
    looked_up: list[int] = []
    original_verify_lookup = views_verify.verify_lookup

    def counting_verify_lookup(code):
        looked_up.append(1)
        return original_verify_lookup(code)

    monkeypatch.setattr(views_verify, "verify_lookup", counting_verify_lookup)

    def miss_verify(i):
        assert views_verify.verify_lookup_throttled(f"NOPE{i:04d}", ADDRESS) is None

    return {
        "card-code": Case(lambda i: signing.card_resolve(short_code=f"ZZZZ{i:04d}", client_address=ADDRESS),
                          "card_invalid", "尝试次数过多，请{minutes}分钟后再试", lambda: 0),
        "print-start": Case(lambda i: signing.print_session_start(client_address=ADDRESS), "accepted",
                            "打印请求过于频繁，请{minutes}分钟后再试", lambda: PrintSession.objects.count()),
        "employer-lookup": Case(
            lambda i: signing.card_issue_for_employer(actor=employer, school_id=world.school.pk, name="查无此人",
                                                      student_number=f"99{i:08d}", client_address=ADDRESS),
            "graduate_not_found", "查找次数过多，请{minutes}分钟后再试", lambda: SigningCard.objects.count()),
        "verify-code": Case(miss_verify, "accepted", "查询次数过多，请{minutes}分钟后再试", lambda: len(looked_up)),
        "verify-upload": Case(
            lambda i: views_verify.verify_pdf_upload(SimpleUploadedFile("x.pdf", b"not a pdf"), ADDRESS),
            "not_pdf", "上传次数过多，请{minutes}分钟后再试", lambda: 0),
    }


THROTTLES = ["card-code", "print-start", "employer-lookup", "verify-code", "verify-upload"]


def outcome_of(attempt: Callable[[int], object], i: int) -> str:
    try:
        attempt(i)
    except DomainError as exc:
        return exc.code
    return "accepted"


# --- sequential (any database) ------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock, frozen and moved on by hand."""

    class Clock:
        now = timezone.now()

        def advance(self, **delta):
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(throttle, "_now", lambda: c.now)
    return c


@pytest.mark.parametrize("name", THROTTLES)
def test_the_try_after_the_limit_is_refused_unevaluated_with_the_true_wait(cases, clock, name):
    case = cases[name]
    for i in range(LIMIT):
        assert outcome_of(case.attempt, i) == case.evaluated
        clock.advance(minutes=1)
    work = case.work_done()
    with pytest.raises(Throttled) as refused:  # 5 of the 15 minutes have passed
        case.attempt(LIMIT)
    assert refused.value.message == case.message.format(minutes=WINDOW_MINUTES - LIMIT)
    assert case.work_done() == work  # refused before the guarded work
    clock.advance(minutes=7, seconds=30)
    with pytest.raises(Throttled) as refused:  # refusals neither fill nor extend the window
        case.attempt(LIMIT + 1)
    assert refused.value.message == case.message.format(minutes=3)  # 2.5 minutes left, rounded up
    clock.advance(minutes=2, seconds=30)  # the window opened by the first try has closed
    assert outcome_of(case.attempt, LIMIT + 2) == case.evaluated


def test_lookups_that_find_something_give_their_slot_back(cases, world):
    """Only misses count: an employer typing right codes, or anyone checking real agreements,
    is not slowed down by them."""
    graduate = make_ready(world.graduate)
    card, _ = signing.card_issue(actor=world.graduate_user)
    invitation, _ = invite(graduate, world.graduate_user)
    agreement = accept(world.graduate_user, invitation)
    found = {
        "card-code": lambda: signing.card_resolve(short_code=card.short_code, client_address=ADDRESS),
        "employer-lookup": lambda: signing.card_issue_for_employer(
            actor=world.employer_user, school_id=world.school.pk, name=graduate.name,
            student_number=graduate.student_number, client_address=ADDRESS),
        "verify-code": lambda: views_verify.verify_lookup_throttled(agreement.verification_code, ADDRESS),
    }
    for name, lookup in found.items():
        case = cases[name]
        for i in range(LIMIT - 1):
            assert outcome_of(case.attempt, i) == case.evaluated
        for _ in range(3):
            assert lookup()
        assert outcome_of(case.attempt, LIMIT) == case.evaluated, name  # the limit-th miss is still looked up
        with pytest.raises(Throttled):
            case.attempt(LIMIT + 1)


# --- thirty at once (PostgreSQL) ----------------------------------------------------------------------


@pytest.fixture(params=sorted(CACHE_BACKENDS))
def cache_backend(request, transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises every writer, the race cannot happen there")
    if request.param == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url(CACHE_BACKENDS["redis"]["LOCATION"], socket_connect_timeout=1).ping()
        except redis.exceptions.ConnectionError:
            pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    with override_settings(CACHES={"default": CACHE_BACKENDS[request.param]}):
        from django.core.cache import cache

        call_command("createcachetable", verbosity=0)  # the test database was created with the locmem cache
        cache.clear()
        yield request.param
        cache.clear()


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
            except Exception as exc:  # noqa: BLE001 - tallied: the count check below then fails
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


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("name", THROTTLES)
def test_thirty_parallel_tries_get_at_most_the_limit_evaluated(cache_backend, cases, name):
    case = cases[name]
    outcomes = in_parallel(30, case.attempt)
    print(cache_backend, name, dict(outcomes))
    assert outcomes[case.evaluated] <= LIMIT, dict(outcomes)
    assert outcomes["throttled"] == 30 - outcomes[case.evaluated], dict(outcomes)
    assert outcomes[case.evaluated] == LIMIT  # counted first: exactly the first LIMIT counts are let through
    if name in ("print-start", "verify-code"):
        assert case.work_done() == LIMIT  # sessions made / codes looked up
    with pytest.raises(Throttled, match="请15分钟后再试"):
        case.attempt(99)
