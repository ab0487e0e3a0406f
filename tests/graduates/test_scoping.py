"""Scoping fails closed, in pages and in the API: a permission matrix written as data."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.accounts.scoping import visible_to
from apps.graduates.models import Graduate
from tests import factories as f

# persona → which of (graduate, classmate, stranger) it may read
#   graduate: 计算机学院 of school A; classmate: 外国语学院 of school A; stranger: school B
MATRIX = {
    "school_admin": {"graduate", "classmate"},
    "college_admin": {"graduate"},
    "other_college_admin": {"classmate"},
    "other_school_admin": {"stranger"},
    "province_admin": {"graduate", "classmate", "stranger"},
    "graduate_user": {"graduate"},
    "stranger_user": {"stranger"},
    "employer_user": set(),
}


@pytest.mark.parametrize("persona, allowed", MATRIX.items())
def test_visible_to_matrix(world, persona, allowed):
    seen = set(visible_to(Graduate, getattr(world, persona)).values_list("pk", flat=True))
    expected = {getattr(world, name).pk for name in allowed}
    assert seen == expected


def test_anonymous_and_inactive_users_see_nothing(world):
    from django.contrib.auth.models import AnonymousUser

    assert not visible_to(Graduate, AnonymousUser()).exists()
    world.school_admin.is_active = False
    assert not visible_to(Graduate, world.school_admin).exists()


def test_a_model_without_a_scope_declaration_is_invisible(world):
    from apps.accounts.models import ApiToken

    assert not visible_to(ApiToken, world.school_admin).exists()


@pytest.mark.parametrize("persona", ["school_admin", "college_admin", "other_college_admin", "other_school_admin",
                                     "province_admin"])
@pytest.mark.parametrize("target", ["graduate", "classmate", "stranger"])
def test_api_detail_follows_the_matrix(world, api_client, persona, target):
    api_client.login_as(getattr(world, persona))
    response = api_client.get(f"/graduates/{getattr(world, target).pk}")
    if target in MATRIX[persona]:
        assert response.status_code == 200
        assert response.json()["name"] == getattr(world, target).name
    else:
        assert response.status_code == 404
        assert response.json()["error"]["message"] == "记录不存在或无权访问"


@pytest.mark.parametrize("persona", ["school_admin", "college_admin", "other_college_admin", "other_school_admin"])
@pytest.mark.parametrize("target", ["graduate", "classmate", "stranger"])
def test_staff_detail_page_follows_the_matrix(world, client, persona, target):
    client.force_login(getattr(world, persona))
    response = client.get(f"/staff/graduates/{getattr(world, target).pk}/")
    assert response.status_code == (200 if target in MATRIX[persona] else 404)


def test_college_admin_list_shows_only_their_college(world, client, api_client):
    client.force_login(world.college_admin)
    page = client.get("/staff/graduates/").content.decode()
    assert world.graduate.name in page and world.classmate.name not in page and world.stranger.name not in page
    api_client.login_as(world.college_admin)
    names = {g["name"] for g in api_client.get("/graduates/").json()["items"]}
    assert names == {world.graduate.name}
    # asking for another college explicitly returns nothing, not an error that leaks existence
    other = api_client.get("/graduates/", college_id=world.other_college.pk).json()
    assert other["count"] == 0


def test_graduates_and_employers_cannot_list_graduates(world, api_client, client):
    for persona in ("graduate_user", "employer_user"):
        api_client.login_as(getattr(world, persona))
        assert api_client.get("/graduates/").status_code == 403
        client.force_login(getattr(world, persona))
        assert client.get("/staff/graduates/").status_code == 403


def test_a_graduate_reads_only_their_own_record(world, api_client):
    api_client.login_as(world.graduate_user)
    assert api_client.get("/graduates/me").json()["student_number"] == world.graduate.student_number
    assert api_client.get(f"/graduates/{world.classmate.pk}").status_code == 403


def test_staff_list_masks_id_numbers(world, client):
    client.force_login(world.school_admin)
    page = client.get("/staff/graduates/").content.decode()
    assert world.graduate.id_number not in page
    assert world.graduate.masked_id_number in page


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("url", ["/staff/graduates/", "/staff/graduates/?college={college}"])
def test_list_page_query_count_is_constant(world, client, url):
    client.force_login(world.school_admin)
    url = url.format(college=world.college.pk)
    client.get(url)  # the first request loads this process's reference snapshot
    few = _count_queries(client, url)
    for n in range(25):
        f.make_graduate(college=world.college if n % 2 else world.other_college, name=f"新同学{n}")
    many = _count_queries(client, url)
    assert many == few


def test_api_list_query_count_is_constant(world, api_client):
    api_client.login_as(world.school_admin)
    api_client.get("/graduates/")  # the first request loads this process's reference snapshot
    with CaptureQueriesContext(connection) as few:
        api_client.get("/graduates/")
    for n in range(25):
        f.make_graduate(college=world.college, name=f"新同学{n}")
    with CaptureQueriesContext(connection) as many:
        body = api_client.get("/graduates/").json()
    assert body["count"] == 27 and len(body["items"]) == 27
    assert len(many.captured_queries) == len(few.captured_queries)


def test_list_filters_and_pagination(world, client):
    for n in range(35):
        f.make_graduate(college=world.college, major=world.major, name=f"批量{n:02d}")
    client.force_login(world.school_admin)
    page1 = client.get("/staff/graduates/", {"college": world.college.pk}).content.decode()
    assert "共 36 条" in page1 and "第 1 页" in page1 and "page=2" in page1
    page2 = client.get("/staff/graduates/", {"college": world.college.pk, "page": 2}).content.decode()
    assert "第 2 页" in page2 and "page=3" not in page2 and "page=1" in page2
    one = client.get("/staff/graduates/", {"q": world.graduate.student_number}).content.decode()
    assert "共 1 条" in one
