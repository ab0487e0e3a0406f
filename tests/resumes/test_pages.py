"""The 简历维护 pages (phone) and 人才查找 pages: forms post to the same services as the API."""

from __future__ import annotations

import pytest

from apps.resumes.models import Resume, ResumeItem
from tests import factories as f
from tests.resumes.conftest import EDUCATION, SKILL, add

pytestmark = pytest.mark.django_db


@pytest.fixture
def graduate_client(world, client):
    client.force_login(world.graduate_user)
    return client


def test_me_page_links_to_the_resume(graduate_client):
    assert 'href="/me/resume/"' in graduate_client.get("/me/").content.decode()


def test_empty_resume_page_shows_basic_info_sections_and_completeness(world, graduate_client):
    page = graduate_client.get("/me/resume/").content.decode()
    assert "王小明" in page and "软件工程" in page and "安徽示例大学" in page
    for label in ("教育经历", "实习与工作经历", "项目经历", "获奖情况", "语言能力", "计算机与软件", "其他技能", "证书"):
        assert label in page
    assert "完整度 0%" in page
    assert "未允许单位查找" in page
    assert 'href="/register/contacts/"' in page  # where the contact is changed
    assert not Resume.objects.exists()  # reading creates nothing


def test_adding_an_item_through_the_form(graduate_client):
    response = graduate_client.post("/me/resume/items/new/?section=education", {**EDUCATION})
    assert response.status_code == 302 and response["Location"] == "/me/resume/#section-education"
    item = ResumeItem.objects.get()
    assert (item.title, item.start_month, item.end_month) == ("安徽示例大学", "2022-09", "2026-06")
    page = graduate_client.get("/me/resume/").content.decode()
    assert "2022-09 – 2026-06" in page


def test_a_bad_month_is_shown_on_the_form_and_nothing_stored(graduate_client):
    response = graduate_client.post("/me/resume/items/new/", {**EDUCATION, "end_month": "2020-01"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "毕业年月不能早于入学年月" in page
    assert 'value="安徽示例大学"' in page  # what was typed stays
    assert not ResumeItem.objects.exists()


def test_new_item_without_a_section_goes_back_to_the_resume(graduate_client):
    response = graduate_client.get("/me/resume/items/new/?section=hobby")
    assert response.status_code == 302 and response["Location"] == "/me/resume/"


def test_edit_delete_and_move_through_the_pages(world, graduate_client, api_client):
    api = api_client.login_as(world.graduate_user)
    first = add(api, SKILL, title="甲")
    second = add(api, SKILL, title="乙")
    form = graduate_client.get(f"/me/resume/items/{first['id']}/edit/").content.decode()
    assert 'value="甲"' in form
    graduate_client.post(f"/me/resume/items/{first['id']}/edit/", {**SKILL, "title": "甲乙"})
    assert ResumeItem.objects.get(pk=first["id"]).title == "甲乙"
    graduate_client.post(f"/me/resume/items/{second['id']}/move/", {"direction": "up"})
    assert list(ResumeItem.objects.order_by("position").values_list("title", flat=True)) == ["乙", "甲乙"]
    page = graduate_client.get("/me/resume/").content.decode()
    assert 'data-confirm="确认删除这条计算机与软件？"' in page
    graduate_client.post(f"/me/resume/items/{first['id']}/delete/")
    assert list(ResumeItem.objects.values_list("title", flat=True)) == ["乙"]


def test_another_graduates_item_pages_are_missing(world, client, api_client):
    item = add(api_client.login_as(world.graduate_user), EDUCATION)
    client.force_login(f.graduate_user(world.classmate))
    assert client.get(f"/me/resume/items/{item['id']}/edit/").status_code == 404
    assert client.post(f"/me/resume/items/{item['id']}/delete/").status_code == 404
    assert client.post(f"/me/resume/items/{item['id']}/move/", {"direction": "up"}).status_code == 404
    assert ResumeItem.objects.count() == 1


def test_switch_and_self_evaluation_forms(graduate_client):
    graduate_client.post("/me/resume/settings/", {"discoverable": "1"})
    assert Resume.objects.get().discoverable is True
    page = graduate_client.get("/me/resume/").content.decode()
    assert "已允许已认证单位查找" in page and "关闭查找" in page
    graduate_client.post("/me/resume/settings/", {"self_evaluation": "乐观开朗。"})
    resume = Resume.objects.get()
    assert resume.self_evaluation == "乐观开朗。" and resume.discoverable is True  # the other value stays
    too_long = graduate_client.post("/me/resume/settings/", {"self_evaluation": "长" * 1001}, follow=True)
    assert "自我评价不超过1000个字" in too_long.content.decode()


def test_preview_shows_the_resume(graduate_client, world, api_client):
    add(api_client.login_as(world.graduate_user), EDUCATION)
    page = graduate_client.get("/me/resume/preview/").content.decode()
    assert "教育经历" in page and "安徽示例大学" in page


def test_employer_list_page_filters_and_links_to_the_detail(world, client):
    resume = Resume.objects.create(graduate=world.graduate, discoverable=True)
    Resume.objects.create(graduate=world.classmate, discoverable=False)
    client.force_login(world.employer_user)
    page = client.get("/employer/resumes/").content.decode()
    assert f'href="/employer/resumes/{resume.pk}/"' in page and "王小明" in page
    assert "李华" not in page
    assert "没有符合条件的简历" in client.get("/employer/resumes/?major=英语").content.decode()


def test_resume_page_and_mine_read_a_constant_number_of_queries(world, graduate_client, api_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_client.login_as(world.graduate_user)
    counts = []
    for n in (2, 12):
        while ResumeItem.objects.count() < n:
            k = ResumeItem.objects.count()
            add(api, {**SKILL, "section": ("software", "skill", "language", "award")[k % 4]}, title=f"条目{k}")
        graduate_client.get("/me/resume/")  # warm the reference snapshot
        with CaptureQueriesContext(connection) as page_queries:
            assert graduate_client.get("/me/resume/").status_code == 200
        with CaptureQueriesContext(connection) as api_queries:
            assert api.get("/resumes/mine").status_code == 200
        counts.append((len(page_queries), len(api_queries)))
    assert counts[0] == counts[1], counts
