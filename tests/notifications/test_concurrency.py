"""Two deliverers at once never send one message twice (claims: SKIP LOCKED + a conditional
UPDATE on PostgreSQL, the write lock on SQLite); a worker killed mid-delivery leaves claims
that the periodic job takes over after the lease."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.db import connections, transaction
from django.utils import timezone

from apps.notifications.delivery import deliver_due, lease_seconds
from apps.notifications.models import MessageStatus, OutboundMessage
from apps.notifications.services import notify
from tests import factories as f
from tests.notifications.conftest import prefer


def _graduates_with_email(world, count: int):
    people = []
    for i in range(count):
        graduate = f.make_graduate(college=world.college, major=world.major, name=f"测试{i}",
                                   email=f"grad{i}@example.edu.cn")
        prefer(f.graduate_user(graduate), "report.outcome", "email")
        people.append(graduate)
    return people


@pytest.mark.django_db(transaction=True)
def test_concurrent_deliverers_send_each_message_once(world, monkeypatch):
    from apps.notifications import services

    monkeypatch.setattr(services, "_enqueue", lambda ids: None)  # only the racing deliverers send
    graduates = _graduates_with_email(world, 24)
    for graduate in graduates:
        notify(kind="report.outcome", title="举报已处理", graduate=graduate)
    racers = 4
    barrier = threading.Barrier(racers)
    sent: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def deliverer():
        try:
            barrier.wait(timeout=30)
            counts = deliver_due(batch=3)  # small batches: the racers' claims interleave
            with lock:
                sent.append(counts["sent"])
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=deliverer) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(sent) == 24
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert len(recipients) == 24 and len(set(recipients)) == 24
    assert OutboundMessage.objects.filter(status=MessageStatus.SENT).count() == 24


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("killed_at, sends_by_worker", [("notifications.claimed", 0), ("notifications.sent", 1)])
def test_a_killed_worker_claims_are_delivered_after_the_lease(world, monkeypatch, tmp_path, killed_at,
                                                              sends_by_worker):
    """A real db_worker runs deliver_outbound and is SIGKILLed at a checkpoint: after claiming
    (nothing sent) or after the e-mail left but before it was marked (at-least-once: the
    recipient gets it twice, by design — see apps/notifications/delivery.py)."""
    from tests.worker_harness import database_tasks, db_worker

    worker_mail = tmp_path / "mail"
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(worker_mail))
    [graduate] = _graduates_with_email(world, 1)

    with database_tasks(), db_worker(pause=f"{killed_at}:120") as worker:
        with transaction.atomic():
            notify(kind="report.outcome", title="举报已处理", graduate=graduate)
        from django_tasks_db.models import DBTaskResult

        task = DBTaskResult.objects.get()
        worker.wait_running(task.pk)
        worker.wait_paused()
        worker.kill()

    message = OutboundMessage.objects.get()
    assert message.status == MessageStatus.PENDING and message.claimed_at is not None
    files = list(Path(worker_mail).glob("*.log")) if worker_mail.exists() else []
    assert len(files) == sends_by_worker

    # still within the lease: the periodic job leaves the claim alone
    assert deliver_due(now=message.claimed_at + timedelta(seconds=lease_seconds() / 2))["sent"] == 0
    # after it: taken over and sent once more, then never again
    later = timezone.now() + timedelta(seconds=lease_seconds() + 1)
    assert deliver_due(now=later)["sent"] == 1
    assert deliver_due(now=later + timedelta(minutes=5))["sent"] == 0
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert [m.to for m in mail.outbox] == [["grad0@example.edu.cn"]]
