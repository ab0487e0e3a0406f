"""签到 end to end: the school's screen shows a rotating QR; a graduate's phone opens the link the
QR carries (logging in on the way), checks in and marks a booth visit with résumé consent; a
second opening says 已签到过 and the screen's count (refreshed by htmx) stays at one, also in
the 全屏显示 mode (no staff menu); the employer sees the count and the résumé."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from apps.fairs.models import FairCheckIn
from apps.resumes.models import Resume
from tests.browser.conftest import DESKTOP, login_staff
from tests.checkin.helpers import make_booth, make_fair
from tests.factories import PASSWORD


@pytest.fixture
def fair(world):
    fair = make_fair(world.school, starts_in=-timedelta(minutes=5), title="2027届秋季双选会",
                     created_by=world.school_admin)
    make_booth(fair, world.employer, number=12, applied_by=world.employer_user)
    Resume.objects.create(graduate=world.graduate, self_evaluation="热爱编程，参与过校园二手平台开发。")
    return fair


def test_screen_qr_graduate_checks_in_once_employer_sees_count_and_resume(world, fair, phone, desktop, browser,
                                                                          live_server, settings):
    settings.PUBLIC_BASE_URL = live_server.url  # what the phones reach in this test
    g = world.graduate

    # the school admin opens the check-in screen (desktop / projector)
    login_staff(desktop, "school-a", PASSWORD)
    desktop.goto(f"/staff/fairs/{fair.pk}/checkin/")
    qr = desktop.locator("#checkin-qr")
    expect(qr).to_be_visible()
    assert desktop.evaluate("document.querySelector('#checkin-qr').naturalWidth") > 100
    expect(desktop.locator("#checkin-rotation")).to_contain_text("二维码每30秒更新一次")
    expect(desktop.locator("#checkin-count")).to_have_text("0")
    link = qr.get_attribute("data-url")
    assert link.startswith(f"{live_server.url}/checkin/fair/{fair.pk}/")
    assert desktop.locator("#checkin-code").inner_text() in link

    # the graduate's phone opens the QR's link: login first, then straight back to the check-in
    phone.goto(link)
    expect(phone.locator("#graduate-login")).to_be_visible()
    phone.fill("#school_keyword", "安徽")
    phone.click("#school-options button:has-text('安徽示例大学')")
    phone.fill("#name", g.name)
    phone.fill("#student_number", g.student_number)
    phone.fill("#id_number", g.id_number)
    phone.click("#graduate-login button[type=submit]")
    expect(phone.locator("#checkin-state-title")).to_have_text("签到成功")
    booth = phone.locator(".booth-visit", has_text=world.employer.name)
    expect(booth).to_contain_text("12号")
    booth.locator("input[name=share_resume]").check()
    booth.locator("button[type=submit]").click()
    expect(phone.locator(".alert.success")).to_contain_text("并同意该单位查看你的简历")
    expect(phone.locator(".booth-visit", has_text=world.employer.name).locator(".booth-visited")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # a second opening of the same link does not count twice
    phone.goto(link)
    expect(phone.locator("#checkin-state-title")).to_have_text("已签到过")
    assert FairCheckIn.objects.filter(fair=fair).count() == 1

    # the screen's live part refreshes by itself (htmx polling, no inline script)
    expect(desktop.locator("#checkin-count")).to_have_text("1", timeout=15_000)

    # 全屏显示: the same screen for a projector, without the staff menu; it keeps refreshing
    desktop.click("#checkin-display-link")
    expect(desktop.locator("#checkin-display")).to_be_visible()
    assert desktop.locator("aside").count() == 0
    expect(desktop.locator("#checkin-instruction")).to_have_text("请用手机扫码签到")
    expect(desktop.locator("#checkin-display")).to_contain_text(fair.title)
    expect(desktop.locator("#checkin-qr")).to_be_visible()
    assert desktop.evaluate("document.querySelector('#checkin-qr').getBoundingClientRect().width") >= 400
    expect(desktop.locator("#checkin-count")).to_have_text("1")
    with desktop.expect_response(lambda r: "display=1" in r.url and r.request.headers.get("hx-request") == "true",
                                 timeout=15_000):
        pass
    expect(desktop.locator("#checkin-instruction")).to_be_visible()
    desktop.goto(f"/staff/fairs/{fair.pk}/attendance/")
    expect(desktop.locator("#attendance-table")).to_contain_text(g.name)
    expect(desktop.locator("#attendance-table")).to_contain_text("扫现场二维码")

    # the employer reads the count and the résumé the graduate shared
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **DESKTOP)
    employer = context.new_page()
    try:
        login_staff(employer, "employer", PASSWORD)
        employer.goto(f"/employer/fairs/booths/{fair.booths.get().pk}/visitors/")
        expect(employer.locator("#fair-checkin-count")).to_have_text("1")
        expect(employer.locator("#booth-visit-count")).to_have_text("1")
        employer.click(f"#visitor-list a:has-text('{g.name}')")
        expect(employer.locator("#visitor-resume")).to_contain_text("参与过校园二手平台开发")
    finally:
        context.close()
