"""The README's demo logins work: every outcome a newcomer is told to try."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from apps.accounts.models import Role, User
from apps.accounts.services import DUPLICATE, LoginAttempt, graduate_login, staff_authenticate
from apps.core.errors import DomainError
from apps.graduates.models import Graduate
from apps.organisations.demo import DEMO_PASSWORD, named_logins
from apps.organisations.models import School


@pytest.fixture
def demo(reference):
    call_command("seed_demo", graduates_per_school=20, verbosity=0)
    return {(row["name"], row["student_number"], row["level"]): row for row in named_logins()}


def _login(row):
    school = School.objects.get(name=row["school"])
    return graduate_login(LoginAttempt(school.pk, row["name"], row["student_number"], row["id_number"], "127.0.0.1"))


def test_demo_creates_every_role_and_is_idempotent(demo):
    assert {u.role for u in User.objects.all()} >= {Role.SCHOOL_STAFF, Role.COLLEGE_STAFF, Role.PROVINCE_STAFF,
                                                    Role.EMPLOYER}
    assert School.objects.count() == 2
    before = Graduate.objects.count()
    call_command("seed_demo", verbosity=0)
    assert Graduate.objects.count() == before


@pytest.mark.parametrize("username", ["school_admin", "school_admin2", "college_admin", "province_admin", "employer"])
def test_demo_staff_logins(demo, username):
    assert staff_authenticate(username=username, password=DEMO_PASSWORD, client_address="127.0.0.1").username == username


def test_demo_graduate_outcomes(demo):
    assert _login(demo[("王小明", "2023010001", "31")]).graduate.name == "王小明"
    assert _login(demo[("李华", "2023010002", "31")]).graduate.has_signing_pin
    assert _login(demo[("陈静", "2024120005", "11")]).graduate.cohort == 2027
    with pytest.raises(DomainError, match="往届"):
        _login(demo[("陈静", "2020020033", "31")])
    with pytest.raises(DomainError, match=DUPLICATE):
        _login(demo[("周雨", "2023030077", "31")])
