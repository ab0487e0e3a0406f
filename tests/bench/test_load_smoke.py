"""The load benchmark (bench/load.py) at CI size: gunicorn on a free port against the test
database, one short round of the baselines and two hot pages; plus the load client's
open-loop clock and the baseline's switch."""

from __future__ import annotations

import asyncio
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from apps.accounts.models import Role
from apps.destinations.models import DestinationStatus
from apps.graduates.models import Graduate
from bench import httpload, load
from tests import factories as f
from tests.destinations.builders import make_destination


def _server_env(settings) -> dict[str, str]:
    """The test database and keys, for a server in another process."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        url = f"sqlite:///{db['NAME']}"
    else:
        url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return {"DATABASE_URL": url, "PLATFORM_VAR_DIR": str(settings.VAR_DIR), "TASKS_BACKEND": "immediate",
            "LOG_LEVEL": "WARNING", "REDIS_URL": ""}


@pytest.mark.django_db(transaction=True)
def test_one_short_round_reports_ratios_latencies_and_no_errors(world, settings, tmp_path):
    # the server runs the embedded default's database cache (the tests use process memory)
    call_command("createcachetable", "platform_cache", verbosity=0)
    confirmed = timezone.now()
    writer = f.make_graduate(college=world.college, major=world.major, name="孙磊", pin="135790")
    Graduate.objects.filter(pk__in=[world.graduate.pk, writer.pk]).update(origin_confirmed_at=confirmed)
    f.graduate_user(writer)
    waiting = f.make_graduate(college=world.college, major=world.major, name="周雨")
    make_destination(waiting, status=DestinationStatus.SUBMITTED, images=0)
    assert world.college_admin.role == Role.COLLEGE_STAFF

    run = load.Settings(rounds=1, seconds=1.0, latency_seconds=1.0, connections=2,
                        targets=["首页 home", "API graduates/me"])
    lines: list[str] = []
    reports, meta = load.benchmark(_server_env(settings), run, workers=1, threads=2, graduates=5, writers=1,
                                   staff=1, log=tmp_path / "gunicorn.log", out=lines.append)

    by_name = {r.name: r for r in reports}
    assert set(by_name) == {load.BASELINE_PAGE, "首页 home", load.BASELINE_API, "API graduates/me"}
    for name in ("首页 home", "API graduates/me"):
        report = by_name[name]
        assert len(report.ratios) == 1 and report.ratios[0] > 0, name
        assert report.p99_ms is not None and report.p50_ms <= report.p99_ms
        assert report.server_cpu_ms and report.server_cpu_ms[0] > 0 and report.cpu_ratios, name
    assert all(r.throughput[0] > 0 for r in reports)
    assert sum(r.errors + r.open_errors for r in reports) == 0, [r.error_kinds for r in reports]

    text = load.render(reports, meta)
    assert "| 首页 home |" in text and "| API graduates/me |" in text
    budget = {line for line, _met, _measured in load.budget_lines(reports)}
    assert "首页 home: throughput ≥ 0.7 × baseline" in budget
    assert ("| no errors | PASS |" in text) and ("MISS" in text or "PASS" in text)
    # the sessions and tokens made for the run are gone again
    from django.contrib.sessions.models import Session

    from apps.accounts.models import ApiToken

    assert not Session.objects.exists() and not ApiToken.objects.exists()


def test_open_loop_latency_counts_the_wait_for_a_busy_server():
    """A server that answers one request per 50 ms, offered 40 per second: an open-loop
    client must see the queue grow (latency from the scheduled time), while each answer
    alone takes only 50 ms."""

    async def scenario():
        lock = asyncio.Lock()

        async def handle(reader, writer):
            try:
                while True:
                    await reader.readuntil(b"\r\n\r\n")
                    async with lock:  # one at a time: 20 answers per second at most
                        await asyncio.sleep(0.05)
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                    await writer.drain()
            except (asyncio.IncompleteReadError, ConnectionError):
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            request = httpload.Request("GET", "/")
            busy = await httpload.open_loop("127.0.0.1", port, lambda: request, rate=40, seconds=1.0,
                                            max_connections=2)
            calm = await httpload.open_loop("127.0.0.1", port, lambda: request, rate=5, seconds=1.0)
            closed = await httpload.saturate("127.0.0.1", port, lambda: request, connections=4, seconds=1.0)
        finally:
            server.close()
            await server.wait_closed()
        return busy, calm, closed

    began = time.perf_counter()
    busy, calm, closed = load.run_coroutine(scenario())
    assert time.perf_counter() - began < 15
    assert busy.completed == 40 and busy.errors == 0
    # the 40th request was scheduled at 0.975 s and answered at about 2 s
    assert busy.percentile(99) > 0.6
    assert calm.completed == 5 and calm.percentile(99) < 0.3
    assert 10 < closed.throughput < 25  # the server's 20 per second, not the client's


def test_baseline_is_not_served_unless_switched_on(client, world):
    client.force_login(world.graduate_user)
    assert client.get("/bench/page/").status_code == 404
    assert client.get("/bench/api/baseline").status_code == 404
