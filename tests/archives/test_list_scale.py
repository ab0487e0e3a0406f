"""档案转寄 staff list at provincial scale (issue 9): constant statements per page (page and
API), keyword = exact student number or name prefix, bounded deep pages and count, scope, and
PostgreSQL reading the page from an index in its order."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.archives.models import TransferStatus
from apps.archives.selectors import ArchiveFilters, archives_list
from tests import factories as f
from tests.archives.conftest import register
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan, queries_of

pytestmark = pytest.mark.django_db

LIST = "/staff/archives/"
API = "/api/v1/archives/"
LIMIT_NOTE = "列表最多显示前 1 页，请使用筛选条件缩小范围。"


def fill(world, n, *, college=None, start=0, name="档案"):
    college = college or world.college
    major = world.major if college == world.college else f.make_major(college)
    for i in range(start, start + n):
        register(f.make_graduate(college=college, major=major, name=f"{name}{i:03d}", student_number=f"2032{i:06d}"))


def rows_in(html: str) -> int:
    return html.count('data-student-number="')


@pytest.fixture
def headers(world):
    from apps.accounts.services import api_token_issue

    return lambda user: {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}


@pytest.mark.parametrize("persona", ["college_admin", "school_admin"])
def test_list_page_costs_the_same_statements_with_1_and_40_rows(client, world, persona):
    client.force_login(getattr(world, persona))
    fill(world, 1)
    client.get(LIST)
    one, response = queries_of(client, LIST)
    assert rows_in(response.content.decode()) == 1
    fill(world, 39, start=1)
    forty, response = queries_of(client, LIST)
    html = response.content.decode()
    assert rows_in(html) == 30 and "共 40 条" in html and "下一页" in html
    assert "****" in html and "0551-65123456" not in html  # phones stay masked
    assert forty == one + 1  # the bounded COUNT, read only when the list spans pages


def test_list_api_costs_the_same_with_1_and_40_rows(client, world, headers):
    auth = headers(world.school_admin)
    fill(world, 1)
    client.get(API, **auth)
    with CaptureQueriesContext(connection) as one:
        first = client.get(API, **auth).json()
    assert first["count"] == 1 and not first["has_next"] and not first["count_capped"]
    fill(world, 39, start=1)
    with CaptureQueriesContext(connection) as forty:
        body = client.get(API, {"page_size": 30}, **auth).json()
    assert body["count"] == 40 and body["has_next"] and len(body["items"]) == 30
    assert len(forty.captured_queries) == len(one.captured_queries) + 1
    rest = client.get(API, {"page_size": 30, "page": 2}, **auth).json()
    assert len(rest["items"]) == 10 and not rest["has_next"]
    assert {i["id"] for i in body["items"]}.isdisjoint({i["id"] for i in rest["items"]})


def test_keyword_is_an_exact_student_number_or_a_name_prefix(client, world):
    for name, number in (("张伟", "2032777001"), ("张伟明", "2032777002"), ("李张伟", "2032777003")):
        register(f.make_graduate(college=world.college, major=world.major, name=name, student_number=number))
    client.force_login(world.college_admin)
    html = client.get(LIST, {"q": "张伟"}).content.decode()
    assert "张伟明" in html and "李张伟" not in html and "共 2 条" in html
    html = client.get(LIST, {"q": "2032777003"}).content.decode()
    assert "李张伟" in html and "张伟明" not in html and "共 1 条" in html
    assert "共 0 条" in client.get(LIST, {"q": "2032777"}).content.decode()


def test_scope_holds_for_the_list_and_the_keyword(client, world, headers):
    for graduate in (world.graduate, world.classmate, world.stranger):
        register(graduate)
    college = headers(world.college_admin)
    assert [i["name"] for i in client.get(API, **college).json()["items"]] == [world.graduate.name]
    assert client.get(API, {"q": world.classmate.student_number}, **college).json()["count"] == 0
    assert client.get(API, {"q": world.graduate.name}, **headers(world.other_school_admin)).json()["count"] == 0
    assert client.get(API, **headers(world.school_admin)).json()["count"] == 2


def test_deep_page_and_count_are_bounded(client, world, settings, headers):
    settings.LIST_MAX_PAGE = 1
    settings.LIST_COUNT_CAP = 35
    fill(world, 40)
    client.force_login(world.school_admin)
    response = client.get(LIST, {"page": 5})
    html = response.content.decode()
    assert response.status_code == 200 and LIMIT_NOTE in html and "超过 35 条" in html and rows_in(html) == 30
    body = client.get(API, {"page": 5, "page_size": 30}, **headers(world.school_admin)).json()
    assert body["items"] == [] and not body["has_next"] and body["count"] == 35 and body["count_capped"]


@needs_postgresql
@pytest.mark.parametrize("persona,filters", [
    ("school_admin", ArchiveFilters()),
    ("school_admin", ArchiveFilters(cohort=2027)),  # the page's default: the school's current cohort
    ("college_admin", ArchiveFilters()),
    ("school_admin", ArchiveFilters(status=TransferStatus.SENT)),
    ("college_admin", ArchiveFilters(status=TransferStatus.SENT)),
    ("school_admin", ArchiveFilters(transfer_method="ems")),
])
def test_postgresql_reads_the_list_page_from_an_index_in_its_order(world, persona, filters):
    fill(world, 3)
    plan = page_plan(archives_list(actor=getattr(world, persona), filters=filters))
    assert_index_ordered(plan, "archives_archivetransfer")
