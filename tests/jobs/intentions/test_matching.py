"""Matching postings: scored in the database, best first, with the reasons; only postings
open to the graduate; a constant number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.jobs.matching import matching_postings
from apps.jobs.models import JobIntention
from tests import factories as f


def intention_for(graduate, **fields) -> JobIntention:
    return JobIntention.objects.create(graduate=graduate, **fields)


def titles(matches):
    return [m.posting.title for m in matches]


def test_best_match_first_with_reasons(world, posting_factory):
    now = timezone.now()
    # category + place + salary + industry + nature: everything
    best = posting_factory(title="后端开发工程师", category_code="13", county="340104", salary=(8000, 12000),
                           published_at=now - timedelta(days=3))
    # category only, newer
    posting_factory(title="测试工程师", category_code="13", county="320102", salary=(3000, 4000),
                    industry_code="22", nature_code="31", published_at=now - timedelta(days=1))
    # place only, newest
    posting_factory(title="会计", category_code="21", county="340102", salary=(3000, 4000), industry_code="35",
                    nature_code="31", published_at=now)
    # nothing matches
    posting_factory(title="厨师", category_code="40", county="320102", salary=(3000, 4000), industry_code="33",
                    nature_code="31")
    intention = intention_for(world.graduate, category_codes=["13"], place_codes=["3401"], industry_codes=["34"],
                              nature_codes=["39"], salary_band="8k-12k")

    matches = matching_postings(graduate=world.graduate, intention=intention)

    # weights: category 4, place 3, industry 2, salary 2, nature 1
    assert titles(matches) == ["后端开发工程师", "测试工程师", "会计"]
    assert [m.score for m in matches] == [12, 4, 3]
    assert matches[0].posting == best
    assert matches[0].reasons == ["职位类别：工程技术人员", "地点：合肥市", "行业：信息传输、软件和信息技术服务业",
                                  "单位性质：其他企业", "薪资符合期望"]
    assert matches[1].reasons == ["职位类别：工程技术人员"]
    assert matches[2].reasons == ["地点：合肥市"]
    assert matches[0].place == "安徽省合肥市蜀山区"
    assert matches[0].salary == "8000–12000元/月"


def test_equal_scores_newest_first(world, posting_factory):
    now = timezone.now()
    old = posting_factory(title="旧职位", published_at=now - timedelta(days=2))
    new = posting_factory(title="新职位", published_at=now)
    same_time = posting_factory(title="同时发布", published_at=now)
    intention = intention_for(world.graduate, category_codes=["13"])

    assert [m.posting for m in matching_postings(graduate=world.graduate, intention=intention)] == [same_time, new, old]


def test_province_and_special_places(world, posting_factory):
    posting_factory(title="南京岗位", county="320102")
    posting_factory(title="香港岗位", county="810001")
    posting_factory(title="合肥岗位", county="340104")
    by_province = intention_for(world.graduate, place_codes=["32", "gat"])

    matches = matching_postings(graduate=world.graduate, intention=by_province)

    assert sorted(titles(matches)) == ["南京岗位", "香港岗位"]
    assert {m.posting.title: m.reasons for m in matches} == {"南京岗位": ["地点：江苏省"], "香港岗位": ["地点：香港特别行政区"]}


def test_overseas_matches_a_posting_without_domestic_place(world, posting_factory):
    posting_factory(title="海外岗位", county="")
    posting_factory(title="合肥岗位", county="340104")
    intention = intention_for(world.graduate, place_codes=["overseas"])

    matches = matching_postings(graduate=world.graduate, intention=intention)

    assert titles(matches) == ["海外岗位"]
    assert matches[0].reasons == ["地点：海外"]


def test_salary_band_overlap(world, posting_factory):
    posting_factory(title="低薪", salary=(3000, 4999))
    posting_factory(title="跨区间", salary=(4000, 6000))
    posting_factory(title="高薪", salary=(20000, 30000))
    intention = intention_for(world.graduate, salary_band="5k-8k")

    assert titles(matching_postings(graduate=world.graduate, intention=intention)) == ["跨区间"]


def test_other_schools_channel_never_matches(world, posting_factory):
    posting_factory(title="本校招聘", school=world.school)
    posting_factory(title="外校招聘", school=world.other_school)
    posting_factory(title="全省招聘", school=None, province=world.province)
    other_province = f.make_province(code="32", name="江苏省")
    posting_factory(title="外省招聘", school=None, province=other_province)
    intention = intention_for(world.graduate, category_codes=["13"], place_codes=["34"])

    assert sorted(titles(matching_postings(graduate=world.graduate, intention=intention))) == ["全省招聘", "本校招聘"]
    # the other school's graduate sees its own channel and the province's, never ours
    theirs = intention_for(world.stranger, category_codes=["13"])
    assert sorted(titles(matching_postings(graduate=world.stranger, intention=theirs))) == ["全省招聘", "外校招聘"]


def test_closed_expired_pending_and_suspended_postings_never_match(world, posting_factory):
    posting_factory(title="待审核", status="pending")
    posting_factory(title="已过期", deadline_days=-1)
    suspended = f.make_employer(credit_code="91340100MA2N0XXX02", name="已停用单位", status="suspended")
    from tests.jobs.intentions.conftest import make_posting

    make_posting(suspended, school=world.school, title="停用单位岗位")
    posting_factory(title="正常岗位")
    intention = intention_for(world.graduate, category_codes=["13"])

    assert titles(matching_postings(graduate=world.graduate, intention=intention)) == ["正常岗位"]


def test_empty_intention_matches_nothing_without_a_query(world, posting_factory, django_assert_num_queries):
    posting_factory()
    intention = intention_for(world.graduate)
    with django_assert_num_queries(0):
        assert matching_postings(graduate=world.graduate, intention=intention) == []


def test_limit_bounds_the_list(world, posting_factory):
    for n in range(5):
        posting_factory(title=f"岗位{n}")
    intention = intention_for(world.graduate, category_codes=["13"])
    assert len(matching_postings(graduate=world.graduate, intention=intention, limit=3)) == 3


@pytest.mark.parametrize("size", [2, 12])
def test_one_query_whatever_the_number_of_matches(world, posting_factory, size):
    graduate = type(world.graduate).objects.select_related("school").get(pk=world.graduate.pk)
    counties = ["340104", "340102", "320102", "810001"]
    for n in range(size):
        posting_factory(title=f"岗位{n}", county=counties[n % 4], category_code=["13", "21"][n % 2])
    intention = intention_for(graduate, category_codes=["13"], place_codes=["3401", "32", "gat"],
                              industry_codes=["34"], nature_codes=["39"], salary_band="5k-8k")
    matching_postings(graduate=graduate, intention=intention)  # warms the reference snapshot (labels, divisions)

    with CaptureQueriesContext(connection) as queries:
        matches = matching_postings(graduate=graduate, intention=intention)
    assert len(matches) == size
    assert all(m.reasons for m in matches)
    assert len(queries) == 1, [q["sql"] for q in queries]
