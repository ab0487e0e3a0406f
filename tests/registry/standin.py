"""The stand-in registry as a real subprocess for tests (fixture ``registry_standin``).

One stand-in process per test session (started on first use, on a free port, with a temporary
SQLite file, ``--allow-reset`` and no changes deadline); each test gets it emptied, without faults, and with
``settings.REGISTRY_URL`` / ``REGISTRY_SECRET`` pointing at it. A test may stop, kill, restart or
make it refuse connections; the next test gets it running again.

Tests outside tests/registry/ use it with ``from tests.registry.standin import registry_standin``
(plus ``registry_standin_process`` for the session part).
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60  # a loaded machine (helpers, CI) can take a while to start a Python process


class PortTaken(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StandInProcess:
    """Drives one ``python -m registry_standin`` subprocess."""

    def __init__(self, workdir: Path, *, port: int | None = None, secret: str | None = None,
                 allow_reset: bool = True, env: dict[str, str] | None = None, changes_until: str = "off"):
        self.workdir = Path(workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.secret = secret or secrets.token_urlsafe(24)
        self.db_path = self.workdir / "registry-standin.sqlite3"
        self.log_path = self.workdir / "registry-standin.log"
        self.allow_reset = allow_reset
        # off by default: the suite's cohorts (factories, demo) must not start failing the day
        # their 31 August passes; a test of the deadline starts a stand-in with "08-31"
        self.changes_until = changes_until
        self.env = env or {}
        self.process: subprocess.Popen | None = None
        self._started_once = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- process -------------------------------------------------------------------------------

    def start(self) -> StandInProcess:
        if self.running:
            return self
        for attempt in range(3):
            try:
                return self._start()
            except PortTaken:
                if self._started_once or attempt == 2:
                    raise
                self.port = free_port()  # another process took the free port first: pick again
        raise AssertionError("unreachable")

    def _start(self) -> StandInProcess:
        log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        command = [sys.executable, "-m", "registry_standin", "--host", "127.0.0.1", "--port", str(self.port),
                   "--db", str(self.db_path), f"--secret={self.secret}", "--changes-until", self.changes_until]
        if self.allow_reset:
            command.append("--allow-reset")
        env = {**os.environ, **self.env}
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                output = self.log_text()[log_start:]
                if "Address already in use" in output:
                    raise PortTaken(self.port)
                raise RuntimeError(f"stand-in exited with {self.process.returncode}:\n{output[-2000:]}")
            if self.healthy():
                self._started_once = True
                return self
            time.sleep(0.05)
        raise RuntimeError(f"stand-in did not answer /healthz within {START_SECONDS} s:\n{self.log_text()[-2000:]}")

    def stop(self, timeout: float = 10) -> int | None:
        """SIGTERM and wait (the clean shutdown); SIGKILL if it does not end in time."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode

    def kill(self) -> None:
        if self.running:
            self.process.kill()
            self.process.wait(timeout=10)

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(self.url + "/healthz", timeout=2) as answer:  # noqa: S310 - local
                return answer.status == 200
        except OSError:
            return False

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    # --- administration ------------------------------------------------------------------------

    def admin(self, method: str, path: str, body: dict | None = None, *, wait_seconds: float = 30):
        """(status, JSON answer) of an admin call; waits through a refusal window."""
        data = json.dumps(body).encode() if body is not None else None
        deadline = time.monotonic() + wait_seconds
        while True:
            request = urllib.request.Request(self.url + path, data=data, method=method)
            request.add_header("Authorization", f"Bearer {self.secret}")
            if data is not None:
                request.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 - local
                    return answer.status, json.loads(answer.read())
            except urllib.error.HTTPError as error:
                return error.code, json.loads(error.read() or b"{}")
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionError) or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # refused: a refusal window or a restart is under way

    def _ok(self, method: str, path: str, body: dict | None = None):
        status, answer = self.admin(method, path, body)
        assert status == 200, (status, answer)
        return answer

    def set_faults(self, **faults) -> dict:
        """Any of latency_ms, latency_jitter_ms, fail_rate, timeout_rate, timeout_seconds."""
        return self._ok("POST", "/admin/faults", faults)

    def faults(self) -> dict:
        return self._ok("GET", "/admin/faults")

    def refuse(self, seconds: float) -> None:
        """Close the listening socket for ``seconds`` (returns once connections are refused)."""
        self._ok("POST", "/admin/faults", {"refuse_seconds": seconds})
        deadline = time.monotonic() + 5
        while self.healthy() and time.monotonic() < deadline:
            time.sleep(0.02)

    def stats(self) -> dict:
        return self._ok("GET", "/admin/stats")

    def deliveries(self, graduate_key: str | None = None) -> list[dict]:
        """Accepted deliveries in arrival order (all of them without a key)."""
        query = "?" + urllib.parse.urlencode({"graduate_key": graduate_key}) if graduate_key else ""
        return self._ok("GET", "/admin/deliveries" + query)["deliveries"]

    def reset(self) -> None:
        """Empty the store and clear the faults."""
        self._ok("POST", "/admin/reset")


@pytest.fixture(scope="session")
def registry_standin_process(tmp_path_factory):
    standin = StandInProcess(tmp_path_factory.mktemp("registry-standin"))
    yield standin
    standin.stop()


@pytest.fixture
def registry_standin(registry_standin_process, settings):
    """The running stand-in, emptied and without faults; the platform's settings point at it."""
    standin = registry_standin_process
    standin.start()
    standin.reset()
    settings.REGISTRY_URL = standin.url
    settings.REGISTRY_SECRET = standin.secret
    yield standin
    if standin.running:
        standin.set_faults(latency_ms=0, latency_jitter_ms=0, fail_rate=0.0, timeout_rate=0.0)
