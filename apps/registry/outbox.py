"""Writing the transactional outbox (全国毕业去向登记系统 实时报送, C6).

``registry_enqueue`` is called by each service door that changes registry data, INSIDE the
door's transaction and after the change is saved, so the change and its outbox entry commit or
roll back together (no signals: one visible call per door). The entry holds the graduate's
whole record as it stands after the change (``national.registry_record`` from fresh rows), so
delivering a graduate's entries in sequence order leaves the registry with the platform's latest
record even when some intermediate entries are replays.

The doors and their reasons:

- ``graduates.services.graduate_update`` (生源, contacts; corrections accepted go through it too)
  and ``graduate_confirm_origin``: ORIGIN, or CONTACT when only contact fields changed;
- ``destinations.services`` save, submit, review (batch approve goes through review), the
  registration by online signing (网络签约, called inside ``signing.acceptance_confirm``:
  AGREEMENT), the employer's correction of a signed unit, the reset after an approved
  termination (called inside ``signing.termination_review``: TERMINATION). The signing doors
  therefore write their one entry through the destination function they call;
- ``archives.services.archive_save`` (ARCHIVE). Tracking numbers (``archive_set_tracking``,
  the tracking import) are not part of the national record and write no entry;
- the roster commit (生源导入): one entry per created or changed graduate, written in bulk
  (``registry_enqueue_many``): a newly imported graduate must reach the registry too.

The cut-off (REGISTRY_CHANGES_UNTIL, 8月31日 of the cohort's year): a change made after it is
still recorded and enqueued. The platform's own doors already refuse what policy forbids; the
registry is the authority on its deadline and answers such a record itself (a refusal is a
field-level 422 the relay records as dead, shown to staff), rather than the platform silently
keeping a copy that never leaves.
"""
from __future__ import annotations

import json
import uuid
from collections.abc import Iterable

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.utils import timezone

from apps.registry.models import GraduateSync, OutboxEntry
from apps.registry.national import registry_record

ORIGIN, CONTACT, DESTINATION, ARCHIVE, AGREEMENT, TERMINATION, ROSTER = (
    "origin", "contact", "destination", "archive", "agreement", "termination", "roster")
# 变更内容: what the staff monitor and the graduate's own list show
REASONS = {
    ORIGIN: "生源信息",
    CONTACT: "联系方式",
    DESTINATION: "毕业去向",
    ARCHIVE: "档案转寄",
    AGREEMENT: "网络签约",
    TERMINATION: "解约",
    ROSTER: "生源导入",
}
# graduate fields that are contact data (联系方式): a change of only these is a CONTACT entry
CONTACT_FIELDS = frozenset({"phone", "email", "home_address", "family_contact_name",
                            "family_contact_relation", "family_contact_phone"})
_CHUNK = 500  # ids per statement: well under SQLite's variable limit


def graduate_change_reason(fields: Iterable[str]) -> str:
    """ORIGIN, or CONTACT when every changed graduate field is a contact field."""
    fields = set(fields)
    return CONTACT if fields and fields <= CONTACT_FIELDS else ORIGIN


def _require_transaction() -> None:
    # outside the change's transaction the entry could commit without the change (or the
    # change without its entry): refuse loudly, this is a programming error
    if not connection.in_atomic_block:
        raise RuntimeError("registry_enqueue must be called inside the transaction of the change")


def _bump(graduate_ids: list[int]) -> dict[int, int]:
    """``last_sequence = last_sequence + 1`` for each existing sync row, returning the new
    values: one statement, so the row lock taken by the UPDATE makes the increment atomic
    (never read-then-write). RETURNING exists on PostgreSQL and SQLite ≥ 3.35."""
    if not graduate_ids:
        return {}
    table = connection.ops.quote_name(GraduateSync._meta.db_table)
    marks = ", ".join(["%s"] * len(graduate_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_sequence = last_sequence + 1 "  # noqa: S608 - names are ours, values are parameters
            f"WHERE graduate_id IN ({marks}) RETURNING graduate_id, last_sequence",
            graduate_ids,
        )
        return dict(cursor.fetchall())


def _allocate(graduates: dict[int, tuple[int, int]]) -> dict[int, int]:
    """The next sequence number of each graduate ({id: (school_id, college_id)}); the sync row
    is created on first use. A concurrent first use by another transaction is harmless: the
    insert ignores the conflict and the UPDATE then waits for that transaction's row."""
    sequences: dict[int, int] = {}
    ids = list(graduates)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        got = _bump(chunk)
        missing = [pk for pk in chunk if pk not in got]
        if missing:
            GraduateSync.objects.bulk_create(
                [GraduateSync(graduate_id=pk, school_id=graduates[pk][0], college_id=graduates[pk][1])
                 for pk in missing],
                ignore_conflicts=True,
            )
            got.update(_bump(missing))
        sequences.update(got)
    return sequences


def _related(graduate, name: str):
    try:
        return getattr(graduate, name)
    except ObjectDoesNotExist:  # no destination / archive record yet
        return None


_UNUSED_GRADUATE_COLUMNS = ("id_number", "id_number_hash", "phone_hash", "signing_pin_hash", "signing_pin_set_at",
                            "destination__unit_contact_phone")


def _records(graduate_ids: list[int]) -> dict[int, tuple]:
    """Fresh rows (graduate with school and major, destination, archive) for each id, in one
    query per chunk (the one-to-one rows joined)."""
    from apps.graduates.models import Graduate

    rows: dict[int, tuple] = {}
    for start in range(0, len(graduate_ids), _CHUNK):
        chunk = graduate_ids[start:start + _CHUNK]
        # the record needs neither the school nor the graduate's own ID number: leave the
        # encrypted column undecrypted (a roster commit reads thousands of rows here)
        graduates = (Graduate.objects.select_related("major", "destination", "archive_transfer")
                     .defer(*_UNUSED_GRADUATE_COLUMNS).in_bulk(chunk))
        for pk, graduate in graduates.items():
            rows[pk] = (graduate, _related(graduate, "destination"), _related(graduate, "archive_transfer"))
    return rows


def _entries(graduate_ids: list[int], reason: str) -> list[OutboxEntry]:
    rows = _records(graduate_ids)
    sequences = _allocate({pk: (g.school_id, g.college_id) for pk, (g, _d, _a) in rows.items()})
    now = timezone.now()
    return [
        OutboxEntry(
            graduate_id=pk, school_id=graduate.school_id, college_id=graduate.college_id,
            sequence=sequences[pk], idempotency_key=uuid.uuid4().hex, reason=reason,
            payload=json.dumps(registry_record(graduate, destination, archive), ensure_ascii=False,
                               separators=(",", ":")),
            next_attempt_at=now,
        )
        for pk, (graduate, destination, archive) in rows.items()
    ]


def current_payload(graduate_id: int) -> str:
    """The graduate's record as it is now (JSON), for re-sending an entry the registry refused:
    staff fix the data first, then the retry carries the fixed record."""
    graduate, destination, archive = _records([graduate_id])[graduate_id]
    return json.dumps(registry_record(graduate, destination, archive), ensure_ascii=False, separators=(",", ":"))


def registry_enqueue(*, graduate, reason: str, actor=None) -> OutboxEntry:
    """Write the outbox entry for a change of ``graduate`` (a Graduate or its id) that the
    caller has just saved, inside the caller's transaction. ``actor`` is accepted for symmetry
    with the other doors; the change's own audit entry names who made it."""
    if reason not in REASONS:
        raise ValueError(f"unknown registry reason {reason!r}")
    _require_transaction()
    graduate_id = getattr(graduate, "pk", graduate)
    entries = _entries([graduate_id], reason)
    if not entries:
        raise ValueError(f"graduate {graduate_id} does not exist")
    entries[0].save(force_insert=True)
    return entries[0]


def registry_enqueue_many(*, graduate_ids: Iterable[int], reason: str, actor=None) -> int:
    """One entry for each graduate (bulk: the roster commit), inside the caller's transaction.
    Returns how many entries were written."""
    if reason not in REASONS:
        raise ValueError(f"unknown registry reason {reason!r}")
    _require_transaction()
    ids = sorted(set(graduate_ids))
    written = 0
    for start in range(0, len(ids), _CHUNK):
        entries = _entries(ids[start:start + _CHUNK], reason)
        OutboxEntry.objects.bulk_create(entries, batch_size=_CHUNK)
        written += len(entries)
    return written

