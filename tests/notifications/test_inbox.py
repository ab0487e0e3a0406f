"""消息通知 inbox (issue 13 walk-through, item 1): graduates reach their messages from 我的 and
the home page's shortcuts and see how many are unread (我的 row, 我的 tab, employer home); the
count is one bounded statement; opening the list marks the shown messages read, 全部标为已读
the rest; the API gives the same count and marks read."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.notifications import selectors
from apps.notifications.models import Notification
from apps.notifications.services import notifications_mark_read, notify

pytestmark = pytest.mark.django_db


def _send(n: int, *, graduate=None, employer=None, kind: str = "fair.cancelled") -> None:
    for i in range(n):
        notify(kind=kind, title=f"招聘会已取消{i}", body="场地维修", link="/services/fairs/", graduate=graduate,
               employer=employer)


@pytest.fixture
def graduate_client(client, world):
    client.force_login(world.graduate_user)
    return client


def _me(client) -> str:
    response = client.get("/me/")
    assert response.status_code == 200
    return response.content.decode()


def test_me_has_a_notifications_row_with_the_unread_count(graduate_client, world):
    page = _me(graduate_client)
    assert 'href="/notifications/"' in page and 'id="notifications-entry"' in page
    assert 'id="notifications-unread"' not in page and 'id="tab-me-unread"' not in page  # nothing unread

    _send(3, graduate=world.graduate)
    page = _me(graduate_client)
    assert 'id="notifications-unread" aria-label="3条未读消息">3</span>' in page
    assert 'id="tab-me-unread" aria-label="3条未读消息">3</span>' in page


def test_the_count_drops_after_reading(graduate_client, world):
    _send(3, graduate=world.graduate)
    listing = graduate_client.get("/notifications/").content.decode()
    assert listing.count('<span class="badge warn">新</span>') == 3  # still marked 新 on this view
    page = _me(graduate_client)
    assert 'id="notifications-unread"' not in page and 'id="tab-me-unread"' not in page
    assert not Notification.objects.filter(graduate=world.graduate, read_at__isnull=True).exists()

    _send(1, graduate=world.graduate)
    assert '>1</span>' in _me(graduate_client)


def test_other_peoples_messages_are_never_counted(graduate_client, world):
    _send(2, graduate=world.classmate)
    _send(2, graduate=world.stranger)
    _send(2, employer=world.employer, kind="fair.booth")
    _send(1, graduate=world.graduate)
    page = _me(graduate_client)
    assert 'aria-label="1条未读消息">1</span>' in page
    assert selectors.unread_count(actor=world.graduate_user) == 1
    assert selectors.unread_count(actor=world.employer_user) == 2
    # reading one's own list leaves the others' unread
    graduate_client.get("/notifications/")
    assert Notification.objects.filter(read_at__isnull=True).count() == 6


def test_staff_have_no_count_and_no_statement(world, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert selectors.unread_count(actor=world.school_admin) == 0


def test_the_count_is_one_bounded_statement(world, django_assert_num_queries):
    Notification.objects.bulk_create(
        [Notification(graduate=world.graduate, kind="fair.cancelled", title=f"第{i}条") for i in range(120)])
    with django_assert_num_queries(1) as ctx:
        count = selectors.unread_count(actor=world.graduate_user)
    assert count == selectors.UNREAD_CAP + 1
    assert "LIMIT 100" in ctx.captured_queries[0]["sql"].upper()
    assert selectors.unread_badge(count) == "99+"
    assert [selectors.unread_badge(n) for n in (0, 1, 99)] == ["", "1", "99"]


def test_me_page_counts_once_for_the_row_and_the_tab(graduate_client, world):
    _send(2, graduate=world.graduate)
    _me(graduate_client)  # warms the reference snapshot
    with CaptureQueriesContext(connection) as ctx:
        _me(graduate_client)
    assert sum("notifications_notification" in q["sql"] for q in ctx.captured_queries) == 1


def test_home_has_a_notifications_shortcut_with_the_unread_count(graduate_client, world):
    _send(2, graduate=world.graduate)
    home = graduate_client.get("/home/").content.decode()
    assert 'id="home-notifications"' in home and 'href="/notifications/"' in home
    assert 'id="home-notifications-unread" aria-label="2条未读消息">2</span>' in home
    assert 'id="tab-me-unread" aria-label="2条未读消息">2</span>' in home
    graduate_client.get("/notifications/")
    assert 'id="home-notifications-unread"' not in graduate_client.get("/home/").content.decode()


def test_home_shows_the_count_when_the_graduate_row_carries_it(world, rf):
    """The home template's badge reads graduate.unread_notifications (with_unread_notifications):
    no statement of its own, so the home page's budget stays as it is."""
    from django.template.loader import render_to_string

    from apps.graduates.models import Graduate

    _send(4, graduate=world.graduate)
    graduate = selectors.with_unread_notifications(Graduate.objects.select_related("school", "college")).get(
        pk=world.graduate.pk)
    assert graduate.unread_notifications == 4
    request = rf.get("/home/")
    request.user = world.graduate_user
    html = render_to_string("graduates/home.html", {"graduate": graduate, "tab": "home"}, request=request)
    assert 'id="home-notifications-unread" aria-label="4条未读消息">4</span>' in html
    assert 'id="tab-me-unread" aria-label="4条未读消息">4</span>' in html


def test_mark_all_read_reaches_later_pages(graduate_client, world):
    _send(25, graduate=world.graduate)
    listing = graduate_client.get("/notifications/").content.decode()
    assert 'id="mark-all-read"' in listing  # two pages
    assert selectors.unread_count(actor=world.graduate_user) == 5  # the first page was read
    response = graduate_client.post("/notifications/", follow=True)
    assert "已将5条消息标为已读" in response.content.decode()
    assert selectors.unread_count(actor=world.graduate_user) == 0


def test_employer_home_shows_the_count(client, world):
    _send(2, employer=world.employer, kind="fair.booth")
    client.force_login(world.employer_user)
    page = client.get("/employer/").content.decode()
    assert 'id="notifications-unread" aria-label="2条未读消息">2</span>' in page
    client.get("/notifications/")
    assert 'id="notifications-unread"' not in client.get("/employer/").content.decode()


def test_mark_read_service_touches_only_own_messages(world):
    _send(1, graduate=world.graduate)
    _send(1, graduate=world.classmate)
    theirs = Notification.objects.get(graduate=world.classmate)
    assert notifications_mark_read(actor=world.graduate_user, ids=[theirs.pk]) == 0
    assert notifications_mark_read(actor=world.graduate_user, ids=[]) == 0
    assert notifications_mark_read(actor=world.graduate_user) == 1
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_read_service_refuses_staff(world):
    from apps.core.errors import Forbidden

    with pytest.raises(Forbidden):
        notifications_mark_read(actor=world.school_admin)


# --- API ----------------------------------------------------------------------------------------------

def test_api_gives_the_unread_count_and_marks_read(api_client, world):
    _send(3, graduate=world.graduate)
    _send(2, graduate=world.classmate)
    api_client.login_as(world.graduate_user)
    body = api_client.get("/notifications/").json()
    assert (body["count"], body["unread"]) == (3, 3)
    first = body["items"][0]["id"]
    assert api_client.post("/notifications/read", {"ids": [first]}).json() == {"marked": 1}
    body = api_client.get("/notifications/").json()
    assert body["unread"] == 2 and body["items"][0]["read"] is True
    theirs = Notification.objects.filter(graduate=world.classmate).values_list("pk", flat=True)
    assert api_client.post("/notifications/read", {"ids": list(theirs)}).json() == {"marked": 0}
    assert api_client.post("/notifications/read", {}).json() == {"marked": 2}
    assert api_client.get("/notifications/").json()["unread"] == 0
    assert Notification.objects.filter(graduate=world.classmate, read_at__isnull=True).count() == 2


def test_api_refuses_staff(api_client, world):
    api_client.login_as(world.school_admin)
    assert api_client.get("/notifications/").status_code == 403
    assert api_client.post("/notifications/read", {}).status_code == 403
