"""Province-sized, reproducible data set (省级规模基准数据) for the load benchmarks.

    .venv/bin/python bench/generate_province.py --graduates 500000 --schools 100 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_province
    .venv/bin/python bench/generate_province.py --graduates 20000 --schools 10 --colleges 100   # SQLite

Fills an EMPTY database (it runs `migrate` and `load_reference` itself) with schools,
colleges and majors, staff and employer accounts, employers, graduates (ID numbers and
phones sealed with the real field encryption, keyed lookup hashes, valid check digits),
graduate accounts, destinations in a realistic category mix with review states, proof
image rows, invitations, agreements (some terminated), terminations and the audit trail
(written through the real HMAC chain digest, so `manage.py audit_verify` passes).

Target database: `--database-url` or `DATABASE_URL` (PostgreSQL, loaded with COPY); with
neither, SQLite at var/bench/province/platform.sqlite3. The field-encryption, hash and
audit keys are the development keys of `--var-dir` (default var/bench/province/
dev-secrets.json): a server or benchmark reading the data must run with the same
PLATFORM_VAR_DIR (or the same key variables). A database that already holds graduates
is refused unless `--force` (which empties it first).

Reproducible: the same --seed and sizes give the same people, names, numbers, choices and
times (only the ciphertexts differ: AES-GCM nonces are random by design).

One method per table (`ProvinceGenerator.<table>`); a later feature adds its table as one
more method and one more entry in `ProvinceGenerator.STEPS`.
"""

from __future__ import annotations

import argparse
import bisect
import functools
import itertools
import json
import os
import platform
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import datasets as D  # noqa: E402

DEFAULT_VAR = ROOT / "var" / "bench" / "province"
BENCH_PASSWORD = "Bench-pass-2026"  # every generated staff and employer account
ID_WEIGHTS = [2 ** (17 - i) % 11 for i in range(17)]  # GB 11643 check digit weights


def id_check_digit(body17: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(body17, ID_WEIGHTS, strict=True)) % 11]


def bench_pin(student_number: str) -> str:
    """The signing PIN (签约密码) of every generated graduate who has one: the last six
    digits of the student number, so a load client can confirm an invitation."""
    return student_number[-6:]


@dataclass
class Plan:
    graduates: int = 500_000  # roster rows in all (duplicate records included)
    schools: int = 100
    colleges: int = 1_000
    majors_per_college: int = 5
    agreements: int | None = None  # default 16 % of graduates (80,000 of 500,000)
    employers: int | None = None  # default one per 250 graduates
    cohort: int | None = None  # default: the cohort whose signing season is open today
    seed: int = 2026
    audit: bool = True
    province_code: str = "34"
    # duplicates (重复生源): a few per thousand, two records per person at most
    cross_cohort_rate: float = 0.002  # a master's student with an earlier bachelor's record
    double_degree_rate: float = 0.001  # 双学位: same student number, second record
    terminated_share: float = 0.05  # of agreements
    open_invitation_rate: float = 0.02  # graduates with a live invitation waiting
    now: datetime | None = None

    def resolved(self) -> Plan:
        # "now" is midnight UTC of the day (or --as-of): the same seed, sizes and day give the same data
        now = self.now or datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        cohort = self.cohort or (now.year + 1 if now.month >= 9 else now.year)
        return Plan(**{**self.__dict__, "now": now, "cohort": cohort,
                       "agreements": self.agreements if self.agreements is not None else round(self.graduates * 0.16),
                       "employers": self.employers or max(20, self.graduates // 250)})


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)


# --- writing rows -------------------------------------------------------------------------

class _Required:
    def __repr__(self) -> str:
        return "<required>"


REQUIRED = _Required()


class TableWriter:
    """Rows as dicts {attname: value} → the table, by COPY on PostgreSQL and batched
    executemany on SQLite. Columns not given take the field's default (auto_now fields:
    the plan's `now`); every value is already what the column stores (ciphertext for an
    encrypted field)."""

    def __init__(self, connection, now: datetime):
        self.connection = connection
        self.now = now
        self.foreign_keys: list[str] = []

    def _columns(self, model):
        from django.db import models

        fields = list(model._meta.concrete_fields)
        defaults, adapters = {}, []
        ops = self.connection.ops
        sqlite = self.connection.vendor == "sqlite"
        for f in fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                default = self.now
            elif f.has_default():
                default = f.get_default()
            elif f.null:
                default = None
            elif f.blank and isinstance(f, models.CharField | models.TextField | models.FileField):
                default = ""
            else:
                default = REQUIRED
            defaults[f.attname] = default
            if isinstance(f, models.JSONField):
                adapters.append(lambda v: None if v is None else json.dumps(v, ensure_ascii=False))
            elif sqlite and isinstance(f, models.DateTimeField):
                adapters.append(_sqlite_datetime)  # what adapt_datetimefield_value stores, 4× faster
            elif sqlite and isinstance(f, models.DateField):
                adapters.append(ops.adapt_datefield_value)
            else:
                adapters.append(None)
        return fields, defaults, adapters

    @staticmethod
    def _pg_suspend(cursor, table: str) -> tuple[list[str], list[str]]:
        """Drop the table's plain indexes and foreign keys for the load; return the statements
        that put them back. Building an index once is far cheaper than maintaining it row by
        row, and Django's deferred foreign keys would otherwise queue one check per row until
        commit. Primary keys and unique indexes stay, so a generator bug still fails loudly;
        re-adding a foreign key checks every row in one join."""
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT x.indisunique", [table])
        indexes = cursor.fetchall()
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = %s::regclass AND contype = 'f'", [table])
        foreign_keys = cursor.fetchall()
        quoted = f'"{table}"'
        for name, _definition in foreign_keys:
            cursor.execute(f'ALTER TABLE {quoted} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return ([definition for _name, definition in indexes],
                [f'ALTER TABLE {quoted} ADD CONSTRAINT "{name}" {definition}' for name, definition in foreign_keys])

    def restore_foreign_keys(self) -> None:
        """Re-add the dropped foreign keys: each checks every row in one pass (tables refer to
        each other — graduates ↔ users — so this waits until all are loaded)."""
        with self.connection.cursor() as cursor:
            for statement in self.foreign_keys:
                cursor.execute(statement)
        self.foreign_keys = []

    def insert(self, model, rows: Iterable[dict]) -> int:
        fields, defaults, adapters = self._columns(model)
        names = [f.attname for f in fields]
        quote = self.connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        convert = [(i, a) for i, a in enumerate(adapters) if a is not None]

        def tuples():
            for row in rows:
                values = [row[n] if n in row else defaults[n] for n in names]
                for i, adapt in convert:
                    values[i] = adapt(values[i])
                yield values

        count = 0
        self.connection.ensure_connection()
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cursor:
                restore = self._pg_suspend(cursor, model._meta.db_table)
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608 - quoted
                    for values in tuples():
                        if REQUIRED in values:
                            raise ValueError(f"{model.__name__}: {names[values.index(REQUIRED)]} missing")
                        copy.write_row(values)
                        count += 1
                indexes, foreign_keys = restore
                for statement in indexes:  # built in one pass each
                    cursor.execute(statement)
                self.foreign_keys += foreign_keys  # put back by restore_foreign_keys() once every table is in
        else:
            sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))})"  # noqa: S608
            raw = self.connection.connection
            batch = []
            for values in tuples():
                if REQUIRED in values:
                    raise ValueError(f"{model.__name__}: {names[values.index(REQUIRED)]} missing")
                batch.append(values)
                if len(batch) >= 5000:
                    raw.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                raw.executemany(sql, batch)
                count += len(batch)
        return count


def _sqlite_datetime(value: datetime | None) -> str | None:
    """Django's SQLite form of an aware datetime: naive UTC, str()."""
    return None if value is None else str(value.astimezone(UTC).replace(tzinfo=None))


def _mix(rng: random.Random, pairs, k: int) -> list:
    keys, weights = zip(*pairs, strict=True)
    return rng.choices(keys, weights=weights, k=k)


class _Entry:
    """What the audit digest reads of a row (apps.audit.chain.canonical_v2)."""

    __slots__ = ("chain", "position", "occurred_at", "actor_kind", "actor_id", "actor_label", "action", "summary",
                 "target_type", "target_id", "school_id", "college_id", "graduate_id", "changes", "client_address",
                 "prev_hash")


# --- the generator --------------------------------------------------------------------------

class ProvinceGenerator:
    STEPS = ("schools", "colleges_and_majors", "staff_users", "employers", "graduates", "graduate_users",
             "signing", "destinations", "proof_images", "audit_entries", "finish")

    def __init__(self, plan: Plan, *, connection=None, out=print):
        from django.db import connection as default_connection

        self.plan = plan.resolved()
        self.rng = random.Random(self.plan.seed)
        self.connection = connection or default_connection
        self.writer = TableWriter(self.connection, self.plan.now)
        self.out = out
        self.summary = Summary()
        self.events = defaultdict(list)  # school id → audit events (time, …)
        self.ids = defaultdict(int)  # table → last primary key given out

    def next_id(self, table: str) -> int:
        self.ids[table] += 1
        return self.ids[table]

    # time line: the cohort's season from 1 September of the year before graduation to now
    @functools.cached_property
    def _season(self) -> tuple[datetime, datetime]:
        start = datetime(self.plan.cohort - 1, 9, 1, 1, 0, tzinfo=UTC)
        end = self.plan.now - timedelta(hours=1)
        if end <= start + timedelta(days=30):
            end = start + timedelta(days=270)
        return start, end

    def season(self) -> tuple[datetime, datetime]:
        return self._season

    def moment(self, after: datetime | None = None, *, max_days: float = 30) -> datetime:
        """A time in the season (after `after` by up to `max_days`), in whole milliseconds."""
        start, end = self.season()
        if after is None:
            moment = start + (end - start) * self.rng.random()
        else:
            # at most half of what is left of the season, so a chain of steps stays in order
            # and before "now" however late it starts
            room = min(timedelta(days=max_days), (end - after) / 2)
            moment = after + timedelta(milliseconds=1) + room * self.rng.random()
        return moment.replace(microsecond=moment.microsecond // 1000 * 1000)

    def event(self, school_id: int, when: datetime, *, actor: tuple[int | None, str, str], action: str,
              summary: str, target: tuple[str, int], college_id=None, graduate_id=None, changes=None,
              client_address: str = "") -> None:
        if self.plan.audit:
            when = when.replace(microsecond=when.microsecond // 1000 * 1000)  # what serialisers keep
            self.events[school_id].append((when, actor, action, summary, target, college_id, graduate_id,
                                           changes or {}, client_address))

    def run(self) -> Summary:
        from django.db import transaction

        total = time.perf_counter()
        with transaction.atomic():
            for step in self.STEPS:
                began = time.perf_counter()
                count = getattr(self, step)()
                seconds = time.perf_counter() - began
                self.summary.seconds[step] = seconds
                if count is not None:
                    self.summary.rows[step] = count
                rate = f", {count / seconds:,.0f} rows/s" if count and seconds > 0 else ""
                self.out(f"  {step:<22} {count if count is not None else '':>10,} rows {seconds:8.1f} s{rate}"
                         if count is not None else f"  {step:<22} {'':>10}      {seconds:8.1f} s")
        self.summary.seconds["total"] = time.perf_counter() - total
        return self.summary

    # --- reference lookups (by name, never literal codes) -------------------------------------

    def _codes(self, table: str, scheme: str = "") -> dict[str, str]:
        from apps.reference.models import CodeEntry

        return dict(CodeEntry.objects.filter(table__slug=table, scheme=scheme, is_active=True)
                    .order_by("sort_order").values_list("name", "code"))

    def _mix_by_name(self, table: str, pairs, k: int, scheme: str = "") -> list[str]:
        codes = self._codes(table, scheme)
        usable = [(codes[name], weight) for name, weight in pairs if name in codes]
        if not usable:
            raise RuntimeError(f"code table {table} has none of {[n for n, _ in pairs]}: load_reference first")
        return _mix(self.rng, usable, k)

    # --- tables ------------------------------------------------------------------------------------

    def schools(self) -> int:
        from apps.organisations.models import Province, School
        from apps.reference.models import Division

        code = self.plan.province_code
        province_division = Division.objects.filter(code=f"{code}0000").first()
        if province_division is None:
            raise RuntimeError("division table not loaded: run load_reference first")
        self.province = Province.objects.get_or_create(code=code, defaults={"name": province_division.name})[0]
        cities = list(Division.objects.filter(parent_id=province_division.code, level=2).order_by("code")
                      .values_list("name", flat=True)) or [province_division.name]
        names = [f"{city.removesuffix('市')}{kind}" for kind in D.SCHOOL_KINDS for city in cities]
        if len(names) < self.plan.schools:
            names += [f"{province_division.name.removesuffix('省')}第{n}学院" for n in range(len(names), self.plan.schools)]
        chosen = self.rng.sample(names, self.plan.schools)
        # school sizes vary (a 20,000-student university beside a 1,500-student college)
        self.school_weights = [self.rng.lognormvariate(0, 0.6) for _ in chosen]
        self.school_list = []
        rows = []
        for n, name in enumerate(chosen):
            pk = self.next_id("school")
            row = {"id": pk, "province_id": self.province.pk, "code": f"1{9000 + n:04d}" if n < 1000 else f"2{n:04d}",
                   "name": name, "short_name": name[:50], "current_cohort": self.plan.cohort, "is_active": True}
            rows.append(row)
            self.school_list.append(row)
        return self.writer.insert(School, rows)

    def colleges_and_majors(self) -> int:
        from apps.organisations.models import College, Major

        per_school = max(1, self.plan.colleges // self.plan.schools)
        extra = self.plan.colleges - per_school * self.plan.schools
        self.colleges = defaultdict(list)  # school id → [(college id, [major ids], name)]
        colleges, majors = [], []
        for n, school in enumerate(self.school_list):
            count = per_school + (1 if n < extra else 0)
            templates = self.rng.sample(D.COLLEGES, min(count, len(D.COLLEGES)))
            while len(templates) < count:  # more colleges than templates: numbered copies
                name, subjects = D.COLLEGES[len(templates) % len(D.COLLEGES)]
                templates.append((f"{name}（{len(templates) + 1}）", subjects))
            for c, (name, subjects) in enumerate(templates):
                college_id = self.next_id("college")
                colleges.append({"id": college_id, "school_id": school["id"], "code": f"{c + 1:02d}", "name": name})
                major_ids = []
                for code, major_name in subjects[: self.plan.majors_per_college]:
                    major_id = self.next_id("major")
                    majors.append({"id": major_id, "school_id": school["id"], "college_id": college_id,
                                   "code": code, "name": major_name})
                    major_ids.append(major_id)
                self.colleges[school["id"]].append((college_id, major_ids, name))
        count = self.writer.insert(College, colleges)
        self.summary.rows["majors"] = self.writer.insert(Major, majors)
        return count

    def staff_users(self) -> int:
        from django.contrib.auth.hashers import make_password

        from apps.accounts.models import Role, User

        self.password = make_password(BENCH_PASSWORD)  # hashed once: the same hash on every account
        self.school_staff, self.college_staff = {}, {}
        rows = [{"id": self.next_id("user"), "username": "bench-province", "password": self.password,
                 "role": Role.PROVINCE_STAFF, "display_name": "省级管理员", "province_id": self.province.pk,
                 "date_joined": self.plan.now}]
        for school in self.school_list:
            pk = self.next_id("user")
            label = f"{school['name'][:40]}管理员"
            rows.append({"id": pk, "username": f"bench-school-{school['code']}", "password": self.password,
                         "role": Role.SCHOOL_STAFF, "display_name": label, "school_id": school["id"],
                         "date_joined": self.plan.now})
            self.school_staff[school["id"]] = (pk, label)
            for college_id, _majors, name in self.colleges[school["id"]]:
                pk = self.next_id("user")
                label = f"{name[:40]}管理员"
                rows.append({"id": pk, "username": f"bench-college-{college_id}", "password": self.password,
                             "role": Role.COLLEGE_STAFF, "display_name": label, "school_id": school["id"],
                             "college_id": college_id, "date_joined": self.plan.now})
                self.college_staff[college_id] = (pk, label)
        return self.writer.insert(User, rows)

    def _load_divisions(self) -> None:
        from apps.reference.models import Division

        counties = list(Division.objects.filter(is_county_level=True, is_current=True).order_by("code")
                        .values_list("code", "full_name"))
        self.division_names = dict(counties)
        home = self.plan.province_code
        neighbours = set(D.NEIGHBOURS.get(home, []))
        self.home_counties = [c for c, _ in counties if c[:2] == home] or [c for c, _ in counties]
        self.neighbour_counties = [c for c, _ in counties if c[:2] in neighbours] or self.home_counties
        self.far_counties = [c for c, _ in counties if c[:2] != home and c[:2] not in neighbours] or self.home_counties

    def county(self) -> str:
        draw = self.rng.random()
        if draw < D.HOME_SHARE:
            return self.rng.choice(self.home_counties)
        if draw < D.HOME_SHARE + D.NEIGHBOUR_SHARE:
            return self.rng.choice(self.neighbour_counties)
        return self.rng.choice(self.far_counties)

    def employers(self) -> int:
        from stdnum.cn import uscc

        from apps.accounts.models import Role, User
        from apps.organisations.models import Employer

        self._load_divisions()
        natures = list(self._codes("unit_nature").values())
        industries = list(self._codes("industry").values())
        self.position_codes = list(self._codes("position_category").values())
        self.employer_list, rows, users = [], [], []
        seen = set()
        for _ in range(self.plan.employers):
            division = self.rng.choice(self.home_counties) if self.rng.random() < 0.7 else self.county()
            city = self.division_names[division][3:5] if len(self.division_names[division]) > 4 else "示例"
            word, kind = self.rng.choice(D.EMPLOYER_WORDS), self.rng.choice(D.EMPLOYER_KINDS)
            name = f"{city}{word}{kind}"
            if name in seen:  # 合肥华信科技有限公司 exists: the next one is 合肥华信217科技有限公司
                name = f"{city}{word}{len(seen)}{kind}"
            seen.add(name)
            body = f"91{division}{self.rng.randrange(10 ** 9):09d}"
            credit = body + uscc.calc_check_digit(body)
            pk = self.next_id("employer")
            row = {"id": pk, "credit_code": credit, "name": name, "nature_code": self.rng.choice(natures),
                   "industry_code": self.rng.choice(industries), "division_id": division,
                   "address": f"{self.division_names[division]}{self.rng.randrange(1, 300)}号", "is_verified": True}
            rows.append(row)
            self.employer_list.append(row)
            user_id = self.next_id("user")
            row["user"] = (user_id, name[:50])
            users.append({"id": user_id, "username": f"bench-employer-{pk}", "password": self.password,
                          "role": Role.EMPLOYER, "display_name": name[:50], "employer_id": pk,
                          "date_joined": self.plan.now})
        count = self.writer.insert(Employer, ({k: v for k, v in r.items() if k != "user"} for r in rows))
        self.summary.rows["employer_users"] = self.writer.insert(User, users)
        return count

    def graduates(self) -> int:
        from apps.core.crypto import encrypt, keyed_hash
        from apps.graduates.models import Graduate, id_last4_of

        plan, rng = self.plan, self.rng
        crosses = round(plan.graduates * plan.cross_cohort_rate)
        doubles = round(plan.graduates * plan.double_degree_rate)
        primary = plan.graduates - crosses - doubles
        levels = self._codes("education_level", "employment-xldm")
        level_of = {code: name for name, code in levels.items()}
        level_codes = self._mix_by_name("education_level", D.EDUCATION_MIX, primary, "employment-xldm")
        political = self._mix_by_name("political_status", D.POLITICAL_MIX, primary)
        urban = self._mix_by_name("urban_rural", D.URBAN_RURAL_MIX, primary)
        hardship = self._mix_by_name("hardship", D.HARDSHIP_MIX, primary)
        ethnicities = list(self._codes("ethnicity").items())
        majority = dict(ethnicities).get(D.MAJORITY_ETHNICITY, ethnicities[0][1])
        minorities = [code for name, code in ethnicities if code != majority]
        training = list(self._codes("training_mode").values())
        normal = self._mix_by_name("normal_student", D.NORMAL_STUDENT_MIX, primary)
        surnames = _mix(rng, D.SURNAMES, primary)

        # graduates per school by weight, then per college (largest remainder)
        weights = self.school_weights
        quota = [int(primary * w / sum(weights)) for w in weights]
        for n in range(primary - sum(quota)):
            quota[n % len(quota)] += 1

        # duplicates are picked up front, so the rows can stream to the database
        masters = [n for n, code in enumerate(level_codes) if level_of[code] == D.EDUCATION_MIX[1][0]]
        bachelors = [n for n, code in enumerate(level_codes) if level_of[code] == D.BACHELOR]
        cross_picks = set(rng.sample(masters, min(crosses, len(masters))))
        double_picks = set(rng.sample(bachelors, min(doubles, len(bachelors))))
        self.summary.rows["duplicate_records"] = len(cross_picks) + len(double_picks)
        self.duplicated = set()
        sources: list[tuple[str, dict]] = []

        start, _end = self.season()
        self.people = []  # current-cohort records: [id, school, college, name, number, user, confirmed at, pin?, level]
        used_ids: set[str] = set()

        def rows():
            i = 0
            for school, count in zip(self.school_list, quota, strict=True):
                colleges = self.colleges[school["id"]]
                college_weights = list(itertools.accumulate(rng.uniform(0.5, 1.5) for _ in colleges))
                sequence = itertools.count(1)
                for _ in range(count):
                    college_id, majors, _name = colleges[bisect.bisect(college_weights,
                                                                       rng.random() * college_weights[-1])]
                    level = level_codes[i]
                    level_name = level_of[level]
                    years = D.STUDY_YEARS.get(level_name, 4)
                    male = rng.random() < 0.52
                    county = self.county()
                    birth = date(plan.cohort - D.GRADUATION_AGE.get(level_name, 22), 1, 1) + timedelta(
                        days=rng.randrange(365 * 2) - 365)
                    serial = rng.randrange(500) * 2 + (1 if male else 0)
                    while True:
                        body = f"{county}{birth:%Y%m%d}{serial:03d}"
                        id_number = body + id_check_digit(body)
                        if id_number not in used_ids:
                            break
                        serial = (serial + 2) % 1000
                    used_ids.add(id_number)
                    given = "".join(rng.choice(D.GIVEN_CHARS) for _ in range(1 if rng.random() < 0.25 else 2))
                    name = surnames[i] + given
                    enrolled = plan.cohort - years
                    number = f"{enrolled}{college_id % 100:02d}{next(sequence):05d}"
                    # 双学位 people hold two current records, which blocks the login (信息重复):
                    # they have not signed in, confirmed or set a PIN
                    has_user = i not in double_picks and rng.random() < 0.92
                    confirmed = has_user and rng.random() < 0.87
                    has_pin = confirmed and rng.random() < 0.75
                    gid = self.next_id("graduate")
                    user_id = self.next_id("user") if has_user else None
                    confirmed_at = self.moment() if confirmed else None
                    phone = f"{rng.choice(D.PHONE_PREFIXES)}{rng.randrange(10 ** 8):08d}"
                    family = f"{rng.choice(D.PHONE_PREFIXES)}{rng.randrange(10 ** 8):08d}" if rng.random() < 0.6 else ""
                    row = {
                        "id": gid, "school_id": school["id"], "college_id": college_id,
                        "major_id": rng.choice(majors), "cohort": plan.cohort, "student_number": number,
                        "exam_number": f"{enrolled % 100:02d}{county[:2]}{rng.randrange(10 ** 10):010d}",
                        "name": name, "gender_code": "1" if male else "2",
                        "id_number": encrypt(id_number), "id_number_hash": keyed_hash(id_number),
                        "id_last4": id_last4_of(id_number), "birth_date": birth,
                        "ethnicity_code": majority if rng.random() < 0.94 else rng.choice(minorities),
                        "political_status_code": political[i], "urban_rural_code": urban[i],
                        "education_level_code": level,
                        "training_mode_code": training[0] if rng.random() < 0.97 else rng.choice(training),
                        "study_form": "全日制", "enrolment_date": date(enrolled, 9, 1),
                        "graduation_date": date(plan.cohort, 6, 30), "hardship_code": hardship[i],
                        "normal_student_code": normal[i],
                        "origin_division_id": county, "phone": encrypt(phone), "phone_hash": keyed_hash(phone),
                        "email": f"{number}@stu.example.edu.cn" if rng.random() < 0.4 else "",
                        "home_address": f"{self.division_names[county]}{rng.randrange(1, 200)}号",
                        "family_contact_name": f"{surnames[i]}{rng.choice(D.GIVEN_CHARS)}" if family else "",
                        "family_contact_relation": rng.choice(["父亲", "母亲"]) if family else "",
                        "family_contact_phone": encrypt(family) if family else "",
                        "origin_confirmed_at": confirmed_at, "origin_confirmed_by_id": user_id if confirmed else None,
                        "signing_pin_hash": self._pin_hash(number) if has_pin else "",
                        "signing_pin_set_at": self.moment(confirmed_at, max_days=3) if has_pin else None,
                        "created_at": start - timedelta(days=30), "updated_at": confirmed_at or start,
                    }
                    self.people.append([gid, school["id"], college_id, name, number, user_id, confirmed_at, has_pin,
                                        level_name])
                    if confirmed:
                        self.event(school["id"], confirmed_at, actor=(user_id, "graduate", name),
                                   action="graduate.confirm_origin", summary="确认生源信息",
                                   target=("Graduate", gid), college_id=college_id, graduate_id=gid)
                    if i in cross_picks:
                        sources.append(("cross", row))
                    elif i in double_picks:
                        sources.append(("double", row))
                        self.duplicated.add(gid)
                    i += 1
                    yield row
            yield from self._duplicate_records(sources, levels)

        return self.writer.insert(Graduate, rows())

    def _pin_hash(self, student_number: str) -> str:
        # the real stored form (apps.accounts.services.signing_pin_hash), salt from the seed
        from apps.accounts.services import PIN_HASH_SCHEME
        from apps.core.crypto import keyed_hash

        salt = f"{self.rng.getrandbits(64):016x}"
        return f"{PIN_HASH_SCHEME}${salt}${keyed_hash(f'signing-pin:{salt}:{bench_pin(student_number)}')}"

    def _duplicate_records(self, sources: list[tuple[str, dict]], levels: dict[str, str]):
        """A few per thousand people have two records: a master's student who did the
        bachelor's here or at another school of the province (an older cohort), and 双学位
        students (a second current record under the same student number). Nobody has more
        than two."""
        rng = self.rng
        blank = {"origin_confirmed_at": None, "origin_confirmed_by_id": None, "signing_pin_hash": "",
                 "signing_pin_set_at": None}
        for kind, source in sources:
            if kind == "cross":
                school = source["school_id"] if rng.random() < 0.7 else rng.choice(self.school_list)["id"]
                college_id, majors, _ = rng.choice(self.colleges[school])
                old = self.plan.cohort - 3
                yield {**source, **blank, "id": self.next_id("graduate"), "school_id": school,
                       "college_id": college_id, "major_id": rng.choice(majors), "cohort": old,
                       "education_level_code": levels[D.BACHELOR],
                       "student_number": f"{old - 4}9{source['id']:07d}",
                       "enrolment_date": date(old - 4, 9, 1), "graduation_date": date(old, 6, 30)}
            else:
                yield {**source, **blank, "id": self.next_id("graduate"),
                       "education_level_code": levels[D.DOUBLE_DEGREE]}

    def graduate_users(self) -> int:
        from apps.accounts.models import Role, User

        rows = []
        for gid, school_id, _college, name, _number, user_id, confirmed_at, _pin, _level in self.people:
            if user_id is None:
                continue
            rows.append({"id": user_id, "username": f"graduate-{gid}", "password": "!" + f"{user_id:040d}",
                         "role": Role.GRADUATE, "display_name": name, "graduate_id": gid, "school_id": school_id,
                         "last_login": confirmed_at, "date_joined": confirmed_at or self.plan.now})
        return self.writer.insert(User, rows)

    # --- 网络签约: invitations, agreements, terminations ----------------------------------------------

    def signing(self) -> int:
        """Invitations (with the agreements' accepted ones), agreements and terminations.
        Returns the agreement count; the other tables are in the summary."""
        from apps.core.crypto import encrypt, token_digest
        from apps.signing.models import Agreement, Invitation, Termination, TerminationLetter

        plan, rng = self.plan, self.rng
        eligible = [p for p in self.people if p[6] is not None and p[7]]  # 生源确认 + PIN set
        rng.shuffle(eligible)
        terminated = round(plan.agreements * plan.terminated_share)
        resigned = terminated // 2
        signers = plan.agreements - resigned
        if signers > len(eligible):
            raise RuntimeError(f"{signers} signing graduates asked for, {len(eligible)} eligible: fewer agreements")
        signer_people = eligible[:signers]
        open_people = eligible[signers: signers + round(plan.graduates * plan.open_invitation_rate)]
        self.signed = {}  # graduate id → (category state, agreement time, invitation row)
        self.open_invited = {p[0] for p in open_people}
        invitations, agreements, terminations, letters = [], [], [], []
        sample_file = self.sample_image("certificates")
        _start, end = self.season()

        def invitation(person, employer, created: datetime, status: str, decided: datetime | None) -> dict:
            gid, school_id, college_id = person[0], person[1], person[2]
            pk = self.next_id("invitation")
            contact = f"{rng.choice(D.PHONE_PREFIXES)}{rng.randrange(10 ** 8):08d}"
            row = {"id": pk, "graduate_id": gid, "school_id": school_id, "college_id": college_id,
                   "employer_id": employer["id"], "sent_by_id": employer["user"][0],
                   "follow_token_hash": token_digest(f"bench-follow-{plan.seed}-{pk}"), "status": status,
                   "unit_name": employer["name"], "credit_code": employer["credit_code"],
                   "unit_nature_code": employer["nature_code"], "industry_code": employer["industry_code"],
                   "unit_division_id": employer["division_id"], "unit_address": employer["address"],
                   "contact_person": f"{_mix(rng, D.SURNAMES, 1)[0]}经理", "contact_phone": encrypt(contact),
                   "position_name": rng.choice(D.POSITIONS), "position_category_code": rng.choice(self.position_codes),
                   "work_place": self.division_names[employer["division_id"]], "contract_years": rng.choice([3, 3, 5]),
                   "probation_type": "probation", "probation_months": rng.choice([3, 6]),
                   "monthly_pay": rng.randrange(45, 160) * 100, "social_insurance": "五险一金",
                   "breach_penalty": rng.choice([0, 0, 2000, 5000]), "accepts_archive": rng.random() < 0.5,
                   "accepts_household": rng.random() < 0.3, "certificate": sample_file, "created_at": created,
                   "expires_at": created + timedelta(days=7), "decided_at": decided}
            invitations.append(row)
            self.event(school_id, created, actor=(employer["user"][0], "employer", employer["user"][1]),
                       action="invitation.create", summary=f"{employer['name']}发出网签邀约", target=("Invitation", pk),
                       college_id=college_id, graduate_id=gid)
            return row

        def agreement(person, accepted: datetime, status: str, terminated_at=None) -> tuple[dict, dict]:
            employer = rng.choice(self.employer_list)
            for _ in range(rng.choice([0, 0, 1, 1, 2])):  # offers the graduate did not take
                other = rng.choice(self.employer_list)
                created = accepted - timedelta(days=rng.uniform(1, 20))
                fate = rng.choice(["superseded", "superseded", "declined", "expired"])
                decided = {"superseded": accepted, "declined": created + timedelta(hours=rng.uniform(1, 48)),
                           "expired": created + timedelta(days=7)}[fate]
                invitation(person, other, created, fate, decided)
                if fate == "declined":
                    self.event(person[1], decided, actor=(person[5], "graduate", person[3]), action="invitation.decline",
                               summary=f"拒绝{other['name']}的网签邀约", target=("Invitation", self.ids["invitation"]),
                               college_id=person[2], graduate_id=person[0])
            invite = invitation(person, employer, accepted - timedelta(hours=rng.uniform(2, 72)), "accepted", accepted)
            pk = self.next_id("agreement")
            row = {"id": pk, "number": f"WQ{accepted:%Y%m%d}{pk:08d}",
                   "verification_code": "".join(rng.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(4))
                   + f"{pk:06d}", "invitation_id": invite["id"], "graduate_id": person[0], "school_id": person[1],
                   "college_id": person[2], "employer_id": employer["id"], "status": status, "accepted_at": accepted,
                   "accepted_address": f"36.{pk % 250}.{pk // 250 % 250}.{rng.randrange(1, 250)}",
                   "accepted_user_agent": "Mozilla/5.0 (Linux; Android 14) Mobile", "terminated_at": terminated_at,
                   "created_at": accepted}
            agreements.append(row)
            self.event(person[1], accepted, actor=(person[5], "graduate", person[3]), action="agreement.accept",
                       summary=f"与{employer['name']}网络签约（协议{row['number']}）", target=("Agreement", pk),
                       college_id=person[2], graduate_id=person[0], changes={"invitations_superseded": [0, 0]},
                       client_address=row["accepted_address"])
            return row, invite

        def termination(person, agreement_row, applied: datetime, final: str) -> datetime:
            pk = self.next_id("termination")
            college_at = applied + timedelta(days=rng.uniform(0.2, 4))
            school_at = college_at + timedelta(days=rng.uniform(0.2, 4))
            status = final
            terminations.append({
                "id": pk, "agreement_id": agreement_row["id"], "graduate_id": person[0], "school_id": person[1],
                "college_id": person[2], "reason": rng.choice(["further_study", "family", "employer_trouble"]),
                "explanation": rng.choice(D.TERMINATION_EXPLANATIONS), "is_change": False, "status": status,
                "submitted_at": applied, "submitted_address": agreement_row["accepted_address"],
                "college_reviewed_by_id": self.college_staff[person[2]][0] if status == "approved" else None,
                "college_reviewed_at": college_at if status == "approved" else None,
                "school_reviewed_by_id": self.school_staff[person[1]][0] if status == "approved" else None,
                "school_reviewed_at": school_at if status == "approved" else None})
            letters.append({"id": self.next_id("letter"), "termination_id": pk, "file": sample_file, "width": 1200,
                            "height": 1600, "size": 180_000})
            self.event(person[1], applied, actor=(person[5], "graduate", person[3]), action="termination.apply",
                       summary="申请解除协议", target=("Termination", pk), college_id=person[2],
                       graduate_id=person[0], changes={"reason": ["", "升学"]})
            if status == "approved":
                for when, (staff_id, label), verdict in (
                        (college_at, self.college_staff[person[2]], "解约初审通过"),
                        (school_at, self.school_staff[person[1]], "解约终审通过，协议已解除")):
                    self.event(person[1], when, actor=(staff_id, "staff", label), action="termination.review",
                               summary=verdict, target=("Termination", pk), college_id=person[2],
                               graduate_id=person[0], changes={"status": ["", verdict[:4]]})
            return school_at

        for n, person in enumerate(signer_people):
            first = self.moment()
            if n < terminated:
                first = min(first, end - timedelta(days=40))
                old, _ = agreement(person, first, "terminated")
                ended = termination(person, old, self.moment(first, max_days=20), "approved")
                old["terminated_at"] = ended
                if n < resigned:  # 变更: signed again with a new unit
                    new, invite = agreement(person, self.moment(ended, max_days=10), "in_force")
                    self.signed[person[0]] = ("signed", new, invite)
                else:
                    self.signed[person[0]] = ("reset", old, ended)
            else:
                row, invite = agreement(person, first, "in_force")
                self.signed[person[0]] = ("signed", row, invite)
                if rng.random() < 0.01:  # a pending termination waiting for the college
                    termination(person, row, self.moment(first, max_days=20), "submitted")
        for person in open_people:  # live offers waiting for a confirmation
            for employer in rng.sample(self.employer_list, rng.choice([1, 1, 2])):
                invitation(person, employer, self.plan.now - timedelta(hours=rng.uniform(1, 72)), "open", None)

        self.summary.rows["invitations"] = self.writer.insert(Invitation, invitations)
        count = self.writer.insert(Agreement, agreements)
        self.summary.rows["agreements_terminated"] = terminated
        self.summary.rows["terminations"] = self.writer.insert(Termination, terminations)
        self.summary.rows["termination_letters"] = self.writer.insert(TerminationLetter, letters)
        return count

    def sample_image(self, folder: str) -> str:
        """One small real JPEG every generated proof/letter/certificate row points at."""
        from io import BytesIO

        from django.core.files.base import ContentFile
        from django.core.files.storage import default_storage
        from PIL import Image

        name = f"{folder}/bench/sample.jpg"
        if not default_storage.exists(name):
            buffer = BytesIO()
            Image.new("RGB", (120, 160), (235, 235, 235)).save(buffer, "JPEG")
            name = default_storage.save(name, ContentFile(buffer.getvalue()))
        return name

    # --- 毕业去向登记 -------------------------------------------------------------------------------

    def destinations(self) -> int:
        from apps.core.crypto import encrypt
        from apps.destinations import catalog
        from apps.destinations.models import Destination

        categories = catalog.categories()
        by_set = defaultdict(list)
        for c in categories:
            if c.selectable and c.code != catalog.online_signing_category_code():
                by_set[c.field_set].append(c)
        mix = [(name, weight) for name, weight in D.DESTINATION_FIELD_SET_MIX if by_set.get(name)]
        signing_code = catalog.online_signing_category_code()
        reset_code = catalog.after_termination_category_code()
        self.proof_needed = []  # (destination id, saved at, person, submitted?) for proof image rows
        return self.writer.insert(Destination, self._destination_rows(by_set, mix, signing_code, reset_code, encrypt))

    def _destination_rows(self, by_set, mix, signing_code: str, reset_code: str, encrypt):
        rng = self.rng
        for person in self.people:
            gid, school_id, college_id, name, _number, user_id, confirmed_at, _pin, _level = person
            signed = self.signed.get(gid)
            if signed is None and (confirmed_at is None or gid in self.open_invited or rng.random() < 0.12):
                continue  # not registered yet
            pk = self.next_id("destination")
            row = {"id": pk, "graduate_id": gid, "school_id": school_id, "college_id": college_id}
            actor = (user_id, "graduate", name)
            if signed and signed[0] == "reset":
                _, agreement, ended = signed
                row.update(category_code=reset_code, status="draft", source="system", created_at=agreement["accepted_at"],
                           updated_at=ended)
                staff_id, label = self.school_staff[school_id]
                self.event(school_id, ended, actor=(staff_id, "staff", label), action="destination.reset", summary="解约后毕业去向恢复为待就业",
                           target=("Destination", pk), college_id=college_id, graduate_id=gid,
                           changes={"category": ["", reset_code]})
                yield row
                continue
            if signed:
                _, agreement, invite = signed
                status = _mix(rng, D.SIGNED_STATUS_MIX, 1)[0]
                submitted = agreement["accepted_at"]
                row.update(category_code=signing_code, source="online_signing", unit_name=invite["unit_name"],
                           credit_code=invite["credit_code"], unit_nature_code=invite["unit_nature_code"],
                           industry_code=invite["industry_code"], unit_division_id=invite["unit_division_id"],
                           unit_address=invite["unit_address"],
                           position_category_code=invite["position_category_code"], sign_date=submitted.date(),
                           unit_contact=invite["contact_person"], unit_contact_phone=invite["contact_phone"],
                           created_at=submitted)
                self.event(school_id, submitted, actor=actor, action="destination.signed",
                           summary=f"网络签约自动登记毕业去向：{invite['unit_name']}（协议{agreement['number']}）",
                           target=("Destination", pk), college_id=college_id, graduate_id=gid,
                           changes={"category": ["", signing_code]})
            else:
                field_set = _mix(rng, mix, 1)[0]
                options = by_set[field_set]
                category = options[min(int(rng.expovariate(1.2)), len(options) - 1)]  # first codes commonest
                status = _mix(rng, D.DESTINATION_STATUS_MIX, 1)[0]
                saved = self.moment(confirmed_at, max_days=60)
                row.update(category_code=category.code, source="manual", created_at=saved)
                row.update(self._form_values(category, saved, encrypt))
                self.event(school_id, saved, actor=actor, action="destination.save",
                           summary=f"登记毕业去向：{category.name}（未提交）", target=("Destination", pk),
                           college_id=college_id, graduate_id=gid, changes={"category": ["", category.code]})
                submitted = self.moment(saved, max_days=5) if status != "draft" else None
                if category.proof_required:
                    self.proof_needed.append((pk, saved, person, submitted is not None))
                if submitted:
                    self.event(school_id, submitted, actor=actor, action="destination.submit",
                               summary=f"提交毕业去向：{category.name}", target=("Destination", pk),
                               college_id=college_id, graduate_id=gid, changes={"status": ["", "待审核"]})
            row.update(self._review(row, status, submitted, pk, person))
            row["status"] = status
            row["updated_at"] = max(filter(None, (row.get("created_at"), submitted, row.get("college_reviewed_at"),
                                                  row.get("school_reviewed_at"))))
            row["credit_code_flagged"] = bool(row.get("credit_code")) and rng.random() < 0.01
            yield row

    def _form_values(self, category, saved: datetime, encrypt) -> dict:
        """The category's form fields (from destination_forms.json), required ones always,
        optional ones most of the time."""
        rng = self.rng
        employer = rng.choice(self.employer_list)
        country, school_cn, school_foreign = rng.choice(D.ABROAD)
        major_cn, major_foreign = rng.choice(D.ABROAD_MAJORS)
        county = self.county()
        values = {
            "unit_name": employer["name"], "credit_code": employer["credit_code"],
            "unit_nature_code": employer["nature_code"], "industry_code": employer["industry_code"],
            "unit_division": employer["division_id"] if category.field_set == "employer" else county,
            "unit_address": employer["address"], "position_category_code": rng.choice(self.position_codes),
            "sign_date": (saved - timedelta(days=rng.randrange(0, 20))).date(),
            "unit_contact": f"{_mix(rng, D.SURNAMES, 1)[0]}老师",
            "unit_contact_phone": f"{rng.choice(D.PHONE_PREFIXES)}{rng.randrange(10 ** 8):08d}",
            "description": rng.choice(D.STARTUP_FORMS if category.field_set == "startup" else D.FREELANCE_WORK),
            "study_school": rng.choice(D.GRADUATE_SCHOOLS), "study_major": rng.choice([m for _, m in D.COLLEGES[0][1]]),
            "country_region": country, "abroad_school_cn": school_cn, "abroad_school_foreign": school_foreign,
            "abroad_major_cn": major_cn, "abroad_major_foreign": major_foreign,
        }
        out = {}
        for form_field in category.fields:
            if form_field.required or rng.random() < 0.6:
                value = values[form_field.field]
                if form_field.field == "unit_division":
                    out["unit_division_id"] = value
                elif form_field.field == "unit_contact_phone":
                    out["unit_contact_phone"] = encrypt(value)
                else:
                    out[form_field.field] = value
        return out

    def _review(self, row: dict, status: str, submitted: datetime | None, pk: int, person) -> dict:
        """Review columns and history for a destination in `status` (初审 by the college,
        终审 by the school; 退回 by either)."""
        gid, school_id, college_id = person[0], person[1], person[2]
        out = {"submitted_at": submitted}
        if status in ("draft", "submitted") or submitted is None:
            return out
        college = self.college_staff[college_id]
        school = self.school_staff[school_id]
        college_at = self.moment(submitted, max_days=6)
        returned_by_school = status == "returned" and self.rng.random() < 0.3
        college_approves = status != "returned" or returned_by_school
        out.update(college_reviewed_by_id=college[0], college_reviewed_at=college_at)
        verdict = "初审通过" if college_approves else f"退回：{self.rng.choice(D.RETURN_REASONS)}"
        self.event(school_id, college_at, actor=(college[0], "staff", college[1]), action="destination.review",
                   summary=f"毕业去向{verdict}", target=("Destination", pk), college_id=college_id, graduate_id=gid,
                   changes={"status": ["待审核", "初审通过" if college_approves else "退回"]})
        if not college_approves:
            out["return_reason"] = verdict.removeprefix("退回：")
            return out
        if status in ("school_approved", "returned"):
            school_at = self.moment(college_at, max_days=6)
            out.update(school_reviewed_by_id=school[0], school_reviewed_at=school_at)
            approve = status == "school_approved"
            verdict = "审核通过" if approve else f"退回：{self.rng.choice(D.RETURN_REASONS)}"
            self.event(school_id, school_at, actor=(school[0], "staff", school[1]), action="destination.review",
                       summary=f"毕业去向{verdict}", target=("Destination", pk), college_id=college_id,
                       graduate_id=gid, changes={"status": ["初审通过", "审核通过" if approve else "退回"]})
            if not approve:
                out["return_reason"] = verdict.removeprefix("退回：")
        return out

    def proof_images(self) -> int:
        from apps.destinations.models import ProofImage

        sample = self.sample_image("proof")
        rows = []
        for destination_id, saved, person, _submitted in self.proof_needed:
            for n in range(self.rng.choice([1, 1, 2])):
                added = saved + timedelta(minutes=1 + n)
                rows.append({"id": self.next_id("proof"), "destination_id": destination_id, "file": sample,
                             "width": 1200, "height": 1600, "size": 160_000 + n, "original_name": f"证明{n + 1}.jpg",
                             "created_at": added})
                self.event(person[1], added, actor=(person[5], "graduate", person[3]), action="destination.image_add",
                           summary="上传就业证明材料", target=("Destination", destination_id), college_id=person[2],
                           graduate_id=person[0], changes={"images": [n, n + 1]})
        return self.writer.insert(ProofImage, rows)

    # --- 审计日志 -------------------------------------------------------------------------------------

    def audit_entries(self) -> int | None:
        """One HMAC chain per school (apps.audit.services.audit_record's chain names), the
        events in time order, each digested with the real apps.audit.chain.digest."""
        from apps.audit.chain import GENESIS, digest
        from apps.audit.models import AuditChainHead, AuditEntry

        if not self.plan.audit:
            self.out("  (audit trail skipped: --no-audit)")
            return None
        heads = []

        def entries():
            entry = _Entry()
            for school_id in sorted(self.events):
                events = sorted(self.events.pop(school_id), key=lambda e: e[0])
                chain, prev = f"school:{school_id}", GENESIS
                for position, (when, actor, action, summary, target, college_id, graduate_id, changes,
                               client_address) in enumerate(events, start=1):
                    entry.chain, entry.position, entry.occurred_at = chain, position, when
                    entry.actor_id, entry.actor_kind, entry.actor_label = actor[0], actor[1], actor[2][:100]
                    entry.action, entry.summary = action, summary[:200]
                    entry.target_type, entry.target_id = target[0], str(target[1])
                    entry.school_id, entry.college_id, entry.graduate_id = school_id, college_id, graduate_id
                    entry.changes, entry.client_address, entry.prev_hash = changes, client_address, prev
                    entry_hash = digest(entry)
                    yield {"id": self.next_id("audit"), "chain": chain, "position": position, "occurred_at": when,
                           "actor_kind": entry.actor_kind, "actor_id": entry.actor_id,
                           "actor_label": entry.actor_label, "action": action, "summary": entry.summary,
                           "target_type": entry.target_type, "target_id": entry.target_id, "school_id": school_id,
                           "college_id": college_id, "graduate_id": graduate_id, "changes": changes,
                           "client_address": client_address, "prev_hash": prev, "entry_hash": entry_hash}
                    prev = entry_hash
                if events:
                    heads.append({"chain": chain, "last_hash": prev, "length": len(events)})

        count = self.writer.insert(AuditEntry, entries())
        self.summary.rows["audit_chains"] = self.writer.insert(AuditChainHead, heads)
        return count

    def finish(self) -> None:
        """Foreign keys back (PostgreSQL: checked here), sequences past the explicit ids,
        planner statistics."""
        from django.apps import apps
        from django.core.management.color import no_style

        from apps.graduates.counts import recount_graduates

        models = [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]
        self.writer.restore_foreign_keys()
        with self.connection.cursor() as cursor:
            for statement in self.connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(statement)
        # COPY sends no signals: the per-college graduate counts (staff home, province page)
        # are built once from the rows (apps/graduates/counts.py)
        recount_graduates()
        with self.connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def generate(plan: Plan, *, out=print) -> Summary:
    """Fill the current database (migrated, reference data loaded, no graduates yet)."""
    return ProvinceGenerator(plan, out=out).run()


# --- command line -----------------------------------------------------------------------------

def _configure(args) -> str:
    """Environment for Django before setup; returns a printable target description."""
    url = args.database_url or os.environ.get("DATABASE_URL", "")
    var_dir = Path(args.var_dir).resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ["PLATFORM_VAR_DIR"] = str(var_dir)  # keys, media and (SQLite) the database live here
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["DJANGO_DEBUG"] = "0"  # no query log
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    if url:
        return url.split("@")[-1]
    return str(var_dir / "platform.sqlite3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=500_000)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--colleges", type=int, default=1_000, help="in all (spread evenly over the schools)")
    parser.add_argument("--majors-per-college", type=int, default=5)
    parser.add_argument("--agreements", type=int, default=None, help="default: 16 %% of --graduates")
    parser.add_argument("--employers", type=int, default=None, help="default: one per 250 graduates")
    parser.add_argument("--cohort", type=int, default=None, help="default: the cohort whose signing season is open")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="the data set's today (YYYY-MM-DD, default today): times, cohort, live invitations")
    parser.add_argument("--no-audit", action="store_true", help="skip the audit trail (document it when used)")
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (else DATABASE_URL, else SQLite)")
    parser.add_argument("--var-dir", default=str(DEFAULT_VAR), help="keys, media and the SQLite file")
    parser.add_argument("--force", action="store_true", help="empty a database that already holds graduates")
    args = parser.parse_args(argv)
    target = _configure(args)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from apps.graduates.models import Graduate

    print(f"Province data set → {target} ({connection.vendor}), seed {args.seed}")
    began = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if Graduate.objects.exists():
        if not args.force:
            print("This database already holds graduates: use an empty throwaway database, or --force to empty it.",
                  file=sys.stderr)
            return 2
        print("  --force: emptying the database")
        call_command("flush", interactive=False, verbosity=0)
    call_command("load_reference", verbosity=0)
    print(f"  {'migrate + reference':<22} {'':>10}      {time.perf_counter() - began:8.1f} s")
    plan = Plan(graduates=args.graduates, schools=args.schools, colleges=args.colleges,
                majors_per_college=args.majors_per_college, agreements=args.agreements, employers=args.employers,
                cohort=args.cohort, seed=args.seed, audit=not args.no_audit,
                now=datetime(args.as_of.year, args.as_of.month, args.as_of.day, tzinfo=UTC) if args.as_of else None)
    summary = generate(plan)
    if connection.vendor == "postgresql":
        # COPY leaves the visibility map unset, so until autovacuum passes every index-only scan
        # (the statistics' counts over (school, cohort, college)) reads the heap too: a data set
        # measured straight after loading would be slower than any database in service
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"  {'vacuum analyze':<22} {'':>10}      {time.perf_counter() - began:8.1f} s")
    load = os.getloadavg()
    print(f"done in {summary.seconds['total']:.1f} s; {date.today():%Y-%m-%d}, {platform.platform()}, "
          f"{os.cpu_count()} cores, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    extras = {k: v for k, v in summary.rows.items() if k not in ProvinceGenerator.STEPS}
    print("  also: " + ", ".join(f"{k} {v:,}" for k, v in extras.items()))
    print(f"Accounts: password {BENCH_PASSWORD} (bench-province, bench-school-<code>, bench-college-<id>, "
          "bench-employer-<id>); graduates' signing PIN: last 6 digits of the student number. "
          f"Serve it with PLATFORM_VAR_DIR={Path(args.var_dir)} (the keys).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
