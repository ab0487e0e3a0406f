"""平台登录 in a real browser at a phone-sized viewport."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import login_graduate, login_staff


def test_first_login_sets_pin_then_shows_the_four_tabs(world, phone):
    c = world.classmate  # no PIN yet
    login_graduate(phone, school_name="安徽示例大学", name=c.name, student_number=c.student_number, id_number=c.id_number)
    expect(phone.locator("h1")).to_have_text("设置签约密码")
    phone.fill("#id_pin", "739164")
    phone.fill("#id_pin_again", "739164")
    phone.click("#pin-form button[type=submit]")
    expect(phone.locator("nav.tabbar a")).to_have_text(["首页", "登记", "服务", "我的"])
    expect(phone.get_by_text("签约密码已设置")).to_be_visible()
    expect(phone.locator("#notices")).to_contain_text("通知公告")
    # phone layout: no horizontal scrolling
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_login_with_spaces_and_lower_case_x(world, phone):
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=f" {g.name} ", student_number=f"{g.student_number[:4]} {g.student_number[4:]}",
                   id_number=g.id_number.lower() + " ")
    expect(phone).to_have_url(f"{phone.url.split('/home')[0]}/home/")
    expect(phone.locator("nav.tabbar a.active")).to_have_text("首页")


def test_no_match_shows_the_handbook_message(world, phone):
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number,
                   id_number=f.make_id_number(serial=404))
    expect(phone.locator("#login-error")).to_have_text("信息不匹配或没有注册")


def test_duplicate_records_show_the_handbook_message(world, phone):
    idn = f.make_id_number(serial=808)
    for level in ("31", "25"):
        f.make_graduate(college=world.college, name="周雨", student_number="2022030077", id_number=idn,
                        education_level_code=level)
    login_graduate(phone, school_name="安徽示例大学", name="周雨", student_number="2022030077", id_number=idn)
    expect(phone.locator("#login-error")).to_have_text("信息重复，请联系学校管理员")


def test_unbind_and_log_in_again(world, phone):
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.click("nav.tabbar >> text=我的")
    expect(phone.locator("#profile")).to_contain_text(g.masked_id_number)
    expect(phone.locator("#profile")).not_to_contain_text(g.id_number)
    phone.click('.list-links a[href="/me/settings/"]')
    phone.click("#unbind-form button")
    expect(phone.locator("h1")).to_have_text("毕业生登录")
    phone.goto("/me/")
    expect(phone.locator("h1")).to_have_text("毕业生登录")


def test_staff_login_lands_on_the_role_page(world, desktop):
    login_staff(desktop, "school-a", f.PASSWORD)
    expect(desktop.locator("main h1")).to_have_text("工作台 · 学校管理员")
    desktop.click("aside >> text=毕业生查询")
    expect(desktop.locator("#graduate-table")).to_contain_text(world.graduate.name)
    expect(desktop.locator("#graduate-table")).not_to_contain_text(world.stranger.name)
