"""The README's command, for real: `bash scripts/start.sh` prepares an empty embedded
database and serves it like production (gunicorn, DEBUG off, WhiteNoise static files) on the
PORT it is given, beside the background worker, the scheduler, the stand-in national registry and
the registry relay, and stops them all together.

It migrates, loads the reference data and seeds the demo first, which takes minutes on a
busy machine, so it runs only when asked: PLATFORM_START_SCRIPT_TEST=1 (.ci/run does, once)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STARTUP_SECONDS = 900

pytestmark = pytest.mark.skipif(
    os.environ.get("PLATFORM_START_SCRIPT_TEST") != "1",
    reason="slow (migrate + seed on an empty database): set PLATFORM_START_SCRIPT_TEST=1",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - our own local server
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def group_processes(pgid: int) -> list[str]:
    out = subprocess.run(["ps", "-o", "args=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [line.strip() for line in out.splitlines() if line.strip()]


def wait_until(predicate, seconds: float, step: float = 0.5):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def test_start_script_serves_like_production_and_stops_everything(tmp_path):
    port, registry_port = free_port(), free_port()
    # A clean environment: nothing of the test settings (inline tasks, fast hasher) or of a
    # developer's DATABASE_URL leaks into what a fresh clone would run.
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "PORT": str(port),
        "REGISTRY_STANDIN_PORT": str(registry_port),
        "PLATFORM_VAR_DIR": str(tmp_path / "var"),
        "PLATFORM_STATIC_ROOT": str(tmp_path / "static"),
    }
    log_path = tmp_path / "start.log"
    with open(log_path, "wb") as log:
        script = subprocess.Popen(["bash", "scripts/start.sh"], cwd=ROOT, env=env, stdout=log,
                                  stderr=subprocess.STDOUT, start_new_session=True)
    pgid = script.pid
    try:
        def printed_address():
            assert script.poll() is None, log_path.read_text()[-3000:]
            found = re.search(r"平台已启动：(http://\S+?/)（", log_path.read_text())
            return found and found.group(1)

        address = wait_until(printed_address, STARTUP_SECONDS, step=2)
        assert address == f"http://127.0.0.1:{port}/", log_path.read_text()[-3000:]
        # the agreement QR base URL follows the port it serves
        assert f"协议书防伪二维码地址：http://127.0.0.1:{port}" in log_path.read_text()

        status, _, login = get(address + "login/")
        assert status == 200 and "登录" in login
        static_status, static_type, script_text = get(address + "static/js/app.js")
        assert static_status == 200 and "javascript" in static_type and script_text.strip()
        # DEBUG off: the Chinese page, not Django's technical 404 listing the URL patterns
        missing_status, _, missing = get(address + "no-such-page/")
        assert missing_status == 404 and "页面不存在" in missing
        assert "URLconf" not in missing and "Page not found" not in missing and "DEBUG" not in missing

        processes = group_processes(pgid)
        assert sum("gunicorn" in p for p in processes) >= 2, processes  # master + workers
        assert any("db_worker" in p for p in processes), processes
        assert any("run_scheduler" in p for p in processes), processes
        # the stand-in registry answers beside the platform, and the relay delivering to it runs
        assert any("registry_standin" in p for p in processes), processes
        assert any("run_registry_relay" in p for p in processes), processes
        assert get(f"http://127.0.0.1:{registry_port}/healthz")[::2] == (200, "ok")
        assert f"全国毕业去向登记系统（模拟）：http://127.0.0.1:{registry_port}" in log_path.read_text()
        assert "secret" not in " ".join(processes).lower()  # the shared secret is not on a command line

        # stopping the script alone (as a service manager or Ctrl-C would) stops them all
        script.send_signal(signal.SIGTERM)
        script.wait(timeout=60)
        left = wait_until(lambda: not group_processes(pgid), 60)
        assert left, group_processes(pgid)
    finally:
        if script.poll() is None or group_processes(pgid):
            try:
                os.killpg(pgid, signal.SIGKILL)
            except ProcessLookupError:
                pass
