"""Fair check-in and 宣讲会 sign-up benchmark (签到, issue 13): a busy fair morning, as ratios of a
bare baseline request measured in the same run.

    .venv/bin/python bench/checkin.py [--graduates 2000] [--capacity 300] [--racers 8]
    .venv/bin/python bench/checkin.py --database-url postgres://postgres@127.0.0.1:5432/bench_checkin

Runs on a throwaway SQLite database under var/bench/checkin/ (only that directory is deleted),
or on --database-url, which must be an empty throwaway database (`createdb bench_checkin`; the
script refuses one that already holds graduates). Builds through the real services: one school
with its staff account, one verified employer with a published posting, a fair published by the
staff (`fair_publish`, starting in a few minutes, so its check-in window is open now), the
employer's booth applied for and approved (`booth_apply`, `booth_decide`), a room of capacity C
(`room_create`) and the employer's 宣讲会 request allocated to it (`session_request`,
`session_allocate`). The N graduates and their accounts are made by tests/factories.py (not
timed).

Then, per graduate, through the Django test client (middleware, session auth, the view), each
graduate with its own client and address (force_login, not timed), interleaved so that machine
drift hits both sides alike:

- the bare baseline page (apps/core/bench_views.py, bench/load.py's: the session and user load,
  one primary-key query, a tiny template) — what any logged-in page costs here;
- the check-in: GET of the link the staff screen's QR encodes (apps/fairs/checkin.checkin_url
  with the screen's current rotating code), answered 签到成功;
- 到访: the graduate records a visit to the booth and agrees to share the résumé (so the
  employer's visitors page fills up; timed for information, no budget);
- every --rescan-every'th graduate opens the link again: 已签到过, counted nothing; and, for
  scale, opens the graduate's page of the fair (services/fairs/<id>/: a read-only page of the
  same layout, no budget).

After the first --few check-ins (default 30: one full page of either list, so both sizes
render the same rows) and again after all of them: the staff attendance page
(staff-fair-attendance, 30 a page) and the employer's booth visitors page
(employer-fair-visitors, 20 a page), --repeat times each, after one warm-up request, each
request after the bare baseline through the same client (their ratio is to that baseline). On
PostgreSQL the pages are timed a third time after `ANALYZE` of the two tables: a server with
autovacuum off (this machine's) still plans for the few rows of the last statistics. Then graduates sign up for the 宣讲会 through the API (POST
/api/v1/infosessions/open/<id>/signup, each after the baseline's JSON twin) until C + --over
have tried: C seats taken, the rest refused (报名人数已满).

Optional race: --racers K clients of ONE fresh graduate open the same check-in link at once
after a barrier (threads, one database connection each; SQLite serialises the writers,
PostgreSQL really races): one row, counted once.

CPU is time.process_time of this single-threaded process around the request (the SQLite
engine's work is in it; PostgreSQL's server work is not: compare wall there). Statements are
those of the request. The first graduate's requests warm up imports, URL resolver and templates
and are not in the timings (they are in the counts).

Budget (issue 13): a check-in costs at most 3× the baseline's CPU (medians); the staff
attendance and the employer's visitors pages run the same number of statements with few and
with all check-ins; the fair's attendance equals the distinct graduates checked in (second
scans and racers count nothing); sign-ups equal the capacity. Exit status 1 on any MISS.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
VAR = ROOT / "var" / "bench" / "checkin"
CHECKIN_CPU_RATIO = 3.0  # a check-in ≤ 3× the baseline page's server CPU
BASELINE_PAGE = "/bench/page/"
BASELINE_API = "/bench/api/baseline"


def __getattr__(name: str):
    """This module doubles as a URLconf (`urlpatterns`): the project's, with the load benchmark's
    baseline mounted, for runs where PLATFORM_BENCH_BASELINE was off when the URLs were loaded
    (the pytest smoke test). Lazy: Django is set up by then."""
    if name == "urlpatterns":
        from django.urls import include, path

        from config.urls import urlpatterns

        return [path("bench/", include("apps.core.bench_views")), *urlpatterns]
    raise AttributeError(name)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def _summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {"median": 0.0, "p95": 0.0, "max": 0.0, "n": 0}
    return {"median": statistics.median(values), "p95": _percentile(values, 0.95), "max": max(values),
            "n": len(values)}


class Series:
    """Timings of one kind of request: CPU ms, wall ms, statements."""

    def __init__(self, label: str, baseline: str = "") -> None:
        self.label, self.baseline = label, baseline
        self.cpu: list[float] = []
        self.wall: list[float] = []
        self.statements: list[int] = []

    def add(self, cpu_ms: float, wall_ms: float, statements: int) -> None:
        self.cpu.append(cpu_ms)
        self.wall.append(wall_ms)
        self.statements.append(statements)

    def figures(self) -> dict:
        return {"label": self.label, "baseline": self.baseline, "cpu": _summary(self.cpu),
                "wall": _summary(self.wall),
                "statements": {"median": statistics.median(self.statements) if self.statements else 0,
                               "min": min(self.statements, default=0), "max": max(self.statements, default=0)}}


def _timed(series: Series | None, call, *args, **kwargs):
    """Run `call(*args, **kwargs)` (a client's get/post) and record its CPU, wall and statements (series None: warm-up)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    connection.queries_log.clear()  # a full log (9,000 entries) would make every later count 0
    with CaptureQueriesContext(connection) as captured:
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        response = call(*args, **kwargs)
        cpu_ms = (time.process_time() - cpu_start) * 1000
        wall_ms = (time.perf_counter() - wall_start) * 1000
    if series is not None:
        series.add(cpu_ms, wall_ms, len(captured.captured_queries))
    return response


# --- the data ---------------------------------------------------------------------------------

def _build(graduates: int, capacity: int):
    """One school, its staff, one employer with a booth at a fair open for check-in now, a
    宣讲会 in a room of `capacity`, and `graduates` graduates with accounts."""
    from types import SimpleNamespace

    from django.utils import timezone

    from apps.accounts.models import Role
    from apps.fairs import services as fairs
    from apps.infosessions import services as infosessions
    from tests import factories as f

    province = f.make_province()
    school = f.make_school(name="基准签到大学", code="19903", province=province)
    college = f.make_college(school, name="基准签到学院")
    major = f.make_major(college, name="基准签到专业")
    staff = f.make_staff(Role.SCHOOL_STAFF, school=school, username="bench-checkin-school")
    employer = f.make_employer(credit_code="91340100MA2N8C0K01", name="基准签到科技有限公司", province=province)
    employer_user = f.make_staff(Role.EMPLOYER, employer=employer, username="bench-checkin-employer")
    posting = f.make_posting(employer, school, title="基准签到工程师")

    now = timezone.now()
    # starts in a few minutes: the check-in window (CHECKIN_OPENS_MINUTES_BEFORE) is open now, and
    # the employer may still apply for a booth (the deadline is before the start)
    fair = fairs.fair_publish(
        actor=staff, kind="mutual_choice", title="基准签到双选会", venue="体育馆一楼",
        starts_at=now + timedelta(minutes=5), ends_at=now + timedelta(hours=6),
        apply_deadline=now + timedelta(minutes=3), booth_count=10, audience="school",
        description="签到基准测试用招聘会。")
    booth = fairs.booth_apply(actor=employer_user, fair=fair, posting_ids=[posting.pk], contact_name="王经理",
                              contact_phone="13900001111")
    booth = fairs.booth_decide(actor=staff, booth=booth, action="approve")

    room = infosessions.room_create(actor=staff, name="基准报告厅", capacity=capacity)
    session = infosessions.session_request(
        actor=employer_user, school_id=school.pk, date=timezone.localdate() + timedelta(
            days=infosessions.min_lead_days() + 1), slot="pm1", audience="school", topic="基准签到宣讲会",
        description="签到基准测试用宣讲会。", expected_size=capacity, contact_name="王经理",
        contact_phone="13900001111", posting_ids=[posting.pk])
    session = infosessions.session_allocate(actor=staff, session=session, room_id=room.pk)

    users = [_graduate_user(college, major, i) for i in range(graduates)]
    return SimpleNamespace(school=school, staff=staff, employer_user=employer_user, fair=fair, booth=booth,
                           room=room, session=session, users=users)


def _graduate_user(college, major, i: int, prefix: str = "2023"):
    from tests import factories as f

    graduate = f.make_graduate(
        college=college, major=major, name=f"签到生{i}", student_number=f"{prefix}{i:07d}",
        id_number=f.make_id_number(birth=date(2003, 1, 1) + timedelta(days=i // 1000), serial=i % 1000))
    return f.graduate_user(graduate)


def _client(user, address: str):
    from django.test import Client

    client = Client(REMOTE_ADDR=address)
    client.force_login(user)
    return client


def _address(index: int) -> str:
    # a different address per graduate, like phones on a campus network (per-address throttles)
    return f"10.{index // 250 % 250}.{index % 250}.3"


def _qr_path(fair) -> str:
    """The path of the link the staff screen's QR encodes right now (the screen's own code)."""
    from django.utils import timezone

    from apps.fairs import checkin

    code = checkin.rotating_code(fair.checkin_secret, at=timezone.now())
    url = checkin.checkin_url(fair, code)
    assert urlsplit(url).path == checkin.checkin_path(fair, code)
    return urlsplit(url).path


def _expect(response, status: int, text: str = "") -> None:
    assert response.status_code == status, (response.status_code, response.content[:400])
    if text:
        assert text in response.content.decode(), (text, response.content[:400])


# --- the measurement --------------------------------------------------------------------------

def measure(graduates: int = 2000, capacity: int = 300, *, few: int = 30, repeat: int = 50,
            rescan_every: int = 10, over: int | None = None, racers: int = 0) -> dict:
    """Build the data and time the requests; Django must be set up, the database migrated and
    empty (reference data loaded). Returns the figures (ms, statement counts, invariants)."""
    from django.db import connection
    from django.test.utils import override_settings
    from django.urls import Resolver404, resolve, reverse

    from apps.fairs.models import BoothVisit, FairBooth, FairCheckIn, JobFair
    from apps.infosessions.models import InfoSession, SessionSignup

    if graduates < 2 or not 1 <= few <= graduates:
        raise ValueError("need at least 2 graduates and 1 ≤ few ≤ graduates")
    over = max(1, capacity // 5) if over is None else over
    try:
        resolve(BASELINE_PAGE)
        urlconf = None
    except Resolver404:  # PLATFORM_BENCH_BASELINE off: mount it here (the module's urlpatterns)
        urlconf = override_settings(ROOT_URLCONF=__name__)
        urlconf.enable()
    try:
        started = time.perf_counter()
        world = _build(graduates, capacity)
        build_seconds = time.perf_counter() - started
        result = _run(world, few=few, repeat=repeat, rescan_every=rescan_every, over=over)
        result["build_seconds"] = build_seconds
        fair = JobFair.objects.get(pk=world.fair.pk)
        session = InfoSession.objects.get(pk=world.session.pk)
        rows = FairCheckIn.objects.filter(fair=fair)
        result["counts"] = {
            "graduates": graduates, "capacity": capacity,
            "checked_in": result.pop("checked_in"),
            "checkin_rows": rows.count(),
            "distinct_graduates": rows.values("graduate_id").distinct().count(),
            "fair_checkin_count": fair.checkin_count,
            "visits": BoothVisit.objects.filter(booth=world.booth).count(),
            "booth_visit_count": FairBooth.objects.get(pk=world.booth.pk).visit_count,
            "signups": SessionSignup.objects.filter(session=session).count(),
            "session_signup_count": session.signup_count,
        }
        result["race"] = _race(world, racers) if racers else None
        result["vendor"] = connection.vendor
        result["urls"] = {"checkin": reverse("fair-checkin", args=[fair.pk, "<code>"]),
                          "attendance": reverse("staff-fair-attendance", args=[fair.pk]),
                          "visitors": reverse("employer-fair-visitors", args=[world.booth.pk]),
                          "signup": f"/api/v1/infosessions/open/{session.pk}/signup"}
        return result
    finally:
        if urlconf is not None:
            urlconf.disable()


def _run(world, *, few: int, repeat: int, rescan_every: int, over: int) -> dict:
    from django.db import connection
    from django.urls import reverse

    fair, booth, session = world.fair, world.booth, world.session
    page, api = "baseline page", "baseline API (JSON twin)"
    base_page, base_api = Series(page), Series(api)
    scan = Series("check-in (QR link, 签到成功)", page)
    rescan = Series("second scan (已签到过)", page)
    fair_page = Series("graduate's fair page (read, full layout)", page)
    visit = Series("到访 + résumé consent (POST)", page)
    signup = Series("宣讲会 sign-up (API, seat taken)", api)
    refused = Series("宣讲会 sign-up refused (full)", api)
    pages: dict[str, Series] = {}

    staff = _client(world.staff, "10.250.1.1")
    employer = _client(world.employer_user, "10.250.1.2")
    attendance_url = reverse("staff-fair-attendance", args=[fair.pk])
    visitors_url = reverse("employer-fair-visitors", args=[booth.pk])
    visit_url = reverse("fair-booth-visit", args=[booth.pk])
    fair_page_url = reverse("fair", args=[fair.pk])

    def list_pages(size: str) -> None:
        # the baseline page beside them, through the same clients (its ratio is of this moment's
        # machine, not of the whole run's average)
        beside = pages.setdefault(f"baseline ({size})", Series(f"baseline page beside the lists, {size}"))
        for label, client, url, text in (("staff attendance", staff, attendance_url, "签到"),
                                         ("employer visitors", employer, visitors_url, "")):
            series = pages.setdefault(f"{label} ({size})", Series(f"{label} page, {size}", beside.label))
            _expect(_timed(None, client.get, url), 200, text)  # warm-up
            for _ in range(repeat):
                _expect(_timed(beside, client.get, BASELINE_PAGE), 200)
                _expect(_timed(series, client.get, url), 200, text)

    clients = []
    checked_in = 0
    for index, user in enumerate(world.users):
        client = _client(user, _address(index))
        clients.append(client)
        warm = index == 0
        _expect(_timed(None if warm else base_page, client.get, BASELINE_PAGE), 200)
        path = _qr_path(fair)
        _expect(_timed(None if warm else scan, client.get, path), 200, "签到成功")
        checked_in += 1
        _expect(_timed(None if warm else visit, client.post, visit_url, {"share_resume": "1", "next": path}), 302)
        if index % rescan_every == 0:
            again = _qr_path(fair)
            _expect(_timed(None if warm else rescan, client.get, again), 200, "已签到过")
            # for scale: a read-only graduate page of the same layout (no write, no booth list)
            _expect(_timed(None if warm else fair_page, client.get, fair_page_url), 200)
        if index + 1 == few:
            list_pages(f"{few} check-ins")
    list_pages(f"{len(world.users)} check-ins")
    if connection.vendor == "postgresql":
        # this machine's server runs with autovacuum off: the planner still believes the tables
        # hold the few rows of the last ANALYZE; measure again with fresh statistics, as autovacuum
        # would have left them (both figures are reported)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE fairs_faircheckin, fairs_boothvisit")
        list_pages(f"{len(world.users)} check-ins, after ANALYZE")

    signup_url = f"/api/v1/infosessions/open/{session.pk}/signup"
    attempts = min(len(clients), session.capacity + over)
    taken = full = 0
    for index, client in enumerate(clients[:attempts]):
        warm = index == 0
        _expect(_timed(None if warm else base_api, client.get, BASELINE_API), 200)
        seats_left = taken < session.capacity
        response = _timed(None if warm else (signup if seats_left else refused), client.post, signup_url)
        if response.status_code == 200:
            taken += 1
        else:
            assert response.status_code == 400, (response.status_code, response.content[:400])
            assert response.json()["error"]["code"] == "full", response.content[:400]
            full += 1
    series = [base_page, scan, rescan, fair_page, visit, *pages.values(), base_api, signup, refused]
    return {"series": [s.figures() for s in series], "checked_in": checked_in,
            "signup": {"attempts": attempts, "taken": taken, "refused_full": full}}


def _race(world, racers: int) -> dict:
    """`racers` clients of ONE fresh graduate open the same QR link at once: one row, one count."""
    from django.db import connections

    from apps.fairs.models import FairCheckIn, JobFair

    user = _graduate_user(world.users[0].graduate.college, world.users[0].graduate.major, 0, prefix="2024")
    clients = [_client(user, f"10.251.{n % 250}.1") for n in range(racers)]
    before = JobFair.objects.get(pk=world.fair.pk).checkin_count
    path = _qr_path(world.fair)
    barrier = threading.Barrier(racers)
    results: list[tuple[int, str, float, float]] = []
    lock = threading.Lock()

    def scan(client):
        status, outcome, cpu_ms, wall_ms = 0, "error", 0.0, 0.0
        try:
            barrier.wait(timeout=60)
            cpu_start, wall_start = time.thread_time(), time.perf_counter()
            response = client.get(path)
            cpu_ms = (time.thread_time() - cpu_start) * 1000
            wall_ms = (time.perf_counter() - wall_start) * 1000
            status, text = response.status_code, response.content.decode()
            outcome = ("created" if "签到成功" in text else "already" if "已签到过" in text else f"http {status}")
        except Exception as exc:  # noqa: BLE001 - reported as the racer's outcome
            outcome = type(exc).__name__
        finally:
            connections.close_all()
        with lock:
            results.append((status, outcome, cpu_ms, wall_ms))

    threads = [threading.Thread(target=scan, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    outcomes: dict[str, int] = {}
    for _, outcome, _, _ in results:
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return {"racers": racers, "finished": len(results), "outcomes": outcomes,
            "rows": FairCheckIn.objects.filter(fair=world.fair, graduate=user.graduate).count(),
            "counted": JobFair.objects.get(pk=world.fair.pk).checkin_count - before,
            "cpu": _summary([r[2] for r in results if r[0]]), "wall": _summary([r[3] for r in results if r[0]])}


# --- the report -------------------------------------------------------------------------------

def verdicts(result: dict) -> list[tuple[str, bool]]:
    """(budget line, passed) for every budget and invariant."""
    by_label = {s["label"]: s for s in result["series"]}
    base = by_label["baseline page"]["cpu"]["median"]
    scan = by_label["check-in (QR link, 签到成功)"]["cpu"]["median"]
    c, signup = result["counts"], result["signup"]
    lines = [
        (f"check-in CPU ≤ {CHECKIN_CPU_RATIO:g}× baseline page (medians: {scan:.1f} / {base:.1f} ms = "
         f"{scan / base if base else float('inf'):.2f}×)", base > 0 and scan <= CHECKIN_CPU_RATIO * base),
        (f"attendance = distinct graduates checked in ({c['fair_checkin_count']} counted, {c['checkin_rows']} rows, "
         f"{c['distinct_graduates']} distinct, {c['checked_in']} checked in; second scans counted nothing)",
         c["fair_checkin_count"] == c["checkin_rows"] == c["distinct_graduates"] == c["checked_in"]),
        (f"宣讲会 sign-ups = capacity ({c['signups']} rows, counter {c['session_signup_count']}, capacity "
         f"{c['capacity']}; {signup['refused_full']} of {signup['attempts']} attempts refused as full)",
         c["signups"] == c["session_signup_count"] == c["capacity"] == signup["taken"]
         and signup["refused_full"] == signup["attempts"] - c["capacity"]),
    ]
    for page in ("staff attendance", "employer visitors"):
        sizes = [s for s in result["series"] if s["label"].startswith(page)]
        counts = sorted({n for s in sizes for n in (s["statements"]["min"], s["statements"]["max"])})
        lines.append((f"{page} page: same statements with few and all check-ins ({counts})",
                      len(sizes) >= 2 and len(counts) == 1))
    race = result.get("race")
    if race:
        lines.append((f"race: {race['racers']} scans of one graduate at once → {race['rows']} row, counted "
                      f"{race['counted']} ({race['outcomes']})",
                      race["rows"] == 1 and race["counted"] == 1 and race["finished"] == race["racers"]
                      and set(race["outcomes"]) <= {"created", "already"} and race["outcomes"].get("created") == 1))
    return lines


def report(result: dict) -> tuple[str, bool]:
    by_label = {s["label"]: s for s in result["series"]}
    c = result["counts"]
    lines = [
        f"data: {c['graduates']} graduates of one school, one fair open for check-in, one booth, a 宣讲会 in a room "
        f"of {c['capacity']} (build {result['build_seconds']:.1f} s, {result['vendor']})",
        "",
        "| request | n | CPU median / p95 ms | wall median / p95 ms | statements | CPU ratio (median) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for s in result["series"]:
        base = by_label.get(s["baseline"])
        ratio = "baseline" if base is None else (
            f"{s['cpu']['median'] / base['cpu']['median']:.2f}×" if base["cpu"]["median"] else "–")
        st = s["statements"]
        statements = f"{st['median']:g}" if st["min"] == st["max"] else f"{st['median']:g} ({st['min']}–{st['max']})"
        lines.append(f"| {s['label']} | {s['cpu']['n']} | {s['cpu']['median']:.1f} / {s['cpu']['p95']:.1f} | "
                     f"{s['wall']['median']:.1f} / {s['wall']['p95']:.1f} | {statements} | {ratio} |")
    race = result.get("race")
    if race and race["cpu"]["n"]:
        lines.append(f"\nrace: {race['racers']} threads, CPU per racer (thread) median {race['cpu']['median']:.1f} / "
                     f"max {race['cpu']['max']:.1f} ms, wall median {race['wall']['median']:.1f} / max "
                     f"{race['wall']['max']:.1f} ms")
    lines.append("")
    passed = True
    for text, ok in verdicts(result):
        passed &= ok
        lines.append(f"{'PASS' if ok else 'MISS'}  {text}")
    return "\n".join(lines), passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graduates", type=int, default=2000)
    parser.add_argument("--capacity", type=int, default=300)
    parser.add_argument("--few", type=int, default=30,
                        help="check-ins before the first timing of the list pages (30: both pages full)")
    parser.add_argument("--repeat", type=int, default=50, help="timed requests of each list page per size")
    parser.add_argument("--rescan-every", type=int, default=10, help="every n'th graduate scans a second time")
    parser.add_argument("--over", type=int, default=None, help="sign-up attempts beyond the capacity (C/5)")
    parser.add_argument("--racers", type=int, default=0, help="threads scanning for one graduate at once")
    parser.add_argument("--database-url", default="", help="an empty throwaway PostgreSQL database")
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from bench.throwaway import refuse_a_used_database, run_header, setup_django

    setup_django(VAR, database_url=args.database_url, baseline=True, quiet_refusals=True)
    from django.core.management import call_command

    refuse_a_used_database(args.database_url)
    call_command("load_reference", verbosity=0)

    result = measure(args.graduates, args.capacity, few=args.few, repeat=args.repeat,
                     rescan_every=args.rescan_every, over=args.over, racers=args.racers)
    print(run_header("Fair check-in and 宣讲会 sign-up benchmark"))
    text, passed = report(result)
    print(text)
    sys.exit(0 if passed else 1)


if __name__ == "__main__":
    main()
