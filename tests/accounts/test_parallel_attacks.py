"""Lockout and throttles under parallel requests: 30–40 wrong tries released at once by a
barrier must not get more than the limit evaluated (count first, then decide), with the
counters in the database (the embedded default) and in Redis."""

from __future__ import annotations

import pytest

from apps.accounts.models import Role, User
from apps.accounts.services import LoginAttempt, graduate_check_signing_pin, graduate_login, staff_authenticate
from apps.core.errors import DomainError
from apps.core.models import ThrottleCounter
from tests import factories as f
from tests.throttle_helpers import cache_backends, counters_in, in_parallel

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]

LIMIT = 5
CACHE_BACKENDS = cache_backends(redis_db=15)


@pytest.fixture(params=sorted(CACHE_BACKENDS))
def cache_backend(request, transactional_db):
    with counters_in(request.param, CACHE_BACKENDS, LOGIN_THROTTLE_PER_ACCOUNT=LIMIT, LOGIN_THROTTLE_PER_ADDRESS=100,
                     STAFF_LOCKOUT_FAILURES=LIMIT) as name:
        yield name


@pytest.fixture
def graduate(db):
    college = f.make_college(f.make_school())
    return f.make_graduate(college=college, name="王小明", student_number="2022010101", pin="246810")


def test_thirty_parallel_wrong_staff_passwords_lock_the_account_after_five(cache_backend):
    school = f.make_school()
    f.make_staff(Role.SCHOOL_STAFF, school=school, username="school-a")
    outcomes = in_parallel(30, lambda i: staff_authenticate(
        username="school-a", password="wrong-password", client_address=f"10.0.0.{i}"))
    print(cache_backend, "staff password:", dict(outcomes))
    assert outcomes["bad_credentials"] <= LIMIT
    assert outcomes["throttled"] == 30 - outcomes["bad_credentials"]
    assert User.objects.get(username="school-a").locked_until is not None
    with pytest.raises(DomainError, match="账号已锁定"):
        staff_authenticate(username="school-a", password=f.PASSWORD, client_address="10.0.1.1")


def test_forty_parallel_wrong_graduate_logins_get_five_evaluated(cache_backend, graduate):
    def wrong(i):
        graduate_login(LoginAttempt(school_id=graduate.school_id, name="王小明", student_number="2022010101",
                                    id_number=f.make_id_number(serial=900), client_address=f"10.0.0.{i}"))

    outcomes = in_parallel(40, wrong)
    print(cache_backend, "graduate login:", dict(outcomes))
    assert outcomes["no_match"] <= LIMIT
    assert outcomes["throttled"] == 40 - outcomes["no_match"]
    # the counters are where the backend says: Redis when the cache is Redis, else the database
    assert ThrottleCounter.objects.exists() is (cache_backend == "database-cache")
    with pytest.raises(DomainError, match="尝试次数过多"):  # the right triple now waits out the window too
        graduate_login(LoginAttempt(school_id=graduate.school_id, name="王小明", student_number="2022010101",
                                    id_number=graduate.id_number, client_address="10.0.1.1"))


def test_thirty_parallel_wrong_pins_get_five_evaluated(cache_backend, graduate):
    outcomes = in_parallel(30, lambda i: graduate_check_signing_pin(
        graduate=graduate, pin="975318", client_address=f"10.0.0.{i}"))
    print(cache_backend, "signing PIN:", dict(outcomes))
    assert outcomes["wrong_pin"] <= LIMIT
    assert outcomes["throttled"] == 30 - outcomes["wrong_pin"]
    with pytest.raises(DomainError, match="尝试次数过多"):
        graduate_check_signing_pin(graduate=graduate, pin="246810", client_address="10.0.1.1")
