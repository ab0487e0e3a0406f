"""The registry relay (全国毕业去向登记系统 报送): delivers outbox entries in per-graduate order.

One round (``relay_once``):

1. **claim** — in a short transaction, pick due entries (pending, ``next_attempt_at`` ≤ now, no
   live claim) that are the NEXT undelivered sequence of their graduate
   (``sequence = GraduateSync.delivered_sequence + 1``): a graduate's later entry is never sent
   while an earlier one is pending or dead, and a dead entry therefore blocks the graduate until
   staff retry it (``apps.registry.services``). The claim sets ``claimed_until = now + lease``.
   On PostgreSQL the rows are read ``FOR UPDATE SKIP LOCKED``, so several relays run side by
   side and never claim the same entry. SQLite has no row locks: run ONE relay there (two
   would not corrupt anything — the registry's idempotency turns a double send into a replay —
   but they would waste requests).
2. **deliver** — outside any transaction, one ``RegistryClient.deliver`` per entry with the
   entry's own idempotency key; the answer is recorded in a short transaction: delivered (and the
   graduate's ``delivered_sequence`` advanced), or a retry after
   ``min(MAX, BASE·2^(attempts−1)) × jitter(0.5–1.5)`` seconds, or dead (rejected by the registry
   with field errors, or ``REGISTRY_MAX_ATTEMPTS`` tries used).

Crash safety: a relay killed at any point leaves at most its claimed entries undecided; their
lease runs out and another relay (or the restarted one) sends them again with the SAME key. A
delivery whose answer was lost is thus a replay the registry answers with its first receipt. A
relay stops delivering a batch before its lease could run out under it, so a live relay's claims
are not taken over.

The relay writes no audit entries (it changes no business data); the entries themselves are the
record of what was sent. Errors stored in ``last_error`` are the client's short Chinese texts
(never record values).
"""
from __future__ import annotations

import json
import logging
import random
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from apps.core.jobs import checkpoint
from apps.registry.client import RegistryClient, RegistryRejected, RegistryUnavailable, get_client
from apps.registry.models import GraduateSync, OutboxEntry, OutboxState
from apps.registry.national import graduate_key

logger = logging.getLogger(__name__)

DEFAULT_BATCH = 50
UNEXPECTED_ERROR = "发送时发生内部错误，将自动重试"


@dataclass
class RelayReport:
    claimed: int = 0
    delivered: int = 0
    duplicates: int = 0  # delivered, and the registry said it had the key already (a replay)
    retried: int = 0  # failed transiently, scheduled again
    dead: int = 0
    released: int = 0  # claimed but given back unsent (stopping, or the lease would run out)
    errors: list[str] = field(default_factory=list)

    def add(self, other: RelayReport) -> None:
        for name in ("claimed", "delivered", "duplicates", "retried", "dead", "released"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def lease_seconds() -> float:
    # at least two deliveries' worth of timeout: a shorter lease would be given back unsent
    # (see relay_once) round after round
    return max(float(settings.REGISTRY_LEASE_SECONDS), 2 * float(settings.REGISTRY_TIMEOUT_SECONDS) + 2)


def backoff_seconds(attempts: int, rng: random.Random | None = None) -> float:
    """Wait after the ``attempts``-th failed try: exponential, capped, with jitter so that many
    entries failed by one outage do not all come back in the same second."""
    base = float(settings.REGISTRY_BACKOFF_BASE_SECONDS)
    cap = float(settings.REGISTRY_BACKOFF_MAX_SECONDS)
    delay = min(cap, base * (2 ** max(attempts - 1, 0)))
    return delay * (rng or random).uniform(0.5, 1.5)


def due_entries(now: datetime):
    """Entries a relay may claim now, oldest due first (index registry_outbox_due)."""
    next_in_line = GraduateSync.objects.filter(graduate_id=OuterRef("graduate_id"),
                                               delivered_sequence=OuterRef("sequence") - 1)
    return (OutboxEntry.objects
            .filter(state=OutboxState.PENDING, next_attempt_at__lte=now)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .filter(Exists(next_in_line))
            .order_by("next_attempt_at", "id"))


def claim(*, now: datetime, batch: int) -> list[OutboxEntry]:
    """Claim up to ``batch`` due entries for ``lease_seconds()``; returns them with what the
    delivery needs (payload, school code, cohort). Each carries its claim in ``claimed_until``."""
    until = now + timedelta(seconds=lease_seconds())
    with transaction.atomic():
        candidates = due_entries(now)
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True, of=("self",))
        ids = list(candidates.values_list("id", flat=True)[:batch])
        if not ids:
            return []
        # conditional: on SQLite (no row locks) an entry another relay claimed meanwhile is not
        # claimed twice within this write
        OutboxEntry.objects.filter(pk__in=ids, state=OutboxState.PENDING).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)).update(claimed_until=until)
        entries = list(OutboxEntry.objects.filter(pk__in=ids, claimed_until=until)
                       .select_related("school", "graduate")
                       .only("id", "graduate_id", "sequence", "idempotency_key", "reason", "payload", "attempts",
                             "claimed_until", "school__code", "graduate__cohort")
                       .order_by("next_attempt_at", "id"))
    return entries


def _release(entries: list[OutboxEntry]) -> int:
    """Give unsent claims back at once (no waiting for the lease)."""
    released = 0
    for entry in entries:
        released += OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.PENDING,
                                               claimed_until=entry.claimed_until).update(claimed_until=None)
    return released


def _key(entry: OutboxEntry) -> str:
    return graduate_key(SimpleNamespace(pk=entry.graduate_id, school=entry.school))


def _record_delivered(entry: OutboxEntry, receipt, now: datetime) -> None:
    with transaction.atomic():
        OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.PENDING).update(
            state=OutboxState.DELIVERED, delivered_at=now, claimed_until=None, last_error="")
        sync = {"delivered_sequence": entry.sequence, "last_delivered_at": now}
        if receipt.verification_code:  # 核验编号: issued once the record is complete, then kept
            sync["verification_code"] = receipt.verification_code
        # never backwards: a late answer of a replay must not undo a later delivery
        GraduateSync.objects.filter(graduate_id=entry.graduate_id,
                                    delivered_sequence__lt=entry.sequence).update(**sync)


def _record_failure(entry: OutboxEntry, message: str, now: datetime, *, permanent: bool,
                    rng: random.Random | None) -> str:
    attempts = entry.attempts + 1
    dead = permanent or attempts >= int(settings.REGISTRY_MAX_ATTEMPTS)
    values = {"attempts": min(attempts, 32767), "claimed_until": None, "last_error": message[:500]}
    if dead:
        values["state"] = OutboxState.DEAD
        values["rejected"] = permanent
    else:
        values["next_attempt_at"] = now + timedelta(seconds=backoff_seconds(attempts, rng))
    # conditional on the attempt count we read: a relay whose lease ran out under it does not
    # count the same try twice
    with transaction.atomic():
        changed = OutboxEntry.objects.filter(pk=entry.pk, state=OutboxState.PENDING,
                                             attempts=entry.attempts).update(**values)
        if changed and permanent:
            # the registry refused the record's content: the graduate hears of it (the reason
            # stays with staff in the sync monitor; an outage is staff's business alone)
            from apps.notifications.services import notify

            notify(kind="registry.refused", title="你的毕业去向信息未被全国毕业去向登记系统接收",
                   body="学校会核对后重新报送；如果信息有误，请通过“去纠错”提交更正。",
                   link=reverse("registry-comparison"), graduate=entry.graduate)
    return "dead" if dead else "retried"


def deliver(entry: OutboxEntry, client: RegistryClient, *, clock: Callable[[], datetime],
            rng: random.Random | None = None) -> str:
    """Send one claimed entry and record the answer: 'delivered', 'duplicate', 'retried' or 'dead'."""
    try:
        receipt = client.deliver(graduate_key=_key(entry), school_code=entry.school.code,
                                 cohort=entry.graduate.cohort, sequence=entry.sequence,
                                 idempotency_key=entry.idempotency_key, record=json.loads(entry.payload))
    except RegistryRejected as rejected:
        return _record_failure(entry, str(rejected), clock(), permanent=True, rng=rng)
    except RegistryUnavailable as unavailable:
        return _record_failure(entry, str(unavailable), clock(), permanent=False, rng=rng)
    except Exception:  # a bug in the client must not stop the relay; logged without the record
        logger.exception("registry relay: unexpected error delivering entry %s", entry.pk)
        return _record_failure(entry, UNEXPECTED_ERROR, clock(), permanent=False, rng=rng)
    # the registry has it; a relay killed here has lost the answer: the entry is sent again with
    # the same key after the lease (tests pause here to kill the relay)
    checkpoint("registry.delivered")
    _record_delivered(entry, receipt, clock())
    return "duplicate" if receipt.duplicate else "delivered"


def relay_once(*, client: RegistryClient | None = None, batch: int = DEFAULT_BATCH,
               clock: Callable[[], datetime] = timezone.now, rng: random.Random | None = None,
               should_stop: Callable[[], bool] = lambda: False) -> RelayReport:
    """Claim one batch and deliver it. Tests call this directly (with a fake client and clock)."""
    report = RelayReport()
    entries = claim(now=clock(), batch=batch)
    report.claimed = len(entries)
    if not entries:
        return report
    client = client or get_client()
    # stop before a claim could run out under us: one more delivery may take the client's timeout
    margin = timedelta(seconds=float(settings.REGISTRY_TIMEOUT_SECONDS) + 1)
    for index, entry in enumerate(entries):
        if should_stop() or clock() + margin >= entry.claimed_until:
            report.released += _release(entries[index:])
            break
        outcome = deliver(entry, client, clock=clock, rng=rng)
        if outcome == "duplicate":
            report.delivered += 1
            report.duplicates += 1
        else:
            setattr(report, outcome, getattr(report, outcome) + 1)
    return report


class Relay:
    """The loop of ``manage.py run_registry_relay``: rounds until SIGTERM/SIGINT (the current
    delivery finishes, unsent claims are given back)."""

    def __init__(self, *, batch: int = DEFAULT_BATCH, idle_sleep: float = 1.0, client: RegistryClient | None = None,
                 log: Callable[[str], None] | None = None):
        self.batch, self.idle_sleep, self.client = batch, idle_sleep, client
        self.log = log or (lambda message: None)
        self.stopping = False
        self.total = RelayReport()

    def stop(self, *_args) -> None:
        self.stopping = True

    def install_signal_handlers(self) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)

    def run_once(self) -> RelayReport:
        if not connection.in_atomic_block:  # (a caller's transaction, e.g. a test, is left alone)
            close_old_connections()  # a long-running process: drop a connection the database closed
        report = relay_once(client=self.client or get_client(), batch=self.batch,
                            should_stop=lambda: self.stopping)
        self.total.add(report)
        if report.claimed:
            self.log(f"claimed {report.claimed}: delivered {report.delivered} (replays {report.duplicates}), "
                     f"retry {report.retried}, dead {report.dead}, released {report.released}")
        return report

    def run(self) -> RelayReport:
        while not self.stopping:
            try:
                report = self.run_once()
            except Exception:
                # the database went away or similar: log, wait, try again (claims time out)
                logger.exception("registry relay round failed")
                close_old_connections()
                report = RelayReport()
            if not report.claimed:
                self._sleep(self.idle_sleep)
        return self.total

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.1, max(deadline - time.monotonic(), 0)))
