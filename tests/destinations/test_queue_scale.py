"""去向审核 queue at provincial scale (issue 9): a page costs the same statements with 1 or 40
rows, the keyword is an exact student number or a name prefix, deep pages are bounded with a
Chinese note, the count is bounded, scope holds, and PostgreSQL reads the page from an index."""

from __future__ import annotations

import pytest

from apps.destinations.models import DestinationStatus
from apps.destinations.selectors import QueueFilters, review_queue
from tests import factories as f
from tests.destinations.builders import make_destination
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan, queries_of

pytestmark = pytest.mark.django_db

QUEUE = "/staff/destinations/"
API = "/api/v1/destinations/"
LIMIT_NOTE = "列表最多显示前 1 页，请使用筛选条件缩小范围。"


def fill(world, n, *, college=None, status=DestinationStatus.SUBMITTED, start=0, name="批量"):
    college = college or world.college
    major = world.major if college == world.college else f.make_major(college)
    for i in range(start, start + n):
        graduate = f.make_graduate(college=college, major=major, name=f"{name}{i:03d}", student_number=f"2030{i:06d}")
        make_destination(graduate, status=status, images=2)


def rows_in(html: str) -> int:
    return html.count('<tr data-id="')


@pytest.fixture
def bearer(world):
    from apps.accounts.services import api_token_issue

    return lambda user: {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}


def test_queue_page_costs_the_same_statements_with_1_and_40_rows(client, world):
    client.force_login(world.college_admin)
    fill(world, 1)
    client.get(QUEUE)  # warms the reference snapshot
    one, response = queries_of(client, QUEUE)
    assert rows_in(response.content.decode()) == 1 and "共 1 条" in response.content.decode()
    fill(world, 39, start=1)
    forty, response = queries_of(client, QUEUE)
    html = response.content.decode()
    assert rows_in(html) == 30 and "共 40 条" in html and "下一页" in html
    # the one bounded COUNT is read only when the list spans pages
    assert forty == one + 1


def test_queue_every_status_for_the_school_costs_the_same_with_1_and_40_rows(client, world):
    client.force_login(world.school_admin)
    fill(world, 1, status=DestinationStatus.COLLEGE_APPROVED)
    client.get(QUEUE, {"status": "all"})
    one, _ = queries_of(client, QUEUE, status="all")
    fill(world, 39, start=1, status=DestinationStatus.RETURNED)
    forty, response = queries_of(client, QUEUE, status="all", page=2)
    html = response.content.decode()
    assert rows_in(html) == 10 and "共 40 条" in html and "上一页" in html
    # page 2 adds the bounded COUNT and the walk over the primary keys (listing._deferred_join)
    assert forty == one + 2
    fill(world, 40, start=40, status=DestinationStatus.RETURNED)
    eighty, _ = queries_of(client, QUEUE, status="all", page=2)
    assert eighty == forty


def test_queue_api_costs_the_same_with_1_and_40_rows_and_tells_whether_more_follow(client, world, bearer):
    headers = bearer(world.college_admin)
    fill(world, 1)
    client.get(API, **headers)
    with_one = client.get(API, **headers).json()
    assert with_one["count"] == 1 and not with_one["has_next"] and not with_one["count_capped"]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(API, **headers)
    fill(world, 39, start=1)
    with CaptureQueriesContext(connection) as forty:
        body = client.get(API, {"page_size": 30}, **headers).json()
    assert body["count"] == 40 and body["has_next"] and len(body["items"]) == 30
    assert body["items"][0]["image_count"] == 2
    assert len(forty.captured_queries) == len(one.captured_queries) + 1
    last = client.get(API, {"page_size": 30, "page": 2}, **headers).json()
    assert len(last["items"]) == 10 and not last["has_next"] and last["count"] == 40


def test_keyword_is_an_exact_student_number_or_a_name_prefix(client, world):
    zhang = f.make_graduate(college=world.college, major=world.major, name="张伟", student_number="2030777001")
    zhang_ming = f.make_graduate(college=world.college, major=world.major, name="张伟明", student_number="2030777002")
    li = f.make_graduate(college=world.college, major=world.major, name="李张伟", student_number="2030777003")
    for graduate in (zhang, zhang_ming, li):
        make_destination(graduate)
    client.force_login(world.college_admin)

    html = client.get(QUEUE, {"q": "张伟"}).content.decode()
    assert "张伟明" in html and ">张伟<" in html and "李张伟" not in html and "共 2 条" in html

    html = client.get(QUEUE, {"q": "2030777003"}).content.decode()
    assert "李张伟" in html and "张伟明" not in html and "共 1 条" in html

    html = client.get(QUEUE, {"q": "2030777"}).content.decode()  # a student number matches whole only
    assert "没有符合条件的记录" in html and "共 0 条" in html


def test_keyword_stays_inside_the_reviewers_scope(client, world, bearer):
    make_destination(world.graduate)
    make_destination(world.classmate)  # other college, same school
    make_destination(world.stranger)  # other school
    headers = bearer(world.college_admin)
    assert client.get(API, {"q": world.classmate.student_number}, **headers).json()["count"] == 0
    assert client.get(API, {"q": world.stranger.name}, **headers).json()["count"] == 0
    mine = client.get(API, {"q": world.graduate.student_number}, **headers).json()
    assert [i["name"] for i in mine["items"]] == [world.graduate.name]
    other_school = bearer(world.other_school_admin)
    assert client.get(API, {"q": world.graduate.name, "status": "all"}, **other_school).json()["count"] == 0
    school = bearer(world.school_admin)
    found = client.get(API, {"q": "李", "status": "all"}, **school).json()
    assert [i["name"] for i in found["items"]] == [world.classmate.name]


def test_a_page_past_the_limit_shows_the_last_served_page_with_a_note(client, world, settings, bearer):
    settings.LIST_MAX_PAGE = 1
    fill(world, 40)
    client.force_login(world.college_admin)
    response = client.get(QUEUE, {"page": 9})
    html = response.content.decode()
    assert response.status_code == 200 and LIMIT_NOTE in html and "第 1 页" in html and rows_in(html) == 30
    assert "下一页" not in html
    body = client.get(API, {"page": 9, "page_size": 30}, **bearer(world.college_admin)).json()
    assert body["items"] == [] and not body["has_next"] and body["count"] == 40


def test_the_count_is_bounded(client, world, settings, bearer):
    settings.LIST_COUNT_CAP = 35
    fill(world, 40)
    client.force_login(world.college_admin)
    assert "超过 35 条" in client.get(QUEUE).content.decode()
    body = client.get(API, {"page_size": 30}, **bearer(world.college_admin)).json()
    assert body["count"] == 35 and body["count_capped"]


def test_batch_approve_still_works_from_the_bounded_page(client, world):
    fill(world, 2)
    client.force_login(world.college_admin)
    ids = [int(x) for x in __import__("re").findall(r'name="ids" value="(\d+)"', client.get(QUEUE).content.decode())]
    assert len(ids) == 2
    response = client.post("/staff/destinations/batch-approve/", {"ids": ids, "next": QUEUE}, follow=True)
    assert "已批量通过2条记录" in response.content.decode()


@needs_postgresql
@pytest.mark.parametrize("persona,status", [
    ("college_admin", DestinationStatus.SUBMITTED),
    ("school_admin", DestinationStatus.COLLEGE_APPROVED),
    ("school_admin", ""),  # 全部
    ("college_admin", ""),
    ("province_admin", ""),  # 省级: school by school (listing.province_first)
    ("province_admin", DestinationStatus.SUBMITTED),
])
def test_postgresql_reads_the_queue_page_from_an_index_in_its_order(world, persona, status):
    fill(world, 3)
    plan = page_plan(review_queue(actor=getattr(world, persona), filters=QueueFilters(status=status)))
    assert_index_ordered(plan, "destinations_destination")
