"""重复记录 at provincial scale (issue 9): a bounded, paginated list of the cohort's shared ID
numbers, each with its groups; the same statements per page whatever the number of groups; a
bounded count; a page past the last served one says so in Chinese; a huge group shows its first
records and says how many more there are."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.accounts.services import api_token_issue
from apps.roster.selectors import DUPLICATE_KEYS_PER_PAGE, DUPLICATE_MEMBERS_SHOWN
from tests import factories as f
from tests.roster.builders import id_number

pytestmark = pytest.mark.django_db

GROUP = 'class="card duplicate-group"'
LIMIT_NOTE = "列表最多显示前 {n} 页，请使用筛选条件缩小范围。"


def _pairs(world, start: int, count: int) -> None:
    """`count` login duplicates: the same person under two education levels."""
    for n in range(start, start + count):
        for level in ("31", "25"):
            f.make_graduate(college=world.college, major=world.major, name=f"重复{n}", student_number=f"20269{n:05d}",
                            id_number=id_number(100 + n), education_level_code=level)


def _queries(get, url, **params):
    get(url, **params)  # the first request may load the reference snapshot
    with CaptureQueriesContext(connection) as ctx:
        response = get(url, **params)
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries), response


@pytest.fixture
def staff_client(client, world):
    client.force_login(world.school_admin)
    return client


def test_page_queries_do_not_grow_with_the_groups(staff_client, world):
    """With 1 group the whole list fits on the page and even the bounded COUNT is skipped; with
    40 and 80 the statements are the same."""
    url = reverse("roster-duplicates")
    _pairs(world, 0, 1)
    one, _ = _queries(staff_client.get, url)
    _pairs(world, 1, 39)
    forty, _ = _queries(staff_client.get, url)
    _pairs(world, 40, 40)
    eighty, response = _queries(staff_client.get, url)
    assert forty == eighty and one <= forty <= one + 1, (one, forty, eighty)
    html = response.content.decode()
    assert html.count(GROUP) == DUPLICATE_KEYS_PER_PAGE  # one login group per shared ID number
    assert "涉及重复的身份证号共 80 条" in html
    assert "下一页" in html and "page=2" in html and "cohort=" in html


def test_pages_split_the_groups_without_gaps_or_repeats(staff_client, world):
    _pairs(world, 0, DUPLICATE_KEYS_PER_PAGE + 5)
    url = reverse("roster-duplicates")
    seen = []
    for page in (1, 2):
        html = staff_client.get(url, {"page": page}).content.decode()
        seen += re.findall(r"<td>(20269\d{5})</td>", html)
    numbers = {f"20269{n:05d}" for n in range(DUPLICATE_KEYS_PER_PAGE + 5)}
    assert set(seen) == numbers and len(seen) == 2 * len(numbers)  # each pair's two records, once


def test_a_page_past_the_limit_shows_the_chinese_note(staff_client, world, settings):
    settings.LIST_MAX_PAGE = 2
    _pairs(world, 0, 1)
    html = staff_client.get(reverse("roster-duplicates"), {"page": 9}).content.decode()
    assert LIMIT_NOTE.format(n=2) in html
    assert "本页没有重复记录" in html and GROUP not in html
    first = staff_client.get(reverse("roster-duplicates")).content.decode()
    assert LIMIT_NOTE.format(n=2) not in first and first.count(GROUP) == 1


def test_a_huge_group_shows_its_first_records_and_counts_the_rest(staff_client, world):
    shared = id_number(900)
    for n in range(DUPLICATE_MEMBERS_SHOWN + 5):
        f.make_graduate(college=world.college, major=world.major, name=f"同号{n}", student_number=f"2026{n:06d}",
                        id_number=shared)
    html = staff_client.get(reverse("roster-duplicates")).content.decode()
    assert html.count(GROUP) == 1
    assert len(re.findall(r"<td>2026\d{6}</td>", html)) == DUPLICATE_MEMBERS_SHOWN
    assert f"本组共{DUPLICATE_MEMBERS_SHOWN + 5}条记录，此处显示前{DUPLICATE_MEMBERS_SHOWN}条，另有5条未显示" in html
    assert shared not in html


@pytest.fixture
def api_get(client, world):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api_token_issue(world.school_admin)}"}

    def get(url, **params):
        return client.get(url, params, **headers)

    return get


def test_api_pages_are_bounded_and_constant_in_queries(api_get, world):
    url = "/api/v1/roster/duplicates"
    _pairs(world, 0, 1)
    one, _ = _queries(api_get, url)
    _pairs(world, 1, 39)
    forty, _ = _queries(api_get, url)
    _pairs(world, 40, 40)
    eighty, response = _queries(api_get, url)
    assert forty == eighty and one <= forty <= one + 1, (one, forty, eighty)
    body = response.json()
    assert (body["count"], body["count_capped"], body["page"], body["has_next"]) == (80, False, 1, True)
    assert len(body["groups"]) == DUPLICATE_KEYS_PER_PAGE and body["page_size"] == DUPLICATE_KEYS_PER_PAGE
    assert all(g["total"] == 2 and len(g["members"]) == 2 for g in body["groups"])
    last = api_get(url, page=8, page_size=10).json()
    assert (len(last["groups"]), last["has_next"]) == (10, False)


def test_api_page_past_the_limit_is_empty_and_ends_the_walk(api_get, world, settings):
    settings.LIST_MAX_PAGE = 2
    _pairs(world, 0, 3)
    body = api_get("/api/v1/roster/duplicates", page=3, page_size=1).json()
    assert (body["groups"], body["has_next"], body["count"]) == ([], False, 3)
    assert api_get("/api/v1/roster/duplicates", page=2, page_size=1).json()["has_next"] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN plans checked on PostgreSQL")
def test_the_page_of_shared_id_numbers_is_read_from_the_login_index_on_postgresql(world):
    """Groups come in graduate_login_idx order (school, id_number_hash): the planner walks an
    index in that order and groups as it goes, with no Sort, so a page stops at its LIMIT
    whatever the school's size."""
    from apps.roster.selectors import roster_duplicate_keys

    _pairs(world, 0, 3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE graduates_graduate")
    page = roster_duplicate_keys(actor=world.school_admin, cohort=world.school.current_cohort)[:21]
    with connection.cursor() as cursor:
        # a tiny table is cheaper to sort than to walk in order; a province's is not
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort", "enable_incremental_sort",
                        "enable_hashagg"):
            cursor.execute(f"SET LOCAL {setting} = off")
        sql, params = page.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # (school, id_number_hash), or the id_number_hash index under a one-school filter: both in the groups' order
    assert re.search(r"Index (Only )?Scan using (graduate_login_idx|\S*id_number_hash\S*) on graduates_graduate", plan), plan
    assert not [line for line in plan.splitlines() if re.search(r"(->|^)\s*(Incremental )?Sort\b", line)], plan
