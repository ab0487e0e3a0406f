"""Standing personas (STYLE.md habit 9): a graduate, a graduate of another school, a college
admin, another college's admin, a school admin, another school's admin, a province admin,
an employer and an outsider."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from apps.accounts.models import Role
from apps.core import throttle
from tests import factories as f


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def reference(db):
    """Code tables and divisions. Loaded once per session; transactional tests (live
    server) flush the database, so reload when they are gone."""
    from apps.reference.models import CodeEntry

    if not CodeEntry.objects.filter(table__slug="destination").exists():
        call_command("load_reference", verbosity=0)


@pytest.fixture
def world(reference):
    province = f.make_province()
    school = f.make_school(name="安徽示例大学", code="10359")
    other_school = f.make_school(name="江淮理工学院", code="10360")
    college = f.make_college(school, "计算机学院")
    other_college = f.make_college(school, "外国语学院")
    far_college = f.make_college(other_school, "机械学院")
    major = f.make_major(college, "软件工程", "080902")
    other_major = f.make_major(other_college, "英语", "050201")
    far_major = f.make_major(far_college, "机械工程", "080201")
    graduate = f.make_graduate(college=college, major=major, name="王小明", student_number="2022010101",
                               id_number=f.make_id_number(serial=123), pin="246810")
    classmate = f.make_graduate(college=other_college, major=other_major, name="李华", student_number="2022020202")
    stranger = f.make_graduate(college=far_college, major=far_major, name="赵强", student_number="2022030303")
    employer = f.make_employer()
    return SimpleNamespace(
        province=province, school=school, other_school=other_school,
        college=college, other_college=other_college, far_college=far_college,
        major=major, other_major=other_major, far_major=far_major,
        graduate=graduate, classmate=classmate, stranger=stranger, employer=employer,
        graduate_user=f.graduate_user(graduate),
        stranger_user=f.graduate_user(stranger),
        school_admin=f.make_staff(Role.SCHOOL_STAFF, school=school, username="school-a"),
        other_school_admin=f.make_staff(Role.SCHOOL_STAFF, school=other_school, username="school-b"),
        college_admin=f.make_staff(Role.COLLEGE_STAFF, school=school, college=college, username="college-a1"),
        other_college_admin=f.make_staff(Role.COLLEGE_STAFF, school=school, college=other_college, username="college-a2"),
        province_admin=f.make_staff(Role.PROVINCE_STAFF, province=province, username="province"),
        employer_user=f.make_staff(Role.EMPLOYER, employer=employer, username="employer"),
    )


@pytest.fixture
def api_client(client):
    """Django test client with JSON helpers and an optional bearer token."""

    class Api:
        token = None

        def _headers(self):
            return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}

        def get(self, path, **params):
            return client.get(f"/api/v1{path}", params, **self._headers())

        def post(self, path, data=None, **kw):
            return client.post(f"/api/v1{path}", data or {}, content_type="application/json", **self._headers(), **kw)

        def put(self, path, data=None):
            return client.put(f"/api/v1{path}", data or {}, content_type="application/json", **self._headers())

        def delete(self, path):
            return client.delete(f"/api/v1{path}", **self._headers())

        def login_as(self, user):
            from apps.accounts.services import api_token_issue

            self.token = api_token_issue(user)
            return self

    return Api()


@pytest.fixture
def throttle_clock(monkeypatch):
    """The throttle's clock, frozen at a start and moved on by `throttle_clock.advance(...)`."""

    class Clock:
        now = timezone.now()

        def advance(self, **delta):
            self.now += timedelta(**delta)

    c = Clock()
    monkeypatch.setattr(throttle, "_now", lambda: c.now)
    return c
