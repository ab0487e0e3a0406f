"""Staff lists at two sizes (工作人员列表与统计基准): every staff list, filter, deep page and
statistic timed on a small and a large data set of bench/generate_province.py, with the budget
of issue 9 — on 500,000 graduates within 3× of its time on 5,000, with the same query count.

    createdb -h 127.0.0.1 -U postgres bench_province_small
    .venv/bin/python bench/generate_province.py --graduates 5000 --schools 1 --colleges 10 \\
        --database-url postgres://postgres@127.0.0.1:5432/bench_province_small --var-dir var/bench/province
    (and the 500,000 set into bench_province with the same --var-dir: see bench/README.md)
    .venv/bin/python bench/staff_lists.py \\
        --small-url postgres://postgres@127.0.0.1:5432/bench_province_small \\
        --large-url postgres://postgres@127.0.0.1:5432/bench_province --var-dir var/bench/province

Each data set is measured in a process of its own (its own settings and connection), the two
alternating for --rounds rounds, so a burst of load on the shared machine falls on both. In a
process: one warm-up request per scenario (its SQL statements are counted), then --repeat
passes over all scenarios, each request timed through Django's test client — the real view,
selector, template or API schema, session and middleware included; DEBUG off. The staff seen
are the generator's accounts: the province account, the account of the school with the most
graduates and of that school's first college. The report gives, per scenario, the median ms on
each set, the ratio, the statements per request on each, and PASS/MISS: MISS when the ratio is
over --budget or the large set needs more statements. Exit status 1 on any MISS.

It only reads the data sets; the one write is a session for each of the three staff accounts,
deleted (logout) at the end of the process."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VAR = ROOT / "var" / "bench" / "province"
BUDGET = 3.0


@dataclass(frozen=True)
class Scenario:
    name: str
    who: str  # province | school | college
    path: str
    params: dict = field(default_factory=dict)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")


@dataclass
class Subjects:
    """The people and filter values every scenario uses, read from the data set itself."""

    province_user: str
    school_user: str
    college_user: str
    school_graduates: int
    college_id: int
    major_id: int
    cohort: int
    level_code: str
    surname: str
    student_number: str
    category_code: str
    agreement_number: str


def configure(database_url: str, var_dir: Path) -> None:
    """Environment for Django before setup: the data set's keys (var dir), DEBUG off."""
    os.environ["PLATFORM_VAR_DIR"] = str(var_dir.resolve())
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    os.environ["TASKS_BACKEND"] = "immediate"
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    warnings.filterwarnings("ignore", message="No directory at")  # whitenoise without collectstatic


def pick_subjects() -> Subjects:
    """The largest school (the worst case for a school's lists), its first college and major,
    the most common education level and destination category, a common surname and one real
    student number and agreement number from the middle of the school."""
    from django.db.models import Count

    from apps.destinations.models import Destination
    from apps.graduates.models import Graduate
    from apps.organisations.models import College, Major, School
    from apps.signing.models import Agreement

    top = (Graduate.objects.values("school_id").annotate(n=Count("id")).order_by("-n", "school_id").first())
    if top is None:
        raise SystemExit("The database holds no graduates: fill it with bench/generate_province.py first.")
    school = School.objects.get(pk=top["school_id"])
    college = College.objects.filter(school=school).order_by("id").first()
    major = Major.objects.filter(college=college).order_by("id").first()
    graduates = Graduate.objects.filter(school=school)
    level = (graduates.values("education_level_code").annotate(n=Count("id")).order_by("-n").first())
    middle = graduates.order_by("id").values_list("student_number", "name")[top["n"] // 2]
    category = (Destination.objects.filter(graduate__school=school).values("category_code")
                .annotate(n=Count("id")).order_by("-n", "category_code").first())
    agreement = (Agreement.objects.filter(graduate__school=school).order_by("id")
                 .values_list("number", flat=True).first())
    return Subjects(
        province_user="bench-province", school_user=f"bench-school-{school.code}",
        college_user=f"bench-college-{college.pk}", school_graduates=top["n"], college_id=college.pk,
        major_id=major.pk if major else 0, cohort=school.current_cohort,
        level_code=level["education_level_code"] if level else "", surname=middle[1][:1],
        student_number=middle[0], category_code=category["category_code"] if category else "",
        agreement_number=agreement or "",
    )


def scenarios(s: Subjects) -> list[Scenario]:
    """What staff open all day: lists, each filter, the deepest page served, the statistics."""
    # A deep page that exists in both sets (the 5,000 set's school has ~3,500 destinations, 118
    # pages): an empty page past the end would skip its per-page queries and flatter the small set.
    deep = 100
    return [
        # province staff: statistics and the province-wide lists
        Scenario("省级 home (per-school counts)", "province", "/staff/"),
        Scenario("省级 school list", "province", "/staff/province/schools/"),
        Scenario("省级 graduates list", "province", "/staff/graduates/"),
        Scenario("省级 graduates, name prefix", "province", "/staff/graduates/", {"q": s.surname}),
        Scenario("省级 destinations, every status", "province", "/staff/destinations/", {"status": "all"}),
        Scenario("省级 API graduates", "province", "/api/v1/graduates/", {}),
        # school staff of the largest school
        Scenario("school home (per-college counts)", "school", "/staff/"),
        Scenario("graduates, default", "school", "/staff/graduates/"),
        Scenario("graduates, name prefix", "school", "/staff/graduates/", {"q": s.surname}),
        Scenario("graduates, exact student number", "school", "/staff/graduates/", {"q": s.student_number}),
        Scenario("graduates, cohort", "school", "/staff/graduates/", {"cohort": s.cohort}),
        Scenario("graduates, college", "school", "/staff/graduates/", {"college": s.college_id}),
        Scenario("graduates, college + major", "school", "/staff/graduates/",
                 {"college": s.college_id, "major": s.major_id}),
        Scenario("graduates, education level", "school", "/staff/graduates/", {"level": s.level_code}),
        Scenario("graduates, page 100", "school", "/staff/graduates/", {"page": deep}),
        Scenario("destinations, default (初审通过)", "school", "/staff/destinations/"),
        Scenario("destinations, every status", "school", "/staff/destinations/", {"status": "all"}),
        Scenario("destinations, 待审核 + college", "school", "/staff/destinations/",
                 {"status": "submitted", "college": s.college_id}),
        Scenario("destinations, category", "school", "/staff/destinations/",
                 {"status": "all", "category": s.category_code}),
        Scenario("destinations, name prefix", "school", "/staff/destinations/", {"status": "all", "q": s.surname}),
        Scenario("destinations, student number", "school", "/staff/destinations/",
                 {"status": "all", "q": s.student_number}),
        Scenario("destinations, page 100", "school", "/staff/destinations/", {"status": "all", "page": deep}),
        Scenario("college: destinations (待审核)", "college", "/staff/destinations/"),
        Scenario("agreements", "school", "/staff/agreements/"),
        Scenario("agreements, number", "school", "/staff/agreements/", {"q": s.agreement_number}),
        Scenario("terminations", "school", "/staff/terminations/"),
        Scenario("corrections queue", "school", "/staff/corrections/"),
        Scenario("archives", "school", "/staff/archives/"),
        Scenario("duplicates report", "school", "/staff/roster/duplicates/"),
        Scenario("API graduates", "school", "/api/v1/graduates/", {}),
        Scenario("API graduates, name prefix", "school", "/api/v1/graduates/", {"q": s.surname}),
        Scenario("API destinations, every status", "school", "/api/v1/destinations/", {"status": "all"}),
        Scenario("API destinations, page 100", "school", "/api/v1/destinations/", {"status": "all", "page": deep}),
    ]


def _shown(scenario: Scenario, response) -> str:
    """What the list says it holds (「共 N 条」, 「超过 N 条」 or the API's count): a sanity check."""
    if scenario.api:
        data = response.json()
        return f"{data.get('count', '')}{'+' if data.get('count_capped') else ''}"
    body = response.content.decode()
    for marker, suffix in (("超过 ", "+"), ("共 ", "")):
        if marker in body:
            number = body.split(marker, 1)[1].split(" ", 1)[0].split("条", 1)[0]
            if number.isdigit():
                return number + suffix
    return ""


def measure(items: list[Scenario], subjects: Subjects, *, repeat: int,
            more_users: dict[str, str] | None = None) -> dict[str, dict]:
    """Time every scenario in the current database: a warm-up request (statements counted),
    then `repeat` interleaved passes. Returns {name: {times, queries, status, shown}}.
    `more_users` adds viewers ({who: username}) beside province, school and college."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.accounts.models import User

    clients = {}
    for who, username in (("province", subjects.province_user), ("school", subjects.school_user),
                          ("college", subjects.college_user), *(more_users or {}).items()):
        client = Client()
        client.force_login(User.objects.get(username=username))
        clients[who] = client
    results: dict[str, dict] = {}
    working = []
    for scenario in items:
        client = clients[scenario.who]
        try:
            client.get(scenario.path, scenario.params)  # first use: templates, reference snapshot
            with CaptureQueriesContext(connection) as captured:
                response = client.get(scenario.path, scenario.params)
        except Exception as error:  # noqa: BLE001 - a page that raises is reported, the rest still timed
            results[scenario.name] = {"times": [], "queries": 0, "status": 500, "shown": "",
                                      "error": f"{type(error).__name__}: {error}"[:200]}
            continue
        working.append(scenario)
        results[scenario.name] = {"times": [], "queries": len(captured.captured_queries),
                                  "status": response.status_code,
                                  "shown": _shown(scenario, response) if response.status_code == 200 else ""}
    for _ in range(repeat):
        for scenario in working:
            client = clients[scenario.who]
            began = time.perf_counter()
            response = client.get(scenario.path, scenario.params)
            results[scenario.name]["times"].append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                results[scenario.name]["status"] = response.status_code
    for client in clients.values():
        client.logout()  # the session rows the logins wrote
    return results


@dataclass
class Verdict:
    name: str
    small_ms: float
    large_ms: float
    ratio: float
    small_queries: int
    large_queries: int
    small_shown: str
    large_shown: str
    passed: bool
    why: str


def compare(small: dict[str, dict], large: dict[str, dict], *, budget: float = BUDGET) -> list[Verdict]:
    """PASS when the large set's median is within `budget`× the small one's, the statement
    count does not grow and both answered 200."""
    verdicts = []
    for name, s in small.items():
        big = large.get(name)
        if big is None:
            continue
        if not s["times"] or not big["times"]:  # raised on one of the sets: nothing to time
            error = s.get("error") or big.get("error") or "no timing"
            verdicts.append(Verdict(name, 0.0, 0.0, float("nan"), s["queries"], big["queries"], "", "", False,
                                    f"error: {error}"))
            continue
        small_ms, large_ms = statistics.median(s["times"]), statistics.median(big["times"])
        ratio = large_ms / small_ms if small_ms > 0 else float("inf")
        why = []
        if s["status"] != 200 or big["status"] != 200:
            why.append(f"HTTP {s['status']}/{big['status']}")
        if ratio > budget:
            why.append(f"ratio {ratio:.1f} > {budget:g}")
        if big["queries"] > s["queries"]:
            why.append(f"statements {s['queries']} → {big['queries']}")
        verdicts.append(Verdict(name, small_ms, large_ms, ratio, s["queries"], big["queries"], s["shown"],
                                big["shown"], not why, "; ".join(why)))
    return verdicts


def report(verdicts: list[Verdict], *, budget: float = BUDGET) -> str:
    lines = [f"| scenario | small ms | large ms | ratio | statements small / large | shown small / large | "
             f"≤ {budget:g}× |", "|---|---|---|---|---|---|---|"]
    for v in verdicts:
        if not v.small_ms and not v.large_ms:  # raised: no figures
            lines.append(f"| {v.name} | – | – | – | – | – | MISS: {v.why} |")
            continue
        lines.append(f"| {v.name} | {v.small_ms:.1f} | {v.large_ms:.1f} | {v.ratio:.2f} | "
                     f"{v.small_queries} / {v.large_queries} | {v.small_shown or '–'} / {v.large_shown or '–'} | "
                     f"{'PASS' if v.passed else 'MISS: ' + v.why} |")
    missed = sum(not v.passed for v in verdicts)
    lines.append(f"\n{len(verdicts) - missed} PASS / {missed} MISS")
    return "\n".join(lines)


# --- processes --------------------------------------------------------------------------------

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
    subjects = pick_subjects()
    results = measure(scenarios(subjects), subjects, repeat=args.repeat)
    meta = {"vendor": connection.vendor, "graduates": Graduate.objects.count(),
            "schools": School.objects.count(), "subjects": asdict(subjects)}
    json.dump({"meta": meta, "results": results}, sys.stdout, ensure_ascii=False)
    return 0


def _run_child(url: str, args) -> dict:
    command = [sys.executable, __file__, "--child", "--database-url", url, "--var-dir", args.var_dir,
               "--repeat", str(args.repeat)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"measuring {url.split('@')[-1]} failed (exit {done.returncode})")
    return json.loads(done.stdout)


def _merge(into: dict | None, run: dict) -> dict:
    if into is None:
        return run
    for name, result in run["results"].items():
        target = into["results"][name]
        target["times"] += result["times"]
        target["queries"] = max(target["queries"], result["queries"])
        if result["status"] != 200:
            target["status"] = result["status"]
        if "error" in result:
            target["error"] = result["error"]
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small-url", default="postgres://postgres@127.0.0.1:5432/bench_province_small")
    parser.add_argument("--large-url", default="postgres://postgres@127.0.0.1:5432/bench_province")
    parser.add_argument("--var-dir", default=str(DEFAULT_VAR), help="the data sets' keys (generator's --var-dir)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes per process")
    parser.add_argument("--rounds", type=int, default=2, help="alternating small/large processes")
    parser.add_argument("--budget", type=float, default=BUDGET)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", default="", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return _child(args)
    began, load_before = time.time(), os.getloadavg()
    small = large = None
    for _ in range(args.rounds):
        small = _merge(small, _run_child(args.small_url, args))
        large = _merge(large, _run_child(args.large_url, args))
    verdicts = compare(small["results"], large["results"], budget=args.budget)
    load_after = os.getloadavg()
    meta_s, meta_l = small["meta"], large["meta"]
    print(f"Staff lists — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(began))}, {platform.platform()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, {meta_l['vendor']}; "
          f"{args.rounds} rounds × {args.repeat} passes (median of {args.rounds * args.repeat}); load average "
          f"before {' '.join(f'{x:.1f}' for x in load_before)}, after {' '.join(f'{x:.1f}' for x in load_after)}")
    print(f"small: {meta_s['graduates']:,} graduates, {meta_s['schools']} schools (school seen: "
          f"{meta_s['subjects']['school_graduates']:,}); large: {meta_l['graduates']:,} graduates, "
          f"{meta_l['schools']} schools (school seen: {meta_l['subjects']['school_graduates']:,})\n")
    print(report(verdicts, budget=args.budget))
    return 0 if all(v.passed for v in verdicts) else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
