"""职位搜索 through the API: Chinese keywords, ranking, every filter and sort, pagination, and
who sees what. The same file runs on SQLite (FTS5) and, with DATABASE_URL set, on PostgreSQL
(the GIN tsvector index)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.jobs.models import Posting, PostingStatus
from apps.jobs.search import index_columns
from apps.organisations.models import EmployerStatus
from tests.jobs.search.helpers import make_posting

pytestmark = pytest.mark.django_db


def search(api, **params):
    return api.get("/jobs/search", **params)


def test_both_parts_of_a_word_find_it(world, api, ids_of):
    engineer = make_posting(world.employer, school=world.school, title="软件工程师")
    make_posting(world.employer, school=world.school, title="会计", category="21", description="负责账务处理。")
    assert ids_of(search(api, keyword="软件")) == [engineer.pk]
    assert ids_of(search(api, keyword="工程师")) == [engineer.pk]
    assert ids_of(search(api, keyword="软件工程师")) == [engineer.pk]
    assert ids_of(search(api, keyword="  软件   工程师 ")) == [engineer.pk]
    assert ids_of(search(api, keyword="软件会计")) == []  # every token must match
    assert ids_of(search(api, keyword="工程学")) == []


def test_a_keyword_finds_the_body_and_latin_words(world, api, ids_of):
    java = make_posting(world.employer, school=world.school, title="后端开发", description="熟悉Java和MySQL，3年经验优先。")
    assert ids_of(search(api, keyword="java")) == [java.pk]
    assert ids_of(search(api, keyword="ＭｙＳＱＬ")) == [java.pk]  # full-width letters are folded
    assert ids_of(search(api, keyword="示例科技")) == [java.pk]  # the employer's name is in the body


def test_title_hit_ranks_above_body_hit(world, api, ids_of):
    in_body = make_posting(world.employer, school=world.school, title="销售代表",
                           description="向客户介绍公司的软件产品，维护客户关系。", published_ago_hours=1)
    in_title = make_posting(world.employer, school=world.school, title="软件测试员",
                            description="编写测试用例，执行功能测试。", published_ago_hours=48)
    body = search(api, keyword="软件").json()
    assert body["sort"] == "match" and body["sort_label"] == "匹配度"
    assert [row["id"] for row in body["items"]] == [in_title.pk, in_body.pk]
    # newest first puts the body hit first: the ranking above is the match, not the date
    assert ids_of(search(api, keyword="软件", sort="new")) == [in_body.pk, in_title.pk]


def test_sorts_newest_and_salary(world, api, ids_of):
    old_rich = make_posting(world.employer, school=world.school, title="架构师", salary=(20000, 30000),
                            published_ago_hours=72)
    new_poor = make_posting(world.employer, school=world.school, title="助理", salary=(3000, 4000),
                            published_ago_hours=1)
    middle = make_posting(world.employer, school=world.school, title="开发", salary=(8000, 12000),
                          published_ago_hours=24)
    assert ids_of(search(api)) == [new_poor.pk, middle.pk, old_rich.pk]  # no keyword: newest first
    assert ids_of(search(api, sort="salary")) == [old_rich.pk, middle.pk, new_poor.pk]
    assert search(api, sort="match").json()["sort"] == "new"  # 匹配度 needs a keyword


def test_place_filter_at_each_level(world, api, ids_of):
    shushan = make_posting(world.employer, school=world.school, title="合肥岗位", places=("340104",))
    wuhu = make_posting(world.employer, school=world.school, title="芜湖岗位", places=("340202",))
    both = make_posting(world.employer, school=world.school, title="两地岗位", places=("340111", "340202"))
    assert set(ids_of(search(api, place="340000"))) == {shushan.pk, wuhu.pk, both.pk}
    assert set(ids_of(search(api, place="340100"))) == {shushan.pk, both.pk}
    assert ids_of(search(api, place="340104")) == [shushan.pk]
    assert set(ids_of(search(api, place="340200"))) == {wuhu.pk, both.pk}
    assert ids_of(search(api, place="320000")) == []


def test_industry_category_education_salary_and_channel_filters(world, api, ids_of, other_employer):
    other_employer.industry_code = "42"
    other_employer.save()
    it = make_posting(world.employer, school=world.school, title="程序员", category="13", education=("231",),
                      salary=(6000, 9000))
    teacher = make_posting(other_employer, title="数学教师", category="24", education=(), salary=(4000, 6000))
    master = make_posting(world.employer, school=world.school, title="研究员", category="11", education=("111",),
                          salary=(12000, 18000))
    assert ids_of(search(api, industry="42")) == [teacher.pk]
    assert ids_of(search(api, category="13")) == [it.pk]
    # 本科: the 本科 posting and the one without a requirement (不限), not the 硕士-only one
    assert set(ids_of(search(api, education="231"))) == {it.pk, teacher.pk}
    assert set(ids_of(search(api, education="111"))) == {teacher.pk, master.pk}
    assert set(ids_of(search(api, salary="5k-8k"))) == {it.pk, teacher.pk}
    assert ids_of(search(api, salary="ge20k")) == []  # 12000–18000 is below the band
    assert ids_of(search(api, salary="12k-20k")) == [master.pk]
    assert set(ids_of(search(api, channel="school"))) == {it.pk, master.pk}
    assert ids_of(search(api, channel="province")) == [teacher.pk]
    # filters combine with the keyword
    assert ids_of(search(api, keyword="教师", channel="school")) == []
    assert ids_of(search(api, keyword="教师", channel="province", industry="42")) == [teacher.pk]


@pytest.mark.parametrize("params, field", [
    ({"place": "999999"}, "place"), ({"place": "合肥"}, "place"), ({"industry": "ZZ"}, "industry"),
    ({"category": "99"}, "category"), ({"education": "31"}, "education"), ({"salary": "lots"}, "salary"),
    ({"channel": "nation"}, "channel"), ({"sort": "random"}, "sort"),
])
def test_bad_filter_values_are_refused_in_chinese(world, api, params, field):
    response = search(api, **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("筛选条件不正确") and field in error["fields"]


def test_absurd_input_is_a_clear_refusal_not_a_500(world, api):
    assert search(api, keyword="软" * 101).status_code == 422
    assert search(api, page=10**9).status_code == 422
    assert search(api, page=51).status_code == 400
    assert search(api, keyword="\"'); DROP TABLE jobs_posting; --").status_code == 200
    body = search(api, keyword="!!!").json()
    assert body["tokens"] == [] and "没有可搜索的文字" in body["notes"][0]


def test_pagination_twenty_a_page(world, api, ids_of):
    made = [make_posting(world.employer, school=world.school, title=f"工程师{n}", published_ago_hours=n)
            for n in range(1, 26)]
    first = search(api, keyword="工程师").json()
    assert len(first["items"]) == 20 and first["has_next"] is True
    second = search(api, keyword="工程师", page=2).json()
    assert len(second["items"]) == 5 and second["has_next"] is False
    seen = [row["id"] for row in first["items"]] + [row["id"] for row in second["items"]]
    assert sorted(seen) == sorted(p.pk for p in made)
    newest = search(api, sort="new", page=2).json()
    assert [row["id"] for row in newest["items"]] == [p.pk for p in made[20:]]


def test_only_postings_open_to_the_graduate(world, api, ids_of, other_employer):
    visible = make_posting(world.employer, school=world.school, title="软件工程师")
    far = make_posting(world.employer, school=world.other_school, title="软件工程师（外校）")
    make_posting(world.employer, school=world.school, title="软件工程师（过期）", days_left=-1)
    make_posting(world.employer, school=world.school, title="软件工程师（待审）", status=PostingStatus.PENDING)
    suspended = make_posting(other_employer, title="软件工程师（停用单位）")
    assert set(ids_of(search(api, keyword="软件"))) == {visible.pk, suspended.pk}
    other_employer.status = EmployerStatus.SUSPENDED
    other_employer.save()
    assert ids_of(search(api, keyword="软件")) == [visible.pk]  # at once, no job in between
    stranger = api.login_as(world.stranger_user)
    assert ids_of(stranger.get("/jobs/search", keyword="软件")) == [far.pk]  # their own school's channel


def test_index_follows_updates_deletes_and_bulk_inserts(world, api, ids_of):
    posting = make_posting(world.employer, school=world.school, title="软件工程师")
    posting.title = "会计"
    posting.search_title, posting.search_body = index_columns(title="会计", body_parts=["负责账务。"])
    posting.save()
    assert ids_of(search(api, keyword="软件")) == []
    assert ids_of(search(api, keyword="会计")) == [posting.pk]
    Posting.objects.filter(pk=posting.pk).update(search_title="测 试 测试")  # raw ORM update
    assert ids_of(search(api, keyword="测试")) == [posting.pk]
    posting.delete()
    assert ids_of(search(api, keyword="测试")) == []
    template = make_posting(world.employer, school=world.school, title="模板")
    clones = []
    for n in range(3):
        clone = Posting.objects.get(pk=template.pk)
        clone.pk = None
        clone.title = f"数据分析师{n}"
        clone.search_title, clone.search_body = index_columns(title=clone.title, body_parts=[])
        clones.append(clone)
    Posting.objects.bulk_create(clones)
    assert len(ids_of(search(api, keyword="数据分析"))) == 3


def test_search_answers_in_a_constant_number_of_queries(world, api, client):
    client.force_login(world.graduate_user)

    def statements(path):
        client.get(path)  # warm: session, reference snapshot
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    def counts():
        return (statements("/services/jobs/?q=工程师&place=340100&category=13"),
                statements("/services/jobs/?q=工程师&page=2"),
                len_api(api, "/jobs/search", keyword="工程师", sort="salary"))

    def len_api(api, path, **params):
        api.get(path, **params)
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(path, **params).status_code == 200
        return len(ctx.captured_queries)

    for n in range(30):  # two pages of 工程师 already: the sizes differ in rows, not in shape
        make_posting(world.employer, school=world.school, title=f"软件工程师{n}", places=("340104", "340111"))
    small = counts()
    for n in range(60):
        make_posting(world.employer, school=world.school if n % 2 else None, province=world.province,
                     title=f"机械工程师{n}", places=("340104", "340111", "340202"), published_ago_hours=n)
    assert counts() == small
