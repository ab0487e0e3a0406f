"""全国登记: when the national registry refuses a graduate's record, the graduate is told
(kind registry.refused); an outage that exhausts the retries is staff's business and sends nothing."""

from __future__ import annotations

from apps.notifications.models import Notification
from apps.registry.client import RegistryRejected, RegistryUnavailable
from apps.registry.relay import relay_once
from tests.registry.test_relay import Clock, FakeRegistry, enqueue


def test_a_refused_record_notifies_the_graduate_once_without_the_registry_reason(world, settings):
    settings.REGISTRY_MAX_ATTEMPTS = 10
    registry, clock = FakeRegistry(), Clock()
    enqueue(world.graduate)
    registry.script = [RegistryRejected({"出生日期": "日期格式不正确"}, status=422)]
    relay_once(client=registry, clock=clock)
    relay_once(client=registry, clock=clock)  # dead: nothing claimed, nothing more said

    [note] = Notification.objects.filter(kind="registry.refused")
    assert note.graduate == world.graduate
    assert note.title == "你的毕业去向信息未被全国毕业去向登记系统接收"
    assert note.link == "/register/registry/"
    assert "出生日期" not in note.body


def test_retries_running_out_notify_nobody(world, settings):
    settings.REGISTRY_MAX_ATTEMPTS = 2
    settings.REGISTRY_BACKOFF_BASE_SECONDS = 1
    registry, clock = FakeRegistry(), Clock()
    enqueue(world.graduate)
    for _ in range(2):
        registry.script = [RegistryUnavailable("登记系统无法连接（连接被拒绝）")]
        relay_once(client=registry, clock=clock)
        clock.advance(60)
    assert not Notification.objects.filter(kind="registry.refused").exists()
