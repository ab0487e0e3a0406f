"""Destination review queue benchmark: 100,000 registrations, the staff queue timed.

    .venv/bin/python bench/destinations_queue.py [--rows 100000] [--repeat 5]

Runs against a throwaway SQLite database under var/bench/destinations/ (deleted at start),
or against DATABASE_URL when it is set (it must be an empty, throwaway database: the script
refuses one that already holds destinations). Builds 2 schools × 4 colleges × 4 majors, one
graduate and one destination per row (statuses, categories and submission dates spread
like a real cohort, 1-3 proof images each), then times the staff queue page through the
Django test client (real view, selector and template) and the JSON list:
  1. school staff, first page, default status (初审通过)
  2. school staff, every status
  3. filtered by status + college
  4. filtered by category
  5. keyword: name prefix, then an exact student number
  6. submitted-date range
  7. college staff, first page, default status (待审核)
  8. a deep page (page 200)
  9. the API list (GET /api/v1/destinations/)
Each is run --repeat times; the median, the fastest run and the query count are printed.
DJANGO_DEBUG=0: templates as in production, no query log kept between measurements.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import sys
import time
import warnings
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench" / "destinations"
sys.path.insert(0, str(ROOT))
USING_DATABASE_URL = bool(os.environ.get("DATABASE_URL"))
os.environ["PLATFORM_VAR_DIR"] = str(VAR)
os.environ["TASKS_BACKEND"] = "immediate"
os.environ["PLATFORM_FAST_HASHER"] = "1"
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DJANGO_DEBUG"] = "0"  # no query log kept between measurements, templates as in production
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: collectstatic not run here

COLLEGES_PER_SCHOOL = 4
MAJORS_PER_COLLEGE = 4
BATCH = 5_000
# status mix of a cohort in late June: (status, share)
STATUS_MIX = (("draft", 15), ("submitted", 30), ("college_approved", 20), ("school_approved", 30), ("returned", 5))


def _reset_var() -> None:
    if VAR.exists():
        shutil.rmtree(VAR)
    VAR.mkdir(parents=True)


def _build(rows: int):
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from apps.accounts.models import Role, User
    from apps.core.crypto import keyed_hash
    from apps.destinations import catalog
    from apps.destinations.models import Destination, ProofImage
    from apps.graduates.counts import graduate_counts_add, graduate_counts_for
    from apps.graduates.models import Graduate
    from apps.organisations.models import College, Major, Province, School

    province, _ = Province.objects.get_or_create(code="34", defaults={"name": "安徽省"})
    schools, colleges, majors = [], [], []
    for s in range(2):
        school = School.objects.create(province=province, code=f"1990{s}", name=f"基准测试大学{s + 1}",
                                       current_cohort=2026)
        schools.append(school)
        for c in range(COLLEGES_PER_SCHOOL):
            college = College.objects.create(school=school, code=f"S{s}C{c}", name=f"第{c + 1}学院")
            colleges.append(college)
            majors.append([Major.objects.create(school=school, college=college, code=f"08{s}{c}{m:02d}",
                                                name=f"第{c + 1}学院专业{m + 1}") for m in range(MAJORS_PER_COLLEGE)])

    codes = [c.code for c in catalog.selectable_categories()]
    statuses = [status for status, share in STATUS_MIX for _ in range(share)]
    password = make_password("Bench-pass-1")
    start = timezone.make_aware(timezone.datetime(2026, 4, 1, 9, 0))
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
    for offset in range(0, rows, BATCH):
        graduates = []
        for i in range(offset, min(offset + BATCH, rows)):
            college_index = i % len(colleges)
            college = colleges[college_index]
            id_number = f"340104{2003:04d}{1 + i % 12:02d}{1 + i % 28:02d}{i % 1000:03d}X"
            graduates.append(Graduate(
                school_id=college.school_id, college=college, major=majors[college_index][i % MAJORS_PER_COLLEGE],
                cohort=2026, student_number=f"2022{i:07d}", name=f"{surnames[i % len(surnames)]}生{i}",
                gender_code="1" if i % 2 else "2", id_number=id_number, id_number_hash=keyed_hash(id_number),
                education_level_code="31",
            ))
        Graduate.objects.bulk_create(graduates, batch_size=1000)
        graduate_counts_add(graduate_counts_for(graduates))  # bulk_create sends no post_save
        created = list(Graduate.objects.filter(student_number__gte=f"2022{offset:07d}",
                                               student_number__lt=f"2022{offset + BATCH:07d}")
                       .values_list("pk", "school_id", "college_id", "student_number"))
        destinations = []
        for pk, school_id, college_id, number in created:
            i = int(number[4:])
            status = statuses[(i * 7) % len(statuses)]
            destinations.append(Destination(
                graduate_id=pk, school_id=school_id, college_id=college_id, category_code=codes[i % len(codes)],
                status=status, unit_name=f"合肥示例{i % 500}科技有限公司", unit_division_id="340104",
                credit_code_flagged=i % 97 == 0,
                submitted_at=None if status == "draft" else start + timedelta(minutes=(i * 37) % (90 * 24 * 60)),
            ))
        Destination.objects.bulk_create(destinations, batch_size=1000)
        images = [ProofImage(destination_id=d_pk, file=f"proof/bench/{d_pk}-{n}.jpg", width=1600, height=1200,
                             size=250_000)
                  for d_pk in Destination.objects.filter(graduate_id__in=[c[0] for c in created]).values_list(
                      "pk", flat=True)
                  for n in range(1 + d_pk % 3)]
        ProofImage.objects.bulk_create(images, batch_size=2000)
        print(f"  … {min(offset + BATCH, rows):,} rows", file=sys.stderr)

    staff = {}
    for username, role, school, college in (("bench-school", Role.SCHOOL_STAFF, schools[0], None),
                                            ("bench-college", Role.COLLEGE_STAFF, schools[0], colleges[0])):
        user = User(username=username, role=role, school=school, college=college, display_name="基准",
                    password=password)
        user.save()
        staff[username] = user
    return schools, colleges, staff


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not USING_DATABASE_URL:
        _reset_var()
    else:
        VAR.mkdir(parents=True, exist_ok=True)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()  # 'testserver' allowed, like the test client expects
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    from apps.destinations.models import Destination

    if USING_DATABASE_URL and Destination.objects.exists():
        sys.exit("DATABASE_URL already holds destinations: use an empty, throwaway database")
    call_command("load_reference", verbosity=0)
    setup_seconds = time.perf_counter() - started

    started = time.perf_counter()
    schools, colleges, staff = _build(args.rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    build_seconds = time.perf_counter() - started

    school_client, college_client = Client(), Client()
    school_client.force_login(staff["bench-school"])
    college_client.force_login(staff["bench-college"])
    college = colleges[1]
    scenarios = [
        ("school, first page (初审通过)", school_client, "/staff/destinations/", {}),
        ("school, every status", school_client, "/staff/destinations/", {"status": "all"}),
        ("school, status + college", school_client, "/staff/destinations/",
         {"status": "submitted", "college": college.pk}),
        ("school, category 11 (all statuses)", school_client, "/staff/destinations/", {"status": "all", "category": "11"}),
        ("school, keyword: name prefix", school_client, "/staff/destinations/", {"status": "all", "q": "王生1"}),
        ("school, keyword: student number", school_client, "/staff/destinations/",
         {"status": "all", "q": "20220012345"}),
        ("school, submitted 1-7 May", school_client, "/staff/destinations/",
         {"status": "all", "from": "2026-05-01", "to": "2026-05-07"}),
        ("college, first page (待审核)", college_client, "/staff/destinations/", {}),
        ("school, page 200 (every status)", school_client, "/staff/destinations/", {"status": "all", "page": 200}),
        ("API list, school, every status", school_client, "/api/v1/destinations/", {"status": "all"}),
    ]
    results = []
    for label, client, path, params in scenarios:
        times, count, queries = [], "", 0
        for _ in range(args.repeat):
            reset_queries()  # DEBUG keeps at most 9,000 queries; the count needs room
            with CaptureQueriesContext(connection) as captured:
                begin = time.perf_counter()
                response = client.get(path, params)
                times.append((time.perf_counter() - begin) * 1000)
            assert response.status_code == 200, (label, response.status_code)
            queries = len(captured.captured_queries)
        body = response.content.decode()
        if path.startswith("/api/"):
            count = str(response.json()["count"])
        elif "共 " in body:
            count = body.split("共 ", 1)[1].split(" 条", 1)[0]
        results.append((label, statistics.median(times), min(times), queries, count))

    engine = connection.vendor + (f" {sqlite3.sqlite_version}" if connection.vendor == "sqlite" else "")
    print(f"Destination review queue benchmark — {date.today():%Y-%m-%d}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, {engine}")
    print(f"data: {Destination.objects.count():,} destinations, 2 schools / {len(colleges)} colleges; "
          f"setup {setup_seconds:.1f} s, build {build_seconds:.1f} s")
    print(f"  {'scenario':<38} {'median ms':>10} {'min ms':>8} {'queries':>8} {'matches':>9}")
    for label, median, fastest, queries, count in results:
        print(f"  {label:<38} {median:10.1f} {fastest:8.1f} {queries:8d} {count:>9}")


if __name__ == "__main__":
    main()
