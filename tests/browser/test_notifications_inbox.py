"""On a phone: a graduate receives a message (招聘会已取消, in-app by default), sees the unread
badge on 我的 (the tab and the 消息通知 row), opens 消息通知 from there, and the badge is gone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from apps.notifications.services import notify
from tests.browser.conftest import login_graduate


@pytest.mark.browser
def test_graduate_finds_a_new_message_from_me(world, phone):
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/me/")
    expect(phone.locator("#notifications-entry")).to_have_text("消息通知")
    expect(phone.locator("#tab-me-unread")).to_have_count(0)

    notify(kind="fair.cancelled", title="招聘会已取消：秋季双选会", body="取消原因：场地维修", link="/services/fairs/",
           graduate=g)
    notify(kind="recommendation.issued", title="就业推荐表已签发", graduate=g)
    phone.goto("/home/")
    expect(phone.locator("#home-notifications")).to_be_visible()
    phone.click("#tab-me")
    expect(phone.locator("#tab-me-unread")).to_have_text("2")
    expect(phone.locator("#notifications-unread")).to_have_text("2")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    phone.click("#notifications-entry")
    expect(phone).to_have_url(re.compile(r"/notifications/$"))
    expect(phone.locator("h1")).to_have_text("消息通知")
    expect(phone.locator("#notifications")).to_contain_text("招聘会已取消：秋季双选会")
    expect(phone.locator("#notifications .badge.warn")).to_have_count(2)  # 新 on the visit that read them

    phone.click("text=返回我的")
    expect(phone.locator("#notifications-entry")).to_be_visible()
    expect(phone.locator("#notifications-unread")).to_have_count(0)
    expect(phone.locator("#tab-me-unread")).to_have_count(0)
