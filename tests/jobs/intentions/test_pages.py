"""The 求职意向职位 page (/me/intentions/): form, refusals shown in place, matches with reasons."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.jobs.models import JobIntention


@pytest.fixture
def graduate_client(client, world):
    client.force_login(world.graduate_user)
    return client


def test_me_page_links_to_intentions(graduate_client):
    r = graduate_client.get("/me/")
    assert 'href="/me/intentions/"' in r.content.decode()


def test_empty_page_explains_and_offers_the_form(graduate_client):
    r = graduate_client.get("/me/intentions/")
    html = r.content.decode()
    assert r.status_code == 200
    assert "尚未填写求职意向" in html
    assert "每天最多一条" in html
    assert 'name="industry_codes" value="34"' in html
    assert '<option value="3401" data-keywords="安徽省 合肥市">合肥市</option>' in html
    assert 'value="gat"' in html and "港澳台" in html


def test_save_redirects_and_lists_matches(graduate_client, world, posting_factory):
    posting = posting_factory(title="后端开发工程师", county="340104")
    r = graduate_client.post("/me/intentions/", {"category_codes": ["13"], "place_codes": ["", "3401"],
                                                 "salary_band": "5k-8k", "notify": "1"})
    assert r.status_code == 302 and r["Location"] == "/me/intentions/"
    stored = JobIntention.objects.get(graduate=world.graduate)
    assert stored.place_codes == ["3401"] and stored.notify is True

    html = graduate_client.get("/me/intentions/").content.decode()
    assert "求职意向已保存" in html
    assert "新职位提醒已开启" in html
    assert f'href="/services/jobs/{posting.pk}/"' in html
    assert "职位类别：工程技术人员" in html and "地点：合肥市" in html and "薪资符合期望" in html
    # the chosen place is a ticked box that can be unticked
    assert 'name="place_codes" value="3401" checked' in html


def test_refusal_keeps_the_choices_and_stores_nothing(graduate_client):
    r = graduate_client.post("/me/intentions/", {"industry_codes": ["11", "21", "22", "23", "24", "31"],
                                                 "category_codes": ["13"]})
    html = r.content.decode()
    assert r.status_code == 400
    assert "行业最多选择5项（您选择了6项）" in html
    assert 'name="category_codes" value="13" checked' in html
    assert not JobIntention.objects.exists()


def test_unticking_removes_a_place(graduate_client, world):
    JobIntention.objects.create(graduate=world.graduate, place_codes=["3401", "32"])
    graduate_client.post("/me/intentions/", {"place_codes": ["32", ""]})
    assert JobIntention.objects.get().place_codes == ["32"]


def test_staff_and_employers_are_refused(client, world):
    for user in (world.school_admin, world.employer_user):
        client.force_login(user)
        assert client.get("/me/intentions/").status_code == 403


def _page_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/me/intentions/").status_code == 200
    return len(queries)


def test_page_queries_do_not_grow_with_matches(graduate_client, world, posting_factory):
    JobIntention.objects.create(graduate=world.graduate, category_codes=["13"], place_codes=["34", "gat"],
                                salary_band="5k-8k")
    posting_factory(title="岗位0")
    graduate_client.get("/me/intentions/")  # warms the reference snapshot
    few = _page_queries(graduate_client)
    for n in range(1, 15):
        posting_factory(title=f"岗位{n}", county=["340104", "810001"][n % 2])
    many = _page_queries(graduate_client)
    assert many == few
