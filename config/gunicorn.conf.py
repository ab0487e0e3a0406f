"""gunicorn for scripts/start.sh: the embedded default served the way production is (a real
WSGI server, several processes, DEBUG off). Address from HOST/PORT, the same variables the
settings read to derive PLATFORM_PUBLIC_BASE_URL and ALLOWED_HOSTS."""

import os

_host = os.environ.get("HOST", "127.0.0.1")
_port = os.environ.get("PORT", "8000")
_cores = os.cpu_count() or 1

wsgi_app = "config.wsgi:application"
bind = [f"[{_host.strip('[]')}]:{_port}" if ":" in _host else f"{_host}:{_port}"]
# Sizing (issue 9, bench/README.md "Production settings"): a request is CPU in Python (templates,
# query compilation) plus short waits on PostgreSQL/Redis, so two processes per core keep the cores
# busy while one waits; a few threads each let a slow request (an on-demand PDF, a roster upload)
# not hold up everyone else. At most 8 processes unless WEB_CONCURRENCY says otherwise (a demo on
# a 16-core laptop need not start 32).
workers = int(os.environ.get("WEB_CONCURRENCY", min(8, 2 * _cores)))
threads = int(os.environ.get("WEB_THREADS", 4))
# Database connections: with persistent connections (DATABASE_CONN_MAX_AGE, default 60 s) every
# thread of every process keeps its own, so one server holds up to workers × threads of them.
# DATABASE_CONNECTIONS_PER_SERVER caps that (threads are reduced to fit): servers × this cap +
# the task workers + a few for operators must stay well under PostgreSQL's max_connections
# (100 by default: 2 servers × 32 + workers leaves a margin). More servers than that go through
# PgBouncer (docs/scaling.md).
connection_cap = int(os.environ.get("DATABASE_CONNECTIONS_PER_SERVER", 32))
if workers * threads > connection_cap:
    threads = max(1, connection_cap // workers)
# A process is replaced after this many requests (with jitter, so not all at once): a slow leak
# in a library can never grow without bound.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", 5000))
max_requests_jitter = max_requests // 10
# Behind a load balancer that keeps connections open: longer than gunicorn's 2 s default.
keepalive = int(os.environ.get("WEB_KEEPALIVE", 5))
# Roster imports and PDF rendering run in the background worker, but an on-demand PDF may
# be rendered in the request (apps/signing/views_staff.py): allow it time.
timeout = 120
graceful_timeout = 20
# No access log: request paths carry search terms (names, numbers) that the application
# log's personal-data filter would mask, but gunicorn's access log would not.
accesslog = None
errorlog = "-"
# gunicorn's runtime control socket lives in $HOME: two demos on one machine would share it.
control_socket_disable = True


def when_ready(server):
    """Printed once the socket listens, so "the address it prints" is ready to open."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings

    from config.env import reachable_host

    server.log.info("gunicorn: %d processes × %d threads = at most %d database connections (cap %d)",
                    workers, threads, workers * threads, connection_cap)
    shown = f"http://{reachable_host(_host)}:{_port}/"
    print(f"平台已启动：{shown}（毕业生登录 {shown}login/ ，工作人员与用人单位登录 {shown}staff/login/ ）", flush=True)
    print(f"协议书防伪二维码地址：{settings.PUBLIC_BASE_URL}", flush=True)
