"""Roster import benchmark: a 20,000-row valid file, validated and committed.

    .venv/bin/python bench/roster_import.py [--rows 20000]

Runs against a throwaway SQLite database under var/bench/roster/ (only that directory is
deleted at start: the other benchmarks keep theirs under var/bench/), with the
database task backend so each phase is timed on its own: the upload only queues the
validation, and the benchmark then runs the task bodies itself. Phases:
  1. validation of a new file (mode create)
  2. commit (20,000 inserts; the rows come from the validation, re-checked against the
     database — the workbook is not parsed again)
  3. validation of the same people with a new phone number each (mode upsert)
  4. commit of that (20,000 updates)
  5. the duplicates report on the resulting cohort (its first page: the bounded list of shared
     ID numbers and their groups, as the page and the API read it)

The validation reads the sheet with the streaming reader (apps/roster/xlsx_stream.py); the
script prints which reader the file got ("stream", or "openpyxl" when it fell back).
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench" / "roster"
sys.path.insert(0, str(ROOT))
os.environ.pop("DATABASE_URL", None)  # never a real database
os.environ["PLATFORM_VAR_DIR"] = str(VAR)
os.environ["TASKS_BACKEND"] = "database"
os.environ["PLATFORM_FAST_HASHER"] = "1"
os.environ["DJANGO_DEBUG"] = "0"  # no query log: production-like memory
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"


def _reset_var() -> None:
    if VAR.exists():
        shutil.rmtree(VAR)
    VAR.mkdir(parents=True)


def _rows(n: int, phone_offset: int = 0):
    from stdnum.cn import ric

    counties = ["340102", "340103", "340104", "340111", "340121", "340122", "340123", "340124", "340181"]
    colleges = [f"第{c + 1}学院" for c in range(12)]
    for i in range(n):
        birth = date(2002, 1, 1) + timedelta(days=i // 500)
        serial = 100 + i % 500
        body = f"340104{birth:%Y%m%d}{serial:03d}"
        number = body + ric.calc_check_digit(body + "?")
        college = colleges[i % len(colleges)]
        yield {
            "学号": f"2026{i:06d}", "姓名": f"学生{i}", "身份证号": number, "性别": "男" if serial % 2 else "女",
            "院系": college, "专业名称": f"{college}专业{i % 4 + 1}", "专业代码": f"08{i % 4:04d}",
            "学历层次": "本科生毕业" if i % 10 else "11", "考生号": f"22340104{i:06d}", "民族": "汉族" if i % 20 else "回族",
            "政治面貌": "共青团员", "城乡生源": "农村" if i % 3 else "城镇", "培养方式": "非定向", "学习形式": "全日制",
            "入学年月": "2022-09", "毕业日期": "2026-06-30", "生源地代码": counties[i % len(counties)],
            "困难生类别": "非困难生", "师范生类别": "非师范生", "手机号": f"139{(i + phone_offset) % 10**8:08d}",
        }


def _write_file(path: Path, rows) -> None:
    import openpyxl

    from apps.roster.parsing import COLUMNS

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("生源")
    sheet.append([c.template_header for c in COLUMNS])
    for row in rows:
        sheet.append([row.get(c.header) for c in COLUMNS])
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    _reset_var()

    import django

    django.setup()
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import Role, User
    from apps.core.listing import bounded_api_page
    from apps.graduates.models import Graduate
    from apps.organisations.models import College, Major, Province, School
    from apps.reference.selectors import job_finished, job_started
    from apps.roster import services
    from apps.roster.models import RosterImport
    from apps.roster.parsing import open_roster_sheet
    from apps.roster.selectors import DUPLICATE_KEYS_PER_PAGE, roster_duplicate_groups, roster_duplicate_keys

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("load_reference", verbosity=0)
    setup_seconds = time.perf_counter() - started

    province = Province.objects.create(code="34", name="安徽省")
    school = School.objects.create(province=province, code="19999", name="基准测试大学", current_cohort=2026)
    for c in range(8):  # 8 of the file's 12 colleges exist; 4 are created by the import
        college = College.objects.create(school=school, code=f"C{c:02d}", name=f"第{c + 1}学院")
        for m in range(4):
            Major.objects.create(school=school, college=college, code=f"08{m:04d}", name=f"第{c + 1}学院专业{m + 1}")
    admin = User(username="bench-admin", role=Role.SCHOOL_STAFF, school=school, display_name="基准")
    admin.set_unusable_password()
    admin.save()

    timings: list[tuple[str, float, float, str]] = []

    def timed(label: str, func, note=lambda result: ""):
        # CPU seconds of this process too: on a shared machine the wall time mostly measures
        # the other users, the CPU time much less so
        begin, begin_cpu = time.perf_counter(), time.process_time()
        # as in a task worker (django-tasks' task_started/task_finished signals): the reference
        # version is read once per job; without this every code label read the cache (with the
        # database cache, an SQL query; 2 per graduate in the commit's registry records)
        job_started()
        try:
            result = func()
        finally:
            job_finished()
        timings.append((label, time.perf_counter() - begin, time.process_time() - begin_cpu, note(result)))
        return result

    first = VAR / f"roster-{args.rows}.xlsx"
    second = VAR / f"roster-{args.rows}-new-phones.xlsx"
    timed("generate the file (openpyxl write-only)", lambda: _write_file(first, _rows(args.rows)))
    _write_file(second, _rows(args.rows, phone_offset=7))
    size_mb = first.stat().st_size / 1024 / 1024
    with first.open("rb") as fh:
        probe = open_roster_sheet(fh)
        reader = probe.reader
        probe.close()

    def upload(path: Path, mode: str) -> RosterImport:
        content = path.read_bytes()
        return services.roster_import_start(actor=admin, uploaded_file=SimpleUploadedFile(path.name, content),
                                            cohort=2026, mode=mode, client_address="127.0.0.1")

    def counts(imp: RosterImport) -> str:
        imp.refresh_from_db()
        kept = getattr(imp, "parsed_rows", "")
        kept = f" kept rows {default_storage.size(kept) / 1024 / 1024:.1f} MB" if kept else ""
        return (f"status={imp.status} rows={imp.total_rows} errors={imp.error_count} warnings={imp.warning_count} "
                f"created={imp.created_count} updated={imp.updated_count}{kept}")

    for mode, path in (("create", first), ("upsert", second)):
        imp = timed(f"upload checks + store ({mode})", lambda p=path, m=mode: upload(p, m))
        timed(f"validation ({mode})", lambda i=imp: services.roster_import_run_validation(import_id=i.pk) or i, counts)
        services.roster_import_commit(actor=admin, roster_import=imp, client_address="127.0.0.1")
        timed(f"commit ({mode})", lambda i=imp: services.roster_import_run_commit(
            import_id=i.pk, actor_id=admin.pk, client_address="127.0.0.1") or i, counts)

    def duplicates_page():
        keys = bounded_api_page(roster_duplicate_keys(actor=admin, cohort=2026), page=1,
                                page_size=DUPLICATE_KEYS_PER_PAGE)
        return roster_duplicate_groups(actor=admin, cohort=2026, keys=keys.object_list)

    with CaptureQueriesContext(connection) as queries:
        groups = timed(f"duplicates report, page 1 ({args.rows:,}-row cohort)", duplicates_page,
                       lambda g: f"groups={len(g)}")
    timings[-1] = (*timings[-1][:3], timings[-1][3] + f" queries={len(queries)}")
    assert Graduate.objects.filter(school=school).count() == args.rows, "not every row was imported"
    assert not groups

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Roster import benchmark — {date.today():%Y-%m-%d}")
    print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}")
    print(f"file: {args.rows} rows, {size_mb:.1f} MB, sheet reader: {reader}; "
          f"setup (migrate + reference data) {setup_seconds:.1f} s")
    print(f"  {'phase':<42} {'wall':>9}  {'CPU':>9}  {'rows/s (wall)':>16}")
    for label, seconds, cpu, note in timings:
        rate = f"{args.rows / seconds:,.0f} rows/s" if "validation" in label or "commit" in label else ""
        print(f"  {label:<42} {seconds:7.2f} s  {cpu:7.2f} s  {rate:>16}  {note}")
    print(f"peak memory (max RSS): {peak_mb:.0f} MB; load average at the end: "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
