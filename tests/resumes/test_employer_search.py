"""人才查找: verified employers find the resumes graduates allow them to find, in their channel
only, with the contact masked; everything else is a missing resume."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.organisations.models import EmployerStatus
from apps.resumes.models import Resume, ResumeItem
from tests import factories as f
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan

pytestmark = pytest.mark.django_db


def discoverable(graduate, *, on=True, phone="13912345678", email="wangxm@example.com"):
    graduate.phone, graduate.email = phone, email
    graduate.save()
    resume = Resume.objects.create(graduate=graduate, discoverable=on, self_evaluation="认真负责。")
    ResumeItem.objects.create(resume=resume, section="education", title=graduate.school.name, role=graduate.major.name,
                              start_month="2022-09", end_month="2026-06")
    return resume


def ids(response):
    assert response.status_code == 200, response.content.decode()
    return [row["id"] for row in response.json()["items"]]


def test_province_verified_employer_finds_discoverable_resumes_of_the_province(world, api_client):
    mine = discoverable(world.graduate)
    hidden = discoverable(world.classmate, on=False)
    other_school = discoverable(world.stranger)
    found = ids(api_client.login_as(world.employer_user).get("/resumes/employer/search"))
    assert set(found) == {mine.pk, other_school.pk}
    assert hidden.pk not in found


def test_school_verified_employer_sees_that_schools_graduates_only(world, api_client):
    mine = discoverable(world.graduate)
    discoverable(world.stranger)
    employer = f.make_employer(credit_code="91340100MA2N0XXX02", name="校认证单位", verifier_school=world.school)
    user = f.make_staff("employer", employer=employer, username="school-verified")
    assert ids(api_client.login_as(user).get("/resumes/employer/search")) == [mine.pk]
    stranger_resume = Resume.objects.get(graduate=world.stranger)
    assert api_client.get(f"/resumes/employer/{stranger_resume.pk}").status_code == 404


def test_filters_school_education_level_and_major(world, api_client):
    mine = discoverable(world.graduate)
    classmate = discoverable(world.classmate)
    stranger = discoverable(world.stranger)
    api = api_client.login_as(world.employer_user)
    assert ids(api.get("/resumes/employer/search", school_id=world.other_school.pk)) == [stranger.pk]
    assert ids(api.get("/resumes/employer/search", major="软件")) == [mine.pk]
    assert ids(api.get("/resumes/employer/search", major="英")) == [classmate.pk]
    assert ids(api.get("/resumes/employer/search", education_level="11")) == []
    assert set(ids(api.get("/resumes/employer/search", education_level="31"))) == {mine.pk, classmate.pk, stranger.pk}


def test_detail_masks_phone_and_email(world, api_client):
    resume = discoverable(world.graduate)
    response = api_client.login_as(world.employer_user).get(f"/resumes/employer/{resume.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["basic"]["phone"] == "139****5678"
    assert body["basic"]["email"] == "w***@example.com"
    assert "13912345678" not in response.content.decode()
    assert body["sections"][0]["label"] == "教育经历"


def test_detail_page_masks_the_contact(world, client):
    resume = discoverable(world.graduate)
    client.force_login(world.employer_user)
    page = client.get(f"/employer/resumes/{resume.pk}/").content.decode()
    assert "王小明" in page and "139****5678" in page
    assert "13912345678" not in page and "wangxm@example.com" not in page


def test_a_resume_not_discoverable_is_missing_to_employers(world, api_client, client):
    resume = discoverable(world.graduate, on=False)
    assert api_client.login_as(world.employer_user).get(f"/resumes/employer/{resume.pk}").status_code == 404
    client.force_login(world.employer_user)
    assert client.get(f"/employer/resumes/{resume.pk}/").status_code == 404


def test_switching_off_hides_the_resume_at_once(world, api_client, graduate_api):
    from django.test import Client

    resume = discoverable(world.graduate)
    graduate = Client()
    graduate.force_login(world.graduate_user)
    graduate.patch("/api/v1/resumes/settings", {"discoverable": False}, content_type="application/json")
    api = api_client.login_as(world.employer_user)
    assert ids(api.get("/resumes/employer/search")) == []
    assert api.get(f"/resumes/employer/{resume.pk}").status_code == 404


@pytest.mark.parametrize("status", [EmployerStatus.PENDING, EmployerStatus.REJECTED, EmployerStatus.SUSPENDED])
def test_an_unverified_employer_is_refused(world, api_client, client, status):
    resume = discoverable(world.graduate)
    world.employer.status = status
    world.employer.save()
    api = api_client.login_as(world.employer_user)
    refused = api.get("/resumes/employer/search")
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "单位通过认证后才能查找毕业生简历"
    assert api.get(f"/resumes/employer/{resume.pk}").status_code == 403
    client.force_login(world.employer_user)
    page = client.get("/employer/resumes/")
    assert page.status_code == 403 and "单位通过认证后才能查找毕业生简历" in page.content.decode()


def test_graduates_and_staff_cannot_search(world, api_client):
    for user in (world.graduate_user, world.school_admin, world.province_admin):
        assert api_client.login_as(user).get("/resumes/employer/search").status_code == 403


def _many(world, n, start):
    college, major = world.college, world.major
    for i in range(start, start + n):
        g = f.make_graduate(college=college, major=major, name=f"同学{i}", student_number=f"2099{i:06d}")
        discoverable(g, phone="")


def test_the_list_reads_a_constant_number_of_queries(world, client, api_client):
    client.force_login(world.employer_user)
    api = api_client.login_as(world.employer_user)
    client.get("/employer/resumes/")  # warm the reference snapshot
    api.get("/resumes/employer/search")
    counts = []
    for n in (25, 40):  # both past one page (20 rows): the bounded count is read at both sizes
        _many(world, n, start=len(counts) * 100)
        with CaptureQueriesContext(connection) as page_queries:
            assert client.get("/employer/resumes/?major=软件").status_code == 200
        with CaptureQueriesContext(connection) as api_queries:
            assert api.get("/resumes/employer/search", major="软件").status_code == 200
        counts.append((len(page_queries), len(api_queries)))
    assert counts[0] == counts[1], counts


@needs_postgresql
def test_postgresql_reads_the_search_page_from_the_discoverable_index(world):
    from apps.resumes.selectors import ResumeSearch, resumes_search

    _many(world, 3, start=500)
    for filters in (ResumeSearch(), ResumeSearch(education_level="31"), ResumeSearch(school_id=world.school.pk)):
        plan = page_plan(resumes_search(actor=world.employer_user, filters=filters), per_page=20)
        assert_index_ordered(plan, "resumes_resume")
