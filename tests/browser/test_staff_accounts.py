"""管理员账号 in a real browser (desktop): a school admin creates a college account, the new admin
signs in with the password shown once and must change it first; the school admin disables the
account and the college admin's next click lands on the login page with a Chinese message."""

from __future__ import annotations

from playwright.sync_api import expect

from tests import factories as f
from tests.browser.conftest import DESKTOP, login_staff

NEW_PASSWORD = "Yuanxi2026xin"


def test_create_first_login_then_disable_logs_out(world, desktop, browser, live_server):
    # the school admin creates the account
    login_staff(desktop, "school-a", f.PASSWORD)
    desktop.click("aside >> text=账号管理")
    expect(desktop.locator("h1")).to_have_text("账号管理")
    desktop.click("#account-new")
    desktop.select_option("#a-org", label="计算机学院")
    desktop.fill("#a-username", "jsj-new")
    desktop.fill("#a-name", "陈老师")
    desktop.click("#account-create")
    expect(desktop.locator("h1")).to_have_text("账号已创建")
    password = desktop.locator("#shown-password").inner_text().strip()
    assert len(password) >= 8

    # the new college admin, in a second browser context, signs in and must change the password
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    context.set_default_timeout(10_000)
    college = context.new_page()
    try:
        login_staff(college, "jsj-new", password)
        expect(college.locator("h1")).to_have_text("修改密码")
        expect(college.locator("#password-forced")).to_be_visible()
        college.goto("/staff/graduates/")  # any staff page leads back here until it is changed
        expect(college.locator("h1")).to_have_text("修改密码")
        college.fill("#p-current", password)
        college.fill("#p-new", NEW_PASSWORD)
        college.fill("#p-again", NEW_PASSWORD)
        college.click("#password-save")
        expect(college.get_by_text("密码已修改")).to_be_visible()
        college.click("aside >> text=毕业生查询")
        expect(college).to_have_url(f"{live_server.url}/staff/graduates/")

        # the school admin disables it
        desktop.click("#to-account")
        desktop.fill("#d-reason", "岗位调整")
        desktop.once("dialog", lambda dialog: dialog.accept())
        desktop.click("#account-disable")
        expect(desktop.locator("#account-state")).to_have_text("已停用")

        # the college admin's next click: the login page, with the reason in Chinese
        college.click("aside >> text=操作日志")
        expect(college.locator("h1")).to_have_text("管理端登录")
        expect(college.get_by_role("alert")).to_contain_text("账号已停用或登录已失效")
        # and the old password no longer opens it
        login_staff(college, "jsj-new", NEW_PASSWORD)
        expect(college.get_by_role("alert")).to_contain_text("用户名或密码错误")
    finally:
        context.close()
