"""On a phone: a graduate opens 我的 → 消息设置 and has 招聘会提醒 mailed in the daily 摘要; an
employer user enters the account's e-mail address and has 展位申请结果 mailed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from apps.notifications.models import MessageStatus, NotificationPreference, OutboundMessage
from apps.notifications.services import notify
from tests import factories as f
from tests.browser.conftest import login_graduate, login_staff


@pytest.mark.browser
def test_graduate_chooses_email_and_digest_for_fair_reminders(world, phone):
    g = world.graduate
    g.email = "wangxm@example.edu.cn"
    g.save(update_fields=["email"])
    user = f.graduate_user(g)

    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number, id_number=g.id_number)
    phone.goto("/me/")
    phone.click("#notification-settings-entry")
    expect(phone.locator("#delivery-address")).to_have_text("邮件发送到：wangxm@example.edu.cn")
    expect(phone.locator("#delivery-state")).to_contain_text("每天8点后发送")
    expect(phone.locator("#edit-email-link")).to_have_attribute("href", "/register/contacts/")
    row = phone.locator('[data-kind="fair.reminder"]')
    expect(row).to_contain_text("招聘会提醒")
    row.locator("select").select_option("email")
    row.get_by_label("每日摘要").check()
    phone.locator('[data-kind="report.outcome"] select').select_option("in_app")
    phone.click("#save-settings")

    expect(phone.locator(".alert.success")).to_contain_text("消息设置已保存")
    expect(phone.locator('[data-kind="fair.reminder"] select')).to_have_value("email")
    expect(phone.locator('[data-kind="fair.reminder"] input[type=checkbox]')).to_be_checked()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    pref = NotificationPreference.objects.get(user=user, kind="fair.reminder")
    assert (pref.channel, pref.digest) == ("email", True)

    notify(kind="fair.reminder", title="明天：秋季双选会", graduate=g)
    assert OutboundMessage.objects.get(user=user).status == MessageStatus.HELD


@pytest.mark.browser
def test_employer_user_sets_its_email_address(world, phone):
    login_staff(phone, world.employer_user.username, f.PASSWORD)
    phone.goto("/employer/")
    phone.click("#notification-settings-link")
    expect(phone.locator("#delivery-state")).to_contain_text("还没有电子邮箱")

    phone.fill("#f-email", "hr@example")  # the browser accepts it, the platform does not
    phone.locator('[data-kind="fair.booth"] select').select_option("email")
    phone.click("#save-settings")
    expect(phone.locator("#settings-error")).to_contain_text("电子邮箱格式不正确")

    phone.fill("#f-email", "hr@example.com")
    phone.locator('[data-kind="fair.booth"] select').select_option("email")
    phone.click("#save-settings")
    expect(phone.locator(".alert.success")).to_contain_text("消息设置已保存")
    expect(phone.locator("#delivery-address")).to_have_text("邮件发送到：hr@example.com")
    world.employer_user.refresh_from_db()
    assert world.employer_user.email == "hr@example.com"
    assert NotificationPreference.objects.get(user=world.employer_user, kind="fair.booth").channel == "email"
