"""The transactional outbox (C6): every service door that changes registry data writes exactly one
entry in the same transaction, with the graduate's next sequence number and the whole national
record (codes, not labels), encrypted at rest."""
from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from apps.archives import services as archive_services
from apps.destinations import services as destination_services
from apps.graduates import services as graduate_services
from apps.organisations.models import SchoolPolicy
from apps.registry.models import GraduateSync, OutboxEntry, OutboxState
from apps.registry.outbox import (
    ARCHIVE,
    CONTACT,
    DESTINATION,
    ORIGIN,
    ROSTER,
    registry_enqueue,
    registry_enqueue_many,
)
from apps.roster.models import ImportStatus
from apps.signing import services as signing
from tests import factories as f
from tests.archives.conftest import valid as archive_data
from tests.destinations.builders import valid_data
from tests.roster.builders import person, xlsx
from tests.roster.conftest import commit, upload  # noqa: F401 - fixtures
from tests.signing.helpers import accept, invite, make_ready, png

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None}}}


@pytest.fixture
def open_window(world):
    ahead = timezone.localdate() + timedelta(days=60)
    SchoolPolicy.objects.update_or_create(school=world.school, defaults={"destination_cutoff_on": ahead})
    return world


def entries(graduate) -> list[OutboxEntry]:
    return list(OutboxEntry.objects.filter(graduate=graduate).order_by("sequence"))


def payload(entry: OutboxEntry) -> dict:
    return json.loads(entry.payload)


def save_destination(world, code="11"):
    data = valid_data(code)
    return destination_services.destination_save(actor=world.graduate_user, graduate=world.graduate,
                                                 category_code=data.pop("category_code"), data=data)


# --- each door writes one entry --------------------------------------------------------------

def test_contact_change_writes_one_contact_entry_with_the_whole_record(world):
    graduate_services.graduate_update(actor=world.graduate_user, graduate=world.graduate,
                                      changes={"phone": "13912345678"})
    [entry] = entries(world.graduate)
    assert (entry.sequence, entry.reason, entry.state) == (1, CONTACT, OutboxState.PENDING)
    assert (entry.school_id, entry.college_id) == (world.school.pk, world.college.pk)
    assert entry.next_attempt_at <= timezone.now() and entry.attempts == 0
    record = payload(entry)
    assert record["本人联系电话"] == "13912345678"
    assert record["学号"] == "2022010101" and record["姓名"] == "王小明"
    assert GraduateSync.objects.get(graduate=world.graduate).last_sequence == 1


def test_origin_change_and_confirmation_each_write_an_origin_entry_in_sequence(world):
    user = world.graduate_user
    graduate_services.graduate_update(actor=user, graduate=world.graduate,
                                      changes={"origin_division": "340104", "phone": "13912345678"})
    graduate_services.graduate_confirm_origin(actor=user, graduate=world.graduate)
    first, second = entries(world.graduate)
    assert [(first.sequence, first.reason), (second.sequence, second.reason)] == [(1, ORIGIN), (2, ORIGIN)]
    # codes, not labels: the division code and its name in their own columns
    assert payload(second)["生源地代码"] == "340104"
    assert payload(second)["生源地名称"] and payload(second)["生源地名称"] != "340104"
    assert payload(second)["性别"] == world.graduate.gender_code


def test_an_update_that_changes_nothing_writes_no_entry(world):
    graduate_services.graduate_update(actor=world.graduate_user, graduate=world.graduate,
                                      changes={"phone": "13912345678"})
    graduate_services.graduate_update(actor=world.graduate_user, graduate=world.graduate,
                                      changes={"phone": "139 1234 5678"})
    assert len(entries(world.graduate)) == 1


def test_destination_save_submit_and_reviews_each_write_one_entry(open_window):
    world = open_window
    save_destination(world)
    destination = world.graduate.destination
    assert [e.reason for e in entries(world.graduate)] == [DESTINATION]
    record = payload(entries(world.graduate)[0])
    assert record["毕业去向类别代码"] == destination.category_code
    assert record["毕业去向"] and record["毕业去向"] != destination.category_code

    from apps.destinations.models import ProofImage

    # a proof image (not registry data: written straight, no entry)
    ProofImage.objects.create(destination=destination, file="proof/t/1.jpg", width=1, height=1, size=1)
    destination_services.destination_submit(actor=world.graduate_user, graduate=world.graduate)
    destination_services.destination_review(actor=world.college_admin, destination=destination, approve=True)
    destination_services.destination_batch_approve(actor=world.school_admin, destinations=[destination])
    assert [(e.sequence, e.reason) for e in entries(world.graduate)] == [
        (1, DESTINATION), (2, DESTINATION), (3, DESTINATION), (4, DESTINATION)]


def test_archive_save_writes_one_entry_and_tracking_numbers_write_none(world):
    transfer = archive_services.archive_save(actor=world.graduate_user, graduate=world.graduate, data=archive_data())
    [entry] = entries(world.graduate)
    assert entry.reason == ARCHIVE
    assert payload(entry)["档案接收单位地址代码"] == "340104"
    assert payload(entry)["档案接收联系电话"] == "0551-65123456"
    archive_services.archive_set_tracking(actor=world.school_admin, transfers_and_numbers=[(transfer, "EA123456789CN")])
    assert len(entries(world.graduate)) == 1


def test_online_signing_and_approved_termination_each_write_one_entry(open_window):
    world = open_window
    make_ready(world.graduate)
    invitation, _ = invite(world.graduate, world.graduate_user)
    agreement = accept(world.graduate_user, invitation)
    [signed] = entries(world.graduate)
    assert signed.reason == "agreement"
    assert payload(signed)["单位名称"] == "合肥示例科技有限公司"
    termination = signing.termination_apply(actor=world.graduate_user, reason="further_study", explanation="双方同意",
                                            letters=[png()], pin="246810")
    signing.termination_review(actor=world.college_admin, termination=termination, approve=True)
    assert len(entries(world.graduate)) == 1  # 初审 changes nothing the registry holds
    signing.termination_review(actor=world.school_admin, termination=termination, approve=True)
    _, reset = entries(world.graduate)
    assert (reset.sequence, reset.reason) == (2, "termination")
    assert payload(reset)["单位名称"] == ""
    assert agreement.pk


def test_roster_commit_writes_one_entry_per_created_or_changed_graduate(world, upload, commit):  # noqa: F811
    roster_import = commit(upload(xlsx([person(1), person(2), person(3)])))
    assert roster_import.status == ImportStatus.COMMITTED
    created = OutboxEntry.objects.filter(reason=ROSTER).order_by("graduate_id")
    assert created.count() == 3
    assert {e.sequence for e in created} == {1}
    assert sorted(payload(e)["学号"] for e in created) == ["2026000001", "2026000002", "2026000003"]

    changed = commit(upload(xlsx([person(1, 姓名="学生一"), person(2), person(3)]), mode="upsert"))
    assert changed.updated_count == 1
    [second] = OutboxEntry.objects.filter(reason=ROSTER, sequence=2)
    assert payload(second)["姓名"] == "学生一"


# --- one transaction -------------------------------------------------------------------------

class Boom(Exception):
    pass


@pytest.mark.parametrize("door", ["graduate_update", "destination_save", "archive_save"])
def test_a_change_that_fails_after_its_save_writes_no_entry(open_window, monkeypatch, door):
    world = open_window

    def explode(*args, **kwargs):
        raise Boom()

    module = {"graduate_update": graduate_services, "destination_save": destination_services,
              "archive_save": archive_services}[door]
    # the audit entry is written after the change and its outbox entry: failing there must
    # roll both back
    monkeypatch.setattr(module, "audit_record" if door != "destination_save" else "_audit", explode)
    with pytest.raises(Boom):
        if door == "graduate_update":
            graduate_services.graduate_update(actor=world.graduate_user, graduate=world.graduate,
                                              changes={"phone": "13912345678"})
        elif door == "destination_save":
            save_destination(world)
        else:
            archive_services.archive_save(actor=world.graduate_user, graduate=world.graduate, data=archive_data())
    assert entries(world.graduate) == []
    assert GraduateSync.objects.filter(graduate=world.graduate, last_sequence__gt=0).count() == 0


def test_a_refused_change_writes_no_entry(world):
    from apps.core.errors import DomainError

    with pytest.raises(DomainError):
        graduate_services.graduate_update(actor=world.graduate_user, graduate=world.graduate,
                                          changes={"phone": "12345"})
    assert entries(world.graduate) == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_outside_a_transaction_is_refused(world):
    with pytest.raises(RuntimeError):
        registry_enqueue(graduate=world.graduate, reason=ORIGIN)
    assert entries(world.graduate) == []


# --- payload at rest ---------------------------------------------------------------------------

def test_payload_is_encrypted_at_rest(world):
    graduate_services.graduate_update(actor=world.graduate_user, graduate=world.graduate,
                                      changes={"phone": "13912345678", "email": "wxm@example.com"})
    [entry] = entries(world.graduate)
    with connection.cursor() as cursor:
        cursor.execute("SELECT payload FROM registry_outboxentry WHERE id = %s", [entry.pk])
        (raw,) = cursor.fetchone()
    assert "13912345678" not in raw and "王小明" not in raw and "wxm@example.com" not in raw
    assert payload(entry)["电子邮箱"] == "wxm@example.com"


def test_bulk_enqueue_numbers_each_graduate_after_its_own_last_entry(world):
    with transaction.atomic():
        registry_enqueue(graduate=world.graduate, reason=ORIGIN)
        written = registry_enqueue_many(graduate_ids=[world.graduate.pk, world.classmate.pk], reason=ROSTER)
    assert written == 2
    assert [e.sequence for e in entries(world.graduate)] == [1, 2]
    assert [e.sequence for e in entries(world.classmate)] == [1]
    assert len({e.idempotency_key for e in OutboxEntry.objects.all()}) == 3


# --- concurrency (PostgreSQL) --------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_parallel_changes_get_gapless_sequence_numbers(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and parallel writers: PostgreSQL only (SQLite serialises every writer)")
    graduate = f.make_graduate(college=world.college, major=world.major, name="并发")
    threads, errors, per_thread = 8, [], 5
    barrier = threading.Barrier(threads)

    def work():
        from django.db import connections

        try:
            barrier.wait()
            for _ in range(per_thread):
                with transaction.atomic():  # no graduate lock: the counter alone must be atomic
                    registry_enqueue(graduate=graduate.pk, reason=ORIGIN)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(60)
    assert errors == []
    assert [e.sequence for e in entries(graduate)] == list(range(1, threads * per_thread + 1))
    assert GraduateSync.objects.get(graduate=graduate).last_sequence == threads * per_thread


def test_demo_data_starts_every_graduate_on_its_way_to_the_registry(reference):
    from apps.graduates.models import Graduate
    from apps.organisations.demo import seed_demo

    seed_demo(graduates_per_school=3)
    graduates = Graduate.objects.count()
    assert graduates > 0
    assert OutboxEntry.objects.filter(reason=ROSTER, sequence=1, state=OutboxState.PENDING).count() == graduates
