"""信息纠错 staff queue at provincial scale (issue 9): constant statements per page (page and
API), keyword = exact student number or name prefix, bounded deep pages and count, scope, and
PostgreSQL reading the page from an index in its order."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.corrections.models import Correction, CorrectionImage, CorrectionStatus
from apps.corrections.selectors import CorrectionFilters, corrections_queue
from tests import factories as f
from tests.list_scale import assert_index_ordered, needs_postgresql, page_plan, queries_of

pytestmark = pytest.mark.django_db

QUEUE = "/staff/corrections/"
API = "/api/v1/corrections/"
LIMIT_NOTE = "列表最多显示前 1 页，请使用筛选条件缩小范围。"


def correction(graduate, *, status=CorrectionStatus.PENDING, images=2, kind="archive") -> Correction:
    made = Correction.objects.create(
        graduate=graduate, school_id=graduate.school_id, college_id=graduate.college_id, kind=kind,
        explanation="档案去向有误", status=status, promised_by=timezone.localdate() + timedelta(days=3))
    for n in range(images):
        CorrectionImage.objects.create(correction=made, file=f"corrections/test/{made.pk}-{n}.png", width=10,
                                       height=10, size=100)
    return made


def fill(world, n, *, college=None, status=CorrectionStatus.PENDING, start=0, name="纠错"):
    college = college or world.college
    major = world.major if college == world.college else f.make_major(college)
    for i in range(start, start + n):
        graduate = f.make_graduate(college=college, major=major, name=f"{name}{i:03d}", student_number=f"2031{i:06d}")
        correction(graduate, status=status)


def rows_in(html: str) -> int:
    return html.count("<tr data-correction=")


@pytest.fixture
def bearer(world):
    from apps.accounts.services import api_token_issue

    return lambda user: {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(user)}"}


@pytest.mark.parametrize("persona,status", [("college_admin", "pending"), ("school_admin", "all")])
def test_queue_page_costs_the_same_statements_with_1_and_40_rows(client, world, persona, status):
    client.force_login(getattr(world, persona))
    fill(world, 1)
    client.get(QUEUE, {"status": status})
    one, response = queries_of(client, QUEUE, status=status)
    assert rows_in(response.content.decode()) == 1
    fill(world, 39, start=1)
    forty, response = queries_of(client, QUEUE, status=status)
    html = response.content.decode()
    assert rows_in(html) == 30 and "共 40 条" in html and "下一页" in html
    assert "<td>2</td>" in html  # the image count of each row
    assert forty == one + 1  # the bounded COUNT, read only when the list spans pages


def test_queue_api_costs_the_same_with_1_and_40_rows(client, world, bearer):
    headers = bearer(world.school_admin)
    fill(world, 1)
    client.get(API, **headers)
    with CaptureQueriesContext(connection) as one:
        first = client.get(API, **headers).json()
    assert first["count"] == 1 and not first["has_next"] and not first["count_capped"]
    fill(world, 39, start=1)
    with CaptureQueriesContext(connection) as forty:
        body = client.get(API, {"page_size": 30}, **headers).json()
    assert body["count"] == 40 and body["has_next"] and len(body["items"]) == 30
    assert body["items"][0]["image_count"] == 2 and body["items"][0]["graduate"]["id_number_masked"].count("*") >= 8
    assert len(forty.captured_queries) == len(one.captured_queries) + 1


def test_keyword_is_an_exact_student_number_or_a_name_prefix(client, world):
    for name, number in (("张伟", "2031777001"), ("张伟明", "2031777002"), ("李张伟", "2031777003")):
        correction(f.make_graduate(college=world.college, major=world.major, name=name, student_number=number))
    client.force_login(world.school_admin)
    html = client.get(QUEUE, {"q": "张伟"}).content.decode()
    assert "张伟明" in html and "李张伟" not in html and "共 2 条" in html
    html = client.get(QUEUE, {"q": "2031777003"}).content.decode()
    assert "李张伟" in html and "张伟明" not in html and "共 1 条" in html
    assert "共 0 条" in client.get(QUEUE, {"q": "2031777"}).content.decode()


def test_scope_holds_for_the_list_and_the_keyword(client, world, bearer):
    correction(world.graduate)
    correction(world.classmate)
    correction(world.stranger)
    college = bearer(world.college_admin)
    assert [i["graduate"]["name"] for i in client.get(API, **college).json()["items"]] == [world.graduate.name]
    assert client.get(API, {"q": world.classmate.student_number}, **college).json()["count"] == 0
    assert client.get(API, {"q": world.graduate.name}, **bearer(world.other_school_admin)).json()["count"] == 0
    assert client.get(API, **bearer(world.school_admin)).json()["count"] == 2


def test_deep_page_and_count_are_bounded(client, world, settings, bearer):
    settings.LIST_MAX_PAGE = 1
    settings.LIST_COUNT_CAP = 35
    fill(world, 40)
    client.force_login(world.school_admin)
    response = client.get(QUEUE, {"page": 7})
    html = response.content.decode()
    assert response.status_code == 200 and LIMIT_NOTE in html and "超过 35 条" in html and rows_in(html) == 30
    body = client.get(API, {"page": 7, "page_size": 30}, **bearer(world.school_admin)).json()
    assert body["items"] == [] and not body["has_next"] and body["count"] == 35 and body["count_capped"]


@needs_postgresql
@pytest.mark.parametrize("persona,status", [
    ("college_admin", CorrectionStatus.PENDING), ("school_admin", CorrectionStatus.PENDING),
    ("school_admin", CorrectionStatus.ACCEPTED), ("school_admin", "all"), ("college_admin", "all"),
    ("province_admin", CorrectionStatus.PENDING), ("province_admin", "all"),
])
def test_postgresql_reads_the_queue_page_from_an_index_in_its_order(world, persona, status):
    fill(world, 3)
    plan = page_plan(corrections_queue(actor=getattr(world, persona), filters=CorrectionFilters(status=status)))
    assert_index_ordered(plan, "corrections_correction")
