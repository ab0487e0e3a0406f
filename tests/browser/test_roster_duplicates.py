"""School staff walk the 重复记录 report page by page and open a record from it."""

from __future__ import annotations

from playwright.sync_api import expect

from apps.roster.selectors import DUPLICATE_KEYS_PER_PAGE
from tests import factories as f
from tests.browser.conftest import login_staff
from tests.factories import PASSWORD
from tests.roster.builders import id_number


def test_school_admin_pages_through_duplicates_and_opens_one(desktop, live_server, world):
    count = DUPLICATE_KEYS_PER_PAGE + 3
    for n in range(count):
        for level in ("31", "25"):  # the same person twice: the graduate login would say 信息重复
            f.make_graduate(college=world.college, major=world.major, name=f"重复{n}", student_number=f"20269{n:05d}",
                            id_number=id_number(100 + n), education_level_code=level)
    login_staff(desktop, "school-a", PASSWORD)
    desktop.wait_for_url("**/staff/")
    desktop.goto("/staff/roster/duplicates/")

    groups = desktop.locator(".duplicate-group")
    expect(groups).to_have_count(DUPLICATE_KEYS_PER_PAGE)
    expect(desktop.locator("#duplicate-count")).to_contain_text(f"共 {count} 条")
    first_page = set(desktop.locator(".duplicate-group td:first-child").all_inner_texts())

    desktop.get_by_role("link", name="下一页").click()
    expect(groups).to_have_count(3)
    expect(desktop.locator(".pagination")).to_contain_text("第 2 页")
    second_page = set(desktop.locator(".duplicate-group td:first-child").all_inner_texts())
    assert not first_page & second_page and len(first_page | second_page) == count

    name = desktop.locator(".duplicate-group a").first
    person = name.inner_text()
    name.click()
    desktop.wait_for_url("**/staff/graduates/*/")
    expect(desktop.locator("body")).to_contain_text(person)
