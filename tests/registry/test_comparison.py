"""全国毕业去向登记系统数据查看: the graduate's comparison of the registry's record with the
platform's, on the page and in the API. The registry is a small in-memory stand-in here (the
real stand-in process is driven by the browser tests and the relay's fault test)."""
from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from apps.graduates.services import graduate_update
from apps.registry.client import RegistryCopy, RegistryUnavailable
from apps.registry.models import GraduateSync, OutboxEntry, OutboxState
from apps.registry.national import graduate_key
from apps.registry.selectors import platform_record


class FakeRegistry:
    """Holds records by graduate key; ``down`` makes every call fail like a refused connection."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.records: dict[str, RegistryCopy] = {}
        self.down = False
        self.fetches = 0

    def hold(self, graduate, record: dict, *, code: str = "") -> None:
        key = graduate_key(graduate)
        version = self.records[key].version + 1 if key in self.records else 1
        self.records[key] = RegistryCopy(key, version, version, code, datetime(2026, 6, 1, tzinfo=UTC), dict(record))

    def deliver(self, **kw):  # the relay's part; not used by the comparison view
        raise AssertionError("the comparison view never delivers")

    def fetch(self, *, graduate_key: str):
        self.fetches += 1
        if self.down:
            raise RegistryUnavailable("登记系统无法连接（连接被拒绝）")
        return self.records.get(graduate_key)


FAKE = FakeRegistry()


@pytest.fixture
def registry(settings):
    FAKE.reset()
    settings.REGISTRY_CLIENT = "tests.registry.test_comparison.FAKE"
    return FAKE


def deliver_pending(graduate) -> None:
    """What the relay does once the registry accepted the graduate's entries (its own tests
    drive the real relay): the registry holds the last payload, the entries are delivered."""
    entries = list(OutboxEntry.objects.filter(graduate=graduate, state=OutboxState.PENDING).order_by("sequence"))
    now = timezone.now()
    for entry in entries:
        FAKE.hold(graduate, json.loads(entry.payload))
        entry.state, entry.delivered_at = OutboxState.DELIVERED, now
        entry.save(update_fields=["state", "delivered_at"])
    GraduateSync.objects.filter(graduate=graduate).update(
        delivered_sequence=entries[-1].sequence, last_delivered_at=now)


@pytest.fixture
def graduate_client(client, world):
    client.force_login(world.graduate_user)
    return client


def _mine(api_client, world):
    response = api_client.login_as(world.graduate_user).get("/registry/mine")
    assert response.status_code == 200, response.content
    return response.json()


def _origin_change(world, code="340104"):
    graduate_update(actor=world.graduate_user, graduate=world.graduate, changes={"origin_division": code})


# --- nothing yet ------------------------------------------------------------------------------

def test_nothing_sent_and_nothing_held_is_explained(registry, world, graduate_client, api_client):
    page = graduate_client.get("/register/registry/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "登记系统暂无您的记录" in html and "尚未同步" in html
    assert 'class="differs"' not in html  # nothing to compare with: no difference is claimed
    mine = _mine(api_client, world)
    assert mine["registry_copy"]["state"]["code"] == "empty"
    assert mine["state"]["code"] == "not_started" and mine["waiting"] is False
    assert mine["differences"] == []
    assert [s["title"] for s in mine["sections"]] == ["基本信息", "毕业去向信息", "档案转寄信息"]
    row = next(r for r in mine["sections"][0]["rows"] if r["key"] == "姓名")
    assert row == {"key": "姓名", "platform": "王小明", "registry": None, "differs": False,
                   "fix": {"label": "去纠错", "url": "/register/corrections/new/?field=name"}}


def test_register_tab_links_to_the_comparison_view(registry, world, graduate_client):
    html = graduate_client.get("/register/").content.decode()
    assert 'href="/register/registry/"' in html and "即将开放" not in html


# --- differences, waiting, in sync ---------------------------------------------------------------

def test_a_change_not_yet_delivered_shows_as_a_waiting_difference(registry, world, graduate_client, api_client):
    _origin_change(world, "340104")
    deliver_pending(world.graduate)  # the registry holds 蜀山区
    _origin_change(world, "340102")  # 瑶海区: queued, not delivered
    mine = _mine(api_client, world)
    assert mine["state"]["code"] == "waiting" and mine["waiting"] is True
    assert "1条信息变更正在发送" in mine["state"]["text"]
    differing = {d["key"]: d for d in mine["differences"]}
    assert set(differing) == {"生源地代码", "生源地名称"}
    assert differing["生源地代码"]["platform"] == "340102" and differing["生源地代码"]["registry"] == "340104"
    assert differing["生源地代码"]["fix"] == {"label": "去生源信息登记", "url": "/register/origin/"}
    assert mine["sections"][0]["difference_count"] == 2

    html = graduate_client.get("/register/registry/").content.decode()
    assert 'data-field="生源地代码" class="differs"' in html
    assert 'data-field="姓名" class=""' in html
    assert "等待同步" in html and 'href="/register/origin/"' in html
    assert "有 <strong>2</strong> 项与平台信息不一致，平台的变更正在同步" in html


def test_after_delivery_the_two_sides_are_equal_and_synchronised(registry, world, graduate_client, api_client):
    _origin_change(world)
    deliver_pending(world.graduate)
    FAKE.records[graduate_key(world.graduate)] = RegistryCopy(
        graduate_key(world.graduate), 1, 1, "HY2026000123", datetime(2026, 6, 1, tzinfo=UTC),
        platform_record(graduate=world.graduate))
    mine = _mine(api_client, world)
    assert mine["differences"] == [] and mine["waiting"] is False
    assert mine["state"]["code"] == "synced" and "最近一次同步：" in mine["state"]["text"]
    assert mine["verification_code"] == "HY2026000123"
    html = graduate_client.get("/register/registry/").content.decode()
    assert "登记系统中的信息与平台一致" in html and "核验编号：<strong>HY2026000123</strong>" in html
    sync = GraduateSync.objects.get(graduate=world.graduate)
    assert sync.verification_code == "HY2026000123" and sync.registry_version == 1


def test_a_difference_in_a_roster_field_links_to_a_correction_of_that_field(registry, world, graduate_client):
    record = platform_record(graduate=world.graduate)
    FAKE.hold(world.graduate, {**record, "姓名": "王晓明", "学号": "2022019999"})
    html = graduate_client.get("/register/registry/").content.decode()
    assert 'href="/register/corrections/new/?field=name"' in html
    assert 'href="/register/corrections/new/?kind=other"' in html  # 学号: no field of its own on the form
    assert '<span class="badge bad">不一致</span>' in html and "等待同步" not in html
    form = graduate_client.get("/register/corrections/new/?field=name").content.decode()
    assert "王小明" in form  # the field is preselected with its current value


def test_the_failed_state_tells_the_graduate_the_school_will_act(registry, world, api_client):
    _origin_change(world)
    OutboxEntry.objects.filter(graduate=world.graduate).update(state=OutboxState.DEAD, last_error="登记系统拒收：生源地代码：不存在")
    mine = _mine(api_client, world)
    assert mine["state"]["code"] == "failed" and mine["state"]["tone"] == "bad"
    assert "学校老师会处理后重新发送" in mine["state"]["text"]
    assert "拒收" not in mine["state"]["text"]  # the technical reason is for staff


def test_the_owner_sees_own_phone_numbers_unmasked(registry, world, graduate_client):
    graduate_update(actor=world.graduate_user, graduate=world.graduate, changes={"phone": "13812345678"})
    html = graduate_client.get("/register/registry/").content.decode()
    assert "13812345678" in html


# --- the registry cannot be reached ------------------------------------------------------------

def test_registry_down_shows_the_last_copy_with_its_time_and_a_message(registry, world, graduate_client, api_client,
                                                                       caplog):
    graduate_update(actor=world.graduate_user, graduate=world.graduate, changes={"phone": "13812345678"})
    FAKE.hold(world.graduate, {**platform_record(graduate=world.graduate), "单位名称": "旧单位"})
    assert graduate_client.get("/register/registry/").status_code == 200  # read and kept
    kept_at = GraduateSync.objects.get(graduate=world.graduate).copy_fetched_at
    FAKE.down = True
    with caplog.at_level(logging.DEBUG):
        page = graduate_client.get("/register/registry/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "暂时无法连接全国毕业去向登记系统" in html
    assert f"以下为{timezone.localtime(kept_at):%Y-%m-%d %H:%M}读取的数据" in html
    assert "旧单位" in html and 'data-field="单位名称" class="differs"' in html
    assert "13812345678" not in caplog.text  # never logged
    mine = _mine(api_client, world)
    assert mine["registry_copy"]["state"]["code"] == "stale"
    assert mine["registry_copy"]["fetched_at"] is not None
    assert [d["key"] for d in mine["differences"]] == ["单位名称"]


def test_registry_down_with_nothing_kept_explains_and_lists_the_platform_side(registry, world, graduate_client,
                                                                              api_client):
    FAKE.down = True
    page = graduate_client.get("/register/registry/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "暂时无法连接全国毕业去向登记系统" in html and "也没有以前读取过的数据" in html
    assert "王小明" in html
    mine = _mine(api_client, world)
    assert mine["registry_copy"]["state"]["code"] == "unreachable" and mine["differences"] == []


def test_an_older_answer_never_replaces_a_newer_kept_copy(registry, world):
    from apps.registry.services_copy import registry_copy_refresh

    FAKE.hold(world.graduate, {"姓名": "新"})
    FAKE.hold(world.graduate, {"姓名": "更新"})  # version 2
    registry_copy_refresh(actor=world.graduate_user, graduate=world.graduate)
    FAKE.records[graduate_key(world.graduate)] = RegistryCopy(
        graduate_key(world.graduate), 1, 1, "", datetime(2026, 6, 1, tzinfo=UTC), {"姓名": "新"})
    registry_copy_refresh(actor=world.graduate_user, graduate=world.graduate)
    sync = GraduateSync.objects.get(graduate=world.graduate)
    assert json.loads(sync.registry_copy) == {"姓名": "更新"} and sync.registry_version == 2


# --- who may look --------------------------------------------------------------------------------

def test_staff_are_refused_the_graduate_view_in_chinese(registry, world, api_client, client):
    response = api_client.login_as(world.school_admin).get("/registry/mine")
    assert response.status_code == 403 and response.json()["error"]["message"] == "无权执行此操作"
    client.force_login(world.school_admin)
    assert client.get("/register/registry/").status_code == 403


def test_the_page_asks_the_registry_once_and_never_for_another_graduate(registry, world, graduate_client):
    FAKE.hold(world.classmate, {"姓名": "李华"})
    html = graduate_client.get("/register/registry/").content.decode()
    assert FAKE.fetches == 1 and "李华" not in html
