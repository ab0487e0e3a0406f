"""宣讲会 end to end: the employer (phone) requests a session, the school admin (desktop) gives
it a room, the graduate (phone) signs up and sees the seats left; a second session for the same
room and slot finds the room marked 已占用 and cannot take it."""

from __future__ import annotations

from playwright.sync_api import expect

from apps.infosessions.models import InfoSession, Room, SessionStatus
from tests import factories as f
from tests.browser.conftest import login_graduate, login_staff
from tests.factories import PASSWORD
from tests.infosessions.conftest import future_day


def test_employer_requests_school_allocates_graduate_signs_up(world, phone, desktop):
    room = Room.objects.create(school=world.school, name="第一报告厅", capacity=2)
    Room.objects.create(school=world.school, name="教学楼A101", capacity=80)
    day = future_day(9)

    # the employer, on a phone: from its home page to the request form
    login_staff(phone, "employer", PASSWORD)
    phone.click("#employer-sessions-link")
    phone.click("#session-new-link")
    expect(phone.locator("#lead-text")).to_contain_text("至少提前2天")
    phone.select_option("#f-school", str(world.school.pk))
    phone.fill("#f-date", day.isoformat())
    phone.select_option("#f-slot", "pm1")
    phone.fill("#f-topic", "2027届校园招聘宣讲会")
    phone.fill("#f-expected_size", "50")
    phone.fill("#f-contact_name", "王经理")
    phone.fill("#f-contact_phone", "13900001111")
    phone.click("#session-submit")
    expect(phone.locator("#session-state-title")).to_have_text("待安排")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    session = InfoSession.objects.get()

    # the school admin, on a desktop: the queue, the free rooms of that slot, allocate
    login_staff(desktop, "school-a", PASSWORD)
    desktop.click("aside >> text=宣讲会")
    row = desktop.locator(f"tr[data-session='{session.pk}']")
    expect(row).to_contain_text("2027届校园招聘宣讲会")
    row.get_by_role("link", name="安排").click()
    expect(desktop.locator(f"label[data-room='{room.pk}']")).to_contain_text("小于预计人数")
    desktop.check(f"label[data-room='{room.pk}'] input")
    desktop.click("#allocate-submit")
    expect(desktop.locator("#session-state-title")).to_have_text("已安排")
    expect(desktop.locator(".alert.success, .messages")).to_contain_text("少于单位预计的50人")
    assert InfoSession.objects.get(pk=session.pk).room_id == room.pk

    # the graduate, on a phone: 服务 → 宣讲会 → sign up, seats left go down
    g = world.graduate
    login_graduate(phone, school_name="安徽示例大学", name=g.name, student_number=g.student_number,
                   id_number=g.id_number)
    phone.goto("/services/")
    phone.click("#sessions-entry")
    item = phone.locator(f"[data-session='{session.pk}']")
    expect(item).to_contain_text("剩余名额2个")
    expect(item.locator(".session-badge")).to_have_text("可报名")  # not the staff state 已安排
    item.click()
    expect(phone.locator("#seats-left")).to_contain_text("剩余名额 2 个")
    phone.click("#session-signup")
    expect(phone.locator("#session-state-title")).to_have_text("已报名")
    expect(phone.locator("#seats-left")).to_contain_text("剩余名额 1 个")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # a second employer's request for the same slot: the room shows as taken and is refused
    other = f.make_employer(credit_code="91340100MA2N0XXX02", name="芜湖别家有限公司")
    from apps.infosessions import services

    second = services.session_request(
        actor=f.make_staff("employer", employer=other, username="employer-2"), school_id=world.school.pk,
        date=day, slot="pm1", audience="school", topic="芜湖别家宣讲会", contact_name="李经理",
        contact_phone="13900002222")
    desktop.goto(f"/staff/infosessions/{second.pk}/")
    taken = desktop.locator(f"label[data-room='{room.pk}']")
    expect(taken).to_contain_text("已占用")
    expect(taken).to_contain_text("2027届校园招聘宣讲会")
    expect(taken.locator("input")).to_be_disabled()
    # and the room/slot grid of that week says the same
    desktop.goto(f"/staff/infosessions/rooms/?week={day.isoformat()}")
    expect(desktop.locator("#room-grid td.taken")).to_have_count(1)
    assert InfoSession.objects.get(pk=second.pk).status == SessionStatus.PENDING


def test_week_grid_moves_by_week(world, desktop):
    from datetime import timedelta

    from apps.infosessions.selectors import week_start

    Room.objects.create(school=world.school, name="第一报告厅", capacity=100)
    login_staff(desktop, "school-a", PASSWORD)
    desktop.goto("/staff/infosessions/rooms/")
    this_week = week_start()
    expect(desktop.locator("h2")).to_contain_text(this_week.isoformat())
    desktop.click("#week-next")
    expect(desktop.locator("h2")).to_contain_text((this_week + timedelta(days=7)).isoformat())
    desktop.click("#week-previous")
    desktop.click("#week-previous")
    expect(desktop.locator("h2")).to_contain_text((this_week - timedelta(days=7)).isoformat())
    desktop.fill("#week-date", (this_week + timedelta(days=30)).isoformat())
    desktop.click("#week-form button:has-text('查看')")
    expect(desktop.locator("h2")).to_contain_text(week_start(this_week + timedelta(days=30)).isoformat())
