"""Browser: a graduate on a phone searches 工程师, narrows by a filter and the sort, opens a
posting, favourites it and finds it in 我收藏的职位."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.jobs.models import PostingFavourite
from tests.browser.conftest import login_graduate
from tests.jobs.search.helpers import make_posting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_graduate_searches_filters_opens_and_favourites(world, phone):
    engineer = make_posting(world.employer, school=world.school, title="软件工程师", salary=(9000, 14000),
                            published_ago_hours=5)
    mechanic = make_posting(world.employer, school=None, province=world.province, title="机械工程师", category="60",
                            salary=(6000, 8000), places=("340202",), published_ago_hours=1)
    make_posting(world.employer, school=world.school, title="会计", category="21")
    g = world.graduate

    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number,
                   id_number=g.id_number)
    phone.goto("/services/")
    phone.click("#services-jobs")
    expect(phone.locator("#fraud-warning")).to_contain_text("0551-63631768")
    phone.fill("#q", "工程师")
    phone.click("#job-search-submit")
    results = phone.locator("#job-results [data-posting]")
    expect(results).to_have_count(2)
    expect(phone.locator("#job-results")).not_to_contain_text("会计")

    # by salary: the software job pays more though it is older
    phone.click("#sort-salary")
    expect(results.first).to_have_attribute("data-posting", str(engineer.pk))
    # a filter: only 工程技术人员
    phone.click("#job-search-form summary")
    phone.select_option("#f-category", "13")
    phone.click("#job-filter-submit")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("软件工程师")
    expect(results.first).to_contain_text("9000–14000元/月")
    expect(phone.locator(f"#job-results [data-posting='{mechanic.pk}']")).to_have_count(0)

    results.first.click()
    expect(phone.locator("#posting-title")).to_have_text("软件工程师")
    expect(phone.locator("#posting-description")).to_contain_text("负责后端开发")
    phone.click("#favourite-button")
    expect(phone.locator("#favourite-button")).to_have_text("已收藏（点击取消）")
    assert PostingFavourite.objects.filter(graduate=g, posting=engineer).exists()

    phone.goto("/services/jobs/")
    phone.click("#my-favourites")
    expect(phone.locator(f"#favourites [data-favourite='{engineer.pk}']")).to_contain_text("软件工程师")
