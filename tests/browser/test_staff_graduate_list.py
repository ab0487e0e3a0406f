"""毕业生名单 in a browser: counts on the staff home, a keyword search, paging to the limit,
and province staff narrowing by school first (issue 9)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import login_staff


def test_school_staff_search_and_page_through_the_list(world, desktop, settings):
    settings.LIST_MAX_PAGE = 2
    for n in range(65):
        f.make_graduate(college=world.college, major=world.major, name=f"批量{n:02d}")
    login_staff(desktop, "school-a", f.PASSWORD)
    expect(desktop.locator("main")).to_contain_text("67 名毕业生在您的管理范围内")
    desktop.goto("/staff/graduates/")
    expect(desktop.locator("#graduate-table tbody tr")).to_have_count(30)
    desktop.click("text=下一页")
    expect(desktop.locator(".pagination")).to_contain_text("第 2 页")
    expect(desktop.locator("main")).to_contain_text("列表最多显示前 2 页，请使用筛选条件缩小范围。")
    desktop.fill("#f-q", "王小")
    desktop.click("#graduate-filters button[type=submit]")
    expect(desktop.locator("#graduate-table tbody tr")).to_have_count(1)
    expect(desktop.locator("#graduate-table")).to_contain_text("王小明")
    expect(desktop.locator("#graduate-count")).to_have_text("共 1 条")


def test_province_staff_choose_a_school_then_see_its_colleges(world, desktop):
    login_staff(desktop, "province", f.PASSWORD)
    desktop.goto("/staff/graduates/")
    expect(desktop.locator("#f-college")).to_have_count(0)
    desktop.select_option("#f-school", label="江淮理工学院")
    desktop.click("#graduate-filters button[type=submit]")
    expect(desktop.locator("#graduate-table tbody tr")).to_have_count(1)
    expect(desktop.locator("#graduate-table")).to_contain_text("赵强")
    expect(desktop.locator("#f-college")).to_contain_text("机械学院")
