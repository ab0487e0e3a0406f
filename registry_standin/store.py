"""The stand-in registry's own store: one SQLite file in WAL mode.

One connection per thread (sqlite3 connections are not shared across threads); every write runs
under one process-wide lock inside ``BEGIN IMMEDIATE``, so concurrent deliveries of the same
graduate are serialised and the idempotency check and the insert are one step.
"""
from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

from apps.registry.record_keys import COMPLETE_KEYS

SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    graduate_key TEXT PRIMARY KEY,
    school_code TEXT NOT NULL,
    cohort INTEGER NOT NULL,
    version INTEGER NOT NULL,
    sequence INTEGER NOT NULL,
    verification_code TEXT UNIQUE,
    updated_at TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    idempotency_key TEXT NOT NULL UNIQUE,
    graduate_key TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    version INTEGER NOT NULL,
    received_at TEXT NOT NULL,
    answer TEXT NOT NULL,
    record TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_graduate ON deliveries (graduate_key, id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
COUNTERS = ("duplicates_seen", "rejected", "out_of_order", "faults_503", "faults_timeout")


class OutOfOrder(Exception):
    def __init__(self, stored_sequence: int):
        super().__init__(stored_sequence)
        self.stored_sequence = stored_sequence


@dataclass
class Accepted:
    answer: dict  # the protocol's answer, duplicate flag included


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class Store:
    def __init__(self, path: str):
        self.path = path
        self._local = threading.local()
        self._write_lock = threading.Lock()
        with self._write_lock:
            db = self._db()
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            # autocommit mode (isolation_level=None): transactions are explicit BEGIN … COMMIT
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=True)
            db.execute("PRAGMA busy_timeout=30000")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
        return db

    def _write(self, fn):
        db = self._db()
        with self._write_lock:
            db.execute("BEGIN IMMEDIATE")
            try:
                result = fn(db)
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            return result

    # --- deliveries ----------------------------------------------------------------------------

    def deliver(self, *, idempotency_key: str, graduate_key: str, school_code: str, cohort: int,
                sequence: int, record: dict[str, str]) -> Accepted:
        """Store one delivery as the graduate's next version, or return the first answer given
        for this idempotency key. Raises OutOfOrder for a new key whose sequence is not above
        the stored one."""

        def write(db: sqlite3.Connection) -> Accepted | OutOfOrder:
            row = db.execute("SELECT answer FROM deliveries WHERE idempotency_key = ?",
                             (idempotency_key,)).fetchone()
            if row is not None:
                _bump(db, "duplicates_seen")
                return Accepted({**json.loads(row[0]), "duplicate": True})
            current = db.execute(
                "SELECT version, sequence, verification_code FROM records WHERE graduate_key = ?",
                (graduate_key,)).fetchone()
            version, stored_sequence, code = current if current is not None else (0, 0, None)
            if sequence <= stored_sequence:
                _bump(db, "out_of_order")  # committed: the refusal is counted
                return OutOfOrder(stored_sequence)
            version += 1
            if not code and all(record.get(key) for key in COMPLETE_KEYS):
                code = _new_code(db, cohort, school_code)
            now = _now()
            answer = {"version": version, "sequence": sequence, "verification_code": code or None,
                      "duplicate": False}
            body = json.dumps(record, ensure_ascii=False)
            db.execute(
                "INSERT INTO records (graduate_key, school_code, cohort, version, sequence,"
                " verification_code, updated_at, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (graduate_key) DO UPDATE SET school_code = excluded.school_code,"
                " cohort = excluded.cohort, version = excluded.version, sequence = excluded.sequence,"
                " verification_code = excluded.verification_code, updated_at = excluded.updated_at,"
                " record = excluded.record",
                (graduate_key, school_code, cohort, version, sequence, code, now, body))
            db.execute(
                "INSERT INTO deliveries (idempotency_key, graduate_key, sequence, version, received_at,"
                " answer, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (idempotency_key, graduate_key, sequence, version, now, json.dumps(answer), body))
            return Accepted(answer)

        result = self._write(write)
        if isinstance(result, OutOfOrder):
            raise result
        return result

    def count(self, name: str) -> None:
        self._write(lambda db: _bump(db, name))

    # --- reads ---------------------------------------------------------------------------------

    def record(self, graduate_key: str) -> dict | None:
        row = self._db().execute(
            "SELECT graduate_key, version, sequence, verification_code, updated_at, record"
            " FROM records WHERE graduate_key = ?", (graduate_key,)).fetchone()
        if row is None:
            return None
        return {"graduate_key": row[0], "version": row[1], "sequence": row[2],
                "verification_code": row[3], "updated_at": row[4], "record": json.loads(row[5])}

    def deliveries(self, graduate_key: str | None = None, *, after_id: int = 0,
                   limit: int = 100_000) -> list[dict]:
        sql = ("SELECT id, idempotency_key, graduate_key, sequence, version, received_at"
               " FROM deliveries WHERE id > ?")
        params: list = [after_id]
        if graduate_key is not None:
            sql += " AND graduate_key = ?"
            params.append(graduate_key)
        sql += " ORDER BY id LIMIT ?"
        params.append(limit)
        return [{"id": r[0], "idempotency_key": r[1], "graduate_key": r[2], "sequence": r[3],
                 "version": r[4], "received_at": r[5]}
                for r in self._db().execute(sql, params)]

    def stats(self) -> dict[str, int]:
        db = self._db()
        counters = dict(db.execute("SELECT name, value FROM counters").fetchall())
        return {
            "records": db.execute("SELECT COUNT(*) FROM records").fetchone()[0],
            "deliveries": db.execute("SELECT COUNT(*) FROM deliveries").fetchone()[0],
            **{name: counters.get(name, 0) for name in COUNTERS},
        }

    def reset(self) -> None:
        def write(db):
            for table in ("records", "deliveries", "counters"):
                db.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names

        self._write(write)


def _bump(db: sqlite3.Connection, name: str) -> None:
    db.execute("INSERT INTO counters (name, value) VALUES (?, 1)"
               " ON CONFLICT (name) DO UPDATE SET value = value + 1", (name,))


def _new_code(db: sqlite3.Connection, cohort: int, school_code: str) -> str:
    """A 核验编号: cohort, school code and ten random digits, unique in this registry."""
    while True:
        code = f"{cohort}{school_code}{secrets.randbelow(10**10):010d}"
        if db.execute("SELECT 1 FROM records WHERE verification_code = ?", (code,)).fetchone() is None:
            return code
