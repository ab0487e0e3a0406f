"""Benchmark of the national 就业方案 export and check at one school's scale (issue 11 item 6).

    .venv/bin/python bench/national_export.py --graduates 20000

Fills its own SQLite database under var/bench/national/ (PLATFORM_VAR_DIR, so its keys and
data never touch var/): one school with 10 colleges and ``--graduates`` graduates of one cohort,
half of them with a destination. Then, each in a FRESH process (so the peak RSS is the
phase's own): the export of one college (a tenth of the rows) and of the whole school, and the
check of the whole school's unchanged export. Prints wall and CPU seconds, peak RSS (ru_maxrss)
and the peak RSS above the process's RSS just before the phase.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench" / "national"


def _django():
    os.environ["PLATFORM_VAR_DIR"] = str(VAR)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _hwm_mb() -> float:
    """Peak RSS of this process (VmHWM: unlike ru_maxrss it is not inherited across fork + exec)."""
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def setup(graduates: int) -> None:
    _django()
    from datetime import date

    from django.core.management import call_command

    from apps.accounts.models import Role, User
    from apps.core.crypto import keyed_hash
    from apps.destinations.models import Destination
    from apps.graduates.models import Graduate
    from apps.organisations.models import College, Major, Province, School

    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    if Graduate.objects.exists():
        print("data present:", Graduate.objects.count(), "graduates")
        return
    call_command("load_reference", verbosity=0)
    province = Province.objects.create(code="34", name="安徽省")
    school = School.objects.create(province=province, code="10359", name="基准大学", current_cohort=2027)
    colleges = [College.objects.create(school=school, code=f"{i:02d}", name=f"学院{i:02d}") for i in range(10)]
    majors = [Major.objects.create(school=school, college=c, code="080902", name="软件工程") for c in colleges]
    User.objects.create(username="bench-school", role=Role.SCHOOL_STAFF, school=school)
    rows = []
    for n in range(graduates):
        c = n % 10
        rows.append(Graduate(
            school=school, college=colleges[c], major=majors[c], cohort=2027, student_number=f"2023{n:07d}",
            exam_number=f"23340104{n:06d}", name=f"学生{n}", gender_code="1", id_number=f"34010420040101{n % 10000:04d}",
            id_number_hash=keyed_hash(f"id{n}"), birth_date=date(2004, 1, 1 + n % 28), ethnicity_code="01",
            political_status_code="13", urban_rural_code="1", education_level_code="31", training_mode_code="1",
            study_form="全日制", origin_division_id="340104", enrolment_date=date(2023, 9, 1),
            graduation_date=date(2027, 6, 30), phone="13800000000", family_contact_phone="13900000000"))
    Graduate.objects.bulk_create(rows, batch_size=2000)
    dests = [Destination(graduate=g, school=school, college_id=g.college_id, category_code="10",
                         unit_name=f"合肥示例科技有限公司{g.pk % 500}", credit_code="91340100MA2N0XXX01",
                         unit_nature_code="39", industry_code="I", unit_division_id="340104",
                         unit_address="合肥市蜀山区", position_category_code="10", sign_date=date(2027, 3, 1))
             for g in Graduate.objects.only("id", "college_id")[: graduates // 2]]
    Destination.objects.bulk_create(dests, batch_size=2000)
    print("created", graduates, "graduates,", len(dests), "destinations")


def phase(name: str) -> None:
    _django()
    from apps.accounts.models import User
    from apps.graduates.models import Graduate

    actor = User.objects.get(username="bench-school")
    Graduate.objects.only("id").first()  # connection, app registry and models loaded before measuring
    from apps.reference.selectors import code_label

    code_label("ethnicity", "01")  # the reference snapshot is per process: built before measuring
    from apps.reference.selectors import reference_scope

    with reference_scope():  # as in a request (ReferenceVersionMiddleware): the version read once
        _measure(name, actor)


def _measure(name: str, actor) -> None:
    from apps.organisations.models import College

    before = _rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    if name in ("export-college", "export-school"):
        from apps.registry.national_export import national_export

        college = College.objects.order_by("code").first().pk if name == "export-college" else None
        export = national_export(actor=actor, cohort=2027, college_id=college)
        size = 0
        target = VAR / "export.xlsx" if name == "export-school" else None
        out = open(target, "wb") if target else None  # noqa: SIM115
        while chunk := export.file.read(64 * 1024):  # as FileResponse streams it
            size += len(chunk)
            if out:
                out.write(chunk)
        if out:
            out.close()
        result = {"rows": export.rows, "bytes": size}
    else:
        from django.core.files.uploadedfile import SimpleUploadedFile

        from apps.registry.national_check import national_check

        upload = SimpleUploadedFile("export.xlsx", (VAR / "export.xlsx").read_bytes())
        report = national_check(actor=actor, uploaded_file=upload, cohort=2027)
        result = {"file_rows": report.file_rows, "matched": report.matched_rows,
                  "differences": report.difference_count, "summary": report.summary}
    result.update(phase=name, wall_s=round(time.perf_counter() - wall, 2), cpu_s=round(time.process_time() - cpu, 2),
                  rss_before_mb=round(before, 1),
                  peak_rss_mb=round(_hwm_mb(), 1))
    result["peak_above_start_mb"] = round(result["peak_rss_mb"] - before, 1)
    print(json.dumps(result, ensure_ascii=False))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--graduates", type=int, default=20000)
    parser.add_argument("--phase")
    args = parser.parse_args()
    if args.phase:
        phase(args.phase)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    setup(args.graduates)
    for name in ("export-college", "export-school", "check"):
        subprocess.run([sys.executable, __file__, "--phase", name], check=True)
    print("load average:", os.getloadavg())


if __name__ == "__main__":
    main()
