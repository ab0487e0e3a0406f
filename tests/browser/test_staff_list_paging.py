"""A reviewer pages through and searches the bounded 去向审核 queue in a real browser (issue 9):
count label, next/previous page, name-prefix search, batch approval of the found rows, and the
Chinese note at the last page served."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import login_staff
from tests.destinations.builders import make_destination
from tests.factories import PASSWORD


@pytest.fixture
def queue(world):
    for i in range(33):
        graduate = f.make_graduate(college=world.college, major=world.major, name=f"批量{i:03d}",
                                   student_number=f"2034{i:06d}")
        make_destination(graduate, images=0)
    make_destination(world.graduate, images=0)  # 王小明
    return world


def test_reviewer_pages_searches_and_approves_in_the_bounded_queue(queue, desktop):
    login_staff(desktop, queue.college_admin.username, PASSWORD)
    desktop.wait_for_url("**/staff/")
    desktop.click("text=去向审核")
    expect(desktop.locator("#queue-count")).to_contain_text("共 34 条")
    expect(desktop.locator("#destination-table tbody tr")).to_have_count(30)

    desktop.click(".pagination a:has-text('下一页')")
    expect(desktop.locator(".pagination")).to_contain_text("第 2 页")
    expect(desktop.locator("#destination-table tbody tr")).to_have_count(4)
    desktop.click(".pagination a:has-text('上一页')")
    expect(desktop.locator("#destination-table tbody tr")).to_have_count(30)

    desktop.fill("#f-q", "王")
    desktop.click("#queue-filters button[type=submit]")
    expect(desktop.locator("#queue-count")).to_contain_text("共 1 条")
    expect(desktop.locator("#destination-table tbody tr")).to_have_count(1)
    expect(desktop.locator("#destination-table")).to_contain_text(queue.graduate.name)

    desktop.check("#check-all")
    desktop.once("dialog", lambda dialog: dialog.accept())
    desktop.click("#batch-approve")
    expect(desktop.locator("body")).to_contain_text("已批量通过1条记录")


def test_the_last_served_page_tells_to_filter(queue, desktop, settings):
    settings.LIST_MAX_PAGE = 1
    login_staff(desktop, queue.college_admin.username, PASSWORD)
    desktop.wait_for_url("**/staff/")
    desktop.goto("/staff/destinations/?page=5")
    expect(desktop.locator("main, body").first).to_contain_text("列表最多显示前 1 页，请使用筛选条件缩小范围。")
    expect(desktop.locator(".pagination a:has-text('下一页')")).to_have_count(0)
