"""The staff-list door (apps/core/listing.py): bounded page, bounded count, keyword lookups."""
from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings

from apps.core.listing import bounded_api_page, bounded_count, bounded_page, keyword_pks
from apps.graduates.models import Graduate
from tests import factories as f


@pytest.fixture
def forty(reference):
    school = f.make_school(name="列表大学", code="19001")
    college = f.make_college(school, "列表学院")
    major = f.make_major(college, "软件工程", "080902")
    for i in range(40):
        f.make_graduate(college=college, major=major, name=("王" if i % 2 else "李") + f"同学{i:02d}",
                        student_number=f"2026{i:04d}")
    return Graduate.objects.filter(school=school).order_by("student_number", "id")


def _get(page):
    return RequestFactory().get("/", {"page": page} if page is not None else {})


@pytest.mark.django_db
def test_pages_walk_the_list_without_gaps_and_the_last_has_no_next(forty):
    seen = []
    for number in (1, 2, 3):
        page = bounded_page(_get(number), forty, per_page=15)
        seen += [g.student_number for g in page]
        assert page.number == number
    assert seen == [f"2026{i:04d}" for i in range(40)]
    assert page.has_next is False and page.has_previous is True
    assert page.count_label == "共 40 条"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["abc", "-3", "0", "", None, "1e9"])
def test_junk_page_numbers_mean_the_first_page(forty, raw):
    page = bounded_page(_get(raw), forty, per_page=15)
    assert page.number == 1 and len(page) == 15


@pytest.mark.django_db
@override_settings(LIST_MAX_PAGE=2)
def test_a_page_past_the_limit_is_the_last_served_page_with_a_chinese_note(forty):
    page = bounded_page(_get(99999999999999999999), forty, per_page=10)
    assert page.number == 2 and page.clamped
    assert "最多显示前 2 页" in page.limit_note
    api = bounded_api_page(forty, page=3, page_size=10)
    assert api.object_list == [] and api.has_next is False and api.total == 40


@pytest.mark.django_db
@override_settings(LIST_COUNT_CAP=25)
def test_the_count_stops_at_the_cap(forty):
    page = bounded_page(_get(2), forty, per_page=10)
    assert page.total_capped and page.count_label == "超过 25 条"
    assert bounded_count(forty, 100) == (40, False)


@pytest.mark.django_db
def test_a_short_first_page_needs_no_count_query(forty, django_assert_num_queries):
    few = forty.filter(name__startswith="李同学0")
    with django_assert_num_queries(1):
        page = bounded_page(_get(1), few, per_page=30)
    assert page.count_label == "共 5 条"


@pytest.mark.django_db
def test_keyword_finds_exact_student_numbers_and_name_prefixes_only(forty):
    by_number = keyword_pks(forty, "20260007", exact=["student_number"], prefix=["name"])
    assert [g.student_number for g in Graduate.objects.filter(pk__in=by_number)] == ["20260007"]
    assert keyword_pks(forty, "2026000", exact=["student_number"], prefix=["name"]) == []
    by_name = keyword_pks(forty, "王同学", exact=["student_number"], prefix=["name"])
    assert len(by_name) == 20
    assert len(keyword_pks(forty, "王同学", prefix=["name"], cap=5)) == 5


def test_a_plain_list_pages_too():
    from apps.core.listing import read_page

    page = read_page(list(range(75)), number=2, per_page=30, max_page=10, count=False)
    assert page.object_list == list(range(30, 60)) and page.has_next
