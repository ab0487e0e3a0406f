"""The staff sync monitor (全国毕业去向登记同步): who sees which entries, counts and the oldest
undelivered entry, retrying dead entries, the graduate's own entries on the staff page, and a
list whose query count does not grow with its rows."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.registry.models import OutboxEntry, OutboxState
from apps.registry.outbox import ORIGIN, registry_enqueue
from tests import factories as f


def enqueue(graduate, *, state=OutboxState.PENDING, error="", age=timedelta(0)) -> OutboxEntry:
    with transaction.atomic():
        entry = registry_enqueue(graduate=graduate, reason=ORIGIN)
    now = timezone.now()
    OutboxEntry.objects.filter(pk=entry.pk).update(
        state=state, last_error=error, created_at=now - age, attempts=10 if state == OutboxState.DEAD else 0,
        delivered_at=now if state == OutboxState.DELIVERED else None)
    entry.refresh_from_db()
    return entry


@pytest.fixture
def entries(world):
    return {
        "mine_dead": enqueue(world.graduate, state=OutboxState.DEAD, error="登记系统拒收：生源地代码：不是有效的代码",
                             age=timedelta(hours=3)),
        "mine_pending": enqueue(world.graduate, age=timedelta(hours=2)),
        "classmate_delivered": enqueue(world.classmate, state=OutboxState.DELIVERED, age=timedelta(hours=5)),
        "classmate_dead": enqueue(world.classmate, state=OutboxState.DEAD, error="登记系统响应超时",
                                  age=timedelta(hours=1)),
        "stranger_dead": enqueue(world.stranger, state=OutboxState.DEAD, error="登记系统暂时不可用（503）",
                                 age=timedelta(days=2)),
    }


def _ids(api_client, user, **params):
    response = api_client.login_as(user).get("/registry/outbox", **params)
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


# --- scope ----------------------------------------------------------------------------------------

def test_school_staff_see_only_their_school(world, entries, api_client):
    e = entries
    assert _ids(api_client, world.school_admin, state="all") == {
        e["mine_dead"].pk, e["mine_pending"].pk, e["classmate_delivered"].pk, e["classmate_dead"].pk}
    assert _ids(api_client, world.other_school_admin, state="all") == {e["stranger_dead"].pk}
    # another school named in the filter gives nothing, not that school's entries
    assert _ids(api_client, world.school_admin, state="all", school_id=world.other_school.pk) == set()


def test_college_staff_see_their_college_and_province_staff_see_all(world, entries, api_client):
    e = entries
    assert _ids(api_client, world.college_admin, state="all") == {e["mine_dead"].pk, e["mine_pending"].pk}
    assert _ids(api_client, world.province_admin) == {e["mine_dead"].pk, e["classmate_dead"].pk, e["stranger_dead"].pk}
    assert _ids(api_client, world.province_admin, school_id=world.other_school.pk) == {e["stranger_dead"].pk}
    assert _ids(api_client, world.province_admin, college_id=world.other_college.pk) == {e["classmate_dead"].pk}


def test_graduates_and_employers_are_refused_the_monitor(world, entries, api_client, client):
    for user in (world.graduate_user, world.employer_user):
        response = api_client.login_as(user).get("/registry/outbox")
        assert response.status_code == 403 and response.json()["error"]["message"] == "无权执行此操作"
    client.force_login(world.graduate_user)
    assert client.get("/staff/registry/").status_code == 403


def test_the_list_defaults_to_dead_entries_with_their_error_oldest_first(world, entries, api_client):
    response = api_client.login_as(world.school_admin).get("/registry/outbox", state="nonsense")
    body = response.json()
    assert body["state"] == "dead"
    assert [(i["graduate_name"], i["last_error"]) for i in body["items"]] == [
        ("王小明", "登记系统拒收：生源地代码：不是有效的代码"), ("李华", "登记系统响应超时")]
    assert body["items"][0]["state_label"] == "发送失败，待处理" and body["items"][0]["reason_label"] == "生源信息"


def test_summary_counts_by_state_and_the_oldest_undelivered_entry(world, entries, api_client):
    body = api_client.login_as(world.school_admin).get("/registry/summary").json()
    assert body["pending"] == {"count": 1, "capped": False}
    assert body["delivered"] == {"count": 1, "capped": False}
    assert body["dead"] == {"count": 2, "capped": False}
    assert 3 * 3600 - 60 <= body["oldest_undelivered_age_seconds"] <= 3 * 3600 + 60
    assert body["oldest_undelivered_age"] in ("3小时0分钟", "2小时59分钟")
    province = api_client.login_as(world.province_admin).get("/registry/summary").json()
    assert province["dead"]["count"] == 3 and province["oldest_undelivered_age"].startswith("2天")


def test_the_monitor_page_shows_counts_oldest_age_and_errors(world, entries, client):
    client.force_login(world.school_admin)
    html = client.get("/staff/registry/").content.decode()
    assert "登记系统拒收：生源地代码：不是有效的代码" in html and "登记系统暂时不可用" not in html
    assert 'data-count="dead"><span class="badge bad">发送失败，待处理</span><strong>2</strong>' in html
    assert "3小时" in html and 'id="retry-dead"' in html
    client.force_login(world.college_admin)
    html = client.get("/staff/registry/").content.decode()
    assert "登记系统响应超时" not in html  # the other college's
    assert 'id="retry-dead"' not in html and "重新发送</button>" not in html  # read only


def test_the_staff_home_links_to_the_monitor(world, client):
    client.force_login(world.school_admin)
    assert 'href="/staff/registry/"' in client.get("/staff/").content.decode()


# --- retry ----------------------------------------------------------------------------------------

def test_retry_puts_a_dead_entry_back_in_the_queue(world, entries, api_client):
    dead = entries["mine_dead"]
    response = api_client.login_as(world.school_admin).post(f"/registry/outbox/{dead.pk}/retry")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "pending"
    dead.refresh_from_db()
    assert dead.state == OutboxState.PENDING and dead.next_attempt_at <= timezone.now() + timedelta(seconds=1)


def test_college_staff_cannot_retry(world, entries, api_client, client):
    dead = entries["mine_dead"]
    response = api_client.login_as(world.college_admin).post(f"/registry/outbox/{dead.pk}/retry")
    assert response.status_code == 403 and response.json()["error"]["message"] == "无权执行此操作"
    assert api_client.post("/registry/outbox/retry-dead").status_code == 403
    client.force_login(world.college_admin)
    assert client.post(f"/staff/registry/{dead.pk}/retry/").status_code == 403
    dead.refresh_from_db()
    assert dead.state == OutboxState.DEAD


def test_another_schools_entry_looks_missing(world, entries, api_client):
    response = api_client.login_as(world.school_admin).post(f"/registry/outbox/{entries['stranger_dead'].pk}/retry")
    assert response.status_code == 404 and response.json()["error"]["message"] == "记录不存在或无权访问"
    assert OutboxEntry.objects.get(pk=entries["stranger_dead"].pk).state == OutboxState.DEAD


def test_retrying_an_entry_that_is_not_dead_is_refused_in_chinese(world, entries, api_client):
    response = api_client.login_as(world.school_admin).post(
        f"/registry/outbox/{entries['classmate_delivered'].pk}/retry")
    assert response.status_code == 400
    message = response.json()["error"]["message"]
    assert message and all(not ("a" <= ch.lower() <= "z") for ch in message), message
    assert OutboxEntry.objects.get(pk=entries["classmate_delivered"].pk).state == OutboxState.DELIVERED


def test_retry_all_dead_acts_on_the_staffs_school_only(world, entries, api_client):
    response = api_client.login_as(world.school_admin).post("/registry/outbox/retry-dead")
    assert response.status_code == 200 and response.json() == {"count": 2}
    states = dict(OutboxEntry.objects.values_list("pk", "state"))
    assert states[entries["mine_dead"].pk] == states[entries["classmate_dead"].pk] == OutboxState.PENDING
    assert states[entries["stranger_dead"].pk] == OutboxState.DEAD


def test_province_staff_retry_dead_of_one_school(world, entries, api_client):
    response = api_client.login_as(world.province_admin).post(
        "/registry/outbox/retry-dead", {"school_id": world.other_school.pk})
    assert response.status_code == 200 and response.json() == {"count": 1}
    assert OutboxEntry.objects.get(pk=entries["stranger_dead"].pk).state == OutboxState.PENDING
    assert OutboxEntry.objects.get(pk=entries["mine_dead"].pk).state == OutboxState.DEAD


def test_retry_from_the_page_returns_to_the_monitor_with_a_message(world, entries, client):
    client.force_login(world.school_admin)
    dead = entries["mine_dead"]
    response = client.post(f"/staff/registry/{dead.pk}/retry/", {"next": "/staff/registry/?state=dead"}, follow=True)
    assert response.redirect_chain[-1][0] == "/staff/registry/?state=dead"
    assert f"已重新安排发送第{dead.sequence}号变更" in response.content.decode()
    response = client.post(f"/staff/registry/{dead.pk}/retry/", {"next": "https://example.com/"}, follow=True)
    assert response.redirect_chain[-1][0] == "/staff/registry/"  # never elsewhere


# --- the graduate's staff page -----------------------------------------------------------------

def test_the_graduates_staff_page_lists_their_own_entries(world, entries, client):
    client.force_login(world.school_admin)
    html = client.get(f"/staff/graduates/{world.graduate.pk}/").content.decode()
    assert 'id="registry-entries"' in html and "同步失败" in html
    assert f'data-id="{entries["mine_dead"].pk}"' in html and f'data-id="{entries["mine_pending"].pk}"' in html
    assert f'data-id="{entries["classmate_dead"].pk}"' not in html


# --- scale -----------------------------------------------------------------------------------------

def _queries(callable_) -> int:
    with CaptureQueriesContext(connection) as captured:
        callable_()
    return len(captured)


@pytest.mark.parametrize("who", ["school_admin", "province_admin"])
def test_the_list_reads_a_constant_number_of_queries(world, client, api_client, who):
    user = getattr(world, who)
    enqueue(world.graduate, state=OutboxState.DEAD, error="登记系统响应超时")
    client.force_login(user)
    api_client.login_as(user)
    client.get("/staff/registry/")  # warm the reference snapshot and the session
    page_one, api_one = _queries(lambda: client.get("/staff/registry/")), _queries(
        lambda: api_client.get("/registry/outbox"))
    for n in range(39):
        g = f.make_graduate(college=world.college if n % 2 else world.other_college, name=f"学生{n}")
        enqueue(g, state=OutboxState.DEAD, error="登记系统响应超时")
    # 40 rows: the same reads plus the bounded COUNT a second page needs (one page needs none)
    assert _queries(lambda: client.get("/staff/registry/")) == page_one + 1
    assert _queries(lambda: api_client.get("/registry/outbox")) == api_one + 1
    assert len(client.get("/staff/registry/").content.decode().split('data-id="')) - 1 == 30  # a bounded page


def test_a_refused_entry_tells_staff_to_fix_the_data_before_retrying(world, entries, client):
    OutboxEntry.objects.filter(pk=entries["mine_dead"].pk).update(rejected=True)
    client.force_login(world.school_admin)
    html = client.get("/staff/registry/").content.decode()
    assert html.count("请先更正该生数据，重新发送时按最新数据发送") == 1  # not on the timed-out one
