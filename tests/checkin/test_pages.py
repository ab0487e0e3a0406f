"""签到 pages: the QR page on the graduate's phone (also across a login), the staff screen and
its card form, live attendance in a constant number of statements, the employer's visitors."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.fairs import checkin
from apps.fairs.models import Audience, FairCheckIn
from apps.fairs.services_checkin import booth_visit_record, fair_check_in
from apps.resumes.models import Resume
from tests import factories as f
from tests.checkin.helpers import card_for, make_booth, make_fair, make_session

pytestmark = pytest.mark.django_db


def code_now(event):
    return checkin.rotating_code(event.checkin_secret, at=timezone.now())


def test_qr_page_checks_in_once_and_lists_booths(world, client):
    fair = make_fair(world.school)
    make_booth(fair, world.employer, number=7)
    client.force_login(world.graduate_user)
    url = reverse("fair-checkin", args=[fair.pk, code_now(fair)])
    page = client.get(url).content.decode()
    assert "签到成功" in page and "7号" in page and world.employer.name in page and "同意该单位查看我的简历" in page
    again = client.get(url).content.decode()
    assert "已签到过" in again and "本次不重复计数" in again
    assert FairCheckIn.objects.count() == 1


def test_refusal_page_for_another_schools_graduate(world, client):
    fair = make_fair(world.school, title="本校专场招聘会")
    client.force_login(world.stranger_user)
    response = client.get(reverse("fair-checkin", args=[fair.pk, code_now(fair)]))
    assert response.status_code == 400
    body = response.content.decode()
    assert "该活动仅面向安徽示例大学毕业生" in body and "本校专场招聘会" not in body


def test_a_scan_before_login_is_honoured_after_the_login_even_when_the_code_has_rotated(world, client):
    fair = make_fair(world.school)
    url = reverse("fair-checkin", args=[fair.pk, code_now(fair)])
    to_login = client.get(url)
    assert to_login.status_code == 302 and to_login["Location"].startswith(reverse("graduate-login"))
    back = unquote(to_login["Location"].split("next=", 1)[1])
    assert back.startswith(url + "?scan=")
    # the login takes a few minutes: the code in the link is long expired by now
    later = timezone.now() + timedelta(minutes=3)
    assert not checkin.code_is_valid(fair.checkin_secret, url.rstrip("/").rsplit("/", 1)[1], at=later)
    client.force_login(world.graduate_user)
    from unittest import mock

    with mock.patch("apps.fairs.services_checkin._now", return_value=later):
        page = client.get(back).content.decode()
    assert "签到成功" in page
    # a forged note does not help
    other = make_fair(world.school)
    stale = reverse("fair-checkin", args=[other.pk, "ABCDEFGH"]) + "?scan=forged"
    assert "二维码无效或已过期，请扫描现场屏幕上的最新二维码" in client.get(stale).content.decode()


def test_graduate_login_returns_to_the_qr_page(world, client):
    fair = make_fair(world.school)
    url = reverse("fair-checkin", args=[fair.pk, code_now(fair)])
    g = world.graduate
    response = client.post(f"{reverse('graduate-login')}?next={url}", {
        "school_id": world.school.pk, "name": g.name, "student_number": g.student_number, "id_number": g.id_number})
    assert response.status_code == 302 and response["Location"] == url


def test_staff_screen_shows_the_qr_of_the_public_link_and_refreshes(world, client, settings):
    settings.PUBLIC_BASE_URL = "https://jiuye.example.cn"
    fair = make_fair(world.school)
    client.force_login(world.school_admin)
    page = client.get(reverse("staff-fair-checkin-screen", args=[fair.pk])).content.decode()
    link = re.search(r'data-url="([^"]+)"', page).group(1)
    assert link.startswith(f"https://jiuye.example.cn/checkin/fair/{fair.pk}/")
    assert checkin.code_is_valid(fair.checkin_secret, link.rstrip("/").rsplit("/", 1)[1], at=timezone.now())
    assert 'src="data:image/png;base64,' in page and "二维码每30秒更新一次" in page
    assert 'hx-trigger="every 5s"' in page
    fragment = client.get(reverse("staff-fair-checkin-screen", args=[fair.pk]), HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and 'id="checkin-live"' in fragment.content.decode()


def test_display_mode_has_no_menu_keeps_its_mode_on_refresh_and_is_the_schools_only(world, client):
    fair = make_fair(world.school)
    session = make_session(world.school, world.employer)
    client.force_login(world.school_admin)
    url = reverse("staff-fair-checkin-screen", args=[fair.pk])
    assert f'href="{url}?display=1"' in client.get(url).content.decode()  # the 全屏显示 link
    page = client.get(url, {"display": "1"}).content.decode()
    assert "staff-shell" not in page and "<aside" not in page and "退出登录" not in page
    assert 'id="checkin-qr"' in page and 'src="data:image/png;base64,' in page
    assert fair.title in page and "请用手机扫码签到" in page and 'id="checkin-count">0<' in page
    assert f'hx-get="{url}?display=1"' in page
    fragment = client.get(url, {"display": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and 'id="checkin-live"' in fragment and "请用手机扫码签到" in fragment
    assert f'hx-get="{url}?display=1"' in fragment and 'id="checkin-qr"' in fragment
    # the ordinary screen's refresh stays the ordinary one
    assert f'hx-get="{url}"' in client.get(url, HTTP_HX_REQUEST="true").content.decode()
    session_url = reverse("staff-session-checkin-screen", args=[session.pk])
    page = client.get(session_url, {"display": "1"}).content.decode()
    assert session.topic in page and "staff-shell" not in page and f'hx-get="{session_url}?display=1"' in page
    client.force_login(world.other_school_admin)
    assert client.get(url, {"display": "1"}).status_code == 404
    assert client.get(url, {"display": "1"}, HTTP_HX_REQUEST="true").status_code == 404
    assert client.get(session_url, {"display": "1"}).status_code == 404
    client.force_login(world.graduate_user)
    assert client.get(url, {"display": "1"}).status_code in (302, 403)


def test_staff_screen_before_the_window_says_when_it_opens(world, client):
    fair = make_fair(world.school, starts_in=timedelta(days=2))
    client.force_login(world.school_admin)
    page = client.get(reverse("staff-fair-checkin-screen", args=[fair.pk])).content.decode()
    assert "未开始签到" in page and "checkin-qr" not in page


def test_card_form_reports_the_result(world, client):
    fair = make_fair(world.school)
    card, link = card_for(world.graduate_user)
    client.force_login(world.school_admin)
    url = reverse("staff-fair-checkin-card", args=[fair.pk])
    page = client.post(url, {"card_code": link}, follow=True).content.decode()
    assert "王小明（安徽示例大学）签到成功" in page
    page = client.post(url, {"card_code": card.short_code}, follow=True).content.decode()
    assert "此前已签到，不重复计数" in page
    page = client.post(url, {"card_code": "ZZZZZZZZ"}, follow=True).content.decode()
    assert "签到未成功：名片码不存在" in page
    client.force_login(world.other_school_admin)
    assert client.post(url, {"card_code": card.short_code}).status_code == 404


def test_attendance_page_masks_other_schools_names_in_constant_statements(world, client,
                                                                          django_assert_max_num_queries):
    fair = make_fair(world.school, audience=Audience.PROVINCE)
    code = code_now(fair)
    fair_check_in(actor=world.graduate_user, fair=fair, code=code)
    fair_check_in(actor=world.stranger_user, fair=fair, code=code)
    client.force_login(world.school_admin)
    url = reverse("staff-fair-attendance", args=[fair.pk])
    client.get(url)  # warm the reference snapshot
    with django_assert_max_num_queries(8) as few:
        page = client.get(url).content.decode()
    for n in range(12):
        g = f.make_graduate(college=world.college, major=world.major, name=f"学生{n}", student_number=f"20229900{n:02d}")
        fair_check_in(actor=f.graduate_user(g), fair=fair, code=code)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
    assert "王小明" in page and "赵*" in page and "赵强" not in page and "扫现场二维码" in page


def test_employer_visitors_page_and_resume(world, client):
    fair = make_fair(world.school)
    booth = make_booth(fair, world.employer, number=2)
    Resume.objects.create(graduate=world.graduate, self_evaluation="热爱编程。")
    fair_check_in(actor=world.graduate_user, fair=fair, code=code_now(fair))
    classmate_user = f.graduate_user(world.classmate)
    fair_check_in(actor=classmate_user, fair=fair, code=code_now(fair))
    visit, _ = booth_visit_record(actor=world.graduate_user, booth=booth, share_resume=True)
    booth_visit_record(actor=classmate_user, booth=booth, share_resume=False)
    client.force_login(world.employer_user)
    page = client.get(reverse("employer-fair-visitors", args=[booth.pk])).content.decode()
    assert 'id="fair-checkin-count">2<' in page and 'id="booth-visit-count">2<' in page
    assert "王小明" in page and "李华" not in page
    resume = client.get(reverse("employer-fair-visitor", args=[booth.pk, visit.pk])).content.decode()
    assert "热爱编程。" in resume
    other = f.make_staff("employer", employer=f.make_employer(credit_code="91340100MA2N0YYY02", name="别家公司"))
    client.force_login(other)
    assert client.get(reverse("employer-fair-visitors", args=[booth.pk])).status_code == 404


def test_visitors_are_read_in_index_order_on_sqlite(world):
    """The employer's visitor list walks booth_visit_idx (booth, share_resume, created_at, id)
    without sorting the booth's visits: a bare boolean filter made SQLite sort them all."""
    from django.db import connection

    from apps.fairs import selectors_checkin as sel

    if connection.vendor != "sqlite":
        pytest.skip("the SQLite query plan (PostgreSQL reads the index in order either way)")
    booth = make_booth(make_fair(world.school), world.employer, number=3)
    sql, params = sel.booth_shared_visits(actor=world.employer_user, booth=booth)[:20].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "booth_visit_idx" in plan and "TEMP B-TREE" not in plan, plan


def test_graduate_marks_a_visit_from_the_booth_list(world, client):
    fair = make_fair(world.school)
    booth = make_booth(fair, world.employer, number=1)
    client.force_login(world.graduate_user)
    client.get(reverse("fair-checkin", args=[fair.pk, code_now(fair)]))
    response = client.post(reverse("fair-booth-visit", args=[booth.pk]), {"share_resume": "1"}, follow=True)
    body = response.content.decode()
    assert "并同意该单位查看你的简历" in body and "已到访" in body
    assert response.redirect_chain[-1][0] == reverse("fair-checkin-booths", args=[fair.pk])


def test_session_qr_page(world, client):
    session = make_session(world.school, world.employer)
    from apps.fairs.checkin import event_times

    start = event_times(session)[0]
    client.force_login(world.graduate_user)
    from unittest import mock

    with mock.patch("apps.fairs.services_checkin._now", return_value=start):
        code = checkin.rotating_code(session.checkin_secret, at=start)
        page = client.get(reverse("session-checkin", args=[session.pk, code])).content.decode()
    assert "签到成功" in page and session.topic in page
