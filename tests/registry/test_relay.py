"""The registry relay: per-graduate order, backoff, dead entries and staff retry, parallel relays
and a relay killed mid-delivery (real processes against the stand-in registry)."""
from __future__ import annotations

import io
import json
import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.registry.client import DeliveryReceipt, RegistryRejected, RegistryUnavailable
from apps.registry.models import GraduateSync, OutboxEntry, OutboxState
from apps.registry.national import graduate_key
from apps.registry.outbox import ORIGIN, registry_enqueue
from apps.registry.relay import claim, relay_once
from apps.registry.services import outbox_retry, outbox_retry_all_dead
from tests import factories as f
from tests.registry.relay_harness import relay_process, wait_drained

pytestmark = pytest.mark.django_db


class FakeRegistry:
    """Records every delivery; ``script`` holds exceptions to raise on the next calls."""

    def __init__(self):
        self.sent: list[dict] = []
        self.keys: set[str] = set()
        self.script: list[Exception | None] = []
        self.code = ""

    def deliver(self, **kw) -> DeliveryReceipt:
        self.sent.append(kw)
        if self.script:
            outcome = self.script.pop(0)
            if outcome is not None:
                raise outcome
        duplicate = kw["idempotency_key"] in self.keys
        self.keys.add(kw["idempotency_key"])
        return DeliveryReceipt(version=len(self.keys), sequence=kw["sequence"], verification_code=self.code,
                               duplicate=duplicate)

    def fetch(self, **kw):
        return None

    def sequences(self, graduate) -> list[int]:
        key = graduate_key(graduate)
        return [s["sequence"] for s in self.sent if s["graduate_key"] == key]


class Clock:
    def __init__(self):
        # a little ahead of the entries written after it (setup may take a moment)
        self.now = timezone.now() + timedelta(seconds=5)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class NoJitter:
    @staticmethod
    def uniform(low, high):
        return 1.0


@pytest.fixture
def fast(settings):
    settings.REGISTRY_BACKOFF_BASE_SECONDS = 2
    settings.REGISTRY_BACKOFF_MAX_SECONDS = 10
    settings.REGISTRY_MAX_ATTEMPTS = 10
    settings.REGISTRY_LEASE_SECONDS = 60
    settings.REGISTRY_TIMEOUT_SECONDS = 5
    return settings


def enqueue(graduate, n=1) -> list[OutboxEntry]:
    with transaction.atomic():
        return [registry_enqueue(graduate=graduate, reason=ORIGIN) for _ in range(n)]


def state(entry) -> OutboxEntry:
    return OutboxEntry.objects.get(pk=entry.pk)


# --- order ---------------------------------------------------------------------------------------

def test_a_graduates_later_entry_waits_until_the_earlier_one_is_delivered(world, fast):
    registry, clock = FakeRegistry(), Clock()
    enqueue(world.graduate, 3)
    enqueue(world.classmate, 1)
    first = relay_once(client=registry, clock=clock)
    # one entry per graduate per round: #2 is not even claimed while #1 is undelivered
    assert (first.claimed, first.delivered) == (2, 2)
    assert registry.sequences(world.graduate) == [1]
    relay_once(client=registry, clock=clock)
    relay_once(client=registry, clock=clock)
    assert relay_once(client=registry, clock=clock).claimed == 0
    assert registry.sequences(world.graduate) == [1, 2, 3]
    sync = GraduateSync.objects.get(graduate=world.graduate)
    assert (sync.delivered_sequence, sync.last_sequence) == (3, 3) and sync.last_delivered_at is not None
    # what was sent is the stored record, keyed by the entry's idempotency key
    last = OutboxEntry.objects.get(graduate=world.graduate, sequence=3)
    assert registry.sent[-1]["record"] == json.loads(last.payload)
    assert registry.sent[-1]["idempotency_key"] == last.idempotency_key
    assert registry.sent[-1]["school_code"] == world.school.code
    assert registry.sent[-1]["cohort"] == world.graduate.cohort


def test_a_failed_entry_holds_back_the_graduates_later_entries_until_it_succeeds(world, fast):
    registry, clock = FakeRegistry(), Clock()
    one, two = enqueue(world.graduate, 2)
    registry.script = [RegistryUnavailable("登记系统暂时不可用（503）")]
    assert relay_once(client=registry, clock=clock, rng=NoJitter()).retried == 1
    clock.advance(1.9)
    assert relay_once(client=registry, clock=clock).claimed == 0  # #1 backs off, #2 must not jump ahead
    clock.advance(0.2)
    relay_once(client=registry, clock=clock)
    relay_once(client=registry, clock=clock)
    assert registry.sequences(world.graduate) == [1, 1, 2]
    assert state(one).state == state(two).state == OutboxState.DELIVERED


def test_a_dead_entry_blocks_the_graduate_until_staff_retry(world, fast):
    registry, clock = FakeRegistry(), Clock()
    one, two = enqueue(world.graduate, 2)
    registry.script = [RegistryRejected({"性别": "不是有效的代码"}, status=422)]
    report = relay_once(client=registry, clock=clock)
    assert report.dead == 1
    dead = state(one)
    assert (dead.state, dead.attempts) == (OutboxState.DEAD, 1)
    assert "性别" in dead.last_error and "不是有效的代码" in dead.last_error
    clock.advance(3600)
    assert relay_once(client=registry, clock=clock).claimed == 0
    assert state(two).state == OutboxState.PENDING and registry.sequences(world.graduate) == [1]

    outbox_retry(actor=world.school_admin, entry=dead)
    assert AuditEntry.objects.filter(action="registry.retry", graduate_id=world.graduate.pk).count() == 1
    clock.advance(1)
    relay_once(client=registry, clock=clock)
    relay_once(client=registry, clock=clock)
    assert registry.sequences(world.graduate) == [1, 1, 2]
    # the registry refused it (stored nothing): the retry carries the current record, new key
    assert registry.sent[0]["idempotency_key"] != registry.sent[1]["idempotency_key"]
    assert state(two).state == OutboxState.DELIVERED


# --- backoff -------------------------------------------------------------------------------------

def test_backoff_doubles_from_the_base_up_to_the_cap(world, fast):
    registry, clock = FakeRegistry(), Clock()
    [entry] = enqueue(world.graduate)
    waits = []
    for _ in range(5):
        registry.script = [RegistryUnavailable("登记系统响应超时")]
        failed_at = clock()
        assert relay_once(client=registry, clock=clock, rng=NoJitter()).retried == 1
        due = state(entry).next_attempt_at
        waits.append((due - failed_at).total_seconds())
        clock.now = due - timedelta(milliseconds=10)
        assert relay_once(client=registry, clock=clock).claimed == 0  # not a moment early
        clock.now = due
    assert waits == [2, 4, 8, 10, 10]
    assert state(entry).attempts == 5


def test_jitter_spreads_retries_between_half_and_one_and_a_half_times_the_wait(world, fast):
    graduates = [f.make_graduate(college=world.college, major=world.major) for _ in range(20)]
    for graduate in graduates:
        enqueue(graduate)
    registry, clock = FakeRegistry(), Clock()
    registry.script = [RegistryUnavailable("登记系统暂时不可用（503）")] * 20
    relay_once(client=registry, clock=clock)
    waits = [(e.next_attempt_at - clock()).total_seconds() for e in OutboxEntry.objects.all()]
    assert all(1.0 <= w <= 3.0 for w in waits), waits
    assert len({round(w, 3) for w in waits}) > 10  # not all at the same moment


def test_an_entry_is_dead_after_the_configured_number_of_attempts(world, fast):
    fast.REGISTRY_MAX_ATTEMPTS = 3
    registry, clock = FakeRegistry(), Clock()
    [entry] = enqueue(world.graduate)
    for _ in range(3):
        registry.script = [RegistryUnavailable("登记系统无法连接（连接被拒绝）")]
        relay_once(client=registry, clock=clock)
        clock.advance(60)
    dead = state(entry)
    assert (dead.state, dead.attempts, dead.last_error) == (OutboxState.DEAD, 3, "登记系统无法连接（连接被拒绝）")
    assert relay_once(client=registry, clock=clock).claimed == 0
    assert len(registry.sent) == 3


def test_a_rejected_record_is_dead_at_once_with_the_field_errors(world, fast):
    registry, clock = FakeRegistry(), Clock()
    [entry] = enqueue(world.graduate)
    registry.script = [RegistryRejected({"出生日期": "日期格式不正确", "生源地代码": "不是数字代码"}, status=422)]
    relay_once(client=registry, clock=clock)
    dead = state(entry)
    assert (dead.state, dead.attempts) == (OutboxState.DEAD, 1)
    assert "出生日期：日期格式不正确" in dead.last_error and "生源地代码：不是数字代码" in dead.last_error


def test_a_refused_record_is_sent_again_as_fixed_and_a_timed_out_one_as_it_was(world, fast):
    """Staff fix the data, then 重新发送: a refused entry (nothing stored at the registry) carries
    the graduate's record as it is now, under a new key; an entry that ran out of tries keeps its
    record and key (the registry may already hold it: the retry is a harmless replay)."""
    from apps.graduates.models import Graduate

    registry, clock = FakeRegistry(), Clock()
    [refused] = enqueue(world.graduate)
    [worn_out] = enqueue(world.classmate)
    registry.script = [RegistryRejected({"姓名": "不能为空"}, status=422)] + [RegistryUnavailable("登记系统响应超时")] * 20
    relay_once(client=registry, clock=clock)
    for _ in range(12):
        clock.advance(20)
        relay_once(client=registry, clock=clock)
    assert state(refused).rejected and state(worn_out).state == OutboxState.DEAD and not state(worn_out).rejected
    Graduate.objects.filter(pk=world.graduate.pk).update(name="王小明（已更正）")  # the fix
    old_key, worn_key = refused.idempotency_key, worn_out.idempotency_key
    registry.script = []
    outbox_retry_all_dead(actor=world.school_admin)
    relay_once(client=registry, clock=clock)
    again = {s["graduate_key"]: s for s in registry.sent[-2:]}
    fixed = again[graduate_key(world.graduate)]
    assert fixed["record"]["姓名"] == "王小明（已更正）" and fixed["idempotency_key"] != old_key
    assert again[graduate_key(world.classmate)]["idempotency_key"] == worn_key
    assert state(refused).state == state(worn_out).state == OutboxState.DELIVERED


def test_delivery_records_the_verification_code_and_keeps_it(world, fast):
    registry, clock = FakeRegistry(), Clock()
    enqueue(world.graduate, 2)
    registry.code = "HY2026000001"
    relay_once(client=registry, clock=clock)
    registry.code = ""
    relay_once(client=registry, clock=clock)
    sync = GraduateSync.objects.get(graduate=world.graduate)
    assert (sync.delivered_sequence, sync.verification_code) == (2, "HY2026000001")


# --- claims --------------------------------------------------------------------------------------

def test_a_crashed_relays_claim_runs_out_and_the_entry_is_sent_with_the_same_key(world, fast):
    registry, clock = FakeRegistry(), Clock()
    [entry] = enqueue(world.graduate)
    assert [e.pk for e in claim(now=clock(), batch=10)] == [entry.pk]  # a relay claimed it and died
    assert relay_once(client=registry, clock=clock).claimed == 0
    clock.advance(59)
    assert relay_once(client=registry, clock=clock).claimed == 0
    clock.advance(2)
    assert relay_once(client=registry, clock=clock).delivered == 1
    assert registry.sent[0]["idempotency_key"] == entry.idempotency_key


def test_a_stopping_relay_gives_its_unsent_claims_back(world, fast):
    registry, clock = FakeRegistry(), Clock()
    for graduate in (world.graduate, world.classmate, world.stranger):
        enqueue(graduate)
    sent = []

    def stop_after_one():
        return len(sent) >= 1

    class Counting(FakeRegistry):
        def deliver(self, **kw):
            sent.append(kw)
            return super().deliver(**kw)

    report = relay_once(client=Counting(), clock=clock, should_stop=stop_after_one)
    assert (report.claimed, report.delivered, report.released) == (3, 1, 2)
    assert OutboxEntry.objects.filter(claimed_until__isnull=False).count() == 0
    assert relay_once(client=registry, clock=clock).delivered == 2  # at once, no lease to wait for


def test_a_batch_stops_before_its_lease_could_run_out(world, fast):
    fast.REGISTRY_LEASE_SECONDS = 12
    clock = Clock()
    for graduate in (world.graduate, world.classmate, world.stranger):
        enqueue(graduate)

    class Slow(FakeRegistry):
        def deliver(self, **kw):
            clock.advance(4)  # each delivery takes 4 s of the 12 s lease
            return super().deliver(**kw)

    report = relay_once(client=Slow(), clock=clock)
    # after two deliveries (8 s) a third could end past the lease with a 5 s timeout: given back
    assert (report.delivered, report.released) == (2, 1)


# --- staff retry ---------------------------------------------------------------------------------

def _kill(entry):
    OutboxEntry.objects.filter(pk=entry.pk).update(state=OutboxState.DEAD, attempts=10, last_error="登记系统响应超时")


def test_retry_one_is_for_dead_entries_in_scope(world, fast):
    [pending] = enqueue(world.graduate)
    with pytest.raises(DomainError, match="只有发送失败的变更可以重新发送"):
        outbox_retry(actor=world.school_admin, entry=pending)
    _kill(pending)
    with pytest.raises(NotFound):
        outbox_retry(actor=world.other_school_admin, entry=pending)
    with pytest.raises(Forbidden):
        outbox_retry(actor=world.college_admin, entry=pending)
    outbox_retry(actor=world.province_admin, entry=pending)
    again = state(pending)
    assert (again.state, again.attempts, again.last_error) == (OutboxState.PENDING, 0, "")


def test_retry_all_dead_resets_only_the_actors_scope(world, fast):
    mine = [enqueue(g)[0] for g in (world.graduate, world.classmate)]
    theirs = enqueue(world.stranger)[0]
    for entry in (*mine, theirs):
        _kill(entry)
    assert outbox_retry_all_dead(actor=world.school_admin) == 2
    assert {state(e).state for e in mine} == {OutboxState.PENDING}
    assert state(theirs).state == OutboxState.DEAD
    assert AuditEntry.objects.filter(action="registry.retry_all").count() == 1
    assert outbox_retry_all_dead(actor=world.province_admin, school=world.other_school) == 1
    assert outbox_retry_all_dead(actor=world.province_admin) == 0


# --- real relays against the stand-in --------------------------------------------------------------

def _graduates(world, n):
    return [f.make_graduate(college=world.college, major=world.major, name=f"毕业生{i}") for i in range(n)]


@pytest.mark.django_db(transaction=True)
def test_the_command_delivers_to_the_stand_in_and_the_copy_equals_the_record(world, registry_standin):
    [entry] = enqueue(world.graduate)
    with relay_process(registry_standin) as relay:
        wait_drained(timeout=60, relays=[relay])
    assert state(entry).state == OutboxState.DELIVERED
    key = graduate_key(world.graduate)
    assert [d["sequence"] for d in registry_standin.deliveries(key)] == [1]
    from apps.registry.client import get_client

    copy = get_client().fetch(graduate_key=key)
    assert copy.record == json.loads(entry.payload)


@pytest.mark.django_db(transaction=True)
def test_two_relays_in_parallel_deliver_each_entry_exactly_once_in_order(world, registry_standin):
    if connection.vendor != "postgresql":
        pytest.skip("several relays need row locks (FOR UPDATE SKIP LOCKED): PostgreSQL; SQLite runs one relay")
    graduates = _graduates(world, 30)
    for graduate in graduates:
        enqueue(graduate, 4)
    registry_standin.set_faults(latency_ms=5, latency_jitter_ms=5)
    with relay_process(registry_standin, batch=5) as one, relay_process(registry_standin, batch=5) as two:
        wait_drained(timeout=120, relays=[one, two])
    stats = registry_standin.stats()
    assert stats["deliveries"] == 120 and stats["duplicates_seen"] == 0 and stats["out_of_order"] == 0
    for graduate in graduates:
        assert [d["sequence"] for d in registry_standin.deliveries(graduate_key(graduate))] == [1, 2, 3, 4]


@pytest.mark.django_db(transaction=True)
def test_threads_claiming_at_once_never_share_an_entry(world):
    if connection.vendor != "postgresql":
        pytest.skip("FOR UPDATE SKIP LOCKED: PostgreSQL")
    for graduate in _graduates(world, 40):
        enqueue(graduate)
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def work():
        from django.db import connections

        try:
            barrier.wait()
            claimed.append([e.pk for e in claim(now=timezone.now(), batch=15)])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    flat = [pk for batch in claimed for pk in batch]
    assert len(flat) == len(set(flat)) == 40


@pytest.mark.django_db(transaction=True)
def test_a_relay_killed_after_delivering_is_replaced_and_the_replay_is_harmless(world, registry_standin):
    graduates = _graduates(world, 3)
    for graduate in graduates:
        enqueue(graduate, 2)
    with relay_process(registry_standin, pause="registry.delivered:120", batch=1) as doomed:
        doomed.wait_paused()  # the stand-in stored one delivery; the relay has not recorded it
        doomed.kill()
    assert registry_standin.stats()["deliveries"] == 1
    assert OutboxEntry.objects.filter(state=OutboxState.DELIVERED).count() == 0
    with relay_process(registry_standin) as relay:
        elapsed = wait_drained(timeout=90, relays=[relay])
    stats = registry_standin.stats()
    # the lost answer was asked for again with the same key: a replay, not a second record
    assert (stats["deliveries"], stats["duplicates_seen"]) == (6, 1)
    for graduate in graduates:
        assert [d["sequence"] for d in registry_standin.deliveries(graduate_key(graduate))] == [1, 2]
    assert elapsed >= 1  # the killed relay's claim had to run out first


def test_the_command_once_delivers_one_batch_and_reports_counts(world, fast, settings):
    settings.REGISTRY_CLIENT = "tests.registry.test_relay.FakeRegistry"
    for graduate in (world.graduate, world.classmate):
        enqueue(graduate, 2)
    out = io.StringIO()
    call_command("run_registry_relay", "--once", "--batch", "1", stdout=out)
    assert "delivered 1" in out.getvalue()
    assert OutboxEntry.objects.filter(state=OutboxState.DELIVERED).count() == 1
    with pytest.raises(CommandError):
        call_command("run_registry_relay", "--once", "--batch", "0")


def test_a_lease_shorter_than_a_delivery_is_lengthened_so_entries_still_go_out(world, fast):
    fast.REGISTRY_LEASE_SECONDS = 1  # misconfigured: shorter than the 5 s timeout
    enqueue(world.graduate)
    assert relay_once(client=FakeRegistry(), clock=Clock()).delivered == 1
