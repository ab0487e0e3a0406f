"""gunicorn for scripts/start.sh: the embedded default served the way production is (a real
WSGI server, several processes, DEBUG off). Address from HOST/PORT, the same variables the
settings read to derive PLATFORM_PUBLIC_BASE_URL and ALLOWED_HOSTS."""

import os

_host = os.environ.get("HOST", "127.0.0.1")
_port = os.environ.get("PORT", "8000")
_cores = os.cpu_count() or 1

wsgi_app = "config.wsgi:application"
bind = [f"[{_host.strip('[]')}]:{_port}" if ":" in _host else f"{_host}:{_port}"]
# Two processes per core (at most 4 for a demo machine), each with a few threads: a slow
# request (PDF rendering, a roster upload) does not hold up everyone else.
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, 2 * _cores)))
threads = int(os.environ.get("WEB_THREADS", 4))
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

    shown = f"http://{reachable_host(_host)}:{_port}/"
    print(f"平台已启动：{shown}（毕业生登录 {shown}login/ ，工作人员与用人单位登录 {shown}staff/login/ ）", flush=True)
    print(f"协议书防伪二维码地址：{settings.PUBLIC_BASE_URL}", flush=True)
