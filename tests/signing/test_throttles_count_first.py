"""The five throttles of online signing count first, then decide (issue 8, defect 2):
名片码 lookup, self-print session start (自助打印), the employer's graduate lookup, and the
public 协议验证 code lookup and PDF upload.

Checked before and counted after, 30 requests released at once all read "under the limit"
and all get evaluated. Counted first, at most `limit` are evaluated and the rest are
refused with a Chinese message whose wait is the window's true remainder."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.core.errors import Throttled
from apps.signing import services as signing
from apps.signing import views_verify
from apps.signing.models import PrintSession, SigningCard
from tests.signing.helpers import accept, invite, make_ready
from tests.throttle_helpers import cache_backends, counters_in, in_parallel, outcome_of

LIMIT = 5
WINDOW_MINUTES = 15  # LOGIN_THROTTLE_WINDOW_SECONDS below and views_verify.WINDOW_SECONDS
ADDRESS = "10.7.7.7"
# a Redis database of its own: other test files clear database 15 while they run
CACHE_BACKENDS = cache_backends(redis_db=13)


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


# --- sequential (any database) ------------------------------------------------------------------------


@pytest.mark.parametrize("name", THROTTLES)
def test_the_try_after_the_limit_is_refused_unevaluated_with_the_true_wait(cases, throttle_clock, name):
    case = cases[name]
    for i in range(LIMIT):
        assert outcome_of(case.attempt, i) == case.evaluated
        throttle_clock.advance(minutes=1)
    work = case.work_done()
    with pytest.raises(Throttled) as refused:  # 5 of the 15 minutes have passed
        case.attempt(LIMIT)
    assert refused.value.message == case.message.format(minutes=WINDOW_MINUTES - LIMIT)
    assert case.work_done() == work  # refused before the guarded work
    throttle_clock.advance(minutes=7, seconds=30)
    with pytest.raises(Throttled) as refused:  # refusals neither fill nor extend the window
        case.attempt(LIMIT + 1)
    assert refused.value.message == case.message.format(minutes=3)  # 2.5 minutes left, rounded up
    throttle_clock.advance(minutes=2, seconds=30)  # the window opened by the first try has closed
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
    with counters_in(request.param, CACHE_BACKENDS) as name:
        yield name


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
