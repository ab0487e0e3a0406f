"""The platform's registry client against the real stand-in process: answers, refusals, and
every fault mode seen as RegistryUnavailable (retry later) or RegistryRejected (never retry)."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import uuid
from datetime import date

import pytest

from apps.registry.client import (
    DeliveryReceipt,
    HttpRegistryClient,
    RegistryCopy,
    RegistryRejected,
    RegistryUnavailable,
    get_client,
)
from apps.registry.record_keys import RECORD_KEYS
from tests.registry.standin import free_port

# a cohort whose changes the registry still accepts (until 31 August of its year), whatever today is
OPEN_COHORT = date.today().year + 1


def record(**values) -> dict[str, str]:
    base = {key: "" for key in RECORD_KEYS}
    base.update({"学号": "2022001", "姓名": "张三", "性别": "1", "出生日期": "2003-05-01", "生源地代码": "340102",
                 "学历层次": "31", "专业名称": "软件工程", "专业代码": "080902", "毕业年份": str(OPEN_COHORT)})
    base.update(values)
    return base


def deliver(client, key="10357-1", sequence=1, idempotency_key=None, **values):
    return client.deliver(graduate_key=key, school_code=key.split("-")[0], cohort=OPEN_COHORT,
                          sequence=sequence,
                          idempotency_key=idempotency_key or uuid.uuid4().hex, record=record(**values))


def test_get_client_is_the_http_client_for_the_settings(registry_standin):
    client = get_client()
    assert isinstance(client, HttpRegistryClient)
    assert client.base_url == registry_standin.url
    receipt = deliver(client)
    assert receipt == DeliveryReceipt(version=1, sequence=1, verification_code="", duplicate=False)


class FakeClient:
    def deliver(self, **kw):
        return DeliveryReceipt(version=1, sequence=kw["sequence"], verification_code="", duplicate=False)

    def fetch(self, **kw):
        return None


FAKE = FakeClient()


def test_get_client_honours_a_dotted_path_override(settings):
    settings.REGISTRY_CLIENT = "tests.registry.test_client.FakeClient"
    assert isinstance(get_client(), FakeClient)
    settings.REGISTRY_CLIENT = "tests.registry.test_client.FAKE"
    assert get_client() is FAKE


def test_fetch_returns_the_current_copy_and_none_for_an_unknown_graduate(registry_standin):
    client = get_client()
    assert client.fetch(graduate_key="10357-1") is None
    deliver(client, sequence=1)
    deliver(client, sequence=2, 毕业去向类别代码="10", 单位名称="合肥某科技有限公司")
    copy = client.fetch(graduate_key="10357-1")
    assert isinstance(copy, RegistryCopy)
    assert (copy.graduate_key, copy.version, copy.sequence) == ("10357-1", 2, 2)
    assert copy.record["单位名称"] == "合肥某科技有限公司" and copy.record["姓名"] == "张三"
    assert copy.verification_code and copy.updated_at.tzinfo is not None


def test_a_replayed_key_is_answered_as_a_duplicate(registry_standin):
    client = get_client()
    first = deliver(client, idempotency_key="key-1")
    again = deliver(client, idempotency_key="key-1")
    assert again.duplicate and not first.duplicate
    assert (again.version, again.sequence) == (first.version, first.sequence)


def test_malformed_record_is_rejected_with_field_errors(registry_standin):
    client = get_client()
    with pytest.raises(RegistryRejected) as refused:
        deliver(client, 出生日期="2003-02-30", 性别="男")
    assert refused.value.status == 422
    assert set(refused.value.errors) == {"出生日期", "性别"}
    assert "出生日期" in str(refused.value)
    with pytest.raises(RegistryRejected) as out_of_order:
        deliver(client, sequence=1)
        deliver(client, sequence=1)
    assert out_of_order.value.status == 409 and "sequence" in out_of_order.value.errors


def test_a_wrong_secret_is_a_visible_retryable_failure(registry_standin, settings):
    settings.REGISTRY_SECRET = "not-the-secret"
    with pytest.raises(RegistryUnavailable, match="登记系统认证失败") as failed:
        deliver(get_client())
    assert failed.value.status == 401
    assert registry_standin.stats()["deliveries"] == 0


def test_5xx_is_unavailable_and_nothing_is_stored(registry_standin):
    registry_standin.set_faults(fail_rate=1.0)
    with pytest.raises(RegistryUnavailable, match="503"):
        deliver(get_client())
    with pytest.raises(RegistryUnavailable):
        get_client().fetch(graduate_key="10357-1")
    stats = registry_standin.stats()
    assert stats["deliveries"] == 0 and stats["faults_503"] == 2


def test_a_held_request_times_out_and_the_retry_is_a_harmless_duplicate(registry_standin, settings):
    settings.REGISTRY_TIMEOUT_SECONDS = 0.5
    registry_standin.set_faults(timeout_rate=1.0, timeout_seconds=5)
    started = time.monotonic()
    with pytest.raises(RegistryUnavailable, match="超时"):
        deliver(get_client(), idempotency_key="lost-answer")
    assert time.monotonic() - started < 3
    registry_standin.set_faults(timeout_rate=0.0)
    # the answer was lost, the delivery was not: the relay's retry with the same key is a duplicate
    assert deliver(get_client(), idempotency_key="lost-answer").duplicate
    assert registry_standin.stats()["deliveries"] == 1


def test_latency_is_added(registry_standin):
    registry_standin.set_faults(latency_ms=300)
    started = time.monotonic()
    deliver(get_client())
    assert time.monotonic() - started >= 0.3


def test_latency_beyond_the_timeout_is_unavailable(registry_standin, settings):
    settings.REGISTRY_TIMEOUT_SECONDS = 0.3
    registry_standin.set_faults(latency_ms=1000)
    with pytest.raises(RegistryUnavailable, match="超时"):
        get_client().fetch(graduate_key="10357-1")


def test_a_refused_connection_is_unavailable_until_it_listens_again(registry_standin):
    registry_standin.refuse(1.5)
    with pytest.raises(RegistryUnavailable, match="连接被拒绝"):
        deliver(get_client())
    deadline = time.monotonic() + 10
    while not registry_standin.healthy() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert deliver(get_client()).version == 1


def test_a_stopped_registry_is_unavailable(settings):
    settings.REGISTRY_URL = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RegistryUnavailable, match="无法连接"):
        get_client().fetch(graduate_key="10357-1")


def _serve_once(answer: bytes) -> str:
    """A one-shot server giving ``answer`` as the raw HTTP response (garbled registries)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve():
        conn, _ = listener.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(answer)
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.mark.parametrize("raw", [
    b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n<html>proxy error</html>",
    b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n[1, 2]",
    b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"version\": \"1\"}",
    b"not http at all\r\n\r\n",
])
def test_garbled_answers_are_unavailable_not_crashes(raw):
    client = HttpRegistryClient(base_url=_serve_once(raw), secret="x", timeout=2)
    with pytest.raises(RegistryUnavailable):
        deliver(client)



def test_production_refuses_to_start_without_a_registry_secret(tmp_path):
    from tests.core.test_security_headers import BASE_DIR, production_env

    env = production_env(tmp_path)
    env.pop("REGISTRY_SECRET")
    refused = subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), "check"], cwd=BASE_DIR, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "REGISTRY_SECRET" in refused.stderr
