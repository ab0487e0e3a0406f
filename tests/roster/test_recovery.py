"""A roster import whose worker died (SIGKILL mid-validation or mid-commit) is recovered:
re-enqueued after its lease, failed with a clear message after a few attempts, retried by
staff (重试) — and the graduates are committed exactly once."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from apps.audit.models import AuditEntry
from apps.core.errors import DomainError, Forbidden, NotFound
from apps.graduates.models import Graduate
from apps.roster import services
from apps.roster.models import ImportStatus, RosterImport
from apps.roster.recovery import recover_stale_imports
from tests.roster.builders import person, xlsx
from tests.worker_harness import database_tasks, db_worker

GAVE_UP = "后台处理中断，已自动重试3次仍未完成，请点击重试"
ALREADY = "该文件已提交导入，请勿重复操作"


def _stall(roster_import, status, *, age: int = 601, **values):
    """What a killed worker leaves behind: the status it was in and a lease `age` seconds old."""
    RosterImport.objects.filter(pk=roster_import.pk).update(
        status=status, worker_heartbeat_at=timezone.now() - timedelta(seconds=age), **values)
    roster_import.refresh_from_db()
    return roster_import


def _graduates(world):
    """The roster's people (the world's own graduates have other student numbers)."""
    return Graduate.objects.filter(school=world.school, student_number__startswith="2026")


# --- the sweep (tasks run inline) ---------------------------------------------------------------

@pytest.mark.django_db
def test_validation_whose_worker_died_is_re_enqueued_and_completes(world, upload, django_capture_on_commit_callbacks):
    roster_import = _stall(upload(xlsx([person(1), person(2)])), ImportStatus.VALIDATING, processed_rows=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert recover_stale_imports() == 1

    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.total_rows, roster_import.recovery_attempts) == (ImportStatus.VALID, 2, 1)
    entry = AuditEntry.objects.get(action="roster.recover")
    assert entry.school_id == world.school.pk and "自动重新提交（第1次）" in entry.summary


@pytest.mark.django_db
def test_a_job_within_its_lease_is_left_alone(world, upload, settings):
    settings.JOB_LEASE_SECONDS = 60
    roster_import = _stall(upload(xlsx([person(1)])), ImportStatus.VALIDATING, age=50)
    assert recover_stale_imports() == 0
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.recovery_attempts) == (ImportStatus.VALIDATING, 0)
    # the same import once the (shorter) lease has run out
    assert recover_stale_imports(now=timezone.now() + timedelta(seconds=11)) == 1


@pytest.mark.django_db
def test_finished_imports_are_never_touched(world, upload, commit):
    done = commit(upload(xlsx([person(1)])))
    RosterImport.objects.filter(pk=done.pk).update(worker_heartbeat_at=timezone.now() - timedelta(days=3))
    assert recover_stale_imports() == 0
    done.refresh_from_db()
    assert done.status == ImportStatus.COMMITTED


@pytest.mark.django_db
def test_after_three_recoveries_the_import_fails_and_staff_can_retry(world, upload, client,
                                                                      django_capture_on_commit_callbacks):
    roster_import = _stall(upload(xlsx([person(1)])), ImportStatus.VALIDATING, recovery_attempts=3)
    assert recover_stale_imports() == 1
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure_message) == (ImportStatus.FAILED, GAVE_UP)
    assert recover_stale_imports(now=timezone.now() + timedelta(days=1)) == 0  # failed stays failed

    client.force_login(world.school_admin)
    page = client.get(reverse("roster-import-detail", args=[roster_import.pk])).content.decode()
    assert GAVE_UP in page and 'id="retry-button"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("roster-import-retry", args=[roster_import.pk]))
    assert response.status_code == 302
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.failure_message, roster_import.recovery_attempts) == (
        ImportStatus.VALID, "", 0)
    entry = AuditEntry.objects.get(action="roster.retry")
    assert entry.actor == world.school_admin and entry.changes["status"] == ["failed", "uploaded"]
    assert 'id="retry-button"' not in client.get(reverse("roster-import-detail", args=[roster_import.pk])).content.decode()


@pytest.mark.django_db
def test_an_interrupted_commit_is_not_refused_as_already_submitted(world, upload, commit,
                                                                   django_capture_on_commit_callbacks):
    roster_import = upload(xlsx([person(1), person(2), person(3)]))
    with django_capture_on_commit_callbacks(execute=False):  # the commit task never runs: its worker died
        services.roster_import_commit(actor=world.school_admin, roster_import=roster_import)
    roster_import.refresh_from_db()
    assert roster_import.status == ImportStatus.COMMITTING

    # while the job may still be alive, a second click is a double submission
    with pytest.raises(DomainError) as exc:
        services.roster_import_commit(actor=world.school_admin, roster_import=roster_import)
    assert exc.value.message == ALREADY

    _stall(roster_import, ImportStatus.COMMITTING)
    roster_import = commit(roster_import)  # the same button, once the lease has run out
    assert roster_import.status == ImportStatus.COMMITTED
    assert _graduates(world).count() == 3
    assert AuditEntry.objects.filter(action="roster.commit").count() == 1
    assert AuditEntry.objects.filter(action="roster.retry").count() == 1


@pytest.mark.django_db
def test_recovered_commit_runs_in_the_name_of_who_confirmed_it(world, upload, django_capture_on_commit_callbacks):
    roster_import = upload(xlsx([person(1)]))
    with django_capture_on_commit_callbacks(execute=False):
        services.roster_import_commit(actor=world.school_admin, roster_import=roster_import)
    _stall(roster_import, ImportStatus.COMMITTING)
    with django_capture_on_commit_callbacks(execute=True):
        assert recover_stale_imports() == 1
    roster_import.refresh_from_db()
    assert (roster_import.status, roster_import.created_count) == (ImportStatus.COMMITTED, 1)
    assert AuditEntry.objects.get(action="roster.commit").actor == world.school_admin


@pytest.mark.django_db
def test_retry_is_refused_for_imports_that_did_not_fail(world, upload, commit):
    valid = upload(xlsx([person(1)]))
    with pytest.raises(DomainError) as exc:
        services.roster_import_retry(actor=world.school_admin, roster_import=valid)
    assert exc.value.message == "只有处理失败或后台处理中断的导入才能重试"
    running = _stall(upload(xlsx([person(2)])), ImportStatus.VALIDATING, age=5)
    with pytest.raises(DomainError):
        services.roster_import_retry(actor=world.school_admin, roster_import=running)
    done = commit(valid)
    with pytest.raises(DomainError):
        services.roster_import_retry(actor=world.school_admin, roster_import=done)
    assert not AuditEntry.objects.filter(action="roster.retry").exists()


@pytest.mark.django_db
def test_only_the_schools_own_staff_may_retry(world, upload):
    failed = _stall(upload(xlsx([person(1)])), ImportStatus.FAILED)
    with pytest.raises(Forbidden):
        services.roster_import_retry(actor=world.college_admin, roster_import=failed)
    with pytest.raises(NotFound):
        services.roster_import_retry(actor=world.other_school_admin, roster_import=failed)
    failed.refresh_from_db()
    assert failed.status == ImportStatus.FAILED


@pytest.mark.django_db
def test_api_shows_a_stalled_import_as_retryable_and_retries_it(world, upload, api_client,
                                                                 django_capture_on_commit_callbacks):
    roster_import = _stall(upload(xlsx([person(1)])), ImportStatus.VALIDATING)
    api = api_client.login_as(world.school_admin)
    assert api.get(f"/roster/imports/{roster_import.pk}").json()["retryable"] is True
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/roster/imports/{roster_import.pk}/retry")
    assert response.status_code == 202, response.content
    body = api.get(f"/roster/imports/{roster_import.pk}").json()
    assert (body["status"], body["retryable"]) == ("valid", False)
    refused = api.post(f"/roster/imports/{roster_import.pk}/retry")
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "只有处理失败或后台处理中断的导入才能重试"


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_long_commit_holding_its_lock_is_not_taken_for_dead(world, upload):
    """PostgreSQL: a running commit holds the school row; recovery sees the lock and waits
    even though the lease (which a commit cannot renew mid-transaction) ran out."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (on SQLite a running commit holds the write lock instead)")
    roster_import = _stall(upload(xlsx([person(1)])), ImportStatus.COMMITTING,
                           committed_by=world.school_admin)
    locked, release = threading.Event(), threading.Event()

    def hold_lock():
        from django.db import transaction

        from apps.organisations.models import School
        try:
            with transaction.atomic():
                School.objects.select_for_update().get(pk=world.school.pk)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(10)
        assert recover_stale_imports() == 0
        with pytest.raises(DomainError) as exc:
            services.roster_import_retry(actor=world.school_admin, roster_import=roster_import)
        assert exc.value.message == "该导入仍在后台处理中，请稍后刷新查看"
    finally:
        release.set()
        holder.join()
    assert recover_stale_imports() == 1


# --- a real worker, killed ----------------------------------------------------------------------

def _wait_for(what: str, predicate, worker=None, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}" + (f":\n{worker.log()}" if worker else ""))


def _status(roster_import) -> str:
    return RosterImport.objects.values_list("status", flat=True).get(pk=roster_import.pk)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_validation_and_mid_commit_imports_exactly_once(world, private_media, monkeypatch):
    monkeypatch.setenv("PLATFORM_MEDIA_ROOT", str(private_media))  # the worker reads the stored upload
    lease = 600
    rows = [person(n) for n in range(1, 8)]
    with database_tasks():
        # 1. killed while validating
        with db_worker(pause="roster.validate:120") as worker:
            roster_import = services.roster_import_start(
                actor=world.school_admin, uploaded_file=SimpleUploadedFile("生源.xlsx", xlsx(rows)),
                cohort=world.school.current_cohort, mode="create")
            worker.wait_paused()
            assert _status(roster_import) == ImportStatus.VALIDATING
            worker.kill()
        assert _status(roster_import) == ImportStatus.VALIDATING  # the defect: stuck for ever
        assert recover_stale_imports() == 0  # within the lease the worker might be alive
        assert recover_stale_imports(now=timezone.now() + timedelta(seconds=lease + 1)) == 1
        with db_worker() as worker:
            _wait_for("validation after recovery", lambda: _status(roster_import) == ImportStatus.VALID, worker)
        roster_import.refresh_from_db()
        assert (roster_import.total_rows, roster_import.error_count, roster_import.recovery_attempts) == (7, 0, 1)

        # 2. killed while committing: graduates written inside the open transaction
        with db_worker(pause="roster.commit:120") as worker:
            services.roster_import_commit(actor=world.school_admin, roster_import=roster_import)
            worker.wait_paused()
            worker.kill()
        assert _graduates(world).count() == 0  # the killed transaction was rolled back
        assert _status(roster_import) == ImportStatus.COMMITTING
        with pytest.raises(DomainError) as exc:  # within the lease: a double click is still refused
            services.roster_import_commit(actor=world.school_admin, roster_import=roster_import)
        assert exc.value.message == ALREADY

        later = timezone.now() + timedelta(seconds=lease + 1)
        # PostgreSQL drops the killed connection's lock as soon as it notices the socket closed
        _wait_for("recovery of the commit", lambda: recover_stale_imports(now=later) == 1, timeout=20)
        with db_worker() as worker:
            _wait_for("commit after recovery", lambda: _status(roster_import) == ImportStatus.COMMITTED, worker)

    roster_import.refresh_from_db()
    assert (roster_import.created_count, roster_import.recovery_attempts) == (7, 1)
    assert sorted(_graduates(world).values_list("student_number", flat=True)) == [f"2026{n:06d}" for n in range(1, 8)]
    assert AuditEntry.objects.filter(action="roster.commit").count() == 1
    assert AuditEntry.objects.filter(action="roster.recover").count() == 2
