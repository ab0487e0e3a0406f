"""宣讲会 pages for each role: what they show and what a form does; lists read a constant
number of statements however many rows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from apps.infosessions import services
from apps.infosessions.models import InfoSession, Room, SessionSignup, SessionStatus
from apps.infosessions.slots import SLOTS
from tests import factories as f
from tests.infosessions.conftest import future_day
from tests.list_scale import queries_of

pytestmark = pytest.mark.django_db


def _more_sessions(world, room, n, *, start=1):
    """n scheduled sessions of as many employers in distinct slots (the room stays single-booked)."""
    created = []
    for i in range(start, start + n):
        employer = f.make_employer(credit_code=f"91340100MA2N{i:04d}X", name=f"单位{i}")
        user = f.make_staff("employer", employer=employer, username=f"emp-{i}")
        session = services.session_request(
            actor=user, school_id=world.school.pk, date=future_day(3 + i), slot="am1", audience="school",
            topic=f"宣讲{i}", contact_name="联系人", contact_phone="13900001111")
        created.append(services.session_allocate(actor=world.school_admin, session=session, room_id=room.pk))
    return created


def test_graduate_list_and_detail_show_seats_and_sign_up(client, world, scheduled):
    client.force_login(world.graduate_user)
    page = client.get(reverse("sessions")).content.decode()
    assert scheduled.topic in page and "剩余名额3个" in page
    detail = client.get(reverse("session", args=[scheduled.pk])).content.decode()
    assert "剩余名额 <strong>3</strong> 个" in detail and 'id="session-signup"' in detail
    response = client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "signup"}, follow=True)
    body = response.content.decode()
    assert "报名成功" in body and "剩余名额 <strong>2</strong> 个" in body and 'id="session-cancel_signup"' in body
    # a double submit of the same form does not undo the sign-up
    response = client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "signup"})
    assert response.status_code == 400 and "你已报名" in response.content.decode()
    assert SessionSignup.objects.filter(session=scheduled).count() == 1
    client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "cancel"})
    assert InfoSession.objects.get(pk=scheduled.pk).signup_count == 0


def test_full_session_page_says_so(client, world, scheduled):
    InfoSession.objects.filter(pk=scheduled.pk).update(signup_count=3)
    client.force_login(world.graduate_user)
    detail = client.get(reverse("session", args=[scheduled.pk])).content.decode()
    assert "名额已满" in detail and 'id="session-signup"' not in detail


def test_stranger_gets_404(client, world, scheduled):
    client.force_login(world.stranger_user)
    assert client.get(reverse("session", args=[scheduled.pk])).status_code == 404
    assert scheduled.topic not in client.get(reverse("sessions")).content.decode()


def test_employer_request_form(client, world):
    posting_title = "软件工程师"
    from tests.infosessions.conftest import make_posting

    posting = make_posting(world.employer, world.school, title=posting_title)
    client.force_login(world.employer_user)
    form = client.get(reverse("employer-session-new")).content.decode()
    assert f"至少提前{services.min_lead_days()}天" in form and world.school.name in form and posting_title in form
    data = {"school": world.school.pk, "date": future_day().isoformat(), "slot": "pm2", "audience": "province",
            "topic": "秋季宣讲", "contact_name": "王经理", "contact_phone": "0551-12345678",
            "posting_ids": [posting.pk]}
    bad = client.post(reverse("employer-session-new"), {**data, "slot": ""})
    assert bad.status_code == 400 and "请选择时段" in bad.content.decode()
    response = client.post(reverse("employer-session-new"), data, follow=True)
    body = response.content.decode()
    assert "待安排" in body and "15:45–17:15" in body and posting_title in body
    session = InfoSession.objects.get()
    client.post(reverse("employer-session-withdraw", args=[session.pk]))
    assert InfoSession.objects.get().status == SessionStatus.WITHDRAWN


def test_staff_allocate_page_marks_taken_rooms(client, world, room, other_room, scheduled, request_session):
    other = f.make_employer(credit_code="91340100MA2N0XXX02", name="芜湖别家有限公司")
    second = request_session(actor=f.make_staff("employer", employer=other, username="employer-2"))
    client.force_login(world.school_admin)
    page = client.get(reverse("staff-session", args=[second.pk])).content.decode()
    assert "已占用" in page and scheduled.topic in page
    assert f'data-room="{room.pk}" data-free="0"' in page and f'data-room="{other_room.pk}" data-free="1"' in page
    response = client.post(reverse("staff-session-decide", args=[second.pk]), {"action": "allocate", "room": room.pk})
    assert response.status_code == 400 and "请选择其他场地" in response.content.decode()
    response = client.post(reverse("staff-session-decide", args=[second.pk]),
                           {"action": "allocate", "room": other_room.pk}, follow=True)
    assert "已安排在教室B201" in response.content.decode()
    assert InfoSession.objects.get(pk=second.pk).room_id == other_room.pk


def test_staff_reject_and_cancel_pages(client, world, scheduled, request_session):
    pending = request_session(slot="ev")
    client.force_login(world.school_admin)
    response = client.post(reverse("staff-session-decide", args=[pending.pk]), {"action": "reject", "reason": ""})
    assert response.status_code == 400 and "请填写驳回原因" in response.content.decode()
    client.post(reverse("staff-session-decide", args=[pending.pk]), {"action": "reject", "reason": "时段冲突"})
    assert InfoSession.objects.get(pk=pending.pk).status == SessionStatus.REJECTED
    client.post(reverse("staff-session-decide", args=[scheduled.pk]), {"action": "cancel", "reason": "停电"})
    assert InfoSession.objects.get(pk=scheduled.pk).status == SessionStatus.CANCELLED


def test_province_staff_read_but_do_not_decide(client, world, request_session):
    pending = request_session()
    client.force_login(world.province_admin)
    page = client.get(reverse("staff-session", args=[pending.pk])).content.decode()
    assert pending.topic in page and 'id="allocate-form"' not in page
    assert client.post(reverse("staff-session-decide", args=[pending.pk]), {"action": "reject",
                                                                           "reason": "x"}).status_code == 403


def test_rooms_page_adds_and_shows_the_week(client, world, room, scheduled):
    client.force_login(world.school_admin)
    response = client.post(reverse("staff-rooms"), {"name": "报告厅A", "capacity": "10"})
    assert response.status_code == 400 and "已有名为" in response.content.decode()
    client.post(reverse("staff-rooms"), {"name": "多功能厅", "capacity": "120"})
    assert Room.objects.filter(name="多功能厅", capacity=120, school=world.school).exists()
    page = client.get(reverse("staff-rooms"), {"week": scheduled.date.isoformat()}).content.decode()
    assert reverse("staff-session", args=[scheduled.pk]) in page
    # the occupied cell names the unit (short) and the topic; the title has them whole
    cell = re.search(r'<td class="taken">(.*?)</td>', page, re.S).group(1)
    assert 'class="grid-unit">合肥示例科技<' in cell and 'class="grid-topic">2027届校园招聘宣讲会<' in cell
    assert 'title="已占用：合肥示例科技有限公司：2027届校园招聘宣讲会"' in cell
    # 7 day columns, one row per room and slot
    assert page.count('class="grid-day-head"') == 7 and page.count('<td class="taken">') == 1
    assert page.count('<td class="free">') == 7 * len(SLOTS) * 2 - 1


def test_rooms_grid_truncates_long_names_and_topics(client, world, room, request_session):
    from apps.infosessions.views_staff import _unit_short

    assert _unit_short("合肥示例科技有限公司") == "合肥示例科技" and _unit_short("有限公司") == "有限公司"
    assert _unit_short("芜湖某某股份有限公司") == "芜湖某某" and _unit_short("省人民医院") == "省人民医院"
    world.employer.name = "安徽省某某超长名称信息技术服务有限责任公司"
    world.employer.save(update_fields=["name"])
    topic = "2027届秋季校园招聘专场宣讲会暨实习生招募"
    session = services.session_allocate(actor=world.school_admin, session=request_session(topic=topic),
                                        room_id=room.pk)
    client.force_login(world.school_admin)
    page = client.get(reverse("staff-rooms"), {"week": session.date.isoformat()}).content.decode()
    cell = re.search(r'<td class="taken">(.*?)</td>', page, re.S).group(1)
    unit = re.search(r'class="grid-unit">([^<]*)<', cell).group(1)
    shown_topic = re.search(r'class="grid-topic">([^<]*)<', cell).group(1)
    assert unit.startswith("安徽省某某超长") and len(unit) <= 10 and "技术服务" not in unit
    assert shown_topic.startswith("2027届秋季校园") and len(shown_topic) <= 12 and "实习生" not in shown_topic
    assert f'title="已占用：安徽省某某超长名称信息技术服务有限责任公司：{topic}"' in cell
    client.post(reverse("staff-room-deactivate", args=[room.pk]))
    assert not Room.objects.get(pk=room.pk).active


def test_lists_read_constant_statements(client, world, room):
    big_room = Room.objects.create(school=world.school, name="大礼堂", capacity=500)
    _more_sessions(world, big_room, 2)
    urls = [(world.school_admin, reverse("staff-sessions"), {"status": "scheduled"}),
            (world.school_admin, reverse("staff-sessions"), {"status": "all"}),
            (world.province_admin, reverse("staff-sessions"), {"status": "scheduled"}),
            (world.graduate_user, reverse("sessions"), {}),
            (world.school_admin, reverse("staff-rooms"), {})]
    before = {}
    for user, url, params in urls:
        client.force_login(user)
        queries_of(client, url, **params)  # warm the per-process reference snapshot
        before[(url, str(params), user.pk)] = queries_of(client, url, **params)[0]
    _more_sessions(world, big_room, 6, start=10)
    for user, url, params in urls:
        client.force_login(user)
        count, response = queries_of(client, url, **params)
        assert count == before[(url, str(params), user.pk)], (url, params)
    client.force_login(world.employer_user)
    queries_of(client, reverse("employer-sessions"))


@pytest.mark.parametrize("who,status", [("school_admin", "pending"), ("school_admin", "all"),
                                        ("province_admin", "scheduled")])
def test_staff_queue_pages_come_from_an_index(world, who, status):
    from django.db import connection

    from apps.infosessions.selectors import QueueFilters, sessions_queue
    from tests.list_scale import assert_index_ordered, page_plan

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL only")
    plan = page_plan(sessions_queue(actor=getattr(world, who), filters=QueueFilters(status=status)))
    assert_index_ordered(plan, "infosessions_infosession")


def test_graduate_list_comes_from_an_index(world):
    from django.db import connection

    from apps.infosessions.selectors import sessions_open_to
    from tests.list_scale import assert_index_ordered, page_plan

    if connection.vendor != "postgresql":
        pytest.skip("EXPLAIN plans are checked on PostgreSQL only")
    assert_index_ordered(page_plan(sessions_open_to(world.graduate), per_page=20), "infosessions_infosession")


def _title(body: str, element_class: str) -> list[str]:
    import re

    return re.findall(rf'class="badge [a-z]+ {element_class}">([^<]*)<', body)


def test_graduate_list_shows_what_the_graduate_may_do_not_the_staff_state(client, world, room, scheduled):
    full, _ = _more_sessions(world, room, 2)  # four and five days ahead, before `scheduled`
    InfoSession.objects.filter(pk=full.pk).update(signup_count=full.capacity)
    client.force_login(world.graduate_user)
    assert _title(client.get(reverse("sessions")).content.decode(), "session-badge") == ["名额已满", "可报名", "可报名"]
    client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "signup"})
    page = client.get(reverse("sessions")).content.decode()
    assert _title(page, "session-badge") == ["名额已满", "可报名", "已报名"] and "已安排" not in page
    api = client.get("/api/v1/infosessions/open").json()["items"]
    assert [i["state"]["title"] for i in api] == ["名额已满", "可报名", "已报名"]


def test_withdrawn_session_says_cancelled_and_promises_no_checkin(client, world, scheduled):
    client.force_login(world.graduate_user)
    client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "signup"})
    assert 'id="session-checkin"' in client.get(reverse("session", args=[scheduled.pk])).content.decode()
    services.session_withdraw(actor=world.employer_user, session=InfoSession.objects.get(pk=scheduled.pk))
    body = client.get(reverse("session", args=[scheduled.pk])).content.decode()
    assert 'id="session-state-title">已取消<' in body
    assert "用人单位已撤回该宣讲会，不再举行" in body
    for promise in ('id="session-checkin"', "现场签到", "签到尚未开始", 'id="session-cancel_signup"'):
        assert promise not in body


def test_cancelled_session_shows_the_reason_and_no_checkin(client, world, scheduled):
    client.force_login(world.graduate_user)
    client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "signup"})
    services.session_cancel(actor=world.school_admin, session=InfoSession.objects.get(pk=scheduled.pk),
                            reason="报告厅停电")
    body = client.get(reverse("session", args=[scheduled.pk])).content.decode()
    assert 'id="session-state-title">已取消<' in body and "报告厅停电" in body
    assert 'id="session-checkin"' not in body and "签到尚未开始" not in body


def test_checked_in_graduate_cannot_cancel_the_sign_up(client, world, scheduled):
    from apps.infosessions.models import SessionCheckIn

    client.force_login(world.graduate_user)
    client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "signup"})
    SessionCheckIn.objects.create(session=scheduled, graduate=world.graduate, method="staff_card")
    body = client.get(reverse("session", args=[scheduled.pk])).content.decode()
    assert 'id="session-state-title">已签到<' in body and 'id="session-cancel_signup"' not in body
    response = client.post(reverse("session-signup", args=[scheduled.pk]), {"action": "cancel"})
    assert response.status_code == 400 and "你已在现场签到，不能取消报名" in response.content.decode()
    assert SessionSignup.objects.filter(session=scheduled, graduate=world.graduate).exists()
