"""The stand-in registry process speaks docs/registry-protocol.md: raw HTTP against the real
subprocess (the client's view of it is in test_client.py)."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import date

import pytest

from apps.registry import national
from apps.registry.record_keys import COMPLETE_KEYS, RECORD_KEYS
from tests.registry.standin import ROOT, StandInProcess
from tests.registry.test_client import OPEN_COHORT, record


def call(standin, method, path, body=None, *, secret=None, headers=None, raw: bytes | None = None):
    data = raw if raw is not None else (json.dumps(body, ensure_ascii=False).encode() if body is not None else None)
    request = urllib.request.Request(standin.url + path, data=data, method=method)
    if secret is not False:
        request.add_header("Authorization", f"Bearer {secret or standin.secret}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - local test server
            status, text = answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def post(standin, key="k1", *, graduate_key="10357-7", sequence=1, cohort=OPEN_COHORT, **values):
    body = {"graduate_key": graduate_key, "school_code": graduate_key.split("-")[0], "cohort": cohort,
            "sequence": sequence, "record": record(**values)}
    return call(standin, "POST", "/api/v1/records", body, headers={"Idempotency-Key": key})


def test_record_keys_are_the_national_shape_and_the_standin_runs_without_django():
    assert RECORD_KEYS == national.RECORD_KEYS
    assert set(COMPLETE_KEYS) <= set(RECORD_KEYS)
    probe = "import sys, registry_standin.server, registry_standin.__main__; print('django' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_healthz_needs_no_secret_and_everything_else_does(registry_standin):
    assert call(registry_standin, "GET", "/healthz", secret=False) == (200, "ok")
    assert call(registry_standin, "GET", "/api/v1/records/10357-7", secret=False) == (401, {"error": "unauthorised"})
    assert call(registry_standin, "GET", "/admin/stats", secret="wrong")[0] == 401
    status, _ = call(registry_standin, "POST", "/api/v1/records", {"graduate_key": "10357-7"}, secret="wrong",
                     headers={"Idempotency-Key": "k9"})
    assert status == 401


def test_each_delivery_is_a_new_version_and_a_replay_stores_nothing(registry_standin):
    assert post(registry_standin, "k1", sequence=1) == (
        200, {"version": 1, "sequence": 1, "verification_code": None, "duplicate": False})
    status, second = post(registry_standin, "k2", sequence=3, 毕业去向类别代码="10")
    assert status == 200 and (second["version"], second["sequence"]) == (2, 3)  # gaps allowed
    status, replay = post(registry_standin, "k1", sequence=1)
    assert status == 200 and replay == {"version": 1, "sequence": 1, "verification_code": None, "duplicate": True}
    assert [(d["idempotency_key"], d["sequence"], d["version"]) for d in registry_standin.deliveries("10357-7")] == [
        ("k1", 1, 1), ("k2", 3, 2)]
    stats = registry_standin.stats()
    assert (stats["records"], stats["deliveries"], stats["duplicates_seen"]) == (1, 2, 1)
    status, held = call(registry_standin, "GET", "/api/v1/records/10357-7")
    assert status == 200 and (held["version"], held["sequence"]) == (2, 3)
    assert held["record"]["毕业去向类别代码"] == "10" and held["updated_at"]
    assert call(registry_standin, "GET", "/api/v1/records/10357-8") == (404, {"error": "not_found"})


def test_parallel_replays_of_one_key_store_it_once(registry_standin):
    answers = []

    def send():
        answers.append(post(registry_standin, "same-key"))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _ in answers] == [200] * 8
    assert sorted(answer["duplicate"] for _, answer in answers) == [False] + [True] * 7
    assert registry_standin.stats()["deliveries"] == 1


def test_an_older_sequence_with_a_new_key_is_out_of_order(registry_standin):
    post(registry_standin, "k1", sequence=5)
    status, answer = post(registry_standin, "k2", sequence=5)
    assert status == 409 and set(answer["errors"]) == {"sequence"}
    assert post(registry_standin, "k3", sequence=4)[0] == 409
    stats = registry_standin.stats()
    assert stats["out_of_order"] == 2 and stats["deliveries"] == 1


@pytest.mark.parametrize(("change", "field"), [
    (lambda r: r.update({"身份证号": "x"}), "身份证号"),  # unknown key
    (lambda r: r.pop("姓名"), "姓名"),  # missing key
    (lambda r: r.update({"毕业年份": 2026}), "毕业年份"),  # not a string
    (lambda r: r.update({"出生日期": "2003/05/01"}), "出生日期"),  # bad date
    (lambda r: r.update({"签约日期": "2026-02-30"}), "签约日期"),  # no such day
    (lambda r: r.update({"生源地代码": "合肥"}), "生源地代码"),  # code not digits
    (lambda r: r.update({"入学年月": "2022-13"}), "入学年月"),
    (lambda r: r.update({"是否缓寄": "是"}), "是否缓寄"),
])
def test_malformed_records_get_field_errors_and_change_nothing(registry_standin, change, field):
    body = {"graduate_key": "10357-7", "school_code": "10357", "cohort": OPEN_COHORT, "sequence": 1,
            "record": record()}
    change(body["record"])
    status, answer = call(registry_standin, "POST", "/api/v1/records", body, headers={"Idempotency-Key": "k"})
    assert status == 422 and list(answer["errors"]) == [field]
    assert all("\u4e00" <= ch <= "\u9fff" for ch in answer["errors"][field][:1])  # a Chinese reason
    stats = registry_standin.stats()
    assert (stats["deliveries"], stats["rejected"]) == (0, 1)


def test_malformed_envelopes_are_refused(registry_standin):
    good = {"graduate_key": "10357-7", "school_code": "10357", "cohort": OPEN_COHORT, "sequence": 1,
            "record": record()}
    key = {"Idempotency-Key": "k"}
    assert call(registry_standin, "POST", "/api/v1/records", good)[1]["errors"] == {"Idempotency-Key": "缺少幂等键"}
    assert "Idempotency-Key" in call(registry_standin, "POST", "/api/v1/records", good,
                                     headers={"Idempotency-Key": "k" * 65})[1]["errors"]
    for bad, field in [({"sequence": 0}, "sequence"), ({"sequence": "1"}, "sequence"), ({"sequence": True}, "sequence"),
                       ({"school_code": "10358"}, "school_code"), ({"cohort": str(OPEN_COHORT)}, "cohort"),
                       ({"record": []}, "record"), ({"graduate_key": "张三"}, "graduate_key")]:
        status, answer = call(registry_standin, "POST", "/api/v1/records", {**good, **bad}, headers=key)
        assert status == 422 and field in answer["errors"], (bad, answer)
    status, answer = call(registry_standin, "POST", "/api/v1/records", raw=b"{not json", headers=key)
    assert status == 422 and "body" in answer["errors"]
    assert registry_standin.stats()["deliveries"] == 0


def test_verification_code_is_issued_once_complete_and_kept(registry_standin):
    status, first = post(registry_standin, "k1", sequence=1)
    assert status == 200 and first["verification_code"] is None  # no 毕业去向类别代码 yet
    status, complete = post(registry_standin, "k2", sequence=2, 毕业去向类别代码="10")
    code = complete["verification_code"]
    assert code and code.isdigit() and code.startswith(f"{OPEN_COHORT}10357")
    # later changes, even ones that empty a required field, keep the code issued
    assert post(registry_standin, "k3", sequence=3, 毕业去向类别代码="11")[1]["verification_code"] == code
    assert post(registry_standin, "k4", sequence=4, 毕业去向类别代码="")[1]["verification_code"] == code
    assert call(registry_standin, "GET", "/api/v1/records/10357-7")[1]["verification_code"] == code
    # each graduate gets a code of their own
    other = post(registry_standin, "k5", graduate_key="10357-8", 毕业去向类别代码="10")[1]["verification_code"]
    assert other and other != code


def test_a_cohort_is_refused_after_its_changes_deadline(tmp_path):
    standin = StandInProcess(tmp_path, changes_until="08-31").start()
    try:
        closed = OPEN_COHORT - 2  # last year's cohort: closed since 31 August of last year
        status, answer = post(standin, "k1", cohort=closed)
        assert status == 422 and answer["errors"] == {"cohort": f"{closed}届毕业生信息变更已于{closed}年8月31日截止"}
        assert post(standin, "k2", cohort=OPEN_COHORT)[0] == 200
        assert standin.stats()["deliveries"] == 1
    finally:
        assert standin.stop() == 0


def test_the_test_fixture_accepts_any_cohort(registry_standin):
    assert post(registry_standin, "k1", cohort=2000)[0] == 200


def test_faults_apply_to_the_protocol_not_to_admin_or_health(registry_standin):
    registry_standin.set_faults(fail_rate=1.0)
    assert post(registry_standin)[0] == 503
    assert call(registry_standin, "GET", "/healthz", secret=False)[0] == 200
    assert registry_standin.stats()["faults_503"] == 1
    status, answer = call(registry_standin, "POST", "/admin/faults", {"fail_rate": 1.5, "latency": 3})
    assert status == 422 and set(answer["errors"]) == {"fail_rate", "latency"}
    registry_standin.set_faults(fail_rate=0.5)
    statuses = [post(registry_standin, f"k{i}", sequence=i + 1)[0] for i in range(40)]
    assert 5 <= statuses.count(503) <= 35 and statuses.count(200) == 40 - statuses.count(503)


def test_refusal_closes_the_listening_socket_then_listens_again(registry_standin):
    post(registry_standin, "k1")
    registry_standin.refuse(1.5)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", registry_standin.port), timeout=2).close()
    deadline = time.monotonic() + 10
    while not registry_standin.healthy() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert registry_standin.healthy()
    assert registry_standin.faults()["refuse_seconds"] == 0  # a one-off, not a lasting state
    assert registry_standin.stats()["deliveries"] == 1  # the store survived


def test_the_log_has_one_line_per_request_and_no_record_values(registry_standin):
    post(registry_standin, "k1", 姓名="欧阳娜娜", 本人联系电话="13912345678", 家庭地址="幸福路88号")
    post(registry_standin, "k2", sequence=2, 姓名="欧阳娜娜", 出生日期="13912345678")  # refused, value echoed nowhere
    time.sleep(0.2)
    log = registry_standin.log_text()
    assert "POST /api/v1/records 200" in log and "POST /api/v1/records 422" in log and "出生日期" in log
    for value in ("欧阳娜娜", "13912345678", "幸福路88号"):
        assert value not in log


def test_stopped_and_started_again_it_keeps_its_store_and_stops_cleanly(registry_standin):
    post(registry_standin, "k1")
    assert registry_standin.stop() == 0  # SIGTERM: clean exit
    assert not registry_standin.healthy()
    registry_standin.start()
    assert registry_standin.stats()["deliveries"] == 1
    assert post(registry_standin, "k1")[1]["duplicate"] is True
    registry_standin.process.send_signal(signal.SIGINT)
    assert registry_standin.process.wait(timeout=10) == 0
    assert "stopped" in registry_standin.log_text()


def test_reset_is_refused_without_allow_reset_and_env_sets_faults_at_start(tmp_path):
    standin = StandInProcess(tmp_path, allow_reset=False, env={"REGISTRY_STANDIN_FAIL_RATE": "1"})
    standin.start()
    try:
        assert standin.admin("POST", "/admin/reset") == (403, {"error": "reset_disabled"})
        assert standin.faults()["fail_rate"] == 1.0
        assert post(standin)[0] == 503
    finally:
        assert standin.stop() == 0


def test_a_start_without_a_secret_is_refused(tmp_path):
    out = subprocess.run([sys.executable, "-m", "registry_standin", "--port", "0", "--db", str(tmp_path / "s.db")],
                         cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={"PATH": "/usr/bin:/bin"})
    assert out.returncode != 0 and "secret" in out.stderr


def test_the_deadline_day_itself_is_still_open():
    from registry_standin.validation import check_deadline, parse_changes_until

    until = parse_changes_until("08-31")
    assert check_deadline(2027, until, today=date(2027, 8, 31)) == {}
    assert "cohort" in check_deadline(2027, until, today=date(2027, 9, 1))
    assert check_deadline(2020, parse_changes_until("off"), today=date(2027, 9, 1)) == {}
    with pytest.raises(ValueError):
        parse_changes_until("31-08")
