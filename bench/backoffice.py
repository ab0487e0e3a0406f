"""Back office at two sizes (工作人员后台基准, issue 14): the statistics dashboards, the province
overview, the statistics API, the graduate directory (毕业生查询) and the inbox (待办), timed on a
small and a large data set of bench/generate_province.py, with the budget of issue 14 — on
500,000 graduates within 3× of the time on 5,000, with the same number of SQL statements.

    # the two data sets as for bench/staff_lists.py (same --var-dir: the same keys), migrated to
    # the current schema and with today's statistics snapshots:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_province_small PLATFORM_VAR_DIR=var/bench/province \\
        .venv/bin/python manage.py migrate && … manage.py stats_snapshot      (and the same for bench_province)
    .venv/bin/python bench/backoffice.py --rounds 2 --repeat 5 \\
        --small-url postgres://postgres@127.0.0.1:5432/bench_province_small \\
        --large-url postgres://postgres@127.0.0.1:5432/bench_province --var-dir var/bench/province

The machinery is bench/staff_lists.py's (one process per data set, alternating rounds, a
warm-up request whose statements are counted, then --repeat timed passes through Django's test
client with DEBUG off; PASS/MISS per scenario; exit 1 on any MISS); only the scenarios differ.
A scenario whose address does not resolve (a page not built yet) is listed as absent, not
timed. Who looks: the generator's province account, the account of the school with the most
graduates and of that school's first college. Filter values come from the data: the school's
most common destination category, the 身份证号后四位 of the school's middle graduate.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.staff_lists import (  # noqa: E402 - the path above first
    BUDGET,
    DEFAULT_VAR,
    Scenario,
    Subjects,
    _merge,
    compare,
    configure,
    measure,
    pick_subjects,
    report,
)

SAME_SIZE = 5_000  # graduates of the small set's one school


def pick_extra(subjects: Subjects) -> dict:
    """What the back-office scenarios need beyond the staff lists' subjects: the largest
    school's id, the 身份证号后四位 of its middle graduate (a directory search key), and the
    school whose size is closest to the small set's school (and its first college).

    Why two schools: a dashboard aggregates every graduate of its scope, so the largest school
    (21,216 in the 500,000 set) holds 4× the small set's 5,000 by construction; the school of
    about 5,000 inside the province isolates what the budget is about — whether the province's
    size slows a school's page."""
    from django.db.models import Count

    from apps.accounts.models import User
    from apps.graduates.models import Graduate
    from apps.organisations.models import College, School

    school_id = User.objects.get(username=subjects.school_user).school_id
    graduates = Graduate.objects.filter(school_id=school_id).order_by("id")
    last4 = graduates.values_list("id_last4", flat=True)[subjects.school_graduates // 2]
    sizes = Graduate.objects.values("school_id").annotate(n=Count("id")).order_by("school_id")
    same = min(sizes, key=lambda row: (abs(row["n"] - SAME_SIZE), row["school_id"]))
    school = School.objects.get(pk=same["school_id"])
    college = College.objects.filter(school=school).order_by("id").first()
    # the inbox asks a queue's oldest item only when the queue holds one: a college whose queues
    # all wait (a pending 解约 is rare, ~1 %) makes the statement count comparable between the sets
    from apps.signing.models import Termination, TerminationStatus

    busy = (Termination.objects.filter(school_id=school_id, status=TerminationStatus.SUBMITTED).order_by("college_id")
            .values_list("college_id", flat=True).first()) or subjects.college_id
    return {"school_id": school_id, "id_last4": last4, "busy_college_user": f"bench-college-{busy}",
            "same_size_school_id": school.pk,
            "same_size_graduates": same["n"], "same_size_school_user": f"bench-school-{school.code}",
            "same_size_college_user": f"bench-college-{college.pk}", "same_size_college_id": college.pk}


def more_users(extra: dict) -> dict[str, str]:
    return {"school~5k": extra["same_size_school_user"], "college~5k": extra["same_size_college_user"],
            "college-busy": extra["busy_college_user"]}


def scenarios(s: Subjects, extra: dict) -> list[Scenario]:
    """What the back office of issue 14 opens: dashboards, the province overview, the figures'
    API, the directory's first page (plain, a school picked by the province, filtered, the ID
    number's last four) and the inbox of each role."""
    return [
        # 就业统计: the dashboards and the province overview (each school's latest snapshot);
        # a school of ~5,000 (the small set's size) and the largest school
        Scenario("school dashboard (~5,000)", "school~5k", "/staff/statistics/"),
        Scenario("school dashboard (~5,000), one college", "school~5k", "/staff/statistics/",
                 {"college": extra["same_size_college_id"]}),
        Scenario("college dashboard (~5,000 school)", "college~5k", "/staff/statistics/"),
        Scenario("school dashboard, largest school", "school", "/staff/statistics/"),
        Scenario("school dashboard, largest school, one college", "school", "/staff/statistics/",
                 {"college": s.college_id}),
        Scenario("college dashboard, largest school", "college", "/staff/statistics/"),
        Scenario("省级 a school's dashboard", "province", "/staff/statistics/", {"school": extra["school_id"]}),
        Scenario("省级 province overview", "province", "/staff/statistics/province/"),
        Scenario("API statistics overview (~5,000)", "school~5k", "/api/v1/statistics/overview"),
        Scenario("API statistics by college (~5,000)", "school~5k", "/api/v1/statistics/breakdown",
                 {"by": "college"}),
        Scenario("API statistics overview, largest school", "school", "/api/v1/statistics/overview"),
        Scenario("API statistics by college, largest school", "school", "/api/v1/statistics/breakdown",
                 {"by": "college"}),
        Scenario("省级 API province ranking", "province", "/api/v1/statistics/province"),
        # 毕业生查询: the directory's first page
        Scenario("directory, first page", "school", "/staff/graduates/"),
        Scenario("省级 directory, a school picked", "province", "/staff/graduates/", {"school": extra["school_id"]}),
        Scenario("directory, category + 生源 confirmed", "school", "/staff/graduates/",
                 {"category": s.category_code, "confirmed": "yes"}),
        Scenario("directory, ID number's last four", "school", "/staff/graduates/", {"q": extra["id_last4"]}),
        Scenario("college directory, first page", "college", "/staff/graduates/"),
        Scenario("API directory, first page", "school", "/api/v1/directory/graduates", {}),
        # 待办
        Scenario("school inbox", "school", "/staff/inbox/"),
        Scenario("college inbox", "college", "/staff/inbox/"),
        Scenario("college inbox, a 解约 waiting", "college-busy", "/staff/inbox/"),
        Scenario("省级 inbox", "province", "/staff/inbox/"),
        Scenario("API inbox", "school", "/api/v1/inbox/"),
    ]


def present(items: list[Scenario]) -> tuple[list[Scenario], list[str]]:
    """The scenarios whose address resolves in this code base, and the names of the rest."""
    from django.urls import Resolver404, resolve

    here, absent = [], []
    for scenario in items:
        try:
            resolve(scenario.path)
        except Resolver404:
            absent.append(scenario.name)
        else:
            here.append(scenario)
    return here, absent


def _child(args) -> int:
    """One data set, one process: JSON on stdout."""
    configure(args.database_url, Path(args.var_dir))
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from apps.graduates.models import Graduate
    from apps.organisations.models import School

    setup_test_environment()  # 'testserver' allowed for the test client
    if args.explain:
        print(explain(args.explain))
        return 0
    subjects = pick_subjects()
    extra = pick_extra(subjects)
    items, absent = present([s for s in scenarios(subjects, extra)
                             if not args.only or any(part in s.name for part in args.only)])
    results = measure(items, subjects, repeat=args.repeat, more_users=more_users(extra))
    meta = {"vendor": connection.vendor, "graduates": Graduate.objects.count(),
            "schools": School.objects.count(), "subjects": {**asdict(subjects), **extra}, "absent": absent}
    json.dump({"meta": meta, "results": results}, sys.stdout, ensure_ascii=False)
    return 0


def explain(names: list[str], *, top: int = 2) -> str:
    """The statements of the named scenarios, slowest first, and EXPLAIN ANALYZE of the `top`
    slowest of each (PostgreSQL): where a MISS's time goes and which index was or was not used."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User

    subjects = pick_subjects()
    extra = pick_extra(subjects)
    users = {"province": subjects.province_user, "school": subjects.school_user,
             "college": subjects.college_user, **more_users(extra)}
    out = []
    for scenario in scenarios(subjects, extra):
        if scenario.name not in names:
            continue
        client = Client()
        client.force_login(User.objects.get(username=users[scenario.who]))
        client.get(scenario.path, scenario.params)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(scenario.path, scenario.params)
        client.logout()
        statements = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
        out.append(f"## {scenario.name} (HTTP {response.status_code}, {len(statements)} statements)")
        for q in statements:
            out.append(f"{float(q['time']) * 1000:8.1f} ms  {q['sql'][:300]}")
        if connection.vendor == "postgresql":
            for q in statements[:top]:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                    out.append("\n" + q["sql"] + "\n" + "\n".join(row[0] for row in cursor.fetchall()))
    return "\n".join(out)


def _run_child(url: str, args) -> dict:
    import subprocess

    command = [sys.executable, __file__, "--child", "--database-url", url, "--var-dir", args.var_dir,
               "--repeat", str(args.repeat), *(f"--only={part}" for part in args.only)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measuring {url.split('@')[-1]} failed (exit {done.returncode})")
    return json.loads(done.stdout)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-url", default="postgres://postgres@127.0.0.1:5432/bench_province_small")
    parser.add_argument("--large-url", default="postgres://postgres@127.0.0.1:5432/bench_province")
    parser.add_argument("--var-dir", default=str(DEFAULT_VAR), help="the data sets' keys (generator's --var-dir)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per process")
    parser.add_argument("--rounds", type=int, default=2, help="alternating small/large processes")
    parser.add_argument("--budget", type=float, default=BUDGET)
    parser.add_argument("--json", default="", help="also write the raw figures to this file")
    parser.add_argument("--explain", action="append", default=[], metavar="SCENARIO",
                        help="print the statements of this scenario on --database-url (EXPLAIN ANALYZE of the "
                             "slowest) instead of timing; repeatable")
    parser.add_argument("--only", action="append", default=[], metavar="TEXT",
                        help="time only the scenarios whose name contains TEXT (repeatable)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child or args.explain:
        return _child(args)
    began, load_before = time.time(), os.getloadavg()
    small = large = None
    for _ in range(args.rounds):
        small = _merge(small, _run_child(args.small_url, args))
        large = _merge(large, _run_child(args.large_url, args))
    verdicts = compare(small["results"], large["results"], budget=args.budget)
    load_after = os.getloadavg()
    meta_s, meta_l = small["meta"], large["meta"]
    if args.json:
        Path(args.json).write_text(json.dumps({"small": small, "large": large}, ensure_ascii=False, indent=1))
    print(f"Back office — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(began))}, {platform.platform()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {meta_l['vendor']}; "
          f"{args.rounds} rounds × {args.repeat} passes (median of {args.rounds * args.repeat}); load average "
          f"before {' '.join(f'{x:.1f}' for x in load_before)}, after {' '.join(f'{x:.1f}' for x in load_after)}")
    print(f"small: {meta_s['graduates']:,} graduates, {meta_s['schools']} schools (school seen: "
          f"{meta_s['subjects']['school_graduates']:,}); large: {meta_l['graduates']:,} graduates, "
          f"{meta_l['schools']} schools (largest school: {meta_l['subjects']['school_graduates']:,}, "
          f"~5,000 school: {meta_l['subjects']['same_size_graduates']:,})\n")
    print(report(verdicts, budget=args.budget))
    absent = sorted(set(meta_s["absent"]) | set(meta_l["absent"]))
    if absent:
        print("\nnot built yet (address does not resolve), not timed: " + ", ".join(absent))
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
