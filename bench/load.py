"""Load benchmark (负载基准): a deadline day against gunicorn, each hot page as a ratio of a
bare baseline measured in the same run.

    # PostgreSQL + Redis, on a database filled by bench/generate_province.py
    .venv/bin/python bench/load.py --database-url postgres://postgres@127.0.0.1:5432/bench_province \\
        --redis-url redis://127.0.0.1:6379/5 --var-dir var/bench/province
    # the embedded default (SQLite + database cache) of a generated SQLite set
    .venv/bin/python bench/load.py --var-dir var/bench/province-sqlite

What it does:
1. setup (in this process, Django on the same database and keys as the server): picks
   graduates who have an account, creates a web session (Django's session store, the same
   keys `login()` writes) and an API token (`api_token_issue`) for each, a session for a few
   college staff with a review queue, and a separate pool of graduates whose destination
   is still editable for the writes. Logging in through the real login form is not used:
   the login throttle admits 20 logins per address per 15 minutes and every request here
   comes from 127.0.0.1. The sessions and tokens are deleted at the end.
2. starts gunicorn with config/gunicorn.conf.py (the production configuration; workers and
   threads from --workers/--threads) on a free loopback port, with
   PLATFORM_BENCH_BASELINE=1 so the bare baseline (apps/core/bench_views.py) is served by
   the same server;
3. interleaved rounds, closed loop (saturation): baseline page, each page, baseline API,
   each API call, then the next round. Every request of a target goes to the next
   identity of the pool, so no page is measured on one person's warm cache. A target's
   ratio in a round is its throughput over the baseline's of the same round (pages to the
   page baseline, API calls to the JSON twin);
4. open loop at 70 % of each target's median saturated throughput: requests on a fixed
   schedule, latency from the scheduled send time (so queueing shows), p50/p95/p99;
5. the report: a Markdown table, the budgets (PASS/MISS per line), errors, the client's own
   CPU (a phase where it used more than 80 % of a core measured the client, not the server),
   load average and machine; `--json FILE` writes everything measured.

Every loop is bounded in count and time; loopback only.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from apps.core.loops import outside_event_loop  # noqa: E402 (no Django import: safe before setup)
from bench.httpload import PhaseResult, Request, free_port, open_loop, saturate  # noqa: E402

# --- budgets (bench/README.md, "Budgets") ------------------------------------------------------
MIN_RATIO = 0.7  # every graduate hot page and API read: ≥ 0.7 of the baseline's throughput
MAX_P99_MS = 300.0  # p99 at 70 % of saturation
LOAD_SHARE = 0.7  # the open-loop rate, as a share of the target's saturated throughput
CLIENT_SATURATED = 0.8  # client CPU above this share of one core: the phase measured the client

BASELINE_PAGE = "baseline page"
BASELINE_API = "baseline API"
DEADLINE_MIX = "deadline-day mix"
# 截止日: what a deadline day's requests are made of (weights per 100 requests)
MIX = {"首页 home": 20, "生源信息 origin": 8, "去向登记 destination": 14, "网签 invitations": 8,
       "API graduate login (POST)": 5, "API graduates/me": 10, "API destinations/mine": 14,
       "API signing/invitations": 8, "API save destination (PUT)": 8, "审核队列 staff queue": 5}


@dataclass(frozen=True)
class Target:
    name: str
    method: str
    path: str
    kind: str  # "page" or "api": which baseline it is compared with
    who: str  # "graduate", "writer" or "staff": the identity pool
    budget: bool  # a graduate hot page / API read: the ratio budget applies
    body: bytes = b""
    login: bool = False  # the body is the identity's own login form, no token


TARGETS = [
    Target(BASELINE_PAGE, "GET", "/bench/page/", "page", "graduate", False),
    Target("首页 home", "GET", "/home/", "page", "graduate", True),
    Target("生源信息 origin", "GET", "/register/origin/", "page", "graduate", True),
    Target("去向登记 destination", "GET", "/register/destination/", "page", "graduate", True),
    Target("网签 invitations", "GET", "/signing/invitations/", "page", "graduate", True),
    Target("审核队列 staff queue", "GET", "/staff/destinations/", "page", "staff", False),
    Target(DEADLINE_MIX, "GET", "", "page", "graduate", False),
    Target(BASELINE_API, "GET", "/bench/api/baseline", "api", "graduate", False),
    # 毕业生登录 through the real API: school + name + student number + ID number
    Target("API graduate login (POST)", "POST", "/api/v1/auth/graduate/login", "api", "graduate", False,
           login=True),
    Target("API graduates/me", "GET", "/api/v1/graduates/me", "api", "graduate", True),
    Target("API destinations/mine", "GET", "/api/v1/destinations/mine", "api", "graduate", True),
    Target("API signing/invitations", "GET", "/api/v1/signing/invitations", "api", "graduate", True),
    # 保存去向: category 701 has no fields and needs no proof, so every save is valid
    Target("API save destination (PUT)", "PUT", "/api/v1/destinations/mine", "api", "writer", False,
           body=b'{"category_code": "701"}'),
]


# --- setup: identities -----------------------------------------------------------------------

@dataclass
class Identity:
    user_id: int
    session_key: str
    token: str = ""
    login_body: bytes = b""  # {"school_id", "name", "student_number", "id_number"}; never printed

    def headers(self, target: Target) -> tuple[tuple[str, str], ...]:
        if target.login:
            return (("Content-Type", "application/json"), ("Accept", "application/json"))
        if target.kind == "api":
            headers = (("Authorization", f"Bearer {self.token}"), ("Accept", "application/json"))
            if target.body:
                headers += (("Content-Type", "application/json"),)
            return headers
        return (("Cookie", f"sessionid={self.session_key}"),)


@dataclass
class Identities:
    graduate: list[Identity] = field(default_factory=list)
    writer: list[Identity] = field(default_factory=list)
    staff: list[Identity] = field(default_factory=list)


def _session_for(user) -> str:
    """A logged-in session exactly as django.contrib.auth.login() leaves it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def prepare_identities(*, graduates: int, writers: int, staff: int) -> Identities:
    """Sessions and API tokens for graduates spread over the whole data set (every k-th
    account, so schools and colleges are mixed) who confirmed their 生源 and set a signing
    PIN (the pages send anyone else to the PIN form first), writers whose destination is editable, and
    college staff whose college has something waiting for review."""
    from django.db.models import Exists, OuterRef

    from apps.accounts.models import Role, User
    from apps.accounts.services import api_token_issue
    from apps.destinations.models import Destination, DestinationStatus
    from apps.signing.models import Agreement

    pool = User.objects.filter(role=Role.GRADUATE, is_active=True, graduate__isnull=False,
                               graduate__origin_confirmed_at__isnull=False).exclude(graduate__signing_pin_hash="")
    # NOT EXISTS, not NOT IN (subquery): at 500,000 graduates PostgreSQL cannot hash the 300,000-id
    # NOT IN list in work_mem and rescans it per account (the setup ran for minutes, never ending)
    locked = Destination.objects.filter(graduate_id=OuterRef("graduate_id")).exclude(
        status__in=[DestinationStatus.DRAFT, DestinationStatus.RETURNED])
    signed = Agreement.objects.filter(graduate_id=OuterRef("graduate_id"))
    editable = pool.exclude(Exists(locked)).exclude(Exists(signed))
    writer_ids = _spread(editable, writers)
    reader_ids = _spread(pool.exclude(pk__in=writer_ids), graduates)

    waiting = Destination.objects.filter(status=DestinationStatus.SUBMITTED).values("graduate__college")
    staff_ids = list(User.objects.filter(role=Role.COLLEGE_STAFF, is_active=True, college__in=waiting)
                     .order_by("pk").values_list("pk", flat=True)[:staff])

    found = Identities()
    users = User.objects.select_related("graduate").in_bulk(reader_ids + writer_ids + staff_ids)
    for pk in reader_ids:
        graduate = users[pk].graduate
        login = {"school_id": graduate.school_id, "name": graduate.name, "student_number": graduate.student_number,
                 "id_number": graduate.id_number}  # decrypted here, sent only to the server under test
        found.graduate.append(Identity(pk, _session_for(users[pk]), api_token_issue(users[pk]),
                                       json.dumps(login, ensure_ascii=False).encode()))
    for pk in writer_ids:
        found.writer.append(Identity(pk, _session_for(users[pk]), api_token_issue(users[pk])))
    for pk in staff_ids:
        found.staff.append(Identity(pk, _session_for(users[pk])))
    return found


def _spread(queryset, n: int) -> list[int]:
    """n primary keys spread evenly over the queryset's id order (one query, bounded)."""
    total = queryset.count()
    if total <= n:
        return list(queryset.order_by("pk").values_list("pk", flat=True))
    step = total / n
    ids = list(queryset.order_by("pk").values_list("pk", flat=True))
    return [ids[int(i * step)] for i in range(n)]


def discard_identities(identities: Identities, *, tokens_after: int) -> None:
    """Deletes the run's sessions, its tokens and those the logins issued (ids above tokens_after)."""
    from django.contrib.sessions.models import Session

    from apps.accounts.models import ApiToken
    from apps.core.crypto import token_digest

    everyone = identities.graduate + identities.writer + identities.staff
    Session.objects.filter(session_key__in=[i.session_key for i in everyone]).delete()
    ApiToken.objects.filter(token_hash__in=[token_digest(i.token) for i in everyone if i.token]).delete()
    ApiToken.objects.filter(pk__gt=tokens_after, user__in=[i.user_id for i in identities.graduate]).delete()


# --- the server -------------------------------------------------------------------------------

@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, workers: int, threads: int, port: int | None = None, log: Path | None = None):
    """gunicorn with the production configuration on a free loopback port; yields the port.
    Yields (port, master pid). Always stopped (SIGTERM, then SIGKILL after 20 s) when the
    block ends."""
    port = port or free_port()
    server_env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": str(workers),
                  "WEB_THREADS": str(threads), "PLATFORM_BENCH_BASELINE": "1", "DJANGO_DEBUG": "0",
                  "DJANGO_SETTINGS_MODULE": "config.settings"}
    out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("gunicorn")), "-c", str(ROOT / "config" / "gunicorn.conf.py")],
        cwd=ROOT, env=server_env, stdout=out, stderr=out, start_new_session=True)
    try:
        _wait_ready(port, process)
        yield port, process.pid
    finally:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        if log:
            out.close()


def _wait_ready(port: int, process: subprocess.Popen, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before serving (see its log)")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"gunicorn did not answer /healthz within {seconds:.0f} s")


def server_cpu(master: int) -> float:
    """CPU seconds used so far by gunicorn's master and workers (Linux /proc; 0 elsewhere).
    Per request it is far less disturbed by other load on the machine than throughput is.
    Workers that have exited (gunicorn replaces one after `max_requests`) count through the
    master's cutime/cstime once reaped; without them a phase with a replaced worker came out
    negative (−792 ms/req, 2026-12-02)."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    with contextlib.suppress(OSError):
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                pid, ppid = int(entry.name), int(fields[1])
                if pid == master or ppid == master:
                    total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
                if pid == master:
                    total += (int(fields[13]) + int(fields[14])) / tick  # cutime + cstime: reaped workers
    return total


# --- the run ----------------------------------------------------------------------------------

@dataclass
class Settings:
    rounds: int = 3
    seconds: float = 8.0  # each saturation phase
    latency_seconds: float = 8.0  # each open-loop phase
    connections: int = 16  # closed-loop connections per phase
    targets: list[str] | None = None  # names (default: all)


@dataclass
class TargetReport:
    name: str
    kind: str
    budget: bool
    throughput: list[float] = field(default_factory=list)  # per round, requests/s
    ratios: list[float] = field(default_factory=list)  # per round, over the same round's baseline
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    client_cpu_max: float = 0.0
    server_cpu_ms: list[float] = field(default_factory=list)  # per round: server CPU per answered request
    cpu_ratios: list[float] = field(default_factory=list)  # per round: baseline's CPU per request / this one's
    open_rate: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    open_errors: int = 0
    open_client_cpu: float = 0.0

    def ratio(self, which) -> float | None:
        return which(self.ratios) if self.ratios else None


def _prepared(target: Target, identities: Identities) -> list[Request]:
    pool = getattr(identities, target.who)
    if not pool:
        raise RuntimeError(f"no {target.who} identities for {target.name}: is the data set loaded?")
    return [Request(target.method, target.path, ident.headers(target), ident.login_body if target.login else target.body)
            for ident in pool]


def _requests_of(target: Target, identities: Identities, targets: list[Target] | None = None):
    """The next request of a target, round-robin over its identities. The deadline-day mix
    interleaves the other targets by MIX weight (a fixed, evenly spread sequence)."""
    if target.name == DEADLINE_MIX:
        parts = [(t, MIX[t.name]) for t in targets or TARGETS if t.name in MIX]
        streams = {t.name: _requests_of(t, identities) for t, _ in parts}
        total = sum(w for _, w in parts)
        # smooth weighted round-robin: each step picks the part furthest behind its share
        order, credit = [], dict.fromkeys(streams, 0)
        for _ in range(total):
            for t, w in parts:
                credit[t.name] += w
            pick = max(credit, key=credit.get)
            credit[pick] -= total
            order.append(pick)
        counter = iter(range(10 ** 9))

        def next_mixed() -> Request:
            return streams[order[next(counter) % len(order)]]()

        return next_mixed
    prepared = _prepared(target, identities)
    counter = iter(range(10 ** 9))

    def next_request() -> Request:
        return prepared[next(counter) % len(prepared)]

    return next_request


def _merge_errors(report: TargetReport, phase: PhaseResult) -> None:
    for kind, n in phase.error_kinds.items():
        report.error_kinds[kind] = report.error_kinds.get(kind, 0) + n


async def _preflight(port: int, targets: list[Target], identities: Identities) -> dict[str, int]:
    """One request per target before measuring: a wrong status stops the run early."""
    statuses = {}
    for target in targets:
        phase = await saturate("127.0.0.1", port, _requests_of(target, identities), connections=1, seconds=30,
                               max_requests=1)
        statuses[target.name] = next(iter(phase.statuses), 0)
    return statuses


async def run(port: int, identities: Identities, settings: Settings, *, master: int = 0,
              out=print) -> list[TargetReport]:
    targets = [t for t in TARGETS if settings.targets is None or t.name in settings.targets
               or t.name in (BASELINE_PAGE, BASELINE_API)]
    parts = [t for t in targets if t.name in MIX]
    kinds = {t.kind for t in targets if t.name not in (BASELINE_PAGE, BASELINE_API)}
    targets = [t for t in targets if t.kind in kinds]
    statuses = await _preflight(port, [t for t in targets if t.name != DEADLINE_MIX], identities)
    wrong = {name: status for name, status in statuses.items() if status != 200}
    if wrong:
        raise RuntimeError(f"a first request did not answer 200: {wrong}")
    # warm-up: every process compiles templates and fills its caches once
    for target in targets:
        await saturate("127.0.0.1", port, _requests_of(target, identities, parts), connections=settings.connections,
                       seconds=min(1.0, settings.seconds), max_requests=200)

    reports = {t.name: TargetReport(t.name, t.kind, t.budget) for t in targets}
    for number in range(1, settings.rounds + 1):
        baseline_tp: dict[str, float] = {}
        baseline_cpu: dict[str, float] = {}
        for target in targets:  # baselines come first in each kind's group (TARGETS order)
            cpu_before = server_cpu(master) if master else 0.0
            phase = await saturate("127.0.0.1", port, _requests_of(target, identities, parts),
                                   connections=settings.connections, seconds=settings.seconds)
            cpu_ms = (server_cpu(master) - cpu_before) * 1000 / phase.completed if master and phase.completed else 0
            report = reports[target.name]
            if cpu_ms:
                report.server_cpu_ms.append(cpu_ms)
            report.throughput.append(phase.throughput)
            report.errors += phase.errors
            _merge_errors(report, phase)
            report.client_cpu_max = max(report.client_cpu_max, phase.client_cpu_share)
            if target.name in (BASELINE_PAGE, BASELINE_API):
                baseline_tp[target.kind] = phase.throughput
                baseline_cpu[target.kind] = cpu_ms
            else:
                if baseline_tp.get(target.kind):
                    report.ratios.append(phase.throughput / baseline_tp[target.kind])
                if cpu_ms and baseline_cpu.get(target.kind):
                    report.cpu_ratios.append(baseline_cpu[target.kind] / cpu_ms)
            out(f"  round {number}: {target.name:<28} {phase.throughput:8.1f} req/s  errors {phase.errors}"
                f"  server CPU {cpu_ms:5.1f} ms/req  client CPU {phase.client_cpu_share:4.0%}")

    for target in targets:
        report = reports[target.name]
        rate = LOAD_SHARE * statistics.median(report.throughput) if report.throughput else 0
        if rate <= 0:
            continue
        phase = await open_loop("127.0.0.1", port, _requests_of(target, identities, parts), rate=rate,
                                seconds=settings.latency_seconds, max_connections=max(64, settings.connections))
        report.open_rate = rate
        report.p50_ms, report.p95_ms, report.p99_ms = (
            None if phase.percentile(q) is None else phase.percentile(q) * 1000 for q in (50, 95, 99))
        report.open_errors = phase.errors
        _merge_errors(report, phase)
        report.open_client_cpu = phase.client_cpu_share
        out(f"  open loop {rate:7.1f}/s: {target.name:<28} p50 {report.p50_ms or 0:6.1f} p95 "
            f"{report.p95_ms or 0:6.1f} p99 {report.p99_ms or 0:6.1f} ms  errors {phase.errors}")
    return list(reports.values())


# --- the report -------------------------------------------------------------------------------

def budget_lines(reports: list[TargetReport]) -> list[tuple[str, bool, str]]:
    """(budget, met, measured) for every line the budgets name."""
    lines = []
    for r in reports:
        if r.budget:
            median = r.ratio(statistics.median)
            lines.append((f"{r.name}: throughput ≥ {MIN_RATIO} × baseline", median is not None and median >= MIN_RATIO,
                          "no ratio" if median is None else f"median {median:.2f}"))
    for r in reports:
        met = r.p99_ms is not None and r.p99_ms < MAX_P99_MS
        lines.append((f"{r.name}: p99 < {MAX_P99_MS:.0f} ms at {LOAD_SHARE:.0%} of saturation", met,
                      "not measured" if r.p99_ms is None else f"p99 {r.p99_ms:.0f} ms at {r.open_rate:.0f}/s"))
    errors = sum(r.errors + r.open_errors for r in reports)
    lines.append(("no errors", errors == 0, f"{errors} errors"))
    return lines


def _errors(r: TargetReport) -> str:
    total = r.errors + r.open_errors
    kinds = ", ".join(f"{kind} × {n}" for kind, n in sorted(r.error_kinds.items()))
    return f"{total} ({kinds})" if total else "0"


def _fmt(value: float | None, spec: str = ".2f") -> str:
    return "–" if value is None else format(value, spec)


def render(reports: list[TargetReport], meta: dict) -> str:
    rows = [
        f"{meta['date']}, {meta['machine']}; {meta['database']}; gunicorn {meta['workers']} workers × "
        f"{meta['threads']} threads; {meta['rounds']} interleaved rounds of {meta['seconds']:.0f} s, "
        f"{meta['connections']} connections; open loop {meta['latency_seconds']:.0f} s at "
        f"{LOAD_SHARE:.0%} of each target's median throughput; load average before "
        f"{meta['load_before']}, after {meta['load_after']}.",
        "",
        "| target | req/s (median) | ratio min / median / max | server CPU ms/req (median) | CPU ratio (median) "
        "| p50 / p95 / p99 ms at 70 % | errors | client CPU max |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in reports:
        ratio = ("baseline" if not r.ratios else
                 f"{_fmt(min(r.ratios))} / {_fmt(statistics.median(r.ratios))} / {_fmt(max(r.ratios))}")
        tp = statistics.median(r.throughput) if r.throughput else None
        client = max(r.client_cpu_max, r.open_client_cpu)
        cpu = statistics.median(r.server_cpu_ms) if r.server_cpu_ms else None
        cpu_ratio = statistics.median(r.cpu_ratios) if r.cpu_ratios else None
        rows.append(f"| {r.name} | {_fmt(tp, '.1f')} | {ratio} | {_fmt(cpu, '.1f')} | "
                    f"{'baseline' if not r.ratios else _fmt(cpu_ratio)} | {_fmt(r.p50_ms, '.0f')} / {_fmt(r.p95_ms, '.0f')} / "
                    f"{_fmt(r.p99_ms, '.0f')} | {_errors(r)} | {client:.0%}{' (client-bound)' if client > CLIENT_SATURATED else ''} |")
    rows += ["", "Ratios are over the same round's baseline of the same kind (pages: the baseline page; API "
             "calls: its JSON twin). CPU ratio = the baseline's server CPU per request over this target's, "
             "from gunicorn's processes' CPU time: less disturbed by other load on the machine than throughput."]
    rows += ["", "| budget | result | measured |", "|---|---|---|"]
    for text, met, measured in budget_lines(reports):
        rows.append(f"| {text} | {'PASS' if met else 'MISS'} | {measured} |")
    saturated = [r.name for r in reports if max(r.client_cpu_max, r.open_client_cpu) > CLIENT_SATURATED]
    rows += ["", "Load client: " + (f"SATURATED (over {CLIENT_SATURATED:.0%} of a core) in: {', '.join(saturated)} — "
                                    "those throughputs measure the client, not the server." if saturated else
                                    f"never above {CLIENT_SATURATED:.0%} of a core (the server was the limit).")]
    return "\n".join(rows)


def machine() -> str:
    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return f"{os.cpu_count()} cores{' ' + cpu if cpu else ''}, {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def run_coroutine(coroutine):
    """asyncio.run, also from a thread that already runs an event loop (the test suite)."""
    return outside_event_loop(asyncio.run, coroutine)


def benchmark(env: dict[str, str], settings: Settings, *, workers: int, threads: int, graduates: int = 200,
              writers: int = 50, staff: int = 5, log: Path | None = None, out=print) -> tuple[list[TargetReport], dict]:
    """Setup, server, rounds, clean-up. Django must be set up on the same database as env."""
    from django.db import connection
    from django.db.models import Max

    from apps.accounts.models import ApiToken

    tokens_after = ApiToken.objects.aggregate(m=Max("pk"))["m"] or 0
    identities = prepare_identities(graduates=graduates, writers=writers, staff=staff)
    out(f"identities: {len(identities.graduate)} graduates, {len(identities.writer)} writers, "
        f"{len(identities.staff)} staff (sessions and tokens created in setup)")
    names = settings.targets
    for who in ("writer", "staff"):
        if not getattr(identities, who):  # e.g. a data set where nothing waits for review
            names = [t.name for t in TARGETS if t.who != who and (names is None or t.name in names)]
    settings.targets = names
    connection.close()  # the server's processes do the rest
    meta = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
            "database": f"{connection.vendor}{' + Redis cache' if env.get('REDIS_URL') else ' + database cache'}",
            "workers": workers, "threads": threads, "rounds": settings.rounds, "seconds": settings.seconds,
            "latency_seconds": settings.latency_seconds, "connections": settings.connections,
            "load_before": _load()}
    # all the load comes from 127.0.0.1: the per-address login throttle (20 per 15 minutes)
    # would refuse the logins of a whole province; the per-account limit stays as configured
    env = {"LOGIN_THROTTLE_PER_ADDRESS": "1000000", **env}
    try:
        with gunicorn(env, workers=workers, threads=threads, log=log) as (port, master):
            reports = run_coroutine(run(port, identities, settings, master=master, out=out))
    finally:
        discard_identities(identities, tokens_after=tokens_after)
    meta["load_after"] = _load()
    return reports, meta


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="", help="PostgreSQL URL (else DATABASE_URL, else SQLite in --var-dir)")
    parser.add_argument("--redis-url", default="", help="Redis for the cache (else REDIS_URL, else the database cache)")
    parser.add_argument("--var-dir", default=str(ROOT / "var" / "bench" / "province"),
                        help="the generator's --var-dir: keys (and the SQLite file)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=8.0, help="each saturation phase")
    parser.add_argument("--latency-seconds", type=float, default=8.0, help="each open-loop phase")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--graduates", type=int, default=200, help="logged-in graduates the requests rotate over")
    parser.add_argument("--target", action="append", help="only these targets (repeatable; baselines always run)")
    parser.add_argument("--json", help="write every figure to this file")
    args = parser.parse_args(argv)
    if not (1 <= args.rounds <= 20 and 0 < args.seconds <= 120 and 0 < args.latency_seconds <= 120):
        parser.error("rounds 1–20, phases up to 120 s")

    var_dir = Path(args.var_dir).resolve()
    env = {"PLATFORM_VAR_DIR": str(var_dir), "TASKS_BACKEND": "immediate", "LOG_LEVEL": "WARNING"}
    url = args.database_url or os.environ.get("DATABASE_URL", "")
    if url:
        env["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
    redis = args.redis_url or os.environ.get("REDIS_URL", "")
    if redis:
        env["REDIS_URL"] = redis
    else:
        os.environ.pop("REDIS_URL", None)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from apps.graduates.models import Graduate

    if not Graduate.objects.exists():
        print("No graduates in this database: fill it first with bench/generate_province.py (same --var-dir).",
              file=sys.stderr)
        return 2
    log = var_dir / "load-gunicorn.log"
    print(f"Load benchmark → {url.split('@')[-1] if url else var_dir / 'platform.sqlite3'}; server log {log}")
    settings = Settings(rounds=args.rounds, seconds=args.seconds, latency_seconds=args.latency_seconds,
                        connections=args.connections, targets=args.target)
    reports, meta = benchmark(env, settings, workers=args.workers, threads=args.threads, graduates=args.graduates,
                              log=log)
    text = render(reports, meta)
    print()
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps({"meta": meta, "targets": [asdict(r) for r in reports],
                                               "budgets": budget_lines(reports)}, ensure_ascii=False, indent=1))
    return 0 if all(met for _, met, _ in budget_lines(reports)) else 1


if __name__ == "__main__":
    sys.exit(main())
